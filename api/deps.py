"""Typed dependencies: route signatures read like prose (``user: CaseworkerDep, session: SessionDep``).

Dependencies that do no I/O are ``async`` so they run without a thread hop. Everything a route
needs comes from ``app.state`` (set by ``api.main.create_app``): settings,
the session factory, the model store, the clock and the random source for the control share.
Tests pass their own into ``create_app``; nothing is monkeypatched.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.core.db import reading
from api.core.security import Principal, hash_token
from api.modelstore import ModelStore
from api.services import users
from api.services.advice import RandomSource
from api.services.advice_queue import AdviceQueue
from werkwijzer.settings import Settings

bearer = HTTPBearer(auto_error=False, description="A token made by `werkwijzer users create`.")


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> ModelStore:
    return request.app.state.store


async def get_now(request: Request) -> dt.datetime:
    return request.app.state.clock()


async def get_rng(request: Request) -> RandomSource:
    return request.app.state.rng


async def get_advice_queue(request: Request) -> AdviceQueue:
    return request.app.state.advice_queue


def _lookup(engine: Engine, token: str) -> Principal | None:
    with reading(engine) as session:
        return users.by_token(session, token)


async def authenticated(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The user behind the bearer token, looked up in a short transaction of its own.

    A valid token is remembered for ``token_cache_seconds`` (per worker, by its hash), so most
    requests need no database read; unknown tokens are never remembered.
    """
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(401, "Authorization: Bearer <token> is required", {"WWW-Authenticate": "Bearer"})
    state = request.app.state
    token = credentials.credentials
    digest = hash_token(token)
    now = time.monotonic()
    cached = state.token_cache.get(digest)
    if cached is not None and cached[1] > now:
        return cached[0]
    user = await run_in_threadpool(_lookup, state.engine, token)
    if user is None:
        state.token_cache.pop(digest, None)
        raise HTTPException(401, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
    seconds = state.settings.token_cache_seconds
    if seconds > 0:
        if len(state.token_cache) >= 10_000:
            state.token_cache.clear()
        state.token_cache[digest] = (user, now + seconds)
    return user


def role(*allowed: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(user: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if user.role not in allowed:
            raise HTTPException(403, f"this needs the role {' or '.join(allowed)}")
        return user

    return check


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ModelStore, Depends(get_store)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
RngDep = Annotated[RandomSource, Depends(get_rng)]
AdviceQueueDep = Annotated[AdviceQueue, Depends(get_advice_queue)]
IdempotencyKeyDep = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                                 description="Retry-safe POSTs: same key, same answer.")]

UserDep = Annotated[Principal, Depends(role("caseworker", "team_lead", "model_owner", "auditor", "admin"))]
CaseworkerDep = Annotated[Principal, Depends(role("caseworker"))]
TeamLeadDep = Annotated[Principal, Depends(role("team_lead"))]
ModelReaderDep = Annotated[Principal, Depends(role("model_owner", "auditor"))]
MonitorDep = Annotated[Principal, Depends(role("model_owner", "team_lead"))]
AuditorDep = Annotated[Principal, Depends(role("auditor"))]
AdminDep = Annotated[Principal, Depends(role("admin"))]
