"""Actual intake per team and day: what monitoring compares the forecast with (responsible-ai item 20).

Business rules:
- One count per team and day. Reporting a day again replaces the count: source systems correct
  late registrations. Every report is an audit entry, so the trail shows each correction.
- A count is a whole number of new cases or contacts, zero or more; days lie in the past or today
  (the municipality's clock); the team must be one the municipality has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit
from casework.errors import InvalidInput, Problem
from casework.security import Principal
from casework.storage import IntakeActual

COLUMNS = ("series_id", "date", "value")


def record(
    session: Session,
    user: Principal,
    team: str,
    records: Sequence[tuple[dt.date, int]],
    now: dt.datetime,
    known_teams: Sequence[str] | None = None,
) -> int:
    """Store the counts of ``team`` (insert or correct); returns how many days were recorded."""
    problems = []
    if known_teams is not None and team not in known_teams:
        problems.append(
            Problem(("path", "team"), f"unknown team; expected one of {', '.join(known_teams)}", "value_error.team")
        )
    today = now.date()
    seen: set[dt.date] = set()
    for i, (day, count) in enumerate(records):
        if day > today:
            problems.append(Problem(("body", "records", i, "date"), f"lies after today ({today})", "value_error.date"))
        if day in seen:
            problems.append(Problem(("body", "records", i, "date"), "appears twice", "value_error.duplicate"))
        if count < 0:
            problems.append(Problem(("body", "records", i, "count"), "must be zero or more", "value_error.count"))
        seen.add(day)
    if problems:
        raise InvalidInput(problems)
    existing = {
        row.date: row
        for row in session.execute(
            select(IntakeActual).where(IntakeActual.team == team, IntakeActual.date.in_(seen))
        ).scalars()
    }
    at = now.replace(tzinfo=None)
    corrected = 0
    for day, count in records:
        row = existing.get(day)
        if row is None:
            session.add(IntakeActual(team=team, date=day, count=count, recorded_by=user.id, recorded_at=at))
        else:
            corrected += row.count != count
            row.count, row.recorded_by, row.recorded_at = count, user.id, at
    audit.record(
        session,
        kind="intake.recorded",
        actor=user.id,
        subject=team,
        at=now,
        payload={
            "team": team,
            "days": len(records),
            "first": min(seen).isoformat(),
            "last": max(seen).isoformat(),
            "total": int(sum(c for _, c in records)),
            "corrected_days": int(corrected),
        },
    )
    session.commit()
    return len(records)


def actuals(
    session: Session, teams: Sequence[str] | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Daily actuals as the intake contract's long format: ``series_id, date, value``, sorted."""
    query = select(IntakeActual.team, IntakeActual.date, IntakeActual.count)
    if teams is not None:
        query = query.where(IntakeActual.team.in_(list(teams)))
    if start is not None:
        query = query.where(IntakeActual.date >= start)
    if end is not None:
        query = query.where(IntakeActual.date <= end)
    rows = session.execute(query.order_by(IntakeActual.team, IntakeActual.date)).all()
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["series_id"] = frame["series_id"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["value"] = frame["value"].astype("int64")
    return frame
