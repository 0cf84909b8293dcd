"""Write a training run's story into MLflow's own fields (issue 18 items 2 and 3; ADR 0020).

- the data as MLflow datasets (``log_inputs``: name, source, digest, schema; context ``training`` and
  ``evaluation``), so the run's *Datasets* show what it learned from and was judged on;
- the run's description (``mlflow.note.content``), its model version's and the registered model's
  description, from :mod:`explain.run_story`;
- the review pictures (:mod:`explain.plots_triage`, :mod:`explain.plots_forecast`) under ``plots/``.

The champion's metrics are read before the new version is registered (:func:`champion_metrics`), so
"what changed against the champion" compares with the model in use when the run was made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import Dataset as DatasetEntity
from mlflow.entities import DatasetInput, InputTag
from mlflow.exceptions import MlflowException

from explain.figures import save
from explain.plots_triage import ShapSample
from explain.run_story import DESCRIPTION_LIMIT, Change, RunFacts, describe, model_description
from flows.triage_steps import Prepared
from werkwijzer.settings import Settings
from werkwijzer.tracking import champion_version, fingerprint_frame, ui_link

NOTE = "mlflow.note.content"  # the run's description in MLflow's UI
CONTEXT = "mlflow.data.context"
SCHEMA_SAMPLE = 1000  # rows whose values give the column types of a logged dataset
DIGEST_LENGTH = 16  # MLflow keeps a digest of at most 36 characters; sha256 cut to 16 hex digits
# The headline metrics compared with the champion; the same names in every run of a kind (docs/governance.md).
TRIAGE_HEADLINE = ("roc_auc", "brier", "log_loss", "ece", "balanced_accuracy")
FORECAST_HEADLINE = ("mase.auto", "smape.auto", "coverage_80.auto", "coverage_95.auto")


def log_datasets(client: MlflowClient, run_id: str, inputs: Sequence[tuple[pd.DataFrame, str, str, str]]) -> None:
    """Log each ``(frame, source, name, context)`` as a dataset input of ``run_id``. The digest is the
    frame's Werkwijzer fingerprint (all rows, not MLflow's sample of them), cut to 16 hex digits."""
    logged = []
    for frame, source, name, context in inputs:
        entity = dataset_entity(frame, source, name, fingerprint_frame(frame)[:DIGEST_LENGTH])
        logged.append(DatasetInput(entity, tags=[InputTag(CONTEXT, context)]))
    client.log_inputs(run_id, datasets=logged)


def dataset_entity(frame: pd.DataFrame, source: str, name: str, digest: str) -> DatasetEntity:
    """What ``mlflow.data.from_pandas(frame, ...)`` logs, without its schema inference looking at
    every cell in Python (11 s for the backtest table of 3,420 series): the column types are
    inferred from the first ``SCHEMA_SAMPLE`` rows, whether a column may be empty from all rows."""
    from mlflow.data.pandas_dataset import from_pandas
    from mlflow.types import ColSpec, Schema

    sample = from_pandas(frame.head(SCHEMA_SAMPLE), source=source, name=name, digest=digest)
    empty = frame.isna().any()
    schema = Schema(
        [ColSpec(c.type, c.name, required=not bool(empty[c.name])) for c in sample.schema.inputs]  # type: ignore[union-attr,arg-type]
    )
    entity = sample._to_mlflow_entity()
    return DatasetEntity(
        name=entity.name,
        digest=entity.digest,
        source_type=entity.source_type,
        source=entity.source,
        schema=json.dumps({"mlflow_colspec": schema.to_dict()}),
        profile=json.dumps({"num_rows": len(frame), "num_elements": int(frame.size)}),
    )


def champion_metrics(
    client: MlflowClient, model_name: str, names: Sequence[str]
) -> tuple[str | None, dict[str, float]]:
    """The current champion's version and its run's values of ``names`` (None, {} when there is none)."""
    version = champion_version(client, model_name)
    if version is None or version.run_id is None:
        return None, {}
    try:
        metrics = client.get_run(version.run_id).data.metrics
    except MlflowException:
        return str(version.version), {}
    return str(version.version), {k: float(metrics[k]) for k in names if k in metrics}


def changes(metrics: dict[str, Any], champion: dict[str, float], names: Sequence[str]) -> list[Change]:
    return [
        Change(name, float(metrics[name]), champion.get(name))
        for name in names
        if isinstance(metrics.get(name), int | float) and np.isfinite(float(metrics[name]))
    ]


def write_story(
    client: MlflowClient,
    run_id: str,
    facts: RunFacts,
    *,
    experiment_id: str,
    target: tuple[str, str],
) -> None:
    """The run's description, its version's (with a link back to the run) and the registered model's."""
    client.set_tag(run_id, NOTE, describe(facts))
    if facts.version is None:
        return
    with_run = replace(facts, links={**facts.links, "run": ui_link(experiment_id, run_id)})
    client.update_model_version(facts.model_name, facts.version, description=describe(with_run, DESCRIPTION_LIMIT))
    client.update_registered_model(
        facts.model_name,
        description=model_description(facts.kind, facts.model_name, *target, ui_link(experiment_id))[
            :DESCRIPTION_LIMIT
        ],
    )


