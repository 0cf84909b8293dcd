"""SHAP contributions per case and overall, folded back onto the registry's named features.

The explainer is built once per model (LinearExplainer for the glass-box model, TreeExplainer
for boosting; never pickled) on the model's encoded input, in the model's raw output space
(log-odds). One-hot and spline columns are summed back to the feature they came from, which
keeps additivity: ``base value + sum of contributions == model.raw_output``
(:meth:`CaseExplainer.additivity_error` checks it; the flow gates on it).

For two classes SHAP explains the log-odds of the second class; the first class's contributions
are the same numbers with the opposite sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from models.triage import RecordScorer, TriageClassifier


@dataclass(frozen=True)
class Reason:
    feature: str
    label_nl: str
    label_en: str
    value: object
    direction: Literal["up", "down"]  # pushes the suggested class's probability up or down
    contribution: float  # SHAP value in the model's raw output space


def _likely_values(schema: dict[str, Any], max_span: int = 2000) -> dict[str, list[Any]]:
    """Values a case will often have, as the API sends them: categories, true/false, whole numbers in range."""
    out: dict[str, list[Any]] = {}
    for spec in schema.get("features", []):
        kind, name = spec.get("kind"), spec["name"]
        if kind == "boolean":
            out[name] = [True, False]
        elif kind == "numeric" and spec.get("min") is not None and spec.get("max") is not None:
            low, high = int(np.ceil(spec["min"])), int(np.floor(spec["max"]))
            if 0 <= high - low <= max_span:
                out[name] = [float(v) for v in range(low, high + 1)]
        elif spec.get("categories"):
            out[name] = list(spec["categories"])
    return out


class CaseExplainer:
    """SHAP explanations for one fitted :class:`TriageClassifier`."""

    def __init__(self, model: TriageClassifier, background: pd.DataFrame, schema: dict[str, Any]) -> None:
        import shap

        self.model = model
        self.schema = schema
        self.features = list(model.feature_names_in_)
        self.labels = {
            f["name"]: (f.get("label_nl") or f["name"], f.get("label_en") or f["name"])
            for f in schema.get("features", [])
        }
        encoded_bg = model.encode(background[self.features])
        estimator = model.final_estimator_
        self._tree = model.model_type_ != "glassbox"
        if model.model_type_ == "glassbox":
            self.explainer = shap.LinearExplainer(
                estimator, shap.maskers.Independent(encoded_bg, max_samples=len(encoded_bg))
            )
        else:
            self.explainer = shap.TreeExplainer(
                estimator, data=encoded_bg, feature_perturbation="interventional", model_output="raw"
            )
        sources = model.encoded_source_
        self._fold = np.stack([(sources == f).astype(float) for f in self.features], axis=1)
        self.scorer = RecordScorer(model)
        self.scorer.warm(background[self.features].iloc[0].to_dict(), _likely_values(schema))

    def _folded(self, contrib: np.ndarray) -> np.ndarray:
        if contrib.ndim == 2:
            contrib = contrib[:, :, None]
        return np.einsum("nek,ef->nfk", contrib, self._fold)

    def explain(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Base values (n, k) and per-feature contributions (n, n_features, k) in raw space.

        k is 1 for two classes (the second class's log-odds), else the number of classes.
        """
        encoded = self.model.encode(X[self.features])
        values = self.explainer(encoded)
        contrib = np.asarray(values.values, dtype=float)
        base = np.asarray(values.base_values, dtype=float)
        if base.ndim == 1:
            base = base[:, None]
        elif base.ndim == 0:
            base = np.full((len(encoded), 1), float(base))
        return base, self._folded(contrib)

    def additivity_error(self, X: pd.DataFrame) -> float:
        """Largest |base + sum(contributions) - raw output| over the rows of ``X``."""
        base, contrib = self.explain(X)
        raw = self.model.raw_output(X[self.features])
        if raw.ndim == 1:
            raw = raw[:, None]
        return float(np.max(np.abs(base + contrib.sum(axis=1) - raw)))

    def importance(self, X: pd.DataFrame) -> pd.DataFrame:
        """Global importance: mean |contribution| per feature (averaged over classes)."""
        _, contrib = self.explain(X)
        mean_abs = np.abs(contrib).mean(axis=(0, 2))
        table = pd.DataFrame(
            {
                "feature": self.features,
                "label_nl": [self.labels.get(f, (f, f))[0] for f in self.features],
                "label_en": [self.labels.get(f, (f, f))[1] for f in self.features],
                "mean_abs_shap": mean_abs,
            }
        )
        return table.sort_values("mean_abs_shap", ascending=False).reset_index(drop=True)

    def reasons(self, row: pd.DataFrame, top: int = 5) -> list[Reason]:
        """The ``top`` features that moved the suggested (most likely) class most, for one case."""
        return self.reasons_many(row.iloc[[0]], top)[0]

    def reasons_many(self, rows: pd.DataFrame, top: int = 5, proba: np.ndarray | None = None) -> list[list[Reason]]:
        """:meth:`reasons` for every row in one explainer call (rows are explained independently).

        ``proba`` is the model's ``predict_proba`` of ``rows`` when the caller has it already, so
        the model is not run twice; the suggested class of each row is its most likely class.
        """
        if proba is None:
            proba = self.model.predict_proba(rows[self.features])
        _, contrib = self.explain(rows)
        return self._reasons(contrib, proba, top, lambda n, name: rows[name].iloc[n])

    def proba_records(self, records: list[dict[str, Any]]) -> np.ndarray:
        """The model's ``predict_proba`` for plain records (dicts by feature name), without pandas."""
        return self.scorer.predict_proba_records(records)

    def score_records(self, records: list[dict[str, Any]], top: int = 5) -> tuple[np.ndarray, list[list[Reason]]]:
        """Probabilities and :meth:`reasons` for plain records: one encoding, one SHAP call for all rows.

        Equal to ``predict_proba`` and :meth:`reasons_many` on the same rows as a frame; the API's
        scoring path (no pandas frame per request, no input checks per call).
        """
        encoded = self.scorer.encode(records)
        proba = self.scorer.predict_proba(encoded)
        options = {"check_additivity": False} if self._tree else {}  # the flow gates on additivity
        contrib = self._folded(np.asarray(self.explainer.shap_values(encoded, **options), dtype=float))
        return proba, self._reasons(contrib, proba, top, lambda n, name: records[n].get(name))

    def _reasons(self, contrib: np.ndarray, proba: np.ndarray, top: int, value_of: Any) -> list[list[Reason]]:
        out = []
        for n in range(len(proba)):
            k = int(np.argmax(proba[n]))
            # two classes: SHAP explains class 1; class 0's contributions are the same, negated
            values = contrib[n, :, 0] * (1.0 if k == 1 else -1.0) if contrib.shape[2] == 1 else contrib[n, :, k]
            order = np.argsort(-np.abs(values))[:top]
            found = []
            for i in order:
                if values[i] == 0:
                    continue
                name = self.features[i]
                label_nl, label_en = self.labels.get(name, (name, name))
                raw = value_of(n, name)
                value = raw.item() if hasattr(raw, "item") else raw
                found.append(
                    Reason(
                        name,
                        label_nl,
                        label_en,
                        None if pd.isna(value) else value,
                        "up" if values[i] > 0 else "down",
                        float(values[i]),
                    )
                )
            out.append(found)
        return out
