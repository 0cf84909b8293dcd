"""The forecast flow end to end on the small simulated municipality: tables, MLflow, registry,
champion gate, and the same results on a 2-worker Dask LocalCluster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flows.forecast_tracking import MODEL_NAME, gate_result
from flows.train_forecast import PREDICTION_COLUMNS, SUMMARY_COLUMNS, train_forecast
from models.forecast.backtest import horizon_correlation

FAST = {"max_iter": 25, "max_rows": 20_000}
MODELS = ["seasonal_naive", "glm", "gbm"]


def small_intake(sim_dir: Path, tmp_path: Path) -> Path:
    intake = pd.read_csv(sim_dir / "intake_weekly.csv")
    keep = intake[intake["series_id"].isin(["wmo_meldingen", "jeugdhulp", "kcc_contacten"])]
    path = tmp_path / "intake.csv"
    keep.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def flow_result(sim_dir: Path, settings, prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    path = small_intake(sim_dir, tmp_path_factory.mktemp("fc"))
    result = train_forecast(
        path,
        freq="W",
        horizon=4,
        cutoffs=2,
        settings=settings,
        models=MODELS,
        model_options=FAST,
        norms=sim_dir / "norms.csv",
        staffing=sim_dir / "staffing.csv",
    )
    return path, result


@pytest.mark.slow
def test_flow_tables(flow_result) -> None:  # type: ignore[no-untyped-def]
    _, result = flow_result
    pred = result.predictions
    assert list(pred.columns) == PREDICTION_COLUMNS
    assert set(pred["model"]) == {*MODELS, "auto"}
    assert pred["cutoff"].nunique() == 2
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    forecast = result.forecast
    assert list(forecast.columns) == [
        "series_id",
        "date",
        "mean",
        "lo_80",
        "hi_80",
        "lo_95",
        "hi_95",
        "horizon_correlation",
    ]
    assert len(forecast) == 3 * 4 and (forecast.iloc[:, 2:] >= 0).all().all()
    # one value per run, from auto's backtest errors (ADR 0031), for capacity's breach risk
    rho = horizon_correlation(pred[pred["model"] == "auto"])
    assert 0 <= rho <= 1 and (forecast["horizon_correlation"] == rho).all()
    assert (forecast["date"].dt.day_of_week == 0).all()
    drivers = result.drivers
    assert {"series_id", "date", "feature", "label_nl", "contribution"} <= set(drivers.columns)
    assert "Voorspelling" in result.report and "MASE" in result.report


@pytest.mark.slow
def test_flow_logs_and_registers(flow_result, settings) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    from werkwijzer.tracking import candidate_version, champion_version, configure_mlflow

    _, result = flow_result
    client = configure_mlflow(settings)
    run = client.get_run(result.run_id)
    assert "mase.auto" in run.data.metrics and "data_fingerprint" in run.data.tags
    assert any(k.startswith("mase.wmo_meldingen.") for k in run.data.metrics)
    names = {a.path for a in client.list_artifacts(result.run_id, "forecast")}
    assert {
        f"forecast/{n}"
        for n in (
            "forecast.csv",
            "history.csv",
            "drivers.csv",
            "backtest_summary.csv",
            "norms.csv",
            "staffing.csv",
            "algoritmeregister.json",
        )
    } <= names
    plots = {Path(a.path).name for a in client.list_artifacts(result.run_id, "plots")}
    review = {"backtest_error.png", "shap_drivers_by_horizon.png"}  # issue 18: the model owner's pictures
    assert "backtest_error.png" in plots and len(plots - review) == 3  # one per team
    assert client.list_artifacts(result.run_id, "shap")
    version = client.get_model_version(MODEL_NAME, result.model_version)
    assert version.tags["gate.beats_seasonal_naive"] == result.gate
    candidate = candidate_version(client, MODEL_NAME)
    passed, _ = gate_result(result.overall)
    assert (candidate is not None and str(candidate.version) == result.model_version) == passed == result.candidate
    champion = champion_version(client, MODEL_NAME)
    assert champion is None or str(champion.version) != result.model_version, "no person approved it"
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{result.model_version}")
    served = model.predict(pd.DataFrame({"series_id": ["jeugdhulp"]}))
    expected = result.forecast[result.forecast["series_id"] == "jeugdhulp"]
    assert served["mean"].to_numpy() == pytest.approx(expected["mean"].to_numpy())


def test_gate_result() -> None:
    overall = pd.DataFrame({"model": ["auto", "seasonal_naive"], "mase": [0.9, 1.0]})
    assert gate_result(overall) == (True, "passed")
    passed, reason = gate_result(overall.assign(mase=[1.1, 1.0]))
    assert not passed and reason.startswith("failed: auto MASE 1.1000")


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_results(flow_result, settings) -> None:  # type: ignore[no-untyped-def]
    path, local = flow_result
    dask_settings = settings.model_copy(update={"dask_local_workers": 2, "forecast_batches": 2})
    result = train_forecast(
        path,
        freq="W",
        horizon=4,
        cutoffs=2,
        settings=dask_settings,
        models=MODELS,
        model_options=FAST,
        log=False,
    )
    pd.testing.assert_frame_equal(result.forecast, local.forecast)
    pd.testing.assert_frame_equal(result.predictions, local.predictions)


@pytest.mark.slow
def test_published_forecast_combines_the_models_own_forecasts(flow_result) -> None:  # type: ignore[no-untyped-def]
    """The fit tasks send back forecasts, not models (issue 19 item 6): the published forecast is
    still auto's combination of each candidate fitted on its series and forecast here."""
    from models.forecast import OUTPUT, combine, make_forecaster

    _, result = flow_result
    params = {k: v for k, v in result.params.items() if k not in ("cutoffs", "windows", "data", "series", "date_col")}
    weights: dict[str, dict[str, float]] = {}
    for row in result.weights.itertuples(index=False):
        weights.setdefault(row.series_id, {})[row.model] = row.weight
    intake = result.intake
    forecasts = []
    for name in sorted({m for w in weights.values() for m in w}):
        series = [s for s, w in weights.items() if name in w]
        used = intake if name == "gbm" else intake[intake["series_id"].isin(series)]
        model = make_forecaster(name, **params).fit(used[["series_id", "date"]], used["value"].to_numpy())
        forecasts.append(model.forecast(int(params["horizon"])).assign(model=name))
    expected = combine.publish(
        pd.concat(forecasts, ignore_index=True),
        combine.Combination(weights, dict(result.radius)),
        combine.series_scales(intake, 52),
    )[["series_id", "date", *OUTPUT]]
    pd.testing.assert_frame_equal(result.forecast[expected.columns], expected, rtol=1e-9)


