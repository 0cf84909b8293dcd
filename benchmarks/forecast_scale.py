"""Issue 19 item 6: N simulated weekly series through ``werkwijzer forecast``, as a user runs it.

    nice -n 10 .venv/bin/python benchmarks/forecast_scale.py --series 500,1000,3420 [--workers 2]
        [--tree DIR] [--out FILE]

Per N: ``many_series`` of ``benchmarks/forecast_accuracy.py`` (N / 10 municipalities of 10,000
to 250,000 inhabitants x 10 teams, 3 years, weekly; no municipality column, so no totals) is
written as a long CSV, then ``werkwijzer forecast --data FILE --freq W --horizon 13 --cutoffs 2``
runs in a fresh home (its own MLflow store and Prefect server) with
``WERKWIJZER_DASK_LOCAL_WORKERS=2``: backtest (2 + 2 cutoffs, the candidates of ``BASE_MODELS`` and ``auto``), final
fit, forecast, SHAP drivers, MLflow logging and registration. ``--tree`` measures another
checkout's code with this venv (its folder goes first on ``PYTHONPATH``).

Measured over the whole process tree (the command, the Prefect server, the Dask nannies and
workers): wall seconds; CPU seconds (user + system) of every process, from ``getrusage`` of the
reaped children and, as a check, from sampling ``psutil`` every half second; peak RSS, both the
largest single process and the largest sum over the tree, both at one half-second sample; the load
average at start and end, and its mean over the run. Each line the command prints is timed, so
the stages show where the wall time goes. One JSON line per N on stdout (and appended to
``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import psutil  # noqa: E402
from forecast_accuracy import many_series  # noqa: E402

TEAMS = 10


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], env: dict[str, str], log: Path) -> dict[str, object]:
    """Run ``command`` and watch its process tree until it ends."""
    cpu_before = _children_cpu()
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stages: list[tuple[float, str]] = []

    def read() -> None:
        assert process.stdout is not None
        with log.open("w", encoding="utf-8") as out:
            for line in process.stdout:
                stamp = time.perf_counter() - start
                out.write(f"{stamp:8.1f} {line}")
                out.flush()
                text = line.strip()
                if text and "\r" not in line and not text.startswith(("backtest ", "fit ")):
                    stages.append((round(stamp, 1), text[:120]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    cpu_seen: dict[tuple[int, float], float] = {}
    peak_tree, peak_one, loads = 0, 0, []
    while process.poll() is None:
        total = 0
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for proc in tree:
            try:
                with proc.oneshot():
                    rss = proc.memory_info().rss
                    total += rss
                    peak_one = max(peak_one, rss)
                    times = proc.cpu_times()
                    cpu_seen[(proc.pid, proc.create_time())] = times.user + times.system
            except psutil.Error:
                continue
        peak_tree = max(peak_tree, total)
        loads.append(os.getloadavg()[0])
        time.sleep(0.5)
    code = process.wait()
    wall = time.perf_counter() - start
    reader.join(timeout=10)
    cpu_after = _children_cpu()
    return {
        "exit_code": code,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu_after - cpu_before, 1),
        "cpu_sampled_s": round(sum(cpu_seen.values()), 1),
        "processes": len(cpu_seen),
        "peak_rss_tree_mb": round(peak_tree / 2**20),
        # sampled, like the tree: getrusage's ru_maxrss is the largest child of this whole process,
        # so with several N in one invocation it repeated the first N's figure
        "peak_rss_process_mb": round(peak_one / 2**20),
        "load_start": round(load_start, 2),
        "load_end": round(os.getloadavg()[0], 2),
        "load_mean": round(sum(loads) / max(len(loads), 1), 2),
        "stages": stages,
    }


def run(n_series: int, workers: int, tree: Path, keep: Path | None) -> dict[str, object]:
    municipalities = -(-n_series // TEAMS)
    data = many_series(n_municipalities=municipalities, teams=TEAMS)
    with tempfile.TemporaryDirectory(prefix="werkwijzer-scale-") as tmp:
        folder = Path(tmp)
        path = folder / "intake.csv"
        data.assign(date=data["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "WERKWIJZER_HOME": str(folder / "home"),
            "WERKWIJZER_DASK_LOCAL_WORKERS": str(workers),
            "PREFECT_HOME": str(folder / "prefect"),
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "MPLBACKEND": "Agg",
        }
        command = [
            sys.executable,
            "-c",
            "import sys; from cli.main import main; sys.argv[0] = 'werkwijzer'; main()",
            "forecast",
            "--data",
            str(path),
            "--freq",
            "W",
            "--horizon",
            "13",
            "--cutoffs",
            "2",
            "--out",
            str(folder / "out"),
            "--by",
            "benchmark",
        ]
        log = (keep or folder) / f"forecast_scale_{n_series}.log"
        result = measure(command, env, log)
        if keep is not None:
            for name in ("forecast.csv", "backtest_summary.csv"):
                if (folder / "out" / name).exists():
                    (keep / f"{n_series}_{name}").write_bytes((folder / "out" / name).read_bytes())
    return {"series": int(data["series_id"].nunique()), "workers": workers, "tree": str(tree), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", default="500,1000,3420", help="comma-separated numbers of series")
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers")
    parser.add_argument("--tree", default=str(ROOT), help="the checkout whose code runs")
    parser.add_argument("--out", default=None, help="append each JSON line to this file")
    parser.add_argument("--keep", default=None, help="folder for the log and the forecast tables")
    args = parser.parse_args()
    keep = Path(args.keep) if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    for n in (int(part) for part in args.series.split(",")):
        line = json.dumps(run(n, args.workers, Path(args.tree).resolve(), keep))
        print(line, flush=True)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as out:
                out.write(line + "\n")


if __name__ == "__main__":
    main()
