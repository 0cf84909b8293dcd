"""The forecast flow on 2 local Dask worker processes when one worker process is killed while
its tasks run: the run ends with the undisturbed run's tables (the nanny starts a new worker and
the scheduler runs the lost tasks again), and the workers report to the flow's own ephemeral
Prefect server instead of starting one each; with all workers gone for good it fails with a clear
error. The flow runs in a subprocess under a hard time bound, so a hang fails a test instead of
blocking CI."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from flows.train_forecast import train_forecast
from tests.flows.test_train_forecast import FAST, MODELS, small_intake

BOUND = 150  # seconds for the whole disturbed run, start of the subprocess included

RUN = """
import os, pickle, signal, sys, threading, time
import psutil
from distributed.deploy.spec import SpecCluster
from flows.train_forecast import train_forecast
from werkwijzer.settings import Settings

data, home, out, models, options, mode = sys.argv[1:7]
killed = []
most_servers = [0]
SERVER = "prefect.server.api.server:create_app"

def kill_workers():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not killed:
        for cluster in list(SpecCluster._instances):
            scheduler = getattr(cluster, "scheduler", None)
            try:
                workers = list(scheduler.workers.values()) if scheduler else []
                busy = [ws for ws in workers if ws.processing and ws.pid]
            except RuntimeError:  # the scheduler changed its dicts meanwhile
                continue
            if len(workers) == 2 and busy:
                if mode == "one":  # its nanny starts a new worker
                    os.kill(busy[0].pid, signal.SIGKILL)
                    killed.append(busy[0].pid)
                else:  # as when the scheduler drops a worker that missed its heartbeats: no new one
                    for nanny in list(cluster.workers.values()):
                        nanny.close_gracefully(reason="test")
                        killed.append(nanny.pid)
                        os.kill(nanny.pid, signal.SIGKILL)
                print("killed", killed, flush=True)
                break
        time.sleep(0.02)
    me = psutil.Process()
    while True:  # Prefect servers below this process (the flow's own and any of the workers')
        try:
            servers = [p for p in me.children(recursive=True) if SERVER in " ".join(p.cmdline())]
            most_servers[0] = max(most_servers[0], len(servers))
        except psutil.Error:
            pass
        time.sleep(0.2)

threading.Thread(target=kill_workers, daemon=True).start()
settings = Settings(
    home=home, environment="test", seed=7, dask_local_workers=2, forecast_batches=2, dask_no_workers_timeout=10
)
result = train_forecast(
    data, freq="W", horizon=4, cutoffs=2, settings=settings, models=models.split(","),
    model_options=eval(options), log=False,
)
with open(out, "wb") as f:
    pickle.dump((killed, most_servers[0], result.forecast, result.predictions), f)
"""


def disturbed_run(path: Path, home: Path, out: Path, mode: str) -> subprocess.CompletedProcess[str]:
    """The flow on 2 local worker processes in a subprocess; ``mode`` "one" kills the worker of a
    running task, "all" closes both nannies and kills their workers. Fails the test on a hang."""
    from prefect.settings import get_current_settings

    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url)}
    if mode == "one":  # as the CLI runs it: the flow starts an ephemeral Prefect server of its own
        env.pop("PREFECT_API_URL")
        env["PREFECT_HOME"] = str(out.parent / "prefect")
    args = [str(path), str(home), str(out), ",".join(MODELS), repr(FAST), mode]
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, *args],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the workers go with it on a hang
    )
    try:
        stdout, stderr = proc.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"the run on 2 Dask workers ({mode} killed) did not end within {BOUND} s")
    assert "killed [" in stdout, f"no worker was killed while it ran a task: {stdout} {stderr[-2000:]}"
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.slow
def test_dask_run_survives_a_killed_worker(sim_dir: Path, settings, prefect_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = small_intake(sim_dir, tmp_path)
    undisturbed = train_forecast(
        path, freq="W", horizon=4, cutoffs=2, settings=settings, models=MODELS, model_options=FAST, log=False
    )
    out = tmp_path / "disturbed.pkl"
    done = disturbed_run(path, settings.home, out, "one")
    assert done.returncode == 0, done.stderr[-3000:]
    killed, servers, forecast, predictions = pickle.loads(out.read_bytes())
    assert len(killed) == 1
    assert servers == 1, "the workers report to the flow's own ephemeral Prefect server"
    pd.testing.assert_frame_equal(forecast, undisturbed.forecast)
    pd.testing.assert_frame_equal(predictions, undisturbed.predictions)


@pytest.mark.slow
def test_dask_run_without_workers_fails_clearly(sim_dir: Path, settings, prefect_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """All workers gone for good: the run fails within the bound, naming the cause, not waiting forever."""
    out = tmp_path / "disturbed.pkl"
    done = disturbed_run(small_intake(sim_dir, tmp_path), settings.home, out, "all")
    assert done.returncode != 0 and not out.exists()
    assert "NoWorkerError" in done.stderr and "waiting without any running workers" in done.stderr, done.stderr[-3000:]
