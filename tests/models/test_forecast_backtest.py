"""Backtest arithmetic: cutoffs, MASE scaling, sMAPE, coverage and Winkler on hand cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecast import combine, make_forecaster
from models.forecast.backtest import cutoff_dates, horizon_correlation, run_backtest, short_history_cutoffs
from models.forecast.metrics import mase_scale, score_rows, smape, winkler


def poisson_series(dates: pd.DatetimeIndex, means: dict[str, float], seed: int) -> pd.DataFrame:
    """Long ``series_id,date,value``: Poisson counts around each series' mean, drawn in order."""
    rng = np.random.default_rng(seed)
    return pd.concat(
        [
            pd.DataFrame({"series_id": s, "date": dates, "value": rng.poisson(lam, len(dates)).astype(float)})
            for s, lam in means.items()
        ],
        ignore_index=True,
    )


def test_cutoffs_are_spaced_by_horizon_and_end_one_horizon_early() -> None:
    last = pd.Timestamp("2024-06-30")
    cuts = cutoff_dates(last, 7, 3, "D")
    assert cuts == [
        pd.Timestamp("2024-06-09"),
        pd.Timestamp("2024-06-16"),
        pd.Timestamp("2024-06-23"),
    ]
    monthly = cutoff_dates(pd.Timestamp("2024-12-01"), 6, 2, "M")
    assert monthly == [pd.Timestamp("2023-12-01"), pd.Timestamp("2024-06-01")]


def test_mase_scale_uses_the_natural_season() -> None:
    history = np.array([1.0, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 7])  # lag-7 diffs: 2,0,0,0,0,0,0
    assert mase_scale(history, 7) == pytest.approx(2 / 7)
    assert mase_scale(np.array([1.0, 3.0, 2.0]), 7) == pytest.approx(1.5)  # too short: lag 1
    assert np.isnan(mase_scale(np.array([4.0, 4.0, 4.0]), 1))  # no variation: undefined


def test_smape_and_winkler_by_hand() -> None:
    assert smape(np.array([100.0, 0.0]), np.array([50.0, 0.0])).tolist() == pytest.approx([200 * 50 / 150, 0])
    # inside: width only; below by 2 at alpha 0.05: width + 2/0.05*2
    scores = winkler(np.array([5.0, 1.0]), np.array([3.0, 3.0]), np.array([7.0, 7.0]), 95)
    assert scores.tolist() == pytest.approx([4.0, 4.0 + 80.0])


def test_score_rows_coverage_and_scaled_error() -> None:
    rows = pd.DataFrame(
        {
            "actual": [10.0, 20.0],
            "mean": [12.0, 20.0],
            "scale": [2.0, 2.0],
            "lo_80": [11.0, 15.0],
            "hi_80": [13.0, 25.0],
            "lo_95": [9.0, 10.0],
            "hi_95": [15.0, 30.0],
        }
    )
    scored = score_rows(rows)
    assert scored["abs_scaled_error"].tolist() == [1.0, 0.0]
    assert scored["covered_80"].tolist() == [0.0, 1.0]
    assert scored["covered_95"].tolist() == [1.0, 1.0]


def test_backtest_summary_matches_its_predictions() -> None:
    dates = pd.date_range("2022-01-03", periods=120, freq="7D")
    data = poisson_series(dates, {"a": 10, "b": 40}, seed=1)
    factories = {n: (lambda n=n: make_forecaster(n, freq="W", horizon=4)) for n in ("seasonal_naive", "glm")}
    result = run_backtest(data, factories, freq="W", horizon=4, n_cutoffs=3, windows=2)
    pred = result["predictions"]
    assert sorted(pred["model"].unique()) == ["auto", "glm", "seasonal_naive"]
    assert pred["cutoff"].nunique() == 3 and pred["cutoff"].max() == dates[-5]
    assert len(pred) == 3 * 2 * 4 * 3
    one = pred[(pred["series_id"] == "a") & (pred["model"] == "glm")]
    history = data[data["series_id"] == "a"].set_index("date")["value"]
    expected = np.mean(
        [
            np.mean(np.abs(g["actual"] - g["mean"])) / mase_scale(history.loc[:c].to_numpy(), 52)
            for c, g in one.groupby("cutoff")
        ]
    )
    summary = result["summary"].set_index(["series_id", "model"])
    assert summary.loc[("a", "glm"), "mase"] == pytest.approx(expected)
    # auto combines, at each cutoff, with weights learned from earlier cutoffs only
    for cutoff, rows in result["choices"].groupby("cutoff"):
        combo = combine.plan(result["all_predictions"], cutoff, 2, ["seasonal_naive", "glm"], 4)
        logged = {s: dict(zip(g["model"], g["weight"], strict=True)) for s, g in rows.groupby("series_id")}
        assert logged == combo.weights
        for sid, weights in combo.weights.items():
            assert sum(weights.values()) == pytest.approx(1.0)
            at = pred[(pred["cutoff"] == cutoff) & (pred["series_id"] == sid)]
            expected = sum(w * at[at["model"] == m].sort_values("date")["mean"].to_numpy() for m, w in weights.items())
            auto = at[at["model"] == "auto"].sort_values("date")["mean"].to_numpy()
            assert np.allclose(auto, expected)


