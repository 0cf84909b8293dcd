"""Exponential smoothing (statsmodels ETS) on the square root of the counts.

The square root stabilises the variance of counts, so one additive model fits weekdays and
weekends alike and the back-transformed bounds can never go below zero. Daily (season 7) and
monthly (season 12) series use an additive-seasonal ETS with a damped trend; weekly series
(season 52, too many seasonal states for ETS) are seasonally adjusted first with an index per ISO
calendar week (``models.forecast.season``: a year has 52 or 53 weeks, so a 52-period season
carried forward puts the new-year peak a week early after a 53-week year), and the index of each
future week is added back. Missing periods are interpolated before the fit (ETS needs a
gap-free series), and so are a daily series' recording outages (ADR 0040: a day far below the same
weekday around it would otherwise become the level carried forward).

statsmodels estimates the parameters (maximum likelihood, ``ETSModel.fit``); the states, the
forecast and its variance are then computed here in numpy from those parameters (``ets_fit``,
``ets_path``). statsmodels' results object would do the same, but building it (a numerical
Hessian for the parameters' covariance, which a forecast does not use) and its prediction
object took a third of the time of a weekly fit, and the fitted state is now plain numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS, OUTPUT, BaseForecaster, normal_bounds, quiet
from models.forecast.outages import low_when_closed, outage_counts
from models.forecast.season import WEEKS, week_of_year, weekly_index

SHRINK = True  # the weekly index pulled towards no season as far as its noise goes (ADR 0036)
HISTORY = {"D": 730, "W": 260, "M": 120}
OUTAGE_FILL = "usual"  # an outage day becomes the usual count of its weekday ("usual") or is interpolated


def fill_gaps(y: pd.Series, freq: str | None = None, keep: np.ndarray | None = None) -> np.ndarray:
    """The values with missing periods interpolated; with ``freq``, a daily series' recording
    outages (``models.forecast.outages``) are replaced too: by the median of their weekday in the
    weeks around them (``OUTAGE_FILL``), which a straight line between the neighbouring days
    misses (a Monday between a Sunday and a Tuesday). ``keep`` marks closed days (a holiday):
    their low count is kept as real unless it is low for what the series counts on such days
    (``low_when_closed``: a service that stays open)."""
    if freq is not None:
        counts = y.to_numpy(dtype=float)
        outage, usual = outage_counts(counts, freq)
        if keep is not None and usual is not None and (outage & keep).any():
            keep = keep & ~low_when_closed(counts, usual, keep)
        skip = outage if keep is None else outage & ~keep
        y = y.mask(skip)
        if OUTAGE_FILL == "usual" and usual is not None and skip.any():
            y = y.where(~(skip & np.isfinite(usual)), usual)
    values = y.interpolate(limit_direction="both").to_numpy(dtype=float)
    return np.nan_to_num(values, nan=0.0)


def flat(value: float, h: int) -> pd.DataFrame:
    """``h`` periods of ``value`` with bounds equal to it (a constant history)."""
    return pd.DataFrame({c: np.full(h, value) for c in OUTPUT})


def ets_model(z: np.ndarray, trend: bool, season: int | None = None) -> Any:
    """statsmodels' ETS with additive errors, a damped trend or none, an additive season or none."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    return ETSModel(
        pd.Series(z),
        error="add",
        trend="add" if trend else None,
        damped_trend=trend,
        seasonal="add" if season else None,
        seasonal_periods=season,
    )


def ets_fit(z: np.ndarray, trend: bool, season: int | None = None) -> dict[str, Any]:
    """ETS with additive errors (A, Ad or N, A or N) fitted to ``z`` by statsmodels' maximum
    likelihood, kept as plain numbers: the smoothing parameters, the states after the last
    period (for a season: its last ``season`` values, oldest first) and the residual variance."""
    with quiet():
        model = ets_model(z, trend, season)
        params = dict(zip(model.param_names, model.fit(disp=False, maxiter=200, return_params=True), strict=True))
    return ets_smooth(z, params, season)


def ets_smooth(z: np.ndarray, params: dict[str, float], season: int | None = None) -> dict[str, Any]:
    """Run the ETS(A, Ad, A) recursions (Hyndman et al. 2008, table 2.3) over ``z`` with
    statsmodels' parameters (names as ``ETSModel.param_names``; a missing trend or season is
    zero). statsmodels lists the initial season newest first."""
    alpha = float(params["smoothing_level"])
    beta = float(params.get("smoothing_trend", 0.0))
    gamma = float(params.get("smoothing_seasonal", 0.0))
    phi = float(params.get("damping_trend", 1.0))
    level = float(params["initial_level"])
    slope = float(params.get("initial_trend", 0.0))
    m = season or 0
    seasons = np.zeros(m + len(z))
    seasons[:m] = [params[f"initial_seasonal.{j}"] for j in reversed(range(m))]
    sse = 0.0
    for t, value in enumerate(z.tolist()):
        s = seasons[t] if m else 0.0
        error = value - (level + phi * slope + s)
        sse += error * error
        level, slope = level + phi * slope + alpha * error, phi * slope + beta * error
        if m:
            seasons[m + t] = s + gamma * error
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "phi": phi,
        "level": level,
        "slope": slope,
        "seasons": seasons[len(z) :] if m else None,
        "sigma2": sse / max(len(z), 1),
    }


