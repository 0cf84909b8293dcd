"""Signed checkpoints of the audit chain, kept outside the database (ADR 0012).

Rule: a database user can rewrite the hash chain (its hash has no key) and the head row, so the
chain alone cannot show truncation or a re-hashed history. A checkpoint is one line of JSON,
signed with HMAC-SHA256 under the audit key, which is never in the database, appended to a file
outside it. A line is written with one ``write`` on a file opened with ``O_APPEND``, so lines of
several worker processes never interleave. Kinds:

- ``start``: the first line of a file: the head and anchor as found (trusted on first use).
- ``head``: the head (``seq``, ``hash``) as a worker saw it; :class:`CheckpointWriter` adds one
  every few seconds when it moved, and one at shutdown, on a thread of its own (never in a request).
- ``purge``: a retention purge's new anchor, written before the purge commits.

An anchor the database shows must be the anchor of a signed ``start`` or ``purge`` line, and
every entry a line names must still be in the chain with the hash the line gives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from casework.clock import utc_iso
from casework.db import reading
from casework.periodic import PeriodicThread
from casework.storage import AuditEvent, AuditHead

log = logging.getLogger(__name__)
KINDS = ("start", "head", "purge")


@dataclass(frozen=True)
class Checkpoint:
    kind: str
    at: str
    seq: int | None = None
    hash: str | None = None
    anchor_seq: int | None = None
    anchor_hash: str | None = None
    pid: int = field(default_factory=os.getpid)


def _signature(key: bytes, record: dict[str, object]) -> str:
    body = json.dumps(record, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, b"werkwijzer/audit-checkpoint\0" + body, hashlib.sha256).hexdigest()


def encode(key: bytes, checkpoint: Checkpoint) -> bytes:
    """One complete, signed line."""
    record: dict[str, object] = {k: v for k, v in asdict(checkpoint).items() if v is not None}
    record["mac"] = _signature(key, record)
    return (json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def append(path: Path, key: bytes, checkpoint: Checkpoint) -> None:
    """Append one line and sync it: one ``write`` with ``O_APPEND``, so concurrent writers never mix lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, encode(key, checkpoint))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@dataclass(frozen=True)
class Reading:
    checkpoints: list[Checkpoint]
    problems: list[str]


def read(path: Path, key: bytes) -> Reading:
    """The signed lines of ``path``, and a plain reason for each line that is not one.

    A last line without its newline is a write cut short by a crash and is left out.
    """
    checkpoints: list[Checkpoint] = []
    problems: list[str] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
                mac = record.pop("mac")
                checkpoint = Checkpoint(**record)
            except (ValueError, TypeError, KeyError, AttributeError):
                problems.append(f"checkpoint line {number} is not a checkpoint record")
                continue
            if not (isinstance(mac, str) and hmac.compare_digest(mac, _signature(key, record))):
                problems.append(
                    f"checkpoint line {number} has a wrong signature: it was changed, or written without the audit key"
                )
            elif checkpoint.kind not in KINDS:
                problems.append(f"checkpoint line {number} has an unknown kind {checkpoint.kind!r}")
            else:
                checkpoints.append(checkpoint)
    return Reading(checkpoints, problems)


class CheckpointWriter(PeriodicThread):
    """Appends a signed ``head`` line every ``interval`` seconds when the chain's head moved.

    It reads the head on a read-only session, so it never waits for or holds up an advice
    batch. It will not sign a head whose chain no longer holds the entry it signed last (a
    rewritten history): it logs that and leaves the file as it is.
    """

    def __init__(
        self, engine: Engine, path: Path, key: bytes, interval: float, clock: Callable[[], dt.datetime]
    ) -> None:
        super().__init__("werkwijzer-audit-checkpoint", interval)
        self._engine, self._path, self._key, self._clock = engine, path, key, clock
        self._last: tuple[int, str] | None = None
        self.written = 0  # lines this writer appended, for tests and diagnostics
        self.refused = 0

    def start(self) -> None:
        self.tick()  # the file's start line before the first request
        super().start()

    def stop(self) -> None:
        super().stop()
        self.tick()  # the head as it is at shutdown

    def tick(self) -> None:
        try:
            self._checkpoint()
        except Exception:  # a passing database or disk error: the next tick tries again
            log.exception("audit checkpoint not written")

    def _checkpoint(self) -> None:
        with reading(self._engine) as session:
            head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
            now = (head.last_seq, head.last_hash)
            if now == self._last:
                return
            if self._last is not None and self._last[0] > head.anchor_seq:
                kept = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == self._last[0])).scalar()
                if kept != self._last[1]:
                    self.refused += 1
                    log.error(
                        "audit chain no longer holds entry %s as signed; not signing its head %s", self._last[0], now[0]
                    )
                    return
            anchor = (head.anchor_seq, head.anchor_hash)
        at = utc_iso(self._clock())
        if not self._path.exists() or self._path.stat().st_size == 0:
            checkpoint = Checkpoint("start", at, now[0], now[1], anchor[0], anchor[1])
        else:
            checkpoint = Checkpoint("head", at, now[0], now[1])
        append(self._path, self._key, checkpoint)
        self._last = now
        self.written += 1
