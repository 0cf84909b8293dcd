"""``POST /api/v1/advice`` of two or more source trees, side by side, in interleaved rounds.

For performance work on the API: the machine's speed drifts by a third within an hour (see
``docs/benchmarks.md``), so two versions measured minutes apart cannot be compared. This runs
each tree's ``werkwijzer serve`` in turn on the same champions (trained by ``api_latency.py``
into ``--home``), A B B A ..., each round on a freshly started server with the same unseen cases,
and reports per round and on average: latency at ``--clients`` closed-loop clients, throughput,
and the server's CPU per request (from ``/proc``, the whole process) with the load generator's.

    python benchmarks/api_latency.py --home /tmp/bench-home          # once: trains the champions
    git worktree add /tmp/before main
    python benchmarks/advice_ab.py /tmp/before . --home /tmp/bench-home [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_latency  # next to this file
import http_load


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants (Linux ``/proc``)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except FileNotFoundError:
            continue
    return total


@dataclass
class Round:
    tree: str
    latencies: np.ndarray  # ms
    errors: int
    seconds: float
    server_cpu: float  # seconds
    client_cpu: float  # seconds

    def row(self) -> dict[str, float]:
        n = len(self.latencies)
        return {
            "p50": float(np.percentile(self.latencies, 50)),
            "p95": float(np.percentile(self.latencies, 95)),
            "p99": float(np.percentile(self.latencies, 99)),
            "req/s": n / self.seconds,
            "server ms/req": self.server_cpu / n * 1000,
            "client ms/req": self.client_cpu / n * 1000,
        }


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(tree: Path, args: argparse.Namespace, env: dict[str, str], auth: dict[str, str], body: Any) -> Round:
    port = api_latency.free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "werkwijzer", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log = args.home / "advice_ab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        while not api_latency.triage_loaded(f"{url}/ready", auth):
            if proc.poll() is not None:
                raise SystemExit(f"{tree}: server exited; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.3)
        advice = f"{url}/api/v1/advice"
        asyncio.run(http_load.run(advice, body, auth, 201, args.clients, args.warmup, args.max_seconds, 0))
        server0, client0 = process_cpu_seconds(proc.pid), client_cpu()
        outcome = asyncio.run(
            http_load.run(advice, body, auth, 201, args.clients, args.requests, args.max_seconds, args.warmup)
        )
        server1, client1 = process_cpu_seconds(proc.pid), client_cpu()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        proc.wait()
    if len(outcome.latencies) < 20:
        raise SystemExit(f"{tree}: only {len(outcome.latencies)} good answers; first errors: {outcome.samples}")
    return Round(
        str(tree),
        np.array(outcome.latencies) * 1000,
        outcome.errors,
        outcome.seconds,
        server1 - server0,
        client1 - client0,
    )


def tree_database(tree: Path, number: int, home: Path, env: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A database of the tree's own (trees may differ in schema: migrations are not undone) with a
    caseworker made by that tree's ``werkwijzer users create``: its environment and its auth header."""
    own = {**env, "WERKWIJZER_DATABASE_URL": f"sqlite:///{home / f'advice_ab-{number}.db'}", "PYTHONPATH": str(tree)}
    made = subprocess.run(
        [sys.executable, "-m", "werkwijzer", "users", "create", "--name", "advice_ab", "--role", "caseworker"],
        cwd=tree,
        env=own,
        capture_output=True,
        text=True,
        check=True,
    )
    return own, {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path, help="Source trees (checkouts) to compare.")
    parser.add_argument("--home", type=Path, required=True, help="WERKWIJZER_HOME with trained champions.")
    parser.add_argument("--rounds", type=int, default=2, help="Rounds per tree (order alternates).")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    return parser.parse_args()


def main() -> None:
    args = parse()
    args.home = args.home.resolve()
    trees = [t.resolve() for t in args.trees]
    from werkwijzer.settings import Settings

    settings = Settings(home=args.home, control_share=0)
    cases = api_latency.cases_for(settings, api_latency.champion_schemas(settings), args.warmup + args.requests)
    if len(cases) < args.warmup + args.requests:
        raise SystemExit(f"{len(cases)} valid cases in {args.home}; use fewer --requests or --warmup")

    def body(i: int) -> dict[str, Any]:
        team, features = cases[i]
        return {"case_id": f"AB-{i:08d}", "team": team, "features": features}

    env = {k: v for k, v in os.environ.items() if not k.startswith(("WERKWIJZER_", "MLFLOW_"))}
    env.update(
        WERKWIJZER_HOME=str(args.home),
        WERKWIJZER_CONTROL_SHARE="0",
        PREFECT_HOME=str(args.home / "prefect"),
        MLFLOW_TRACKING_URI=settings.tracking_uri,
        MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",
    )
    for number in range(len(trees)):  # fresh databases: each round adds its requests to its tree's
        for old in args.home.glob(f"advice_ab-{number}.db*"):
            old.unlink()
    own = {tree: tree_database(tree, number, args.home, env) for number, tree in enumerate(trees)}
    order = [t for r in range(args.rounds) for t in (trees if r % 2 == 0 else trees[::-1])]
    rounds: list[Round] = []
    head = "| round | tree | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | client CPU ms/req |"
    print(f"{args.clients} clients, {args.requests} requests per round, each on a fresh server\n")
    print(head + "\n|---:|---|---:|---:|---:|---:|---:|---:|", flush=True)
    for number, tree in enumerate(order, 1):
        result = measure(tree, args, *own[tree], body)
        rounds.append(result)
        print(
            f"| {number} | {tree} | "
            + " | ".join(f"{v:.2f}" if "ms/req" in k else f"{v:.1f}" for k, v in result.row().items())
            + " |",
            flush=True,
        )
    print("\n| tree | mean p50 ms | mean p99 ms | mean req/s | mean server CPU ms/req | vs first tree |")
    print("|---|---:|---:|---:|---:|---:|")
    means = {}
    for tree in trees:
        rows = [r.row() for r in rounds if r.tree == str(tree)]
        means[tree] = {k: float(np.mean([row[k] for row in rows])) for k in rows[0]}
    for tree in trees:
        m = means[tree]
        ratio = m["server ms/req"] / means[trees[0]]["server ms/req"]
        print(
            f"| {tree} | {m['p50']:.1f} | {m['p99']:.1f} | {m['req/s']:.0f} | {m['server ms/req']:.2f} | {ratio:.2f} |"
        )


if __name__ == "__main__":
    main()