def ets_path(state: dict[str, Any], h: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the next ``h`` values of a fitted ``ets_fit`` state: the point
    forecast of the recursions without errors, and sigma^2 (1 + sum_j c_j^2) with
    c_j = alpha + beta (phi + ... + phi^j) + gamma [j is a whole number of seasons]
    (Hyndman et al. 2008, section 6.3)."""
    steps = np.arange(1, h + 1)
    damped = np.cumsum(state["phi"] ** steps.astype(float))
    mean = state["level"] + damped * state["slope"]
    seasons = state["seasons"]
    m = 0 if seasons is None else len(seasons)
    if m:
        mean = mean + seasons[(steps - 1) % m]
    c = state["alpha"] + state["beta"] * damped[:-1]
    if m:
        c = c + state["gamma"] * (steps[:-1] % m == 0)
    variance = state["sigma2"] * (1.0 + np.r_[0.0, np.cumsum(c**2)])
    return mean, variance


def sqrt_forecast(state: dict[str, Any], season: np.ndarray, widen: float = 1.0) -> pd.DataFrame:
    """The next ``len(season)`` periods of an ``ets_fit`` state fitted on the square root of
    the counts, with ``season`` added back on that scale and then squared: the mean gets the
    forecast variance (E[Z^2] = E[Z]^2 + Var Z), the bounds are the squared normal bounds, their
    distance from the centre multiplied by ``widen``."""
    centre, variance = ets_path(state, len(season))
    variance = np.maximum(variance, 0.0)
    bounds = normal_bounds(centre, widen * np.sqrt(variance))
    out = {"mean": np.maximum(centre + season, 0.0) ** 2 + variance * widen**2}
    for level in LEVELS:
        for side in ("lo", "hi"):
            out[f"{side}_{level}"] = np.maximum(bounds[f"{side}_{level}"] + season, 0.0) ** 2
    return pd.DataFrame(out)


class ETSForecaster(BaseForecaster):
    """ETS(A, Ad, A) on sqrt(y), or a calendar-week index + ETS(A, Ad, N) for weekly data."""

    def __init__(self, freq: str = "W", horizon: int = 13, max_history: int | None = None):
        self.freq = freq
        self.horizon = horizon
        self.max_history = max_history

    def _fit_series(self, y: pd.Series) -> Any:
        limit = self.max_history or HISTORY[self.freq]
        z = np.sqrt(fill_gaps(y.iloc[-limit:], self.freq))
        m = self.season_length_
        seasonal = np.zeros(len(z))
        index = None
        by_week = self.freq == "W" and len(z) >= 2 * WEEKS + 1
        if by_week:
            weeks = week_of_year(pd.DatetimeIndex(y.index[-len(z) :]))
            index = weekly_index(z, weeks, multiplicative=False, shrink=SHRINK)
            seasonal = index[weeks]
        ets_season = m if (not by_week and self.freq != "W" and len(z) >= 2 * m + 2) else None
        if np.ptp(z) == 0:
            return {"constant": float(z[-1]), "index": None}
        state = ets_fit(z - seasonal, trend=len(z) >= 10, season=ets_season)
        # A seasonal index from a few years absorbs part of the noise, so the ETS residuals
        # understate it; half the variance of the seasonal differences is a floor.
        widen = 1.0
        if by_week:
            diffs = z[m:] - z[:-m]
            floor = float(np.std(diffs) / np.sqrt(2.0))
            widen = max(1.0, floor / max(float(np.sqrt(state["sigma2"])), 1e-9))
        return {**state, "index": index, "last_season": float(seasonal[-1]), "widen": widen}

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        h = len(dates)
        if "constant" in state:
            return flat(state["constant"] ** 2, h)
        season = np.zeros(h) if state["index"] is None else state["index"][week_of_year(dates)]
        return sqrt_forecast(state, season, state["widen"])

    def components(self) -> pd.DataFrame:
        """Level, trend and season of each series at its last period, on the square-root scale."""
        rows = []
        for sid, state in self.states_.items():
            if "constant" in state:
                rows.append({"series_id": sid, "level": state["constant"], "trend": 0.0, "season": 0.0})
                continue
            if state["index"] is not None:
                season = state["last_season"]
            else:
                season = float(state["seasons"][-1]) if state["seasons"] is not None else 0.0
            rows.append({"series_id": sid, "level": state["level"], "trend": state["slope"], "season": season})
        return pd.DataFrame(rows)
