"""A model owner's review of triage runs in MLflow and the promotion decision (notebook triage_review).

The training flow never sets the ``champion`` alias: a version that passed every gate becomes the
``candidate``, and a person decides (ADR 0019): to approve it, to hold it back (e.g. a worse recall
than the champion), or to roll back to an earlier version. These functions give the notebook the
facts side by side; ``promote`` is the same approval as the *Modellen* page and ``werkwijzer models
approve`` (``casework.approvals``): it refuses a version with a failed gate, needs a name and a
reason, and records them on the version, in the audit trail and in the accountability report's
list of model changes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from flows import experiments
from werkwijzer.settings import Settings, get_settings
from werkwijzer.tracking import CHAMPION, champion_version

COMPARED_METRICS = (
    "roc_auc",
    "pr_auc",
    "brier",
    "log_loss",
    "balanced_accuracy",
    "baseline_roc_auc",
    "n_train",
    "n_test",
    "shap_additivity_error",
)


class PromotionRefused(ValueError):
    """The promotion was not done; the message says why."""


def recent_runs(client: MlflowClient, model_name: str, max_results: int = 10) -> pd.DataFrame:
    """Newest triage runs of ``model_name`` first: run, start, registered version, gates, champion."""
    experiment = client.get_experiment_by_name(experiments.TRIAGE)
    if experiment is None:
        return pd.DataFrame(columns=["run_id", "started", "version", "gates_passed", "champion"])
    runs = client.search_runs(
        [experiment.experiment_id],
        f"tags.model_name = '{model_name}'",
        order_by=["attributes.start_time DESC"],
        max_results=max_results,
    )
    versions = {v.run_id: v for v in client.search_model_versions(f"name='{model_name}'")}
    champion = champion_version(client, model_name)
    rows = []
    for run in runs:
        version = versions.get(run.info.run_id)
        gates = gate_table(run.data.tags)
        rows.append(
            {
                "run_id": run.info.run_id,
                "started": pd.Timestamp(run.info.start_time, unit="ms", tz="UTC"),
                "version": str(version.version) if version else None,
                "gates_passed": f"{int(gates['passed'].sum())}/{len(gates)}",
                "champion": bool(version and champion and version.version == champion.version),
            }
        )
    return pd.DataFrame(rows, columns=["run_id", "started", "version", "gates_passed", "champion"])


def run_version(client: MlflowClient, model_name: str, run_id: str) -> ModelVersion:
    """The registered version made by ``run_id`` (every triage run registers one)."""
    found = client.search_model_versions(f"name='{model_name}' and run_id='{run_id}'")
    if not found:
        raise LookupError(f"run {run_id} registered no version of {model_name}")
    return found[0]


def gate_table(tags: Mapping[str, str]) -> pd.DataFrame:
    """One row per gate from the ``gate.<name>`` tags: ``gate, passed, reason`` (the detail when passed)."""
    rows = []
    for key, value in sorted(tags.items()):
        if not key.startswith("gate.") or key.endswith(".detail"):
            continue
        passed = value.startswith("passed")
        reason = tags.get(f"{key}.detail", "") if passed else value.removeprefix("failed: ")
        rows.append({"gate": key[len("gate.") :], "passed": passed, "reason": reason})
    return pd.DataFrame(rows, columns=["gate", "passed", "reason"])


def failed_gates(version: ModelVersion) -> list[str]:
    return [row.gate for row in gate_table(version.tags or {}).itertuples() if not row.passed]


def compare(
    client: MlflowClient,
    candidate: ModelVersion,
    champion: ModelVersion | None,
    metrics: Sequence[str] = COMPARED_METRICS,
) -> pd.DataFrame:
    """Metrics and gates of the candidate next to the champion's (one row per measure)."""
    columns = {f"candidate (v{candidate.version})": candidate}
    if champion is not None and champion.version != candidate.version:
        columns[f"champion (v{champion.version})"] = champion
    table: dict[str, dict[str, Any]] = {}
    for label, version in columns.items():
        run = client.get_run(str(version.run_id))
        values: dict[str, Any] = {m: run.data.metrics.get(m) for m in metrics}
        values.update(
            {f"gate {r.gate}": "passed" if r.passed else "FAILED" for r in gate_table(version.tags or {}).itertuples()}
        )
        table[label] = values
    return pd.DataFrame(table)


def artifact_text(client: MlflowClient, run_id: str, path: str) -> str:
    """A text artifact of a run (model card, fairness report, register entry)."""
    with tempfile.TemporaryDirectory() as tmp:
        return Path(client.download_artifacts(run_id, path, tmp)).read_text(encoding="utf-8")


def artifact_json(client: MlflowClient, run_id: str, path: str) -> Any:
    return json.loads(artifact_text(client, run_id, path))


def artifact_bytes(client: MlflowClient, run_id: str, path: str) -> bytes:
    """A binary artifact such as a plot (PNG)."""
    with tempfile.TemporaryDirectory() as tmp:
        return Path(client.download_artifacts(run_id, path, tmp)).read_bytes()


def promote(
    client: MlflowClient,
    model_name: str,
    version: str | int,
    *,
    decided_by: str,
    reason: str,
    settings: Settings | None = None,
) -> ModelVersion:
    """Approve ``version`` on a person's decision (``casework.approvals``); see the module docstring."""
    from casework import approvals
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.errors import InvalidInput, ServiceError

    if not decided_by.strip() or not reason.strip():
        raise PromotionRefused("a promotion needs the name of the person who decides and a reason")
    settings = settings or get_settings()
    approver = approvals.Approver(
        name=decided_by.strip(), actor=f"notebook:{decided_by.strip()}", via="notebook", named_by="option"
    )
    try:
        with store_session(settings.database) as session:
            approvals.decide(session, settings, model_name, version, "approved", approver, reason, utc_now(), client)
            session.commit()
    except InvalidInput as exc:
        raise PromotionRefused("; ".join(p.msg for p in exc.problems)) from None
    except ServiceError as exc:
        raise PromotionRefused(exc.detail) from None
    return client.get_model_version_by_alias(model_name, CHAMPION)
