"""The production topology as processes (docs/deploy.md), each engine started by its own command.

PostgreSQL (the local server) holds three fresh databases; ``mlflow server`` and ``prefect server
start`` run on them; ``dask scheduler`` has two ``dask worker``s. The training commands run through
them by settings only; ``werkwijzer serve --workers 2`` serves on PostgreSQL. Checked: champions on
the MLflow server, flow runs completed on the Prefect server, tasks run on the Dask cluster, advice
works; with the MLflow server killed advice still works; one API worker SIGKILLed under load loses
no acknowledged decision and the audit chain verifies; the restarted worker, with MLflow still
down, advises from the local copies of the champions. Minutes long: marked slow and postgres.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from casework.clock import utc_now
from casework.db import make_engine, migrate, session_factory
from casework.demo_cases import advice_requests
from casework.users import create_user, every_team
from tests.api.conftest import drop_pg_database, make_pg_database
from tests.api.served import Ledger, Target, check_store, decision_for, retry_unanswered, run_clients
from werkwijzer.settings import Settings
from werkwijzer.usage import champion_schema

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BIN = Path(sys.executable).parent
START_TIMEOUT = 120.0
COMMAND_TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout: float = START_TIMEOUT, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args} ended with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@contextmanager
def started(args: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@contextmanager
def databases(admin: str, names: tuple[str, ...]) -> Iterator[dict[str, str]]:
    made = {name: make_pg_database(admin) for name in names}
    try:
        yield {name: url for name, (_, url) in made.items()}
    finally:
        for db, _ in made.values():
            drop_pg_database(admin, db)


def werkwijzer(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN / "werkwijzer"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{args} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def simulate_and_forecast(env: dict[str, str], cwd: Path) -> Path:
    """``werkwijzer simulate`` (a small municipality, one year) and ``forecast`` on its weekly intake,
    through whatever servers ``env`` names; returns the simulation's folder."""
    werkwijzer(["simulate", "--out", "sim", "--inhabitants", "5000", "--years", "1", "--end", "2026-11-22"], env, cwd)
    sim = cwd / "sim"
    werkwijzer(
        [
            "forecast",
            "--data",
            str(sim / "intake_weekly.csv"),
            "--freq",
            "W",
            "--horizon",
            "4",
            "--cutoffs",
            "1",
            "--norms",
            str(sim / "norms.csv"),
            "--staffing",
            str(sim / "staffing.csv"),
            "--out",
            "out/forecast",
        ],
        env,
        cwd,
    )
    approve(env, cwd, "werkwijzer-forecast", "1")  # the forecast passed its gate: a person puts it into use
    return sim


def approve(env: dict[str, str], cwd: Path, model: str, version: str) -> str:
    """``werkwijzer models approve`` as the named test owner (ADR 0019); returns what it printed."""
    from tests.approval import TEST_OWNER

    args = ["models", "approve", "--model", model, "--version", version, "--reason", "test", "--by", TEST_OWNER]
    return werkwijzer(args, env, cwd).stdout


def real_cases(settings: Settings, cases_csv: Path) -> list[dict]:
    """Advice bodies for the simulated cases, with the fields the champions on the MLflow server need."""
    from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED

    schemas = [champion_schema(settings, name) for name in (TRIAGE_EFFORT, TRIAGE_INTEGRATED)]
    return [body.model_dump(mode="json") for body in advice_requests(cases_csv, schemas, 10_000)]