def file_name(text: str) -> str:
    """A class or feature name as part of a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text).replace("+", "plus")).strip("_") or "x"


def triage_pictures(
    folder: Path,
    sample: ShapSample,
    table: pd.DataFrame,
    y_test: np.ndarray,
    proba: np.ndarray,
    groups: pd.DataFrame,
    *,
    low: float,
    high: float,
    min_cell: int,
    top: int = 3,
) -> list[str]:
    """Every review picture of a triage run into ``folder``: beeswarm per class, dependence for the ``top``
    features, a waterfall per typical case, fairness per priority metric and calibration per group
    (``proba`` and ``groups`` of the test cases ``y_test``); returns what the layout check found."""
    from explain import plots_triage as plots
    from explain.fairness import PRIORITY

    problems: list[str] = []
    for cls in sample.explained():
        problems += save(plots.beeswarm_figure(sample, cls), folder / f"shap_beeswarm_{file_name(cls)}.png")
    for feature in sample.order()[:top]:
        name = file_name(sample.X.columns[feature])
        problems += save(plots.dependence_figure(sample, int(feature)), folder / f"shap_dependence_{name}.png")
    for row, cls in plots.typical_cases(sample):
        problems += save(plots.waterfall_figure(sample, row, cls), folder / f"shap_waterfall_{file_name(cls)}.png")
    for metric in PRIORITY:
        figure = plots.fairness_figure(table, metric, low=low, high=high, min_cell=min_cell)
        problems += save(figure, folder / f"fairness_{metric}.png")
    figure = plots.calibration_figure(y_test, proba, sample.classes, groups, min_cell=min_cell)
    return problems + save(figure, folder / "calibration_by_group.png")


def forecast_pictures(folder: Path, predictions: pd.DataFrame, drivers: pd.DataFrame) -> list[str]:
    """Backtest error per team and horizon, and (with the gradient-boosted model) SHAP drivers per horizon."""
    from explain import plots_forecast as plots

    problems = save(plots.backtest_error_figure(predictions), folder / "backtest_error.png")
    if len(drivers):
        problems += save(plots.drivers_by_horizon_figure(drivers), folder / "shap_drivers_by_horizon.png")
    return problems


def triage_story(
    client: MlflowClient,
    run_id: str,
    experiment_id: str,
    *,
    prep: Prepared,
    result: dict[str, Any],
    gate_results: dict[str, dict[str, Any]],
    card: dict[str, Any],
    settings: Settings,
    trained_by: str,
    champion: tuple[str | None, dict[str, float]],
    version: str,
) -> RunFacts:
    """Gather the facts of a triage run (``champion`` from :func:`champion_metrics` before registering) and
    write its descriptions; returns the facts."""
    from explain.run_story import Gate, fairness_headline

    received = pd.to_datetime(prep.cases["received_date"])
    link = {
        "model_card": "triage/model_card.md",
        "register": "triage/algoritmeregister.json",
        "fairness": "reports/fairness.md",
        "plots": "plots",
    }
    facts = RunFacts(
        kind="triage",
        model_name=card["model_name"],
        target_nl=card["target_label_nl"],
        target_en=card["target_label_en"],
        trained_by=trained_by,
        rows=len(prep.cases),
        period=(received.min().date(), received.max().date()),
        fingerprint=fingerprint_frame(prep.cases),
        split=(int(result["metrics"]["n_train"]), int(result["metrics"]["n_test"])),
        series=None,
        gates=[Gate(name, bool(g["passed"]), str(g["reason"])) for name, g in gate_results.items()],
        fairness=fairness_headline(
            result["table"],
            low=settings.fairness_ratio_low,
            high=settings.fairness_ratio_high,
            min_cell=settings.fairness_min_cell,
        ),
        champion=champion[0],
        changes=changes(result["metrics"], champion[1], TRIAGE_HEADLINE),
        links={name: ui_link(experiment_id, run_id, path) for name, path in link.items()},
        version=version,
    )
    write_story(client, run_id, facts, experiment_id=experiment_id, target=(facts.target_nl, facts.target_en))
    return facts


def forecast_story(
    client: MlflowClient,
    run_id: str,
    experiment_id: str,
    *,
    model_name: str,
    intake: pd.DataFrame,
    metrics: dict[str, float],
    gate: tuple[str, bool, str],
    trained_by: str,
    champion: tuple[str | None, dict[str, float]],
    version: str,
) -> RunFacts:
    """The same for a forecast run: the intake it learned from and its one gate (``name, passed, reason``)."""
    from explain.run_story import Gate

    dates = pd.to_datetime(intake["date"])
    link = {"forecast": "forecast", "register": "forecast/algoritmeregister.json", "plots": "plots"}
    facts = RunFacts(
        kind="forecast",
        model_name=model_name,
        target_nl="",
        target_en="",
        trained_by=trained_by,
        rows=len(intake),
        period=(dates.min().date(), dates.max().date()),
        fingerprint=fingerprint_frame(intake),
        split=None,
        series=int(intake["series_id"].nunique()),
        gates=[Gate(*gate)],
        fairness=None,
        champion=champion[0],
        changes=changes(metrics, champion[1], FORECAST_HEADLINE),
        links={name: ui_link(experiment_id, run_id, path) for name, path in link.items()},
        version=version,
    )
    write_story(client, run_id, facts, experiment_id=experiment_id, target=("", ""))
    return facts
