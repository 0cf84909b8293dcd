"""Every page x every role x team: signed out goes to sign-in, the wrong role gets a Dutch 403 page, a case
of another team is not found and lists hold only one's own teams."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.web import ROUTERS
from casework.config import ROLES, TRIAGE_EFFORT
from tests.api.conftest import OTHER_TEAM, TEAM_USERS, Api
from tests.api.web.conftest import csrf_of, make_advice, page_client, sign_in
from tests.api.web.pages import DOWNLOADS, FORM_ADDRESSES, PAGES


@pytest.fixture(scope="module")
def browsers(web: Api) -> dict[str, TestClient]:
    return {role: sign_in(web, role) for role in ROLES}


def test_every_page_route_is_listed() -> None:
    pages = {route.path for router in ROUTERS for route in router.routes if "GET" in getattr(route, "methods", ())}
    listed = {
        p.replace("{advised}", "{advice_id}").replace("{unadvised}", "{advice_id}")
        for p, _, _ in PAGES + FORM_ADDRESSES
    }
    assert pages - {"/aanmelden"} == listed | {path for path, _ in DOWNLOADS}


@pytest.mark.parametrize("role", [*ROLES, "signed out"])
@pytest.mark.parametrize(("path", "allowed", "target"), FORM_ADDRESSES, ids=[p for p, _, _ in FORM_ADDRESSES])
def test_form_address_x_role(
    web: Api,
    page_ids: dict[str, str],
    browsers: dict[str, TestClient],
    path: str,
    allowed: frozenset[str],
    target: str,
    role: str,
) -> None:
    client = browsers.get(role) or page_client(web)
    try:
        r = client.get(path.format(**page_ids) + "?lang=en")
        if role == "signed out":
            assert r.status_code == 303 and r.headers["location"].startswith("/aanmelden?next=")
        elif role in allowed:
            assert r.status_code == 303 and r.headers["location"] == target.format(**page_ids)
            assert '<html lang="en">' in client.get(r.headers["location"]).text
        else:
            assert r.status_code == 403 and "No access" in r.text
    finally:
        client.get("/?lang=nl")  # the choice is remembered: back to Dutch for the other tests


@pytest.mark.parametrize("role", [*ROLES, "signed out"])
@pytest.mark.parametrize(("path", "allowed"), DOWNLOADS)
def test_download_x_role(
    web: Api, browsers: dict[str, TestClient], path: str, allowed: frozenset[str], role: str
) -> None:
    client = browsers.get(role) or page_client(web)
    r = client.get(path.format(name=TRIAGE_EFFORT))
    if role == "signed out":
        assert r.status_code == 303 and r.headers["location"].startswith("/aanmelden?next=")
    elif role in allowed:
        assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role", [*ROLES, "signed out"])
@pytest.mark.parametrize(("path", "allowed", "name"), PAGES, ids=[name for _, _, name in PAGES])
def test_page_x_role(
    web: Api,
    page_ids: dict[str, str],
    browsers: dict[str, TestClient],
    path: str,
    allowed: frozenset[str],
    name: str,
    role: str,
) -> None:
    url = path.format(**page_ids)
    client = browsers.get(role) or page_client(web)
    r = client.get(url)
    if role == "signed out":
        assert r.status_code == 303 and r.headers["location"].startswith("/aanmelden?next=")
    elif role in allowed:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    else:
        assert r.status_code == 403 and "Geen toegang" in r.text and '<html lang="nl">' in r.text


@pytest.fixture(scope="module")
def team_browsers(web: Api) -> dict[str, TestClient]:
    return {key: sign_in(web, key) for key in TEAM_USERS}


# A caseworker or team lead of another team (or of none), where the role is right: the cases here are
# wmo_meldingen's, so they are not found; the work list is empty of them; the capacity page offers only
# the own teams, and a team lead with no team at all is told to ask for one.
OTHER_TEAM_PAGE_STATUS = {
    "/zaken/{advised}": 404,
    "/zaken/{unadvised}": 404,
    "/zaken/{advised}/uitleg": 404,
    "/zaken/{advised}/bezwaar": 404,
}


@pytest.mark.parametrize("user", list(TEAM_USERS))
@pytest.mark.parametrize(("path", "allowed", "name"), PAGES, ids=[name for _, _, name in PAGES])
def test_page_x_role_x_other_team(
    web: Api,
    page_ids: dict[str, str],
    team_browsers: dict[str, TestClient],
    path: str,
    allowed: frozenset[str],
    name: str,
    user: str,
) -> None:
    role = TEAM_USERS[user][0]
    r = team_browsers[user].get(path.format(**page_ids))
    if role not in allowed:
        assert r.status_code == 403 and "Geen toegang" in r.text
        return
    if path == "/capaciteit" and user == "team_lead@none":
        assert r.status_code == 403 and "Er zijn nog geen teams aan u gekoppeld" in r.text
        return
    assert r.status_code == OTHER_TEAM_PAGE_STATUS.get(path, 200), r.text
    if r.status_code == 200:
        assert page_ids["advised"] not in r.text and page_ids["unadvised"] not in r.text
    else:  # the same page as an unknown case (its address, in the language link, aside)
        unknown = team_browsers[user].get(path.format(advised="onbekend", unadvised="onbekend"))
        assert unknown.status_code == 404 and unknown.text.replace("onbekend", "") == r.text.replace(
            page_ids["advised"], ""
        ).replace(page_ids["unadvised"], "")
    if path == "/capaciteit":
        assert f'value="{OTHER_TEAM}"' in r.text and 'value="wmo_meldingen"' not in r.text
        other = team_browsers[user].get("/capaciteit", params={"team": "wmo_meldingen"})
        assert other.status_code == 422 and 'value="wmo_meldingen"' not in other.text


def test_the_work_list_holds_only_own_teams(
    web: Api, page_ids: dict[str, str], team_browsers: dict[str, TestClient], browsers: dict[str, TestClient]
) -> None:
    assert page_ids["advised"] in browsers["caseworker"].get("/zaken").text
    for user in (f"caseworker@{OTHER_TEAM}", "caseworker@none"):
        assert page_ids["advised"] not in team_browsers[user].get("/zaken").text


@pytest.mark.parametrize(
    ("path", "fields", "allowed"),
    [
        (
            "/zaken/{unadvised}/besluit",
            {"outcome": "deviated", "final_effort_class": "complex", "motivation": "team"},
            None,
        ),
        ("/zaken/{unadvised}/bezwaar", {"kind": "complaint", "summary": "team"}, None),
    ],
    ids=["besluit", "bezwaar"],
)
def test_caseworkers_of_other_teams_cannot_post_the_forms(
    web: Api, team_browsers: dict[str, TestClient], path: str, fields: dict[str, str], allowed: None
) -> None:
    unadvised = make_advice(web, 7200, advised=False)
    for user in (f"caseworker@{OTHER_TEAM}", "caseworker@none"):
        client = team_browsers[user]
        r = client.post(path.format(unadvised=unadvised), data={"csrf_token": csrf_of(client.get("/").text), **fields})
        assert r.status_code == 404
    events = web.client.get(
        "/api/v1/audit/events", params={"subject": unadvised}, headers=web.headers("auditor")
    ).json()["events"]
    assert [e["kind"] for e in events] == ["advice.created"]


def test_each_role_lands_on_its_start_page(web: Api) -> None:
    for role in ROLES:
        client = page_client(web)
        form = client.get("/aanmelden").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        r = client.post("/aanmelden", data={"csrf_token": csrf, "token": web.tokens[role]})
        target = r.headers["location"]
        assert client.get(target).status_code == 200, (role, target)


FORM_POSTS = [  # caseworker forms: (path, fields, roles allowed)
    (
        "/zaken/{unadvised}/besluit",
        {"outcome": "deviated", "final_effort_class": "complex", "motivation": "rol"},
        frozenset({"caseworker"}),
    ),
    ("/zaken/{unadvised}/bezwaar", {"kind": "complaint", "summary": "rol"}, frozenset({"caseworker"})),
]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "caseworker"])
@pytest.mark.parametrize(("path", "fields", "allowed"), FORM_POSTS, ids=[p for p, _, _ in FORM_POSTS])
def test_other_roles_cannot_post_the_caseworker_forms(
    web: Api, browsers: dict[str, TestClient], path: str, fields: dict[str, str], allowed: frozenset[str], role: str
) -> None:
    unadvised = make_advice(web, 7100, advised=False)
    client = browsers[role]
    csrf = csrf_of(client.get("/").text)  # a valid token of this role's session: only the role is wrong
    r = client.post(path.format(unadvised=unadvised), data={"csrf_token": csrf, **fields})
    assert r.status_code == 403 and "Geen toegang" in r.text
    events = web.client.get(
        "/api/v1/audit/events", params={"subject": unadvised}, headers=web.headers("auditor")
    ).json()["events"]
    assert [e["kind"] for e in events] == ["advice.created"]
