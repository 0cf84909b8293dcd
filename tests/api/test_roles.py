"""Every route checks the role and the team: each route x each role x own team, another team and no team,
plus no token and a wrong token."""

from __future__ import annotations

import pytest

from casework.config import ROLES, TRIAGE_INTEGRATED
from tests.api.conftest import OTHER_TEAM, TEAM_USERS, Api, new_case

DECISION = {"outcome": "deviated", "final_effort_class": "complex", "motivation": "rollen-test"}
OUTCOME = {"handling_hours": 12.5, "effort_class": "complex", "integrated_approach": False}
CASE_KEY = new_case(901)["case_id"]  # the case of the ``advice_id`` fixture
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
    ("POST", "/api/v1/cases/{case}/outcome", OUTCOME, {"caseworker"}),
    ("GET", "/api/v1/models", None, {"model_owner", "auditor"}),
    ("PUT", "/api/v1/admin/advice-switch", {"scope": TRIAGE_INTEGRATED, "enabled": True, "reason": "test"}, {"admin"}),
    ("POST", "/api/v1/admin/reload", None, {"admin"}),
    ("GET", "/api/v1/audit/events", None, {"auditor"}),
    ("GET", "/api/v1/audit/verify", None, {"auditor"}),
    ("GET", "/api/v1/monitoring/overrides", None, {"model_owner", "team_lead"}),
]
PROBES = {"/ready"}  # answered without a token too, with nothing but {"ready": ...}


def test_every_route_is_listed_here(api: Api) -> None:
    documented = {(m.upper(), p) for p, ops in api.app.openapi()["paths"].items() for m in ops}
    listed = {
        (
            m,
            p.split("?")[0]
            .replace("{advice}", "{advice_id}")
            .replace("{case}", "{case_id}")
            .replace("wmo_meldingen", "{team}"),
        )
        for m, p, _, _ in ROUTES
    }
    assert documented - listed == {("GET", "/health")}


def filled(path: str, advice_id: str) -> str:
    return path.replace("{advice}", advice_id).replace("{case}", CASE_KEY)


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
def test_route_x_role(
    api: Api, advice_id: str, method: str, path: str, body: dict | None, allowed: set[str], role: str
) -> None:
    headers = {"no token": {}, "bad token": {"Authorization": "Bearer ww_not-a-token"}}.get(role)
    if headers is None:
        headers = api.headers(role)
    r = api.client.request(method, filled(path, advice_id), json=body, headers=headers)
    if role == "no token" and path in PROBES:
        assert r.status_code in (200, 503) and r.json() == {"ready": r.status_code == 200}, r.text
    elif role in ("no token", "bad token"):
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    elif role in allowed:
        assert r.status_code in (200, 201, 409), r.text  # 409: the decision of an earlier role run, or none yet
    else:
        assert r.status_code == 403


# What a caseworker or team lead of another team (or of none) gets where the role is right: a case of another
# team does not exist for them (404), another team's figures and advice are refused (403).
OTHER_TEAM_STATUS = {
    "/api/v1/teams/wmo_meldingen/forecast": 403,
    "/api/v1/teams/wmo_meldingen/capacity": 403,
    "/api/v1/teams/wmo_meldingen/intake": 403,
    "/api/v1/advice": 403,
    "/api/v1/advice/{advice}": 404,
    "/api/v1/advice/{advice}/decision": 404,
    "/api/v1/advice/{advice}/citizen-explanation": 404,
    "/api/v1/advice/{advice}/objection": 404,
    "/api/v1/cases/{case}/outcome": 404,
}


@pytest.mark.parametrize("user", list(TEAM_USERS))
@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_route_x_role_x_other_team(
    api: Api, advice_id: str, method: str, path: str, body: dict | None, allowed: set[str], user: str
) -> None:
    """The cases and figures here are wmo_meldingen's; these users work for another team or for none."""
    role = TEAM_USERS[user][0]
    r = api.client.request(method, filled(path, advice_id), json=body, headers=api.headers(user))
    if role not in allowed:
        assert r.status_code == 403
        return
    expected = OTHER_TEAM_STATUS.get(path.split("?")[0], 200)
    assert r.status_code == expected, r.text
    if expected == 404:  # exactly what an unknown advice id gets: the case's existence is not revealed
        unknown = api.client.request(
            method,
            path.split("?")[0].replace("{advice}", "no-such-advice").replace("{case}", "no-such-case"),
            json=body,
            headers=api.headers(user),
        )
        assert (unknown.status_code, unknown.json()) == (404, r.json())


def test_nothing_of_another_team_was_stored(api: Api, advice_id: str) -> None:
    events = api.client.get(
        "/api/v1/audit/events", params={"subject": advice_id}, headers=api.headers("auditor")
    ).json()["events"]
    other = {api.user_ids[u] for u in TEAM_USERS}
    assert not [e for e in events if e["actor"] in other]


@pytest.mark.parametrize("user", ["team_lead", f"team_lead@{OTHER_TEAM}", "team_lead@none"])
def test_team_leads_list_only_their_teams(api: Api, user: str) -> None:
    teams = {t["id"] for t in api.client.get("/api/v1/teams", headers=api.headers(user)).json()}
    expected = {"team_lead": None, f"team_lead@{OTHER_TEAM}": {OTHER_TEAM}, "team_lead@none": set()}[user]
    assert teams == expected if expected is not None else "wmo_meldingen" in teams and OTHER_TEAM in teams


def test_override_rates_of_a_team_lead_cover_only_their_teams(api: Api, advice_id: str) -> None:
    r = api.client.post(f"/api/v1/advice/{advice_id}/decision", json=DECISION, headers=api.headers("caseworker"))
    assert r.status_code in (201, 409)

    def team_cells(user: str) -> set[str]:
        cells = api.client.get("/api/v1/monitoring/overrides", headers=api.headers(user)).json()["cells"]
        return {c["key"] for c in cells if c["by"] == "team"}

    assert team_cells(f"team_lead@{OTHER_TEAM}") <= {OTHER_TEAM} and team_cells("team_lead@none") == set()
    assert (
        api.client.get(
            "/api/v1/monitoring/overrides",
            params={"team": "wmo_meldingen"},
            headers=api.headers(f"team_lead@{OTHER_TEAM}"),
        ).status_code
        == 403
    )
    assert (
        api.client.get(
            "/api/v1/monitoring/overrides", params={"team": "wmo_meldingen"}, headers=api.headers("model_owner")
        ).status_code
        == 200
    )


def test_health_needs_no_token(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}


def test_ready_tells_a_probe_only_ready_and_a_user_the_details(api: Api) -> None:
    probe = api.client.get("/ready")
    detailed = api.client.get("/ready", headers=api.headers("caseworker"))
    assert probe.status_code == detailed.status_code == 200
    assert probe.json() == {"ready": True}
    assert set(detailed.json()) == {"ready", "database", "models", "reasons", "without_champion"}
    assert detailed.json()["models"]
