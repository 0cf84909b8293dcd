"""The anchoring experiment in a monitoring pass (issue 17 part 1, ADR 0021).

Reads the period's decisions on advice of both randomised arms (``casework.frames.experiment``),
joins the protected characteristics from the separate audit file by case key (as the fairness
monitoring does), and measures with ``models.anchoring``: the anchoring effect per model, team,
model version, score band and protected group, and the time from first opening to decision per
arm. Only aggregates leave: suppressed rows carry no counts or rates.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from casework.db import reading
from casework.frames import EXPERIMENT_COLUMNS, experiment, open_store
from flows.monitor_tables import with_characteristics
from models.anchoring import TABLE_COLUMNS, anchoring_table, decision_times
from werkwijzer.periods import Period
from werkwijzer.settings import Settings

SCOPES: tuple[tuple[str, ...], ...] = (
    ("model_name",),
    ("model_name", "team"),
    ("model_name", "model_version"),
    ("model_name", "score_band"),
)
TIME_SCOPES = ("model_name", "team")


def read_experiment(settings: Settings, period: Period) -> pd.DataFrame:
    """The period's decisions of both arms, one row each (stays inside the flow)."""
    engine = open_store(settings)
    try:
        with reading(engine) as session:
            return experiment(session, period)
    finally:
        engine.dispose()


def empty_experiment() -> pd.DataFrame:
    return pd.DataFrame(columns=list(EXPERIMENT_COLUMNS))


def anchoring(frame: pd.DataFrame, characteristics: pd.DataFrame | None, settings: Settings) -> pd.DataFrame:
    """The anchoring table of every scope in one (so the intervals are simultaneous over all of them);
    protected groups as ``attribute`` and ``group`` columns."""
    if frame.empty:
        return pd.DataFrame(columns=["model_name", "attribute", "group", *TABLE_COLUMNS])
    scopes = list(SCOPES)
    attributes: list[str] = []
    if characteristics is not None:
        frame, attributes = with_characteristics(frame, characteristics)
        scopes += [("model_name", a) for a in attributes]
    table = anchoring_table(
        frame, scopes, confidence=settings.anchoring_confidence, min_cell=settings.fairness_min_cell
    )
    table["attribute"] = pd.Series(pd.NA, index=table.index, dtype="string")
    table["group"] = pd.Series(pd.NA, index=table.index, dtype="string")
    for attribute in attributes:
        rows = table["scope"] == f"model_name+{attribute}"
        table.loc[rows, "attribute"] = attribute
        table.loc[rows, "group"] = table.loc[rows, attribute].astype("string")
    return table.drop(columns=attributes)


def times(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Minutes from first opening to decision per model, team and arm."""
    if frame.empty:
        return decision_times(frame.assign(minutes_to_decision=pd.Series(dtype=float)), TIME_SCOPES)
    return decision_times(frame, TIME_SCOPES, settings.fairness_min_cell)


def metrics(tables: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """Headline values for the monitoring run: the effect and its interval per model and team."""
    values: dict[str, float] = {}
    table = tables.get("anchoring")
    if table is None:
        return values
    for _, r in table[~table["suppressed"].astype(bool)].iterrows():
        if r["scope"] not in ("model_name", "model_name+team"):
            continue
        key = ".".join(str(r[c]) for c in ("model_name", "team") if c in r.index and not pd.isna(r[c]))
        for column in ("effect", "effect_low", "effect_high"):
            values[f"anchoring.{column}.{key}"] = float(r[column])
    return values
