"""A count model with calendar regressors: a Poisson GLM (log link) with trend, Fourier terms of
the year, weekday and holiday regressors, and negative-binomial prediction intervals.

Counts are overdispersed, so the dispersion ``alpha`` (variance = mu + alpha * mu^2) is estimated
from the Pearson residuals and the bounds are negative-binomial quantiles: whole numbers >= 0.
Rows with a missing count are left out of the fit; the regressors are known for any date.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS, BaseForecaster, quiet
from models.forecast.features import calendar_features, dates_key, key_dates, school_region_for

HISTORY = {"D": 3 * 365, "W": 4 * 52, "M": 120}


def _constant(observed: pd.Series) -> dict[str, float]:
    """The state of a series too short, empty or sparse for the regression: its mean, with the
    dispersion clipped like the fitted one (a series of one value, all zeros, has variance 0)."""
    mean = float(observed.mean()) if len(observed) else 0.0
    alpha = float(np.clip(observed.var() / max(mean, 1e-9) ** 2, 1e-4, 10.0)) if len(observed) > 1 else 1.0
    return {"constant": mean, "alpha": alpha}


def calendar_design(
    dates: pd.DatetimeIndex, freq: str, country: str, subdiv: str | None, school_region: str | None
) -> pd.DataFrame:
    """The calendar regressors for ``dates``: holidays, yearly Fourier terms and, for daily data,
    weekday dummies (Monday is the base); no constant, no trend."""
    cal = calendar_features(dates, freq, country, subdiv, school_region_for(country, subdiv, school_region))
    out = cal.drop(columns=[c for c in ("weekday", "month") if c in cal.columns])
    if freq == "D":
        for day in range(1, 7):
            out[f"weekday_{day}"] = (dates.day_of_week == day).astype(float)
    if freq == "M":
        out = out.drop(columns=["workdays"])
    return out


def regressor_matrix(
    dates: pd.DatetimeIndex, freq: str, country: str, subdiv: str | None, school_region: str | None
) -> tuple[list[str], np.ndarray]:
    """The constant and ``calendar_design``'s regressors for ``dates`` as a matrix with their
    names. Remembered per set of dates: the series of a run share their dates at a cutoff."""
    names, matrix = _regressor_matrix(dates_key(pd.DatetimeIndex(dates)), freq, country, subdiv, school_region)
    return list(names), matrix


@lru_cache(maxsize=256)
def _regressor_matrix(
    key: tuple[str, tuple[int, ...]], freq: str, country: str, subdiv: str | None, school_region: str | None
) -> tuple[tuple[str, ...], np.ndarray]:
    frame = calendar_design(key_dates(key), freq, country, subdiv, school_region)
    frame.insert(0, "const", 1.0)
    matrix = frame.to_numpy(dtype=float)
    matrix.setflags(write=False)  # shared between series: nobody may change it
    return tuple(frame.columns), matrix


class CountGLMForecaster(BaseForecaster):
    """Poisson GLM with calendar regressors; NB intervals with moment-estimated dispersion."""

    def __init__(
        self,
        freq: str = "W",
        horizon: int = 13,
        country: str = "NL",
        subdiv: str | None = None,
        school_region: str | None = "Midden",
        max_history: int | None = None,
    ):
        self.freq = freq
        self.horizon = horizon
        self.country = country
        self.subdiv = subdiv
        self.school_region = school_region
        self.max_history = max_history

    def design_matrix(self, dates: pd.DatetimeIndex, origin: pd.Timestamp) -> tuple[list[str], np.ndarray]:
        """The regressors for ``dates`` as a matrix with their names: the constant, the trend in
        years since ``origin``, then ``calendar_design``'s (shared by the series of a batch)."""
        names, calendar = regressor_matrix(dates, self.freq, self.country, self.subdiv, self.school_region)
        trend = np.asarray((dates - origin).days, dtype=float) / 365.25
        return [names[0], "trend", *names[1:]], np.column_stack([calendar[:, 0], trend, calendar[:, 1:]])

    def design(self, dates: pd.DatetimeIndex, origin: pd.Timestamp) -> pd.DataFrame:
        """``design_matrix`` as a frame indexed by ``dates``."""
        names, matrix = self.design_matrix(dates, origin)
        return pd.DataFrame(matrix, index=dates, columns=names)

    def _fit_series(self, y: pd.Series) -> Any:
        import statsmodels.api as sm

        window = y.iloc[-(self.max_history or HISTORY[self.freq]) :]
        observed = window.dropna()
        if len(observed) < 3 * self.season_length_ // 2 or observed.sum() == 0:
            return _constant(observed)
        origin = window.index[0]
        names, matrix = self.design_matrix(pd.DatetimeIndex(observed.index), origin)
        keep = [i for i, name in enumerate(names) if name == "const" or np.ptp(matrix[:, i]) > 0]
        X = matrix[:, keep]
        with quiet():
            try:
                result = sm.GLM(observed.to_numpy(), X, family=sm.families.Poisson()).fit(maxiter=100)
            except (ValueError, np.linalg.LinAlgError):  # rare counts: a regressor separates the zeros
                return _constant(observed)
        if not np.isfinite(result.params).all() or not np.isfinite(result.fittedvalues).all():
            return _constant(observed)
        mu = result.fittedvalues
        resid = observed.to_numpy() - mu
        alpha = float(np.clip(np.mean((resid**2 - mu) / np.maximum(mu, 1e-9) ** 2), 1e-4, 10.0))
        return {
            "params": np.asarray(result.params),
            "columns": [names[i] for i in keep],
            "origin": origin,
            "alpha": alpha,
        }

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        from scipy.stats import nbinom

        if "constant" in state:
            mu = np.full(len(dates), state["constant"])
        else:
            names, matrix = self.design_matrix(dates, state["origin"])
            X = matrix[:, [names.index(c) for c in state["columns"]]]
            mu = np.exp(np.clip(X @ state["params"], -20, 20))
        size = 1.0 / state["alpha"]
        p = size / (size + np.maximum(mu, 1e-9))
        out = {"mean": mu}
        for level in LEVELS:
            tail = (1 - level / 100) / 2
            out[f"lo_{level}"] = nbinom.ppf(tail, size, p)
            out[f"hi_{level}"] = nbinom.ppf(1 - tail, size, p)
        return pd.DataFrame(out)

    def contributions(self, sid: str, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Each regressor's term on the log scale (coefficient x value) for ``dates``."""
        state = self.states_[sid]
        if "constant" in state:
            return pd.DataFrame({"const": np.log(max(state["constant"], 1e-9))}, index=dates)
        X = self.design(dates, state["origin"])[state["columns"]]
        return X * state["params"]
