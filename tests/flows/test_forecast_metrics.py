"""Which metrics a forecast run logs to MLflow (ADR 0027): per model always, per series up to a limit."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from flows.forecast_run import ForecastRun
from flows.forecast_tracking import PER_SERIES_METRICS, run_metrics


def run_of(n_series: int) -> ForecastRun:
    models = ["seasonal_naive", "auto"]
    overall = pd.DataFrame(
        {"model": models, "mase": [1.0, 0.8], "smape": [20.0, 15.0], "coverage_80": [0.8, 0.81]}
        | {"coverage_95": [0.95, 0.94], "winkler_95": [30.0, 25.0]}
    )
    summary = pd.DataFrame(
        [
            {"series_id": f"gemeente_{i:04d}/wmo", "model": m, "mase": 0.5 + i / 1000, "coverage_95": 0.9}
            for i in range(n_series)
            for m in models
        ]
    )
    empty = pd.DataFrame()
    return ForecastRun(
        intake=empty,
        predictions=empty,
        summary=summary,
        overall=overall,
        choice={},
        forecast=empty,
        drivers=empty,
        drivers_grouped=empty,
        components=empty,
        weights=empty,
        radius={},
        params={},
    )


@pytest.mark.parametrize("n_series", [3, PER_SERIES_METRICS])
def test_up_to_the_limit_every_series_has_its_own_metrics(n_series: int) -> None:
    keys = {m.key for m in run_metrics(run_of(n_series))}
    assert {"mase.auto", "coverage_95.seasonal_naive", "winkler_95.auto"} <= keys
    assert "mase.gemeente_0002/wmo.auto" in keys and "coverage_95.gemeente_0000/wmo.seasonal_naive" in keys
    assert len(keys) == 2 * 5 + n_series * 2 * 2


def test_above_the_limit_only_the_models_metrics_are_logged() -> None:
    metrics = run_metrics(run_of(PER_SERIES_METRICS + 1))
    assert sorted(m.key for m in metrics) == sorted(
        f"{name}.{model}"
        for name in ("mase", "smape", "coverage_80", "coverage_95", "winkler_95")
        for model in ("seasonal_naive", "auto")
    )
    assert {m.key: m.value for m in metrics}["mase.auto"] == pytest.approx(0.8)


def test_the_horizon_correlation_is_a_metric_for_the_model_owner() -> None:
    """ADR 0031: how far auto's errors moved together over the horizon, the figure capacity's
    breach risk simulates with; not logged when it could not be estimated."""
    run = run_of(3)
    forecast = pd.DataFrame({"series_id": ["a", "b"], "horizon_correlation": 0.25})
    values = {m.key: m.value for m in run_metrics(replace(run, forecast=forecast))}
    assert values["horizon_correlation.auto"] == 0.25
    unknown = run_metrics(replace(run, forecast=forecast.assign(horizon_correlation=float("nan"))))
    assert "horizon_correlation.auto" not in {m.key for m in unknown}


def test_long_team_names_give_keys_mlflow_accepts_and_keeps_apart() -> None:
    """Found from outside: a team name of 300 characters crashed the run after training, when
    MLflow refused its metric name (at most 250). Two such names that differ only at the end
    must still be two metrics; a file system takes the plot name."""
    from mlflow.entities import Metric
    from mlflow.utils.validation import _validate_batch_log_data

    from flows.forecast_tracking import KEY_LIMIT, _metric_key

    long = "é" * 150 + "L" * 150  # 450 bytes in UTF-8
    run = run_of(2)
    summary = run.summary.assign(series_id=run.summary["series_id"].map({"gemeente_0000/wmo": long + "a"}))
    summary["series_id"] = summary["series_id"].fillna(long + "b")
    metrics = run_metrics(replace(run, summary=summary))
    keys = [m.key for m in metrics]
    assert len(set(keys)) == len(keys) == 2 * 5 + 2 * 2 * 2
    assert max(len(k) for k in keys) <= KEY_LIMIT
    _validate_batch_log_data(metrics=[Metric(k, 1.0, 0, 0) for k in keys], params=[], tags=[])  # raises if refused
    assert len(_metric_key(long, limit=200).encode()) <= 200
    assert _metric_key("mase.wmo.auto") == "mase.wmo.auto"  # short keys are unchanged


def test_every_team_gets_its_own_plot_file() -> None:
    """Found from outside: schuld/hulp, schuld_hulp and 'schuld hulp' left two plots for three teams."""
    from flows.forecast_tracking import plot_names

    names = plot_names(["schuld/hulp", "schuld_hulp", "schuld hulp", "x" * 300])
    assert len(set(names.values())) == 4
    assert names["schuld/hulp"] == "schuld_hulp.png" and names["schuld hulp"] == "schuld hulp.png"
    assert all("/" not in n and len(n.encode()) <= 255 for n in names.values())
