"""Exponential smoothing (statsmodels ETS) on the square root of the counts.

The square root stabilises the variance of counts, so one additive model fits weekdays and
weekends alike and the back-transformed bounds can never go below zero. Daily (season 7) and
monthly (season 12) series use an additive-seasonal ETS with a damped trend; weekly series
(season 52, too many seasonal states for ETS) are seasonally adjusted first with an index per ISO
calendar week (``models.forecast.season``: a year has 52 or 53 weeks, so a 52-period season
carried forward puts the new-year peak a week early after a 53-week year), and the index of each
future week is added back. Missing periods are interpolated before the fit (ETS needs a
gap-free series).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS, OUTPUT, BaseForecaster
from models.forecast.season import WEEKS, week_of_year, weekly_index

HISTORY = {"D": 730, "W": 260, "M": 120}


def fill_gaps(y: pd.Series) -> np.ndarray:
    values = y.interpolate(limit_direction="both").to_numpy(dtype=float)
    return np.nan_to_num(values, nan=0.0)


def flat(value: float, h: int) -> pd.DataFrame:
    """``h`` periods of ``value`` with bounds equal to it (a constant history)."""
    return pd.DataFrame({c: np.full(h, value) for c in OUTPUT})


def sqrt_forecast(result: Any, n: int, season: np.ndarray, widen: float = 1.0) -> pd.DataFrame:
    """The next ``len(season)`` periods of an ETS ``result`` fitted on the square root of the
    counts (``n`` periods), with ``season`` added back on that scale and then squared: the mean
    gets the forecast variance (E[Z^2] = E[Z]^2 + Var Z), the bounds are the squared ETS bounds,
    their distance from the centre multiplied by ``widen``."""
    h = len(season)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = result.get_prediction(start=n, end=n + h - 1)
        frames = {level: prediction.summary_frame(alpha=1 - level / 100) for level in LEVELS}
    mean_z = frames[80]["mean"].to_numpy() + season
    var_z = np.asarray(
        prediction.var_pred_mean if hasattr(prediction, "var_pred_mean") else prediction.forecast_variance,
        dtype=float,
    )
    var_z = np.maximum(var_z, 0.0) * widen**2
    out = {"mean": np.maximum(mean_z, 0.0) ** 2 + var_z}
    centre = frames[80]["mean"].to_numpy()
    for level, frame in frames.items():
        lo = centre - widen * (centre - frame["pi_lower"].to_numpy())
        hi = centre + widen * (frame["pi_upper"].to_numpy() - centre)
        out[f"lo_{level}"] = np.maximum(lo + season, 0.0) ** 2
        out[f"hi_{level}"] = np.maximum(hi + season, 0.0) ** 2
    return pd.DataFrame(out)


class ETSForecaster(BaseForecaster):
    """ETS(A, Ad, A) on sqrt(y), or a calendar-week index + ETS(A, Ad, N) for weekly data."""

    def __init__(self, freq: str = "W", horizon: int = 13, max_history: int | None = None):
        self.freq = freq
        self.horizon = horizon
        self.max_history = max_history

    def _fit_series(self, y: pd.Series) -> Any:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        limit = self.max_history or HISTORY[self.freq]
        z = np.sqrt(fill_gaps(y.iloc[-limit:]))
        m = self.season_length_
        seasonal = np.zeros(len(z))
        index = None
        by_week = self.freq == "W" and len(z) >= 2 * WEEKS + 1
        if by_week:
            weeks = week_of_year(pd.DatetimeIndex(y.index[-len(z) :]))
            index = weekly_index(z, weeks, multiplicative=False)
            seasonal = index[weeks]
        ets_seasonal = "add" if (not by_week and self.freq != "W" and len(z) >= 2 * m + 2) else None
        trend = "add" if len(z) >= 10 else None
        if np.ptp(z) == 0:
            return {"constant": float(z[-1]), "index": None}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ETSModel(
                pd.Series(z - seasonal),
                error="add",
                trend=trend,
                damped_trend=trend is not None,
                seasonal=ets_seasonal,
                seasonal_periods=m if ets_seasonal else None,
            )
            result = model.fit(disp=False, maxiter=200)
        # A seasonal index from a few years absorbs part of the noise, so the ETS residuals
        # understate it; half the variance of the seasonal differences is a floor.
        widen = 1.0
        if by_week:
            diffs = z[m:] - z[:-m]
            floor = float(np.std(diffs) / np.sqrt(2.0))
            widen = max(1.0, floor / max(float(np.sqrt(result.mse)), 1e-9))
        return {
            "result": result,
            "index": index,
            "seasonal": seasonal,
            "n": len(z),
            "widen": widen,
        }

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        h = len(dates)
        if "constant" in state:
            return flat(state["constant"] ** 2, h)
        season = np.zeros(h) if state["index"] is None else state["index"][week_of_year(dates)]
        return sqrt_forecast(state["result"], state["n"], season, state.get("widen", 1.0))

    def components(self) -> pd.DataFrame:
        """Level, trend and season of each series at its last period, on the square-root scale."""
        rows = []
        for sid, state in self.states_.items():
            if "result" not in state:
                rows.append({"series_id": sid, "level": state["constant"], "trend": 0.0, "season": 0.0})
                continue
            result = state["result"]
            level = float(np.asarray(result.level)[-1])
            slope = float(np.asarray(result.slope)[-1]) if result.model.has_trend else 0.0
            season = (
                float(state["seasonal"][-1])
                if state["index"] is not None
                else (float(np.asarray(result.season)[-1]) if result.model.has_seasonal else 0.0)
            )
            rows.append({"series_id": sid, "level": level, "trend": slope, "season": season})
        return pd.DataFrame(rows)
