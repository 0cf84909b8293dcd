"""When a case was first opened by the person who decides it: the start of its time to decision.

Business rules (issue 17 part 1, ADR 0021):
- The first time a caseworker opens an undecided case (its page, or ``GET /api/v1/advice/{id}``
  from a case system acting for them), the moment is stored once in ``case_openings``; later
  openings, other roles and decided cases change nothing.
- The moment is used only in aggregate: the time from first opening to decision per arm of the
  anchoring experiment (``models.anchoring.decision_times``). It is not shown anywhere and not put
  on the audit trail (viewing changes nothing), and it goes with its advice at retention.
- Writing it never fails or slows the page: two first openings at once keep the earlier one, and
  while another writer holds the database the note is skipped at once (the next opening notes it),
  so a read-only page never waits for a writer (ADR 0007).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from casework.db import DatabaseBusy, writing_without_waiting
from casework.security import Principal
from casework.storage import Advice, CaseOpening, Decision

OPENER_ROLE = "caseworker"


def opened_at(session: Session, advice_id: str) -> dt.datetime | None:
    return session.execute(select(CaseOpening.opened_at).where(CaseOpening.advice_id == advice_id)).scalar()


def note_opening(
    read: Session,
    engine: Engine,
    user: Principal,
    advice: Advice,
    decision: Decision | None,
    now: dt.datetime,
) -> bool:
    """Store the first opening of ``advice`` by ``user`` if this is it; True when stored now."""
    if user.role != OPENER_ROLE or decision is not None or opened_at(read, advice.id) is not None:
        return False
    try:
        with writing_without_waiting(engine) as session:
            session.add(CaseOpening(advice_id=advice.id, opened_at=now.replace(tzinfo=None), opened_by=user.id))
            session.commit()
    except IntegrityError:  # opened at the same moment elsewhere: that one was first
        return False
    except (DatabaseBusy, SQLAlchemyError):  # held or unreachable: the page matters more than the note
        return False
    return True
