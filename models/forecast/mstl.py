"""MSTL: several seasons removed by STL, then a damped-trend ETS on what is left (issue 19 item 2).

On the square root of the counts (as ``ets``). Daily series take out the week and, with at least
two years of history, the year (``statsmodels.tsa.seasonal.MSTL``, periods 7 and 365); weekly
series the year (52), monthly series the year (12). The adjusted series is forecast with
ETS(A, Ad, N); each seasonal component is carried forward from its last full cycle (the yearly
one of daily data as a 7-day centred mean: carried as it is, it repeats last year's daily noise).
Bounds come from the ETS prediction intervals (``auto`` replaces them by conformal ones).

A benchmark candidate (``make_forecaster("mstl")``), not one of ``BASE_MODELS``: measured in
docs/benchmarks.md ("Issue 19 item 2: MSTL, tried"), it forecasts worse than ``theta`` and ``ets`` on the
real sets. Its weekly season is a 52-period cycle, which drifts a week against the calendar after
a 53-week year (ADR 0028).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import BaseForecaster, quiet
from models.forecast.ets import ets_fit, fill_gaps, flat, sqrt_forecast

PERIODS = {"D": (7, 365), "W": (52,), "M": (12,)}
HISTORY = {"D": 3 * 365, "W": 260, "M": 120}
SMOOTH = 365  # cycles this long are carried forward as a 7-period centred mean


class MSTLForecaster(BaseForecaster):
    """MSTL seasons + ETS(A, Ad, N) on sqrt(y)."""

    def __init__(self, freq: str = "D", horizon: int = 14):
        self.freq = freq
        self.horizon = horizon

    def _fit_series(self, y: pd.Series) -> Any:
        from statsmodels.tsa.seasonal import MSTL

        z = np.sqrt(fill_gaps(y.iloc[-HISTORY[self.freq] :]))
        if np.ptp(z) == 0:
            return {"constant": float(z[-1])}
        periods = tuple(p for p in PERIODS[self.freq] if len(z) >= 2 * p + 1)
        seasons = np.zeros((len(z), 0))
        if periods:
            with quiet():
                fit = MSTL(z, periods=periods[0] if len(periods) == 1 else periods).fit()
            seasons = np.asarray(fit.seasonal, dtype=float).reshape(len(z), -1)
        adjusted = z - seasons.sum(axis=1)
        state = ets_fit(adjusted, trend=len(z) >= 10)
        return {"ets": state, "periods": periods, "seasons": seasons}

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        h = len(dates)
        if "constant" in state:
            return flat(state["constant"] ** 2, h)
        season = np.zeros(h)
        for j, period in enumerate(state["periods"]):
            last = state["seasons"][-period:, j]
            if period >= SMOOTH:  # a long cycle's component repeats last cycle's noise: a centred mean
                last = np.convolve(np.r_[last[-3:], last, last[:3]], np.ones(7) / 7, mode="valid")
            season += last[np.arange(h) % period]
        return sqrt_forecast(state["ets"], season)
