"""MLflow logging of a forecast run and registration of ``werkwijzer-forecast`` (ADR 0003).

One MLflow run per flow run: parameters, metrics per model (and per series for up to
``PER_SERIES_METRICS`` series; ADR 0027), the backtest and forecast tables,
its Algoritmeregister entry, a PNG per team, the SHAP summary and reproducibility tags. The
pyfunc model (logged as code) serves the stored forecast. The version becomes the ``candidate``
only when ``auto`` beats seasonal naive on the backtest MASE (the gate result is tagged on the
version either way), and the ``champion`` only when a model owner approves it (ADR 0019).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_USER

from flows import experiments, run_story
from flows.forecast_run import ForecastRun, Registered
from werkwijzer.contracts import read_norms, read_staffing
from werkwijzer.io import write_csv
from werkwijzer.settings import Settings
from werkwijzer.tracking import (
    TRAINED_BY,
    configure_mlflow,
    ensure_experiment,
    fingerprint_frame,
    reproducibility_tags,
    run_user,
    set_candidate,
)
from werkwijzer.vocabulary import FORECAST

MODEL_NAME = FORECAST
EXPERIMENT = experiments.FORECAST
GATE = "beats_seasonal_naive"
PER_SERIES_METRICS = 100  # above this many series the per-series figures are in backtest_summary.csv only (ADR 0027)


def gate_result(overall: pd.DataFrame) -> tuple[bool, str]:
    mase = overall.set_index("model")["mase"]
    if "auto" not in mase or "seasonal_naive" not in mase:
        return False, "failed: auto or seasonal_naive missing from the backtest"
    if mase["auto"] < mase["seasonal_naive"]:
        return True, "passed"
    return (
        False,
        f"failed: auto MASE {mase['auto']:.4f} >= seasonal naive {mase['seasonal_naive']:.4f}",
    )


def _gate_reason(overall: pd.DataFrame) -> str:
    """The numbers a passed gate rests on (a failed gate's result already names them)."""
    mase = overall.set_index("model")["mase"]
    return f"auto MASE {mase['auto']:.4f} < seasonal naive {mase['seasonal_naive']:.4f}"


KEY_LIMIT = 250  # MLflow refuses a metric name longer than this (and a file name over 255 bytes)


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _metric_key(text: str, limit: int = KEY_LIMIT) -> str:
    """``text`` in the characters MLflow allows in a metric name; a longer one is cut to ``limit``
    with a short hash of the whole, so two long team names that start alike stay two keys."""
    key = "".join(c if c.isalnum() or c in "_-./ " else "_" for c in text)
    if len(key.encode()) <= limit:
        return key
    digest = _digest(text, 10)
    cut = key.encode()[: limit - len(digest) - 1].decode(errors="ignore")
    return f"{cut}_{digest}"


def plot_names(series_ids: list[str]) -> dict[str, str]:
    """A file name per series for its plot: a file, not a folder (no slash), short enough for any
    file system, and one per series (schuld/hulp and schuld_hulp would otherwise share one)."""
    names: dict[str, str] = {}
    for sid in series_ids:
        name = _metric_key(sid, limit=200).replace("/", "_")
        if f"{name}.png" in names.values():
            name = f"{name}_{_digest(str(sid), 8)}"
        names[sid] = f"{name}.png"
    return names


def per_series_in_metrics(result: ForecastRun) -> bool:
    return result.summary["series_id"].nunique() <= PER_SERIES_METRICS


def run_metrics(result: ForecastRun) -> list[mlflow.entities.Metric]:
    """The run's metrics: per model, per level of a hierarchy, and per series and model while there are
    at most ``PER_SERIES_METRICS`` series (ADR 0027: 41,000 metrics for 3,420 series took MLflow minutes
    to store and make the run's page unreadable; backtest_summary.csv holds them all)."""
    metrics = []
    for row in result.overall.itertuples(index=False):
        for name in ("mase", "smape", "coverage_80", "coverage_95", "winkler_95"):
            metrics.append(mlflow.entities.Metric(f"{name}.{row.model}", float(getattr(row, name)), 0, 0))
    if per_series_in_metrics(result):
        for row in result.summary.itertuples(index=False):
            for name in ("mase", "coverage_95"):
                score = float(getattr(row, name))
                if pd.notna(score):
                    key = _metric_key(f"{name}.{row.series_id}.{row.model}")
                    metrics.append(mlflow.entities.Metric(key, score, 0, 0))
    for row in result.level_accuracy.itertuples(index=False):  # coherent totals, ADR 0024
        for name in ("mase", "coverage_80", "coverage_95", "winkler_95"):
            score = float(getattr(row, name))
            if pd.notna(score):
                metrics.append(mlflow.entities.Metric(f"{name}.level.{row.level}.{row.method}", score, 0, 0))
    if "horizon_correlation" in result.forecast.columns and len(result.forecast):  # ADR 0031
        rho = float(result.forecast["horizon_correlation"].iloc[0])
        if pd.notna(rho):
            metrics.append(mlflow.entities.Metric("horizon_correlation.auto", rho, 0, 0))
    return metrics


def log_forecast_run(
    result: ForecastRun,
    settings: Settings,
    *,
    data_path: Path,
    norms: str | Path | None = None,
    staffing: str | Path | None = None,
    trained_by: str | None = None,
    tables_to: Path | None = None,
) -> Registered:
    """Log everything of ``result`` in one run, register the pyfunc, gate the candidate alias; tell the
    run's story (``flows.run_story``: description, datasets, pictures; ``trained_by`` is "Created by").
    ``tables_to``: a folder that also gets a copy of the tables (``forecast_report.tables``), so that
    a caller who writes them too does not render them a second time."""
    from explain.forecast_drivers import shap_summary_figure, team_figure
    from explain.governance import load_governance
    from explain.register import build_forecast_entry
    from flows.forecast_report import write_tables

    client = configure_mlflow(settings)
    experiment_id = ensure_experiment(client, EXPERIMENT, settings)
    intake = result.intake
    tags = reproducibility_tags(fingerprint_frame(intake), settings.seed)
    user = tags[MLFLOW_USER] = run_user(trained_by)
    before = run_story.champion_metrics(client, MODEL_NAME, run_story.FORECAST_HEADLINE)
    run = client.create_run(experiment_id, tags=tags, run_name=f"forecast-{result.params['freq']}")
    run_id = run.info.run_id
    source = str(Path(data_path).resolve())
    run_story.log_datasets(
        client,
        run_id,
        [(intake, source, "intake", "training"), (result.predictions, source, "backtest", "evaluation")],
    )
    params = {k: str(v) for k, v in result.params.items()}
    for key, value in params.items():
        client.log_param(run_id, key, value[:500])
    overall = result.overall
    metrics = run_metrics(result)
    where = "metrics"
    if not per_series_in_metrics(result):
        where = f"forecast/backtest_summary.csv ({result.summary['series_id'].nunique()} series)"
    client.set_tag(run_id, "metrics.per_series", where)
    if result.reconciliation:
        client.set_tag(run_id, "reconciliation", result.reconciliation)
    for start in range(0, len(metrics), 900):
        client.log_batch(run_id, metrics=metrics[start : start + 900])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "forecast"
        folder.mkdir()
        for name in write_tables(result, folder):
            if tables_to is not None:
                shutil.copyfile(folder / name, Path(tables_to) / name)
        write_csv(intake, folder / "history.csv")
        write_csv(result.components, folder / "components.csv")
        write_csv(pd.Series(result.choice, name="model").rename_axis("series_id"), folder / "auto_choice.csv")
        write_csv(result.weights, folder / "auto_weights.csv")  # auto's combination weights per series
        teams = sorted(result.forecast["series_id"].astype(str).unique())
        entry = build_forecast_entry(load_governance(None, settings).model_dump(), teams, MODEL_NAME)
        (folder / "algoritmeregister.json").write_text(
            json.dumps(entry, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        if norms is not None:
            write_csv(read_norms(norms), folder / "norms.csv")
        if staffing is not None:
            write_csv(
                read_staffing(staffing).assign(week=lambda f: f["week"].dt.strftime("%Y-%m-%d")),
                folder / "staffing.csv",
            )
        client.log_artifacts(run_id, str(folder), "forecast")
        _log_figures(client, run_id, result, Path(tmp), team_figure, shap_summary_figure)
        passed, gate = gate_result(overall)
        version = _register(run_id, folder, intake["series_id"].iloc[0])
    client.set_model_version_tag(MODEL_NAME, version, f"gate.{GATE}", gate)
    client.set_tag(run_id, f"gate.{GATE}", gate)
    run_story.forecast_story(
        client,
        run_id,
        experiment_id,
        model_name=MODEL_NAME,
        intake=intake,
        metrics={m.key: m.value for m in metrics},
        gate=(GATE, passed, gate if not passed else _gate_reason(overall)),
        trained_by=user,
        champion=before,
        version=version,
    )
    client.set_model_version_tag(MODEL_NAME, version, TRAINED_BY, user)
    client.set_tag(run_id, TRAINED_BY, user)
    if passed:
        set_candidate(client, MODEL_NAME, version)
    client.set_terminated(run_id)
    return Registered(run_id, version, passed, gate)


def _log_figures(
    client: MlflowClient,
    run_id: str,
    result: ForecastRun,
    tmp: Path,
    team_figure: Callable[..., Any],
    summary_figure: Callable[..., Any],
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = tmp / "plots"
    plots.mkdir()
    for sid, name in plot_names(sorted(result.forecast["series_id"].unique())[:50]).items():
        fig = team_figure(result.intake, result.forecast, sid)
        fig.savefig(plots / name, dpi=90)
        plt.close(fig)
    for problem in run_story.forecast_pictures(plots, result.predictions, result.drivers):
        logging.getLogger(__name__).warning("picture layout: %s", problem)
    client.log_artifacts(run_id, str(plots), "plots")
    if len(result.drivers):
        fig = summary_figure(result.drivers)
        fig.savefig(tmp / "shap_summary.png", dpi=90)
        plt.close(fig)
        client.log_artifact(run_id, str(tmp / "shap_summary.png"), "shap")
        write_csv(result.drivers_grouped, tmp / "drivers_by_group.csv")
        client.log_artifact(run_id, str(tmp / "drivers_by_group.csv"), "shap")


def _register(run_id: str, folder: Path, example_series: str) -> str:
    code = Path(__file__).with_name("forecast_pyfunc.py")
    artifacts = {"forecast": str(folder / "forecast.csv")}
    if (folder / "forecast_levels.csv").exists():  # the reconciled totals (ADR 0024)
        artifacts["levels"] = str(folder / "forecast_levels.csv")
    with mlflow.start_run(run_id=run_id):
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(code),
            artifacts=artifacts,
            pip_requirements=["mlflow", "pandas"],
        )
    registered = mlflow.register_model(info.model_uri, MODEL_NAME)
    return str(registered.version)
