"""The forecast flow on an intake that names its municipality (ADR 0024): teams are reconciled with
their municipal total, the served model and capacity use the reconciled numbers, MLflow has the
accuracy of every level."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient

from flows.forecast_report import write_tables
from flows.forecast_tracking import MODEL_NAME
from flows.train_forecast import train_forecast
from models.capacity import plan_capacity
from models.forecast import reconcile as R
from werkwijzer.contracts import read_forecast, read_norms, read_staffing

TEAMS = ["wmo_meldingen", "jeugdhulp", "bijstand_aanvragen"]


@pytest.fixture(scope="module")
def run(sim_dir: Path, settings, prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    intake = pd.read_csv(sim_dir / "intake_weekly.csv")
    path = tmp_path_factory.mktemp("hier") / "intake.csv"
    intake = intake[intake["series_id"].isin(TEAMS)].assign(municipality="Simstad")
    # one team delivers late: its last week is empty (found from outside: its forecast began a week
    # early, fitted in a batch of its own, and the totals were summed with 0 for the weeks it lacked)
    intake.loc[(intake["series_id"] == "jeugdhulp") & (intake["date"] == intake["date"].max()), "value"] = np.nan
    intake.to_csv(path, index=False)
    result = train_forecast(
        path,
        freq="W",
        horizon=4,
        cutoffs=2,
        settings=settings,
        models=["seasonal_naive", "theta"],
        norms=sim_dir / "norms.csv",
        staffing=sim_dir / "staffing.csv",
    )
    return sim_dir, result


@pytest.mark.slow
def test_teams_add_up_to_the_municipality_and_are_what_is_published(run) -> None:  # type: ignore[no-untyped-def]
    _, result = run
    assert result.reconciliation in R.METHODS
    levels = result.levels
    assert set(levels["level"]) == {"municipality", "team"}
    thousandths = levels.assign(m=np.rint(levels["mean"] * 1000).astype(np.int64))
    teams = thousandths[thousandths["level"] == "team"].groupby("date")["m"].sum()
    total = thousandths[thousandths["level"] == "municipality"].set_index("date")["m"]
    pd.testing.assert_series_equal(teams, total, check_names=False)
    last = pd.Timestamp(pd.read_csv(result.params["data"])["date"].max())
    weeks = pd.date_range(last + pd.Timedelta(days=7), periods=4, freq="7D")
    for sid, rows in levels.groupby("series_id"):  # every series forecasts the same four weeks, the late team too
        assert list(pd.to_datetime(rows["date"])) == list(weeks), sid
    assert np.allclose(thousandths["m"] / 1000, levels["mean"], rtol=0, atol=1e-9)  # 3 decimals exactly
    published = levels[levels["level"] == "team"].drop(columns="level").reset_index(drop=True)
    forecast = result.forecast.drop(columns="horizon_correlation")  # one value per run (ADR 0031), not a level's
    pd.testing.assert_frame_equal(published, forecast.reset_index(drop=True))
    assert set(result.forecast["series_id"]) == set(TEAMS)  # the total is not a team
    assert set(result.predictions["series_id"]) == set(TEAMS)
    accuracy = result.level_accuracy
    assert set(accuracy["method"]) == {"base", *R.METHODS}
    assert set(accuracy["level"]) == {"municipality", "team"}
    assert "Coherent totals" in result.report and result.reconciliation in result.report


@pytest.mark.slow
def test_the_written_files_add_up_and_keep_the_forecast_contract(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, result = run
    names = write_tables(result, tmp_path)
    assert {"forecast.csv", "forecast_levels.csv", "backtest_levels.csv"} <= set(names)
    text = pd.read_csv(tmp_path / "forecast_levels.csv", dtype=str)
    cell = text.set_index(["series_id", "date"])["mean"].map(Decimal)
    for date in text["date"].unique():
        assert sum(cell[(t, date)] for t in TEAMS) == cell[("municipality:Simstad", date)]
    published = read_forecast(tmp_path / "forecast.csv")  # what `werkwijzer capacity` reads
    assert set(published["series_id"]) == set(TEAMS)


@pytest.mark.slow
def test_capacity_plans_with_the_reconciled_numbers(run) -> None:  # type: ignore[no-untyped-def]
    sim_dir, result = run
    plan = plan_capacity(result.forecast, read_norms(sim_dir / "norms.csv"), read_staffing(sim_dir / "staffing.csv"))
    planned = plan.set_index(["team", "week"])["intake_mean"].sort_index()
    teams = result.levels[result.levels["level"] == "team"].set_index(["series_id", "date"])["mean"]
    reconciled = teams.rename_axis(["team", "week"]).loc[planned.index]
    np.testing.assert_allclose(planned.to_numpy(), reconciled.to_numpy())
    total = result.levels[result.levels["level"] == "municipality"].set_index("date")["mean"]
    in_plan = plan.groupby("week")["intake_mean"].sum()
    if set(plan["team"]) == set(TEAMS):  # every team has norms: the plan's intake is the total
        np.testing.assert_allclose(in_plan.to_numpy(), total.loc[in_plan.index].to_numpy())


@pytest.mark.slow
def test_the_served_model_and_mlflow_have_every_level(run, settings) -> None:  # type: ignore[no-untyped-def]
    _, result = run
    client = MlflowClient()
    data = client.get_run(result.run_id).data
    assert data.tags["reconciliation"] == result.reconciliation
    for level in ("municipality", "team"):
        for method in ("base", result.reconciliation):
            assert f"mase.level.{level}.{method}" in data.metrics
    model = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{result.model_version}")
    served = model.predict(pd.DataFrame({"series_id": ["municipality:Simstad", "jeugdhulp"]}))
    assert set(served["series_id"]) == {"municipality:Simstad", "jeugdhulp"}
    expected = result.levels.set_index(["series_id", "date"])["mean"]
    got = served.assign(date=pd.to_datetime(served["date"])).set_index(["series_id", "date"])["mean"]
    np.testing.assert_allclose(got.to_numpy(), expected.loc[got.index].to_numpy())
