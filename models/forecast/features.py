"""Calendar features per period: season (Fourier terms, weekday), public and school holidays.

Holidays come from ``werkwijzer.calendar`` (the ``holidays`` package) for a configurable country
and subdivision; school holidays are known for the Netherlands (regions) and Germany (states).
Weekly and monthly features count or average the days of each period, so the same definitions
serve every frequency.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from models.forecast.frequency import check_freq, label
from werkwijzer.calendar import public_holidays, school_holidays

FOURIER = {"D": 3, "W": 4, "M": 3}


@lru_cache(maxsize=64)
def _daily(
    start: pd.Timestamp,
    end: pd.Timestamp,
    country: str,
    subdiv: str | None,
    school_region: str | None,
) -> pd.DataFrame:
    days = pd.date_range(start, end, freq="D")
    public = public_holidays(days, country, subdiv)
    school = school_holidays(days, country, school_region)
    doy = days.day_of_year.to_numpy()
    christmas = ((days.month == 12) & (days.day >= 24)) | ((days.month == 1) & (days.day == 1))
    return pd.DataFrame(
        {
            "public_holiday": public.astype(float),
            "school_holiday": school.astype(float),
            "christmas": christmas.astype(float),
            "doy": doy.astype(float),
            "workday": ((days.day_of_week < 5) & ~public).astype(float),
        },
        index=days,
    )


def dates_key(dates: pd.DatetimeIndex) -> tuple[str, tuple[int, ...]]:
    """A hashable key of a set of dates, for caches per set of dates (``key_dates`` reverses it)."""
    return (dates.unit, tuple(dates.asi8.tolist()))


def key_dates(key: tuple[str, tuple[int, ...]]) -> pd.DatetimeIndex:
    """The dates of a ``dates_key``."""
    unit, values = key
    return pd.DatetimeIndex(np.asarray(values, dtype=f"datetime64[{unit}]"))


def school_region_for(country: str, subdiv: str | None, nl_region: str | None = "Midden") -> str | None:
    """The school-holiday region: NL uses its regions, other countries their subdivision."""
    return nl_region if country.upper() == "NL" else subdiv


def calendar_features(
    dates: pd.DatetimeIndex,
    freq: str,
    country: str = "NL",
    subdiv: str | None = None,
    school_region: str | None = "Midden",
) -> pd.DataFrame:
    """One row per period label in ``dates``: holiday counts and shares, yearly Fourier terms.

    Remembered per set of dates (a copy is returned): the GLM asks for the same weeks for every
    series of a batch, at every cutoff."""
    dates = pd.DatetimeIndex(dates)
    out = _calendar_features(dates_key(dates), check_freq(freq), country, subdiv, school_region).copy()
    out.index = dates
    return out


@lru_cache(maxsize=256)
def _calendar_features(
    key: tuple[str, tuple[int, ...]],
    freq: str,
    country: str,
    subdiv: str | None,
    school_region: str | None,
) -> pd.DataFrame:
    dates = key_dates(key)
    start = dates.min()
    end = dates.max() + (pd.DateOffset(months=1) if freq == "M" else pd.Timedelta(days=6 if freq == "W" else 0))
    daily = _daily(pd.Timestamp(start), pd.Timestamp(end), country, subdiv, school_region)
    grouped = daily.groupby(label(daily.index, freq))
    out = pd.DataFrame(
        {
            "public_holiday": grouped["public_holiday"].sum() if freq != "D" else grouped["public_holiday"].max(),
            "school_holiday": grouped["school_holiday"].mean(),
            "christmas": grouped["christmas"].mean(),
            "workdays": grouped["workday"].sum(),
            "doy": grouped["doy"].mean() if freq == "D" else grouped["doy"].median(),
        }
    ).reindex(dates)
    year_phase = 2 * np.pi * out.pop("doy").to_numpy() / 365.25
    for k in range(1, FOURIER[freq] + 1):
        out[f"year_sin{k}"] = np.sin(k * year_phase)
        out[f"year_cos{k}"] = np.cos(k * year_phase)
    if freq == "D":
        out["weekday"] = dates.day_of_week.astype(float)
        out = out.drop(columns="workdays")
        # days unlike any other holiday: fireworks, the night's calls, a desk's half day (ADR 0042)
        out["new_year_eve"] = ((dates.month == 12) & (dates.day == 31)).astype(float)
        out["new_year"] = ((dates.month == 1) & (dates.day == 1)).astype(float)
    elif freq == "M":
        out["month"] = dates.month.astype(float)
    return out