def test_cutoffs_before_the_first_observation_forecast_nothing_instead_of_failing() -> None:
    """A short history with many cutoffs (e.g. 2 years weekly, 8 cutoffs of 13 weeks) must still backtest."""
    dates = pd.date_range("2024-01-01", periods=30, freq="7D")
    data = pd.DataFrame({"series_id": "a", "date": dates, "value": np.arange(30, dtype=float) % 7 + 3})
    factories = {"seasonal_naive": lambda: make_forecaster("seasonal_naive", freq="W", horizon=4)}
    result = run_backtest(data, factories, freq="W", horizon=4, n_cutoffs=12, windows=2)
    pred = result["predictions"]
    assert pred["cutoff"].min() >= dates[0]
    assert pred["date"].dtype == data["date"].dtype
    assert not pred.empty


def test_extra_calibration_cutoffs_widen_the_evidence_without_looking_ahead() -> None:
    """``extra`` cutoffs before the weight windows feed the conformal radii of every evaluation
    cutoff (and ``auto``'s set-wide weights, ADR 0038); what happens after an evaluation cutoff
    still cannot change its forecasts or intervals."""
    dates = pd.date_range("2021-01-04", periods=160, freq="7D")
    data = poisson_series(dates, {"a": 12, "b": 30, "c": 60}, seed=7)
    factories = {n: (lambda n=n: make_forecaster(n, freq="W", horizon=4)) for n in ("seasonal_naive", "glm")}

    def first_evaluation(frame: pd.DataFrame, extra: int) -> pd.DataFrame:
        result = run_backtest(frame, factories, freq="W", horizon=4, n_cutoffs=2, windows=2, extra=extra)
        pred = result["predictions"]
        assert pred["cutoff"].nunique() == 2  # the extra cutoffs are not evaluated
        first = pred[pred["cutoff"] == pred["cutoff"].min()]
        return first.sort_values(["model", "series_id", "date"]).reset_index(drop=True)

    with_extra = first_evaluation(data, 2)
    without = first_evaluation(data, 0)
    cutoff = with_extra["cutoff"].iloc[0]
    assert cutoff == cutoff_dates(dates[-1], 4, 2, "W")[0]
    bounds = ["mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    base = with_extra["model"] != "auto"  # the base models' forecasts do not depend on other windows
    pd.testing.assert_frame_equal(
        with_extra.loc[base, ["model", "series_id", "date", "mean"]],
        without.loc[without["model"] != "auto", ["model", "series_id", "date", "mean"]],
    )
    # two more calibration windows: other radii (four windows instead of two)
    assert not np.allclose(with_extra["hi_80"], without["hi_80"])
    changed = data.copy()
    later = changed["date"] > cutoff
    changed.loc[later, "value"] = changed.loc[later, "value"] * 3 + 50
    again = first_evaluation(changed, 2)
    pd.testing.assert_frame_equal(with_extra[bounds], again[bounds])


@pytest.mark.parametrize("scale", sorted(combine.SCALES))
def test_interval_scale_reads_only_the_history_up_to_the_origin(scale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from models.forecast.backtest import attach_scale

    monkeypatch.setattr(combine, "SCALE", scale)
    dates = pd.date_range("2022-01-03", periods=80, freq="7D")
    values = np.random.default_rng(3).poisson(20, 80).astype(float)
    data = pd.DataFrame({"series_id": "a", "date": dates, "value": values})
    rows = pd.DataFrame({"series_id": "a", "cutoff": [dates[59]], "date": [dates[60]]})
    changed = data.assign(value=np.where(data["date"] > dates[59], values * 7, values))
    first = attach_scale(rows, data, "W")["interval_scale"].iloc[0]
    assert np.isfinite(first) and first > 0
    assert attach_scale(rows, changed, "W")["interval_scale"].iloc[0] == first
    assert first == pytest.approx(combine.SCALES[scale](values[:60], 52))


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.8])
def test_horizon_correlation_recovers_how_far_the_errors_move_together(rho: float) -> None:
    """Errors built as sqrt(rho) x a shock shared by a window + sqrt(1 - rho) x a shock per step,
    each standardised by the row's band (sigma 10): the estimate finds rho back."""
    rng = np.random.default_rng(7)
    n, horizon = 600, 13
    z = np.sqrt(rho) * rng.standard_normal((n, 1)) + np.sqrt(1 - rho) * rng.standard_normal((n, horizon))
    dates = pd.date_range("2026-01-05", periods=horizon, freq="7D")
    rows = pd.DataFrame(
        {
            "series_id": np.repeat([f"s{i % 20}" for i in range(n)], horizon),
            "cutoff": np.repeat(pd.date_range("2020-01-06", periods=n, freq="7D"), horizon),
            "date": np.tile(dates, n),
            "mean": 100.0,
            "lo_95": 100.0 - 1.959963984540054 * 10,
            "hi_95": 100.0 + 1.959963984540054 * 10,
        }
    )
    rows["actual"] = 100.0 + 10 * z.ravel()
    assert horizon_correlation(rows.sample(frac=1.0, random_state=1)) == pytest.approx(rho, abs=0.06)  # any row order
    assert np.isnan(horizon_correlation(rows.iloc[:horizon]))  # one window: no estimate
    one_step = rows[rows["date"] == dates[0]]
    assert np.isnan(horizon_correlation(one_step))  # a horizon of one period has nothing to move with


