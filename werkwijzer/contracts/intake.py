"""Intake series: how many items (applications, reports, contacts) arrived per period and team.

Long format: ``series_id,date,value``. Wide format: one date column and one column per series
(the column name becomes the ``series_id``). Counts are whole numbers >= 0; an empty value is
a missing observation (an outage), not a zero. Dates must not lie in the future and may appear
once per series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from werkwijzer.contracts.checks import Checker
from werkwijzer.contracts.problems import ContractError, Problem
from werkwijzer.contracts.tables import read_table

LONG_COLUMNS = ("series_id", "date", "value")
DATE_NAMES = ("date", "datum", "ds", "period", "week", "day", "dag", "maand", "month")


def read_intake(
    path: str | Path, *, date_col: str | None = None, series: Sequence[str] | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """Validated intake in long format: ``series_id`` (str), ``date`` (datetime64), ``value`` (float, NaN = missing)."""
    name = Path(path).name
    frame = read_table(path)
    if date_col is None and set(LONG_COLUMNS) <= set(frame.columns):
        return _long(frame, name, today)
    return _wide(frame, name, date_col, series, today)


def _long(frame: pd.DataFrame, name: str, today: dt.date | None) -> pd.DataFrame:
    check = Checker(frame, name, today, identifiers=["series_id"])
    series_id = check.text("series_id")
    dates = check.date("date")
    values = check.number("value", minimum=0, allow_missing=True, integer=True)
    check.raise_if_any()
    out = pd.DataFrame({"series_id": series_id, "date": dates, "value": values.astype(float)})
    keyed = Checker(out.assign(date=out["date"].dt.strftime("%Y-%m-%d")).astype(str), name)
    keyed.unique(["series_id", "date"], "series and date")
    keyed.raise_if_any()
    return out.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)


def _wide(
    frame: pd.DataFrame, name: str, date_col: str | None, series: Sequence[str] | None, today: dt.date | None
) -> pd.DataFrame:
    if date_col is None:
        date_col = find_date_column(frame.columns)
    if date_col is None or date_col not in frame.columns:
        expected = (
            f"a date column named '{date_col}'"
            if date_col
            else "the long format series_id,date,value or a date column (pass --date-col)"
        )
        raise ContractError([Problem(name, expected, row=1, value=", ".join(frame.columns[:8]))])
    columns = list(series) if series else [c for c in frame.columns if c != date_col]
    check = Checker(frame, name, today)
    if not check.require([date_col, *columns]):
        check.raise_if_any()
    if not columns:
        raise ContractError([Problem(name, "at least one series column next to the date column", row=1)])
    dates = check.date(date_col)
    parsed = {c: check.number(c, minimum=0, allow_missing=True, integer=True) for c in columns}
    check.unique([date_col], "date", _long_hint(frame.columns, date_col, columns))
    check.raise_if_any()
    wide = pd.DataFrame({c: v.astype(float) for c, v in parsed.items()})
    wide.insert(0, "date", dates)
    long = wide.melt(id_vars="date", var_name="series_id", value_name="value")
    long = long[["series_id", "date", "value"]]
    return long.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)


FAR_FACTOR = 50  # a count this many times its series' median (at least 1) ...
FAR_MINIMUM = 1000  # ... and at least this large is named as one to check
FAR_SHOWN = 10


def far_above_usual(intake: pd.DataFrame) -> list[str]:
    """Counts far above the rest of their series, as ``series date: value (median m)``, largest
    first, at most ``FAR_SHOWN``: a typo (10000000 for 100) wrecks a forecast quietly. They are
    neither changed nor refused, since a real surge can be large; the run names them so that a
    person checks the file."""
    observed = intake.dropna(subset=["value"])
    median = observed.groupby("series_id")["value"].transform("median").clip(lower=1.0)
    far = observed[(observed["value"] >= FAR_MINIMUM) & (observed["value"] > FAR_FACTOR * median)]
    far = far.assign(median=median[far.index]).sort_values("value", ascending=False, kind="stable")
    return [
        f"{row.series_id} {row.date:%Y-%m-%d}: {row.value:.0f} (median {row.median:.0f})"
        for row in far.head(FAR_SHOWN).itertuples()
    ]


STOP_PERIODS = {"D": 28, "W": 8, "M": 3}  # at least this many zero periods at the end (and a horizon)


def stopped_counting(regular: pd.DataFrame, freq: str, horizon: int) -> dict[str, pd.Timestamp]:
    """Series that counted before and have counted 0 ever since: at least ``horizon`` and
    ``STOP_PERIODS`` periods of 0 up to the end (missing periods neither end nor make the run),
    after a history whose median is at least 1. A team that was closed or merged, or a feed that
    stopped. Such a series forecast as usual is forecast to come back (its models know its past
    level), and its large errors widen the conformal bands of every series they are pooled with;
    the flow leaves it out and says so. Returns series -> its last period with a count above 0.
    Sparse series (median 0) are never stopped: runs of 0 are what they do."""
    need = max(horizon, STOP_PERIODS.get(freq.upper(), horizon))
    stopped: dict[str, pd.Timestamp] = {}
    for sid, rows in regular.dropna(subset=["value"]).groupby("series_id", sort=True):
        values = rows["value"].to_numpy()
        counted = np.flatnonzero(values > 0)
        if not len(counted):
            continue
        zeros = len(values) - 1 - counted[-1]
        if zeros >= need and float(np.median(values[: counted[-1] + 1])) >= 1:
            stopped[str(sid)] = rows["date"].iloc[counted[-1]]
    return stopped


def stopped_text(stopped: Mapping[str, pd.Timestamp | str], label: Callable[[str], str] = str) -> list[str]:
    """``team (YYYY-MM-DD)`` per stopped series, the period of its last count above 0 in brackets
    (the run's output and the report say so in their own language); ``label`` names the series as
    the reader knows it (the report: ``teams.team_label``)."""
    return [f"{label(sid)} ({pd.Timestamp(last):%Y-%m-%d})" for sid, last in sorted(stopped.items())]


def _long_hint(names: Sequence[str], date_col: str, columns: Sequence[str]) -> str:
    """For a wide file whose dates repeat: how to write several series in one file instead."""
    others = [c for c in names if c != date_col and c not in columns]
    rename = f" (rename '{others[0]}' to series_id)" if len(others) == 1 and "series_id" not in names else ""
    return f"; several series in one file need the long format series_id,date,value{rename}"


SPACING = {"D": 6, "W": 28}  # days between dates from which a frequency is finer than the file's


def check_spacing(intake: pd.DataFrame, freq: str, name: str) -> None:
    """Refuse a frequency finer than the file's own: weekly dates forecast per day would be six
    missing days to one known, and train a model on nothing. A coarser frequency is fine where
    periods add up (days to weeks or months), not weeks to months: a week can lie in two. The
    spacing is the median gap between a series' dates, the median over series."""
    limit = SPACING.get(freq.upper())
    dates = intake.sort_values(["series_id", "date"])
    gaps = dates.groupby("series_id")["date"].diff().dt.days.dropna()
    if gaps.empty:
        return
    gap = float(gaps.groupby(dates["series_id"]).median().median())
    first = ", ".join(dates["date"].head(3).dt.strftime("%Y-%m-%d"))
    if freq.upper() == "M" and 2 <= gap < SPACING["W"]:
        raise ContractError(
            [
                Problem(
                    name,
                    f"daily or monthly dates for --freq M; these lie {gap:.0f} days apart, and weeks do not add up "
                    "to months (a week can lie in two months): choose --freq W, or deliver daily or monthly counts",
                    column="date",
                    value=first,
                )
            ]
        )
    if limit is None:
        return
    if gap >= limit:
        raise ContractError(
            [
                Problem(
                    name,
                    f"dates one period of --freq {freq.upper()} apart; these lie {gap:.0f} days apart "
                    f"(choose --freq {'M' if gap >= SPACING['W'] else 'W or M'}; or, if the file leaves out "
                    "periods without intake, write them as 0: a period missing from the file is unknown, not 0)",
                    column="date",
                    value=first,
                )
            ]
        )


PERIODS = {"D": "days", "W": "weeks", "M": "months"}


def check_history(intake: pd.DataFrame, freq: str, horizon: int, name: str) -> None:
    """Refuse a horizon that leaves the backtest nothing to learn from: it holds out the last
    ``horizon`` periods and needs at least two periods before them (the error scale of MASE is
    the change from one period to the next). ``intake`` is on the regular grid of ``freq``."""
    dates = pd.DatetimeIndex(intake["date"].dropna().unique()).sort_values()
    need = horizon + 2
    if len(dates) >= need:
        return
    unit = PERIODS.get(freq.upper(), "periods")
    span = f"{dates[0]:%Y-%m-%d} .. {dates[-1]:%Y-%m-%d}" if len(dates) else "no dates"
    fits = f"choose --horizon {len(dates) - 2} or less, or " if len(dates) > 2 else ""
    raise ContractError(
        [
            Problem(
                name,
                f"at least {need} {unit} of history for --horizon {horizon} (the backtest holds out the last "
                f"{horizon} and needs 2 before them); {fits}deliver a longer history",
                column="date",
                value=f"{len(dates)} {unit}, {span}",
            )
        ]
    )


def find_date_column(columns: Sequence[str]) -> str | None:
    """The date column of a wide file, recognised by its name (``date``, ``datum``, ``*_date``, ...)."""
    return next((c for c in columns if c.lower() in DATE_NAMES or c.lower().endswith(("_date", "_day"))), None)


def to_wide(intake: pd.DataFrame) -> pd.DataFrame:
    """Long intake as a date-indexed frame with one column per series."""
    return intake.pivot(index="date", columns="series_id", values="value").sort_index()
