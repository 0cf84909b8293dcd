"""Staffing and norms, the inputs of capacity planning.

``staffing``: ``team,week,fte_available`` — the FTE available per team per week (the week is
given by its Monday; future weeks are the planned formation and are allowed).
``norms``: ``team,effort_class,norm_hours,effort_share,productive_hours_per_fte_week,statutory_term_days``
— handling hours per case of each effort class, the share of intake in that class (shares add up
to 1 per team), the productive hours one FTE delivers per week and the statutory decision term
in days (empty for teams without one). The last two are team facts and must be equal on every
row of a team.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from werkwijzer.contracts.checks import Checker
from werkwijzer.contracts.problems import ContractError, Problem
from werkwijzer.contracts.tables import read_table

STAFFING_COLUMNS = ("team", "week", "fte_available")
NORMS_COLUMNS = (
    "team",
    "effort_class",
    "norm_hours",
    "effort_share",
    "productive_hours_per_fte_week",
    "statutory_term_days",
)


def read_staffing(path: str | Path) -> pd.DataFrame:
    name = Path(path).name
    check = Checker(read_table(path), name)
    if not check.require(STAFFING_COLUMNS):
        check.raise_if_any()
    team = check.text("team")
    week = check.date("week", not_future=False)
    fte = check.number("fte_available", minimum=0)
    check.unique(["team", "week"], "team and week")
    check.raise_if_any()
    return pd.DataFrame({"team": team, "week": week, "fte_available": fte.astype(float)})


def read_norms(path: str | Path) -> pd.DataFrame:
    name = Path(path).name
    frame = read_table(path)
    check = Checker(frame, name)
    if not check.require(NORMS_COLUMNS):
        check.raise_if_any()
    out = pd.DataFrame(
        {
            "team": check.text("team"),
            "effort_class": check.text("effort_class"),
            "norm_hours": check.number("norm_hours", minimum=0).astype(float),
            "effort_share": check.number("effort_share", minimum=0, maximum=1).astype(float),
            "productive_hours_per_fte_week": check.number("productive_hours_per_fte_week", minimum=1).astype(float),
            "statutory_term_days": check.integer("statutory_term_days", minimum=1, allow_missing=True).astype(float),
        }
    )
    check.unique(["team", "effort_class"], "team and effort class")
    check.raise_if_any()
    problems = []
    for team, rows in out.groupby("team", sort=False):
        first_row = int(rows.index[0]) + 2
        total = rows["effort_share"].sum()
        if not np.isclose(total, 1.0, atol=0.01):
            problems.append(
                Problem(
                    name,
                    "effort_share values of one team adding up to 1",
                    row=first_row,
                    column="effort_share",
                    value=f"{team}: {total:.3f}",
                )
            )
        for column in ("productive_hours_per_fte_week", "statutory_term_days"):
            if rows[column].nunique(dropna=False) > 1:
                problems.append(
                    Problem(
                        name,
                        f"the same {column} on every row of team {team}",
                        row=int(rows.index[1]) + 2,
                        column=column,
                    )
                )
    if problems:
        raise ContractError(problems)
    return out


def staffing_for(staffing: pd.DataFrame, team: str, weeks: pd.DatetimeIndex) -> pd.Series:
    """FTE available for ``team`` in ``weeks``; a week without a row carries the last known value."""
    rows = staffing[staffing["team"] == team].set_index("week")["fte_available"].sort_index()
    if rows.empty:
        raise ContractError([Problem("staffing", f"rows for team '{team}'", column="team")])
    return rows.reindex(rows.index.union(weeks)).ffill().bfill().reindex(weeks)


def monday(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(day).normalize()
    return ts - pd.Timedelta(days=ts.day_of_week)
