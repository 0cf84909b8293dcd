"""MLflow pyfunc wrapper of a triage model, logged as code (models-from-code: nothing pickled).

It loads ``model.skops`` with the trusted-types list of :func:`models.triage.load_model` and
returns one probability column per class plus ``suggestion`` (the most likely class).
"""

from __future__ import annotations

from typing import Any

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel


class TriagePyfunc(PythonModel):
    def load_context(self, context: Any) -> None:
        from models.triage import load_model

        self.model = load_model(context.artifacts["model"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        proba = self.model.predict_proba(model_input)
        out = pd.DataFrame(proba, columns=[f"p_{c}" for c in self.model.classes_])
        out["suggestion"] = [str(c) for c in self.model.classes_[proba.argmax(axis=1)]]
        return out


mlflow.models.set_model(TriagePyfunc())