def test_the_gbm_backtest_without_its_own_bounds_scores_the_same() -> None:
    """The flow backtests the gradient-boosted model without its calibration model (ADR 0039): every
    evaluated row, its bounds and ``auto`` included, is what the backtest with them gives."""
    dates = pd.date_range("2022-01-03", periods=150, freq="7D")
    data = poisson_series(dates, {"a": 10, "b": 40, "c": 25}, seed=4)
    results = []
    for intervals in (True, False):
        factories = {
            "seasonal_naive": lambda: make_forecaster("seasonal_naive", freq="W", horizon=4),
            "gbm": lambda i=intervals: make_forecaster("gbm", freq="W", horizon=4, max_iter=20, intervals=i),
        }
        results.append(run_backtest(data, factories, freq="W", horizon=4, n_cutoffs=3, windows=2))
    with_bounds, without = (r["predictions"] for r in results)
    assert with_bounds["hi_95"].notna().all() and (with_bounds["hi_95"] > with_bounds["lo_95"]).any()
    pd.testing.assert_frame_equal(with_bounds, without)
    warm_up = results[1]["all_predictions"]
    warm_up = warm_up[~warm_up["cutoff"].isin(without["cutoff"]) & (warm_up["model"] == "gbm")]
    assert len(warm_up) and warm_up["lo_95"].isna().all()  # the windows that only feed auto: no bounds made


def test_cutoffs_before_two_years_of_the_median_series_are_short() -> None:
    """36 months of NHS-like data, horizon 6: the windows at 6, 12 and 18 months had no two years
    of counts; at 24 and 30 months they had. A late-starting series does not move the median."""
    dates = pd.date_range("2016-04-01", "2019-03-01", freq="MS")
    data = poisson_series(dates, {"a": 100.0, "b": 200.0, "c": 300.0}, seed=0)
    data = data[(data["series_id"] != "c") | (data["date"] >= "2018-01-01")]  # c starts late
    every = cutoff_dates(dates.max(), 6, 5, "M")
    assert [f"{c:%Y-%m}" for c in every] == ["2016-09", "2017-03", "2017-09", "2018-03", "2018-09"]
    assert short_history_cutoffs(data, every, "M") == every[:3]
    assert short_history_cutoffs(data, every, "M", years=1) == every[:1]
    weekly = poisson_series(pd.date_range("2020-01-06", periods=160, freq="W-MON"), {"a": 9.0}, seed=1)
    assert short_history_cutoffs(weekly, cutoff_dates(weekly["date"].max(), 13, 4, "W"), "W") == []
    assert short_history_cutoffs(weekly.iloc[:0], [], "W") == []
