"""The tables of the advisory service (SQLAlchemy 2, typed mappings).

Times are naive UTC. Advice rows are frozen: they hold what the caseworker saw (scores, reasons,
model version) and are never updated; a decision, an objection or a switch change is a row of
its own. ``selection_reason`` (why a case did or did not get advice) lives here and nowhere in
any response. No BSN, name, address or date of birth is stored: ``case_ref`` is the caller's
pseudonymous key and ``input_ref`` a hash of the validated input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for multi-row inserts without the ORM (ADR 0011)."""
    return Base.metadata.tables[model.__tablename__]


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Browser sessions carry the number they were begun under; sign-out and revoke raise it (ADR 0010).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The teams (``werkwijzer.teams`` ids) a caseworker or team lead works for; other roles see all teams.
    teams: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # A token expires ``token_ttl_days`` after this; ``werkwijzer users rotate`` issues a new one.
    token_issued_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Advice(Base):
    __tablename__ = "advice"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(100), index=True)
    team: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str | None] = mapped_column(String(50))
    integrated_model_version: Mapped[str | None] = mapped_column(String(50))
    input_ref: Mapped[str] = mapped_column(String(64))
    features: Mapped[dict[str, Any]] = mapped_column(JSON)
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    suggested_class: Mapped[str | None] = mapped_column(String(50))
    top_probability: Mapped[float | None] = mapped_column(Float)
    statement_nl: Mapped[str] = mapped_column(Text)
    statement_en: Mapped[str] = mapped_column(Text)
    selection_reason: Mapped[str] = mapped_column(String(40))
    # The model's suggestion for a control case, frozen but never shown: the hidden arm of the
    # anchoring experiment (ADR 0021). Like ``selection_reason`` it is in no response, page, letter,
    # export or audit entry; only ``casework.frames.experiment`` reads it.
    hidden_suggested_class: Mapped[str | None] = mapped_column(String(50))
    hidden_top_probability: Mapped[float | None] = mapped_column(Float)


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    advice_id: Mapped[str] = mapped_column(ForeignKey("advice.id", ondelete="CASCADE"), unique=True)
    decided_by: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    final_effort_class: Mapped[str] = mapped_column(String(50))
    motivation: Mapped[str | None] = mapped_column(Text)


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    advice_id: Mapped[str] = mapped_column(ForeignKey("advice.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class Outcome(Base):
    """What a closed case turned out to be (migration 0007_outcomes). Never changed: a correction is
    the next ``revision`` of the same advice, naming the row it ``corrects`` and why."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("advice_id", "revision", name="uq_outcome_advice_revision"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    advice_id: Mapped[str] = mapped_column(ForeignKey("advice.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    handling_hours: Mapped[float] = mapped_column(Float)
    effort_class: Mapped[str] = mapped_column(String(50))
    integrated_approach: Mapped[bool] = mapped_column(Boolean)
    corrects: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class SwitchChange(Base):
    """One flip of the stop button; the current state is the latest row per scope."""

    __tablename__ = "switch_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(200), index=True)  # "global" or a model name
    enabled: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IntakeActual(Base):
    """Actual intake of one team on one day, as reported by the case system or the team lead.

    Reporting a day again replaces its count (a correction); the audit trail keeps every report.
    """

    __tablename__ = "intake_actuals"
    __table_args__ = (UniqueConstraint("team", "date", name="uq_intake_team_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team: Mapped[str] = mapped_column(String(100), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    count: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CaseOpening(Base):
    """When a case page was first opened by someone who can decide it: the start of the time to
    decision in the anchoring experiment (ADR 0021). Written once per advice, never changed."""

    __tablename__ = "case_openings"

    advice_id: Mapped[str] = mapped_column(ForeignKey("advice.id", ondelete="CASCADE"), primary_key=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    opened_by: Mapped[str] = mapped_column(String(32))


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class AuditEvent(Base):
    """Append-only, hash-chained; written only by ``casework.audit.record``."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The one row every audit writer locks: the chain's last entry and where purging cut it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    anchor_seq: Mapped[int] = mapped_column(Integer)  # entries up to here were purged (retention)
    anchor_hash: Mapped[str] = mapped_column(String(64))


class AuditPurgePermit(Base):
    """A retention purge, recorded before it deletes: the database refuses to delete audit entries
    or move the anchor without one (migration 0004, ADR 0012). Rows are never changed or removed."""

    __tablename__ = "audit_purge_permits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    up_to_seq: Mapped[int] = mapped_column(Integer)  # the new anchor: entries up to here may go
    anchor_hash: Mapped[str] = mapped_column(String(64))
    cutoff: Mapped[dt.datetime] = mapped_column(DateTime)
    purged_at: Mapped[dt.datetime] = mapped_column(DateTime)
