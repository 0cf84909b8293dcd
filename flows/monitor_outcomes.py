"""Live error rates from outcomes, for every served triage model, in the monitoring pass (issue 17 part 2).

Monitoring otherwise compares the model with the caseworker; this part compares it with what the
closed cases turned out to be (``POST /cases/{case_id}/outcome``). Per served model — the effort class
and the integrated approach — it reads the cases first reported in the window (``casework.frames.outcomes``)
whose advice showed that model's suggestion, joins the protected characteristics from the separate
audit file by case key, and computes FPR, FNR and FDR per group with intervals and ratios
(``explain.outcome_errors``), small cells suppressed. The champion's approved test-set figures (its
published ``triage/fairness.csv``) are the yardstick; ``models.thresholds.evaluate_error_rise`` turns a
rise into note / warn / stop findings, and a stop switches that model's advice off like any other.

What the advice predicted: the effort model's suggested class; the integrated-approach model's
positive class when its shown probability is at least one half (the argmax the test-set audit used).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.db import reading
from casework.frames import Period, open_store, outcome_coverage
from casework.frames import outcomes as read_outcomes
from explain.outcome_errors import (
    ERROR_RATES,
    approved_table,
    compare,
    error_rates,
    positive_label,
    publishable,
    shown_predictions,
)
from flows.monitor_tables import with_characteristics
from models.thresholds import Finding, Labeler, evaluate_error_rise
from werkwijzer.formatting import readable
from werkwijzer.i18n import translate
from werkwijzer.settings import Settings
from werkwijzer.tracking import champion_version, configure_mlflow, version_run

SERVED = (TRIAGE_EFFORT, TRIAGE_INTEGRATED)
COLUMNS = ("model_name", "class", "attribute", "group", "n", "tn", "fp", "fn", "tp", "suppressed")


@dataclass(frozen=True)
class Approved:
    """What the gate approved of one served model: its version, classes, positive class and test-set figures."""

    name: str
    version: str
    classes: list[str]
    positive: str | None
    figures: pd.DataFrame | None


def approved(settings: Settings, name: str) -> Approved | None:
    """The champion of ``name`` with its schema and published test-set fairness table; None without champion."""
    import json

    client = configure_mlflow(settings)
    version = champion_version(client, name)
    if version is None:
        return None
    with tempfile.TemporaryDirectory(prefix="werkwijzer-outcomes-") as tmp:
        run = version_run(version)
        schema = json.loads(Path(client.download_artifacts(run, "triage/schema.json", tmp)).read_text("utf-8"))
        listed = {a.path for a in client.list_artifacts(run, "triage")}
        published = (
            pd.read_csv(client.download_artifacts(run, "triage/fairness.csv", tmp), dtype=str)
            if "triage/fairness.csv" in listed
            else pd.DataFrame()
        )
    classes = [str(c) for c in schema.get("classes", [])]
    positive = positive_label(schema)
    return Approved(name, str(version.version), classes, positive, approved_table(published, positive))


def empty_table() -> pd.DataFrame:
    return pd.DataFrame(columns=[*COLUMNS, *ERROR_RATES])


def error_rate_table(
    cases: pd.DataFrame,
    characteristics: pd.DataFrame | None,
    models: Mapping[str, Approved | None],
    min_cell: int,
    alpha: float = 0.05,
) -> tuple[pd.DataFrame, list[str]]:
    """The publishable live error rates of every served model against its approved figures, and what
    could not be measured (Dutch notes)."""
    notes, parts = [], []
    for name in SERVED:
        model = models.get(name)
        if model is None:
            notes.append(translate("outcomes.note.no_champion", "nl", model=name))
            continue
        pair = shown_predictions(name, cases, model.classes, model.positive) if not cases.empty else None
        if pair is None or pair[0].empty:
            notes.append(translate("outcomes.note.no_outcomes", "nl", model=name))
            continue
        if model.figures is None:
            notes.append(translate("outcomes.note.no_test_figures", "nl", model=name))
        if characteristics is None:
            continue  # the flow says already that the audit file is missing
        truth, predicted = pair
        joined, attributes = with_characteristics(cases.loc[truth.index, ["case_ref"]], characteristics)
        binary = name == TRIAGE_INTEGRATED
        table = error_rates(
            truth.to_numpy(),
            predicted.to_numpy(),
            joined[attributes],
            classes=model.classes,
            positive=model.positive if binary else None,
        )
        table = compare(publishable(table, min_cell), model.figures, alpha)
        table.insert(0, "model_name", name)
        parts.append(table)
    return (pd.concat(parts, ignore_index=True) if parts else empty_table()), notes


@dataclass(frozen=True)
class OutcomeMeasures:
    table: pd.DataFrame
    findings: list[Finding]
    notes: list[str]
    count: int


@dataclass(frozen=True)
class LiveRates:
    """The period's live error-rate table (publishable), its notes, the number of outcomes and the coverage:
    cases decided in the period and how many of those have an outcome."""

    table: pd.DataFrame
    notes: list[str]
    count: int
    decided: int
    with_outcome: int


def live_rates(settings: Settings, period: Period, characteristics: pd.DataFrame | None) -> LiveRates:
    """Read the period's outcomes and coverage from the store and compute every served model's live error rates
    against its champion's approved figures: what monitoring judges and the council report shows."""
    engine = open_store(settings)
    try:
        with reading(engine) as session:
            cases = read_outcomes(session, period)
            decided, with_outcome = outcome_coverage(session, period)
    finally:
        engine.dispose()
    models = {name: approved(settings, name) for name in SERVED}
    table, notes = error_rate_table(
        cases, characteristics, models, settings.fairness_min_cell, settings.error_rise_alpha
    )
    return LiveRates(table, notes, len(cases), decided, with_outcome)


def measure_outcomes(
    settings: Settings, period: Period, characteristics: pd.DataFrame | None, label: Labeler = readable
) -> OutcomeMeasures:
    """The outcome part of one monitoring pass: read, compute, judge."""
    live = live_rates(settings, period, characteristics)
    return OutcomeMeasures(live.table, evaluate_error_rise(settings, live.table, label), live.notes, live.count)


def error_rate_metrics(table: pd.DataFrame | None, name: Any) -> dict[str, float]:
    """Live error rates and their rises as MLflow metrics (``name`` makes a safe metric name); suppressed rows
    give none."""
    values: dict[str, float] = {}
    if table is None:
        return values
    for _, r in table.iterrows():
        if bool(r.get("suppressed", False)):
            continue
        for rate in ERROR_RATES:
            for suffix, column in (("", rate), (".rise", f"{rate}_rise")):
                value = r.get(column)
                if value is not None and not pd.isna(value):
                    values[
                        name("error_rate", r["model_name"], r["class"], r["attribute"], r["group"], rate) + suffix
                    ] = float(value)
    return values
