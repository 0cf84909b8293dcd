"""What a forecast training gives, typed and frozen: the flow's tables, its MLflow run, the report.

``flows.train_forecast`` makes a :class:`ForecastRun`; ``flows.forecast_tracking`` logs it and
answers with :class:`Registered`; ``flows.forecast_report`` writes its tables and report. Nothing
changes a run after it is made: a step that adds something returns a new one
(``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Registered:
    """The MLflow run of a forecast and its registered version, gated (``flows.forecast_tracking``)."""

    run_id: str
    model_version: str
    candidate: bool  # the gate passed: the version waits for a model owner's approval (ADR 0019)
    gate: str  # "passed", or why the gate kept the version from candidate


@dataclass(frozen=True)
class ForecastRun:
    """One forecast training: the flow's tables, then (``train_forecast``) its MLflow run and report."""

    intake: pd.DataFrame  # the intake on the regular grid of the frequency
    predictions: pd.DataFrame  # backtest predictions, PREDICTION_COLUMNS
    summary: pd.DataFrame  # backtest accuracy per series and model, SUMMARY_COLUMNS
    overall: pd.DataFrame  # backtest accuracy per model over all series
    choice: Mapping[str, str]  # series -> the model chosen for it
    forecast: pd.DataFrame  # series_id, date and the forecast with its intervals
    drivers: pd.DataFrame  # SHAP drivers of the global model (empty without it)
    drivers_grouped: pd.DataFrame
    components: pd.DataFrame  # the statistical models' components
    weights: pd.DataFrame  # auto's combination weights per series and candidate (ADR 0015)
    radius: Mapping[int, tuple[float, ...]]  # auto's conformal half-widths per interval level, per horizon step
    params: Mapping[str, Any]  # what the run was asked for, as logged
    # coherent totals (ADR 0024); empty / None when the intake names no hierarchy
    levels: pd.DataFrame = field(default_factory=pd.DataFrame)  # the reconciled forecast of every node, with level
    level_accuracy: pd.DataFrame = field(default_factory=pd.DataFrame)  # backtest per level and method
    reconciliation: str | None = None  # the method chosen on the backtest
    run_id: str | None = None  # the rest: None until logged (``log=False`` leaves them so)
    model_version: str | None = None
    candidate: bool = False
    gate: str | None = None
    report: str = ""
