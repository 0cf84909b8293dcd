"""The API store as pandas frames for one period: what monitoring and the council report read.

Every reader takes a period ``[start, end)`` (dates or naive UTC datetimes; the store keeps naive
UTC) and returns a frame with fixed columns, empty but typed when nothing happened, so the metric
functions in ``models.monitoring`` never see a missing column.

Privacy (responsible-ai items 5 and 26): ``advice.selection_reason`` — why a case did or did not
get advice — never leaves this module per case. The per-case frame carries only ``advised`` (the
caseworker saw a suggestion, which they could see anyway); the reasons are given only as counts
per team and model (:func:`advice_use`). No feature values are read either: drift is computed by
the flow from :func:`advice_features`, which returns the model input without any case key.

The anchoring experiment (ADR 0021) is the one reader that marks per decision whether the
suggestion was shown or hidden (:func:`experiment`): it reads the hidden suggestion of control
cases, never ``selection_reason``, and its rows stay inside the monitoring flow and the report,
which publish only counts and rates per scope with small cells suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from casework import intake
from casework.db import make_engine, reading
from casework.storage import Advice, CaseOpening, Decision, Objection, Outcome, SwitchChange, User
from models.monitoring import score_band
from werkwijzer.periods import Period
from werkwijzer.settings import Settings

ADVICE_COLUMNS = (
    "advice_id",
    "case_ref",
    "team",
    "created_at",
    "model_name",
    "model_version",
    "suggested_class",
    "top_probability",
    "advised",
)
DECISION_COLUMNS = (
    "decision_id",
    "advice_id",
    "case_ref",
    "team",
    "model_name",
    "model_version",
    "suggested_class",
    "score",
    "score_band",
    "advised",
    "outcome",
    "followed",
    "final_effort_class",
    "decided_at",
)
OBJECTION_COLUMNS = ("advice_id", "date", "team", "model_name", "kind", "recorded_at")
SWITCH_COLUMNS = ("time", "scope", "model_name", "enabled", "actor", "reason")
USE_COLUMNS = ("team", "model_name", "advised", "control", "switched_off")
ALL_MODELS = "*"  # model_name of a global switch change: it concerns every model


class StoreNotReady(RuntimeError):
    """The API's database has no tables yet: the API has never started on it."""


def open_store(settings: Settings) -> Engine:
    """An engine on the API's database (``settings.database``); migrations are the API's job,
    so a database the API never started on is refused with what to do."""
    engine = make_engine(settings.database)
    if not inspect(engine).has_table(Advice.__tablename__):
        where = engine.url.render_as_string(hide_password=True)
        engine.dispose()
        raise StoreNotReady(
            f"the API store {where} has no tables yet; start the API on it once "
            f"('werkwijzer serve' or 'werkwijzer demo') or set WERKWIJZER_DATABASE_URL"
        )
    return engine


def _frame(rows: Sequence[Sequence[object]], columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(columns))  # plain tuples: pandas' fast path
    return frame.astype({c: t for c, t in dtypes.items() if c in frame.columns})


_ADVICE_TYPES = {
    "advice_id": "string",
    "case_ref": "string",
    "team": "string",
    "created_at": "datetime64[us]",
    "model_name": "string",
    "model_version": "string",
    "suggested_class": "string",
    "top_probability": "float64",
    "advised": "bool",
}


def advice(session: Session, period: Period) -> pd.DataFrame:
    """One row per advice request created in the period (:data:`ADVICE_COLUMNS`); ``advised`` is True
    when the caseworker saw a suggestion (not a control case, advice not switched off)."""
    rows = session.execute(
        select(
            Advice.id,
            Advice.case_ref,
            Advice.team,
            Advice.created_at,
            Advice.model_name,
            Advice.model_version,
            Advice.suggested_class,
            Advice.top_probability,
        )
        .where(Advice.created_at >= period.start, Advice.created_at < period.end)
        .order_by(Advice.created_at, Advice.id)
    ).all()
    frame = _frame(rows, ADVICE_COLUMNS[:-1], _ADVICE_TYPES)
    frame["advised"] = frame["suggested_class"].notna()
    return frame


