"""The page-role guard: who may open a page, typed so route signatures say it.

``user: CaseworkerPage`` (or ``Annotated[Principal, Depends(require_page_role("team_lead"))]``)
gives the signed-in user; without a valid session the browser is sent to the sign-in page (and
back afterwards), and a user with another role gets a Dutch 403 page. The user is looked up on
every request (no cache), so a revoked user, or a session begun before its user signed out, is
out at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from api.web import session as web_session
from casework import users
from casework.config import ROLES
from casework.db import reading
from casework.security import Principal


class SignInRequired(Exception):
    """No (valid) session: answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class WrongRole(Exception):
    """Signed in, but this page is for another role: answered with a 403 page."""

    def __init__(self, user: Principal) -> None:
        super().__init__(user.role)
        self.user = user


def signed_in_user(request: Request) -> Principal | None:
    """The active user behind this request's session, if any and not signed out since (one short read)."""
    found = web_session.current(request)
    if found is None or found.user_id is None:
        return None
    state = request.app.state
    with reading(state.engine) as db:
        return users.by_session(db, found.user_id, found.generation, state.clock(), state.settings.token_ttl_days)


def require_page_role(*allowed: str) -> Callable[[Request], Principal]:
    """A dependency that lets only signed-in users with one of ``allowed`` roles through."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; expected some of {', '.join(ROLES)}")

    def check(request: Request) -> Principal:
        user = getattr(request.state, "page_user", None) or signed_in_user(request)
        if user is None:
            raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if user.role not in allowed:
            raise WrongRole(user)
        request.state.page_user = user
        return user

    async def before_body(request: Request) -> None:  # api.routes.json_body.CheckedRoute: before a form is read
        await run_in_threadpool(check, request)

    check.before_body = before_body  # type: ignore[attr-defined]
    return check


PageUser = Annotated[Principal, Depends(require_page_role(*ROLES))]
CaseworkerPage = Annotated[Principal, Depends(require_page_role("caseworker"))]
TeamLeadPage = Annotated[Principal, Depends(require_page_role("team_lead"))]
ModelsPage = Annotated[Principal, Depends(require_page_role("model_owner", "auditor", "admin"))]
AdminPage = Annotated[Principal, Depends(require_page_role("admin"))]
ModelOwnerPage = Annotated[Principal, Depends(require_page_role("model_owner"))]  # approves model versions
CsrfChecked = Depends(web_session.check_csrf)  # route(..., dependencies=[CsrfChecked]) on every form POST
