"""``autoets``: the ETS form chosen by AICc, the weekly season per calendar week, plain state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecast import OUTPUT, make_forecaster
from models.forecast.autoets import forms, week_of_year, weekly_index
from models.forecast.backtest import forecast_at


def frame(values: np.ndarray, start: str, freq: str, sid: str = "a") -> pd.DataFrame:
    dates = pd.date_range(start, periods=len(values), freq=freq)
    return pd.DataFrame({"series_id": sid, "date": dates, "value": values})


def fit(data: pd.DataFrame, freq: str, horizon: int = 8):  # type: ignore[no-untyped-def]
    return make_forecaster("autoets", freq=freq, horizon=horizon).fit(data[["series_id", "date"]], data["value"])


def test_forms_keep_multiplicative_error_for_positive_counts_only() -> None:
    assert {f["error"] for f in forms(True, 7)} == {"add", "mul"}
    assert {f["error"] for f in forms(False, 7)} == {"add"}
    assert len(forms(True, 7)) == 12 and len(forms(False, None)) == 3
    assert all(f["seasonal"] in (None, f["error"]) for f in forms(True, 12))


def test_aicc_picks_the_season_and_the_trend_the_data_have() -> None:
    rng = np.random.default_rng(1)
    n = 300
    weekday = np.tile([1.4, 1.2, 1.0, 1.0, 1.1, 0.6, 0.5], n // 7 + 1)[:n]
    seasonal = frame(rng.poisson(40 * weekday).astype(float), "2024-01-01", "D", "seasonal")
    trending = frame(rng.normal(50 + 0.8 * np.arange(n), 2.0), "2024-01-01", "D", "trending")
    flat = frame(rng.poisson(30, n).astype(float), "2024-01-01", "D", "flat")
    model = fit(pd.concat([seasonal, trending, flat], ignore_index=True), "D")
    form = {sid: state["form"] for sid, state in model.states_.items()}
    assert form["seasonal"]["seasonal"] is not None
    assert form["trending"]["trend"] == "add"
    assert form["flat"]["trend"] is None and form["flat"]["seasonal"] is None


def test_weekly_index_follows_the_calendar_week() -> None:
    """A peak in the first ISO week every year stays in that week after a 53-week year: 2026
    has 53 ISO weeks, so last year's season carried forward 52 weeks would put the peak on
    2026-12-28 instead of 2027-01-04."""
    dates = pd.date_range("2021-01-04", periods=300, freq="7D")  # to 2026-10-05
    weeks = week_of_year(dates)
    values = np.where(weeks == 0, 200.0, 100.0) + np.arange(len(dates)) * 0.1
    index = weekly_index(values, weeks, multiplicative=True)
    assert index.mean() == pytest.approx(1.0)
    assert int(np.argmax(index)) == 0 and index[0] > 1.8
    model = fit(frame(values, "2021-01-04", "7D"), "W", horizon=20)
    out = model.forecast()
    peak = out.loc[out["mean"].idxmax(), "date"]
    assert peak == pd.Timestamp("2027-01-04")


def test_weekly_forecast_has_ordered_bounds_and_counts_components() -> None:
    rng = np.random.default_rng(4)
    n = 4 * 52
    mu = 20 * (1.3 + np.sin(2 * np.pi * np.arange(n) / 52.18))
    data = pd.concat(
        [frame(rng.poisson(mu).astype(float), "2022-01-03", "7D", "a"), frame(np.zeros(n) + 3, "2022-01-03", "7D", "b")]
    )
    model = fit(data, "W", horizon=13)
    out = model.forecast()
    values = out[list(OUTPUT)].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    assert (out.loc[out["series_id"] == "b", "mean"] == 3).all()  # a constant history stays constant
    components = model.components().set_index("series_id")
    assert list(components.columns) == ["level", "trend", "season"]
    assert 10 < components.loc["a", "level"] < 50  # in counts, not on a transformed scale


def test_state_is_plain_numbers_that_skops_reads_back() -> None:
    """The fitted state holds the chosen form and parameters only, no statsmodels objects."""
    import skops.io as sio

    rng = np.random.default_rng(2)
    data = frame(rng.poisson(25 + 5 * np.sin(np.arange(200) * 2 * np.pi / 7)).astype(float), "2024-01-01", "D")
    model = fit(data, "D")
    dumped = sio.dumps(model.states_)
    assert sio.get_untrusted_types(data=dumped) == []
    restored = sio.loads(dumped)
    np.testing.assert_array_equal(restored["a"]["params"], model.states_["a"]["params"])
    before = model.forecast()
    model.states_ = restored
    pd.testing.assert_frame_equal(model.forecast(), before)


def test_no_look_ahead() -> None:
    rng = np.random.default_rng(3)
    data = frame(rng.poisson(30, 150).astype(float), "2022-01-03", "7D")
    cutoff = pd.Timestamp(data["date"].max()) - pd.Timedelta(weeks=10)
    changed = data.assign(value=np.where(data["date"] > cutoff, data["value"] * 5 + 100, data["value"]))

    def factory():  # type: ignore[no-untyped-def]
        return make_forecaster("autoets", freq="W", horizon=6)

    pd.testing.assert_frame_equal(forecast_at(factory, data, cutoff, 6), forecast_at(factory, changed, cutoff, 6))
