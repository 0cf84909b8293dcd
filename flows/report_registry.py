"""What the accountability report reads from the MLflow registry and tracking store.

- Model changes of the period: MLflow keeps no history of an alias, so the history comes from
  the tags ``werkwijzer.tracking.set_champion`` leaves on the versions (``champion_since``,
  ``champion_until``, ``champion_by``, ``champion_reason``). A version promoted before those tags
  existed shows no change; that is a gap in the record, not a change.
- The Algoritmeregister entry of every model in use (each registered model with a champion),
  taken from the champion run's artifacts; the report validates each one.
- The monitoring findings of the period: the ``findings.json`` of each monitoring run whose
  window ended inside the period.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from flows import experiments
from models.thresholds import Finding
from werkwijzer.i18n import LANGS, translate
from werkwijzer.periods import Period
from werkwijzer.tracking import (
    CHAMPION_BY,
    CHAMPION_REASON,
    CHAMPION_SINCE,
    CHAMPION_UNTIL,
    champion_version,
)

CHANGE_COLUMNS = ["date", "model_name", "version", "change_nl", "change_en"]
# Where each kind of run keeps its register entry (the triage flow writes it under triage/ and reports/).
ENTRY_PATHS = ("triage/algoritmeregister.json", "forecast/algoritmeregister.json")


def registered_models(client: MlflowClient) -> list[str]:
    return sorted(m.name for m in client.search_registered_models())


def model_versions(client: MlflowClient, name: str) -> list[ModelVersion]:
    return list(client.search_model_versions(f"name='{name}'"))


def _utc(text: str) -> pd.Timestamp:
    moment = pd.Timestamp(text)
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def model_changes(versions: Iterable[ModelVersion], period: Period) -> pd.DataFrame:
    """One row per version that became champion or stopped being champion within ``period`` (Dutch local
    dates), with the change in Dutch and English (``change_nl``, ``change_en``)."""
    rows = []
    for v in versions:
        tags = v.tags or {}
        for key, became in ((CHAMPION_SINCE, True), (CHAMPION_UNTIL, False)):
            if key not in tags:
                continue
            date = _utc(tags[key]).tz_convert("Europe/Amsterdam").tz_localize(None).normalize()
            if not period.contains(pd.Series([date])).iloc[0]:
                continue
            rows.append(
                {
                    "date": date,
                    "model_name": v.name,
                    "version": str(v.version),
                    **{f"change_{lang}": _change_text(became, tags, lang) for lang in LANGS},
                }
            )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS).sort_values(["date", "model_name"], ignore_index=True)


def _change_text(became: bool, tags: dict[str, str], lang: str) -> str:
    if not became:
        return translate("change.replaced", lang)
    by, reason = tags.get(CHAMPION_BY), tags.get(CHAMPION_REASON)
    if by:  # a person's decision in the review notebook
        text = translate("change.taken_into_use_by", lang, by=by)
        return f"{text}: {reason}" if reason else text
    return translate("change.passed_every_check", lang)


def register_entries(client: MlflowClient, names: Iterable[str]) -> list[dict[str, Any]]:
    """The Algoritmeregister entry of each model in ``names`` that has a champion and logged one."""
    entries = []
    for name in names:
        version = champion_version(client, name)
        if version is None:
            continue
        entry = _entry(client, str(version.run_id))
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(client: MlflowClient, run_id: str) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as tmp:
        for path in ENTRY_PATHS:
            try:
                local = client.download_artifacts(run_id, path, tmp)
            except (MlflowException, OSError):
                continue
            return dict(json.loads(Path(local).read_text(encoding="utf-8")))
    return None


def period_findings(client: MlflowClient, period: Period) -> list[Finding]:
    """Findings of every monitoring run whose window ended inside ``period``, oldest run first."""
    experiment = client.get_experiment_by_name(experiments.MONITORING)
    if experiment is None:
        return []
    findings: list[Finding] = []
    runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"], max_results=5000)
    for run in runs:
        end = run.data.tags.get("period_end")
        if end is None:
            continue
        last_moment = _utc(end) - pd.Timedelta(seconds=1)  # the window is half-open [start, end)
        if not period.contains(pd.Series([last_moment])).iloc[0]:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                local = client.download_artifacts(run.info.run_id, "findings.json", tmp)
            except (MlflowException, OSError):
                continue  # a run that failed before writing its findings
            records = json.loads(Path(local).read_text(encoding="utf-8"))
        findings.extend(finding_from_record(r) for r in records)
    return findings


def finding_from_record(record: dict[str, Any]) -> Finding:
    """A ``findings.json`` record (written by the monitoring flow) as a ``models.thresholds.Finding``."""
    return Finding(
        metric=str(record["metric"]),
        scope={str(k): str(v) for k, v in record["scope"].items()},
        value=float(record["value"]),
        level=record["level"],
        threshold=float(record["threshold"]),
        message_nl=str(record["message_nl"]),
        message_en=str(record["message_en"]),
        n=None if record.get("n") is None else int(record["n"]),
    )
