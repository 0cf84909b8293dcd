"""``ets``: statsmodels estimates the parameters; the states, forecast and variance are computed
in numpy from them (``ets_fit``, ``ets_path``) and must agree with statsmodels' own results."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from models.forecast import make_forecaster
from models.forecast.ets import ets_fit, ets_model, ets_path, ets_smooth

FORMS = [(False, None), (True, None), (False, 7), (True, 7), (True, 12)]


def series(n: int, season: int | None, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    wave = 1.5 * np.sin(2 * np.pi * np.arange(n) / (season or 52))
    return 10 + np.cumsum(rng.normal(0, 0.2, n)) + 0.02 * np.arange(n) + wave + rng.normal(0, 0.5, n)


@pytest.mark.parametrize(("trend", "season"), FORMS)
def test_numpy_states_and_forecast_equal_statsmodels_results(trend: bool, season: int | None) -> None:
    z = series(150, season, seed=7)
    model = ets_model(z, trend, season)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(disp=False, maxiter=200)
        prediction = result.get_prediction(start=len(z), end=len(z) + 29)
    state = ets_smooth(z, dict(zip(model.param_names, np.asarray(result.params), strict=True)), season)
    assert state["level"] == pytest.approx(float(np.asarray(result.level)[-1]), rel=1e-9)
    if trend:
        assert state["slope"] == pytest.approx(float(np.asarray(result.slope)[-1]), rel=1e-9)
    if season:  # the season's last cycle, oldest first: the order statsmodels lists it in is reversed
        np.testing.assert_allclose(state["seasons"], np.asarray(result.season)[-season:], rtol=1e-9)
    assert state["sigma2"] == pytest.approx(float(result.mse), rel=1e-9)
    mean, variance = ets_path(state, 30)
    np.testing.assert_allclose(mean, np.asarray(prediction.predicted_mean), rtol=1e-9)
    np.testing.assert_allclose(variance, np.asarray(prediction.var_pred_mean), rtol=1e-8)
    # ets_fit takes only the parameters from statsmodels' fit: the same optimum, the same state
    fitted = ets_fit(z, trend, season)
    for key in ("alpha", "beta", "gamma", "phi", "level", "slope", "sigma2"):
        assert fitted[key] == pytest.approx(state[key], rel=1e-9, abs=1e-12)


def test_state_is_plain_numbers_that_skops_reads_back() -> None:
    import skops.io as sio

    dates = pd.date_range("2022-01-03", periods=160, freq="7D")
    data = pd.DataFrame({"series_id": "a", "date": dates, "value": series(160, None, seed=3) ** 2})
    model = make_forecaster("ets", freq="W", horizon=13).fit(data[["series_id", "date"]], data["value"])
    dumped = sio.dumps(model.states_)
    assert sio.get_untrusted_types(data=dumped) == []
    before = model.forecast()
    model.states_ = sio.loads(dumped)
    pd.testing.assert_frame_equal(model.forecast(), before)
