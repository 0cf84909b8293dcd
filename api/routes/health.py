"""Liveness and readiness (database reachable, champions loaded), both for probes without a token.

Readiness tells a probe only ``ready``; what is loaded and the reasons (model versions) are for a
signed-in user of any role.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import OptionalUserDep, ReadSessionDep, StoreDep
from api.routes.errors import AUTH
from api.routes.json_body import CheckedRoute
from api.schemas.governance import HealthPublic, ReadyProbePublic, ReadyPublic
from casework.config import FORECAST, MODEL_NAMES

router = APIRouter(tags=["health"], route_class=CheckedRoute)


@router.get("/health", response_model=HealthPublic)
def health() -> dict[str, str]:
    """The process is alive. No authentication."""
    return {"status": "ok"}


READY_ANSWER = ReadyPublic | ReadyProbePublic


@router.get(
    "/ready",
    response_model=READY_ANSWER,
    responses={401: AUTH[401], 503: {"model": READY_ANSWER, "description": "Not ready; with a token, the reasons"}},
)
def ready(user: OptionalUserDep, session: ReadSessionDep, store: StoreDep) -> JSONResponse:
    """Ready (200) when the database answers and every champion is loaded, else 503. A model that
    MLflow says has no champion (never approved, or withdrawn) does not make the service unready:
    that is a model owner's decision, and taking every worker out of rotation for it would also
    stop the caseworkers' pages and decisions; it is listed in ``without_champion``.

    Without a token (an orchestrator's probe) the answer is only `{"ready": true|false}`; with a
    token of any role it also names the database state, the loaded model versions and the reasons.
    An unknown token is still refused (401)."""
    reasons = []
    try:
        session.execute(text("SELECT 1"))
        database = True
    except Exception as exc:  # any database failure means: not ready
        database, reasons = False, [f"database: {type(exc).__name__}"]
    models, without = {}, []
    for name in MODEL_NAMES:
        bundle = store.forecast if name == FORECAST else store.triage(name)
        models[name] = bundle.version if bundle else None
        if bundle is None and store.without_champion(name):
            without.append(name)  # a model owner's decision: its advice is off, the service is ready
        elif bundle is None:
            reasons.append(f"{name}: no champion loaded")
    status = 503 if reasons else 200
    if user is None:
        return JSONResponse(ReadyProbePublic(ready=not reasons).model_dump(), status_code=status)
    body = ReadyPublic(ready=not reasons, database=database, models=models, reasons=reasons, without_champion=without)
    return JSONResponse(body.model_dump(), status_code=status)