def test_the_topology_trains_serves_and_survives(postgres_server: str, tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("mlflow", "prefect", "dask", "api")}
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WERKWIJZER_", "PREFECT_", "MLFLOW_"))}
    base |= {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
    with ExitStack() as stack:
        urls = stack.enter_context(databases(postgres_server, ("api", "mlflow", "prefect")))
        driver = {name: url.split("://", 1)[1] for name, url in urls.items()}  # user@host:port/db
        mlflow = stack.enter_context(
            started(
                [
                    str(BIN / "mlflow"),
                    "server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(ports["mlflow"]),
                    "--workers",
                    "1",
                    "--backend-store-uri",
                    f"postgresql+psycopg://{driver['mlflow']}",
                    "--serve-artifacts",
                    "--artifacts-destination",
                    str(tmp_path / "mlartifacts"),
                ],
                tmp_path / "mlflow.log",
                base,
            )
        )
        prefect_env = base | {
            "PREFECT_HOME": str(tmp_path / "prefect-server"),
            "PREFECT_API_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://{driver['prefect']}",
        }
        prefect = stack.enter_context(
            started(
                [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(ports["prefect"])],
                tmp_path / "prefect.log",
                prefect_env,
            )
        )
        scheduler = f"tcp://127.0.0.1:{ports['dask']}"
        stack.enter_context(
            started(
                [
                    str(BIN / "dask"),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(ports["dask"]),
                    "--dashboard-address",
                    ":0",
                ],
                tmp_path / "dask.log",
                base,
            )
        )
        for n in range(2):
            stack.enter_context(
                started(
                    [str(BIN / "dask"), "worker", scheduler, "--nthreads", "1", "--dashboard-address", ":0"],
                    tmp_path / f"dask-worker-{n}.log",
                    base,
                )
            )
        env = base | {
            "WERKWIJZER_HOME": str(tmp_path / "home"),
            "WERKWIJZER_ENVIRONMENT": "test",
            "WERKWIJZER_DATABASE_URL": urls["api"],
            "WERKWIJZER_MLFLOW_TRACKING_URI": f"http://127.0.0.1:{ports['mlflow']}",
            "WERKWIJZER_MLFLOW_ARTIFACT_ROOT": "mlflow-artifacts:/",
            "WERKWIJZER_DASK_ADDRESS": scheduler,
            "WERKWIJZER_SEED": "7",
            "PREFECT_API_URL": f"http://127.0.0.1:{ports['prefect']}/api",
        }
        wait_for(f"http://127.0.0.1:{ports['mlflow']}/health", process=mlflow)
        wait_for(f"http://127.0.0.1:{ports['prefect']}/api/health", process=prefect)

        # Training through the servers, by settings only.
        sim = simulate_and_forecast(env, tmp_path)
        for target, extra in (
            ("effort_class", ["--label-repair", "hours", "--norms", str(sim / "norms.csv")]),
            ("integrated_approach", ["--positive", "true"]),
        ):
            werkwijzer(
                [
                    "triage",
                    "train",
                    "--cases",
                    str(sim / "cases.csv"),
                    "--target",
                    target,
                    *extra,
                    "--registry",
                    str(sim / "feature_registry.yaml"),
                    "--out",
                    f"out/{target}",
                ],
                env,
                tmp_path,
            )

        from mlflow import MlflowClient

        from casework.config import MODEL_NAMES

        registry = MlflowClient(  # registry_uri too: the process's global one may point elsewhere
            tracking_uri=env["WERKWIJZER_MLFLOW_TRACKING_URI"], registry_uri=env["WERKWIJZER_MLFLOW_TRACKING_URI"]
        )
        for name in (n for n in MODEL_NAMES if n != "werkwijzer-forecast"):  # the triage candidates, approved
            approve(env, tmp_path, name, str(registry.get_model_version_by_alias(name, "candidate").version))
        champions = {
            name: str(registry.get_model_version_by_alias(name, "champion").version) for name in MODEL_NAMES
        }  # MLflow gives an int or a str, by store
        runs = httpx.post(
            f"{env['PREFECT_API_URL']}/flow_runs/filter",
            timeout=30,
            json={"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
        ).json()
        assert len(runs) >= 3, runs  # train-forecast and two train-triage runs, completed on the server
        from distributed import Client

        with Client(scheduler, timeout=30) as dask:
            prefixes = dask.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
        assert any("backtest" in prefix for prefix in prefixes), prefixes  # forecasting tasks ran on the cluster

        # Serving on PostgreSQL with two workers.
        engine = make_engine(urls["api"])
        migrate(engine)
        with session_factory(engine)() as session:
            tokens = {
                role: create_user(session, role, role, utc_now(), every_team(role))[1]
                for role in ("caseworker", "auditor")
            }
        engine.dispose()
        api = stack.enter_context(
            started(
                [str(BIN / "werkwijzer"), "serve", "--port", str(ports["api"]), "--workers", "2"],
                tmp_path / "api.log",
                env,
            )
        )
        url = f"http://127.0.0.1:{ports['api']}"
        wait_for(f"{url}/health", process=api)
        deadline = time.monotonic() + START_TIMEOUT
        while httpx.get(f"{url}/ready", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, httpx.get(
                f"{url}/ready", timeout=10, headers={"Authorization": f"Bearer {tokens['auditor']}"}
            ).text
            time.sleep(0.5)
        target = Target(
            Settings(home=tmp_path / "home", database_url=urls["api"]),
            stack.enter_context(socket.socket()),
            url,
            tokens,
            workers=2,
            process=api,
        )
        cases = real_cases(
            Settings(home=tmp_path / "home", mlflow_tracking_uri=env["WERKWIJZER_MLFLOW_TRACKING_URI"]),
            sim / "cases.csv",
        )
        advice = httpx.post(f"{url}/api/v1/advice", json=cases[0], headers=target.headers("caseworker"), timeout=30)
        assert advice.status_code == 201, advice.text
        assert advice.json()["suggestion"] is None or advice.json()["model"]["version"] in set(champions.values())

        # MLflow gone: the workers keep their champions and go on advising.
        os.killpg(mlflow.pid, signal.SIGKILL)
        mlflow.wait(timeout=10)
        for case in cases[1:5]:
            shown = httpx.post(f"{url}/api/v1/advice", json=case, headers=target.headers("caseworker"), timeout=30)
            assert shown.status_code == 201, shown.text

        # One API worker SIGKILLed under load: no acknowledged decision lost, the chain verifies.
        ledger = Ledger(target=40)
        threads = run_clients(target, ledger, clients=4, rounds=0, keep_going=True, cases=cases[5:-1])
        assert ledger.enough.wait(timeout=120), "the load did not get going"
        workers = target.worker_pids()
        assert len(workers) == 2, workers
        with ledger.lock:
            ledger.target = len(ledger.decisions) + 20
            ledger.enough.clear()
        os.kill(workers[0], signal.SIGKILL)
        assert ledger.enough.wait(timeout=120), "no decisions after the kill"  # served by the other worker
        ledger.stop.set()
        for thread in threads:
            thread.join(timeout=120)
        retry_unanswered(target, ledger)
        assert ledger.decisions
        check_store(target, ledger)

        # The killed worker is started again while MLflow is still down: it serves the local copies
        # of the champions (ADR 0034), so advice is given whichever worker answers.
        deadline = time.monotonic() + START_TIMEOUT
        while len(set(target.worker_pids()) - {workers[0]}) < 2:
            assert time.monotonic() < deadline, "the killed worker was not started again"
            time.sleep(0.5)
        wait_for(f"{url}/health", process=api)
        for case in cases[-9:-1]:  # a new connection each: either worker
            again = httpx.post(f"{url}/api/v1/advice", json=case, headers=target.headers("caseworker"), timeout=30)
            assert again.status_code == 201, again.text
        last = httpx.post(f"{url}/api/v1/advice", json=cases[-1], headers=target.headers("caseworker"), timeout=30)
        assert (
            last.status_code == 201
            and httpx.post(
                f"{url}/api/v1/advice/{last.json()['advice_id']}/decision",
                json=decision_for(last.json()),
                headers=target.headers("caseworker"),
                timeout=30,
            ).status_code
            == 201
        )
