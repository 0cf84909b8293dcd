"""Automatic exponential smoothing (statsmodels ``ETSModel``), the form chosen per series by AICc.

Per series the candidates are: additive error, and multiplicative error when every count is
positive; no trend, a damped additive trend or an additive trend; and, when there are at least
two full seasons plus two periods, no season or a season of the error's kind (7 for daily
data, 12 for monthly data). The fit with the lowest AICc (Hyndman et al. 2008, as in R's
``ets`` and statsforecast's AutoETS) is kept, on the counts themselves.

Weekly data (season 52) on a few years has too many seasonal states for ETS, and a season of
exactly 52 weeks drifts a day a year against the calendar. So the weekly season is taken out
first: a seasonal index per ISO week of the year (week 53 counts as week 52) from the classical
decomposition (the counts against their centred 52-week moving average, averaged per week of
the year), multiplicative when every count is positive; the ETS choice is then made on the
adjusted series, and the forecast (mean and bounds) is put back into season with the index of
each future week. Missing periods are interpolated first (ETS needs a gap-free series).

The fitted state per series is plain numbers (the chosen form and its parameters); the
forecast re-runs the smoother with those parameters on the training history. Bounds: the
model's own, analytic for additive forms and from 500 simulated paths (fixed seed) otherwise.

A benchmark candidate (``make_forecaster("autoets")``), not one of ``auto``'s candidates nor a
model the forecast flow runs: in place of ``ets`` it made ``auto`` worse on the simulated weekly
set, on Berlin daily it is worse than ``ets``, and a fit takes about 1.6 times as long
(docs/benchmarks.md, "Issue 19 item 2").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS, BaseForecaster, quiet
from models.forecast.ets import HISTORY, fill_gaps
from models.forecast.season import WEEKS, week_of_year, weekly_index

PATHS = 500
TRENDS: tuple[tuple[str | None, bool], ...] = ((None, False), ("add", True), ("add", False))


def forms(positive: bool, season: int | None) -> list[dict[str, Any]]:
    """Every ETS form tried for one series."""
    out = []
    for error in ("add", "mul") if positive else ("add",):
        for trend, damped in TRENDS:
            for seasonal in (None, error) if season else (None,):
                out.append(
                    {
                        "error": error,
                        "trend": trend,
                        "damped_trend": damped,
                        "seasonal": seasonal,
                        "seasonal_periods": season if seasonal else None,
                    }
                )
    return out


def ets_model(values: np.ndarray, form: dict[str, Any]) -> Any:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    return ETSModel(pd.Series(values), initialization_method="heuristic", **form)


def best_fit(values: np.ndarray, season: int | None, maxiter: int) -> tuple[dict[str, Any], Any] | None:
    """The form with the lowest AICc and its fitted result (None when no form fits)."""
    positive = bool(values.min() > 0)
    best: tuple[float, dict[str, Any], Any] | None = None
    with quiet():
        for form in forms(positive, season):
            try:
                result = ets_model(values, form).fit(disp=False, maxiter=maxiter)
            except (ValueError, np.linalg.LinAlgError):
                continue
            score = float(result.aicc)
            if np.isfinite(score) and (best is None or score < best[0]):
                best = (score, form, result)
    return None if best is None else (best[1], best[2])


class AutoETSForecaster(BaseForecaster):
    """ETS with error, trend, damping and season chosen per series by AICc; weekly data
    seasonally adjusted per calendar week first."""

    def __init__(
        self,
        freq: str = "W",
        horizon: int = 13,
        max_history: int | None = None,
        maxiter: int = 200,
        random_state: int = 0,
    ):
        self.freq = freq
        self.horizon = horizon
        self.max_history = max_history
        self.maxiter = maxiter
        self.random_state = random_state

    def _adjusted(self, y: pd.Series) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """The gap-filled history, seasonally adjusted when weekly: (values, index, multiplicative)."""
        values = fill_gaps(y.iloc[-(self.max_history or HISTORY[self.freq]) :])
        multiplicative = bool(values.min() > 0)
        if self.freq != "W" or len(values) < 2 * WEEKS:
            return values, None, multiplicative
        weeks = week_of_year(pd.DatetimeIndex(y.index[-len(values) :]))
        index = weekly_index(values, weeks, multiplicative)
        adjusted = values / index[weeks] if multiplicative else values - index[weeks]
        return adjusted, index, multiplicative

    def _fit_series(self, y: pd.Series) -> Any:
        values, index, multiplicative = self._adjusted(y)
        if len(values) < 10 or np.ptp(values) == 0:
            return {"constant": float(values[-1]) if len(values) else 0.0}
        m = self.season_length_
        season = m if self.freq != "W" and len(values) >= 2 * m + 2 else None
        found = best_fit(values, season, int(self.maxiter))
        if found is None:
            return {"constant": float(values[-1])}
        form, result = found
        return {
            "form": form,
            "params": np.asarray(result.params, dtype=float),
            "index": index,
            "multiplicative": multiplicative,
        }

    def _smoothed(self, state: dict[str, Any], y: pd.Series) -> tuple[Any, np.ndarray]:
        """The fitted result rebuilt from the stored parameters, and the adjusted history."""
        values, _, _ = self._adjusted(y)
        with quiet():
            return ets_model(values, state["form"]).smooth(state["params"]), values

    def _reseason(self, state: dict[str, Any], dates: pd.DatetimeIndex, frame: dict[str, np.ndarray]) -> dict:
        if state.get("index") is None:
            return frame
        season = state["index"][week_of_year(dates)]
        if state["multiplicative"]:
            return {k: v * season for k, v in frame.items()}
        return {k: v + season for k, v in frame.items()}

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        h = len(dates)
        if "constant" in state:
            value = np.full(h, state["constant"])
            out = self._reseason(state, dates, {c: value for c in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")})
            return pd.DataFrame(out)
        result, values = self._smoothed(state, y)
        n = len(values)
        with quiet():
            prediction = result.get_prediction(
                start=n,
                end=n + h - 1,
                simulate_repetitions=PATHS,
                rng=np.random.default_rng(self.random_state),
            )
            frame = {"mean": np.asarray(prediction.predicted_mean, dtype=float)}
            for level in LEVELS:
                bounds = prediction.summary_frame(alpha=1 - level / 100)
                frame[f"lo_{level}"] = bounds["pi_lower"].to_numpy(dtype=float)
                frame[f"hi_{level}"] = bounds["pi_upper"].to_numpy(dtype=float)
        return pd.DataFrame(self._reseason(state, dates, frame))

    def components(self) -> pd.DataFrame:
        """Level, trend (per period) and season of each series at its last period, in counts."""
        rows = []
        for sid, state in self.states_.items():
            y = self.history_[sid]
            last = pd.DatetimeIndex(y.index[-1:])
            if "constant" in state:
                level, slope, factor = state["constant"], 0.0, None
            else:
                result, _ = self._smoothed(state, y)
                level = float(np.asarray(result.level)[-1])
                slope = float(np.asarray(result.slope)[-1]) if result.model.has_trend else 0.0
                factor = float(np.asarray(result.season)[-1]) if result.model.has_seasonal else None
                if factor is not None and state["form"]["seasonal"] == "mul":
                    factor = level * (factor - 1.0)
            if state.get("index") is not None:
                s = float(state["index"][week_of_year(last)][0])
                factor = level * (s - 1.0) if state["multiplicative"] else s
            rows.append({"series_id": sid, "level": level, "trend": slope, "season": factor or 0.0})
        return pd.DataFrame(rows)
