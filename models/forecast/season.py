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


def position_means(detrended: np.ndarray, positions: np.ndarray, m: int, neutral: float, shrink: bool) -> np.ndarray:
    """The mean of the detrended values per position of the season (``neutral`` where there is
    none); with ``shrink``, each mean is pulled towards the mean of all positions as far as its
    own noise goes (empirical Bayes): weight tau^2 / (tau^2 + s^2 / count), with s^2 the pooled
    spread within the positions and tau^2 what the spread between the means holds beyond that
    noise. A season that is mostly noise (a few years of 52 weekly indices) is then mostly left
    out; a clear one is kept whole."""
    known = np.isfinite(detrended)
    x, at = detrended[known], positions[known]
    total = np.bincount(at, x, minlength=m)
    count = np.bincount(at, minlength=m)
    means = np.divide(total, count, out=np.full(m, neutral), where=count > 0)
    seen = count > 0
    if not shrink or seen.sum() < 2 or len(x) <= seen.sum():
        return means
    within = float(((x - means[at]) ** 2).sum() / (len(x) - seen.sum()))
    noise = within / count[seen]
    centre = float(means[seen].mean())
    tau2 = max(float(((means[seen] - centre) ** 2).mean() - noise.mean()), 0.0)
    weight = tau2 / (tau2 + noise) if tau2 > 0 else np.zeros_like(noise)
    means[seen] = centre + weight * (means[seen] - centre)
    return means


def weekly_index(values: np.ndarray, weeks: np.ndarray, multiplicative: bool, shrink: bool = False) -> np.ndarray:
    """The classical seasonal index per week of the year (mean 1, or 0 when additive): the
    values against their centred 52-week moving average, averaged per calendar week (Theta's
    ``seasonal_indices`` averages per position of a 52-period cycle instead); with ``shrink``,
    each week's mean pulled towards the others' as far as its noise goes (``position_means``)."""
    n = len(values)
    weights = np.r_[0.5, np.ones(WEEKS - 1), 0.5] / WEEKS
    centre = np.full(n, np.nan)
    centre[WEEKS // 2 : WEEKS // 2 + n - WEEKS] = np.convolve(values, weights, mode="valid")
    detrended = values / centre if multiplicative else values - centre
    index = position_means(detrended, weeks, WEEKS, 1.0 if multiplicative else 0.0, shrink)
    return index / index.mean() if multiplicative else index - index.mean()
