"""Server-rendered pages for caseworkers, team leads and model owners (ADR 0005, docs/web.md).

``install_pages(app)`` adds them to the API's app: the page routers, the static CSS under
``/static``, and the answers for a missing session (to the sign-in page), a wrong role (a 403
page), a form without its CSRF token (a 403 page; nothing done; over plain http off this machine
it says why signing in cannot work there) and a browser asking for a
page that does not exist (a 404 page; programs still get JSON). Pages are left out of the
OpenAPI schema: they are for people, the API is for programs.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from api.web import session as web_session
from api.web.guard import SignInRequired, WrongRole
from api.web.i18n import page_lang, translate
from api.web.pages import account, capacity, cases, models, systemcard
from api.web.render import render
from api.web.session import CsrfRefused

STATIC = Path(__file__).resolve().parent / "static"
# Add a page module's router here.
ROUTERS = (account.router, cases.router, capacity.router, models.router, systemcard.router)


def wants_page(request: Request) -> bool:
    """A browser navigating (it accepts HTML), outside the API's own paths."""
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api/")


def install_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(_: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"{account.SIGN_IN}?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(WrongRole)
    async def wrong_role(request: Request, exc: WrongRole) -> Response:
        role = translate(f"role.{exc.user.role}", page_lang(request))
        return render(
            request,
            "error.html",
            {"title": "error.forbidden.title", "text": "error.forbidden.text", "values": {"role": role}},
            status_code=403,
            user=exc.user,
        )

    @app.exception_handler(HTTPException)
    async def not_found_page(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and wants_page(request):
            return render(
                request,
                "error.html",
                {"title": "error.not_found.title", "text": "error.page_not_found.text", "values": {}},
                status_code=404,
            )
        return await http_exception_handler(request, exc)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        if web_session.refused_over_plain_http(request):  # e.g. `werkwijzer demo --host` opened on another machine
            local = f"http://127.0.0.1:{request.url.port or 80}/"
            return render(
                request,
                "error.html",
                {"title": "error.plain_http.title", "text": "error.plain_http.text", "values": {"local": local}},
                status_code=403,
            )
        return render(
            request,
            "error.html",
            {"title": "error.csrf.title", "text": "error.csrf.text", "values": {}},
            status_code=403,
        )
