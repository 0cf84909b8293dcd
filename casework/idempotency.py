"""``Idempotency-Key`` on POSTs: a retried request gets the first answer instead of a second effect.

The key is scoped to the user. The stored answer is written in the same transaction as the
effect, so either both exist or neither does. Reusing a key for a different request is a 409.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.audit import canonical_json
from casework.errors import Conflict
from casework.storage import IdempotencyKey

KEY_REUSED = "this Idempotency-Key was already used for a different request"


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def request_hash(method: str, path: str, body: Any) -> str:
    return hashlib.sha256(f"{method} {path} {canonical_json(body)}".encode()).hexdigest()


def replay(session: Session, user_id: str, key: str | None, digest: str) -> Replay | None:
    if not key:
        return None
    found = session.execute(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()
    if found is None:
        return None
    if found.request_hash != digest:
        raise Conflict(KEY_REUSED)
    return Replay(found.status_code, found.body)


def remember(
    session: Session, user_id: str, key: str | None, digest: str, status_code: int, body: Any, at: dt.datetime
) -> None:
    if key:
        session.add(
            IdempotencyKey(
                user_id=user_id,
                key=key,
                request_hash=digest,
                status_code=status_code,
                body=body,
                created_at=at.replace(tzinfo=None),
            )
        )


def commit(session: Session, user_id: str, key: str | None, digest: str, conflict: str | None = None) -> Replay | None:
    """Commit; when a concurrent request with the same key won the race, return its answer instead.

    ``conflict`` turns any other unique-constraint violation into a 409 with that text.
    """
    try:
        session.commit()
        return None
    except IntegrityError:
        session.rollback()
        replayed = replay(session, user_id, key, digest)
        if replayed is not None:
            return replayed
        if conflict is None:
            raise
        raise Conflict(conflict) from None


def purge_before(session: Session, cutoff: dt.datetime) -> int:
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff.replace(tzinfo=None)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
