"""Every route checks the role: each route x each role, plus no token and a wrong token."""

from __future__ import annotations

import pytest

from api.core.config import ROLES, TRIAGE_INTEGRATED
from tests.api.conftest import Api, new_case

DECISION = {"outcome": "deviated", "final_effort_class": "complex", "motivation": "rollen-test"}
ROUTES = [  # method, path ({advice} is filled in), body, roles allowed
    ("GET", "/ready", None, set(ROLES)),
    ("GET", "/api/v1/teams", None, {"team_lead"}),
    ("GET", "/api/v1/teams/wmo_meldingen/forecast", None, {"team_lead"}),
    ("GET", "/api/v1/teams/wmo_meldingen/capacity?demand_change=0.1&fte_change=1", None, {"team_lead"}),
    ("PUT", "/api/v1/teams/wmo_meldingen/intake", {"records": [{"date": "2026-01-05", "count": 3}]}, {"team_lead"}),
    ("POST", "/api/v1/advice", new_case(900), {"caseworker"}),
    ("GET", "/api/v1/advice/{advice}", None, {"caseworker"}),
    ("POST", "/api/v1/advice/{advice}/decision", DECISION, {"caseworker"}),
    ("GET", "/api/v1/advice/{advice}/citizen-explanation?lang=en", None, {"caseworker"}),
    ("POST", "/api/v1/advice/{advice}/objection", {"kind": "complaint", "summary": "test"}, {"caseworker"}),
    ("GET", "/api/v1/models", None, {"model_owner", "auditor"}),
    ("PUT", "/api/v1/admin/advice-switch", {"scope": TRIAGE_INTEGRATED, "enabled": True, "reason": "test"},
     {"admin"}),
    ("POST", "/api/v1/admin/reload", None, {"admin"}),
    ("GET", "/api/v1/audit/events", None, {"auditor"}),
    ("GET", "/api/v1/audit/verify", None, {"auditor"}),
    ("GET", "/api/v1/monitoring/overrides", None, {"model_owner", "team_lead"}),
]


def test_every_route_is_listed_here(api: Api) -> None:
    documented = {(m.upper(), p) for p, ops in api.app.openapi()["paths"].items() for m in ops}
    listed = {(m, p.split("?")[0].replace("{advice}", "{advice_id}").replace("wmo_meldingen", "{team}"))
              for m, p, _, _ in ROUTES}
    assert documented - listed == {("GET", "/health")}


@pytest.fixture(scope="module")
def advice_id(api: Api) -> str:
    """A case without suggestion, so that any final class is a valid 'deviated' decision."""
    api.rng.pinned = 0.0
    try:
        r = api.client.post("/api/v1/advice", json=new_case(901), headers=api.headers("caseworker"))
    finally:
        api.rng.pinned = 0.99
    assert r.status_code == 201
    return r.json()["advice_id"]


@pytest.mark.parametrize("role", [*ROLES, "no token", "bad token"])
@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_route_x_role(api: Api, advice_id: str, method: str, path: str, body: dict | None, allowed: set[str],
                      role: str) -> None:
    headers = {"no token": {}, "bad token": {"Authorization": "Bearer ww_not-a-token"}}.get(role)
    if headers is None:
        headers = api.headers(role)
    r = api.client.request(method, path.replace("{advice}", advice_id), json=body, headers=headers)
    if role in ("no token", "bad token"):
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    elif role in allowed:
        assert r.status_code in (200, 201, 409), r.text  # 409: the decision of an earlier role run
    else:
        assert r.status_code == 403


def test_health_needs_no_token(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
