"""The measuring parts of ``benchmarks/advice_ab.py``: CPU of a server and its children, per-round figures."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import advice_ab  # benchmarks/advice_ab.py


def test_process_cpu_counts_the_process_and_its_children() -> None:
    busy = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"]
    )
    try:
        seen = 0.0
        while parent.poll() is None:
            seen = max(seen, advice_ab.process_cpu_seconds(parent.pid))
            time.sleep(0.05)
    finally:
        parent.wait()
    assert seen >= 0.2  # the child's busy loop, read through the parent's pid while it ran


def test_a_round_reports_percentiles_throughput_and_cpu_per_request() -> None:
    result = advice_ab.Round("tree", np.arange(1.0, 101.0), errors=0, seconds=2.0, server_cpu=0.1, client_cpu=0.01)
    row = result.row()
    assert row["p50"] == np.percentile(np.arange(1.0, 101.0), 50) and row["p99"] > row["p95"] > row["p50"]
    assert row["req/s"] == 50.0
    assert row["server ms/req"] == 1.0 and row["client ms/req"] == 0.1
