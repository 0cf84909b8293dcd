"""A count model with calendar regressors: a Poisson GLM (log link) with trend, Fourier terms of
the year, weekday and holiday regressors, and negative-binomial prediction intervals.

Counts are overdispersed, so the dispersion ``alpha`` (variance = mu + alpha * mu^2) is estimated
from the Pearson residuals and the bounds are negative-binomial quantiles: whole numbers >= 0.
Rows with a missing count are left out of the fit; the regressors are known for any date.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS, BaseForecaster, quiet
from models.forecast.features import calendar_features, school_region_for

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

    def design(self, dates: pd.DatetimeIndex, origin: pd.Timestamp) -> pd.DataFrame:
        """The regressors for ``dates``; the trend counts years since ``origin``."""
        out = calendar_design(dates, self.freq, self.country, self.subdiv, self.school_region)
        out.insert(0, "trend", np.asarray((dates - origin).days, dtype=float) / 365.25)
        out.insert(0, "const", 1.0)
        return out

    def _fit_series(self, y: pd.Series) -> Any:
        import statsmodels.api as sm

        window = y.iloc[-(self.max_history or HISTORY[self.freq]) :]
        observed = window.dropna()
        if len(observed) < 3 * self.season_length_ // 2 or observed.sum() == 0:
            return _constant(observed)
        origin = window.index[0]
        X = self.design(pd.DatetimeIndex(observed.index), origin)
        X = X.loc[:, (X.std() > 0) | (X.columns == "const")]
        with quiet():
            try:
                result = sm.GLM(observed.to_numpy(), X.to_numpy(), family=sm.families.Poisson()).fit(maxiter=100)
            except (ValueError, np.linalg.LinAlgError):  # rare counts: a regressor separates the zeros
                return _constant(observed)
        if not np.isfinite(result.params).all() or not np.isfinite(result.fittedvalues).all():
            return _constant(observed)
        mu = result.fittedvalues
        resid = observed.to_numpy() - mu
        alpha = float(np.clip(np.mean((resid**2 - mu) / np.maximum(mu, 1e-9) ** 2), 1e-4, 10.0))
        return {
            "params": np.asarray(result.params),
            "columns": list(X.columns),
            "origin": origin,
            "alpha": alpha,
        }

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        from scipy.stats import nbinom

        if "constant" in state:
            mu = np.full(len(dates), state["constant"])
        else:
            X = self.design(dates, state["origin"])[state["columns"]].to_numpy()
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
