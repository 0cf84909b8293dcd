"""The audit trail: append-only and hash-chained (responsible-ai item 22).

Rule: ``record`` (one entry) and ``record_many`` (a batch, in order) are the only functions that
write audit entries. Each entry's hash covers its
sequence number, time, kind, actor, subject, canonical JSON payload and the previous entry's
hash, so changing, inserting or removing an entry breaks the chain and ``verify`` reports
where. Writers lock the chain's head row (SQLite: the write lock of ``BEGIN IMMEDIATE``), so
entries get consecutive numbers even with many workers. Retention purging removes the oldest
entries and moves the anchor (the hash the first remaining entry must point at) with them; it
records a purge permit first, because the database refuses deletes and anchor moves without one
(migration 0004). What a database user could still rewrite, the signed checkpoints outside the
database show (``casework.checkpoints``, ADR 0012).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from casework.clock import utc_iso
from casework.storage import AuditEvent, AuditHead, AuditPurgePermit, table_of

GENESIS = "0" * 64  # the previous hash of the very first entry


_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _unlisted(value: Any) -> Any:
    return float(value) if isinstance(value, float) else str(value)  # a float subclass (numpy) stays a number


def canonical_json(payload: Any) -> str:
    """Sorted keys, no spaces, UTF-8; anything JSON has no type for is written as its ``str`` (ADR 0011).

    Written by orjson, several times faster than ``json.dumps`` on the advice path, and the same
    text except for floats in exponent range (``0.00001`` where ``json.dumps`` wrote ``1e-05``)
    and NaN (``null``, which is JSON; ``NaN`` is not). What orjson does not write (an integer
    beyond 64 bits, a key that is not a string) falls back to ``json.dumps``. A stored entry is
    verified against its stored text, so entries written in the earlier form stay verifiable.
    """
    try:
        return orjson.dumps(payload, default=_unlisted, option=_CANONICAL).decode()
    except TypeError:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(seq: int, at: dt.datetime, kind: str, actor: str, subject: str, payload: str, prev_hash: str) -> str:
    content = "\x1f".join((str(seq), at.isoformat(timespec="microseconds"), kind, actor, subject, payload, prev_hash))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def lock_head(session: Session) -> AuditHead:
    """The chain's head row, locked for this transaction."""
    return session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()


def record(
    session: Session, *, kind: str, actor: str, subject: str, payload: dict[str, Any], at: dt.datetime
) -> AuditEvent:
    """Append one entry in the caller's transaction; it is written when the caller commits."""
    head = lock_head(session)
    at = at.replace(tzinfo=None)
    seq = head.last_seq + 1
    body = canonical_json(payload)
    digest = entry_hash(seq, at, kind, actor, subject, body, head.last_hash)
    event = AuditEvent(
        seq=seq, at=at, kind=kind, actor=actor, subject=subject, payload=body, prev_hash=head.last_hash, hash=digest
    )
    session.add(event)
    head.last_seq = seq
    head.last_hash = digest
    return event


@dataclass(frozen=True)
class Entry:
    kind: str
    actor: str
    subject: str
    payload: dict[str, Any]
    at: dt.datetime


def record_many(session: Session, entries: list[Entry]) -> None:
    """Append ``entries`` in order, in the caller's transaction, with one multi-row insert.

    The same chain as ``record`` called once per entry: consecutive numbers, each hash over the
    entry and the previous hash. For a batch of advice (ADR 0007).
    """
    if not entries:
        return
    head = lock_head(session)
    seq, prev = head.last_seq, head.last_hash
    rows = []
    for entry in entries:
        seq += 1
        at = entry.at.replace(tzinfo=None)
        body = canonical_json(entry.payload)
        digest = entry_hash(seq, at, entry.kind, entry.actor, entry.subject, body, prev)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "kind": entry.kind,
                "actor": entry.actor,
                "subject": entry.subject,
                "payload": body,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    session.execute(insert(table_of(AuditEvent)), rows)
    head.last_seq, head.last_hash = seq, prev


