"""The caseworker's pages: the work list, a case with its reasons, the decision form, the citizen's letter."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from casework.config import TRIAGE_EFFORT
from tests.api.conftest import Api, new_case
from tests.api.web.conftest import csrf_of, make_advice, sign_in
from werkwijzer.teams import EFFORT_CLASSES


def _advice(web: Api, advice_id: str) -> dict:
    return web.client.get(f"/api/v1/advice/{advice_id}", headers=web.headers("caseworker")).json()


def _another_class(web: Api, advice_id: str) -> str:
    """An effort class other than the one the advice suggests (a deviation)."""
    suggested = _advice(web, advice_id)["suggestion"]["suggested_effort_class"]
    return next(c for c in EFFORT_CLASSES if c != suggested)


def _decide(client: TestClient, advice_id: str, **fields: str) -> object:
    csrf = csrf_of(client.get(f"/zaken/{advice_id}").text)
    return client.post(f"/zaken/{advice_id}/besluit", data={"csrf_token": csrf, **fields})


def test_work_list_shows_waiting_cases_newest_first_and_drops_decided_ones(web: Api) -> None:
    client = sign_in(web, "caseworker")
    first, second = make_advice(web, 8001), make_advice(web, 8002)
    page = client.get("/zaken").text
    assert page.index(f"/zaken/{second}") < page.index(f"/zaken/{first}")
    suggested = _advice(web, first)["suggestion"]["suggested_effort_class"]
    assert _decide(client, first, outcome="followed", final_effort_class=suggested).status_code == 303
    assert f"/zaken/{first}" not in client.get("/zaken").text


def test_the_work_list_counts_its_cases_in_singular_or_plural(web: Api) -> None:
    make_advice(web, 8003)
    for lang, pattern, one in (
        ("nl", r"(\d+) (zaak wacht|zaken wachten) op een besluit", "zaak wacht"),
        ("en", r"(\d+) (case waits|cases wait) for a decision", "case waits"),
    ):
        found = re.search(pattern, sign_in(web, "caseworker").get(f"/zaken?lang={lang}").text)
        assert found, f"the {lang} caption counts the waiting cases"
        assert (int(found[1]) == 1) == (found[2] == one), found[0]


def test_case_page_shows_reasons_model_version_and_who_decides(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8010, open_debts=12)
    advice = _advice(web, advice_id)
    page = client.get(f"/zaken/{advice_id}").text
    for reason in advice["reasons"]:
        assert reason["label_nl"] in page
    assert page.count('<rect class="bar ') == len(advice["reasons"]) and 'role="img"' in page
    assert f"versie {advice['model']['version']}" in page and "U beslist zelf" in page
    assert not re.search(r"<option[^>]+selected", page) and " checked" not in page  # nothing pre-filled


def test_decision_through_the_form_lands_in_the_store_and_the_audit_trail(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8020)
    other = _another_class(web, advice_id)
    r = _decide(client, advice_id, outcome="deviated", final_effort_class=other, motivation="Huisbezoek gedaan.")
    assert r.status_code == 303 and r.headers["location"] == f"/zaken/{advice_id}?vastgelegd=1"
    assert "Uw besluit is vastgelegd." in client.get(r.headers["location"]).text
    decision = _advice(web, advice_id)["decision"]
    assert decision["outcome"] == "deviated" and decision["final_effort_class"] == other
    assert decision["decided_by"] == web.user_ids["caseworker"] and decision["motivation"] == "Huisbezoek gedaan."
    events = web.client.get(
        "/api/v1/audit/events", params={"subject": advice_id}, headers=web.headers("auditor")
    ).json()["events"]
    recorded = [e for e in events if e["kind"] == "decision.recorded"]
    assert len(recorded) == 1 and recorded[0]["actor"] == web.user_ids["caseworker"]
    again = _decide(client, advice_id, outcome="deviated", final_effort_class=other, motivation="nog eens")
    assert again.status_code == 409 and "al een besluit vastgelegd" in again.text


def test_deviation_without_motivation_is_refused_next_to_the_field_and_keeps_the_input(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8030)
    other = _another_class(web, advice_id)
    r = _decide(client, advice_id, outcome="deviated", final_effort_class=other, motivation="  ")
    assert r.status_code == 422
    assert 'id="motivation-error">Schrijf op waarom u afwijkt. Dat is verplicht.' in r.text
    assert 'aria-describedby="motivation-hint motivation-error" aria-invalid="true"' in r.text
    assert 'value="deviated" checked' in r.text and f'value="{other}" selected' in r.text
    assert _advice(web, advice_id)["status"] == "awaiting_decision"
    events = web.client.get(
        "/api/v1/audit/events", params={"subject": advice_id}, headers=web.headers("auditor")
    ).json()["events"]
    assert [e["kind"] for e in events] == ["advice.created"]


def test_service_refusals_come_back_in_dutch_next_to_their_field(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8040)
    suggested = _advice(web, advice_id)["suggestion"]["suggested_effort_class"]
    r = _decide(client, advice_id, outcome="deviated", final_effort_class=suggested, motivation="toch anders")
    assert r.status_code == 422 and 'id="outcome-error">U wijkt af, maar kiest dezelfde zwaarte' in r.text
    r = _decide(client, advice_id, final_effort_class=suggested)
    assert r.status_code == 422 and 'id="outcome-error">Kies of u het advies volgt' in r.text
    r = _decide(
        client,
        advice_id,
        outcome="deviated",
        final_effort_class="complex" if suggested != "complex" else "eenvoudig",
        motivation="BSN 111222333 gebeld",
    )
    assert r.status_code == 422 and "lijkt een BSN te bevatten" in r.text and "111222333" in r.text
    assert _advice(web, advice_id)["status"] == "awaiting_decision"


def test_decision_post_without_csrf_is_refused_and_nothing_stored(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8050, advised=False)
    r = client.post(
        f"/zaken/{advice_id}/besluit",
        data={"outcome": "deviated", "final_effort_class": "complex", "motivation": "eigen oordeel"},
    )
    assert r.status_code == 403
    assert _advice(web, advice_id)["status"] == "awaiting_decision"


def _normalised(html: str, advice_id: str, case_ref: str) -> str:
    html = html.replace(advice_id, "ADVICE").replace(case_ref, "CASE")
    html = re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", html)
    return re.sub(r"\d+\xa0\w+\.?\xa0\d{4} \d\d:\d\d", "TIME", html)


def test_control_and_switched_off_cases_render_the_same_markup(web: Api) -> None:
    client = sign_in(web, "caseworker")
    control = make_advice(web, 8060, advised=False)
    admin = web.headers("admin")
    assert (
        web.client.put(
            "/api/v1/admin/advice-switch",
            json={"scope": TRIAGE_EFFORT, "enabled": False, "reason": "test"},
            headers=admin,
        ).status_code
        == 200
    )
    try:
        r = web.client.post("/api/v1/advice", json=new_case(8061), headers=web.headers("caseworker"))
        switched_off = r.json()["advice_id"]
    finally:
        web.client.put(
            "/api/v1/admin/advice-switch",
            json={"scope": TRIAGE_EFFORT, "enabled": True, "reason": "test"},
            headers=admin,
        )
    for suffix in ("", "/uitleg", "?lang=en"):
        a = _normalised(client.get(f"/zaken/{control}{suffix}").text, control, "WMO-2026-008060")
        b = _normalised(client.get(f"/zaken/{switched_off}{suffix}").text, switched_off, "WMO-2026-008061")
        assert a == b
    page = client.get(f"/zaken/{control}").text
    assert "control" not in page.lower() and "switched" not in page.lower() and "<!--" not in page


def test_citizen_letter_is_a_print_view_in_the_pages_language(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8070)
    text = web.client.get(
        f"/api/v1/advice/{advice_id}/citizen-explanation?lang=nl", headers=web.headers("caseworker")
    ).json()["text"]
    page = client.get(f"/zaken/{advice_id}/uitleg").text
    assert "Uitleg bij uw aanvraag" in page and text.split(".")[0] in page
    assert "@media print" in client.get("/static/web.css").text


def test_unknown_case_is_a_dutch_404_page(web: Api) -> None:
    client = sign_in(web, "caseworker")
    r = client.get("/zaken/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and "Niet gevonden" in r.text


def test_without_a_suggestion_the_motivation_is_asked_for_the_own_choice(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8080, advised=False)
    page = client.get(f"/zaken/{advice_id}").text
    assert 'name="outcome" value="deviated"' in page and "Ja, ik volg het advies" not in page
    r = _decide(client, advice_id, outcome="deviated", final_effort_class="gemiddeld")
    assert r.status_code == 422
    assert 'id="motivation-error">Schrijf op waarom u voor deze zwaarte kiest.' in r.text
    assert (
        _decide(
            client,
            advice_id,
            outcome="deviated",
            final_effort_class="gemiddeld",
            motivation="Eigen beoordeling na gesprek.",
        ).status_code
        == 303
    )
    assert _advice(web, advice_id)["decision"]["final_effort_class"] == "gemiddeld"


def test_objection_through_the_form_is_recorded_and_refusals_keep_the_text(web: Api) -> None:
    client = sign_in(web, "caseworker")
    advice_id = make_advice(web, 8090)
    csrf = csrf_of(client.get(f"/zaken/{advice_id}/bezwaar").text)
    r = client.post(f"/zaken/{advice_id}/bezwaar", data={"csrf_token": csrf, "summary": "Niet eens met de zwaarte"})
    assert r.status_code == 422 and 'id="kind-error">Kies of het een bezwaar of een klacht is.' in r.text
    assert "Niet eens met de zwaarte</textarea>" in r.text
    r = client.post(f"/zaken/{advice_id}/bezwaar", data={"csrf_token": csrf, "kind": "objection", "summary": " "})
    assert r.status_code == 422 and 'id="summary-error">Schrijf op waar het over gaat.' in r.text
    r = client.post(
        f"/zaken/{advice_id}/bezwaar",
        data={"csrf_token": csrf, "kind": "complaint", "summary": "Niet eens met de zwaarte"},
    )
    assert r.status_code == 303 and "is vastgelegd" in client.get(r.headers["location"]).text
    events = web.client.get(
        "/api/v1/audit/events", params={"subject": advice_id}, headers=web.headers("auditor")
    ).json()["events"]
    recorded = [e for e in events if e["kind"] == "objection.recorded"]
    assert len(recorded) == 1 and recorded[0]["payload"]["kind"] == "complaint"
    assert client.post(f"/zaken/{advice_id}/bezwaar", data={"kind": "complaint", "summary": "x"}).status_code == 403
