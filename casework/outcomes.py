"""What a closed case turned out to be: the outcome, so that monitoring can compare the advice with reality.

Business rules (issue 17 part 2, docs/api.md "Outcomes"):
- A case is the caller's pseudonymous case key (``case_id`` when advice was asked) within one of the
  user's teams; a case of another team is answered as if it did not exist (404), as for advice.
- A case is *closed* when a decision is recorded on its advice; before that an outcome is refused
  (409). When a case asked advice more than once, the outcome belongs to the latest decided advice.
- The outcome holds the handling hours, the effort class and whether an integrated approach was
  needed, as they turned out. The effort class is one the decision could name.
- Outcomes are never changed. A second report is a correction: it needs a ``reason`` and becomes the
  next revision, naming the one it corrects; the first report may not carry a reason (nothing to
  correct). The latest revision is the case's outcome; every revision stays on record.
- The *Modellen* page shows, per served model, how often its shown advice turned out wrong over all
  outcomes (FPR, FNR, FDR with 95 % intervals, small cells suppressed); per protected group only the
  monitoring flow measures it, from the separate audit file the API never reads (:func:`error_summary`).
- Free text (the reason) may not contain a BSN. Every report is on the audit trail
  (``outcome.recorded`` / ``outcome.corrected``), with the model versions of the advice it concerns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, idempotency
from casework.clock import utc_iso
from casework.decisions import effort_classes
from casework.errors import Conflict, InvalidInput, NotFound, Problem
from casework.frames import Period
from casework.frames import outcomes as outcome_frame
from casework.inputs import OutcomeCreate
from casework.modelstore import ModelStore
from casework.security import Principal
from casework.storage import Advice, Decision, Outcome
from explain.outcome_errors import ERROR_RATES, error_rates, positive_label, publishable, shown_predictions
from werkwijzer.privacy import MIN_CELL, contains_bsn

NOT_CLOSED = "the case is not closed yet: record the decision on its advice first"
RACED = "another outcome for this case was recorded at the same moment; read it and correct it if needed"


def not_found() -> NotFound:
    """The one answer for a case key that is unknown or another team's (never echoes the key)."""
    return NotFound("case not found")


def _problem(field: str, msg: str, kind: str = "value_error") -> InvalidInput:
    return InvalidInput([Problem(("body", field), msg, kind)])


def closed_advice(session: Session, user: Principal, case_id: str) -> Advice:
    """The latest decided advice of the case in the user's teams: 404 when there is none visible,
    409 when the case has advice but no decision yet."""
    rows = session.execute(
        select(Advice, Decision.id)
        .outerjoin(Decision, Decision.advice_id == Advice.id)
        .where(Advice.case_ref == case_id)
        .order_by(Advice.created_at.desc(), Advice.id.desc())
    ).all()
    visible = [(advice, decision) for advice, decision in rows if user.works_for(advice.team)]
    if not visible:
        raise not_found()
    decided = [advice for advice, decision in visible if decision is not None]
    if not decided:
        raise Conflict(NOT_CLOSED)
    return decided[0]


def current(session: Session, advice_id: str) -> Outcome | None:
    """The latest revision of the outcome of ``advice_id``, if any."""
    return session.execute(
        select(Outcome).where(Outcome.advice_id == advice_id).order_by(Outcome.revision.desc()).limit(1)
    ).scalar_one_or_none()


def public(outcome: Outcome, case_id: str) -> dict[str, Any]:
    return {
        "outcome_id": outcome.id,
        "case_id": case_id,
        "advice_id": outcome.advice_id,
        "revision": outcome.revision,
        "handling_hours": outcome.handling_hours,
        "effort_class": outcome.effort_class,
        "integrated_approach": outcome.integrated_approach,
        "corrects": outcome.corrects,
        "reason": outcome.reason,
        "recorded_by": outcome.recorded_by,
        "recorded_at": utc_iso(outcome.recorded_at),
    }


