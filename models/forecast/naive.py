"""Seasonal naive: the same period one season ago. The floor every model must beat."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import BaseForecaster, normal_bounds, recent_mean

FEW = 8  # fewer seasonal differences than this: the spread is at least that of Poisson counts


class SeasonalNaiveForecaster(BaseForecaster):
    """``y[T+h] = y[T+h-m*k]`` with k the number of whole seasons needed; normal intervals from
    the in-sample seasonal differences, widening with the number of seasons ahead (as in
    Hyndman & Athanasopoulos, FPP3 5.5). A missing seasonal value falls back to the most recent
    observed value at that position, then to the mean of the last season. With fewer than ``FEW``
    seasonal differences (a new team) the spread is at least sqrt(level), that of Poisson counts."""

    def __init__(self, freq: str = "W", horizon: int = 13):
        self.freq = freq
        self.horizon = horizon

    def _fit_series(self, y: pd.Series) -> Any:
        m = self.season_length_ if len(y) > self.season_length_ else 1
        values = y.to_numpy(dtype=float)
        diffs = values[m:] - values[:-m] if len(values) > m else np.array([np.nan])
        sigma = float(np.sqrt(np.nanmean(diffs**2))) if np.isfinite(diffs).any() else float(np.nanstd(values))
        sigma = sigma if np.isfinite(sigma) else 0.0
        fallback = recent_mean(y, m)
        if np.isfinite(diffs).sum() < FEW:  # a new team's few counts say little about their spread:
            # at least the spread of Poisson counts at that level (one count of 7 gave a band of 7 to 7)
            level = fallback if np.isfinite(fallback) else 0.0
            sigma = max(sigma, float(np.sqrt(max(level, 1.0))))
        return {"m": m, "sigma": sigma, "fallback": fallback}

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        m = state["m"]
        values = y.to_numpy(dtype=float)
        n = len(values)
        h = np.arange(1, len(dates) + 1)
        mean = np.empty(len(h))
        for i, step in enumerate(h):
            k = (step - 1) // m + 1
            idx = n + step - 1 - m * k
            while idx >= 0 and np.isnan(values[idx]):
                idx -= m
            mean[i] = values[idx] if idx >= 0 else state["fallback"]
        sd = state["sigma"] * np.sqrt((h - 1) // m + 1)
        return pd.DataFrame(normal_bounds(mean, sd))
