"""Each forecaster on small counts: shape, bounds >= 0, gaps, frequencies, no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecast import BASE_MODELS, OUTPUT, make_forecaster
from models.forecast.backtest import forecast_at
from models.forecast.frequency import regularize

START = {"D": "2023-01-02", "W": "2022-01-03", "M": "2020-01-01"}
STEP = {"D": "D", "W": "7D", "M": "MS"}
LENGTH = {"D": 420, "W": 130, "M": 40}
HORIZON = {"D": 14, "W": 8, "M": 4}


def counts(freq: str, n_series: int = 2, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START[freq], periods=LENGTH[freq], freq=STEP[freq])
    period = {"D": 7, "W": 52, "M": 12}[freq]
    rows = []
    for i in range(n_series):
        mu = (5 + 20 * i) * (1.3 + np.sin(2 * np.pi * np.arange(len(dates)) / period))
        values = rng.poisson(mu).astype(float)
        values[len(values) // 3] = np.nan  # an outage
        rows.append(pd.DataFrame({"series_id": f"team_{i}", "date": dates, "value": values}))
    data = pd.concat(rows, ignore_index=True)
    return data.drop(index=[5]).reset_index(drop=True)  # a missing date


@pytest.mark.parametrize("freq", ["D", "W", "M"])
@pytest.mark.parametrize("name", BASE_MODELS)
def test_forecasts_have_ordered_nonnegative_bounds(name: str, freq: str) -> None:
    data = counts(freq)
    model = make_forecaster(name, freq=freq, horizon=HORIZON[freq], max_iter=30)
    model.fit(data[["series_id", "date"]], data["value"])
    out = model.forecast()
    assert list(out.columns) == ["series_id", "date", *OUTPUT]
    assert len(out) == 2 * HORIZON[freq]
    values = out[list(OUTPUT)].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["hi_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    assert (out["date"] > data["date"].max()).all()
    big, small = (out.groupby("series_id")["mean"].mean()[s] for s in ("team_1", "team_0"))
    assert big > small  # follows each series' own level


def awkward(freq: str) -> pd.DataFrame:
    """Series a municipality has: none at all (zeros), one value, rare (mostly zeros), a new team
    with a few periods, and one whose last periods are missing (a late delivery)."""
    rng = np.random.default_rng(3)
    dates = pd.date_range(START[freq], periods=LENGTH[freq], freq=STEP[freq])
    n = len(dates)
    late = rng.poisson(40, n).astype(float)
    late[-5:] = np.nan
    series = {
        "zeros": np.zeros(n),
        "constant": np.full(n, 7.0),
        "rare": rng.poisson(0.3, n).astype(float),
        "new": np.r_[np.full(n - 6, np.nan), rng.poisson(20, 6)],
        "late": late,
    }
    return pd.concat(
        [pd.DataFrame({"series_id": sid, "date": dates, "value": v}) for sid, v in series.items()], ignore_index=True
    )


@pytest.mark.parametrize("freq", ["D", "W", "M"])
@pytest.mark.parametrize("name", [*BASE_MODELS, "auto"])
def test_awkward_series_get_finite_ordered_bounds(name: str, freq: str) -> None:
    data = awkward(freq)
    model = make_forecaster(name, freq=freq, horizon=HORIZON[freq], max_iter=30)
    model.fit(data[["series_id", "date"]], data["value"])
    out = model.forecast()
    assert sorted(out["series_id"].unique()) == sorted(data["series_id"].unique())
    values = out[list(OUTPUT)].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["mean"] + 1e-9).all()
    assert (out["mean"] <= out["hi_80"] + 1e-9).all() and (out["hi_80"] <= out["hi_95"]).all()
    zeros = out[out["series_id"] == "zeros"]
    assert (zeros["mean"] < 0.5).all()  # nothing ever came in (gbm, a global model, may lend a little)


def test_seasonal_naive_repeats_last_season() -> None:
    dates = pd.date_range("2024-01-01", periods=21, freq="D")
    values = np.tile([1.0, 2, 3, 4, 5, 6, 7], 3)
    X = pd.DataFrame({"series_id": "a", "date": dates})
    out = make_forecaster("seasonal_naive", freq="D", horizon=10).fit(X, values).forecast()
    assert out["mean"].tolist() == [1, 2, 3, 4, 5, 6, 7, 1, 2, 3]
    assert np.allclose(out["lo_95"], out["mean"])  # a perfect season: no spread


def test_weekly_input_labels_and_daily_aggregation() -> None:
    days = pd.date_range("2024-01-03", "2024-02-04", freq="D")  # Wednesday .. Sunday
    daily = pd.DataFrame({"series_id": "a", "date": days, "value": 1.0})
    weekly = regularize(daily, "W")
    assert (weekly["date"].dt.day_of_week == 0).all()
    assert weekly["value"].iloc[1:].eq(7.0).all()
    assert weekly["value"].iloc[0] == pytest.approx(7.0)  # 5 of 7 days seen: scaled to a full week


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_regularize_puts_each_series_on_its_own_grid(freq: str) -> None:
    """Many series at once (shuffled rows, different starts, gaps, missing days) give what each
    series gives on its own: regularize works on all series together, not one at a time."""
    rng = np.random.default_rng(6)
    days = pd.date_range("2023-01-02", "2024-03-31", freq="D")
    pieces = []
    for i in range(12):
        start = int(rng.integers(0, 300))
        values = rng.poisson(3 + i, len(days) - start).astype(float) * (1.25 if i % 3 else 1.0)
        values[rng.random(len(values)) < 0.1] = np.nan
        piece = pd.DataFrame({"series_id": f"s{i:02d}", "date": days[start:], "value": values})
        pieces.append(piece.drop(index=piece.index[10:16]))
    daily = pd.concat(pieces, ignore_index=True).sample(frac=1.0, random_state=1)
    together = regularize(daily, freq)
    alone = pd.concat([regularize(p, freq) for p in pieces], ignore_index=True)
    pd.testing.assert_frame_equal(together, alone)
    assert together.groupby("series_id")["date"].diff().dropna().dt.days.between(1, 31).all()


@pytest.mark.parametrize("name", [*BASE_MODELS])
def test_a_late_series_fitted_alone_forecasts_from_the_common_origin(name: str) -> None:
    """The flow fits series in batches: a team whose last weeks are empty, alone in its batch, was
    forecast from its own last count, a week before the others (found from outside; the totals
    then summed weeks that did not line up). Its empty rows to the common end count as history."""
    data = awkward("W")
    late = data[data["series_id"] == "late"]
    model = make_forecaster(name, freq="W", horizon=4, max_iter=30)
    alone = model.fit(late[["series_id", "date"]], late["value"].to_numpy()).forecast()
    assert list(alone["date"]) == list(pd.date_range(data["date"].max() + pd.Timedelta(days=7), periods=4, freq="7D"))
    assert np.isfinite(alone[list(OUTPUT)].to_numpy()).all()


def test_predict_returns_means_for_requested_rows() -> None:
    data = counts("W")
    model = make_forecaster("glm", freq="W", horizon=4).fit(data[["series_id", "date"]], data["value"])
    out = model.forecast()
    X = out[["series_id", "date"]].iloc[::-1]
    assert np.allclose(model.predict(X), out["mean"].to_numpy()[::-1])
    with pytest.raises(ValueError, match="after the training data"):
        model.predict(data[["series_id", "date"]].head(2))


def test_rejects_negative_counts_and_bad_freq() -> None:
    X = pd.DataFrame({"series_id": "a", "date": pd.date_range("2024-01-01", periods=3)})
    with pytest.raises(ValueError, match=">= 0"):
        make_forecaster("ets", freq="D").fit(X, [1.0, -1.0, 2.0])
    with pytest.raises(ValueError, match="freq"):
        make_forecaster("ets", freq="Q").fit(X, [1.0, 1.0, 2.0])


@pytest.mark.parametrize("name", [*BASE_MODELS, "auto"])
def test_no_look_ahead(name: str) -> None:
    """What happens after a cutoff cannot change the forecast made at that cutoff."""
    data = counts("W", seed=3)
    cutoff = pd.Timestamp(data["date"].max()) - pd.Timedelta(weeks=10)
    changed = data.copy()
    later = changed["date"] > cutoff
    changed.loc[later, "value"] = changed.loc[later, "value"] * 5 + 100

    def factory():  # type: ignore[no-untyped-def]
        return make_forecaster(name, freq="W", horizon=6, max_iter=30, candidates=("seasonal_naive", "glm"), windows=2)

    before = forecast_at(factory, data, cutoff, 6)
    after = forecast_at(factory, changed, cutoff, 6)
    pd.testing.assert_frame_equal(before, after)
    assert (before["date"] > cutoff).all()


def test_auto_chooses_per_series_from_candidates() -> None:
    data = counts("W", n_series=3, seed=5)
    auto = make_forecaster("auto", freq="W", horizon=6, candidates=("seasonal_naive", "glm"), windows=2)
    auto.fit(data[["series_id", "date"]], data["value"])
    assert set(auto.choice_) == {"team_0", "team_1", "team_2"}
    assert set(auto.choice_.values()) <= {"seasonal_naive", "glm"}
    out = auto.forecast()
    assert len(out) == 18 and (out[list(OUTPUT)].to_numpy() >= 0).all()


def test_gbm_falls_back_to_seasonal_naive_on_a_short_history() -> None:
    data = counts("M").groupby("series_id").head(14)
    X, y = data[["series_id", "date"]], data["value"]
    gbm = make_forecaster("gbm", freq="M", horizon=4).fit(X, y)
    naive = make_forecaster("seasonal_naive", freq="M", horizon=4).fit(X, y)
    assert gbm.model_ is None
    pd.testing.assert_frame_equal(gbm.forecast(), naive.forecast())


def test_theta_matches_statsmodels_theta_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The method, without the shrinkage of the seasonal indices (statsmodels has none)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    from models.forecast import theta

    monkeypatch.setattr(theta, "SHRINK", False)

    rng = np.random.default_rng(3)
    n = 200
    values = rng.poisson(30 + 10 * np.sin(2 * np.pi * np.arange(n) / 52) + 0.05 * np.arange(n))
    X = pd.DataFrame({"series_id": "a", "date": pd.date_range("2021-01-04", periods=n, freq="7D")})
    ours = make_forecaster("theta", freq="W", horizon=13).fit(X, values.astype(float)).forecast()
    reference = ThetaModel(values.astype(float), period=52, method="multiplicative").fit()
    # the same method; statsmodels optimises alpha continuously, we on a grid of 0.02
    assert ours["mean"].to_numpy() == pytest.approx(np.asarray(reference.forecast(13)), rel=0.01)


def test_weekly_ets_keeps_the_new_year_peak_in_its_calendar_week() -> None:
    """2026 has 53 ISO weeks: a 52-period season carried forward (the STL version of ``ets``) put the
    first-week peak on 2026-12-28; the index per calendar week puts it on 2027-01-04."""
    from models.forecast.season import week_of_year

    dates = pd.date_range("2023-01-02", periods=196, freq="7D")  # to 2026-09-28
    values = np.where(week_of_year(dates) == 0, 200.0, 100.0) + np.arange(len(dates)) * 0.1
    data = pd.DataFrame({"series_id": "team", "date": dates, "value": values})
    model = make_forecaster("ets", freq="W", horizon=20).fit(data[["series_id", "date"]], data["value"])
    out = model.forecast()
    assert out.loc[out["mean"].idxmax(), "date"] == pd.Timestamp("2027-01-04")
    assert out.loc[out["date"] == pd.Timestamp("2026-12-28"), "mean"].item() < 130


def test_weekly_theta_keeps_the_new_year_peak_in_its_calendar_week() -> None:
    from models.forecast.season import week_of_year

    dates = pd.date_range("2023-01-02", periods=196, freq="7D")
    values = np.where(week_of_year(dates) == 0, 200.0, 100.0) + np.arange(len(dates)) * 0.1
    data = pd.DataFrame({"series_id": "team", "date": dates, "value": values})
    model = make_forecaster("theta", freq="W", horizon=20).fit(data[["series_id", "date"]], data["value"])
    out = model.forecast()
    assert out.loc[out["mean"].idxmax(), "date"] == pd.Timestamp("2027-01-04")


def test_week_of_year_is_the_iso_week_with_53_as_52() -> None:
    from models.forecast.season import week_of_year

    days = pd.date_range("1990-01-01", "2040-12-31", freq="D")
    expected = np.minimum(days.isocalendar().week.to_numpy(dtype=int), 52) - 1
    np.testing.assert_array_equal(week_of_year(days), expected)
    assert week_of_year(pd.DatetimeIndex(["2026-12-28", "2027-01-04", "2026-12-31"])).tolist() == [51, 0, 51]


def test_a_new_team_with_one_or_two_counts_gets_a_band_not_a_point() -> None:
    """Found from outside: a team with a single count of 7 (or 5, 5) was forecast 7 with a 95 %
    band of 7 to 7. Few counts say little about the spread: at least that of Poisson counts."""
    dates = pd.date_range("2024-01-01", periods=60, freq="7D")
    rng = np.random.default_rng(1)
    rows = [pd.DataFrame({"series_id": "old", "date": dates, "value": rng.poisson(40, 60).astype(float)})]
    for sid, counts in (("one", [7.0]), ("two", [5.0, 5.0])):
        values = np.full(60, np.nan)
        values[-len(counts) :] = counts
        rows.append(pd.DataFrame({"series_id": sid, "date": dates, "value": values}))
    data = pd.concat(rows, ignore_index=True)
    model = make_forecaster("seasonal_naive", freq="W", horizon=4).fit(data[["series_id", "date"]], data["value"])
    out = model.forecast().set_index("series_id")
    for sid, level in (("one", 7.0), ("two", 5.0)):
        rows_ = out.loc[sid]
        assert (rows_["mean"] == level).all()
        assert (rows_["hi_95"] - rows_["lo_95"] >= 2 * 1.95 * np.sqrt(level)).all(), sid
    old = data[data["series_id"] == "old"]["value"].to_numpy()
    sigma = np.sqrt(np.mean((old[52:] - old[:-52]) ** 2))  # a long history keeps its own spread
    assert out.loc["old", "hi_95"].iloc[0] - out.loc["old", "mean"].iloc[0] == pytest.approx(1.959964 * sigma, rel=1e-4)


def test_a_weekly_season_that_is_only_noise_is_left_out_and_a_real_one_kept() -> None:
    """Four years of weekly counts give each of the 52 calendar-week indices four values: on a
    series without a season the old index carried that noise into every forecast (the forecast
    zig-zagged by twice the noise's sd); the shrunk index leaves it out, and keeps a real season."""
    from models.forecast.season import position_means

    rng = np.random.default_rng(5)
    dates = pd.date_range("2022-01-03", periods=208, freq="7D")
    flat = 100 + rng.normal(0, 10, len(dates))
    X = pd.DataFrame({"series_id": "a", "date": dates})
    for name in ("theta", "ets"):
        out = make_forecaster(name, freq="W", horizon=13).fit(X, flat).forecast()
        assert np.ptp(out["mean"]) < 2.0, name  # noise sd 10: unshrunk, the forecast zig-zagged over 22 to 23

    weeks = np.arange(len(dates)) % 52
    seasonal = 100 + 20 * np.sin(2 * np.pi * weeks / 52) + rng.normal(0, 2, len(dates))
    index = position_means(seasonal - 100, weeks, 52, 0.0, shrink=True)
    assert index == pytest.approx(20 * np.sin(2 * np.pi * np.arange(52) / 52), abs=2.5)
    raw, shrunk = (position_means(flat - 100, weeks, 52, 0.0, shrink=s) for s in (False, True))
    assert np.std(shrunk) < 0.5 * np.std(raw)
