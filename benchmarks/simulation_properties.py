"""Measure the statistical properties that docs/simulation.md states, on a simulated municipality.

python benchmarks/simulation_properties.py [--seed 11] [--end 2026-11-22]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkwijzer.calendar import public_holidays, school_holidays
from werkwijzer.simulation import parameters as P
from werkwijzer.simulation import simulate_municipality
from werkwijzer.simulation.intake import break_date, expected_daily


def cramers_v(a: pd.Series, b: pd.Series) -> float:
    table = pd.crosstab(a, b)
    return float(np.sqrt(chi2_contingency(table)[0] / (table.to_numpy().sum() * (min(table.shape) - 1))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--end", default="2026-11-22")
    parser.add_argument("--inhabitants", type=int, default=100_000)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp())
    simulate_municipality(out, inhabitants=args.inhabitants, seed=args.seed, end=pd.Timestamp(args.end).date())
    w = pd.read_csv(out / "intake_daily.csv", parse_dates=["date"]).pivot(
        index="date", columns="series_id", values="value"
    )
    i = w.index
    pub, wd = public_holidays(i), i.day_of_week
    work, school = (wd < 5) & ~pub, school_holidays(i, "NL", "Midden")
    mu = expected_daily(i, args.inhabitants)
    print("team | weekend/workday | holiday/workday | school/other | jan/jul | dispersion | 1+mu/k")
    for t in w.columns:
        y, m = w.loc[work, t], mu.loc[work, t]
        print(
            f"{t} | {w.loc[wd >= 5, t].mean() / w.loc[work, t].mean():.3f} | "
            f"{w.loc[pub & (wd < 5), t].mean() / w.loc[work, t].mean():.3f} | "
            f"{w.loc[work & school, t].mean() / w.loc[work & ~school, t].mean():.3f} | "
            f"{w.loc[i.month == 1, t].mean() / w.loc[i.month == 7, t].mean():.2f} | "
            f"{((y - m) ** 2 / m).mean():.2f} | {1 + m.mean() / P.INTAKE[t].dispersion:.2f}"
        )
    b, s = break_date(i[0].date(), i[-1].date()), w[P.STEP_TEAM]
    year = pd.Timedelta(days=364)
    lift = s[(i >= b) & (i < b + year)].mean() / s[(i < b) & (i >= b - year)].mean()
    print(f"break {b:%Y-%m-%d}: after/before {lift:.2f}")
    c = pd.read_csv(out / "cases.csv", dtype={"decided_within_term": "string"})
    print(
        f"Cramér's V district~migration {cramers_v(c.postcode_district, c.migration_background):.3f}, "
        f"language_assistance {cramers_v(c.language_assistance, c.migration_background):.3f}"
    )
    group = c.migration_background == P.LABEL_BIAS_GROUP
    rates = (c.effort_class == "complex").groupby(group).mean()
    gap = rates[True] - rates[False]
    print(f"complex-label rate {rates[True]:.3f} (group) vs {rates[False]:.3f} (others): gap {gap:+.3f}")
    integrated = c.groupby("migration_background").integrated_approach.mean()
    print(f"integrated approach rate spread over groups {integrated.max() - integrated.min():.3f}")


if __name__ == "__main__":
    main()
