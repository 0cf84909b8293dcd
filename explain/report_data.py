"""The input of the accountability report: one period and the frames that describe it, checked on arrival."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.thresholds import Finding
from werkwijzer.periods import Period, wall_clock
from werkwijzer.privacy import MIN_CELL


class ReportError(ValueError):
    """Input the report cannot be made from; the message says which part and why."""


local_time = wall_clock  # Dutch wall-clock time without a zone (the store keeps UTC; the reader lives in NL)


_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<q>[Qq][1-4])|(?P<h>[Hh][12])|(?P<month>0[1-9]|1[0-2])))?$")


def parse_period(text: str) -> Period:
    """``2026-Q3`` (quarter), ``2026-H1`` (half year), ``2026-07`` (month) or ``2026`` (year)."""
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ReportError(
            f"period '{text}' is not understood; use a quarter (2026-Q3), half year (2026-H1), "
            "month (2026-07) or year (2026)"
        )
    year = int(match["year"])
    if match["q"]:
        first, months = 3 * (int(match["q"][1]) - 1) + 1, 3
    elif match["h"]:
        first, months = 6 * (int(match["h"][1]) - 1) + 1, 6
    elif match["month"]:
        first, months = int(match["month"]), 1
    else:
        first, months = 1, 12
    start = dt.date(year, first, 1)
    after = dt.date(year + (first + months - 1) // 12, (first + months - 1) % 12 + 1, 1)
    return Period.days(start, after - dt.timedelta(days=1), label=text.strip().upper())


# Each frame and the columns it must have; extra columns are ignored.
COLUMNS: dict[str, tuple[str, ...]] = {
    "intake": ("team", "date", "actual", "mean", "lo_80", "hi_80", "lo_95", "hi_95"),
    "capacity": ("team", "week", "fte_needed_mean", "fte_available", "backlog_hours"),
    "advice_use": ("team", "model_name", "advised", "control", "switched_off"),
    "decisions": ("team", "model_name", "model_version", "followed"),
    "fairness": (
        "subject",
        "attribute",
        "group",
        "n",
        "selected",
        "selection_rate",
        "fpr",
        "fnr",
        "selection_rate_ratio",
        "fpr_ratio",
        "fnr_ratio",
        "reference",
    ),
    "objections": ("team", "model_name", "date"),
    "stop_events": ("time", "model_name", "advice_on", "actor", "reason"),
    "model_changes": ("date", "model_name", "version", "change"),
}
DATED = {"intake": "date", "capacity": "week", "objections": "date", "stop_events": "time", "model_changes": "date"}


@dataclass(frozen=True)
class LiveErrors:
    """The live error rates from outcomes of one period, as the report shows them.

    ``table`` is ``flows.monitor_outcomes.error_rate_table``: per served model, class, protected
    characteristic and group the counts, FPR, FNR and FDR with their 95 % intervals, small cells already
    suppressed, beside the approved test-set figures (``<rate>_test``) and whether a rise is significant.
    ``outcomes`` counts the outcomes first reported in the period; ``decided`` the cases decided in the
    period and ``with_outcome`` how many of those have an outcome (the coverage of the figures).
    """

    table: pd.DataFrame
    outcomes: int
    decided: int
    with_outcome: int
    models: tuple[str, ...] = ()


@dataclass
class ReportData:
    """What one report shows, for one period. Frames hold only that period's rows (checked where dated).

    - ``intake``: weekly forecast against actual per team (``models.monitoring.join_forecast_actuals``).
    - ``capacity``: ``models.capacity.plan_capacity`` rows for the period's weeks.
    - ``advice_use``: per team and model, counts of cases that got advice, were in the random control
      share, or got none because advice was switched off.
    - ``decisions``: one row per human decision on an advice, ``followed`` true when it agreed.
    - ``fairness``: ``models.monitoring.live_fairness`` (counts included; the report suppresses).
    - ``objections``: one row per objection against an advice.
    - ``stop_events``: each switch change, ``model_name`` ``*`` for all models, ``advice_on`` after it.
    - ``model_changes``: new champion versions and withdrawals.
    - ``register_entries``: the Algoritmeregister entries (standard 1.0) of the models in use.
    - ``findings``: the monitoring findings of the period (``models.thresholds.evaluate``).
    - ``experiment``: the anchoring experiment's decisions of both arms (``casework.frames.experiment``);
      None leaves its section out.
    - ``outcomes``: the live error rates from outcomes (:class:`LiveErrors`); None leaves its section out.

    Dated frames must hold only rows inside the period (weeks by their Monday); time-zone-aware
    timestamps are read as Dutch local time.
    """

    period: Period
    organization: str
    intake: pd.DataFrame
    capacity: pd.DataFrame
    advice_use: pd.DataFrame
    decisions: pd.DataFrame
    fairness: pd.DataFrame
    objections: pd.DataFrame
    stop_events: pd.DataFrame
    model_changes: pd.DataFrame
    register_entries: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    min_cell: int = MIN_CELL
    experiment: pd.DataFrame | None = None
    outcomes: LiveErrors | None = None

    def __post_init__(self) -> None:
        for name, required in COLUMNS.items():
            frame = getattr(self, name)
            if not isinstance(frame, pd.DataFrame):
                raise ReportError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
            missing = [c for c in required if c not in frame.columns]
            if missing:
                raise ReportError(f"{name}: missing column(s) {', '.join(missing)} (expected {', '.join(required)})")
            if name in DATED and len(frame):
                outside = ~self.period.contains(frame[DATED[name]])
                if outside.any():
                    first = frame.loc[outside, DATED[name]].iloc[0]
                    raise ReportError(
                        f"{name}: {int(outside.sum())} row(s) fall outside {self.period.label} "
                        f"({self.period.first_day} to {self.period.last_day}), e.g. {first}"
                    )
