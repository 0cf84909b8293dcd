"""Staffing (FTE available per team and week) and norms, sized to the expected workload."""

from __future__ import annotations

import numpy as np
import pandas as pd

from werkwijzer.simulation import parameters as P
from werkwijzer.teams import EFFORT_CLASSES, TEAMS


def mean_norm_hours(team: str, shares: dict[str, float] | None = None) -> float:
    hours = P.NORM_HOURS[team]
    if len(hours) == 1:
        return hours[0]
    s = shares or dict(zip(EFFORT_CLASSES, P.EFFORT_SHARES, strict=True))
    return float(sum(h * s[c] for h, c in zip(hours, EFFORT_CLASSES, strict=True)))


def simulate_staffing(expected_weekly: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """FTE per team and week over history plus PLANNED_WEEKS of planned formation.

    The formation follows the smooth expected need (a 13-week centred mean), rounded to 0.1
    FTE, less vacancy gaps, summer leave and Christmas leave.
    """
    last = expected_weekly.index[-1]
    future = pd.date_range(last + pd.Timedelta(days=7), periods=P.PLANNED_WEEKS, freq="7D")
    weeks = expected_weekly.index.append(future)
    rows = []
    for team in expected_weekly.columns:
        need = expected_weekly[team] * mean_norm_hours(team) / P.PRODUCTIVE_HOURS_PER_FTE_WEEK
        base = need.rolling(13, center=True, min_periods=1).mean().reindex(weeks).ffill()
        fte = base.to_numpy() * P.STAFFING_MARGIN
        quarter = np.arange(len(weeks)) // 13
        for q in np.unique(quarter[: len(expected_weekly)]):
            if rng.random() < P.VACANCY_RATE:
                start = int(np.flatnonzero(quarter == q)[0] + rng.integers(0, 6))
                fte[start : start + int(rng.integers(8, 21))] -= min(1.0, 0.2 * fte[start])
        doy = weeks.day_of_year.to_numpy()
        fte *= np.where((doy >= 196) & (doy <= 227), 1 - P.SUMMER_LEAVE, 1.0)
        fte *= np.where((weeks.month == 12) & (weeks.day >= 24), 1 - P.CHRISTMAS_LEAVE, 1.0)
        rows.append(
            pd.DataFrame(
                {"team": team, "week": weeks.strftime("%Y-%m-%d"), "fte_available": np.round(np.maximum(fte, 0.1), 1)}
            )
        )
    return pd.concat(rows, ignore_index=True)


def norms_table(cases: pd.DataFrame) -> pd.DataFrame:
    """Norm hours per team and effort class with the class shares recorded in the cases."""
    rows = []
    for team, hours in P.NORM_HOURS.items():
        term = TEAMS[team].statutory_term_days
        classes = EFFORT_CLASSES if len(hours) == 3 else ("standaard",)
        if len(hours) == 3:
            counts = cases.loc[cases["team"] == team, "effort_class"].value_counts(normalize=True)
            shares = [float(counts.get(c, 0.0)) for c in classes]
            shares = list(np.round(shares, 3))
            shares[-1] = round(1.0 - sum(shares[:-1]), 3)
        else:
            shares = [1.0]
        for cls, h, share in zip(classes, hours, shares, strict=True):
            rows.append(
                {
                    "team": team,
                    "effort_class": cls,
                    "norm_hours": h,
                    "effort_share": share,
                    "productive_hours_per_fte_week": P.PRODUCTIVE_HOURS_PER_FTE_WEEK,
                    "statutory_term_days": "" if term is None else term,
                }
            )
    return pd.DataFrame(rows)
