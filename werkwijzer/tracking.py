"""The one place that talks to MLflow setup and registry, and the reproducibility facts of a run.

Flows log through MLflow directly but get their tracking URI, experiment and champion alias
from here; the API reads champions through here too. Reproducibility (responsible-ai item 24):
every run records the code version, a fingerprint of its data, dependency versions and seed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from werkwijzer.logs import library_log_file, route_mlflow
from werkwijzer.privacy import refuse_bsn
from werkwijzer.settings import Settings

CHAMPION = "champion"
# MLflow's experiment tag for what an experiment holds; "custom_model_development" is its model training.
EXPERIMENT_KIND, MODEL_TRAINING = "mlflow.experimentKind", "custom_model_development"
# Every gate passed: the version waits for a model owner's approval (casework.approvals, ADR 0019).
CANDIDATE = "candidate"
# Who ran the training, on the run and on the version: with four eyes on, not the one who approves.
TRAINED_BY = "trained_by"
# Tags on model versions that keep the alias history (see set_champion).
CHAMPION_SINCE, CHAMPION_UNTIL = "champion_since", "champion_until"
CHAMPION_BY, CHAMPION_REASON = "champion_by", "champion_reason"
TRACKED_PACKAGES = (
    "werkwijzer",
    "numpy",
    "pandas",
    "scikit-learn",
    "statsmodels",
    "shap",
    "mlflow",
    "prefect",
    "holidays",
    "skops",
)


def configure_mlflow(settings: Settings) -> MlflowClient:
    """Point this process at the configured tracking store and return a client for it."""
    log_file = library_log_file()
    if log_file is not None:  # the CLI's quiet terminal: what MLflow says goes to the library log
        route_mlflow(log_file)
    uri = settings.tracking_uri
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def client_for(settings: Settings) -> MlflowClient:
    """A client on the configured store that leaves this process's global MLflow setup alone (for
    readers on other threads, such as the pages)."""
    return MlflowClient(tracking_uri=settings.tracking_uri, registry_uri=settings.tracking_uri)


def ensure_experiment(client: MlflowClient, name: str, settings: Settings) -> str:
    """The experiment id for ``name``, creating it with artifacts under the configured root.

    Every Werkwijzer experiment is model training, not a GenAI app: the tag ``mlflow.experimentKind``
    says so (MLflow's UI lists it under *Machine learning* and does not ask what it is), also on an
    experiment an older version created without it (ADR 0020).
    """
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        if existing.tags.get(EXPERIMENT_KIND) != MODEL_TRAINING:
            client.set_experiment_tag(existing.experiment_id, EXPERIMENT_KIND, MODEL_TRAINING)
        return str(existing.experiment_id)
    location = f"{settings.artifact_root.rstrip('/')}/{name}"
    return str(client.create_experiment(name, artifact_location=location, tags={EXPERIMENT_KIND: MODEL_TRAINING}))


def run_user(by: str | None = None) -> str:
    """Who ran a training, for MLflow's ``mlflow.user`` tag ("Created by"): ``by`` (the command's
    ``--by``), else ``MLFLOW_TRACKING_USERNAME`` (what MLflow itself reads), else the login name.

    MLflow sets the tag only in ``mlflow.start_run``; runs made with ``MlflowClient.create_run``, as
    the flows make them, would otherwise show no one. A name that holds a possible BSN is refused.
    """
    name = (by or os.environ.get("MLFLOW_TRACKING_USERNAME") or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (OSError, KeyError, ImportError):
            name = "unknown"
    refuse_bsn(name, "the name of who trained the model")
    return name


def ui_link(experiment_id: str, run_id: str | None = None, artifact: str | None = None) -> str:
    """A link inside MLflow's UI (relative to its page, so it works wherever the UI is served) to an
    experiment, a run or an artifact of a run; opened in the model-training view."""
    path = f"#/experiments/{experiment_id}"
    if run_id is not None:
        path += f"/runs/{run_id}"
        if artifact is not None:
            path += f"/artifactPath/{artifact}"
    return path + "?workflowType=machine_learning"


def set_champion(
    client: MlflowClient,
    model_name: str,
    model_version: str | int,
    *,
    decided_by: str | None = None,
    reason: str | None = None,
) -> None:
    """Point the ``champion`` alias at ``model_version`` and record when (and by whom, why) on the versions.

    MLflow keeps no history of an alias, yet the accountability report must list every model
    change of a period. So the new champion gets the tag ``champion_since`` (UTC, ISO 8601) and the
    version it replaces ``champion_until``; ``decided_by`` and ``reason`` (a person's promotion
    from the review notebook) are kept as ``champion_by`` and ``champion_reason``.
    """
    version = str(model_version)
    previous = champion_version(client, model_name)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    client.set_registered_model_alias(model_name, CHAMPION, version)
    if previous is None or str(previous.version) != version:  # re-pointing at the champion changes nothing
        if previous is not None:
            client.set_model_version_tag(model_name, str(previous.version), CHAMPION_UNTIL, now)
        client.set_model_version_tag(model_name, version, CHAMPION_SINCE, now)
        if CHAMPION_UNTIL in (client.get_model_version(model_name, version).tags or {}):  # back in use
            client.delete_model_version_tag(model_name, version, CHAMPION_UNTIL)
    for key, value in ((CHAMPION_BY, decided_by), (CHAMPION_REASON, reason)):
        if value:
            client.set_model_version_tag(model_name, version, key, value[:4900])


def champion_version(client: MlflowClient, model_name: str) -> ModelVersion | None:
    return _by_alias(client, model_name, CHAMPION)


def candidate_version(client: MlflowClient, model_name: str) -> ModelVersion | None:
    """The version that passed every gate and waits for a person's approval, if any."""
    return _by_alias(client, model_name, CANDIDATE)


def _by_alias(client: MlflowClient, model_name: str, alias: str) -> ModelVersion | None:
    try:
        return client.get_model_version_by_alias(model_name, alias)
    except MlflowException:
        return None


def set_candidate(client: MlflowClient, model_name: str, model_version: str | int) -> None:
    """Point the ``candidate`` alias at a version that passed every gate; it is not served until a
    model owner approves it (``casework.approvals``). A newer candidate replaces an older one."""
    client.set_registered_model_alias(model_name, CANDIDATE, str(model_version))


def version_run(version: ModelVersion) -> str:
    """The run a registered version came from (every version this project registers names one)."""
    if version.run_id is None:
        raise LookupError(f"model version {version.name} {version.version} names no run")
    return version.run_id


def code_version() -> str:
    """The git commit of the checkout when there is one, else the installed package version."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
            check=False,
        )
        if out.returncode == 0 and out.stdout.strip():
            dirty = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                timeout=5,
                cwd=Path(__file__).resolve().parent,
                check=False,
            ).stdout.strip()
            return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return f"werkwijzer-{_version('werkwijzer')}"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not-installed"


def dependency_versions() -> dict[str, str]:
    versions = {name: _version(name) for name in TRACKED_PACKAGES}
    versions["python"] = platform.python_version()
    return versions


def fingerprint_frame(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(map(str, frame.columns)).encode())
    return digest.hexdigest()


def reproducibility_tags(data_fingerprint: str, seed: int) -> dict[str, str]:
    tags = {"code_version": code_version(), "data_fingerprint": data_fingerprint, "seed": str(seed)}
    tags.update({f"dep.{k}": v for k, v in dependency_versions().items()})
    return tags
