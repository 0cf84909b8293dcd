"""The Theta method (Assimakopoulos & Nikolopoulos 2000, the M3 winner, in the form of Hyndman &
Billah 2003): simple exponential smoothing with a drift of half the linear trend, on the
seasonally adjusted series, then re-seasonalised.

Seasonal adjustment is the classical decomposition (centred moving average, seasonal indices
averaged per position; for weekly data per ISO calendar week, ``models.forecast.season``),
multiplicative when every count is positive and additive otherwise, and only when there are at
least two full seasons; each index is pulled towards no season as far as its own noise goes
(``season.position_means``, ADR 0036: five years give each of 52 weekly indices five values,
mostly noise on a weak season). The smoothing parameter minimises the one-step squared error
over a grid. Bounds: normal, with the SES variance
sigma^2 (1 + (h - 1) alpha^2) (``auto`` replaces them by conformal ones). Missing periods are
interpolated, and so are a daily series' recording outages (ADR 0040). Written in numpy because
statsmodels' ``ThetaModel`` fits two state-space models per series (about 40 times slower, which
matters for thousands of series).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import BaseForecaster, normal_bounds
from models.forecast.ets import fill_gaps
from models.forecast.season import position_means, week_of_year, weekly_index

HISTORY = {"D": 730, "W": 260, "M": 120}
ALPHAS = np.linspace(0.02, 0.98, 49)
SHRINK = True  # seasonal indices pulled towards none as far as their noise goes (ADR 0036)


def seasonal_indices(values: np.ndarray, m: int, multiplicative: bool, shrink: bool = False) -> np.ndarray:
    """Classical decomposition: per position in the season, the mean ratio (or difference) of
    the values to their centred moving average (with ``shrink``, pulled towards the mean of all
    positions as ``season.position_means`` says); normalised to mean 1 (or 0)."""
    n = len(values)
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(values, weights, mode="valid")
    offset = (len(weights) - 1) // 2
    centre = np.full(n, np.nan)
    centre[offset : offset + len(trend)] = trend
    detrended = values / centre if multiplicative else values - centre
    index = position_means(detrended, np.arange(n) % m, m, 1.0 if multiplicative else 0.0, shrink)
    return index / index.mean() if multiplicative else index - index.mean()


def ses_path(values: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Final level and one-step sum of squared errors of SES for every alpha at once."""
    level = np.full(len(alphas), values[0])
    sse = np.zeros(len(alphas))
    for v in values[1:]:
        err = v - level
        sse += err**2
        level = level + alphas * err
    return level, sse


class ThetaForecaster(BaseForecaster):
    """Theta: SES with half the linear-trend drift on the deseasonalised counts."""

    def __init__(self, freq: str = "W", horizon: int = 13, max_history: int | None = None):
        self.freq = freq
        self.horizon = horizon
        self.max_history = max_history

    def _fit_series(self, y: pd.Series) -> Any:
        values = fill_gaps(y.iloc[-(self.max_history or HISTORY[self.freq]) :], self.freq)
        m = self.season_length_
        n = len(values)
        if n < 4 or np.ptp(values) == 0:
            return {"constant": float(values[-1]) if n else 0.0}
        multiplicative = bool(values.min() > 0)
        by_week = self.freq == "W"
        position = week_of_year(pd.DatetimeIndex(y.index[-n:])) if by_week else np.arange(n) % m
        if n < 2 * m:
            index = np.full(m, 1.0 if multiplicative else 0.0)
        elif by_week:
            index = weekly_index(values, position, multiplicative, SHRINK)
        else:
            index = seasonal_indices(values, m, multiplicative, SHRINK)
        adjusted = values / index[position] if multiplicative else values - index[position]
        levels, sse = ses_path(adjusted, ALPHAS)
        best = int(np.argmin(sse))
        slope = np.polyfit(np.arange(n, dtype=float), adjusted, 1)[0]
        return {
            "level": float(levels[best]),
            "alpha": float(ALPHAS[best]),
            "drift": float(slope / 2),
            "sigma": float(np.sqrt(sse[best] / max(n - 1, 1))),
            "index": index,
            "n": n,
            "multiplicative": multiplicative,
        }

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        h = np.arange(1, len(dates) + 1, dtype=float)
        if "constant" in state:
            value = np.full(len(h), state["constant"])
            return pd.DataFrame({"mean": value, **{c: value for c in ("lo_80", "hi_80", "lo_95", "hi_95")}})
        alpha, n = state["alpha"], state["n"]
        drift = state["drift"] * (h - 1 + 1 / alpha - (1 - alpha) ** n / alpha)
        adjusted = state["level"] + drift
        sd = state["sigma"] * np.sqrt(1 + (h - 1) * alpha**2)
        if self.freq == "W":
            season = state["index"][week_of_year(dates)]
        else:
            season = state["index"][(n + h.astype(int) - 1) % len(state["index"])]
        bounds = normal_bounds(adjusted, sd)
        if state["multiplicative"]:
            return pd.DataFrame({k: v * season for k, v in bounds.items()})
        return pd.DataFrame({k: v + season for k, v in bounds.items()})
