"""A named person puts a model version into use (issue 18, ADR 0019).

Rule: training never moves the ``champion`` alias. A version whose gates all passed becomes the
``candidate``; a model owner approves or rejects it with a reason, on the *Modellen* page or with
``werkwijzer models approve|reject``. Only the champion is served (``casework.modelstore``).

- A decision needs a reason (``InvalidInput`` on ``reason``) and a named person.
- A version with a failed gate, or without recorded gates, is never approved (``Conflict``).
- Four eyes (``settings.four_eyes``, on by default): the person who trained a version (its
  ``trained_by`` tag) may not approve it (``Forbidden``).
- What may be approved: the candidate; a version that was in use before (a roll-back is the same
  act); a version rejected earlier (a new approval with its own reason overrides the rejection,
  both stay on the audit trail). Any other version was never put before a person: ``Conflict``.
- The champion is neither approved again nor rejected (``Conflict``): to stop using it, approve
  another version, or switch its advice off with the stop button.
- Approving moves ``champion`` (``werkwijzer.tracking.set_champion``, which keeps the history the
  accountability report lists) and clears ``candidate`` when it pointed there; rejecting clears
  ``candidate``. Both record who, when, why and the decision as ``approval.*`` tags on the version,
  and an audit entry ``model.approved`` / ``model.rejected`` (subject: the model's name).

The audit entry is written in the caller's transaction before MLflow is changed, so an MLflow
failure leaves nothing behind once the caller rolls back; the caller commits right after.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from sqlalchemy.orm import Session

from casework import audit
from casework.config import FORECAST, MODEL_NAMES
from casework.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from werkwijzer.settings import Settings

if TYPE_CHECKING:  # MLflow is imported where it is used: the service starts without it until a model loads
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

Decision = Literal["approved", "rejected"]
DECISION, DECIDED_BY, DECIDED_AT, DECISION_REASON = "approval.decision", "approval.by", "approval.at", "approval.reason"
MAX_REASON = 2000
# The metrics side by side, under MLflow's own names so its run comparison lines up with the page.
TRIAGE_METRICS = ("roc_auc", "pr_auc", "brier", "log_loss", "balanced_accuracy", "ece")
FORECAST_METRIC = re.compile(r"^(mase|smape|coverage_80|coverage_95|winkler_95)\.[A-Za-z0-9_]+$")
FAIRNESS_RATIOS = ("fpr_ratio", "fnr_ratio")
MOVED_FEATURES = 5


@dataclass(frozen=True)
class Approver:
    """Who decides: ``name`` is recorded on the version and in the entry, ``actor`` is the audit actor
    (a user id on the page), ``via`` says where (page, cli, demo, notebook) and ``named_by`` how the
    name was given (``signed_in``, ``option`` or ``environment``)."""

    name: str
    actor: str
    via: str
    named_by: str


@dataclass(frozen=True)
class Outcome:
    model: str
    version: str
    decision: Decision
    champion: str | None  # the champion after the decision
    previous_champion: str | None


def gates_of(version: ModelVersion) -> dict[str, bool]:
    """Each gate the training recorded on the version (``gate.<name>``), passed or not."""
    return {
        key[len("gate.") :]: str(value).startswith("passed")
        for key, value in (version.tags or {}).items()
        if key.startswith("gate.") and not key.endswith(".detail")
    }


def failed_gates(version: ModelVersion) -> list[str]:
    return sorted(name for name, passed in gates_of(version).items() if not passed)


def decide(
    session: Session,
    settings: Settings,
    model: str,
    version: str | int,
    decision: Decision,
    approver: Approver,
    reason: str,
    now: dt.datetime,
    client: MlflowClient | None = None,
) -> Outcome:
    """``approver`` approves ``version`` (puts it into use) or rejects it; see the module docstring."""
    from werkwijzer import tracking

    version = str(version)
    reason, name = reason.strip(), approver.name.strip()
    problems = []
    if not reason:
        problems.append(Problem(("body", "reason"), "a reason is required for every decision", "value_error.reason"))
    elif len(reason) > MAX_REASON:
        problems.append(Problem(("body", "reason"), f"at most {MAX_REASON} characters", "value_error.reason_long"))
    if not name:
        problems.append(Problem(("body", "by"), "the name of the person who decides is required", "value_error.by"))
    if not model.strip():
        problems.append(Problem(("body", "model"), "the registered model's name is required", "value_error.model"))
    if problems:
        raise InvalidInput(problems)
    client = client or tracking.client_for(settings)
    found = _version(client, model, version)
    champion = tracking.champion_version(client, model)
    current = str(champion.version) if champion is not None else None
    if current == version:
        raise Conflict(
            f"{model} version {version} is the champion already; to stop using it, approve another "
            "version or switch its advice off with the stop button"
        )
    tags = found.tags or {}
    if decision == "approved":
        _check_approvable(client, settings, model, found, name)
    candidate = tracking.candidate_version(client, model)
    was_candidate = candidate is not None and str(candidate.version) == version
    at = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    audit.record(
        session,
        kind=f"model.{decision}",
        actor=approver.actor,
        subject=model,
        at=now,
        payload={
            "model": model,
            "version": version,
            "decision": decision,
            "reason": reason,
            "by": name,
            "named_by": approver.named_by,
            "via": approver.via,
            "trained_by": tags.get(tracking.TRAINED_BY),
            "four_eyes": settings.four_eyes,
            "was_candidate": was_candidate,
            "earlier_decision": tags.get(DECISION),
            "champion_before": current,
        },
    )
    session.flush()
    for key, value in ((DECISION, decision), (DECIDED_BY, name), (DECIDED_AT, at), (DECISION_REASON, reason)):
        client.set_model_version_tag(model, version, key, value[:4900])
    if decision == "approved":
        tracking.set_champion(client, model, version, decided_by=name, reason=reason)
    if was_candidate:
        client.delete_registered_model_alias(model, tracking.CANDIDATE)
    return Outcome(model, version, decision, version if decision == "approved" else current, current)


def _version(client: MlflowClient, model: str, version: str) -> ModelVersion:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version(model, version)
    except MlflowException:
        raise NotFound(f"{model} has no version {version}") from None


def _check_approvable(client: MlflowClient, settings: Settings, model: str, found: ModelVersion, name: str) -> None:
    from werkwijzer import tracking

    version, tags = str(found.version), found.tags or {}
    gates = gates_of(found)
    if not gates:
        raise Conflict(
            f"{model} version {version} has no recorded gates; only a version that passed its gates is approved"
        )
    failed = failed_gates(found)
    if failed:
        raise Conflict(
            f"{model} version {version} failed gate(s) {', '.join(failed)}; a version that failed a gate is "
            "never approved (train a new one)"
        )
    trained_by = tags.get(tracking.TRAINED_BY, "")
    if settings.four_eyes and trained_by and trained_by.casefold() == name.casefold():
        raise Forbidden(
            f"{name} trained {model} version {version}; with four eyes on (WERKWIJZER_FOUR_EYES) another "
            "model owner must approve it"
        )
    candidate = tracking.candidate_version(client, model)
    if candidate is not None and str(candidate.version) == version:
        return
    if tracking.CHAMPION_SINCE in tags or tags.get(DECISION) == "rejected":
        return  # a roll-back, or a new approval that overrides an earlier rejection
    raise Conflict(
        f"{model} version {version} is not the candidate and was never in use or rejected before; "
        "only those are approved (train again to make a new candidate)"
    )


# --- what the Modellen page shows for each candidate -------------------------------------------------


def pending(settings: Settings) -> dict[str, dict[str, Any]]:
    """Per model with a candidate: the candidate, the champion and their comparison (read from MLflow)."""
    from mlflow.exceptions import MlflowException

    from werkwijzer import tracking

    client = tracking.client_for(settings)
    out: dict[str, dict[str, Any]] = {}
    for model in MODEL_NAMES:
        try:
            candidate = tracking.candidate_version(client, model)
        except MlflowException:
            continue
        if candidate is None:
            continue
        champion = tracking.champion_version(client, model)
        out[model] = {
            "version": str(candidate.version),
            "trained_by": (candidate.tags or {}).get(tracking.TRAINED_BY),
            "gates": gates_of(candidate),
            "champion": str(champion.version) if champion is not None else None,
            **compare(settings.tracking_uri, model, candidate, champion),
        }
    return out


def compare(uri: str, model: str, candidate: ModelVersion, champion: ModelVersion | None) -> dict[str, Any]:
    """Metrics, fairness ratios per group and the features whose importance moved most, champion
    against candidate (``None`` where the champion is missing or has no such value)."""
    runs = {"candidate": str(candidate.run_id), "champion": str(champion.run_id) if champion is not None else None}
    metrics = {side: _metrics(uri, run) if run else {} for side, run in runs.items()}
    if model == FORECAST:
        names = sorted({k for m in metrics.values() for k in m if FORECAST_METRIC.match(k)})
    else:
        names = [m for m in TRIAGE_METRICS if any(m in side for side in metrics.values())]
    return {
        "metrics": [{"name": n, **{side: metrics[side].get(n) for side in runs}} for n in names],
        "fairness": [] if model == FORECAST else _fairness(uri, runs),
        "features": _moved(uri, runs, model == FORECAST),
    }


def _metrics(uri: str, run_id: str) -> dict[str, float]:
    return dict(_cached_metrics(uri, run_id))


@lru_cache(maxsize=64)
def _cached_metrics(uri: str, run_id: str) -> tuple[tuple[str, float], ...]:
    """A finished run's metrics never change: read once per run (``uri`` keeps stores apart)."""
    from mlflow import MlflowClient

    return tuple(MlflowClient(tracking_uri=uri, registry_uri=uri).get_run(run_id).data.metrics.items())