def advice_use(session: Session, period: Period) -> pd.DataFrame:
    """Counts per team and model of advice given, control cases and cases while advice was off.

    The only form in which the selection reason leaves the store: totals, never per case.
    """
    rows = session.execute(
        select(Advice.team, Advice.model_name, Advice.selection_reason).where(
            Advice.created_at >= period.start, Advice.created_at < period.end
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["team", "model_name", "reason"])
    frame["reason"] = frame["reason"].map(lambda r: "switched_off" if str(r).startswith("switched_off") else r)
    counts = pd.crosstab([frame["team"], frame["model_name"]], frame["reason"]) if not frame.empty else None
    if counts is None:
        return _frame([], USE_COLUMNS, {c: "int64" for c in USE_COLUMNS[2:]})
    counts = counts.reindex(columns=["advised", "control", "switched_off"], fill_value=0)
    out = counts.reset_index()
    out.columns.name = None
    return out[list(USE_COLUMNS)].astype({c: "int64" for c in USE_COLUMNS[2:]})


def advice_features(session: Session, period: Period, model_name: str | None = None) -> pd.DataFrame:
    """The model input of every advice request in the period, one row each, without case keys:
    the live side of the drift comparison (PSI against the training data)."""
    query = select(Advice.features).where(Advice.created_at >= period.start, Advice.created_at < period.end)
    if model_name is not None:
        query = query.where(Advice.model_name == model_name)
    return pd.DataFrame([dict(f) for f in session.execute(query.order_by(Advice.created_at)).scalars()])


_DECISION_TYPES = {
    "decision_id": "string",
    "advice_id": "string",
    "case_ref": "string",
    "team": "string",
    "model_name": "string",
    "model_version": "string",
    "suggested_class": "string",
    "score": "float64",
    "outcome": "string",
    "final_effort_class": "string",
    "decided_at": "datetime64[us]",
}


def decisions(session: Session, period: Period | None, teams: Collection[str] | None = None) -> pd.DataFrame:
    """Every decision taken in the period (``None``: ever) joined to its advice (:data:`DECISION_COLUMNS`),
    of ``teams`` only when given.

    The one definition of "followed": the caseworker's own statement (``outcome == "followed"``), which
    ``casework.decisions`` accepts only when the final class is the suggested one. ``score`` is the
    suggested class's probability and ``score_band`` its band (empty without a suggestion).
    """
    query = select(
        Decision.id,
        Advice.id,
        Advice.case_ref,
        Advice.team,
        Advice.model_name,
        Advice.model_version,
        Advice.suggested_class,
        Advice.top_probability,
        Decision.outcome,
        Decision.final_effort_class,
        Decision.decided_at,
    ).join(Advice, Decision.advice_id == Advice.id)
    if period is not None:
        query = query.where(Decision.decided_at >= period.start, Decision.decided_at < period.end)
    if teams is not None:
        query = query.where(Advice.team.in_(sorted(teams)))
    rows = session.execute(query.order_by(Decision.decided_at, Decision.id)).all()
    columns = [c for c in DECISION_COLUMNS if c not in ("score_band", "advised", "followed")]
    frame = _frame(rows, columns, _DECISION_TYPES)
    frame["score_band"] = score_band(frame["score"]) if not frame.empty else pd.Series(dtype="string")
    frame["advised"] = frame["suggested_class"].notna()
    frame["followed"] = frame["outcome"] == "followed"
    frame["followed"] = frame["followed"].astype(bool)
    return frame[list(DECISION_COLUMNS)]


def objections(session: Session, period: Period) -> pd.DataFrame:
    """Objections and complaints recorded in the period (:data:`OBJECTION_COLUMNS`); ``date`` is
    the day recorded (UTC), ``recorded_at`` the moment (the report needs the Dutch local day).
    The summary text stays in the store: it is about one citizen."""
    rows = session.execute(
        select(Objection.advice_id, Objection.recorded_at, Advice.team, Advice.model_name, Objection.kind)
        .join(Advice, Objection.advice_id == Advice.id)
        .where(Objection.recorded_at >= period.start, Objection.recorded_at < period.end)
        .order_by(Objection.recorded_at, Objection.id)
    ).all()
    frame = _frame(
        rows,
        OBJECTION_COLUMNS[:-1],
        {"advice_id": "string", "date": "datetime64[us]", "team": "string", "model_name": "string", "kind": "string"},
    )
    frame["recorded_at"] = frame["date"]
    frame["date"] = frame["date"].dt.normalize()
    return frame


def switch_changes(session: Session, period: Period) -> pd.DataFrame:
    """Flips of the stop button in the period (:data:`SWITCH_COLUMNS`), oldest first.

    ``model_name`` is the scope's model, or ``*`` for the global switch; ``actor`` the user's name
    (e.g. ``monitor`` for the monitoring flow), as the audit trail names the person or system.
    """
    rows = session.execute(
        select(
            SwitchChange.changed_at,
            SwitchChange.scope,
            SwitchChange.enabled,
            User.name,
            SwitchChange.changed_by,
            SwitchChange.reason,
        )
        .outerjoin(User, User.id == SwitchChange.changed_by)
        .where(SwitchChange.changed_at >= period.start, SwitchChange.changed_at < period.end)
        .order_by(SwitchChange.id)
    ).all()
    records = [
        (at, scope, ALL_MODELS if scope == "global" else scope, bool(enabled), name or user_id, reason)
        for at, scope, enabled, name, user_id, reason in rows
    ]
    return _frame(
        records,
        SWITCH_COLUMNS,
        {
            "time": "datetime64[us]",
            "scope": "string",
            "model_name": "string",
            "enabled": "bool",
            "actor": "string",
            "reason": "string",
        },
    )


def intake_actuals(session: Session, period: Period, teams: Sequence[str] | None = None) -> pd.DataFrame:
    """Daily actual intake in the period as the intake contract's ``series_id, date, value``."""
    last = (period.end - dt.timedelta(microseconds=1)).date()
    return intake.actuals(session, teams, period.start.date(), last)


EXPERIMENT_COLUMNS = (
    "case_ref",
    "team",
    "model_name",
    "model_version",
    "arm",
    "model_class",
    "score",
    "score_band",
    "final_effort_class",
    "agrees",
    "decided_at",
    "minutes_to_decision",
)


def experiment(session: Session, period: Period) -> pd.DataFrame:
    """Decisions of the period on advice of the randomised arms (:data:`EXPERIMENT_COLUMNS`).

    ``arm`` is "shown" (the suggestion was shown) or "hidden" (a control case: the model's
    suggestion was frozen but not shown); cases while advice was switched off, and control cases
    from before the hidden suggestion was kept, are in neither arm. ``model_class`` is the
    suggestion, ``score`` its probability, ``agrees`` whether the final class equals it, and
    ``minutes_to_decision`` the time from the caseworker first opening the case (empty when it was
    never opened on a page or through the API before the decision).
    """
    rows = session.execute(
        select(
            Advice.case_ref,
            Advice.team,
            Advice.model_name,
            Advice.model_version,
            Advice.suggested_class,
            Advice.top_probability,
            Advice.hidden_suggested_class,
            Advice.hidden_top_probability,
            Decision.final_effort_class,
            Decision.decided_at,
            CaseOpening.opened_at,
        )
        .join(Advice, Decision.advice_id == Advice.id)
        .outerjoin(CaseOpening, CaseOpening.advice_id == Advice.id)
        .where(Decision.decided_at >= period.start, Decision.decided_at < period.end)
        .where((Advice.suggested_class.is_not(None)) | (Advice.hidden_suggested_class.is_not(None)))
        .order_by(Decision.decided_at, Decision.id)
    ).all()
    records = []
    for case_ref, team, name, version, shown, shown_p, hidden, hidden_p, final, decided, opened in rows:
        arm, model_class, score = ("shown", shown, shown_p) if shown is not None else ("hidden", hidden, hidden_p)
        minutes = (decided - opened).total_seconds() / 60 if opened is not None and opened <= decided else None
        records.append(
            (case_ref, team, name, version, arm, model_class, score, final, final == model_class, decided, minutes)
        )
    columns = [c for c in EXPERIMENT_COLUMNS if c != "score_band"]
    frame = _frame(
        records,
        columns,
        {
            "case_ref": "string",
            "team": "string",
            "model_name": "string",
            "model_version": "string",
            "arm": "string",
            "model_class": "string",
            "score": "float64",
            "final_effort_class": "string",
            "agrees": "bool",
            "decided_at": "datetime64[us]",
            "minutes_to_decision": "float64",
        },
    )
    frame["score_band"] = score_band(frame["score"]) if not frame.empty else pd.Series(dtype="string")
    return frame[list(EXPERIMENT_COLUMNS)]


OUTCOME_COLUMNS = (
    "advice_id",
    "case_ref",
    "team",
    "model_name",
    "model_version",
    "integrated_model_version",
    "suggested_class",
    "integrated_probability",
    "advised",
    "handling_hours",
    "effort_class",
    "integrated_approach",
    "first_recorded_at",
)


def outcomes(session: Session, period: Period) -> pd.DataFrame:
    """The outcome of every case first reported in the period (:data:`OUTCOME_COLUMNS`), joined to the
    advice it concerns: its latest revision up to the period's end (a later correction belongs to a later
    pass). ``suggested_class`` and ``integrated_probability`` are what the caseworker was shown (empty for
    a control case or while advice was off); ``effort_class`` and ``integrated_approach`` what the case
    turned out to be."""
    first = (
        select(Outcome.advice_id)
        .where(Outcome.revision == 1, Outcome.recorded_at >= period.start, Outcome.recorded_at < period.end)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Outcome.advice_id,
            Advice.case_ref,
            Advice.team,
            Advice.model_name,
            Advice.model_version,
            Advice.integrated_model_version,
            Advice.suggested_class,
            Advice.suggestion,
            Outcome.handling_hours,
            Outcome.effort_class,
            Outcome.integrated_approach,
            Outcome.revision,
            Outcome.recorded_at,
        )
        .join(Advice, Outcome.advice_id == Advice.id)
        .where(Outcome.advice_id.in_(first), Outcome.recorded_at < period.end)
        .order_by(Outcome.advice_id, Outcome.revision)
    ).all()
    latest: dict[str, tuple[object, ...]] = {}
    first_at: dict[str, object] = {}
    for row in rows:
        advice_id, *rest = row
        suggestion = rest[6] or {}
        first_at.setdefault(advice_id, row.recorded_at)
        latest[advice_id] = (
            advice_id,
            *rest[:6],
            suggestion.get("integrated_approach_probability"),
            rest[5] is not None,
            *rest[7:10],
            first_at[advice_id],
        )
    return _frame(
        list(latest.values()),
        OUTCOME_COLUMNS,
        {
            "advice_id": "string",
            "case_ref": "string",
            "team": "string",
            "model_name": "string",
            "model_version": "string",
            "integrated_model_version": "string",
            "suggested_class": "string",
            "integrated_probability": "float64",
            "advised": "bool",
            "handling_hours": "float64",
            "effort_class": "string",
            "integrated_approach": "bool",
            "first_recorded_at": "datetime64[us]",
        },
    )


