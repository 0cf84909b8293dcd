"""The scheduled flows on a Prefect work pool, as an operator runs them (ADR 0017, docs/deploy.md).

``prefect server start`` (SQLite) and ``prefect worker start --pool werkwijzer`` run as their own
processes; ``werkwijzer schedule deploy`` (twice: it must change nothing the second time) puts the
pool and the two deployments on the server. A run of each deployment is started through the
Prefect REST API and must reach COMPLETED; then the stores show what it did: the forecast retrained
on the champion's history plus the week of intake the teams reported since, registered as a new
version; the monitoring pass as a run in MLflow's monitoring experiment. About a minute and a half.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.api.test_topology import BIN, free_port, simulate_and_forecast, started, wait_for, werkwijzer
from werkwijzer.settings import Settings

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 240.0
REPORTED = [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7)]  # the week after the simulation


def report_intake(settings: Settings, teams: list[str]) -> None:
    """What the teams report through ``POST /api/v1/intake/{team}``: one week after the training data."""
    from casework import intake
    from casework.clock import utc_now
    from casework.db import make_engine, migrate, session_factory
    from casework.security import Principal
    from casework.users import create_user, every_team

    engine = make_engine(settings.database)
    migrate(engine)
    with session_factory(engine)() as session:
        user, _ = create_user(session, "teamleider", "team_lead", utc_now(), every_team("team_lead"))
        principal = Principal(id=user.id, name=user.name, role=user.role, teams=frozenset(user.teams))
        for team in teams:
            intake.record(session, principal, team, [(day, 5) for day in REPORTED], utc_now())
    engine.dispose()


def finished(api: str, run_id: str, worker_log: Path) -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=30).json()
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            assert run["state"]["type"] == "COMPLETED", (run["state"], worker_log.read_text(errors="replace")[-4000:])
            return run
        time.sleep(1)
    raise AssertionError(
        f"flow run {run_id} did not finish within {RUN_TIMEOUT} s:\n" + worker_log.read_text(errors="replace")[-4000:]
    )


def create_flow_run(api: str, deployment_id: str) -> dict:
    """A run of a deployment, as the UI or a schedule asks for one. A server error (the SQLite
    store busy with the worker's writes; once in a CI run the answer had no ``id``) is asked again,
    at most five times; any other answer fails with its status and body."""
    for _ in range(5):
        response = httpx.post(f"{api}/deployments/{deployment_id}/create_flow_run", json={}, timeout=30)
        if response.status_code < 500:
            break
        time.sleep(1)
    assert response.status_code == 201, (response.status_code, response.text[-2000:])
    return response.json()


def test_a_worker_runs_the_deployed_monitoring_and_retraining(tmp_path: Path) -> None:
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WERKWIJZER_", "PREFECT_", "MLFLOW_"))}
    base |= {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
    api = f"http://127.0.0.1:{port}/api"
    env = base | {
        "WERKWIJZER_HOME": str(tmp_path / "home"),
        "WERKWIJZER_ENVIRONMENT": "test",
        "WERKWIJZER_SEED": "7",
        "PREFECT_API_URL": api,
        "PREFECT_HOME": str(tmp_path / "prefect-client"),
    }
    settings = Settings(home=tmp_path / "home", environment="test", seed=7)
    with ExitStack() as stack:
        server = stack.enter_context(
            started(
                [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                tmp_path / "prefect.log",
                base | {"PREFECT_HOME": str(tmp_path / "prefect-server")},
            )
        )
        wait_for(f"{api}/health", process=server)

        sim = simulate_and_forecast(env, tmp_path)
        history = pd.read_csv(sim / "intake_weekly.csv")
        teams = sorted(history["series_id"].unique())
        report_intake(settings, teams)

        first = werkwijzer(["schedule", "deploy"], env, tmp_path)
        again = werkwijzer(["schedule", "deploy", "--monitor-cron", "30 6 * * 1"], env, tmp_path)
        assert "retrain-forecast/weekly" in first.stdout and "scheduled-monitoring/weekly" in first.stdout
        deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=30).json()
        assert len(deployments) == 2, deployments  # the second deploy updated, not added
        crons = {
            d["name"] + ":" + d["entrypoint"]: [
                (s["schedule"]["cron"], s["schedule"]["timezone"]) for s in d["schedules"]
            ]
            for d in deployments
        }
        assert crons == {
            "weekly:flows.scheduled.retrain_forecast": [("0 3 * * 1", "Europe/Amsterdam")],
            "weekly:flows.scheduled.scheduled_monitoring": [("30 6 * * 1", "Europe/Amsterdam")],
        }, again
        pool = httpx.get(f"{api}/work_pools/werkwijzer", timeout=30).json()
        assert pool["type"] == "process"

        worker_log = tmp_path / "worker.log"
        stack.enter_context(
            started(
                [str(BIN / "prefect"), "worker", "start", "--pool", "werkwijzer"],
                worker_log,
                env | {"PREFECT_WORKER_QUERY_SECONDS": "1"},
            )
        )
        ids = {d["entrypoint"].rsplit(".", 1)[1]: d["id"] for d in deployments}
        states = {}
        for name in ("retrain_forecast", "scheduled_monitoring"):  # one after the other: one SQLite MLflow store
            run = create_flow_run(api, ids[name])
            states[name] = finished(api, run["id"], worker_log)["state"]["name"]

        from flows import experiments
        from flows.forecast_tracking import MODEL_NAME
        from werkwijzer.tracking import candidate_version, client_for

        # not the process's global MLflow setup: an earlier test in this process may have set its registry URI
        mlflow = client_for(settings)
        versions = {int(v.version): v for v in mlflow.search_model_versions(f"name='{MODEL_NAME}'")}
        assert sorted(versions) == [1, 2]  # the retrained forecast is registered next to the first
        champion = mlflow.get_model_version_by_alias(MODEL_NAME, "champion")
        assert str(champion.version) == "1", "the retrained version is not served before a person approves it"
        assert states["retrain_forecast"] == "NeedsAttention", states  # a person must approve (or it failed)
        gate = versions[2].tags["gate.beats_seasonal_naive"]
        waiting = candidate_version(mlflow, MODEL_NAME)  # a search leaves the aliases out: ask by alias
        assert (waiting is not None and str(waiting.version) == "2") == (gate == "passed"), gate
        data = Path(mlflow.get_run(versions[2].run_id).data.params["data"])
        assert data.is_relative_to(settings.home_dir / "data" / "retraining")
        retrained = pd.read_csv(data, parse_dates=["date"])
        assert retrained["date"].max() == pd.Timestamp(REPORTED[0])  # one more week: the reported one
        assert (retrained[retrained["date"] == pd.Timestamp(REPORTED[0])]["value"] == 35).all()
        assert set(retrained["series_id"]) == set(teams)
        monitoring = mlflow.get_experiment_by_name(experiments.MONITORING)
        assert monitoring is not None and mlflow.search_runs([monitoring.experiment_id])
        assert states["scheduled_monitoring"] == "Completed"  # no use yet: nothing to stop

        listed = werkwijzer(["schedule", "list"], env, tmp_path).stdout
        for deployment, cron, state in (
            ("retrain-forecast/weekly", "0 3 * * 1", states["retrain_forecast"]),
            ("scheduled-monitoring/weekly", "30 6 * * 1", "Completed"),
        ):
            upcoming = r"(\d{4}-\d\d-\d\d \d\d:\d\d CES?T|none scheduled)"  # in the schedule's time zone
            line = rf"^{deployment}: {re.escape(cron)} \(Europe/Amsterdam\); next {upcoming}; last run {state}$"
            assert re.search(line, listed, re.MULTILINE), listed
