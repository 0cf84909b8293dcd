"""ADR 0019: a named model owner puts a version into use, on the *Modellen* page and with the CLI.

One app of its own (its own MLflow store and database), because approving moves the champion that
the session's other page tests are served. The story: toy version 1 is in use; version 2 passes its
gates and waits; a caseworker still gets advice from version 1; the model owner compares, tries
without a reason, approves; advice now comes from version 2. Then the refusals (four eyes, failed
gate, other roles), a rejection, and a roll-back to version 1 with ``werkwijzer models approve``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from casework import audit
from casework.config import TRIAGE_EFFORT
from casework.modelstore import ModelStore
from tests.api.conftest import Api, new_case, start_api
from tests.api.toymodels import TOY_LIBRARY, register_toy_models
from tests.api.web.conftest import csrf_of, sign_in
from tests.approval import TEST_OWNER
from werkwijzer.settings import Settings
from werkwijzer.tracking import CANDIDATE, candidate_version, champion_version, client_for

OWNER_NAME = "test model_owner"  # start_api's model owner


def _review_facts(settings: Settings, run_id: str, roc_auc: float, fpr_ratio: float, debts: float) -> None:
    """What a training run logs for the comparison: metrics under MLflow's names, the fairness table
    (a small group suppressed) and the SHAP importance."""
    client = client_for(settings)
    client.log_metric(run_id, "roc_auc", roc_auc)
    client.log_metric(run_id, "brier", 0.2)
    fairness = pd.DataFrame(
        {
            "attribute": ["sex", "sex", "age_band"],
            "group": ["man", "vrouw", "67+"],
            "fpr_ratio": [fpr_ratio, 1.0, 3.0],
            "fnr_ratio": [1.05, 1.0, 0.2],
            "suppressed": [False, False, True],
        }
    )
    importance = pd.DataFrame(
        {
            "feature": ["open_debts", "months_on_benefit"],
            "label_nl": ["Openstaande schulden", "Maanden met uitkering"],
            "label_en": ["Open debts", "Months on benefit"],
            "mean_abs_shap": [debts, 1.0],
        }
    )
    for name, frame in (("fairness.csv", fairness), ("shap_importance.csv", importance)):
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        client.log_text(run_id, buffer.getvalue(), f"reports/{name}")


def _version(settings: Settings, name: str, alias: str = CANDIDATE, **tags: str) -> str:
    return register_toy_models(settings, seed=1, names=(name,), alias=alias, version_tags=tags)[name]


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("approvals-home")
    settings = Settings(
        home=home,
        environment="test",
        seed=7,
        audit_checkpoint_seconds=3600,
        database_url=f"sqlite:///{home / 'api.db'}",
    )
    register_toy_models(settings)  # version 1 of each model, in use
    run = client_for(settings).get_model_version(TRIAGE_EFFORT, "1").run_id
    _review_facts(settings, str(run), roc_auc=0.70, fpr_ratio=0.9, debts=1.0)
    store = ModelStore(settings, TOY_LIBRARY)
    store.reload()
    yield from start_api(settings, store)


def _decide(client: TestClient, version: str, decision: str, reason: str, name: str = TRIAGE_EFFORT) -> Any:
    csrf = csrf_of(client.get("/modellen").text)
    fields = {"csrf_token": csrf, "version": version, "decision": decision, "reason": reason}
    return client.post(f"/modellen/{name}/besluit", data=fields)


def _advice_version(api: Api, n: int) -> str:
    r = api.client.post("/api/v1/advice", json=new_case(n), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return str(r.json()["model"]["version"])


def _entries(api: Api, kind: str) -> list[dict[str, Any]]:
    with api.app.state.sessions() as session:
        return [e for e in audit.page(session, 0, 10_000)["events"] if e["kind"] == kind]


def test_model_owner_compares_and_approves_and_only_then_is_it_served(own: Api) -> None:
    settings = own.settings
    client = client_for(settings)
    version = _version(settings, TRIAGE_EFFORT, trained_by="data scientist A")
    _review_facts(settings, str(client.get_model_version(TRIAGE_EFFORT, version).run_id), 0.74, 1.4, 3.0)
    assert _advice_version(own, 8101) == "1", "a candidate is never served"

    owner = sign_in(own, "model_owner")
    html = owner.get("/modellen").text
    assert f"Nieuwe versie {version} wacht op goedkeuring" in html
    assert "Getraind door data scientist A." in html and "Nu in gebruik: versie 1." in html
    # the metrics under MLflow's own names, champion then candidate, and the difference
    row = re.search(
        r"<code>roc_auc</code></th><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>"
        r"<td class=\"num\">(.*?)</td>",
        html,
    )
    assert row and row.groups() == ("0,700", "0,740", "+0,040"), row
    # fairness ratios per group: outside the band in bold, a small group suppressed
    assert '<strong class="problem">1,40</strong>' in html and "0,90" in html
    suppressed = re.search(r"<td>67\+</td>\s*(<td class=\"num\">[^<]*</td>){4}", html)
    assert suppressed and "3,00" not in suppressed.group(0)
    # the features whose share moved most: open debts from 50 % to 75 %
    assert re.search(
        r"Openstaande schulden</th><td class=\"num\">50,0\xa0%</td><td class=\"num\">75,0\xa0%</td>"
        r"<td class=\"num\">\+25,0</td>",
        html,
    ), html
    assert f'action="/modellen/{TRIAGE_EFFORT}/besluit"' in html
    english = owner.get("/modellen?lang=en").text
    assert f"New version {version} waits for approval" in english and "Open debts" in english
    owner.get("/modellen?lang=nl")

    # a reason is required: a 422 naming it, and nothing changed anywhere
    refused = _decide(owner, version, "approve", "   ")
    assert refused.status_code == 422 and "Geef een reden voor uw besluit." in refused.text
    assert str(champion_version(client, TRIAGE_EFFORT).version) == "1"
    assert not _entries(own, "model.approved")

    done = _decide(owner, version, "approve", "Beter onderscheidend; eerlijkheid binnen de band na controle.")
    assert done.status_code == 303 and done.headers["location"] == f"/modellen?besluit=approved#besluit-{TRIAGE_EFFORT}"
    assert "De versie is goedgekeurd en in gebruik genomen." in owner.get(done.headers["location"]).text
    approved = champion_version(client, TRIAGE_EFFORT)
    assert str(approved.version) == version and candidate_version(client, TRIAGE_EFFORT) is None
    tags = approved.tags
    assert tags["approval.decision"] == "approved" and tags["approval.by"] == tags["champion_by"] == OWNER_NAME
    assert tags["approval.reason"] == tags["champion_reason"] and tags["approval.at"] and tags["champion_since"]
    (entry,) = _entries(own, "model.approved")
    assert entry["actor"] == own.user_ids["model_owner"] and entry["subject"] == TRIAGE_EFFORT
    expected = {
        "version": version,
        "decision": "approved",
        "by": OWNER_NAME,
        "via": "page",
        "named_by": "signed_in",
        "trained_by": "data scientist A",
        "champion_before": "1",
        "was_candidate": True,
        "four_eyes": True,
    }
    assert {k: entry["payload"][k] for k in expected} == expected and entry["payload"]["reason"].startswith("Beter")
    assert _advice_version(own, 8102) == version, "the approving worker serves the new champion at once"


def test_only_a_model_owner_may_decide(own: Api) -> None:
    client = client_for(own.settings)
    before = str(champion_version(client, TRIAGE_EFFORT).version)
    waiting = _version(own.settings, TRIAGE_EFFORT, trained_by="data scientist B")
    for role in ("caseworker", "team_lead", "auditor", "admin"):
        browser = sign_in(own, role)
        if role in ("auditor", "admin"):  # they read the comparison, without the buttons
            html = browser.get("/modellen").text
            assert f"Nieuwe versie {waiting} wacht op goedkeuring" in html and "/besluit" not in html
            assert "Alleen een modeleigenaar kan een versie goedkeuren of afwijzen." in html
        csrf = csrf_of(browser.get("/").text)
        r = browser.post(
            f"/modellen/{TRIAGE_EFFORT}/besluit",
            data={"csrf_token": csrf, "version": waiting, "decision": "approve", "reason": "niet mijn besluit"},
        )
        assert r.status_code == 403, role
    no_csrf = sign_in(own, "model_owner").post(
        f"/modellen/{TRIAGE_EFFORT}/besluit", data={"version": waiting, "decision": "approve", "reason": "zonder"}
    )
    assert no_csrf.status_code == 403
    assert str(champion_version(client, TRIAGE_EFFORT).version) == before
    assert str(candidate_version(client, TRIAGE_EFFORT).version) == waiting


def test_four_eyes_failed_gates_and_a_rejection(own: Api) -> None:
    settings = own.settings
    client = client_for(settings)
    owner = sign_in(own, "model_owner")
    before = str(champion_version(client, TRIAGE_EFFORT).version)
    mine = _version(settings, TRIAGE_EFFORT, trained_by=OWNER_NAME)
    r = _decide(owner, mine, "approve", "ik heb hem zelf getraind")
    assert r.status_code == 403 and "Een andere modeleigenaar moet haar goedkeuren (vier ogen)." in r.text
    assert str(champion_version(client, TRIAGE_EFFORT).version) == before

    failed = _version(settings, TRIAGE_EFFORT, alias="none", **{"gate.fairness": "failed: fnr of sex=man"})
    r = _decide(owner, failed, "approve", "toch proberen")
    assert r.status_code == 409 and "failed gate(s) fairness" in r.text
    assert str(champion_version(client, TRIAGE_EFFORT).version) == before

    r = _decide(owner, mine, "reject", "Slechter gekalibreerd dan de versie in gebruik.")
    assert r.status_code == 303
    rejected = client.get_model_version(TRIAGE_EFFORT, mine)
    assert rejected.tags["approval.decision"] == "rejected" and rejected.tags["approval.by"] == OWNER_NAME
    assert candidate_version(client, TRIAGE_EFFORT) is None
    assert str(champion_version(client, TRIAGE_EFFORT).version) == before
    (entry,) = _entries(own, "model.rejected")
    assert entry["payload"]["version"] == mine and entry["payload"]["reason"].startswith("Slechter")


def _cli(api: Api, *args: str) -> Any:
    from cli.main import cli
    from werkwijzer.settings import get_settings

    env = {"WERKWIJZER_HOME": str(api.settings.home), "WERKWIJZER_DATABASE_URL": api.settings.database}
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["models", *args], env=env)
    finally:
        get_settings.cache_clear()


def test_roll_back_with_the_cli_is_the_same_act(own: Api, tmp_path: Path) -> None:
    settings = own.settings
    client = client_for(settings)
    current = str(champion_version(client, TRIAGE_EFFORT).version)
    assert current != "1"
    missing = _cli(own, "approve", "--model", TRIAGE_EFFORT, "--version", "1", "--reason", "  ")
    assert missing.exit_code == 2 and "reason: a reason is required" in missing.output

    back = _cli(own, "approve", "--model", TRIAGE_EFFORT, "--version", "1", "--reason", "Terug.", "--by", TEST_OWNER)
    assert back.exit_code == 0, back.output
    assert f"approved by {TEST_OWNER}: it is the champion now (was version {current})" in back.output
    rolled = champion_version(client, TRIAGE_EFFORT)
    assert str(rolled.version) == "1" and rolled.tags["approval.by"] == TEST_OWNER
    assert "champion_until" not in rolled.tags
    assert "champion_until" in client.get_model_version(TRIAGE_EFFORT, current).tags
    entry = _entries(own, "model.approved")[-1]
    assert entry["actor"] == f"cli:{TEST_OWNER}" and entry["payload"]["named_by"] == "option"
    assert entry["payload"]["via"] == "cli" and entry["payload"]["champion_before"] == current
    from casework.clock import utc_now
    from casework.refresh import refresh_once

    refresh_once(own.app.state.store, own.app.state.sessions, utc_now())  # what every worker does each minute
    assert _advice_version(own, 8103) == "1", "advice comes from the rolled-back version"

    # a version that failed a gate can never be put into use, however it is asked
    failed = next(
        str(v.version)
        for v in client.search_model_versions(f"name='{TRIAGE_EFFORT}'")
        if (v.tags or {}).get("gate.fairness", "").startswith("failed")
    )
    refused = _cli(own, "approve", "--model", TRIAGE_EFFORT, "--version", failed, "--reason", "x", "--by", TEST_OWNER)
    assert refused.exit_code == 1 and "failed gate(s) fairness" in refused.output
    # the default name is the operating system's user, recorded as such; four eyes holds for it too
    from werkwijzer.tracking import run_user

    own_version = _version(settings, TRIAGE_EFFORT, trained_by=run_user())
    mine = _cli(own, "approve", "--model", TRIAGE_EFFORT, "--version", own_version, "--reason", "zelf")
    assert mine.exit_code == 1 and "four eyes" in mine.output
    rejected = _cli(own, "reject", "--model", TRIAGE_EFFORT, "--version", own_version, "--reason", "niet nodig")
    assert rejected.exit_code == 0 and f"rejected by {run_user()}; the champion stays version 1." in rejected.output
    assert _entries(own, "model.rejected")[-1]["payload"]["named_by"] == "environment"


def test_model_owner_approves_in_a_real_browser(own: Api) -> None:
    """The comparison and the form pass axe-core; the owner types a reason and clicks approve. With
    ``WERKWIJZER_SCREENSHOTS=1`` the candidate's block is saved for docs/governance.md."""
    from tests.api.web.test_browser import (
        CHROMIUM,
        CHROMIUM_ARGS,
        SCREENSHOTS,
        LiveServer,
        _missing,
        axe_violations,
        open_as,
    )

    missing = _missing()
    if missing:
        if os.environ.get("WERKWIJZER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (WERKWIJZER_REQUIRE_BROWSER=1): {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    settings = own.settings
    client = client_for(settings)
    before = str(champion_version(client, TRIAGE_EFFORT).version)
    version = _version(settings, TRIAGE_EFFORT, trained_by="data scientist A")
    _review_facts(settings, str(client.get_model_version(TRIAGE_EFFORT, version).run_id), 0.76, 1.31, 2.2)
    with LiveServer(own) as live, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_as(chromium, live, own, "model_owner")
            page.goto("/modellen")
            assert axe_violations(page) == []
            block = page.locator("section.candidate").first
            block.locator("details.candidate-fairness summary").click()  # the ratios per group, opened
            if os.environ.get("WERKWIJZER_SCREENSHOTS") == "1":
                block.screenshot(path=str(SCREENSHOTS / "web-modellen-kandidaat.png"))
            block.get_by_label("Reden van uw besluit").fill("Beter onderscheidend dan versie " + before + ".")
            block.get_by_role("button", name=f"Versie {version} goedkeuren en in gebruik nemen").click()
            page.wait_for_url(lambda url: "besluit=approved" in url)
            assert "De versie is goedgekeurd en in gebruik genomen." in page.content()
        finally:
            chromium.close()
    assert str(champion_version(client, TRIAGE_EFFORT).version) == version
