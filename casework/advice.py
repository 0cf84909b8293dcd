"""Advice for a new case: validated input, the champion's suggestion and reasons, frozen as shown.

Business rules:
- The model advises; a person decides. Advice is created with status ``awaiting_decision`` and
  nothing here sets a decision, a case status or a default for the decision (item 1).
- A random share of cases (``settings.control_share``) gets no suggestion, and so does every
  case while advice is switched off. Both get the same neutral text, so the caseworker cannot
  tell why; the reason is stored in ``advice.selection_reason`` only (items 5 and 6).
- What the caseworker saw (probabilities, reasons, model version, statement) is stored with
  the advice and never changed (item 3); the audit entry carries the same (item 22).
- For a control case the model's suggestion (class and its probability) is frozen too, in
  ``hidden_suggested_class`` / ``hidden_top_probability``: the hidden arm of the anchoring
  experiment (ADR 0021). It is computed in the same batch as every other suggestion and, like the
  selection reason, appears in no response, page, letter, export or audit entry.
- Without a loaded champion there is no advice at all: 503, never a guessed score.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, idempotency, scoring, switches
from casework.audit import canonical_json
from casework.clock import utc_iso
from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.errors import NotFound, Unavailable
from casework.inputs import AdviceCreate
from casework.modelstore import ModelStore, TriageBundle
from casework.security import Principal
from casework.storage import Advice, Decision
from casework.validation import check_case_id, model_input
from werkwijzer.i18n import LANGS, both, translate
from werkwijzer.settings import Settings

STATEMENT = {True: "advice.statement.advised", False: "advice.statement.neutral"}  # frozen with the advice


class RandomSource(Protocol):
    def random(self) -> float: ...


@dataclass(frozen=True)
class Computed:
    effort: TriageBundle
    integrated: TriageBundle | None
    features: dict[str, Any]
    input_ref: str
    probabilities: dict[str, float]
    suggested: str
    integrated_probability: float | None
    reasons: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _positive_probability(bundle: TriageBundle, proba: np.ndarray) -> float:
    classes = [_plain(c) for c in bundle.model.classes_]
    positive = bundle.schema.get("positive")
    index = classes.index(positive) if positive in classes else len(classes) - 1
    return float(proba[index])


@dataclass(frozen=True)
class Prepared:
    """A validated request: the champions it is scored with and the model input."""

    effort: TriageBundle
    integrated: TriageBundle | None
    case_id: str
    row: dict[str, Any]


def prepare(store: ModelStore, settings: Settings, body: AdviceCreate) -> Prepared:
    """Validate against the champions' schemas: 503 without a champion, 422 naming every bad field."""
    effort, integrated = store.triage_pair()
    if effort is None:
        raise Unavailable(both("service.no_model"))
    check_case_id(body.case_id)
    schemas = [effort.schema] + ([integrated.schema] if integrated else [])
    return Prepared(effort, integrated, body.case_id, model_input(schemas, body.team, body.features))


def finish(prepared: Prepared, scored: scoring.Scored) -> Computed:
    """The suggestion and reasons as stored and shown, from the models' answer for the row."""
    effort, integrated = prepared.effort, prepared.integrated
    classes = [str(_plain(c)) for c in effort.model.classes_]
    proba = scored.proba
    suggested = classes[int(np.argmax(proba))]
    reasons = [
        {
            "feature": r.feature,
            "label_nl": r.label_nl,
            "label_en": r.label_en,
            "value": _plain(r.value),
            "direction": r.direction,
            "contribution": float(r.contribution),
        }
        for r in scored.reasons
    ]
    integrated_p = None
    if integrated is not None and scored.integrated is not None:
        integrated_p = _positive_probability(integrated, scored.integrated)
    features = prepared.row
    ref = hashlib.sha256(canonical_json({"case_id": prepared.case_id, "features": features}).encode()).hexdigest()
    return Computed(
        effort,
        integrated,
        features,
        ref,
        dict(zip(classes, map(float, proba), strict=True)),
        suggested,
        integrated_p,
        reasons,
    )


def select_reason(state: dict[str, bool], share: float, rng: RandomSource) -> str:
    """Why this case does or does not get advice; stored, never shown."""
    if not state.get("global", True):
        return "switched_off_global"
    if not state.get(TRIAGE_EFFORT, True):
        return "switched_off_model"
    return "control" if rng.random() < share else "advised"


def request_digest(body: AdviceCreate) -> str:
    return idempotency.request_hash("POST", "/advice", body.model_dump(mode="json"))


@dataclass(frozen=True)
class Built:
    """One advice as it will be stored: the row, the answer, and the audit entry's payload."""

    row: dict[str, Any]  # the advice's column values
    public: dict[str, Any]
    audit_payload: dict[str, Any]


