"""How often the anchoring finding fires, with and without injected anchoring (docs/monitoring.md, "Anchoring").

Runs the monitoring path (``flows.monitor_anchoring.anchoring`` and ``models.anchoring.anchoring_findings``)
on decisions made by the simulator's caseworkers (``tests/models/test_anchoring.experiment``): a model
that agrees with the caseworker's own judgement in about 60 % of cases, a random control share, and
anchoring X. Prints, per control share and X, in how many of 20 seeded passes any anchoring finding
was raised.

    python benchmarks/anchoring_power.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.models.test_anchoring import experiment, findings
from werkwijzer.settings import Settings
from werkwijzer.simulation.usage import simulate_weeks


def main() -> None:
    cases = simulate_weeks(dt.date(2026, 7, 6), 8, seed=11).cases.reset_index(drop=True)
    settings = Settings(home=Path(tempfile.mkdtemp()), environment="test")
    print("| control share | decisions per pass | anchoring X | passes with a finding |")
    print("|---|---|---|---|")
    for control, n in ((0.05, 1000), (0.2, 1500)):
        for x in (0.0, 0.3, 0.6):
            hits = sum(bool(findings(experiment(cases, seed, x, control, n), cases, settings)) for seed in range(20))
            print(f"| {control:.0%} | {n} | {x} | {hits} of 20 |", flush=True)


if __name__ == "__main__":
    main()
