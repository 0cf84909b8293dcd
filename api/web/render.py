"""Rendering a page: the template, what every page needs in its context, and safe headers.

Every template extends ``base.html`` and gets ``t`` and ``tn`` (the catalogue in the page's language; ``tn`` for
a counted text), ``missing`` (the dash for no value),
``lang``, ``user`` (the signed-in user or None), ``nav`` (the menu for that user's role),
``csrf_token`` (for forms) and ``path``. Pages send a strict Content-Security-Policy (no
inline script, nothing from another site: the pages need no JavaScript), are not cached (they
show case data) and cannot be framed.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.web import nav
from api.web import session as web_session
from api.web.i18n import LANG_COOKIE, effort_label, page_lang, requested_lang, translate, translate_plural
from casework.security import Principal
from werkwijzer.formatting import MISSING

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
LANG_COOKIE_AGE = 365 * 24 * 3600


def site_path(path: str) -> str:
    """``path`` as a link that stays on this site: one leading slash (``//host/x`` and ``/\\host/x`` would
    be read by a browser as another host), percent-encoded."""
    return "/" + quote(path.lstrip("/\\"), safe="/")


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language: same path and query (a team, a scenario), other ``lang``; always
    on this site, whatever address was asked for."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{site_path(request.url.path)}?{urlencode(query)}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user: Principal | None = None,
) -> HTMLResponse:
    """The page ``template`` in the request's language, with the frame's context and headers."""
    lang = page_lang(request)
    user = user or getattr(request.state, "page_user", None)
    found = web_session.current(request)
    frame = {
        "lang": lang,
        "t": partial(translate, lang=lang),
        "tn": partial(translate_plural, lang=lang),
        "user": user,
        "path": request.url.path,
        "nav": nav.items_for(user.role) if user else [],
        "csrf_token": found.csrf if found else "",
        "csrf_field": web_session.CSRF_FIELD,
        "effort_label": partial(effort_label, lang=lang),
        "switch_url": switch_url(request, "en" if lang == "nl" else "nl"),
        "missing": MISSING,
    }
    response = TEMPLATES.TemplateResponse(
        request, template, {**frame, **(context or {})}, status_code=status_code, headers=SECURITY_HEADERS
    )
    if requested_lang(request):
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_AGE,
            path="/",
            httponly=True,
            samesite="strict",
            secure=web_session.cookie_secure(request),
        )
    return response


def to_form_page(request: Request, path: str, section: str) -> RedirectResponse:
    """A form's POST address opened with GET (the language switch on a refused form, the address bar):
    the page that holds the form, at its section, with the same query (so ``lang`` still switches)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{path}{query}#{section}", status_code=303)
