"""The gradient-boosted model builds features only for the training rows it keeps, and keeps exactly
the rows (and draws exactly the sample) it did when it built them for every row first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecast.frequency import to_series
from models.forecast.gbm import HISTORY, GlobalGBMForecaster
from models.forecast.gbm_features import LONG, Panel


def history(n_series: int = 12, weeks: int = 160) -> dict[str, pd.Series]:
    return to_series(history_frame(n_series, weeks))


def history_frame(n_series: int = 12, weeks: int = 160) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    dates = pd.date_range("2023-01-02", periods=weeks, freq="7D")
    frames = []
    for i in range(n_series):
        values = rng.poisson(10 + 5 * i, size=weeks).astype(float)
        values[rng.choice(weeks, 6, replace=False)] = np.nan  # gaps: rows without a target
        start = 20 * (i % 3)  # series that start later
        frames.append(pd.DataFrame({"series_id": f"s{i:02d}", "date": dates[start:], "value": values[start:]}))
    return pd.concat(frames, ignore_index=True)


def every_row_first(model: GlobalGBMForecaster, panel: Panel, last: int, rng: np.random.Generator):
    """The rows as they were chosen before: features for every combination, then filter and sample."""
    H = int(model.horizon)
    origins = np.arange(max(LONG["W"], last - HISTORY["W"]), last)
    X, y, _, _, target = panel.rows(origins, np.arange(1, H + 1))
    keep = np.isfinite(y) & (target <= last)
    X, y = X[keep], y[keep]
    if len(y) > model.max_rows:
        pick = np.sort(rng.choice(len(y), model.max_rows, replace=False))
        X, y = X.iloc[pick], y[pick]
    return X.reset_index(drop=True), y


@pytest.mark.parametrize("max_rows", [500, 10**6])
def test_training_rows_are_those_of_building_every_row_first(max_rows: int) -> None:
    model = GlobalGBMForecaster(freq="W", horizon=13, max_rows=max_rows)
    panel = Panel(history(), "W", 13, {"country": "NL"})
    for last in (panel.T, panel.T - 26):
        X, y = model._training_rows(panel, last, np.random.default_rng(3))
        X_old, y_old = every_row_first(model, panel, last, np.random.default_rng(3))
        assert len(y) == len(y_old) and (len(y) == max_rows or max_rows > 1000)  # sampled, or all rows
        pd.testing.assert_frame_equal(X, X_old, check_exact=True)
        np.testing.assert_array_equal(y, y_old)


@pytest.mark.parametrize("max_rows", [500, 10**6])
def test_without_intervals_the_forecast_is_the_same_and_the_bounds_are_empty(max_rows: int) -> None:
    """``intervals=False`` (the flow's backtest, ADR 0039) leaves the calibration model out: the
    final model draws its sample from a stream of its own, so its forecast does not move."""
    data = history_frame()
    fits = [
        GlobalGBMForecaster(freq="W", horizon=13, max_rows=max_rows, max_iter=30, intervals=flag).fit(
            data[["series_id", "date"]], data["value"].to_numpy()
        )
        for flag in (True, False)
    ]
    with_bounds, without = (f.forecast(13) for f in fits)
    np.testing.assert_array_equal(with_bounds["mean"].to_numpy(), without["mean"].to_numpy())
    assert with_bounds[["lo_80", "hi_95"]].notna().all().all() and (with_bounds["hi_95"] > with_bounds["lo_95"]).any()
    assert without[["lo_80", "hi_80", "lo_95", "hi_95"]].isna().all().all()
    assert fits[1].offsets_ is None and fits[0].offsets_
