"""``mstl`` (benchmark candidate, issue 19 item 2): weekly and yearly seasons out, ETS on the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.forecast import OUTPUT, make_forecaster


def test_daily_mstl_carries_the_week_and_the_year_forward() -> None:
    rng = np.random.default_rng(3)
    dates = pd.date_range("2023-01-02", periods=3 * 365 + 20, freq="D")  # a Monday
    weekday = np.array([1.3, 1.2, 1.0, 1.0, 1.1, 0.7, 0.6])[dates.dayofweek]
    year = 1 + 0.3 * np.sin(2 * np.pi * dates.dayofyear / 365.25)
    values = rng.poisson(60 * weekday * year).astype(float)
    data = pd.DataFrame({"series_id": "a", "date": dates, "value": values})
    model = make_forecaster("mstl", freq="D", horizon=14).fit(data[["series_id", "date"]], data["value"])
    assert model.states_["a"]["periods"] == (7, 365)
    out = model.forecast()
    assert len(out) == 14 and (out[list(OUTPUT)] >= 0).all().all()
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["hi_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    by_day = out.groupby(out["date"].dt.dayofweek)["mean"].mean()
    assert by_day[0] > 1.5 * by_day[6]  # Monday's peak and Sunday's trough survive
    expected = 60 * np.array([1.3, 1.2, 1.0, 1.0, 1.1, 0.7, 0.6])[out["date"].dt.dayofweek]
    expected *= 1 + 0.3 * np.sin(2 * np.pi * out["date"].dt.dayofyear.to_numpy() / 365.25)
    assert np.mean(np.abs(out["mean"] - expected) / expected) < 0.1


def test_short_daily_history_keeps_only_the_week() -> None:
    dates = pd.date_range("2025-01-06", periods=200, freq="D")
    values = np.array([30.0, 28, 25, 25, 27, 15, 12])[dates.dayofweek]
    data = pd.DataFrame({"series_id": "b", "date": dates, "value": values})
    model = make_forecaster("mstl", freq="D", horizon=7).fit(data[["series_id", "date"]], data["value"])
    assert model.states_["b"]["periods"] == (7,)
    out = model.forecast()
    assert np.allclose(
        out["mean"].to_numpy(), np.array([30.0, 28, 25, 25, 27, 15, 12])[out["date"].dt.dayofweek], rtol=0.05
    )