def _check(body: OutcomeCreate, previous: Outcome | None, classes: list[str]) -> None:
    if body.effort_class not in classes:
        raise _problem("effort_class", f"must be one of: {', '.join(classes)}", "value_error.unknown_class")
    reason = (body.reason or "").strip()
    if previous is not None and not reason:
        raise _problem(
            "reason",
            "an outcome was already recorded for this case; to correct it, say why in 'reason'",
            "value_error.reason_required",
        )
    if previous is None and body.reason is not None:
        raise _problem(
            "reason", "only a correction takes a reason; no outcome was recorded yet", "value_error.nothing_to_correct"
        )
    if reason and contains_bsn(reason):
        raise _problem("reason", "contains what looks like a BSN; leave it out", "value_error.bsn")


def record_outcome(
    session: Session,
    store: ModelStore,
    user: Principal,
    case_id: str,
    body: OutcomeCreate,
    now: dt.datetime,
    key: str | None,
) -> tuple[int, dict[str, Any]]:
    """Record the outcome of a closed case, or correct the one recorded (see the module docstring)."""
    digest = idempotency.request_hash("POST", f"/cases/{case_id}/outcome", body.model_dump(mode="json"))
    replayed = idempotency.replay(session, user.id, key, digest)
    if replayed is not None:
        return replayed.status_code, replayed.body
    advice = closed_advice(session, user, case_id)
    previous = current(session, advice.id)
    _check(body, previous, effort_classes(advice, store))
    outcome = Outcome(
        id=str(uuid.uuid4()),
        advice_id=advice.id,
        revision=previous.revision + 1 if previous else 1,
        handling_hours=float(body.handling_hours),
        effort_class=body.effort_class,
        integrated_approach=body.integrated_approach,
        corrects=previous.id if previous else None,
        reason=body.reason.strip() if body.reason else None,
        recorded_by=user.id,
        recorded_at=now.replace(tzinfo=None),
    )
    session.add(outcome)
    answer = public(outcome, case_id)
    audit.record(
        session,
        kind="outcome.corrected" if previous else "outcome.recorded",
        actor=user.id,
        subject=advice.id,
        at=now,
        payload={
            **answer,
            "team": advice.team,
            "model_name": advice.model_name,
            "model_version": advice.model_version,
            "integrated_model_version": advice.integrated_model_version,
        },
    )
    idempotency.remember(session, user.id, key, digest, 201, answer, now)
    raced = idempotency.commit(session, user.id, key, digest, conflict=RACED)
    return (raced.status_code, raced.body) if raced else (201, answer)


def error_summary(
    session: Session, store: ModelStore, now: dt.datetime, min_cell: int = MIN_CELL
) -> list[dict[str, Any]]:
    """Per served triage model and class: outcomes with its advice shown, FPR, FNR and FDR with 95 %
    intervals over every outcome reported so far (current revisions), small cells suppressed. No
    groups: the API never reads protected characteristics."""
    cases = outcome_frame(session, Period.of(dt.datetime(1970, 1, 1), now + dt.timedelta(days=1)))
    rows: list[dict[str, Any]] = []
    for bundle in (store.effort, store.integrated):
        if bundle is None or cases.empty:
            continue
        classes = [str(c) for c in bundle.schema.get("classes", [])]
        binary = len(classes) == 2
        pair = shown_predictions(bundle.name, cases, classes, positive_label(bundle.schema) if binary else None)
        if pair is None or pair[0].empty:
            continue
        truth, predicted = pair
        everyone = pd.DataFrame({"alle": ["alle"] * len(truth)})
        table = publishable(
            error_rates(
                truth.to_numpy(),
                predicted.to_numpy(),
                everyone,
                classes=classes,
                positive=positive_label(bundle.schema) if binary else None,
            ),
            min_cell,
        )
        for _, r in table.iterrows():
            rates = {
                rate: None if pd.isna(r[rate]) else (float(r[rate]), float(r[f"{rate}_low"]), float(r[f"{rate}_high"]))
                for rate in ERROR_RATES
            }
            rows.append(
                {
                    "model_name": bundle.name,
                    "class": str(r["class"]),
                    "n": len(truth),
                    "suppressed": bool(r["suppressed"]),
                    **rates,
                }
            )
    return rows
