"""``arima`` (a candidate of ``auto``, ADR 0032): calendar regressors with ARIMA errors. The contract every
base model keeps (ordered bounds, awkward series, no look-ahead) is tested for it in test_forecast.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from models.forecast import make_forecaster
from models.forecast.arima import arma_fit, best_arma, choose_d, fit_arma, refine


def arma(n: int, phi: list[float], theta: list[float], seed: int) -> np.ndarray:
    e = np.random.default_rng(seed).normal(size=n + 200)
    return lfilter(np.r_[1.0, theta], np.r_[1.0, -np.asarray(phi)], e)[200:]


def test_least_squares_recover_known_coefficients_and_the_order() -> None:
    x = arma(3000, [0.6], [0.3], seed=1)
    fit = fit_arma(x, 1, 1, d=0)
    assert fit is not None
    assert fit.phi[0] == pytest.approx(0.6, abs=0.06) and fit.theta[0] == pytest.approx(0.3, abs=0.06)
    assert fit.sigma2 == pytest.approx(1.0, abs=0.08)
    best = best_arma(x, d=0)
    assert (len(best.phi), len(best.theta)) != (0, 0)  # white noise is clearly worse
    assert best.aicc < fit_arma(x, 0, 0, d=0).aicc


def test_refining_by_conditional_sum_of_squares_lowers_the_variance() -> None:
    """An MA part near the unit circle is where the two least-squares steps are least accurate."""
    x = arma(800, [], [-0.85], seed=2)
    hr = fit_arma(x, 0, 1, d=0)
    refined = refine(hr)
    assert refined.sigma2 <= hr.sigma2
    assert abs(refined.theta[0] + 0.85) <= abs(hr.theta[0] + 0.85) + 1e-9
    assert refined.theta[0] == pytest.approx(-0.85, abs=0.05)


def test_a_random_walk_gets_a_difference_and_noise_none() -> None:
    rng = np.random.default_rng(3)
    assert choose_d(np.cumsum(rng.normal(size=500))) == 1
    assert choose_d(rng.normal(size=500)) == 0


def test_forecast_variance_follows_the_psi_weights() -> None:
    """Random walk: variance h * sigma2; AR(1): sigma2 * sum of phi^(2j)."""
    x = np.random.default_rng(4).normal(size=200)
    walk = arma_fit(x, np.zeros(0), np.zeros(0), d=1)
    mean, var = walk.forecast(5)
    assert np.allclose(mean, 0.0) and np.allclose(var, walk.sigma2 * np.arange(1, 6))
    ar = arma_fit(x, np.array([0.5]), np.zeros(0), d=0)
    mean, var = ar.forecast(3)
    assert mean == pytest.approx(x[-1] * 0.5 ** np.arange(1, 4))
    assert var == pytest.approx(ar.sigma2 * np.cumsum(0.25 ** np.arange(3)))
    assert arma_fit(x, np.array([1.2]), np.zeros(0), d=0) is None  # explosive: refused


def test_weekly_calendar_season_and_a_moving_level_are_forecast() -> None:
    """Five years of weekly counts: a yearly wave, a level that wanders (a random walk) and noise,
    on the square root (five draws). The forecast follows the wave and the last level, and misses
    the actual weeks by clearly less than the same weeks a year earlier do (seasonal naive)."""
    dates = pd.date_range("2020-01-06", periods=260 + 13, freq="W-MON")
    wave = 2 * np.sin(2 * np.pi * dates.day_of_year.to_numpy() / 365.25)
    ours, naive = [], []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        level = 8 + np.cumsum(rng.normal(0, 0.15, len(dates)))
        values = np.round(np.maximum(level + wave + rng.normal(0, 0.3, len(dates)), 0) ** 2)
        X = pd.DataFrame({"series_id": "a", "date": dates[:260]})
        out = make_forecaster("arima", freq="W", horizon=13).fit(X, values[:260]).forecast()
        assert np.corrcoef(out["mean"], (level[259] + wave[260:]) ** 2)[0, 1] > 0.8
        assert ((out["lo_80"] <= out["mean"]) & (out["mean"] <= out["hi_80"]) & (out["hi_80"] <= out["hi_95"])).all()
        ours.append(np.mean(np.abs(out["mean"] - values[260:])))
        naive.append(np.mean(np.abs(values[260 - 52 : 260 - 39] - values[260:])))
    assert np.mean(ours) < 0.8 * np.mean(naive)


def test_kpss_p_value_is_statsmodels_own_without_its_warning() -> None:
    """The KPSS p-value without ``kpss``' warning (silencing it with catch_warnings is not
    thread-safe under the flow's threads): the same number as statsmodels on noise, random
    walks and trends, including beyond both ends of the table."""
    import warnings

    from statsmodels.tsa.stattools import kpss

    from models.forecast.arima import kpss_level_p_value

    rng = np.random.default_rng(4)
    cases = [rng.normal(size=n) for n in (20, 60, 150)] + [rng.normal(size=n).cumsum() for n in (20, 60, 150)]
    cases += [np.arange(100.0) + rng.normal(size=100), np.sin(np.arange(80) / 3.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [kpss(x, regression="c", nlags="auto")[1] for x in cases]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and it warns of nothing
        got = [kpss_level_p_value(x) for x in cases]
    assert got == expected
    assert {0.10, 0.01} <= set(got)  # both ends of the table were reached
