"""The forecast flow's tasks change no number (issue 19 item 6): a fit task forecasts on one BLAS
and OpenMP thread and sends back the forecast, the components and the drivers instead of the
model; each is the same as the model's own, fitted and forecast the way the flow did before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explain.forecast_drivers import gbm_shap, statistical_components
from flows.train_forecast import backtest_batch, fit_batch
from models.forecast import BASE_MODELS, make_forecaster
from models.forecast.backtest import cutoff_dates, model_predictions

HORIZON = 6
PARAMS = {
    "freq": "W",
    "horizon": HORIZON,
    "country": "NL",
    "subdiv": None,
    "school_region": "Midden",
    "random_state": 0,
    "max_iter": 25,  # the gradient-boosted model's, kept small
}


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    """Three weekly series of 2.5 years with a yearly season, a trend and an outage."""
    rng = np.random.default_rng(19)
    dates = pd.date_range("2024-01-01", periods=130, freq="7D")
    season = 1.3 + np.sin(2 * np.pi * np.arange(len(dates)) / 52)
    rows = []
    for i, size in enumerate((8, 40, 200)):
        values = rng.poisson(size * season * (1 + 0.002 * np.arange(len(dates)))).astype(float)
        values[40 + i] = np.nan
        rows.append(pd.DataFrame({"series_id": f"team_{i}", "date": dates, "value": values}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("name", BASE_MODELS)
def test_fit_task_forecasts_what_the_fitted_model_forecasts(name: str, weekly: pd.DataFrame) -> None:
    model = make_forecaster(name, **PARAMS).fit(weekly[["series_id", "date"]], weekly["value"].to_numpy())
    fitted = fit_batch.fn(name, weekly, PARAMS, HORIZON, explain=name == "gbm")
    assert fitted.name == name and set(fitted.forecast["model"]) == {name}
    pd.testing.assert_frame_equal(fitted.forecast.drop(columns="model"), model.forecast(HORIZON), rtol=1e-9)
    if name in ("ets", "glm"):
        assert fitted.components is not None
        pd.testing.assert_frame_equal(fitted.components, statistical_components({name: model}), rtol=1e-9)
    else:
        assert fitted.components is None
    if name == "gbm":
        assert fitted.drivers is not None and len(fitted.drivers)
        pd.testing.assert_frame_equal(fitted.drivers, gbm_shap(model, HORIZON)[0], rtol=1e-9)
    else:
        assert fitted.drivers is None


def test_backtest_task_gives_the_backtest_of_every_model(weekly: pd.DataFrame) -> None:
    cutoffs = cutoff_dates(weekly["date"].max(), HORIZON, 2, "W")
    names = ["seasonal_naive", "ets", "theta", "glm"]
    expected = pd.concat(
        [model_predictions(n, lambda n=n: make_forecaster(n, **PARAMS), weekly, cutoffs, HORIZON) for n in names],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(backtest_batch.fn(names, weekly, cutoffs, HORIZON, PARAMS), expected, rtol=1e-9)


def test_a_model_the_flow_cannot_run_is_an_error_not_a_silent_omission() -> None:
    from flows.train_forecast import flow_models, train_forecast

    assert flow_models(None) == list(BASE_MODELS)
    assert flow_models(["glm", "gbm"]) == ["glm", "gbm"]
    with pytest.raises(ValueError, match=r"cannot run 'mstl', 'autoets': expected some of seasonal_naive"):
        flow_models(["glm", "mstl", "autoets"])
    with pytest.raises(ValueError, match="cannot run 'mstl'"):  # before a task runner or MLflow starts
        train_forecast("no-such-file.csv", freq="W", horizon=4, models=["mstl"], log=False)
