"""Advice: suggestion with reasons, the control share and stop button, and input refused with 422."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from api.main import create_app
from api.schemas.advice import AdviceCreate
from casework.champion_copies import ChampionCopies
from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.modelstore import ModelStore
from casework.storage import Advice, AuditEvent
from tests.api.conftest import CASE, Api, new_case
from tests.api.toymodels import TOY_LIBRARY


def counts(api: Api) -> tuple[int, int]:
    with api.app.state.sessions() as s:
        return (
            s.execute(select(func.count()).select_from(Advice)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )


def test_advice_has_suggestion_reasons_model_and_the_caseworker_decides(api: Api) -> None:
    r = api.client.post("/api/v1/advice", json=new_case(1), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "awaiting_decision" and body["decision"] is None
    s = body["suggestion"]
    assert set(s["effort_class_probabilities"]) == {"eenvoudig", "gemiddeld", "complex"}
    assert sum(s["effort_class_probabilities"].values()) == pytest.approx(1.0)
    assert s["suggested_effort_class"] == max(s["effort_class_probabilities"], key=s["effort_class_probabilities"].get)
    assert 0.0 <= s["integrated_approach_probability"] <= 1.0
    assert body["model"] == {"name": TRIAGE_EFFORT, "version": "1"}
    assert 1 <= len(body["reasons"]) <= api.settings.advice_reasons
    for reason in body["reasons"]:
        assert set(reason) == {"factor", "label_nl", "label_en", "value", "direction", "contribution"}
        assert reason["direction"] == ("up" if reason["contribution"] >= 0 else "down")
        assert reason["label_nl"] != reason["factor"] or reason["factor"] == "team"
    assert "u beslist zelf" in body["statement"]["nl"].lower() and "you decide" in body["statement"]["en"].lower()
    again = api.client.get(f"/api/v1/advice/{body['advice_id']}", headers=api.headers("caseworker"))
    assert again.json() == body  # frozen: what was shown is what is stored


def test_control_share_gets_no_suggestion_and_a_neutral_text(api: Api) -> None:
    api.rng.pinned = 0.0
    try:
        body = api.client.post("/api/v1/advice", json=new_case(2), headers=api.headers("caseworker")).json()
    finally:
        api.rng.pinned = 0.99
    assert body["suggestion"] is None and body["reasons"] == [] and body["model"] is None
    assert "geen advies" in body["statement"]["nl"]
    with api.app.state.sessions() as s:
        assert s.get(Advice, body["advice_id"]).selection_reason == "control"


def test_stop_button_per_model_and_global_keeps_everything_else_working(api: Api) -> None:
    admin, cw = api.headers("admin"), api.headers("caseworker")

    def switch(scope: str, enabled: bool) -> None:
        r = api.client.put(
            "/api/v1/admin/advice-switch", json={"scope": scope, "enabled": enabled, "reason": "test"}, headers=admin
        )
        assert r.status_code == 200 and r.json()["switches"][scope] is enabled

    try:
        switch(TRIAGE_INTEGRATED, False)
        body = api.client.post("/api/v1/advice", json=new_case(3), headers=cw).json()
        assert body["suggestion"]["integrated_approach_probability"] is None
        switch("global", False)
        off = api.client.post("/api/v1/advice", json=new_case(4), headers=cw).json()
        assert off["suggestion"] is None and "geen advies" in off["statement"]["nl"]
        decision = {"outcome": "deviated", "final_effort_class": "gemiddeld", "motivation": "eigen oordeel"}
        assert (
            api.client.post(f"/api/v1/advice/{off['advice_id']}/decision", json=decision, headers=cw).status_code == 201
        )
        assert api.client.get("/api/v1/teams", headers=api.headers("team_lead")).status_code == 200
        switch("global", True)
        switch(TRIAGE_EFFORT, False)
        assert api.client.post("/api/v1/advice", json=new_case(5), headers=cw).json()["suggestion"] is None
        with api.app.state.sessions() as s:
            assert s.get(Advice, off["advice_id"]).selection_reason == "switched_off_global"
    finally:
        for scope in ("global", TRIAGE_EFFORT, TRIAGE_INTEGRATED):
            switch(scope, True)


def test_unknown_switch_scope_is_refused(api: Api) -> None:
    r = api.client.put(
        "/api/v1/admin/advice-switch",
        json={"scope": "everything", "enabled": False, "reason": "x"},
        headers=api.headers("admin"),
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scope"]


BAD_INPUT = [
    (
        {"features": {**CASE["features"], "postcode_district": "Centrum"}},
        ["body", "features", "postcode_district"],
        "protected",
    ),
    (
        {"features": {**CASE["features"], "migration_background": "x"}},
        ["body", "features", "migration_background"],
        "protected",
    ),
    ({"features": {**CASE["features"], "shoe_size": 42}}, ["body", "features", "shoe_size"], "unknown"),
    (
        {"features": {k: v for k, v in CASE["features"].items() if k != "open_debts"}},
        ["body", "features", "open_debts"],
        "missing",
    ),
    ({"features": {**CASE["features"], "open_debts": 41}}, ["body", "features", "open_debts"], "range"),
    ({"features": {**CASE["features"], "open_debts": -1}}, ["body", "features", "open_debts"], "range"),
    (
        {"features": {**CASE["features"], "documents_complete": "yes"}},
        ["body", "features", "documents_complete"],
        "bool",
    ),
    ({"team": "jeugdhulp"}, ["body", "team"], "category"),  # a known team the toy model was not trained on
    ({"case_id": "111222333"}, ["body", "case_id"], "bsn"),
    ({"case_id": "ZAAK-123456782"}, ["body", "case_id"], "bsn"),
    (
        {"features": {**CASE["features"], "toelichting": "zaak 3 123456782 belt terug"}},
        ["body", "features", "toelichting"],
        "bsn",
    ),
    ({"features": {**CASE["features"], "123456782": 1}}, ["body", "features", "<withheld: looks like a BSN>"], "bsn"),
    ({"features": {**CASE["features"], "client_id": "111222333"}}, ["body", "features", "client_id"], "bsn"),
    ({"features": {**CASE["features"], "klantnummer": 123456782}}, ["body", "features", "klantnummer"], "bsn"),
]


@pytest.mark.parametrize(("change", "loc", "kind"), BAD_INPUT, ids=[c[2] + "-" + c[1][-1] for c in BAD_INPUT])
def test_bad_input_is_422_naming_the_field_and_nothing_is_stored(api: Api, change: dict, loc: list, kind: str) -> None:
    before = counts(api)
    r = api.client.post("/api/v1/advice", json={**CASE, **change}, headers=api.headers("caseworker"))
    assert r.status_code == 422
    problems = r.json()["detail"]
    assert any(p["loc"] == loc and kind in p["type"] for p in problems), problems
    assert "111222333" not in r.text and "123456782" not in r.text  # a BSN is never echoed
    assert counts(api) == before


def test_advice_for_a_team_that_is_not_ones_own_is_403_and_nothing_is_stored(api: Api) -> None:
    """Unknown teams included: a caseworker works only for teams an administrator gave them."""
    before = counts(api)
    for team in ("brandweer", "wmo_meldingen"):
        headers = api.headers("caseworker" if team == "brandweer" else "caseworker@schuldhulp_aanmeldingen")
        r = api.client.post("/api/v1/advice", json={**CASE, "team": team}, headers=headers)
        assert r.status_code == 403, r.text
    assert counts(api) == before


def test_schema_level_errors_do_not_echo_values(api: Api) -> None:
    r = api.client.post(
        "/api/v1/advice",
        json={"case_id": "x", "team": "t", "features": [], "extra": "111222333"},
        headers=api.headers("caseworker"),
    )
    assert r.status_code == 422 and "111222333" not in r.text


def test_a_bsn_as_a_key_is_not_echoed_even_by_schema_errors(api: Api) -> None:
    """FastAPI's own 422s name the key in ``loc``: a key that holds a BSN is replaced there too."""
    r = api.client.post(
        "/api/v1/advice",
        json={**CASE, "features": {"123456782": {"a": 1}}, "extra": {"111222333": 1}},
        headers=api.headers("caseworker"),
    )
    assert r.status_code == 422 and "123456782" not in r.text and "111222333" not in r.text


