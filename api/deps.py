"""Typed dependencies: route signatures read like prose (``user: CaseworkerDep, session: SessionDep``).

Dependencies that do no I/O are ``async`` so they run without a thread hop; those that touch the
database are plain functions, so they run on the thread pool and never on the event loop
(ADR 0007). A route that only reads takes ``ReadSessionDep``, which never takes the writer lock;
``SessionDep`` is for routes that write and commit. Everything a route
needs comes from ``app.state`` (set by ``api.main.create_app``): settings,
the session factory, the model store, the clock and the random source for the control share.
Tests pass their own into ``create_app``; nothing is monkeypatched.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from casework import users
from casework.advice import RandomSource
from casework.db import reading
from casework.modelstore import ModelStore
from casework.security import Principal, hash_token
from werkwijzer.settings import Settings

ModelT = TypeVar("ModelT", bound=BaseModel)

bearer = HTTPBearer(auto_error=False, description="A token made by `werkwijzer users create`.")


def get_session(request: Request) -> Iterator[Session]:
    """A session that may write: its first statement takes the writer lock, released at COMMIT."""
    with request.app.state.sessions() as session:
        yield session


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only session: it never takes the writer lock, so it never waits for one either."""
    with reading(request.app.state.engine) as session:
        yield session


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> ModelStore:
    return request.app.state.store


async def get_now(request: Request) -> dt.datetime:
    return request.app.state.clock()


async def get_rng(request: Request) -> RandomSource:
    return request.app.state.rng


def _lookup(engine: Engine, token: str, now: dt.datetime, ttl_days: int) -> Principal | None:
    with reading(engine) as session:
        return users.by_token(session, token, now, ttl_days)


async def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The user behind the bearer token, looked up in a short transaction of its own.

    A valid token is remembered for ``token_cache_seconds`` (per worker, by its hash), so most
    requests need no database read; unknown tokens are never remembered.
    """
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(401, "Authorization: Bearer <token> is required", {"WWW-Authenticate": "Bearer"})
    known = getattr(request.state, "principal", None)  # checked already, before the body was read
    if known is not None:
        return known
    state = request.app.state
    token = credentials.credentials
    digest = hash_token(token)
    now = time.monotonic()
    cached = state.token_cache.get(digest)
    if cached is not None and cached[1] > now:
        return cached[0]
    user = await run_in_threadpool(_lookup, state.engine, token, state.clock(), state.settings.token_ttl_days)
    if user is None:
        state.token_cache.pop(digest, None)
        raise HTTPException(401, "unknown, expired or revoked token", {"WWW-Authenticate": "Bearer"})
    seconds = state.settings.token_cache_seconds
    if seconds > 0:
        if len(state.token_cache) >= 10_000:
            state.token_cache.clear()
        state.token_cache[digest] = (user, now + seconds)
    request.state.principal = user
    return user


async def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    return await authenticate(request, credentials)


async def optional_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """The caller when a bearer token is sent (401 for an unknown one), None when none is sent (a probe)."""
    return None if credentials is None else await authenticate(request, credentials)


async def _token_before_body(request: Request) -> None:
    await authenticate(request, await bearer(request))


authenticated.before_body = _token_before_body  # type: ignore[attr-defined]  # api.routes.json_body.CheckedRoute


def allowed(user: Principal, roles: tuple[str, ...]) -> Principal:
    if user.role not in roles:
        raise HTTPException(403, f"this needs the role {' or '.join(roles)}")
    return user


def role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(user: Annotated[Principal, Depends(authenticated)]) -> Principal:
        return allowed(user, roles)

    return check


# -- the same checks for a route that takes only the request (ADR 0011) ----------------------
async def caller(request: Request, *roles: str) -> Principal:
    """What ``Depends(role(*roles))`` gives, called directly: 401 or 403 exactly as there."""
    return allowed(await authenticate(request, await bearer(request)), roles)


IDEMPOTENCY_KEY_MAX = 200
IDEMPOTENCY_KEY_DOC = "Retry-safe POSTs: same key, same answer."


def idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header as ``IdempotencyKeyDep`` reads it, with the same 422."""
    key = request.headers.get("idempotency-key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
        raise RequestValidationError(
            [
                {
                    "type": "string_too_long",
                    "loc": ("header", "Idempotency-Key"),
                    "msg": f"String should have at most {IDEMPOTENCY_KEY_MAX} characters",
                    "input": None,
                    "ctx": {"max_length": IDEMPOTENCY_KEY_MAX},
                }
            ]
        )
    return key


async def json_body(request: Request, model: type[ModelT]) -> ModelT:
    """The request's JSON body as ``model``, with the 422 answers FastAPI gives for a body parameter:
    ``missing`` for no body, ``json_invalid`` for bytes that are not JSON (parsed by orjson, see
    ``api.routes.json_body``), the model's own errors under ``body`` otherwise. A body sent with a
    content type other than JSON is validated as bytes, so it fails as it does there."""
    raw = await request.body()
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    data: Any = raw
    if _is_json(request.headers.get("content-type")):
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", exc.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": exc.msg},
                    }
                ]
            ) from exc
    try:
        return model.model_validate(data, from_attributes=True)  # as FastAPI validates a body
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from exc


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = kind.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ModelStore, Depends(get_store)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
RngDep = Annotated[RandomSource, Depends(get_rng)]
IdempotencyKeyDep = Annotated[
    str | None, Header(alias="Idempotency-Key", max_length=IDEMPOTENCY_KEY_MAX, description=IDEMPOTENCY_KEY_DOC)
]

OptionalUserDep = Annotated[Principal | None, Depends(optional_user)]
UserDep = Annotated[Principal, Depends(role("caseworker", "team_lead", "model_owner", "auditor", "admin"))]
CaseworkerDep = Annotated[Principal, Depends(role("caseworker"))]
TeamLeadDep = Annotated[Principal, Depends(role("team_lead"))]
ModelReaderDep = Annotated[Principal, Depends(role("model_owner", "auditor"))]
MonitorDep = Annotated[Principal, Depends(role("model_owner", "team_lead"))]
AuditorDep = Annotated[Principal, Depends(role("auditor"))]
AdminDep = Annotated[Principal, Depends(role("admin"))]