def build(
    settings: Settings,
    user: Principal,
    body: AdviceCreate,
    computed: Computed,
    now: dt.datetime,
    rng: RandomSource,
    state: dict[str, bool],
) -> Built:
    """The frozen advice for ``computed``: the control-share draw and the stop button decide what is shown."""
    reason = select_reason(state, settings.control_share, rng)
    advised = reason == "advised"
    suggestion = None
    if advised:
        integrated_on = computed.integrated is not None and switches.advice_enabled(state, TRIAGE_INTEGRATED)
        suggestion = {
            "effort_class_probabilities": computed.probabilities,
            "suggested_effort_class": computed.suggested,
            "integrated_approach_probability": computed.integrated_probability if integrated_on else None,
        }
    # A plain row, not an ``Advice`` instance: building an ORM object per advice only to read its
    # attributes back for a multi-row insert was a sixth of the batch's time (ADR 0011).
    values = {
        "id": str(uuid.uuid4()),
        "case_ref": body.case_id,
        "team": body.team,
        "created_at": now.replace(tzinfo=None),
        "created_by": user.id,
        "model_name": computed.effort.name,
        "model_version": computed.effort.version,
        "integrated_model_version": computed.integrated.version if suggestion and computed.integrated else None,
        "input_ref": computed.input_ref,
        "features": computed.features,
        "suggestion": suggestion,
        "reasons": computed.reasons if advised else [],
        "suggested_class": computed.suggested if advised else None,
        "top_probability": max(computed.probabilities.values()) if advised else None,
        **{f"statement_{lang}": translate(STATEMENT[advised], lang) for lang in LANGS},
        "selection_reason": reason,
        "hidden_suggested_class": computed.suggested if reason == "control" else None,
        "hidden_top_probability": max(computed.probabilities.values()) if reason == "control" else None,
    }
    public = public_from(values, None)
    payload = {
        "advice_id": values["id"],
        "case_id": body.case_id,
        "team": body.team,
        "input_ref": computed.input_ref,
        "model_name": values["model_name"],
        "model_version": values["model_version"],
        "integrated_model_version": values["integrated_model_version"],
        "suggestion": suggestion,
        "reasons": public["reasons"],
    }
    return Built(values, public, payload)


ADVICE_COLUMNS = tuple(c.key for c in Advice.__table__.columns)


def row(advice: Advice) -> dict[str, Any]:
    """The column values of a stored advice."""
    return {name: getattr(advice, name) for name in ADVICE_COLUMNS}


def add(
    session: Session,
    settings: Settings,
    user: Principal,
    body: AdviceCreate,
    computed: Computed,
    now: dt.datetime,
    rng: RandomSource,
    key: str | None,
    digest: str,
    state: dict[str, bool],
) -> dict[str, Any]:
    """Add the frozen advice, its audit entry and the idempotency answer to the session (no commit).

    ``state`` is the switch state read in this transaction.
    """
    built = build(settings, user, body, computed, now, rng, state)
    session.add(Advice(**built.row))
    audit.record(
        session, kind="advice.created", actor=user.id, subject=built.row["id"], at=now, payload=built.audit_payload
    )
    idempotency.remember(session, user.id, key, digest, 201, built.public, now)
    return built.public


def to_public(advice: Advice, decision: Decision | None) -> dict[str, Any]:
    return public_from(row(advice), decision)


def public_from(values: dict[str, Any], decision: Decision | None) -> dict[str, Any]:
    """The advice as the API shows it, from its column values (``selection_reason`` is left out)."""
    reasons = public_reasons(values["reasons"])
    suggestion = values["suggestion"]
    return {
        "advice_id": values["id"],
        "case_id": values["case_ref"],
        "team": values["team"],
        "status": "decided" if decision else "awaiting_decision",
        "created_at": utc_iso(values["created_at"]),
        "suggestion": suggestion,
        "reasons": reasons,
        "model": (
            {"name": values["model_name"], "version": values["model_version"]}
            if suggestion is not None and values["model_version"]
            else None
        ),
        "statement": {"nl": values["statement_nl"], "en": values["statement_en"]},
        "decision": decision_public(decision) if decision else None,
    }


def public_reasons(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored reasons as responses and the audit entry show them."""
    return [
        {
            "factor": r["feature"],
            "label_nl": r["label_nl"],
            "label_en": r["label_en"],
            "value": r["value"],
            "direction": r["direction"],
            "contribution": r["contribution"],
        }
        for r in stored
    ]


def decision_public(decision: Decision) -> dict[str, Any]:
    return {
        "decision_id": decision.id,
        "advice_id": decision.advice_id,
        "outcome": decision.outcome,
        "final_effort_class": decision.final_effort_class,
        "motivation": decision.motivation,
        "decided_by": decision.decided_by,
        "decided_at": utc_iso(decision.decided_at),
    }


def not_found() -> NotFound:
    """The one answer for an advice id that does not exist or is another team's (never echoes the id)."""
    return NotFound("advice not found")


def load(session: Session, advice_id: str) -> tuple[Advice, Decision | None]:
    advice = session.get(Advice, advice_id)
    if advice is None:
        raise not_found()
    decision = session.execute(select(Decision).where(Decision.advice_id == advice_id)).scalar_one_or_none()
    return advice, decision