def page(session: Session, after_seq: int, limit: int, subject: str | None = None) -> dict[str, Any]:
    """Entries after ``after_seq`` in order, as auditors read them (payload parsed back to JSON)."""
    query = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq).limit(limit)
    if subject:
        query = query.where(AuditEvent.subject == subject)
    rows = session.execute(query).scalars().all()
    events = [
        {
            "seq": e.seq,
            "at": utc_iso(e.at),
            "kind": e.kind,
            "actor": e.actor,
            "subject": e.subject,
            "payload": json.loads(e.payload),
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in rows
    ]
    return {"events": events, "next_after_seq": rows[-1].seq if len(rows) == limit else None}


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    broken_at: int | None
    problem: str | None
    head_hash: str | None = None  # the hash of the last entry, as an auditor keeps it
    anchor_seq: int = 0  # entries up to here were purged


def verify(session: Session, batch: int = 2000, pinned: Mapping[int, str] | None = None) -> Verification:
    """Recompute the chain from the retention anchor to the head.

    ``pinned`` maps entry numbers to the hash a signed checkpoint recorded for them: a chain that
    was rewritten and re-hashed still links up, but no longer has those hashes.
    """
    pinned = pinned or {}
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    expected_prev, expected_seq = head.anchor_hash, head.anchor_seq + 1
    count, first = 0, None
    last_seen = head.anchor_seq
    matched = head.anchor_seq  # the last entry a checkpoint vouches for
    while True:
        rows = (
            session.execute(select(AuditEvent).where(AuditEvent.seq > last_seen).order_by(AuditEvent.seq).limit(batch))
            .scalars()
            .all()
        )
        if not rows:
            break
        for event in rows:
            first = event.seq if first is None else first
            problem = None
            if event.seq != expected_seq:
                problem = f"entry {expected_seq} is missing"
            elif event.prev_hash != expected_prev:
                problem = "the link to the previous entry does not match"
            elif event.hash != entry_hash(
                event.seq, event.at, event.kind, event.actor, event.subject, event.payload, event.prev_hash
            ):
                problem = "the entry's content does not match its hash"
            elif event.seq in pinned and pinned[event.seq] != event.hash:
                problem = (
                    f"entry {event.seq} is not the entry a signed checkpoint recorded: the chain was "
                    f"rewritten after entry {matched} and re-hashed"
                )
            if problem:
                return Verification(False, count, first, event.seq, event.seq, problem, event.hash, head.anchor_seq)
            matched = event.seq if event.seq in pinned else matched
            count += 1
            expected_prev, expected_seq = event.hash, event.seq + 1
            last_seen = event.seq
    if last_seen != head.last_seq or expected_prev != head.last_hash:
        return Verification(
            False,
            count,
            first,
            last_seen,
            last_seen + 1,
            f"the chain ends at {last_seen} but the head says {head.last_seq}",
            expected_prev if count else None,
            head.anchor_seq,
        )
    return Verification(
        True, count, first, last_seen if count else None, None, None, expected_prev if count else None, head.anchor_seq
    )


@dataclass(frozen=True)
class Purged:
    entries: int
    anchor_seq: int  # the chain now starts after this entry
    anchor_hash: str


def purge_before(session: Session, cutoff: dt.datetime, now: dt.datetime) -> Purged:
    """Remove entries older than ``cutoff`` (retention) and move the anchor past them.

    The permit goes in first, in this transaction: the database checks it when the anchor moves
    and when each entry is deleted.
    """
    head = lock_head(session)
    last = session.execute(
        select(AuditEvent).where(AuditEvent.at < cutoff.replace(tzinfo=None)).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()
    if last is None:
        return Purged(0, head.anchor_seq, head.anchor_hash)
    count = session.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq <= last.seq)).scalar_one()
    session.add(
        AuditPurgePermit(
            up_to_seq=last.seq,
            anchor_hash=last.hash,
            cutoff=cutoff.replace(tzinfo=None),
            purged_at=now.replace(tzinfo=None),
        )
    )
    session.flush()
    head.anchor_seq, head.anchor_hash = last.seq, last.hash
    session.flush()
    session.execute(delete(AuditEvent).where(AuditEvent.seq <= last.seq))
    return Purged(int(count), last.seq, last.hash)
