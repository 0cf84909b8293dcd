"""The caseworker's work list: advice that still waits for a person's decision.

Business rules:
- A case is on the list from the moment its advice is given until a decision is recorded;
  newest first, so a caseworker sees what just came in.
- A caseworker sees only the cases of their own teams.
- The list shows the same for every case, advised or not: case key, team and when it came
  in. Whether a case got a suggestion is for the case page; why it did or did not (control
  share, stop button) is never shown anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.storage import Advice, Decision

LIST_LIMIT = 200


@dataclass(frozen=True)
class WaitingCase:
    advice_id: str
    case_ref: str
    team: str
    created_at: dt.datetime


def awaiting_decision(
    session: Session, limit: int = LIST_LIMIT, teams: Collection[str] | None = None
) -> list[WaitingCase]:
    """Advice without a decision, newest first (at most ``limit``), of ``teams`` (``None``: every team)."""
    decided = select(Decision.advice_id)
    query = select(Advice.id, Advice.case_ref, Advice.team, Advice.created_at).where(Advice.id.not_in(decided))
    if teams is not None:
        query = query.where(Advice.team.in_(sorted(teams)))
    rows = session.execute(query.order_by(Advice.created_at.desc(), Advice.id).limit(limit)).all()
    return [WaitingCase(*row) for row in rows]