def test_a_file_where_every_series_stopped_counting_is_refused_with_its_name(tmp_path: Path) -> None:
    """Only 0 in every series for months: the counts probably stopped arriving; nothing is forecast."""
    from flows.train_forecast import load_intake
    from werkwijzer.contracts import ContractError

    dates = pd.date_range("2025-01-06", periods=80, freq="W-MON")
    rows = [
        (team, d.strftime("%Y-%m-%d"), 7 if i < 60 else 0) for team in ("wmo", "jeugd") for i, d in enumerate(dates)
    ]
    path = tmp_path / "intake.csv"
    pd.DataFrame(rows, columns=["series_id", "date", "value"]).to_csv(path, index=False)
    with pytest.raises(ContractError) as refused:
        load_intake.fn(str(path), "W", None, None, 13)
    assert "intake.csv" in str(refused.value) and "did the counts stop arriving?" in str(refused.value)
    rows = [r if r[0] == "wmo" else (r[0], r[1], 7) for r in rows]  # one team still counts: the other is left out
    pd.DataFrame(rows, columns=["series_id", "date", "value"]).to_csv(path, index=False)
    teams, without_counts, _, stopped = load_intake.fn(str(path), "W", None, None, 13)
    assert set(teams["series_id"]) == {"jeugd"} and without_counts == [] and stopped == {"wmo": dates[59]}
