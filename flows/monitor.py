"""The monitoring flow (responsible-ai items 4, 16, 23, 25): is the advice still fit for use?

One pass looks at the last ``monitoring_window_days`` before ``end`` and measures, with the
functions of ``models.monitoring`` (docs/monitoring.md):

- forecast error per team: the forecast champion's weekly forecast against the actual intake
  teams reported to the API, over every complete week since the forecast's first week;
- data drift per feature (PSI): the triage champion's live input against its training cases
  (the run's ``training_cases`` tag; the logged background sample when the file is gone);
- live fairness of advice and decision per protected group: characteristics from the separate
  audit file (``Settings.characteristics_file``), joined here by case key, never from the store;
- agreement and override rates per team, model version, score band and protected group (the
  audit file again), the override surge against the window before, and objections per advice given;
- the anchoring experiment: agreement with the model's suggestion when shown against when hidden
  (the control share), and the time from first opening to decision per arm (``flows.monitor_anchoring``).

``models.thresholds.evaluate`` turns these into note / warn / stop findings. At stop the model's
advice is switched off through the admin button's switch, as the system user ``monitor``, with
the finding as the reason (``flows.monitor_stop``). Every pass is an MLflow run in the monitoring
experiment and a Dutch markdown artifact in Prefect (``flows.monitor_record``).
``werkwijzer monitor --once`` runs one pass; ``--cron`` serves the flow on a schedule.
"""

# No ``from __future__ import annotations`` here: a scheduled run (``--cron``) validates the flow's
# parameters in a fresh process, where Prefect cannot resolve string annotations such as "Settings".
import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from casework.config import FORECAST, TRIAGE_EFFORT
from casework.db import reading
from casework.frames import StoreFrames, advice_features, intake_actuals, open_store, read_frames
from flows import monitor_anchoring
from flows import monitor_tables as tables
from flows.monitor_outcomes import measure_outcomes
from flows.monitor_record import log_run, markdown
from flows.monitor_stop import stop
from models.anchoring import anchoring_findings
from models.thresholds import LEVELS, Finding, evaluate
from werkwijzer.contracts.characteristics import read_characteristics
from werkwijzer.contracts.tables import read_table
from werkwijzer.periods import Period
from werkwijzer.settings import Settings, get_settings
from werkwijzer.tracking import champion_version, configure_mlflow, fingerprint_frame, version_run

TRAINING_CASES_TAG = "training_cases"


@dataclass(frozen=True)
class TriageChampion:
    """What drift and fairness need of a served triage model: its input schema and training input."""

    name: str
    version: str
    schema: dict[str, Any]
    reference: pd.DataFrame
    reference_source: str


@dataclass(frozen=True)
class MonitorRun:
    run_id: str
    period: Period
    findings: list[Finding]
    stopped: list[str]
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def triage_champion(settings: Settings, name: str = TRIAGE_EFFORT) -> TriageChampion | None:
    """The champion's schema and training input, or None when no champion is registered."""
    client = configure_mlflow(settings)
    version = champion_version(client, name)
    if version is None:
        return None
    with tempfile.TemporaryDirectory(prefix="werkwijzer-monitor-") as tmp:
        schema = json.loads(
            Path(client.download_artifacts(version_run(version), "triage/schema.json", tmp)).read_text(encoding="utf-8")
        )
        cases = client.get_run(version_run(version)).data.tags.get(TRAINING_CASES_TAG)
        if cases and Path(cases).is_file():
            reference, source = read_table(cases), cases
        else:  # a run from before the tag, or a moved file: the background sample it logged
            path = client.download_artifacts(version_run(version), "triage/background.parquet", tmp)
            reference, source = pd.read_parquet(path), "triage/background.parquet"
    return TriageChampion(name, str(version.version), schema, reference, source)


def forecast_champion(settings: Settings) -> pd.DataFrame | None:
    """The forecast champion's weekly forecast (``series_id, date, mean, lo_80 .. hi_95``)."""
    client = configure_mlflow(settings)
    version = champion_version(client, FORECAST)
    if version is None:
        return None
    with tempfile.TemporaryDirectory(prefix="werkwijzer-monitor-") as tmp:
        path = client.download_artifacts(version_run(version), "forecast/forecast.csv", tmp)
        return pd.read_csv(path, parse_dates=["date"])


def characteristics(settings: Settings) -> pd.DataFrame | None:
    path = settings.characteristics_file
    return read_characteristics(path) if path.is_file() else None


@task(cache_policy=NO_CACHE)
def read_store(
    settings: Settings, period: Period, baseline: Period, intake_from: dt.datetime | None = None
) -> tuple[StoreFrames, pd.DataFrame, pd.DataFrame]:
    """The period's frames, the baseline's decisions and the period's model input (no case keys).

    The intake is read from ``intake_from`` (the forecast's first week) when that lies earlier:
    a forecast is judged over all its weeks so far, not only over the window, which is shorter
    than the ``forecast_min_weeks`` a finding needs.
    """
    engine = open_store(settings)
    try:
        frames = read_frames(engine, period)
        previous = read_frames(engine, baseline).decisions
        with reading(engine) as session:
            live_input = advice_features(session, period, TRIAGE_EFFORT)
            if intake_from is not None and intake_from < period.start:
                frames = replace(frames, intake=intake_actuals(session, Period.of(intake_from, period.end)))
    finally:
        engine.dispose()
    return frames, previous, live_input


