"""Verifying the audit trail the way an auditor needs it (responsible-ai item 22, ADR 0012).

The chain alone shows a changed or removed entry in the middle, but not one cut from the end,
nor a history deleted from the beginning or re-hashed after a change: a database user can do
all three consistently. So, besides recomputing the chain, this checks
- the signed checkpoints outside the database: every entry they name is still there with that
  hash, and the anchor (where the chain starts) is one a signed purge or start line names;
- an auditor's own kept head (``anchor_seq``, ``anchor_hash``), when given;
- the advice and decision rows against their audit entries: a row changed or swapped without a
  matching entry is reported.
Used by ``GET /api/v1/audit/verify`` and, on a copy of the database, ``werkwijzer audit verify``.
Every finding is a plain sentence; ``valid`` is true only when there is none.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import audit, checkpoints
from casework.advice import decision_public, public_reasons
from casework.storage import Advice, AuditEvent, AuditHead, Decision

MAX_RECORD_PROBLEMS = 20  # rows named one by one; more are counted


@dataclass(frozen=True)
class Anchor:
    """A head an auditor kept from an earlier verification."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Report:
    valid: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str | None
    anchor_seq: int
    broken_at: int | None
    problem: str | None
    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0  # signed checkpoint lines read
    checkpoint_seq: int | None = None  # the newest entry a signed checkpoint names
    records_checked: int = 0  # advice and decision rows compared with their entries
    auditor_anchor: Literal["contained", "purged", "not_contained"] | None = None


def verify_trail(
    snapshot: Callable[[], AbstractContextManager[Session]],
    checkpoint_file: Path | None,
    key: bytes | None,
    anchor: Anchor | None = None,
) -> Report:
    """Everything above, on one ``snapshot`` of the database; ``checkpoint_file`` None skips the
    checkpoints (and says so).

    The checkpoint file is read *before* the snapshot begins: every line in it then names an entry
    committed before the snapshot, so a checkpoint written while the chain is being walked (the
    service goes on writing) is never mistaken for entries cut from the end.
    """
    problems: list[str] = []
    lines = _read_checkpoints(checkpoint_file, key, problems)
    with snapshot() as session:
        head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
        newest = session.execute(select(func.max(AuditEvent.seq))).scalar() or head.anchor_seq
        pinned, checkpoint_seq = _checkpoints(checkpoint_file, lines, head, newest, problems)
        chain = audit.verify(session, pinned=pinned)
        broken_at = chain.broken_at
        if checkpoint_seq is not None and checkpoint_seq > newest:
            broken_at = broken_at or newest + 1
        status = _auditor_anchor(session, anchor, head, newest, problems)
        records, record_problems = check_records(session)
    problems += record_problems
    if chain.problem:
        problems.insert(0, chain.problem)
    return Report(
        not problems,
        chain.entries,
        chain.first_seq,
        chain.last_seq,
        chain.head_hash,
        head.anchor_seq,
        broken_at,
        problems[0] if problems else None,
        problems,
        len(lines or []),
        checkpoint_seq,
        records,
        status,
    )


def _read_checkpoints(path: Path | None, key: bytes | None, problems: list[str]) -> list[checkpoints.Checkpoint] | None:
    """The signed lines of the file (None when there is no file or no key: nothing to check against)."""
    if path is None or key is None:
        problems.append("no checkpoint file and audit key were given: a cut end or a re-hashed history cannot be shown")
        return None
    if not path.exists():
        return None
    reading = checkpoints.read(path, key)
    problems += reading.problems
    return reading.checkpoints


