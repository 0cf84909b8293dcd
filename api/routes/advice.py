"""Caseworker: advice for a case, the decision, the citizen's explanation and objections."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api.core.metrics import count_advice, count_decision
from api.deps import (
    IDEMPOTENCY_KEY_DOC,
    IDEMPOTENCY_KEY_MAX,
    CaseworkerDep,
    IdempotencyKeyDep,
    NowDep,
    ReadSessionDep,
    SessionDep,
    StoreDep,
    caller,
    idempotency_key,
    json_body,
)
from api.routes.errors import AUTH, CONFLICT, INVALID, NOT_FOUND, UNAVAILABLE
from api.routes.json_body import CheckedRoute
from api.schemas.advice import (
    AdviceCreate,
    AdvicePublic,
    CitizenExplanationPublic,
    DecisionCreate,
    DecisionPublic,
    ObjectionCreate,
    ObjectionPublic,
)
from casework import access, advice, decisions, explanations, openings

router = APIRouter(prefix="/advice", tags=["advice"], route_class=CheckedRoute)
AdviceId = Annotated[str, Path(min_length=1, max_length=36)]


# POST /advice is the service's hot path. Its handler takes only the request and does what the
# typed dependencies of the other routes do (the same functions: role check, Idempotency-Key,
# JSON body with FastAPI's 422 answers), because FastAPI's general dependency solving was the
# largest single cost of an advice under load (ADR 0011). The OpenAPI entry documents the same
# body, header and bearer security a typed signature would.
_ADVICE_DOC: dict[str, Any] = {
    "security": [{"HTTPBearer": []}],
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": IDEMPOTENCY_KEY_DOC,
            "schema": {
                "anyOf": [{"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX}, {"type": "null"}],
                "title": "Idempotency-Key",
            },
        }
    ],
    "requestBody": {"required": True, "content": {"application/json": {"schema": AdviceCreate.model_json_schema()}}},
}


@router.post(
    "",
    status_code=201,
    response_model=AdvicePublic,
    openapi_extra=_ADVICE_DOC,
    responses={**AUTH, **CONFLICT, **INVALID, **UNAVAILABLE},
)
async def create_advice(request: Request) -> Response:
    """Advice for a new case: suggestion with reasons, or no suggestion with a neutral text.

    The answer is advice; the caseworker decides and records the decision separately.
    Concurrent requests are scored and stored together (ADR 0007); each is answered once committed.
    """
    user = await caller(request, "caseworker")
    key = idempotency_key(request)
    body = await json_body(request, AdviceCreate)
    access.require_team(user, body.team)
    state = request.app.state
    status, body_out = await state.advice_queue.submit(user, body, state.clock(), key)
    if status == 201:
        count_advice(body_out)
    return Response(orjson.dumps(body_out), status_code=status, media_type="application/json")


@router.get("/{advice_id}", response_model=AdvicePublic, responses={**AUTH, **NOT_FOUND})
def get_advice(
    request: Request, advice_id: AdviceId, user: CaseworkerDep, session: ReadSessionDep, now: NowDep
) -> dict[str, Any]:
    """The advice exactly as it was shown, with the decision once recorded (only a case of one's own teams).
    The first opening of an undecided case is noted for the time to decision (never shown)."""
    found, decision = access.case(session, user, advice_id)
    openings.note_opening(session, request.app.state.engine, user, found, decision, now)
    return advice.to_public(found, decision)


@router.post(
    "/{advice_id}/decision",
    status_code=201,
    response_model=DecisionPublic,
    responses={**AUTH, **NOT_FOUND, **CONFLICT, **INVALID},
)
def record_decision(
    advice_id: AdviceId,
    body: DecisionCreate,
    user: CaseworkerDep,
    session: SessionDep,
    store: StoreDep,
    now: NowDep,
    key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """The caseworker's own decision: followed or deviated, final class, motivation when deviating."""
    status, body_out = decisions.record_decision(session, store, user, advice_id, body, now, key, count_decision)
    return JSONResponse(body_out, status_code=status)


@router.get(
    "/{advice_id}/citizen-explanation", response_model=CitizenExplanationPublic, responses={**AUTH, **NOT_FOUND}
)
def citizen_explanation(
    advice_id: AdviceId,
    user: CaseworkerDep,
    session: ReadSessionDep,
    store: StoreDep,
    lang: Annotated[Literal["nl", "en"], Query()] = "nl",
) -> dict[str, Any]:
    """A B1 text for the citizen: which factors played a role and that a person decides."""
    return explanations.citizen_text(session, store, user, advice_id, lang)


@router.post(
    "/{advice_id}/objection",
    status_code=201,
    response_model=ObjectionPublic,
    responses={**AUTH, **NOT_FOUND, **CONFLICT, **INVALID},
)
def record_objection(
    advice_id: AdviceId,
    body: ObjectionCreate,
    user: CaseworkerDep,
    session: SessionDep,
    now: NowDep,
    key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Record a citizen's objection or complaint against an advice; it shows up in monitoring."""
    status, body_out = decisions.record_objection(session, user, advice_id, body, now, key)
    return JSONResponse(body_out, status_code=status)