@task(cache_policy=NO_CACHE)
def measure(
    settings: Settings,
    frames: StoreFrames,
    baseline: pd.DataFrame,
    live_input: pd.DataFrame,
    champion: TriageChampion | None,
    forecast: pd.DataFrame | None,
    audit: pd.DataFrame | None,
    experiment: pd.DataFrame | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Finding], list[str]]:
    """Every monitoring table, the findings from them, and what could not be measured (in Dutch).
    ``experiment`` is the period's ``casework.frames.experiment`` (none: the anchoring tables are empty)."""
    notes = []
    features = champion.schema["features"] if champion else []
    if champion is None:
        notes.append(f"Gegevensdrift: er is geen goedgekeurd model {TRIAGE_EFFORT}.")
        psi = tables.drift(pd.DataFrame(), pd.DataFrame(), [], TRIAGE_EFFORT, settings.psi_bins)
    else:
        psi = tables.drift(champion.reference, live_input, features, champion.name, settings.psi_bins)
    if forecast is None:
        notes.append("Prognosefout: er is geen goedgekeurd prognosemodel.")
        accuracy = tables.forecast_accuracy(
            pd.DataFrame(columns=["series_id", "date", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]),
            frames.intake,
            FORECAST,
        )
    else:
        accuracy = tables.forecast_accuracy(forecast, frames.intake, FORECAST)
        if accuracy.empty:
            notes.append("Prognosefout: nog geen volledige week met zowel een prognose als de werkelijke instroom.")
    if audit is None:
        notes.append(
            f"Gelijke behandeling: het auditbestand met kenmerken ontbreekt ({settings.characteristics_file})."
        )
    positive = [str(c) for c in champion.schema["classes"][1:]] if champion else []
    measured = {
        "psi": psi,
        "forecast": accuracy,
        "agreement": tables.agreement(frames.decisions, audit, settings.fairness_min_cell),
        "surge": tables.surge(frames.decisions, baseline),
        "fairness": tables.fairness(frames.decisions, audit, positive, settings.fairness_min_cell),
        "objections": tables.objections(frames.objections, frames.advice),
    }
    findings = evaluate(
        settings,
        psi=measured["psi"],
        forecast=measured["forecast"],
        agreement=measured["agreement"],
        surge=measured["surge"],
        fairness=measured["fairness"],
        objections=measured["objections"],
        label=tables.feature_labeler(features),
    )
    trial = monitor_anchoring.empty_experiment() if experiment is None else experiment
    measured["anchoring"] = monitor_anchoring.anchoring(trial, audit, settings)
    measured["decision_times"] = monitor_anchoring.times(trial, settings)
    findings += anchoring_findings(measured["anchoring"], settings, tables.feature_labeler(features))
    findings.sort(key=lambda f: -LEVELS.index(f.level))
    return measured, findings, notes


def window(settings: Settings, end: dt.datetime | None) -> tuple[Period, Period]:
    """The period before ``end`` (default: now) and the equally long baseline before it."""
    end = end or dt.datetime.now(dt.UTC)
    span = dt.timedelta(days=settings.monitoring_window_days)
    period = Period.of(end - span, end)
    return period, Period.of(period.start - span, period.start)


@flow(name="monitor")
def monitor(settings: Settings | None = None, end: dt.datetime | None = None) -> MonitorRun:
    """One monitoring pass over the window before ``end``; see the module docstring."""
    settings = settings or get_settings()
    logger = get_run_logger()
    period, baseline = window(settings, end)
    forecast = forecast_champion(settings)
    first_week = forecast["date"].min().to_pydatetime() if forecast is not None and not forecast.empty else None
    frames, previous, live_input = read_store(settings, period, baseline, first_week)
    champion = triage_champion(settings)
    trial = monitor_anchoring.read_experiment(settings, period)
    measured, findings, notes = measure(
        settings, frames, previous, live_input, champion, forecast, characteristics(settings), trial
    )
    outcome_part = measure_outcomes(settings, period, characteristics(settings))
    measured["error_rates"] = outcome_part.table
    findings = sorted([*findings, *outcome_part.findings], key=lambda f: -LEVELS.index(f.level))
    notes = [*notes, *outcome_part.notes]
    engine = open_store(settings)
    try:
        stopped = stop(engine, findings, dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()
    counts = {
        "advice": len(frames.advice),
        "advised": int(frames.advice["advised"].sum()),
        "decisions": len(frames.decisions),
        "objections": len(frames.objections),
        "outcomes": outcome_part.count,
    }
    ids = pd.DataFrame({"id": [*frames.advice["advice_id"], *frames.decisions["decision_id"]]}, dtype="string")
    reference = {"drift_reference": champion.reference_source, "triage_version": champion.version} if champion else {}
    run_id = log_run(settings, period, findings, measured, counts, stopped, fingerprint_frame(ids), reference)
    create_markdown_artifact(
        key="monitoring-findings",
        markdown=markdown(period, findings, counts, stopped, notes),
        description=f"Monitoring {period.start:%Y-%m-%d} - {period.end:%Y-%m-%d}",
    )
    for finding in findings:
        logger.info("%s", finding.message_en)
    if stopped:
        logger.warning("advice switched off for %s", ", ".join(stopped))
    return MonitorRun(run_id, period, findings, stopped, notes, counts)


def serve(cron: str) -> None:
    """Serve the flow on a cron schedule (blocks; Ctrl+C stops)."""
    monitor.serve(name="werkwijzer-monitor", cron=cron)