def _checkpoints(
    path: Path | None, lines: list[checkpoints.Checkpoint] | None, head: AuditHead, newest: int, problems: list[str]
) -> tuple[dict[int, str], int | None]:
    """Entry hashes the signed lines pin, and the newest entry one names."""
    if lines is None:
        if path is not None and not path.exists() and newest > 0:
            problems.append(f"there is no checkpoint file at {path}: a cut end or a re-hashed history cannot be shown")
        return {}, None
    pinned: dict[int, str] = {}
    signed_at: dict[int, str] = {}
    anchors = {(0, audit.GENESIS)}
    for line in lines:
        if line.anchor_seq is not None and line.anchor_hash is not None:
            anchors.add((line.anchor_seq, line.anchor_hash))
        if line.seq is None or line.hash is None or line.seq == 0:
            continue
        if pinned.setdefault(line.seq, line.hash) != line.hash:
            problems.append(
                f"two signed checkpoints give entry {line.seq} different hashes: the chain was "
                "rewritten and signed again"
            )
        signed_at.setdefault(line.seq, line.at)
    if (head.anchor_seq, head.anchor_hash) not in anchors:
        problems.append(
            f"the chain starts after entry {head.anchor_seq}, but no signed purge records that: "
            "entries were removed from the beginning"
        )
    last = max(pinned, default=None)
    if last is not None and last > newest:
        problems.append(
            f"a checkpoint signed at {signed_at[last]} names entry {last}, but the chain ends at "
            f"entry {newest}: entries were removed from the end"
        )
    return {seq: h for seq, h in pinned.items() if seq > head.anchor_seq}, last


def _auditor_anchor(
    session: Session, anchor: Anchor | None, head: AuditHead, newest: int, problems: list[str]
) -> Literal["contained", "purged", "not_contained"] | None:
    if anchor is None:
        return None
    if anchor.seq <= head.anchor_seq:
        return "purged"  # removed by a retention purge; whether that purge was genuine is checked above
    kept = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == anchor.seq)).scalar()
    if kept is None:
        problems.append(f"the chain no longer contains your kept head, entry {anchor.seq}: it ends at entry {newest}")
        return "not_contained"
    if kept != anchor.hash:
        problems.append(f"entry {anchor.seq} no longer has the hash you kept: the chain was rewritten at or before it")
        return "not_contained"
    return "contained"


def _matches(payloads: list[dict[str, Any]], expected: dict[str, Any]) -> bool:
    return any(all(payload.get(k) == v for k, v in expected.items()) for payload in payloads)


def check_records(session: Session, batch: int = 500) -> tuple[int, list[str]]:
    """Compare each advice and decision row with the audit entry that recorded it."""
    problems: list[str] = []
    checked, after = 0, ""
    columns = (
        Advice.id,
        Advice.case_ref,
        Advice.team,
        Advice.input_ref,
        Advice.model_name,
        Advice.model_version,
        Advice.integrated_model_version,
        Advice.suggestion,
        Advice.reasons,
    )
    while True:
        rows = session.execute(select(*columns).where(Advice.id > after).order_by(Advice.id).limit(batch)).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        decisions = {
            d.advice_id: d for d in session.execute(select(Decision).where(Decision.advice_id.in_(ids))).scalars()
        }
        entries: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for kind, subject, payload in session.execute(
            select(AuditEvent.kind, AuditEvent.subject, AuditEvent.payload).where(
                AuditEvent.subject.in_(ids), AuditEvent.kind.in_(("advice.created", "decision.recorded"))
            )
        ):
            entries[(kind, subject)].append(json.loads(payload))
        for row in rows:
            expected = {
                "advice_id": row.id,
                "case_id": row.case_ref,
                "team": row.team,
                "input_ref": row.input_ref,
                "model_name": row.model_name,
                "model_version": row.model_version,
                "integrated_model_version": row.integrated_model_version,
                "suggestion": row.suggestion,
                "reasons": public_reasons(row.reasons),
            }
            if not _matches(entries[("advice.created", row.id)], expected):
                problems.append(
                    f"advice {row.id} does not match its audit entry: it was changed or inserted outside the service"
                )
            decision = decisions.get(row.id)
            recorded = entries[("decision.recorded", row.id)]
            if decision is not None:
                checked += 1
                if not _matches(recorded, decision_public(decision)):
                    problems.append(
                        f"the decision on advice {row.id} ({decision.outcome}, "
                        f"{decision.final_effort_class}) does not match its audit entry: it was "
                        "changed or replaced outside the service"
                    )
            elif recorded:
                problems.append(f"the decision on advice {row.id} is on the audit trail, but its row is gone")
            checked += 1
        after = ids[-1]
    if len(problems) > MAX_RECORD_PROBLEMS:
        problems = [
            *problems[:MAX_RECORD_PROBLEMS],
            f"and {len(problems) - MAX_RECORD_PROBLEMS} more rows that do not match their audit entries",
        ]
    return checked, problems
