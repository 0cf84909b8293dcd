"""A valid token is remembered per worker for ``token_cache_seconds``; a revoked one is refused after that.
Tokens expire after ``token_ttl_days``, rotation replaces them, and changed teams reach the API."""

from __future__ import annotations

import datetime as dt

from casework.clock import utc_now
from casework.users import create_user, revoke, rotate, set_teams
from tests.api.conftest import Api
from tests.api.web.conftest import csrf_of, page_client


def test_a_revoked_token_is_refused_once_the_cache_window_has_passed(api: Api) -> None:
    with api.app.state.sessions() as session:
        user, token = create_user(session, "test revoked lead", "team_lead", utc_now(), ["jeugdhulp"])
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/teams", headers=headers).status_code == 200  # now remembered
    with api.app.state.sessions() as session:
        revoke(session, user.id, utc_now())
    assert api.client.get("/api/v1/teams", headers=headers).status_code == 200  # inside the window
    remembered = api.app.state.token_cache
    for digest, (principal, _) in list(remembered.items()):
        if principal.id == user.id:
            remembered[digest] = (principal, 0.0)  # the window has passed
    r = api.client.get("/api/v1/teams", headers=headers)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_without_a_cache_window_every_request_looks_the_token_up(api: Api) -> None:
    settings = api.app.state.settings
    api.app.state.settings = settings.model_copy(update={"token_cache_seconds": 0})
    try:
        with api.app.state.sessions() as session:
            user, token = create_user(session, "test uncached lead", "team_lead", utc_now(), ["jeugdhulp"])
        headers = {"Authorization": f"Bearer {token}"}
        assert api.client.get("/api/v1/teams", headers=headers).status_code == 200
        with api.app.state.sessions() as session:
            revoke(session, user.id, utc_now())
        assert api.client.get("/api/v1/teams", headers=headers).status_code == 401
    finally:
        api.app.state.settings = settings


def _uncached(api: Api, **changes: object):  # type: ignore[no-untyped-def]
    settings = api.app.state.settings
    api.app.state.settings = settings.model_copy(update={"token_cache_seconds": 0, **changes})
    return settings


def test_a_token_expires_after_token_ttl_days_on_the_api_and_at_sign_in(api: Api) -> None:
    with api.app.state.sessions() as session:
        _, token = create_user(session, "test expiring lead", "team_lead", utc_now(), ["jeugdhulp"])
    headers = {"Authorization": f"Bearer {token}"}
    settings, clock = _uncached(api), api.app.state.clock
    try:
        assert api.client.get("/api/v1/teams", headers=headers).status_code == 200
        api.app.state.clock = lambda: utc_now() + dt.timedelta(days=settings.token_ttl_days, seconds=1)
        r = api.client.get("/api/v1/teams", headers=headers)
        assert r.status_code == 401 and "expired" in r.json()["detail"]
        browser = page_client(api)
        form = browser.get("/aanmelden")
        signed = browser.post("/aanmelden", data={"csrf_token": csrf_of(form.text), "token": token})
        assert signed.status_code == 401
    finally:
        api.app.state.settings, api.app.state.clock = settings, clock


def test_rotating_refuses_the_old_token_and_ends_browser_sessions(api: Api) -> None:
    with api.app.state.sessions() as session:
        user, old = create_user(session, "test rotating caseworker", "caseworker", utc_now(), ["jeugdhulp"])
    browser = page_client(api)
    form = browser.get("/aanmelden")
    assert browser.post("/aanmelden", data={"csrf_token": csrf_of(form.text), "token": old}).status_code == 303
    settings = _uncached(api)
    try:
        with api.app.state.sessions() as session:
            _, new = rotate(session, user.id, utc_now())
        assert api.client.get("/ready", headers={"Authorization": f"Bearer {old}"}).status_code == 401
        assert api.client.get("/ready", headers={"Authorization": f"Bearer {new}"}).status_code == 200
        assert browser.get("/zaken").status_code == 303  # back to sign-in
    finally:
        api.app.state.settings = settings


def test_changed_teams_reach_the_api_once_the_cache_window_has_passed(api: Api) -> None:
    with api.app.state.sessions() as session:
        user, token = create_user(session, "test moving lead", "team_lead", utc_now(), ["jeugdhulp"])
    headers = {"Authorization": f"Bearer {token}"}
    settings = _uncached(api)
    try:
        assert [t["id"] for t in api.client.get("/api/v1/teams", headers=headers).json()] == ["jeugdhulp"]
        with api.app.state.sessions() as session:
            set_teams(session, user.id, ["wmo_meldingen"], utc_now())
        assert [t["id"] for t in api.client.get("/api/v1/teams", headers=headers).json()] == ["wmo_meldingen"]
    finally:
        api.app.state.settings = settings
