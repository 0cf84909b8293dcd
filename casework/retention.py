"""Retention (responsible-ai item 22): keep the record at least six months, and no longer than needed.

``purge`` removes advice (with their decisions, objections, case openings and outcomes), audit entries and switch
changes older than ``settings.retention_days`` (the settings refuse fewer than 183 days), and
idempotency keys older than a day. The audit chain stays verifiable: its anchor moves to the
last purged entry, and the purge itself is an audit entry. The purge records itself in the
database (a permit the delete triggers check) and, signed and before it commits, in the
checkpoint file: an anchor no signed line names was moved by someone else (ADR 0012).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework import audit, checkpoints, idempotency
from casework.clock import utc_iso
from casework.storage import Advice, CaseOpening, Decision, Objection, Outcome
from werkwijzer.settings import Settings

MIN_DAYS = 183


def purge(session: Session, settings: Settings, now: dt.datetime) -> dict[str, int]:
    days = max(settings.retention_days, MIN_DAYS)
    cutoff = (now - dt.timedelta(days=days)).replace(tzinfo=None)
    ids = list(session.execute(select(Advice.id).where(Advice.created_at < cutoff)).scalars())
    counts = dict.fromkeys(("advice", "decisions", "objections", "case_openings", "outcomes"), 0)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for name, table, column in (
            ("decisions", Decision, Decision.advice_id),
            ("objections", Objection, Objection.advice_id),
            ("case_openings", CaseOpening, CaseOpening.advice_id),
            ("outcomes", Outcome, Outcome.advice_id),
            ("advice", Advice, Advice.id),
        ):
            counts[name] += session.execute(delete(table).where(column.in_(chunk))).rowcount  # type: ignore[attr-defined]
    purged = audit.purge_before(session, cutoff, now)
    counts["audit_events"] = purged.entries
    if purged.entries:
        checkpoints.append(
            settings.audit_checkpoint_file,
            settings.audit_signing_key,
            checkpoints.Checkpoint("purge", utc_iso(now), anchor_seq=purged.anchor_seq, anchor_hash=purged.anchor_hash),
        )
    counts["idempotency_keys"] = idempotency.purge_before(session, now - dt.timedelta(days=1))
    audit.record(
        session,
        kind="retention.purged",
        actor="system",
        subject="retention",
        at=now,
        payload={"retention_days": days, "cutoff": cutoff.isoformat(), **counts},
    )
    session.commit()
    return counts
