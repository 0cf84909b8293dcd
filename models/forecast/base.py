"""What every forecaster shares: the input it accepts, the grid it works on, the frame it returns.

A forecaster follows the scikit-learn contract with a long table as ``X``: columns ``series_id``
and ``date`` (one row per series and period) and the observed counts as ``y`` (NaN = missing).
``predict(X)`` returns the mean for rows of ``X`` that lie after the training data;
``predict_interval(X)`` adds the 80 % and 95 % bounds, never below zero.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from models.forecast.frequency import check_freq, future, regularize, season_length, to_series

OUTPUT = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")
LEVELS = (80, 95)

_quiet_lock = threading.Lock()
_quiet_count = 0
_quiet_saved: Any = None


@contextmanager
def quiet() -> Iterator[None]:
    """Ignore warnings while statsmodels fits (convergence, start values), from any thread.

    ``warnings.catch_warnings`` is not thread-safe: the flow fits batches in threads, and one thread
    leaving its own block restored the filters while another was still inside, so a warning escaped
    (an error under the test suite's filters). Here every thread shares one block: the filters are
    set to ignore when the first thread enters and restored when the last one leaves."""
    global _quiet_count, _quiet_saved
    with _quiet_lock:
        if _quiet_count == 0:
            _quiet_saved = warnings.catch_warnings()
            _quiet_saved.__enter__()
            warnings.simplefilter("ignore")
        _quiet_count += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_count -= 1
            if _quiet_count == 0:
                _quiet_saved.__exit__(None, None, None)
                _quiet_saved = None


def as_long(X: pd.DataFrame, y: Any | None = None) -> pd.DataFrame:
    """The ``series_id,date,value`` frame of ``X`` and ``y``; raises ValueError on a wrong shape."""
    if not isinstance(X, pd.DataFrame) or not {"series_id", "date"} <= set(X.columns):
        raise ValueError("X must be a DataFrame with columns series_id and date")
    frame = pd.DataFrame(
        {
            "series_id": X["series_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(X["date"]).to_numpy(),
        }
    )
    if y is not None:
        values = np.asarray(y, dtype=float).reshape(-1)
        if len(values) != len(frame):
            raise ValueError(f"y has {len(values)} values for {len(frame)} rows of X")
        if np.nanmin(values, initial=0.0) < 0:
            raise ValueError("counts must be >= 0")
        frame["value"] = values
    return frame


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Clip bounds at zero and keep them ordered around the mean."""
    out = frame.copy()
    for column in OUTPUT:
        out[column] = np.maximum(out[column].to_numpy(dtype=float), 0.0)
    out["lo_95"] = np.minimum(out["lo_95"], out["lo_80"])
    out["hi_95"] = np.maximum(out["hi_95"], out["hi_80"])
    out["lo_80"] = np.minimum(out["lo_80"], out["mean"])
    out["hi_80"] = np.maximum(out["hi_80"], out["mean"])
    out["lo_95"] = np.minimum(out["lo_95"], out["lo_80"])
    out["hi_95"] = np.maximum(out["hi_95"], out["hi_80"])
    return out


class BaseForecaster(RegressorMixin, BaseEstimator):
    """Shared fit/predict plumbing; subclasses implement ``_fit_series`` / ``_forecast_series``
    (one series at a time) or override ``_fit_all`` / ``_forecast_all`` (global models)."""

    freq: str = "W"
    horizon: int = 13

    def fit(self, X: pd.DataFrame, y: Any) -> BaseForecaster:
        validate_data(self, X, y, skip_check_array=True)
        check_freq(self.freq)
        if int(self.horizon) < 1:
            raise ValueError("horizon must be >= 1")
        data = regularize(as_long(X, y), self.freq)
        self.season_length_ = season_length(self.freq)
        self.history_ = to_series(data)
        self.last_date_ = max(s.index[-1] for s in self.history_.values())
        self.series_ids_ = sorted(self.history_)
        self._fit_all(data)
        return self

    def _fit_all(self, data: pd.DataFrame) -> None:
        self.states_ = {sid: self._fit_series(series) for sid, series in self.history_.items()}

    def _fit_series(self, y: pd.Series) -> Any:
        raise NotImplementedError

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        raise NotImplementedError

    def _forecast_all(self, horizon: int) -> pd.DataFrame:
        """Every series' ``_forecast_series`` over the same dates, labelled once for all of them
        rather than frame by frame."""
        dates = future(self.last_date_, horizon, self.freq)
        pieces = [self._forecast_series(self.states_[sid], self.history_[sid], dates) for sid in self.series_ids_]
        frame = pd.concat(pieces, ignore_index=True)
        frame["series_id"] = np.repeat(np.asarray(self.series_ids_, dtype=object), len(dates))
        frame["date"] = np.tile(dates.to_numpy(), len(pieces))
        return frame

    def forecast(self, horizon: int | None = None) -> pd.DataFrame:
        """``series_id,date,mean,lo_80,hi_80,lo_95,hi_95`` for the next ``horizon`` periods."""
        check_is_fitted(self, "history_")
        frame = self._forecast_all(int(horizon or self.horizon))
        return finish(frame)[["series_id", "date", *OUTPUT]].reset_index(drop=True)

    def predict_interval(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "history_")
        wanted = as_long(X)
        unknown = set(wanted["series_id"]) - set(self.series_ids_)
        if unknown:
            raise ValueError(f"series not seen in fit: {sorted(unknown)[:5]}")
        if (wanted["date"] <= self.last_date_).any():
            raise ValueError("predict only dates after the training data")
        steps = (
            len(
                pd.date_range(
                    self.last_date_,
                    wanted["date"].max(),
                    freq={"D": "D", "W": "7D", "M": "MS"}[self.freq],
                )
            )
            - 1
        )
        frame = self.forecast(max(steps, 1))
        merged = wanted.merge(frame, on=["series_id", "date"], how="left")
        if merged["mean"].isna().any():
            raise ValueError("X holds dates that are not period labels of the forecast grid")
        return merged

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_interval(X)["mean"].to_numpy()

    def __sklearn_tags__(self) -> Any:  # sklearn.utils.Tags
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.two_d_array = False
        return tags


def normal_bounds(mean: np.ndarray, sd: np.ndarray) -> dict[str, np.ndarray]:
    from scipy.stats import norm

    out = {"mean": mean}
    for level in LEVELS:
        z = norm.ppf(0.5 + level / 200)
        out[f"lo_{level}"] = mean - z * sd
        out[f"hi_{level}"] = mean + z * sd
    return out


def recent_mean(y: pd.Series, n: int) -> float:
    values = y.to_numpy(dtype=float)[-n:]
    values = values[~np.isnan(values)]
    if len(values):
        return float(values.mean())
    observed = y.dropna()
    return float(observed.iloc[-1]) if len(observed) else 0.0
