"""The system card on *Modellen*: counts per model, the card in the site's frame, the PDF, and a plain line
for a model without a card; the card's answers about use come from this store's audit trail."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.web import systemcards
from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED
from flows.evidence import write_systemcard
from tests.api.conftest import Api, new_case
from tests.api.web.conftest import sign_in


@pytest.fixture(scope="module")
def auditor(web: Api) -> TestClient:
    return sign_in(web, "auditor")


def test_the_models_page_counts_the_card_and_links_it(web: Api, auditor: TestClient, tmp_path: Path) -> None:
    card = json.loads(write_systemcard(web.settings, TRIAGE_EFFORT, tmp_path)["json"].read_text("utf-8"))
    counted = card["summary"]["requirements"]
    systemcards._CACHE.clear()  # the page would show the card it read less than KEEP_SECONDS ago
    page = auditor.get("/modellen").text
    assert (
        f"Vereisten: {counted['evidenced']} beantwoord uit bewijs, {counted['open']} open, "
        f"{counted['not_applicable']} niet van toepassing."
    ) in page
    assert f'href="/modellen/{TRIAGE_EFFORT}/systeemkaart"' in page
    assert f"werkwijzer evidence --model {TRIAGE_INTEGRATED} --out MAP" in page, "no card yet: how to make one"


def test_the_card_page_shows_answers_with_their_sources_and_the_pdf_downloads(auditor: TestClient) -> None:
    r = auditor.get(f"/modellen/{TRIAGE_EFFORT}/systeemkaart")
    assert r.status_code == 200 and "Systeemkaart" in r.text and r.text.count("<h1>") == 1
    assert "beantwoord uit bewijs" in r.text and "setting: WERKWIJZER_RETENTION_DAYS=" in r.text
    assert "Open voor privacy officer (FG)" in r.text or "Open voor jurist" in r.text
    pdf = auditor.get(f"/modellen/{TRIAGE_EFFORT}/systeemkaart.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert auditor.get(f"/modellen/{TRIAGE_INTEGRATED}/systeemkaart").status_code == 404


def test_decisions_on_the_record_answer_the_oversight_questions(web: Api, tmp_path: Path) -> None:
    advice = web.client.post("/api/v1/advice", json=new_case(9301), headers=web.headers("caseworker")).json()
    suggested = advice["suggestion"]["suggested_effort_class"]
    body = {"outcome": "followed", "final_effort_class": suggested}
    r = web.client.post(f"/api/v1/advice/{advice['advice_id']}/decision", json=body, headers=web.headers("caseworker"))
    assert r.status_code in (200, 201), r.text
    card = json.loads(write_systemcard(web.settings, TRIAGE_EFFORT, tmp_path, log=False)["json"].read_text("utf-8"))
    found = {e["urn"].rsplit(":", 1)[-1]: e for e in card["requirements"]}
    oversight = found["aia-21"]
    assert oversight["state"] == "evidenced" and "beslissingen van medewerkers vastgelegd" in oversight["answer"]
    kinds = {s["kind"] for s in oversight["evidence"]}
    assert kinds == {"audit-trail", "test"}
    assert any(s["ref"] == f"switch changes for {TRIAGE_EFFORT} and all models" for s in found["aia-09"]["evidence"])
    logging = found["aia-07"]
    assert logging["state"] == "evidenced" and "de keten van hashes klopt" in logging["answer"]
    assert any(s["kind"] == "audit-trail" and s["ref"].startswith("entries 1–") for s in logging["evidence"])


def test_an_mlflow_that_does_not_answer_leaves_the_page_without_a_card_in_bounded_time(web: Api) -> None:
    import mlflow

    gone = web.settings.model_copy(update={"mlflow_tracking_uri": "http://127.0.0.1:9"})  # nothing listens there
    before = mlflow.get_tracking_uri()
    began = time.monotonic()
    assert systemcards.summaries(gone, {TRIAGE_EFFORT: "no-such-run", TRIAGE_INTEGRATED: None}) == {
        TRIAGE_EFFORT: None,
        TRIAGE_INTEGRATED: None,
    }
    assert time.monotonic() - began < systemcards.WAIT_SECONDS + 1.0
    assert mlflow.get_tracking_uri() == before, "the page's reads leave the process's MLflow setup alone"
    began = time.monotonic()  # asked again within RETRY_SECONDS: the absence is remembered, no new wait
    assert systemcards.summaries(gone, {TRIAGE_EFFORT: "no-such-run"}) == {TRIAGE_EFFORT: None}
    assert time.monotonic() - began < 0.5
