"""The browser session: a signed cookie that names the user, with a CSRF token per session.

Why a signed cookie and not a server-side session table: the pages need only who is signed in
and the form token, and the user is looked up again on every request. The one piece of server
state is the user's session generation (ADR 0010): a session carries the generation it was begun
under, and sign-out or revoking the user raises it, so every cookie begun before (a copied one
too) is refused at its next request, on every worker. The cookie holds no token and no personal data.

- The value is ``base64(json).base64(hmac-sha256)``, keyed by ``settings.session_secret`` (a key
  derived for this use only); a cookie that fails the check, is malformed (non-ASCII included) or
  has expired counts as absent, and so does a malformed CSRF value.
- ``HttpOnly`` (scripts cannot read it), ``SameSite=Strict`` (other sites cannot send it),
  ``Secure`` everywhere except plain http on the loopback address, where the demo runs.
- Every form POST carries the session's CSRF token and is refused without it. The sign-in
  form gets an anonymous session for that; signing in replaces it with a new one (new token),
  so a session planted before sign-in is worthless afterwards.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

COOKIE = "ww_session"
CSRF_FIELD = "csrf_token"
LIFETIME = dt.timedelta(hours=9)  # one working day; then sign in again
# 0.0.0.0 too: ``werkwijzer demo --host 0.0.0.0`` prints that address, and a browser opening it reaches this machine.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"})


class CsrfRefused(Exception):
    """A form POST without this session's token; nothing was done."""


@dataclass(frozen=True)
class WebSession:
    user_id: str | None
    csrf: str
    expires: dt.datetime
    generation: int = 0  # the user's session generation when it began (``users.by_session``)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"werkwijzer/web-session\0" + secret.encode("utf-8")).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _same(sent: str, expected: str) -> bool:
    """Constant-time comparison of a value from the browser with ours (ASCII); anything else, a value
    with non-ASCII characters included, is simply not the same (``compare_digest`` would raise)."""
    return sent.isascii() and hmac.compare_digest(sent, expected)


def encode(session: WebSession, secret: str) -> str:
    body = _b64(
        json.dumps(
            {"u": session.user_id, "c": session.csrf, "e": int(session.expires.timestamp()), "g": session.generation},
            separators=(",", ":"),
        ).encode("utf-8")
    )
    return f"{body}.{_b64(hmac.new(_key(secret), body.encode('ascii'), hashlib.sha256).digest())}"


def decode(value: str, secret: str, now: dt.datetime) -> WebSession | None:
    """The session in a cookie value, or None when it is forged, malformed or expired."""
    body, _, signature = value.partition(".")
    expected = _b64(hmac.new(_key(secret), body.encode("ascii", "replace"), hashlib.sha256).digest())
    if not _same(signature, expected):
        return None
    try:
        data = json.loads(_unb64(body))
        session = WebSession(
            data["u"], str(data["c"]), dt.datetime.fromtimestamp(int(data["e"]), dt.UTC), int(data.get("g", 0))
        )  # cookies from before ADR 0010: generation 0
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return session if session.expires > now else None


def new_session(user_id: str | None, now: dt.datetime, generation: int = 0) -> WebSession:
    return WebSession(user_id, secrets.token_urlsafe(32), now + LIFETIME, generation)


def _now(request: Request) -> dt.datetime:
    return request.app.state.clock()


def current(request: Request) -> WebSession | None:
    """This request's valid session (decoded once per request), or None."""
    if not hasattr(request.state, "web_session"):
        raw = request.cookies.get(COOKIE)
        secret = request.app.state.settings.session_secret
        request.state.web_session = decode(raw, secret, _now(request)) if raw else None
    return request.state.web_session


def cookie_secure(request: Request) -> bool:
    """Secure unless this is plain http to the loopback address (the demo on one's own machine)."""
    return not (request.url.scheme == "http" and (request.url.hostname or "") in LOOPBACK_HOSTS)


def refused_over_plain_http(request: Request) -> bool:
    """No session cookie came back over plain http to an address off this machine: the browser does
    not keep a ``Secure`` cookie there, so signing in cannot work at this address (use https)."""
    return request.url.scheme == "http" and cookie_secure(request) and COOKIE not in request.cookies


def begin(request: Request, user_id: str | None, generation: int = 0) -> WebSession:
    """A new session (new CSRF token) for this request; ``write`` puts it on the response."""
    session = new_session(user_id, _now(request), generation)
    request.state.web_session = session
    return session


def write(request: Request, response: Response) -> None:
    """Set the cookie for the session ``begin`` started on this request."""
    session: WebSession = request.state.web_session
    response.set_cookie(
        COOKIE,
        encode(session, request.app.state.settings.session_secret),
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )


def clear(request: Request, response: Response) -> None:
    request.state.web_session = None
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=cookie_secure(request))


async def check_csrf(request: Request) -> None:
    """Dependency for every form POST: the form's token must be this session's token."""
    session = current(request)
    form = await request.form()  # Starlette caches it, so the route can read the fields again
    sent = form.get(CSRF_FIELD)
    if session is None or not isinstance(sent, str) or not _same(sent, session.csrf):
        raise CsrfRefused()
