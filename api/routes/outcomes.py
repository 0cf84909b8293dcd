"""Caseworker or case system: what a closed case turned out to be (its outcome)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import CaseworkerDep, IdempotencyKeyDep, NowDep, SessionDep, StoreDep
from api.routes.errors import AUTH, CONFLICT, INVALID, NOT_FOUND
from api.routes.json_body import CheckedRoute
from api.schemas.outcomes import OutcomeCreate, OutcomePublic
from casework import outcomes

router = APIRouter(prefix="/cases", tags=["outcomes"], route_class=CheckedRoute)
CaseId = Annotated[str, Path(min_length=1, max_length=100, description="The case key sent when advice was asked.")]


@router.post(
    "/{case_id}/outcome",
    status_code=201,
    response_model=OutcomePublic,
    responses={**AUTH, **NOT_FOUND, **CONFLICT, **INVALID},
)
def record_outcome(
    case_id: CaseId,
    body: OutcomeCreate,
    user: CaseworkerDep,
    session: SessionDep,
    store: StoreDep,
    now: NowDep,
    key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """The handling hours, effort class and integrated approach as the closed case turned out (a case
    is closed once its decision is recorded). Sent again with a ``reason``, it corrects the outcome:
    a new revision, the earlier one stays on record. Monitoring compares the advice with these."""
    status, body_out = outcomes.record_outcome(session, store, user, case_id, body, now, key)
    return JSONResponse(body_out, status_code=status)
