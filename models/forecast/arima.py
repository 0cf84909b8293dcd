"""Regression with ARIMA errors: the calendar regressors of ``glm`` and an ARIMA chosen per series
(issue 19 item 2, "a seasonal ARIMA where it fits in time").

On the square root of the counts (as ``ets``), per series:

1. The season and the holidays are regressors, the same ones ``glm`` uses (``calendar_design``:
   yearly Fourier terms by day of the year, public and school holidays, Christmas, weekday
   dummies for daily data). A seasonal ARIMA of period 52 (weekly) or 365 (daily) does not fit in
   time, and a 52-period cycle drifts against the calendar (ADR 0028); Fourier terms by date do
   neither. Series shorter than one and a half seasons get no regressors.
2. The order of differencing ``d`` (0 or 1) by the KPSS test at 5 % on the regression residuals
   (Hyndman & Khandakar 2008, the first step of R's ``auto.arima``).
3. The regression coefficients by least squares, on the differences when ``d`` is 1 (a
   regression with ARIMA(p, 1, q) errors is a regression of the differences with ARMA errors).
4. The ARMA order (p, q) from ``ORDERS`` by the lowest AICc, each fitted to the (differenced)
   residuals by Hannan-Rissanen least squares, with no constant: the level lives in the regression
   when ``d`` is 0 and in the differencing when it is 1. The chosen order's coefficients are then
   refined by conditional sum of squares (Levenberg-Marquardt), as R's ``arima(method="CSS")``.

The forecast adds the future regressors to the ARIMA forecast of the residuals, on the square
root scale; the mean gets the forecast variance when squared (E[Z^2] = E[Z]^2 + Var Z) and the
bounds are the squared normal bounds. Least squares (one nonlinear fit, for the chosen order)
keep a weekly series to about 10 ms (200 series of three years, fit and forecast: 1.6 s):
statsmodels' state-space ``ARIMA`` took about a second per order on three years of daily data,
its joint fit with the regressors longer still.

One of ``BASE_MODELS`` and of ``auto``'s candidates (ADR 0032): measured in docs/benchmarks.md,
"Issue 19 item 2: regression with ARIMA errors", it is the best single model on Berlin weekly and
makes ``auto`` better on Berlin daily and weekly and on the held-out set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from models.forecast.base import BaseForecaster, normal_bounds
from models.forecast.ets import fill_gaps, flat
from models.forecast.glm import regressor_matrix
from models.forecast.outages import HOLIDAYS  # regressors whose low days may be a closed desk (ADR 0040)

HISTORY = {"D": 3 * 365, "W": 260, "M": 120}
ORDERS = ((0, 0), (1, 0), (0, 1), (1, 1), (2, 1), (1, 2), (2, 2))
KPSS_ALPHA = 0.05
MAX_ROOT = 0.995  # a fit with a root this close to the unit circle is refused


def kpss_level_p_value(x: np.ndarray) -> float:
    """statsmodels' ``kpss(x, regression="c", nlags="auto")[1]``, from its own statistic and table.

    ``kpss`` warns when the statistic lies beyond its table, and silencing that needs
    ``warnings.catch_warnings``, which is not thread-safe: the flow fits batches in threads, and
    another thread leaving its own ``catch_warnings`` restored the filters under this one (a
    warning escaped, an error under the test suite's filters). This computes the same number
    without warning."""
    from statsmodels.tsa.stattools._stattools import _kpss_autolag, _sigma_est_kpss

    nobs = len(x)
    resids = x - x.mean()
    nlags = min(_kpss_autolag(resids, nobs), nobs - 1)
    statistic = np.sum(resids.cumsum() ** 2) / nobs**2 / _sigma_est_kpss(resids, nobs, nlags)
    return float(np.interp(statistic, [0.347, 0.463, 0.574, 0.739], [0.10, 0.05, 0.025, 0.01]))


def choose_d(residual: np.ndarray) -> int:
    """1 when the KPSS test rejects level stationarity at ``KPSS_ALPHA``, else 0."""
    if len(residual) < 8 or np.ptp(residual) == 0:
        return 0
    return int(kpss_level_p_value(np.asarray(residual, dtype=float)) < KPSS_ALPHA)


@dataclass(frozen=True)
class ARMAFit:
    """An ARMA(p, q) fitted to ``x`` (the series after ``d`` differences): ``phi`` and ``theta``
    (x_t = sum phi_i x_{t-i} + e_t + sum theta_j e_{t-j}), the innovations ``e``, their variance
    ``sigma2`` and ``aicc``."""

    d: int
    phi: np.ndarray
    theta: np.ndarray
    x: np.ndarray
    e: np.ndarray
    sigma2: float
    aicc: float

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``h`` values of the series before differencing, relative to its last value
        when ``d`` is 1, and their forecast variance (psi weights, FPP3 9.8)."""
        p, q = len(self.phi), len(self.theta)
        x = np.r_[self.x[-p:] if p else [], np.zeros(h)]
        e = np.r_[self.e[-q:] if q else [], np.zeros(h)]
        for t in range(h):
            ar = float(self.phi @ x[t : t + p][::-1]) if p else 0.0
            ma = float(self.theta @ e[t : t + q][::-1]) if q else 0.0
            x[p + t] = ar + ma
        mean = x[p:]
        psi = lfilter(np.r_[1.0, self.theta], np.r_[1.0, -self.phi], np.r_[1.0, np.zeros(h - 1)])
        if self.d:
            mean, psi = np.cumsum(mean), np.cumsum(psi)
        return mean, self.sigma2 * np.cumsum(psi**2)


def lags(values: np.ndarray, count: int, start: int) -> np.ndarray:
    """Columns values[t-1], ..., values[t-count] for t = start .. len(values) - 1."""
    return np.column_stack([values[start - i : len(values) - i] for i in range(1, count + 1)])


def hannan_rissanen(x: np.ndarray, p: int, q: int) -> np.ndarray | None:
    """ARMA(p, q) coefficients by two least-squares steps (Hannan & Rissanen 1982): a long
    autoregression gives the innovations, then x_t on its own p lags and the q lagged
    innovations. With q = 0 this is the least-squares autoregression itself."""
    n = len(x)
    if not p + q:
        return np.zeros(0)
    if q:
        long = min(max(int(np.ceil(10 * np.log10(n))), p + q + 1), n // 4)
        if long <= p + q or n - long < 4 * (long + 1):
            return None
        ar = np.linalg.lstsq(lags(x, long, long), x[long:], rcond=None)[0]
        e = np.r_[np.zeros(long), x[long:] - lags(x, long, long) @ ar]
        start = long + max(p, q)
    else:
        e, start = np.zeros(n), p
    columns = [lags(x, p, start)] if p else []
    if q:
        columns.append(lags(e, q, start))
    design = np.column_stack(columns)
    if len(design) <= design.shape[1] + 2:
        return None
    return np.linalg.lstsq(design, x[start:], rcond=None)[0]


def fit_arma(x: np.ndarray, p: int, q: int, d: int) -> ARMAFit | None:
    """ARMA(p, q) on ``x``: coefficients by Hannan-Rissanen, innovations by filtering from zero
    (the first ``p`` left out, as R's ``arima(method="CSS")``), AICc from the Gaussian
    likelihood of those innovations with k = p + q + 1. None when it cannot be fitted, or when
    the AR part is not stationary or the MA part not invertible."""
    m = len(x) - p
    k = p + q + 1
    params = hannan_rissanen(x, p, q) if m - k - 1 > 0 else None
    if params is None:
        return None
    return arma_fit(x, params[:p], params[p:], d)


def largest_root(coefficients: np.ndarray) -> float:
    """The largest modulus of the roots of z^n + c_1 z^(n-1) + ... + c_n (0 without any): below 1
    means 1 + c_1 B + ... + c_n B^n is stationary (an AR part) or invertible (an MA part)."""
    return float(np.abs(np.roots(np.r_[1.0, coefficients])).max(initial=0.0))


def arma_fit(x: np.ndarray, phi: np.ndarray, theta: np.ndarray, d: int) -> ARMAFit | None:
    """The ``ARMAFit`` of coefficients ``phi``, ``theta`` on ``x`` (see ``fit_arma``)."""
    p, q = len(phi), len(theta)
    m, k = len(x) - p, p + q + 1
    if largest_root(-phi) >= MAX_ROOT or largest_root(theta) >= MAX_ROOT:  # not stationary or not invertible
        return None
    e = lfilter(np.r_[1.0, -phi], np.r_[1.0, theta], x)
    sigma2 = float(e[p:] @ e[p:]) / m
    if not np.isfinite(sigma2) or sigma2 <= 0:
        return None
    aicc = m * np.log(2 * np.pi * sigma2) + m + 2 * k + 2 * k * (k + 1) / (m - k - 1)
    return ARMAFit(d, phi, theta, x, e, sigma2, float(aicc))


def refine(fit: ARMAFit) -> ARMAFit:
    """``fit`` with its coefficients moved to the least conditional sum of squares
    (Levenberg-Marquardt from the Hannan-Rissanen values); ``fit`` itself when that is no better
    or leaves the stationary and invertible region."""
    from scipy.optimize import least_squares

    p, q = len(fit.phi), len(fit.theta)
    if not q:  # a pure autoregression: least squares is already the least sum of squares
        return fit
    x = fit.x

    def innovations(params: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # an explosive MA part: a huge residual
            e = lfilter(np.r_[1.0, -params[:p]], np.r_[1.0, params[p:]], x)[p:]
        return np.nan_to_num(e, nan=1e150, posinf=1e150, neginf=-1e150)

    result = least_squares(innovations, np.r_[fit.phi, fit.theta], method="lm", max_nfev=100 * (p + q + 1))
    better = arma_fit(x, result.x[:p], result.x[p:], fit.d)
    return better if better is not None and better.sigma2 < fit.sigma2 else fit


def best_arma(residual: np.ndarray, d: int) -> ARMAFit | None:
    """The ARIMA(p, d, q) fit of ``residual`` with the lowest AICc over ``ORDERS`` (each order by
    Hannan-Rissanen), its coefficients then refined by conditional sum of squares."""
    x = np.diff(residual) if d else residual
    fits = [f for p, q in ORDERS if (f := fit_arma(x, p, q, d)) is not None]
    best = min(fits, key=lambda f: f.aicc, default=None)
    return refine(best) if best is not None else None


class ARIMAForecaster(BaseForecaster):
    """Calendar regressors + ARIMA(p, d, q) errors on sqrt(y), the order chosen by KPSS and AICc."""

    def __init__(
        self,
        freq: str = "W",
        horizon: int = 13,
        country: str = "NL",
        subdiv: str | None = None,
        school_region: str | None = "Midden",
    ):
        self.freq = freq
        self.horizon = horizon
        self.country = country
        self.subdiv = subdiv
        self.school_region = school_region

    def design(self, dates: pd.DatetimeIndex, columns: list[str]) -> np.ndarray:
        """The constant and the calendar regressors named in ``columns`` for ``dates``."""
        names, matrix = regressor_matrix(dates, self.freq, self.country, self.subdiv, self.school_region)
        return matrix[:, [names.index(c) for c in columns]]

    def _fit_series(self, y: pd.Series) -> Any:
        window = y.iloc[-HISTORY[self.freq] :]
        names, matrix = regressor_matrix(
            pd.DatetimeIndex(window.index), self.freq, self.country, self.subdiv, self.school_region
        )
        # a holiday's low count is real for a desk that closes, an outage for a service that stays open
        holiday = np.asarray(matrix[:, [names.index(c) for c in HOLIDAYS if c in names]].any(axis=1), dtype=bool)
        z = np.sqrt(np.maximum(fill_gaps(window, self.freq, keep=holiday), 0.0))
        if np.ptp(z) == 0:
            return {"constant": float(z[-1]) ** 2}
        keep = [0]  # the constant; the calendar regressors that vary, once there is 1.5 seasons of history
        if len(z) >= 3 * self.season_length_ // 2:
            keep += [i for i in range(1, len(names)) if matrix[:, i].std() > 0]
        columns, X = [names[i] for i in keep], matrix[:, keep]
        beta = np.linalg.lstsq(X, z, rcond=None)[0]
        d = choose_d(z - X @ beta)
        if d == 1 and len(columns) > 1:  # the level is in the differencing: coefficients from the differences
            beta = np.r_[0.0, np.linalg.lstsq(np.diff(X[:, 1:], axis=0), np.diff(z), rcond=None)[0]]
        elif d == 1:
            beta = np.zeros(1)
        residual = z - X @ beta
        result = best_arma(residual, d)
        if result is None:
            return {"constant": float(np.mean(z)) ** 2}
        return {"beta": beta, "columns": columns, "result": result, "shift": residual[-1] if d else 0.0}

    def _forecast_series(self, state: Any, y: pd.Series, dates: pd.DatetimeIndex) -> pd.DataFrame:
        h = len(dates)
        if "constant" in state:
            return flat(state["constant"], h)
        ahead, var = state["result"].forecast(h)
        regression = self.design(pd.DatetimeIndex(dates), state["columns"]) @ state["beta"]
        centre = ahead + state["shift"] + regression
        out = {k: np.maximum(v, 0.0) ** 2 for k, v in normal_bounds(centre, np.sqrt(var)).items()}
        out["mean"] = out["mean"] + var  # E[Z^2] = E[Z]^2 + Var Z
        return pd.DataFrame(out)
