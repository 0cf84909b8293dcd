"""Read a registered forecast version back from MLflow: its forecast, history, norms and staffing.

The forecast run stores these tables with the model (ADR 0003), so capacity planning and the
accountability report use exactly the numbers of the approved version, not a fresh computation.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from flows.forecast_tracking import MODEL_NAME as FORECAST_MODEL
from werkwijzer.contracts import read_forecast, read_norms, read_staffing
from werkwijzer.tracking import champion_version


@dataclass(frozen=True)
class ForecastVersion:
    """One registered forecast version; ``norms``/``staffing`` are None when trained without them."""

    name: str
    version: str
    run_id: str
    forecast: pd.DataFrame  # series_id, date, mean, lo_80, hi_80, lo_95, hi_95
    history: pd.DataFrame  # series_id, date, value: the data it was trained on
    norms: pd.DataFrame | None
    staffing: pd.DataFrame | None


def load_forecast_version(client: MlflowClient, version: ModelVersion) -> ForecastVersion:
    """Download the ``forecast/`` artifacts of ``version``'s run and read them through their contracts."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(client.download_artifacts(str(version.run_id), "forecast", tmp))
        norms, staffing = folder / "norms.csv", folder / "staffing.csv"
        return ForecastVersion(
            name=version.name,
            version=str(version.version),
            run_id=str(version.run_id),
            forecast=read_forecast(folder / "forecast.csv"),
            history=pd.read_csv(folder / "history.csv", parse_dates=["date"]),
            norms=read_norms(norms) if norms.is_file() else None,
            staffing=read_staffing(staffing) if staffing.is_file() else None,
        )


def load_forecast_champion(client: MlflowClient, name: str = FORECAST_MODEL) -> ForecastVersion:
    """The current champion's tables; LookupError when no version is champion."""
    version = champion_version(client, name)
    if version is None:
        raise LookupError(f"no champion version of {name}: train a forecast first (werkwijzer forecast)")
    return load_forecast_version(client, version)