def outcome_coverage(session: Session, period: Period) -> tuple[int, int]:
    """How many cases were decided in the period, and how many of those have an outcome recorded before
    its end: how far the error rates from outcomes can speak for the period's decisions."""
    decided = select(Decision.advice_id).where(Decision.decided_at >= period.start, Decision.decided_at < period.end)
    with_outcome = (
        select(Outcome.advice_id)
        .where(Outcome.advice_id.in_(decided.scalar_subquery()), Outcome.recorded_at < period.end)
        .distinct()
    )
    count = select(func.count()).select_from
    return (
        int(session.execute(count(decided.subquery())).scalar_one()),
        int(session.execute(count(with_outcome.subquery())).scalar_one()),
    )


@dataclass(frozen=True)
class StoreFrames:
    """Everything one monitoring pass or report reads from the store for a period."""

    period: Period
    advice: pd.DataFrame
    advice_use: pd.DataFrame
    decisions: pd.DataFrame
    objections: pd.DataFrame
    switch_changes: pd.DataFrame
    intake: pd.DataFrame


def read_frames(engine: Engine, period: Period) -> StoreFrames:
    """All frames of ``period`` from one read transaction, so they agree with each other."""
    with reading(engine) as session:
        return StoreFrames(
            period,
            advice(session, period),
            advice_use(session, period),
            decisions(session, period),
            objections(session, period),
            switch_changes(session, period),
            intake_actuals(session, period),
        )
