"""The simulated municipality: the embedded default data set (see docs/simulation.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from werkwijzer.io import staged_output, write_csv
from werkwijzer.simulation import parameters as P
from werkwijzer.simulation.cases import simulate_cases
from werkwijzer.simulation.intake import expected_daily, simulate_intake, to_long, weekly
from werkwijzer.simulation.planning import mean_norm_hours, norms_table, simulate_staffing
from werkwijzer.simulation.registry import registry_document
from werkwijzer.teams import CASE_TEAMS

FILES = ("intake_daily.csv", "intake_weekly.csv", "cases.csv", "staffing.csv", "norms.csv", "feature_registry.yaml")


def last_full_week_end(today: dt.date | None = None) -> dt.date:
    """The Sunday that ends the last full week before ``today``."""
    today = today or dt.date.today()
    return today - dt.timedelta(days=today.weekday() + 1)


def simulation_window(years: int, end: dt.date | None = None) -> pd.DatetimeIndex:
    """Whole weeks, Monday to Sunday, ``years`` x 52 weeks ending on ``end`` (a Sunday)."""
    end = end or last_full_week_end()
    end = end - dt.timedelta(days=(end.weekday() + 1) % 7)  # back to a Sunday
    return pd.date_range(end=pd.Timestamp(end), periods=years * 52 * 7, freq="D")


def simulate_municipality(
    out: str | Path,
    *,
    inhabitants: int = 100_000,
    years: int = 6,
    seed: int = 20261126,
    end: dt.date | None = None,
    municipality: str | None = None,
) -> list[Path]:
    """Simulate and write every file of FILES into ``out``; returns the written paths.

    ``municipality`` adds a ``municipality`` column with that name to the intake files (the
    hierarchy that reconciles the teams' forecasts with their total, ADR 0024).

    Deterministic per (inhabitants, years, seed, end). Files are staged and moved into place
    only when all are written.
    """
    days = simulation_window(years, end)
    intake_rng, case_rng, staff_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    daily = simulate_intake(days, inhabitants, intake_rng)
    week_counts = weekly(daily)
    staffing = simulate_staffing(weekly(expected_daily(days, inhabitants)), staff_rng)
    available = staffing.assign(week=pd.to_datetime(staffing["week"])).pivot(
        index="week", columns="team", values="fte_available"
    )
    need = pd.DataFrame({t: week_counts[t] * mean_norm_hours(t) / P.PRODUCTIVE_HOURS_PER_FTE_WEEK for t in CASE_TEAMS})
    load = need / available.reindex(need.index)[list(CASE_TEAMS)]
    cases = simulate_cases(daily, load, days[-1], case_rng)
    with staged_output(out) as stage:
        named = {"municipality": municipality} if municipality else {}
        write_csv(to_long(daily).assign(**named), stage / "intake_daily.csv")
        write_csv(to_long(week_counts).assign(**named), stage / "intake_weekly.csv")
        write_csv(cases, stage / "cases.csv")
        write_csv(staffing, stage / "staffing.csv")
        write_csv(norms_table(cases), stage / "norms.csv")
        (stage / "feature_registry.yaml").write_text(
            yaml.safe_dump(registry_document(), sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )
    return [Path(out) / name for name in FILES]
