"""How long `werkwijzer simulate` takes, side by side with the I/O floor it cannot beat.

The peer run writes the same tables with pandas ``to_csv`` only (no simulation), so the ratio
says how much the simulation itself adds on top of writing its output.

    python benchmarks/simulate_speed.py [--inhabitants 100000] [--years 6] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkwijzer.io import write_csv
from werkwijzer.simulation import simulate_municipality


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inhabitants", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    end = dt.date(2026, 11, 22)
    sim_times, io_times = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            written = simulate_municipality(
                Path(tmp) / "sim", inhabitants=args.inhabitants, years=args.years, seed=1, end=end
            )
            sim_times.append(time.perf_counter() - start)
            tables = {p.name: pd.read_csv(p, dtype=str) for p in written if p.suffix == ".csv"}
            start = time.perf_counter()
            for name, frame in tables.items():
                write_csv(frame, Path(tmp) / f"copy-{name}")
            io_times.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "werkwijzer",
                "simulate",
                "--out",
                tmp,
                "--inhabitants",
                str(args.inhabitants),
                "--years",
                str(args.years),
                "--seed",
                "1",
                "--end",
                end.isoformat(),
            ],
            check=True,
            capture_output=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        cli = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sim, io = statistics.median(sim_times), statistics.median(io_times)
    print(f"inhabitants={args.inhabitants} years={args.years} repeat={args.repeat}")
    print(f"werkwijzer simulate   median {sim:6.2f} s")
    print(f"pandas to_csv (floor) median {io:6.2f} s")
    print(f"ratio simulate / floor       {sim / io:6.2f}")
    print(f"whole CLI run (incl. start-up) {cli:6.2f} s, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
