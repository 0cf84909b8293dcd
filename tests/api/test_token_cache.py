"""A valid token is remembered per worker for ``token_cache_seconds``; a revoked one is refused after that."""

from __future__ import annotations

from api.services.clock import utc_now
from api.services.users import create_user, revoke
from tests.api.conftest import Api


def test_a_revoked_token_is_refused_once_the_cache_window_has_passed(api: Api) -> None:
    with api.app.state.sessions() as session:
        user, token = create_user(session, "test revoked lead", "team_lead", utc_now())
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
            user, token = create_user(session, "test uncached lead", "team_lead", utc_now())
        headers = {"Authorization": f"Bearer {token}"}
        assert api.client.get("/api/v1/teams", headers=headers).status_code == 200
        with api.app.state.sessions() as session:
            revoke(session, user.id, utc_now())
        assert api.client.get("/api/v1/teams", headers=headers).status_code == 401
    finally:
        api.app.state.settings = settings
