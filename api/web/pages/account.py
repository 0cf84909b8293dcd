"""Sign-in with one's API token, sign-out (which ends the session on the server too), and the start page.

The token is typed once into the sign-in form; it is checked like a bearer token and never
stored in the cookie (the session names the user by id). After sign-in the user lands where
they were going, or on their role's start page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep
from api.routes.json_body import CheckedRoute
from api.web import nav
from api.web import session as web_session
from api.web.guard import CsrfChecked, PageUser, signed_in_user
from api.web.render import render
from casework import users
from casework.db import reading

router = APIRouter(include_in_schema=False, route_class=CheckedRoute)
SIGN_IN = "/aanmelden"


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _sign_in_page(
    request: Request,
    next_path: str | None,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    anonymous = web_session.current(request) is None
    if anonymous:
        web_session.begin(request, None)  # an anonymous session carries the sign-in form's CSRF token
    response = render(
        request, "signin.html", {"next": next_path, "error": error, "notice": notice}, status_code=status_code
    )
    if anonymous:
        web_session.write(request, response)
    return response


@router.get(SIGN_IN)
def sign_in_form(request: Request, next: str | None = None, uit: int = 0) -> Response:
    user = signed_in_user(request)
    if user is not None:
        return RedirectResponse(safe_next(next) or nav.start_page(user.role), status_code=303)
    return _sign_in_page(request, safe_next(next), notice="signout.done" if uit else None)


@router.post(SIGN_IN, dependencies=[CsrfChecked])
def sign_in(
    request: Request, token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    token = token.strip()
    if not token:
        return _sign_in_page(request, safe_next(next), error="signin.empty", status_code=400)
    with reading(request.app.state.engine) as db:
        user = users.by_token(db, token, request.app.state.clock(), request.app.state.settings.token_ttl_days)
        generation = users.session_generation(db, user.id) if user else 0
    if user is None:
        return _sign_in_page(request, safe_next(next), error="signin.unknown", status_code=401)
    web_session.begin(request, user.id, generation)
    response = RedirectResponse(safe_next(next) or nav.start_page(user.role), status_code=303)
    web_session.write(request, response)
    return response


@router.post("/afmelden", dependencies=[CsrfChecked])
def sign_out(request: Request, session: SessionDep) -> Response:
    """End the session on the server too: a copy of this cookie (and the user's other sessions) is refused
    from now on (ADR 0010). A session that is no longer valid changes nothing."""
    user = signed_in_user(request)
    if user is not None:
        users.end_sessions(session, user.id)
    response = RedirectResponse(f"{SIGN_IN}?uit=1", status_code=303)
    web_session.clear(request, response)
    return response


@router.get("/")
def start(request: Request, user: PageUser) -> Response:
    return render(request, "home.html", {"items": nav.items_for(user.role)})
