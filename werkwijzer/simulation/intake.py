"""Daily intake per team: weekday pattern x holidays x season x trend x break x latent level, NB noise."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from werkwijzer.calendar import public_holidays, school_holidays
from werkwijzer.simulation import parameters as P


def break_date(start: dt.date, end: dt.date) -> pd.Timestamp:
    """1 January of the year nearest to STEP_AT_SHARE of the window (the policy change)."""
    point = pd.Timestamp(start) + (pd.Timestamp(end) - pd.Timestamp(start)) * P.STEP_AT_SHARE
    year = point.year + (1 if point.day_of_year > 183 else 0)
    return pd.Timestamp(year=year, month=1, day=1)


def expected_daily(days: pd.DatetimeIndex, inhabitants: int, region: str = "Midden") -> pd.DataFrame:
    """Expected intake per day and team, before the latent level and the noise."""
    public = public_holidays(days, "NL")
    school = school_holidays(days, "NL", region)
    doy = days.day_of_year.to_numpy()
    years = (days - days[0]).days.to_numpy() / 365.25
    jan = np.exp(-0.5 * (((doy - 12 + 183) % 365.25 - 183) / 14.0) ** 2)
    summer = (doy >= 196) & (doy <= 227)
    brk = break_date(days[0].date(), days[-1].date())
    scale = inhabitants / 100_000
    out = {}
    for team, p in P.INTAKE.items():
        mu = np.full(len(days), p.yearly / 365.25 * scale)
        weekday = np.asarray(p.weekday)
        mu *= weekday[days.day_of_week] / weekday.mean()
        mu *= np.where(public, p.public_holiday, 1.0)
        mu *= np.where(school, p.school_holiday, 1.0)
        mu *= np.where(summer, p.summer, 1.0)
        mu *= 1.0 + p.january_peak * jan
        mu *= (1.0 + p.trend) ** years
        if p.step:
            mu *= np.where(days >= brk, 1.0 + p.step, 1.0)
        out[team] = mu
    return pd.DataFrame(out, index=days)


def simulate_intake(days: pd.DatetimeIndex, inhabitants: int, rng: np.random.Generator) -> pd.DataFrame:
    """Integer daily counts per team (columns) with overdispersed noise and a persistent weekly level."""
    mu = expected_daily(days, inhabitants)
    week = ((days - days[0]).days // 7).to_numpy()
    n_weeks = int(week.max()) + 1
    counts = {}
    for team, p in P.INTAKE.items():
        shocks = rng.normal(0.0, P.WEEKLY_LEVEL_SD, n_weeks)
        level = np.empty(n_weeks)
        level[0] = shocks[0]
        for i in range(1, n_weeks):
            level[i] = P.WEEKLY_LEVEL_PHI * level[i - 1] + shocks[i]
        rate = mu[team].to_numpy() * np.exp(level[week])
        k = p.dispersion
        counts[team] = rng.negative_binomial(k, k / (k + rate))
    return pd.DataFrame(counts, index=days)


def to_long(daily: pd.DataFrame) -> pd.DataFrame:
    long = daily.rename_axis("date").reset_index().melt(id_vars="date", var_name="series_id", value_name="value")
    long["date"] = long["date"].dt.strftime("%Y-%m-%d")
    return long[["series_id", "date", "value"]].sort_values(["series_id", "date"], kind="stable")


def weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Weekly totals, each week labelled by its Monday (the window starts on a Monday)."""
    return daily.resample("W-MON", label="left", closed="left").sum()
