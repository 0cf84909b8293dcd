"""POST /cases/{case_id}/outcome through HTTP: closed cases only, validated, corrected with a reason, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from casework.storage import AuditEvent, Outcome
from tests.api.conftest import OTHER_TEAM, Api, new_case

OUTCOME = {"handling_hours": 14.5, "effort_class": "complex", "integrated_approach": True}


def closed_case(api: Api, n: int) -> dict:  # type: ignore[type-arg]
    """A case with advice and a decision (closed); its advice."""
    r = api.client.post("/api/v1/advice", json=new_case(n), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    advice = r.json()
    decided = api.client.post(
        f"/api/v1/advice/{advice['advice_id']}/decision",
        json={"outcome": "deviated", "final_effort_class": "gemiddeld", "motivation": "eigen oordeel"}
        if advice["suggestion"] is None or advice["suggestion"]["suggested_effort_class"] != "gemiddeld"
        else {"outcome": "followed", "final_effort_class": "gemiddeld"},
        headers=api.headers("caseworker"),
    )
    assert decided.status_code == 201, decided.text
    return advice


def post(api: Api, case_id: str, body: dict, user: str = "caseworker", key: str | None = None):  # type: ignore[no-untyped-def]
    return api.client.post(f"/api/v1/cases/{case_id}/outcome", json=body, headers=api.headers(user, key))


def stored(api: Api, advice_id: str) -> list[Outcome]:
    with api.app.state.sessions() as s:
        return list(
            s.execute(select(Outcome).where(Outcome.advice_id == advice_id).order_by(Outcome.revision)).scalars()
        )


def test_outcome_of_a_closed_case_is_recorded_and_on_the_audit_trail(api: Api) -> None:
    advice = closed_case(api, 1701)
    r = post(api, advice["case_id"], OUTCOME)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["advice_id"] == advice["advice_id"] and body["case_id"] == advice["case_id"]
    assert (body["revision"], body["corrects"], body["reason"]) == (1, None, None)
    assert body["recorded_by"] == api.user_ids["caseworker"] and body["handling_hours"] == 14.5
    with api.app.state.sessions() as s:
        event = s.execute(
            select(AuditEvent).where(AuditEvent.kind == "outcome.recorded", AuditEvent.subject == advice["advice_id"])
        ).scalar_one()
    payload = json.loads(event.payload)
    assert payload["outcome_id"] == body["outcome_id"] and payload["integrated_approach"] is True
    assert payload["model_name"] and event.actor == api.user_ids["caseworker"]
    assert api.client.get("/api/v1/audit/verify", headers=api.headers("auditor")).json()["valid"] is True


def test_a_second_report_needs_a_reason_and_becomes_a_new_revision(api: Api) -> None:
    advice = closed_case(api, 1702)
    first = post(api, advice["case_id"], OUTCOME).json()
    again = post(api, advice["case_id"], {**OUTCOME, "handling_hours": 20})
    assert again.status_code == 422 and again.json()["detail"][0]["loc"] == ["body", "reason"]
    assert "reason" in again.json()["detail"][0]["msg"]
    fixed = post(api, advice["case_id"], {**OUTCOME, "handling_hours": 20, "reason": "Uren van week 3 ontbraken."})
    assert fixed.status_code == 201, fixed.text
    assert (fixed.json()["revision"], fixed.json()["corrects"]) == (2, first["outcome_id"])
    rows = stored(api, advice["advice_id"])
    assert [(o.revision, o.handling_hours) for o in rows] == [(1, 14.5), (2, 20.0)]  # the first stays on record
    with api.app.state.sessions() as s:
        kinds = s.execute(
            select(AuditEvent.kind).where(AuditEvent.subject == advice["advice_id"]).order_by(AuditEvent.seq)
        ).scalars()
        assert [k for k in kinds if k.startswith("outcome.")] == ["outcome.recorded", "outcome.corrected"]


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(api: Api) -> None:
    advice = closed_case(api, 1703)
    first = post(api, advice["case_id"], OUTCOME, key="outcome-1703")
    retry = post(api, advice["case_id"], OUTCOME, key="outcome-1703")
    assert (first.status_code, retry.status_code) == (201, 201) and first.json() == retry.json()
    assert len(stored(api, advice["advice_id"])) == 1


def test_bad_input_is_422_naming_the_field_and_nothing_is_written(api: Api) -> None:
    advice = closed_case(api, 1704)
    cases = [
        ({**OUTCOME, "handling_hours": 0}, "handling_hours"),
        ({**OUTCOME, "handling_hours": "veel"}, "handling_hours"),
        ({**OUTCOME, "effort_class": "heel zwaar"}, "effort_class"),
        ({**OUTCOME, "integrated_approach": "ja"}, "integrated_approach"),
        ({k: v for k, v in OUTCOME.items() if k != "effort_class"}, "effort_class"),
        ({**OUTCOME, "reason": "eerste keer"}, "reason"),  # nothing to correct yet
        ({**OUTCOME, "extra": 1}, "extra"),
    ]
    for body, field in cases:
        r = post(api, advice["case_id"], body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"][:2] == ["body", field], r.text
    assert stored(api, advice["advice_id"]) == []
    first = post(api, advice["case_id"], OUTCOME)
    assert first.status_code == 201
    bsn = post(api, advice["case_id"], {**OUTCOME, "reason": "BSN 111222333 had andere uren"})
    assert bsn.status_code == 422 and bsn.json()["detail"][0]["type"] == "value_error.bsn"
    assert "111222333" not in bsn.text and len(stored(api, advice["advice_id"])) == 1


def test_an_open_case_is_409_and_another_teams_case_404_as_an_unknown_one(api: Api) -> None:
    r = api.client.post("/api/v1/advice", json=new_case(1705), headers=api.headers("caseworker"))
    open_case = r.json()["case_id"]
    refused = post(api, open_case, OUTCOME)
    assert refused.status_code == 409 and "decision" in refused.json()["detail"]
    advice = closed_case(api, 1706)
    other = post(api, advice["case_id"], OUTCOME, user=f"caseworker@{OTHER_TEAM}")
    unknown = post(api, "WMO-2026-999999", OUTCOME, user=f"caseworker@{OTHER_TEAM}")
    assert other.status_code == 404 and (other.status_code, other.json()) == (unknown.status_code, unknown.json())
    assert post(api, advice["case_id"], OUTCOME, user="team_lead").status_code == 403
    assert api.client.post(f"/api/v1/cases/{advice['case_id']}/outcome", json=OUTCOME).status_code == 401
    assert stored(api, advice["advice_id"]) == []


@pytest.mark.slow  # 80 cases through advice, decision and outcome on a fresh database
def test_the_models_page_shows_how_often_the_advice_turned_out_wrong(fresh_api: Api) -> None:
    """Per served model and class, FPR/FNR/FDR over all outcomes, with intervals; small cells suppressed."""
    from tests.api.web.conftest import sign_in

    fresh_api.rng.pinned = 0.99  # every case advised
    empty = sign_in(fresh_api, "model_owner").get("/modellen")
    assert "Er zijn nog geen uitkomsten van afgesloten zaken met advies." in empty.text
    for n in range(80):  # light and heavy cases; half turn out as advised, half not
        heavy = n % 2 == 1
        r = fresh_api.client.post(
            "/api/v1/advice",
            json=new_case(1800 + n, open_debts=10 if heavy else 0, prior_contacts_12m=8 if heavy else 0),
            headers=fresh_api.headers("caseworker"),
        )
        advice = r.json()
        suggested = advice["suggestion"]["suggested_effort_class"]
        decided = fresh_api.client.post(
            f"/api/v1/advice/{advice['advice_id']}/decision",
            json={"outcome": "followed", "final_effort_class": suggested},
            headers=fresh_api.headers("caseworker"),
        )
        assert decided.status_code == 201
        other = "complex" if suggested != "complex" else "eenvoudig"
        truth = suggested if (n // 2) % 2 else other
        assert post(fresh_api, advice["case_id"], {**OUTCOME, "effort_class": truth}).status_code == 201
    page = sign_in(fresh_api, "model_owner").get("/modellen")
    assert page.status_code == 200 and "Hoe vaak het advies achteraf niet klopte" in page.text
    with fresh_api.app.state.sessions() as s:
        from casework import outcomes

        summary = outcomes.error_summary(s, fresh_api.app.state.store, fresh_api.app.state.clock())
    effort = [r for r in summary if r["model_name"].endswith("effort_class")]
    assert {r["class"] for r in effort} == {"eenvoudig", "gemiddeld", "complex"} and effort[0]["n"] == 80
    shown = [r for r in effort if not r["suppressed"]]
    assert shown, effort
    for r in shown:  # every shown rate with its interval around it, as on the page
        for rate in ("fpr", "fnr", "fdr"):
            value, low, high = r[rate]
            assert low <= value <= high
            assert f"{round(value * 100)}\xa0%" in page.text
    assert all(r["fpr"] is None for r in effort if r["suppressed"])  # suppressed: no numbers at all
