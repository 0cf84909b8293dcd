"""The served forecast: an MLflow pyfunc (logged as code) that returns a team's stored forecast.

Input: a frame with a ``series_id`` column. Output: the forecast rows of those series,
``series_id,date,mean,lo_80,hi_80,lo_95,hi_95``. The forecast itself is computed by the flow
and shipped as the ``forecast`` artifact, so serving needs pandas and mlflow only. With a
hierarchy (ADR 0024) the ``levels`` artifact adds the reconciled totals (``municipality:<name>``,
``region:<name>``, ``total``), which add up exactly to the teams served.
"""

from __future__ import annotations

from typing import Any

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel, PythonModelContext

COLUMNS = ["series_id", "date", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]


class ForecastModel(PythonModel):
    def load_context(self, context: PythonModelContext) -> None:
        self.forecast = pd.read_csv(context.artifacts["forecast"], dtype={"series_id": str})
        if "levels" in context.artifacts:
            levels = pd.read_csv(context.artifacts["levels"], dtype={"series_id": str})
            totals = levels[~levels["series_id"].isin(set(self.forecast["series_id"]))]
            self.forecast = pd.concat([self.forecast, totals[COLUMNS]], ignore_index=True)

    def predict(
        self, context: PythonModelContext, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        wanted = pd.DataFrame(model_input)["series_id"].astype(str).unique()
        rows = self.forecast[self.forecast["series_id"].isin(wanted)]
        return rows[COLUMNS].reset_index(drop=True)


mlflow.models.set_model(ForecastModel())
