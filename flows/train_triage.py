"""Prefect flow: train a triage model behind its responsible-use gates and register it in MLflow.

validate -> policy -> proxy scan -> train -> calibrate -> evaluate -> fairness audit -> SHAP ->
model card -> register entry -> MLflow. The version is registered as
``werkwijzer-triage-<target>`` with the artifacts of ADR 0003; the alias ``candidate`` is set only
when every gate passes, and only a model owner's approval makes it the ``champion`` that is served
(``casework.approvals``, ADR 0019) (performance above the prior-only baseline, proxy, fairness, registry
entry, SHAP additivity). Every version carries ``gate.<name>`` tags saying ``passed`` or
``failed: <reason>``, so the reasons are readable in MLflow.

Tasks receive the run id explicitly (an MLflow active run is per thread) and use the client.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow.entities import Metric, Param
from mlflow.exceptions import MlflowException
from mlflow.utils.mlflow_tags import MLFLOW_USER
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from explain.fairness import export_table, read_justification
from explain.figures import pyplot, save
from explain.governance import load_governance
from flows import experiments, run_story
from flows import triage_steps as steps
from models.triage import save_model
from werkwijzer.contracts import read_cases, read_norms, read_registry
from werkwijzer.io import staged_output
from werkwijzer.progress import report
from werkwijzer.settings import Settings, get_settings
from werkwijzer.tracking import (
    TRAINED_BY,
    configure_mlflow,
    ensure_experiment,
    fingerprint_frame,
    reproducibility_tags,
    run_user,
    set_candidate,
)
from werkwijzer.vocabulary import triage_model_name

EXPERIMENT = experiments.TRIAGE
# What the command's progress bar counts (werkwijzer.progress; issue 15 item 5).
TRAINING_STEPS = ("inputs", "policy and proxy scan", "model", "fairness audit", "SHAP", "registry")
GATES = ("performance", "proxy", "fairness", "registry", "shap_additivity")


@dataclass(frozen=True)
class TriageRun:
    run_id: str
    experiment_id: str
    tracking_uri: str
    model_name: str
    version: str
    candidate: bool  # every gate passed: the version waits for a model owner's approval
    gates: dict[str, dict[str, Any]]
    metrics: dict[str, Any]
    features: list[str]

    @property
    def run_url(self) -> str:
        return f"{self.tracking_uri} (experiment {self.experiment_id}, run {self.run_id})"


@task(cache_policy=NO_CACHE)
def validate_inputs(cases_path: str, registry_path: str, norms_path: str | None) -> tuple[Any, Any, Any]:
    registry = read_registry(registry_path)
    cases = read_cases(cases_path, registry)
    norms = read_norms(norms_path) if norms_path else None
    return cases, registry, norms


@task(cache_policy=NO_CACHE)
def policy_and_proxy(
    cases: pd.DataFrame,
    registry: Any,
    target: str,
    settings: Settings,
    positive: str | None,
    label_repair: str | None,
    norms: Any,
) -> steps.Prepared:
    return steps.prepare(cases, registry, target, settings, positive=positive, label_repair=label_repair, norms=norms)


@task(cache_policy=NO_CACHE)
def train_and_calibrate(prep: steps.Prepared, settings: Settings) -> tuple[Any, Any, Any]:
    train_idx, test_idx = steps.split(prep)
    return steps.train(prep, train_idx, settings, test_idx), train_idx, test_idx


@task(cache_policy=NO_CACHE)
def evaluate_and_audit(
    prep: steps.Prepared,
    model: Any,
    train_idx: Any,
    test_idx: Any,
    settings: Settings,
    justification_path: str | None,
    norms: Any,
    human_col: str | None,
) -> dict[str, Any]:
    justification = read_justification(justification_path) if justification_path else None
    result = steps.assess(prep, model, train_idx, test_idx, settings, justification, norms, human_col)
    result["comparison"] = steps.compare_with_plain_peers(prep, train_idx, test_idx, result["metrics"], settings.seed)
    result["selection"] = steps.constraint_cost(prep, model, train_idx, test_idx, result["metrics"], settings)
    return result


@task(cache_policy=NO_CACHE)
def explain_task(
    prep: steps.Prepared, model: Any, train_idx: Any, test_idx: Any, doc: dict, seed: int
) -> dict[str, Any]:
    return steps.explain_model(prep, model, train_idx, test_idx, doc, seed)


def _plots(
    folder: Path, prep: steps.Prepared, result: dict[str, Any], shap_out: dict[str, Any], settings: Settings
) -> None:
    """The review pictures (flows.run_story.triage_pictures) and the overall calibration curve."""
    plt = pyplot()
    _, test_idx = steps.split(prep)
    problems = run_story.triage_pictures(
        folder,
        shap_out["sample"],
        result["table"],
        prep.y[test_idx].to_numpy(),
        result["proba"],
        steps.protected_groups(prep, test_idx),
        low=settings.fairness_ratio_low,
        high=settings.fairness_ratio_high,
        min_cell=settings.fairness_min_cell,
    )
    fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
    for cls, part in result["calibration"].groupby("class"):
        ax.plot(part["mean_predicted"], part["observed"], marker="o", label=str(cls))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--")
    ax.set_xlabel("voorspelde kans / predicted")
    ax.set_ylabel("waargenomen / observed")
    ax.legend()
    problems += save(fig, folder / "calibration.png")
    for problem in problems:  # a picture that needs a look does not stop a training
        get_run_logger().warning("picture layout: %s", problem)


def _name(*parts: object) -> str:
    """An MLflow-safe metric name ('67+' becomes '67plus'; other odd characters become '_')."""
    text = ".".join(str(p).replace("+", "plus") for p in parts if str(p))
    return re.sub(r"[^A-Za-z0-9_.\- /]", "_", text)


def _metrics(result: dict[str, Any], shap_out: dict[str, Any], settings: Settings) -> list[Metric]:
    """Overall metrics, ROC AUC and Brier per group, and the (suppressed) fairness rates per group."""
    now = int(time.time() * 1000)
    values: dict[str, float] = {
        k: float(v) for k, v in result["metrics"].items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    for row in result["per_group"]:
        for measure in ("roc_auc", "brier"):
            values[_name("group", row["attribute"], row["group"], measure)] = float(row[measure])
    exported = export_table(
        result["table"],
        settings.fairness_min_cell,
        columns=["attribute", "group", "fpr", "fnr", "fdr", "selection_rate", "suppressed"],
    )
    classes = result["table"]["class"].reindex(exported.index).astype(str)
    for cls, (_, row) in zip(classes, exported.iterrows(), strict=True):
        if row["suppressed"]:
            continue  # small cells are never published (item 14)
        for rate in ("fpr", "fnr", "fdr", "selection_rate"):
            if pd.notna(row[rate]):
                values[_name("fairness", cls, row["attribute"], row["group"], rate)] = float(row[rate])
    values["shap_additivity_error"] = float(shap_out["additivity_error"])
    comparison = result["comparison"]
    for peer, scores in comparison["peers"].items():
        values.update({_name("peer", peer, measure): float(v) for measure, v in scores.items()})
    values["peer.roc_auc_gap"] = float(comparison["roc_auc_gap"])
    values.update(steps.selection_metrics(result["selection"]))
    return [Metric(k, v, now, 0) for k, v in values.items() if np.isfinite(v)]


@task(cache_policy=NO_CACHE)
def log_and_register(
    run_id: str,
    model_name: str,
    settings: Settings,
    prep: steps.Prepared,
    model: Any,
    doc: dict,
    result: dict,
    shap_out: dict,
    reports: Path,
    gate_results: dict[str, dict[str, Any]],
    trained_by: str,
) -> tuple[str, bool]:
    """Log params, metrics, artifacts and the pyfunc model to ``run_id``; register; gate the alias.
    ``trained_by`` (the run's "Created by") goes on the run and the version for the four-eyes check."""
    import mlflow.pyfunc
    from mlflow.models import infer_signature

    client = configure_mlflow(settings)
    params = {
        "target": prep.target,
        "positive": str(prep.positive),
        "model_type": model.model_type_,
        "features": ",".join(f["name"] for f in prep.features),
        "label_source": prep.label["source"],
        "proxy_threshold": settings.proxy_threshold,
        "glassbox_preference_margin": settings.glassbox_preference_margin,
        "fairness_band": f"{settings.fairness_ratio_low}-{settings.fairness_ratio_high}",
    }
    client.log_batch(
        run_id, metrics=_metrics(result, shap_out, settings), params=[Param(k, str(v)[:500]) for k, v in params.items()]
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        triage = tmp_path / "triage"
        triage.mkdir()
        save_model(model, triage / "model.skops")
        (triage / "schema.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        shap_out["background"].to_parquet(triage / "background.parquet", index=False)
        for name in ("gates.json", "model_card.json", "model_card.md", "algoritmeregister.json", "fairness.csv"):
            (triage / name).write_bytes((reports / name).read_bytes())
        client.log_artifacts(run_id, str(triage), "triage")
        client.log_artifacts(run_id, str(reports), "reports")
        plots = tmp_path / "plots"
        plots.mkdir()
        _plots(plots, prep, result, shap_out, settings)
        client.log_artifacts(run_id, str(plots), "plots")
        example = shap_out["background"].head(5)
        output = pd.DataFrame(model.predict_proba(example), columns=[f"p_{c}" for c in model.classes_])
        output["suggestion"] = [str(c) for c in model.predict(example)]
        pyfunc_dir = tmp_path / "model"
        mlflow.pyfunc.save_model(
            str(pyfunc_dir),
            python_model=str(Path(__file__).with_name("triage_pyfunc.py")),
            artifacts={"model": str(triage / "model.skops")},
            signature=infer_signature(example, output),
        )
        client.log_artifacts(run_id, str(pyfunc_dir), "model")
    try:
        client.get_registered_model(model_name)
    except MlflowException:
        client.create_registered_model(model_name)
    version = client.create_model_version(model_name, source=f"runs:/{run_id}/model", run_id=run_id)
    candidate = all(g["passed"] for g in gate_results.values())
    client.set_model_version_tag(model_name, version.version, TRAINED_BY, trained_by)
    client.set_tag(run_id, TRAINED_BY, trained_by)
    for name, gate in gate_results.items():
        value = "passed" if gate["passed"] else f"failed: {gate['reason']}"
        client.set_model_version_tag(model_name, version.version, f"gate.{name}", value[:4900])
        client.set_tag(run_id, f"gate.{name}", value[:4900])
        if gate["passed"] and gate["reason"]:
            client.set_tag(run_id, f"gate.{name}.detail", gate["reason"][:4900])
    tags = {**steps.comparison_tags(result["comparison"]), **steps.selection_tags(result["selection"])}
    for key, value in tags.items():  # per version on the Modellen page
        client.set_model_version_tag(model_name, version.version, key, value[:4900])
        client.set_tag(run_id, key, value[:4900])
    client.set_tag(run_id, "champion_eligible", str(candidate).lower())
    if candidate:
        set_candidate(client, model_name, version.version)
    return str(version.version), candidate


def _log_data(client: Any, run_id: str, prep: steps.Prepared, cases_path: str, train_idx: Any, test_idx: Any) -> None:
    """The training cases (model features and label) and the test cases (with the protected
    characteristics the fairness audit reads, never the model) as the run's datasets."""
    features = [f["name"] for f in prep.features]
    protected = [p for p in prep.registry.protected if p in prep.cases.columns]
    cases = prep.cases.assign(**{prep.target: prep.y})
    source = str(Path(cases_path).resolve())
    run_story.log_datasets(
        client,
        run_id,
        [
            (
                cases.loc[train_idx, [*features, prep.target]].reset_index(drop=True),
                source,
                "training cases",
                "training",
            ),
            (
                cases.loc[test_idx, [*features, prep.target, *protected]].reset_index(drop=True),
                source,
                "test cases",
                "evaluation",
            ),
        ],
    )


@flow(name="train-triage")
def train_triage(
    cases_path: str,
    registry_path: str,
    target: str,
    *,
    positive: str | None = None,
    governance_path: str | None = None,
    justification_path: str | None = None,
    label_repair: str | None = None,
    norms_path: str | None = None,
    human_col: str | None = None,
    out_dir: str | None = None,
    settings: Settings | None = None,
    trained_by: str | None = None,
) -> TriageRun:
    """Train, audit, explain and register a triage model; see the module docstring. ``trained_by`` names
    who ran it (MLflow's "Created by"; :func:`werkwijzer.tracking.run_user` when not given)."""
    settings = settings or get_settings()
    user = run_user(trained_by)
    logger = get_run_logger()
    progress = len(TRAINING_STEPS)
    cases, registry, norms = validate_inputs(cases_path, registry_path, norms_path)
    report("triage", 1, progress)
    prep = policy_and_proxy(cases, registry, target, settings, positive, label_repair, norms)
    report("triage", 2, progress)
    model, train_idx, test_idx = train_and_calibrate(prep, settings)
    report("triage", 3, progress)
    name = triage_model_name(target)
    doc = steps.schema(prep, model, name)
    result = evaluate_and_audit(prep, model, train_idx, test_idx, settings, justification_path, norms, human_col)
    report("triage", 4, progress)
    shap_out = explain_task(prep, model, train_idx, test_idx, doc, settings.seed)
    report("triage", 5, progress)
    governance = load_governance(governance_path, settings)
    card, entry, entry_error = steps.card_and_entry(prep, model, name, result, governance, doc)
    gate_results = steps.gates(
        prep,
        result["metrics"],
        result["gate"],
        shap_out["additivity_error"],
        entry_error,
        list(model.feature_names_in_),
    )
    client = configure_mlflow(settings)
    experiment_id = ensure_experiment(client, EXPERIMENT, settings)
    tags = reproducibility_tags(fingerprint_frame(prep.cases), settings.seed)
    # Where the training cases are: the monitoring flow measures drift (PSI) against them.
    tags.update({"target": target, "model_name": name, "training_cases": str(Path(cases_path).resolve())})
    tags[MLFLOW_USER] = user
    before = run_story.champion_metrics(client, name, run_story.TRIAGE_HEADLINE)  # before this version exists
    run = client.create_run(experiment_id, tags=tags, run_name=f"triage-{target}")
    run_id = run.info.run_id
    try:
        _log_data(client, run_id, prep, cases_path, train_idx, test_idx)
        with tempfile.TemporaryDirectory() as tmp, staged_output(out_dir or tmp) as stage:
            steps.write_reports(
                stage,
                prep=prep,
                result=result,
                shap_out=shap_out,
                card=card,
                entry=entry,
                gate_results=gate_results,
                settings=settings,
            )
            version, candidate = log_and_register(
                run_id, name, settings, prep, model, doc, result, shap_out, stage, gate_results, user
            )
        run_story.triage_story(
            client,
            run_id,
            experiment_id,
            prep=prep,
            result=result,
            gate_results=gate_results,
            card=card,
            settings=settings,
            trained_by=user,
            champion=before,
            version=version,
        )
        report("triage", 6, progress)
        if justification_path:  # the model owner's document itself, not only its name (issue 17)
            client.log_artifact(run_id, justification_path, "justification")
    except BaseException:
        client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id, status="FINISHED")
    failed = [k for k, g in gate_results.items() if not g["passed"]]
    logger.info(
        "registered %s version %s; candidate for approval: %s%s",
        name,
        version,
        candidate,
        f" (failed gates: {', '.join(failed)})" if failed else "",
    )
    return TriageRun(
        run_id=run_id,
        experiment_id=experiment_id,
        tracking_uri=settings.tracking_uri,
        model_name=name,
        version=version,
        candidate=candidate,
        gates=gate_results,
        metrics=result["metrics"],
        features=[f["name"] for f in prep.features],
    )
