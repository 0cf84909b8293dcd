"""Latency and throughput of ``POST /api/v1/advice`` side by side with ``mlflow models serve``.

Both servers score the same registered champion (``werkwijzer-triage-effort_class@champion``)
in one run, on 127.0.0.1 only:

- the Werkwijzer API (``python -m werkwijzer serve``, uvicorn, SQLite under a private
  ``WERKWIJZER_HOME``): validation, both triage models, SHAP reasons, the advice row, the
  hash-chained audit entry, commit;
- ``mlflow models serve -m models:/werkwijzer-triage-effort_class@champion --env-manager local``
  on the same tracking store: the pyfunc's ``predict`` only (probabilities, no explanation, no
  storage).

The run trains the champions first on a small simulated municipality (or reuses them with
``--reuse --home DIR``), creates a caseworker, starts both servers on free ports, warms each up,
then measures 1 and 32 concurrent clients (``benchmarks/http_load.py``: raw asyncio HTTP/1.1
keep-alive connections, closed loop) with bounded request counts
and time. The control share is set to 0 for the run (``WERKWIJZER_CONTROL_SHARE=0``) so every
advice carries a suggestion and its explanation; the share is a product setting, not a cost.
The load generator runs on the same machine as both servers; that cost is the same for both.

    python benchmarks/api_latency.py [--home DIR [--reuse]] [--requests 2000] [--max-seconds 60]
                                     [--workers N] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load  # noqa: E402  (benchmarks/http_load.py, next to this file)

EFFORT = "werkwijzer-triage-effort_class"
INTEGRATED = "werkwijzer-triage-integrated_approach"
CONCURRENCY = (1, 32)


# -- preparing the champions ---------------------------------------------------------------
def train(home: Path, inhabitants: int, years: int) -> None:
    """Simulate a municipality and train both triage champions into ``home`` (runs in a child)."""
    os.environ["WERKWIJZER_HOME"] = str(home)
    os.environ["PREFECT_HOME"] = str(home / "prefect")
    from flows.train_triage import train_triage
    from werkwijzer.settings import Settings
    from werkwijzer.simulation import simulate_municipality

    settings = Settings(home=home)
    data = settings.data_dir
    simulate_municipality(data, inhabitants=inhabitants, years=years, seed=settings.seed)
    runs = [
        ("integrated_approach", {"positive": "true"}),
        ("effort_class", {"label_repair": "hours", "norms_path": str(data / "norms.csv")}),
    ]
    for target, options in runs:
        run = train_triage(
            str(data / "cases.csv"),
            str(data / "feature_registry.yaml"),
            target,
            out_dir=str(home / "reports" / target),
            settings=settings,
            **options,
        )
        failed = [name for name, gate in run.gates.items() if not gate.get("passed")]
        print(
            f"{run.model_name} version {run.version}: "
            f"{'candidate' if run.candidate else 'NOT a candidate, failed gates: ' + ', '.join(failed)}",
            flush=True,
        )
    from casework.approvals import Approver, approve_candidates
    from casework.clock import utc_now

    approver = Approver(name="benchmark model owner", actor="benchmark", via="benchmark", named_by="option")
    approve_candidates(settings, approver, "benchmark set-up: the candidates are the champions measured", utc_now())


def champion_schemas(settings: Any) -> dict[str, dict[str, Any]]:
    """``schema.json`` of each triage champion, or SystemExit when one is missing."""
    from werkwijzer.tracking import champion_version, configure_mlflow

    client = configure_mlflow(settings)
    out = {}
    for name in (EFFORT, INTEGRATED):
        version = champion_version(client, name)
        if version is None:
            raise SystemExit(f"no champion for {name} in {settings.tracking_uri}; run without --reuse")
        with tempfile.TemporaryDirectory() as tmp:
            path = client.download_artifacts(version.run_id, "triage/schema.json", tmp)
            out[name] = json.loads(Path(path).read_text(encoding="utf-8"))
        out[name]["version"] = str(version.version)
    return out


def cases_for(settings: Any, schemas: dict[str, dict[str, Any]], limit: int) -> list[tuple[str, dict[str, Any]]]:
    """(team, features) of simulated cases that pass both schemas (the union of their features)."""
    import pandas as pd

    specs: dict[str, dict[str, Any]] = {}
    for schema in schemas.values():
        for spec in schema["features"]:
            specs.setdefault(spec["name"], spec)
    frame = pd.read_csv(settings.data_dir / "cases.csv").head(20 * limit)
    out = []
    for record in frame.to_dict(orient="records"):
        features: dict[str, Any] = {}
        for name, spec in specs.items():
            value = record.get(name)
            if value is None or (isinstance(value, float) and value != value):
                break
            if spec["kind"] == "numeric":
                value = float(value)
                if spec.get("min") is not None and not spec["min"] <= value <= spec["max"]:
                    break
            elif spec["kind"] == "boolean":
                value = value if isinstance(value, bool) else str(value).lower() == "true"
            else:
                value = str(value)
                if spec.get("categories") and value not in spec["categories"]:
                    break
            features[name] = value
        else:
            out.append((str(record["team"]), features))
        if len(out) >= limit:
            break
    if not out:
        raise SystemExit("no simulated case passes the champions' schemas")
    return out


def caseworker_token(settings: Any) -> str:
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.users import create_local_users

    with store_session(settings.database) as session:
        return create_local_users(session, "benchmark", ["caseworker"], utc_now())["caseworker"]


# -- servers --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    name: str, command: list[str], env: dict[str, str], log: Path, ready: Callable[[], bool], timeout: float = 300
) -> Iterator[None]:
    """Start ``command`` in its own process group; stop that group however the block ends."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with {proc.returncode}; see {log}:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} not ready after {timeout:.0f} s; see {log}")
            time.sleep(0.5)
        yield
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def answers(url: str, headers: dict[str, str] | None = None) -> bool:
    import httpx

    try:
        return httpx.get(url, headers=headers, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def triage_loaded(url: str, headers: dict[str, str]) -> bool:
    """Both triage champions loaded (``/ready`` also wants a forecast, which advice does not use)."""
    import httpx

    try:
        response = httpx.get(url, headers=headers, timeout=2)
    except httpx.HTTPError:
        return False
    if response.status_code not in (200, 503) or "models" not in response.json():
        return False
    models = response.json()["models"]
    return bool(response.json().get("database")) and all(models.get(n) for n in (EFFORT, INTEGRATED))


# -- load -----------------------------------------------------------------------------------
@dataclass
class Result:
    endpoint: str
    clients: int
    latencies: list[float]
    errors: int
    seconds: float

    def pct(self, q: float) -> float:
        return float(np.percentile(self.latencies, q * 100)) * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds


async def load(
    url: str,
    make_body: Callable[[int], dict[str, Any]],
    headers: dict[str, str],
    expect: int,
    clients: int,
    requests: int,
    max_seconds: float,
    first: int = 0,
) -> tuple[list[float], int, float]:
    """``requests`` POSTs from ``clients`` concurrent keep-alive connections (or until ``max_seconds``)."""
    outcome = await http_load.run(url, make_body, headers, expect, clients, requests, max_seconds, first)
    for sample in outcome.samples:
        print(f"  unexpected answer from {url}: {sample}", flush=True)
    return outcome.latencies, outcome.errors, outcome.seconds


def measure(
    endpoint: str,
    url: str,
    make_body: Callable[[int], dict[str, Any]],
    headers: dict[str, str],
    expect: int,
    clients: int,
    args: argparse.Namespace,
    offset: int,
) -> Result:
    asyncio.run(load(url, make_body, headers, expect, clients, args.warmup, args.max_seconds, offset))
    requests = args.requests if clients > 1 else args.requests_single
    latencies, errors, seconds = asyncio.run(
        load(url, make_body, headers, expect, clients, requests, args.max_seconds, offset + args.warmup)
    )
    if len(latencies) < 20:
        raise SystemExit(f"{endpoint} with {clients} clients: only {len(latencies)} good answers, {errors} errors")
    result = Result(endpoint, clients, latencies, errors, seconds)
    print(
        f"  {endpoint:22s} {clients:3d} clients: {len(latencies)} ok, {errors} errors, "
        f"p50 {result.pct(0.50):.1f} ms, p99 {result.pct(0.99):.1f} ms, {result.throughput:.1f} req/s",
        flush=True,
    )
    return result


def table(results: list[Result]) -> str:
    head = (
        "| endpoint | clients | requests | errors | p50 ms | p95 ms | p99 ms | req/s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = [
        f"| {r.endpoint} | {r.clients} | {len(r.latencies)} | {r.errors} | {r.pct(0.50):.1f} | "
        f"{r.pct(0.95):.1f} | {r.pct(0.99):.1f} | {r.throughput:.1f} |"
        for r in results
    ]
    by = {(r.endpoint, r.clients): r for r in results}
    ratios = [
        "",
        "| ratio advice / mlflow | clients | p50 | p95 | p99 | throughput |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for clients in CONCURRENCY:
        a, m = by[("advice", clients)], by[("mlflow", clients)]
        ratios.append(
            f"| advice / mlflow | {clients} | {a.pct(0.5) / m.pct(0.5):.2f} | {a.pct(0.95) / m.pct(0.95):.2f}"
            f" | {a.pct(0.99) / m.pct(0.99):.2f} | {a.throughput / m.throughput:.2f} |"
        )
    a, m = by[("advice", 32)], by[("mlflow", 32)]
    floors = [
        "",
        f"floor p99 <= 50 ms at 32 clients: {'MET' if a.pct(0.99) <= 50 else 'NOT MET'} ({a.pct(0.99):.1f} ms)",
        f"floor throughput >= mlflow models serve at 32 clients: "
        f"{'MET' if a.throughput >= m.throughput else 'NOT MET'} "
        f"({a.throughput:.1f} vs {m.throughput:.1f} req/s)",
    ]
    return "\n".join([head, *rows, *ratios, *floors])


# -- main -----------------------------------------------------------------------------------
def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="WERKWIJZER_HOME to use (default: a temporary folder, removed afterwards).",
    )
    parser.add_argument("--reuse", action="store_true", help="Reuse the champions already trained in --home.")
    parser.add_argument("--inhabitants", type=int, default=30_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000, help="Measured requests with 32 clients.")
    parser.add_argument("--requests-single", type=int, default=500, help="Measured requests with 1 client.")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="Time limit per measurement.")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers for both servers.")
    parser.add_argument(
        "--database-url",
        default=None,
        help="Store advice here instead of SQLite in --home (WERKWIJZER_DATABASE_URL), "
        "e.g. postgresql://postgres@127.0.0.1:5432/bench.",
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument("--train-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.train_only:
        train(args.home, args.inhabitants, args.years)
        return
    if args.reuse and args.home is None:
        raise SystemExit("--reuse needs --home")
    temporary = args.home is None
    home = (Path(tempfile.mkdtemp(prefix="werkwijzer-bench-")) if temporary else args.home).resolve()
    try:
        run(args, home)
    finally:
        if temporary:
            shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        print(f"training champions in {home} ({args.inhabitants:,} inhabitants, {args.years} years) ...", flush=True)
        began = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--train-only",
                "--home",
                str(home),
                "--inhabitants",
                str(args.inhabitants),
                "--years",
                str(args.years),
            ],
            check=True,
            cwd=ROOT,
        )
        print(f"trained in {time.perf_counter() - began:.0f} s", flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WERKWIJZER_", "MLFLOW_"))}
    env.update(
        WERKWIJZER_HOME=str(home),
        WERKWIJZER_CONTROL_SHARE="0",
        PREFECT_HOME=str(home / "prefect"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )  # mlflow runs uvicorn
    from werkwijzer.settings import Settings

    settings = Settings(home=home, control_share=0, database_url=args.database_url)
    env["MLFLOW_TRACKING_URI"] = settings.tracking_uri
    if args.database_url:
        env["WERKWIJZER_DATABASE_URL"] = args.database_url
    schemas = champion_schemas(settings)
    # Every measured request of a run is a case no earlier request of that server sent: the scorer
    # caches encoded feature values, so a small pool cycled many times would flatter the API.
    needed = len(CONCURRENCY) * args.warmup + args.requests_single + args.requests
    cases = cases_for(settings, schemas, needed)
    if len(cases) < needed:
        raise SystemExit(
            f"the simulation has {len(cases)} valid cases, the run needs {needed}: "
            "use more --inhabitants or --years, or fewer --requests"
        )
    token = caseworker_token(settings)
    effort_names = [f["name"] for f in schemas[EFFORT]["features"]]

    def advice_body(i: int) -> dict[str, Any]:
        team, features = cases[i % len(cases)]
        return {"case_id": f"BENCH-{i:08d}", "team": team, "features": features}

    def invocation_body(i: int) -> dict[str, Any]:
        team, features = cases[i % len(cases)]
        case = {**features, "team": team}
        return {"dataframe_split": {"columns": effort_names, "data": [[case[n] for n in effort_names]]}}

    api_port, mlflow_port = free_port(), free_port()
    auth = {"Authorization": f"Bearer {token}"}
    api = [
        sys.executable,
        "-m",
        "werkwijzer",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(api_port),
        "--workers",
        str(args.workers),
    ]
    mlflow = [
        str(Path(sys.executable).with_name("mlflow")),
        "models",
        "serve",
        "-m",
        f"models:/{EFFORT}@champion",
        "--env-manager",
        "local",
        "-h",
        "127.0.0.1",
        "-p",
        str(mlflow_port),
        "-w",
        str(args.workers),
    ]
    print(
        f"champions: {EFFORT} v{schemas[EFFORT]['version']}, {INTEGRATED} v{schemas[INTEGRATED]['version']}; "
        f"WERKWIJZER_CONTROL_SHARE=0; {args.workers} uvicorn worker(s) each; advice stored in "
        f"{make_url(settings.database).render_as_string(hide_password=True)}",
        flush=True,
    )
    print(f"  api:    {' '.join(api)}\n  mlflow: {' '.join(mlflow)}", flush=True)
    results: list[Result] = []
    with (
        server(
            "werkwijzer serve",
            api,
            env,
            home / "api.log",
            lambda: triage_loaded(f"http://127.0.0.1:{api_port}/ready", auth),
        ),
        server(
            "mlflow models serve",
            mlflow,
            env,
            home / "mlflow.log",
            lambda: answers(f"http://127.0.0.1:{mlflow_port}/ping"),
        ),
    ):
        offset = 0
        for clients in CONCURRENCY:  # both servers get the same cases, new ones for each concurrency
            results.append(
                measure(
                    "advice",
                    f"http://127.0.0.1:{api_port}/api/v1/advice",
                    advice_body,
                    auth,
                    201,
                    clients,
                    args,
                    offset,
                )
            )
            results.append(
                measure(
                    "mlflow",
                    f"http://127.0.0.1:{mlflow_port}/invocations",
                    invocation_body,
                    {},
                    200,
                    clients,
                    args,
                    offset,
                )
            )
            offset += args.warmup + (args.requests if clients > 1 else args.requests_single)
    print()
    print(table(results))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "endpoint": r.endpoint,
                        "clients": r.clients,
                        "ok": len(r.latencies),
                        "errors": r.errors,
                        "seconds": r.seconds,
                        "p50_ms": r.pct(0.5),
                        "p95_ms": r.pct(0.95),
                        "p99_ms": r.pct(0.99),
                        "throughput": r.throughput,
                    }
                    for r in results
                ],
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
