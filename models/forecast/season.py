"""The weekly season by calendar week: a year has 52 or 53 ISO weeks, so a season of exactly 52
periods drifts against the calendar (after a 53-week year it puts the new-year peak a week early).
Weekly models take the season per ISO week of the year instead."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKS = 52


def week_of_year(dates: pd.DatetimeIndex) -> np.ndarray:
    """0-based ISO week of the year of each date; week 53 joins week 52. In numpy: the ISO week is
    the week of the year of the date's Thursday (pandas' ``isocalendar`` took about a millisecond a
    call, and weekly models call this for every series at every fit)."""
    days = np.asarray(dates.values, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # Monday 0; 1970-01-01 was a Thursday
    thursday = days + (3 - weekday)
    day_of_year = (thursday - thursday.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64)
    return np.minimum(day_of_year // 7, WEEKS - 1)


def weekly_index(values: np.ndarray, weeks: np.ndarray, multiplicative: bool) -> np.ndarray:
    """The classical seasonal index per week of the year (mean 1, or 0 when additive): the
    values against their centred 52-week moving average, averaged per calendar week (Theta's
    ``seasonal_indices`` averages per position of a 52-period cycle instead)."""
    n = len(values)
    weights = np.r_[0.5, np.ones(WEEKS - 1), 0.5] / WEEKS
    centre = np.full(n, np.nan)
    centre[WEEKS // 2 : WEEKS // 2 + n - WEEKS] = np.convolve(values, weights, mode="valid")
    detrended = values / centre if multiplicative else values - centre
    known = np.isfinite(detrended)
    total = np.bincount(weeks[known], detrended[known], minlength=WEEKS)
    count = np.bincount(weeks[known], minlength=WEEKS)
    neutral = 1.0 if multiplicative else 0.0
    index = np.divide(total, count, out=np.full(WEEKS, neutral), where=count > 0)
    return index / index.mean() if multiplicative else index - index.mean()
