"""Liveness (no auth) and readiness (database reachable, champions loaded)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.core.config import FORECAST, MODEL_NAMES
from api.deps import ReadSessionDep, StoreDep, UserDep
from api.routes.errors import AUTH
from api.routes.json_body import CheckedRoute
from api.schemas.governance import HealthPublic, ReadyPublic

router = APIRouter(tags=["health"], route_class=CheckedRoute)


@router.get("/health", response_model=HealthPublic)
def health() -> dict[str, str]:
    """The process is alive. No authentication."""
    return {"status": "ok"}


@router.get("/ready", response_model=ReadyPublic,
            responses={**AUTH, 503: {"model": ReadyPublic, "description": "Not ready; reasons listed"}})
def ready(_: UserDep, session: ReadSessionDep, store: StoreDep) -> JSONResponse:
    """Ready when the database answers and every champion is loaded."""
    reasons = []
    try:
        session.execute(text("SELECT 1"))
        database = True
    except Exception as exc:  # any database failure means: not ready
        database, reasons = False, [f"database: {type(exc).__name__}"]
    models = {}
    for name in MODEL_NAMES:
        bundle = store.forecast if name == FORECAST else store.triage(name)
        models[name] = bundle.version if bundle else None
        if bundle is None:
            reasons.append(f"{name}: no champion loaded")
    body = ReadyPublic(ready=not reasons, database=database, models=models, reasons=reasons)
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)