NOT_JSON = [
    b'{"case_id": "111222333", "team": ',
    b'{"case_id": "x", "team": "t", "features": NaN}',
    b'{"case_id": "111222333", "features": {"open_debts": Infinity}}',
]


@pytest.mark.parametrize("body", NOT_JSON, ids=["truncated", "nan", "infinity"])
def test_a_body_that_is_not_json_is_422_json_invalid_and_nothing_is_stored(api: Api, body: bytes) -> None:
    before = counts(api)
    r = api.client.post(
        "/api/v1/advice", content=body, headers={**api.headers("caseworker"), "Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert [p["type"] for p in r.json()["detail"]] == ["json_invalid"]
    assert "111222333" not in r.text
    assert counts(api) == before


def _mlflow_down() -> None:
    raise ConnectionError("MLflow is down")


def test_no_model_loaded_is_503_with_a_plain_reason_never_a_score(api: Api, tmp_path: Path) -> None:
    """MLflow down and no local copy of a champion on this host (a first start)."""
    store = ModelStore(
        api.settings, TOY_LIBRARY, client_factory=_mlflow_down, copies=ChampionCopies(tmp_path / "champions")
    )
    assert {r.status for r in store.reload().values()} == {"failed"}
    from fastapi.testclient import TestClient

    app = create_app(api.settings, store)
    with TestClient(app) as client:
        r = client.post("/api/v1/advice", json=new_case(6), headers=api.headers("caseworker"))
        assert r.status_code == 503
        assert "geen goedgekeurd model" in r.json()["detail"] and "No approved model" in r.json()["detail"]
        ready = client.get("/ready", headers=api.headers("caseworker"))
        assert ready.status_code == 503 and not ready.json()["ready"]
        assert client.get("/api/v1/teams/wmo_meldingen/forecast", headers=api.headers("team_lead")).status_code == 503


# POST /advice takes only the request and reads body, header and token itself (ADR 0011): these
# pin the answers a typed FastAPI signature gives, so the difference cannot be seen from outside.
BODY_ANSWERS = [
    ("no-body", b"", "application/json", {}, ["body"], "missing"),
    ("not-an-object", b"[1, 2]", "application/json", {}, ["body"], "model_attributes_type"),
    ("text-plain", b'{"case_id": "x"}', "text/plain", {}, ["body"], "model_attributes_type"),
    (
        "missing-field",
        b'{"team": "t", "features": {}}',
        "application/json; charset=utf-8",
        {},
        ["body", "case_id"],
        "missing",
    ),
    (
        "unknown-field",
        b'{"case_id": "x", "team": "t", "features": {}, "bsn": "1"}',
        "application/vnd.api+json",
        {},
        ["body", "bsn"],
        "extra_forbidden",
    ),
    (
        "long-idempotency-key",
        None,
        "application/json",
        {"Idempotency-Key": "k" * 201},
        ["header", "Idempotency-Key"],
        "string_too_long",
    ),
]


@pytest.mark.parametrize(
    ("body", "content_type", "extra", "loc", "kind"), [c[1:] for c in BODY_ANSWERS], ids=[c[0] for c in BODY_ANSWERS]
)
def test_body_and_header_errors_are_the_422_of_a_typed_route(
    api: Api, body: bytes | None, content_type: str, extra: dict, loc: list, kind: str
) -> None:
    before = counts(api)
    content = body if body is not None else orjson.dumps(new_case(7))
    r = api.client.post(
        "/api/v1/advice", content=content, headers={**api.headers("caseworker"), "Content-Type": content_type, **extra}
    )
    assert r.status_code == 422
    assert {"loc": loc, "type": kind} in [{"loc": p["loc"], "type": p["type"]} for p in r.json()["detail"]]
    assert counts(api) == before


def test_invalid_json_names_the_position(api: Api) -> None:
    r = api.client.post(
        "/api/v1/advice",
        content=b'{"case_id": ]',
        headers={**api.headers("caseworker"), "Content-Type": "application/json"},
    )
    assert r.json()["detail"] == [{"loc": ["body", 12], "msg": "JSON decode error", "type": "json_invalid"}]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("auditor", 403)])
def test_the_token_is_checked_before_the_body_is_read(api: Api, role: str | None, status: int) -> None:
    headers = {"Content-Type": "application/json", **(api.headers(role) if role else {})}
    r = api.client.post("/api/v1/advice", content=b"{not json", headers=headers)
    assert r.status_code == status and "json" not in r.text.lower()


def test_the_openapi_entry_documents_body_header_token_and_answers(api: Api) -> None:
    spec = api.app.openapi()
    operation = spec["paths"]["/api/v1/advice"]["post"]
    assert operation["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": AdviceCreate.model_json_schema()}},
    }
    assert operation["security"] == [{"HTTPBearer": []}] and "HTTPBearer" in spec["components"]["securitySchemes"]
    [key] = operation["parameters"]
    assert (key["name"], key["in"], key["required"]) == ("Idempotency-Key", "header", False)
    assert {"type": "string", "maxLength": 200} in key["schema"]["anyOf"]
    assert set(operation["responses"]) == {"201", "401", "403", "409", "422", "503"}
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AdvicePublic"
    }
