"""The served forecast: an MLflow pyfunc (logged as code) that returns a team's stored forecast.

Input: a frame with a ``series_id`` column. Output: the forecast rows of those series,
``series_id,date,mean,lo_80,hi_80,lo_95,hi_95``. The forecast itself is computed by the flow
and shipped as the ``forecast`` artifact, so serving needs pandas and mlflow only.
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

    def predict(
        self, context: PythonModelContext, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        wanted = pd.DataFrame(model_input)["series_id"].astype(str).unique()
        rows = self.forecast[self.forecast["series_id"].isin(wanted)]
        return rows[COLUMNS].reset_index(drop=True)


mlflow.models.set_model(ForecastModel())
