"""Public and school holidays for any country the ``holidays`` package knows.

School holidays are available for the Netherlands (regions Noord, Midden, Zuid) from 2020 on;
for other countries or years the school-holiday flag is simply False.
"""

from __future__ import annotations

from collections.abc import Iterable

import holidays
import numpy as np
import pandas as pd


def _years(dates: pd.DatetimeIndex) -> list[int]:
    return list(range(int(dates.year.min()), int(dates.year.max()) + 1))


def check_calendar(country: str, subdiv: str | None = None) -> None:
    """Raise ValueError, naming what is available, when ``holidays`` has no calendar for
    ``country`` (an ISO 3166 code such as NL or DE) or for its subdivision ``subdiv``."""
    try:
        holidays.country_holidays(country, subdiv=subdiv, years=[2024])
    except NotImplementedError:
        known = holidays.list_supported_countries()
        if country not in known:
            raise ValueError(
                f"no holiday calendar for country {country!r}: expected an ISO 3166 code such as NL, BE or DE"
            ) from None
        listed = ", ".join(known[country][:20]) or "none"
        raise ValueError(f"country {country} has no subdivision {subdiv!r}: expected one of {listed}") from None


def public_holidays(dates: Iterable, country: str = "NL", subdiv: str | None = None) -> np.ndarray:
    """Boolean array: is each date a public holiday."""
    index = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(dates, pd.DatetimeIndex) else dates))
    calendar = holidays.country_holidays(country, subdiv=subdiv, years=_years(index))
    days = set(calendar.keys())
    return np.array([d in days for d in index.date], dtype=bool)


def school_holidays(dates: Iterable, country: str = "NL", region: str | None = "Midden") -> np.ndarray:
    """Boolean array: does each date fall in a school holiday (False where unknown)."""
    index = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(dates, pd.DatetimeIndex) else dates))
    try:
        calendar = holidays.country_holidays(country, subdiv=region, years=_years(index), categories=("school",))
    except (NotImplementedError, ValueError, KeyError):
        return np.zeros(len(index), dtype=bool)
    days = set(calendar.keys())
    return np.array([d in days for d in index.date], dtype=bool)
