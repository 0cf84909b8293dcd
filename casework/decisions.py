"""The caseworker's decision and a citizen's objection, each recorded apart from the advice.

Business rules (responsible-ai items 2 and 25):
- One decision per advice; a second one is a 409 and changes nothing.
- ``followed`` means the final effort class is the suggested one; with no suggestion there is
  nothing to follow, so the outcome is ``deviated`` (the caseworker's own judgement).
- ``deviated`` needs a motivation (checked by the schema) and a final class other than the
  suggestion.
- Free text (motivation, objection summary) may not contain a BSN.
- Each refusal has its own ``type`` code, so the pages can say it in the reader's language.
- Only a case of one of the user's teams can be decided or objected to; another team's is a 404.
- The decider is the pseudonymous id of the logged-in user; the time is the server's clock.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from casework import access, audit, idempotency
from casework import advice as advice_service
from casework.clock import utc_iso
from casework.errors import Conflict, InvalidInput, Problem
from casework.inputs import DecisionCreate, ObjectionCreate
from casework.modelstore import ModelStore
from casework.security import Principal
from casework.storage import Advice, Decision, Objection
from werkwijzer.privacy import contains_bsn
from werkwijzer.teams import EFFORT_CLASSES

ALREADY_DECIDED = "a decision was already recorded for this advice"


def _problem(field: str, msg: str, kind: str = "value_error") -> InvalidInput:
    return InvalidInput([Problem(("body", field), msg, kind)])


def _check(body: DecisionCreate, suggested: str | None, classes: list[str]) -> None:
    if body.final_effort_class not in classes:
        raise _problem("final_effort_class", f"must be one of: {', '.join(classes)}", "value_error.unknown_class")
    if body.motivation and contains_bsn(body.motivation):
        raise _problem("motivation", "contains what looks like a BSN; leave it out", "value_error.bsn")
    if body.outcome == "followed":
        if suggested is None:
            raise _problem(
                "outcome",
                "there was no suggestion to follow; record your own choice as 'deviated'",
                "value_error.nothing_to_follow",
            )
        if body.final_effort_class != suggested:
            raise _problem(
                "final_effort_class",
                "differs from the suggestion; record the outcome as 'deviated'",
                "value_error.differs_from_suggestion",
            )
    elif suggested is not None and body.final_effort_class == suggested:
        raise _problem(
            "outcome",
            "the final effort class equals the suggestion; record it as 'followed'",
            "value_error.equals_suggestion",
        )


def effort_classes(advice: Advice, store: ModelStore) -> list[str]:
    """The effort classes a decision or an outcome of ``advice`` may name: the advice's own, the
    serving champion's and the teams' classes."""
    classes = dict.fromkeys(
        [
            *(advice.suggestion or {}).get("effort_class_probabilities", {}),
            *(store.effort.schema.get("classes", []) if store.effort else []),
            *EFFORT_CLASSES,
        ]
    )
    return [str(c) for c in classes]


DecisionCounter = Callable[[str | None, str | None, str], None]  # (model name, version, outcome)


def record_decision(
    session: Session,
    store: ModelStore,
    user: Principal,
    advice_id: str,
    body: DecisionCreate,
    now: dt.datetime,
    key: str | None,
    count: DecisionCounter | None = None,
) -> tuple[int, dict[str, Any]]:
    """Record the decision; ``count`` (the service's metrics) hears of each new one, never of a replay."""
    digest = idempotency.request_hash("POST", f"/advice/{advice_id}/decision", body.model_dump(mode="json"))
    replayed = idempotency.replay(session, user.id, key, digest)
    if replayed is not None:
        return replayed.status_code, replayed.body
    advice, existing = access.case(session, user, advice_id)
    if existing is not None:
        raise Conflict(ALREADY_DECIDED)
    _check(body, advice.suggested_class, effort_classes(advice, store))
    decision = Decision(
        id=str(uuid.uuid4()),
        advice_id=advice.id,
        decided_by=user.id,
        decided_at=now.replace(tzinfo=None),
        outcome=body.outcome,
        final_effort_class=body.final_effort_class,
        motivation=body.motivation,
    )
    session.add(decision)
    public = advice_service.decision_public(decision)
    audit.record(
        session,
        kind="decision.recorded",
        actor=user.id,
        subject=advice.id,
        at=now,
        payload={
            **public,
            "model_name": advice.model_name,
            "model_version": advice.model_version,
            "suggested_effort_class": advice.suggested_class,
        },
    )
    idempotency.remember(session, user.id, key, digest, 201, public, now)
    raced = idempotency.commit(session, user.id, key, digest, conflict=ALREADY_DECIDED)
    if raced:
        return raced.status_code, raced.body
    if count is not None:
        count(advice.model_name, advice.model_version, body.outcome)
    return 201, public


def record_objection(
    session: Session, user: Principal, advice_id: str, body: ObjectionCreate, now: dt.datetime, key: str | None
) -> tuple[int, dict[str, Any]]:
    digest = idempotency.request_hash("POST", f"/advice/{advice_id}/objection", body.model_dump(mode="json"))
    replayed = idempotency.replay(session, user.id, key, digest)
    if replayed is not None:
        return replayed.status_code, replayed.body
    advice, _ = access.case(session, user, advice_id)
    if contains_bsn(body.summary):
        raise _problem("summary", "contains what looks like a BSN; leave it out", "value_error.bsn")
    objection = Objection(
        id=str(uuid.uuid4()),
        advice_id=advice.id,
        kind=body.kind,
        summary=body.summary,
        recorded_by=user.id,
        recorded_at=now.replace(tzinfo=None),
    )
    session.add(objection)
    public = {
        "objection_id": objection.id,
        "advice_id": advice.id,
        "kind": objection.kind,
        "summary": objection.summary,
        "recorded_at": utc_iso(objection.recorded_at),
    }
    audit.record(
        session,
        kind="objection.recorded",
        actor=user.id,
        subject=advice.id,
        at=now,
        payload={**public, "model_name": advice.model_name, "model_version": advice.model_version},
    )
    idempotency.remember(session, user.id, key, digest, 201, public, now)
    raced = idempotency.commit(session, user.id, key, digest)
    return (raced.status_code, raced.body) if raced else (201, public)
