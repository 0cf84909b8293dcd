"""Decisions, idempotency, citizen explanations, objections and the override monitor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.storage import Decision
from tests.api.conftest import Api, new_case


def advise(api: Api, n: int, **features: object) -> dict:
    r = api.client.post("/api/v1/advice", json=new_case(n, **features), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return r.json()


def decide(api: Api, advice_id: str, body: dict, key: str | None = None):  # type: ignore[no-untyped-def]
    return api.client.post(f"/api/v1/advice/{advice_id}/decision", json=body, headers=api.headers("caseworker", key))


def other_class(suggested: str) -> str:
    return next(c for c in ("eenvoudig", "gemiddeld", "complex") if c != suggested)


def test_followed_decision_is_recorded_once_and_a_second_is_409(api: Api) -> None:
    advice = advise(api, 100)
    suggested = advice["suggestion"]["suggested_effort_class"]
    r = decide(api, advice["advice_id"], {"outcome": "followed", "final_effort_class": suggested})
    assert r.status_code == 201 and r.json()["decided_by"] == api.user_ids["caseworker"]
    second = decide(
        api,
        advice["advice_id"],
        {"outcome": "deviated", "final_effort_class": other_class(suggested), "motivation": "toch anders"},
    )
    assert second.status_code == 409
    shown = api.client.get(f"/api/v1/advice/{advice['advice_id']}", headers=api.headers("caseworker")).json()
    assert shown["status"] == "decided" and shown["decision"]["outcome"] == "followed"
    assert shown["suggestion"] == advice["suggestion"] and shown["reasons"] == advice["reasons"]


@pytest.mark.parametrize(
    ("outcome", "same_class", "motivation", "field"),
    [
        ("deviated", False, None, "body"),  # motivation required when deviating (schema)
        ("deviated", False, "   ", "body"),
        ("followed", False, None, "final_effort_class"),  # followed but another class
        ("deviated", True, "reden", "outcome"),  # deviated but the same class
    ],
)
def test_inconsistent_decisions_are_422(
    api: Api, outcome: str, same_class: bool, motivation: str | None, field: str
) -> None:
    advice = advise(api, 101)
    suggested = advice["suggestion"]["suggested_effort_class"]
    body = {
        "outcome": outcome,
        "final_effort_class": suggested if same_class else other_class(suggested),
        "motivation": motivation,
    }
    r = decide(api, advice["advice_id"], body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][1 if field != "body" else 0] == field
    with api.app.state.sessions() as s:
        assert (
            s.execute(
                select(func.count()).select_from(Decision).where(Decision.advice_id == advice["advice_id"])
            ).scalar_one()
            == 0
        )


def test_unknown_class_and_bsn_in_motivation_are_refused(api: Api) -> None:
    advice = advise(api, 102)
    assert (
        decide(
            api, advice["advice_id"], {"outcome": "deviated", "final_effort_class": "heel zwaar", "motivation": "x"}
        ).status_code
        == 422
    )
    other = other_class(advice["suggestion"]["suggested_effort_class"])
    r = decide(
        api,
        advice["advice_id"],
        {"outcome": "deviated", "final_effort_class": other, "motivation": "klant 111 222 333 belde"},
    )
    assert r.status_code == 422 and "111 222 333" not in r.text
    r = decide(
        api,
        advice["advice_id"],
        {"outcome": "deviated", "final_effort_class": other, "motivation": "zaak 3 123456782 belt terug"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "value_error.bsn" and "123456782" not in r.text
    r = api.client.post(
        f"/api/v1/advice/{advice['advice_id']}/objection",
        headers=api.headers("caseworker"),
        json={"kind": "objection", "summary": "klant ZAAK-123456782 is het oneens"},
    )
    assert r.status_code == 422 and "123456782" not in r.text


def test_text_with_a_nul_character_is_422_on_every_engine(api: Api) -> None:
    """PostgreSQL cannot store NUL in text: it was a 500 there (found by the fuzz test), now a clear 422."""
    advice = advise(api, 103)
    other = other_class(advice["suggestion"]["suggested_effort_class"])
    body = {"outcome": "deviated", "final_effort_class": other, "motivation": "belde\x00terug"}
    r = decide(api, advice["advice_id"], body)
    assert r.status_code == 422 and "NUL" in r.text, r.text
    r = api.client.post(
        f"/api/v1/advice/{advice['advice_id']}/objection",
        headers=api.headers("caseworker"),
        json={"kind": "objection", "summary": "oneens\x00"},
    )
    assert r.status_code == 422 and "NUL" in r.text, r.text
    r = api.client.post(
        "/api/v1/advice", json=new_case(104) | {"case_id": "WMO\x00104"}, headers=api.headers("caseworker")
    )
    assert r.status_code == 422 and "NUL" in r.text, r.text
    # nothing half-stored: the decision can still be made once, with clean text
    assert decide(api, advice["advice_id"], body | {"motivation": "belde terug"}).status_code == 201


def test_decision_on_unknown_advice_is_404(api: Api) -> None:
    assert (
        decide(
            api, "no-such-advice", {"outcome": "deviated", "final_effort_class": "complex", "motivation": "x"}
        ).status_code
        == 404
    )


def test_idempotency_key_replays_the_first_answer(api: Api) -> None:
    first = api.client.post("/api/v1/advice", json=new_case(103), headers=api.headers("caseworker", "idem-103"))
    again = api.client.post("/api/v1/advice", json=new_case(103), headers=api.headers("caseworker", "idem-103"))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = api.client.post("/api/v1/advice", json=new_case(104), headers=api.headers("caseworker", "idem-103"))
    assert other.status_code == 409
    advice_id = first.json()["advice_id"]
    body = {
        "outcome": "deviated",
        "motivation": "ken de situatie",
        "final_effort_class": other_class(first.json()["suggestion"]["suggested_effort_class"]),
    }
    d1, d2 = decide(api, advice_id, body, "idem-d-103"), decide(api, advice_id, body, "idem-d-103")
    assert d1.status_code == d2.status_code == 201 and d1.json() == d2.json()


def test_citizen_explanation_in_dutch_and_english_and_without_advice(api: Api) -> None:
    advice = advise(api, 105)
    nl = api.client.get(
        f"/api/v1/advice/{advice['advice_id']}/citizen-explanation", headers=api.headers("caseworker")
    ).json()
    assert nl["lang"] == "nl" and not nl["decided_by_person"]
    assert advice["reasons"][0]["label_nl"].lower() in nl["text"]
    en = api.client.get(
        f"/api/v1/advice/{advice['advice_id']}/citizen-explanation?lang=en", headers=api.headers("caseworker")
    ).json()
    assert advice["reasons"][0]["label_en"].lower() in en["text"]
    api.rng.pinned = 0.0
    try:
        control = advise(api, 106)
    finally:
        api.rng.pinned = 0.99
    decide(api, control["advice_id"], {"outcome": "deviated", "final_effort_class": "complex", "motivation": "eigen"})
    text = api.client.get(
        f"/api/v1/advice/{control['advice_id']}/citizen-explanation", headers=api.headers("caseworker")
    ).json()
    assert text["decided_by_person"] and "geen advies van een computer" in text["text"]
    assert (
        api.client.get(
            f"/api/v1/advice/{advice['advice_id']}/citizen-explanation?lang=de", headers=api.headers("caseworker")
        ).status_code
        == 422
    )


def test_objections_are_recorded_and_show_up_in_monitoring(fresh_api: Api) -> None:
    api = fresh_api
    for n in range(6):
        advice = advise(api, 200 + n)
        suggested = advice["suggestion"]["suggested_effort_class"]
        body = (
            {"outcome": "followed", "final_effort_class": suggested}
            if n < 4
            else {"outcome": "deviated", "final_effort_class": other_class(suggested), "motivation": "anders"}
        )
        assert decide(api, advice["advice_id"], body).status_code == 201
    r = api.client.post(
        f"/api/v1/advice/{advice['advice_id']}/objection",
        json={"kind": "objection", "summary": "Ik ben het niet eens met de inschatting."},
        headers=api.headers("caseworker"),
    )
    assert r.status_code == 201 and r.json()["kind"] == "objection"
    report = api.client.get("/api/v1/monitoring/overrides", headers=api.headers("model_owner")).json()
    team = next(c for c in report["cells"] if c["by"] == "team")
    # 4 followed, 2 overridden: small cells, so neither rates nor counts leave the service
    assert team == {
        "by": "team",
        "key": "wmo_meldingen",
        "decisions": None,
        "agreement_rate": None,
        "override_rate": None,
        "objections": None,
        "alert": None,
        "suppressed": True,
    }
    assert report["decisions_with_advice"] is None
    settings = api.app.state.settings
    api.app.state.settings = settings.model_copy(update={"fairness_min_cell": 1})  # to see the arithmetic
    try:
        report = api.client.get("/api/v1/monitoring/overrides", headers=api.headers("model_owner")).json()
    finally:
        api.app.state.settings = settings
    team = next(c for c in report["cells"] if c["by"] == "team")
    assert team == {
        "by": "team",
        "key": "wmo_meldingen",
        "decisions": 6,
        "agreement_rate": pytest.approx(4 / 6),
        "override_rate": pytest.approx(2 / 6),
        "objections": 1,
        "alert": None,
        "suppressed": False,
    }
    assert {c["by"] for c in report["cells"]} == {"team", "model_version", "score_band"}
    assert sum(c["decisions"] for c in report["cells"] if c["by"] == "score_band") == 6


def test_automation_bias_alert_when_everything_is_followed(fresh_api: Api) -> None:
    api = fresh_api
    api.app.state.settings = api.settings.model_copy(update={"monitoring_min_n": 5})
    for n in range(6):
        advice = advise(api, 300 + n)
        decide(
            api,
            advice["advice_id"],
            {"outcome": "followed", "final_effort_class": advice["suggestion"]["suggested_effort_class"]},
        )
    report = api.client.get("/api/v1/monitoring/overrides?team=wmo_meldingen", headers=api.headers("team_lead")).json()
    assert next(c for c in report["cells"] if c["by"] == "team")["alert"] == "automation_bias"


def test_a_concurrent_retry_with_the_same_key_gets_the_first_answer(api: Api, backend: str) -> None:
    """Two transactions with one key, interleaved (PostgreSQL; SQLite serialises them instead)."""
    if backend == "sqlite":
        pytest.skip("SQLite's BEGIN IMMEDIATE serialises the two transactions; nothing can interleave")
    from casework import idempotency
    from casework.clock import utc_now

    user, key, digest = api.user_ids["caseworker"], "race-key", "d" * 64
    with api.app.state.sessions() as first, api.app.state.sessions() as second:
        assert idempotency.replay(second, user, key, digest) is None  # the second one looks first
        idempotency.remember(first, user, key, digest, 201, {"winner": "first"}, utc_now())
        assert idempotency.commit(first, user, key, digest) is None
        idempotency.remember(second, user, key, digest, 201, {"winner": "second"}, utc_now())
        raced = idempotency.commit(second, user, key, digest)
    assert raced is not None and raced.body == {"winner": "first"}
