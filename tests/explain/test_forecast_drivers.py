"""SHAP drivers of the gradient-boosted forecast add up to the model's output and read in Dutch."""

from __future__ import annotations

import numpy as np
import pandas as pd

from explain.forecast_drivers import (
    DRIVERS,
    by_driver,
    gbm_shap,
    shap_summary_figure,
    statistical_components,
)
from models.forecast import make_forecaster


def daily_counts() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    dates = pd.date_range("2023-01-02", periods=400, freq="D")
    rows = [
        pd.DataFrame(
            {
                "series_id": sid,
                "date": dates,
                "value": rng.poisson(lam * (1.5 + np.sin(2 * np.pi * np.arange(400) / 7))).astype(float),
            }
        )
        for sid, lam in (("a", 5), ("b", 30))
    ]
    return pd.concat(rows, ignore_index=True)


def test_base_value_plus_shap_equals_raw_output_and_forecast() -> None:
    data = daily_counts()
    model = make_forecaster("gbm", freq="D", horizon=7, max_iter=40).fit(data[["series_id", "date"]], data["value"])
    long, raw = gbm_shap(model)
    raw_output = model.model_.predict(raw["X"])
    assert np.allclose(raw["base"] + raw["values"].sum(axis=1), raw_output, atol=1e-6)
    forecast = model.forecast().set_index(["series_id", "date"])["mean"]
    summed = long.groupby(["series_id", "date"]).apply(lambda g: g["contribution"].sum() + g["base_value"].iloc[0])
    positive = raw_output > 0  # the forecast clips a negative raw output at zero
    assert np.allclose(summed.to_numpy()[positive], forecast.loc[summed.index].to_numpy()[positive])
    grouped = by_driver(long)
    assert set(grouped["driver"]) <= set(DRIVERS)
    assert {"seizoen", "recent niveau"} <= {DRIVERS[d][0].split(" (")[0] for d in grouped["driver"]}
    assert shap_summary_figure(long) is not None


def test_statistical_components() -> None:
    data = daily_counts()
    X, y = data[["series_id", "date"]], data["value"]
    models = {
        "ets": make_forecaster("ets", freq="D", horizon=7).fit(X, y),
        "glm": make_forecaster("glm", freq="D", horizon=7).fit(X, y),
    }
    comp = statistical_components(models)
    assert {"level", "trend", "season"} <= set(comp.loc[comp["model"] == "ets", "component"])
    assert {"const", "trend", "public_holiday"} <= set(comp.loc[comp["model"] == "glm", "component"])