def _artifact_frame(uri: str, run_id: str | None, path: str) -> pd.DataFrame | None:
    if run_id is None:
        return None
    text = _cached_artifact(uri, run_id, path)
    return pd.read_csv(io.StringIO(text)) if text else None


@lru_cache(maxsize=64)
def _cached_artifact(uri: str, run_id: str, path: str) -> str:
    """A CSV artifact of a run as text ("" when the run has none); artifacts never change."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return Path(client.download_artifacts(run_id, path, tmp)).read_text(encoding="utf-8")
        except (MlflowException, OSError):
            return ""


def _fairness(uri: str, runs: dict[str, str | None]) -> list[dict[str, Any]]:
    """Per class, characteristic and group: the FPR and FNR ratios to the reference group (small
    cells stay suppressed: ``None``)."""
    frames = {side: _artifact_frame(uri, run, "reports/fairness.csv") for side, run in runs.items()}
    keyed: dict[tuple[str, str, str], dict[str, Any]] = {}
    for side, frame in frames.items():
        if frame is None:
            continue
        for row in frame.to_dict("records"):
            key = (
                str(row.get("class", "") if pd.notna(row.get("class")) else ""),
                str(row["attribute"]),
                str(row["group"]),
            )
            entry = keyed.setdefault(key, {"class": key[0] or None, "attribute": key[1], "group": key[2]})
            suppressed = str(row.get("suppressed")).lower() in ("true", "1")
            for ratio in FAIRNESS_RATIOS:
                value = row.get(ratio)
                entry[f"{side}.{ratio}"] = None if suppressed or value is None or pd.isna(value) else float(value)
    return [keyed[k] for k in sorted(keyed)]


def _moved(uri: str, runs: dict[str, str | None], forecast: bool) -> list[dict[str, Any]]:
    """The features whose share of the total mean |SHAP| changed most between the two versions."""
    shares: dict[str, pd.DataFrame] = {}
    for side, run in runs.items():
        if forecast:
            frame = _artifact_frame(uri, run, "shap/drivers_by_group.csv")
            if frame is not None and len(frame):
                frame = (
                    frame.assign(value=frame["contribution"].abs())
                    .groupby(["driver", "label_nl", "label_en"], as_index=False)["value"]
                    .mean()
                    .rename(columns={"driver": "feature"})
                )
        else:
            frame = _artifact_frame(uri, run, "reports/shap_importance.csv")
            if frame is not None:
                frame = frame.rename(columns={"mean_abs_shap": "value"})
        if frame is not None and len(frame) and frame["value"].sum() > 0:
            shares[side] = frame.assign(share=frame["value"] / frame["value"].sum()).set_index("feature")
    if "candidate" not in shares:
        return []
    new = shares["candidate"]
    old = shares.get("champion")
    rows: list[dict[str, Any]] = []
    for feature, row in new.iterrows():
        before = float(old.loc[feature, "share"]) if old is not None and feature in old.index else None
        rows.append(
            {
                "feature": str(feature),
                "label_nl": str(row["label_nl"]),
                "label_en": str(row["label_en"]),
                "champion": before,
                "candidate": float(row["share"]),
                "change": float(row["share"]) - (before or 0.0),
            }
        )
    rows.sort(key=lambda r: -abs(float(r["change"])))
    return rows[:MOVED_FEATURES]


def approve_candidates(
    settings: Settings, approver: Approver, reason: str, now: dt.datetime, models: tuple[str, ...] = MODEL_NAMES
) -> list[Outcome]:
    """Approve the waiting candidate of each of ``models`` in one transaction on the configured store
    (the demo's model owner, a benchmark's set-up); models without a candidate are left alone."""
    from casework.db import store_session
    from werkwijzer import tracking

    client = tracking.client_for(settings)
    with store_session(settings.database) as session:
        found = [(m, v.version) for m in models if (v := tracking.candidate_version(client, m)) is not None]
        done = [decide(session, settings, m, v, "approved", approver, reason, now, client) for m, v in found]
        session.commit()
    return done
