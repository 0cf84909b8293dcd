"""How good a triage model is, against the honest baseline of knowing only the class shares.

ROC AUC and PR AUC (average precision) are one-vs-rest macro averages for more than two classes;
Brier is the multi-class Brier score (mean squared distance between the probability vector and
the one-hot truth). The prior-only baseline predicts every case with the training class shares:
its ROC AUC is 0.5, its PR AUC the prevalence, and its Brier what the model must beat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    log_loss,
    roc_auc_score,
)


def _onehot(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return (np.asarray(y, dtype=object)[:, None] == np.asarray(classes, dtype=object)[None, :]).astype(float)


def score_probabilities(
    y: Any, proba: np.ndarray, classes: np.ndarray, positive: object | None = None
) -> dict[str, float]:
    """ROC AUC, PR AUC, Brier and log loss of ``proba`` (columns in ``classes`` order)."""
    y = np.asarray(y, dtype=object)
    truth = _onehot(y, classes)
    proba = np.clip(np.asarray(proba, dtype=float), 1e-12, 1.0)
    if len(classes) == 2:
        pos = 1 if positive is None else int(np.flatnonzero(classes == positive)[0])
        is_pos = truth[:, pos]
        roc = roc_auc_score(is_pos, proba[:, pos]) if 0 < is_pos.sum() < len(is_pos) else float("nan")
        pr = average_precision_score(is_pos, proba[:, pos]) if is_pos.sum() else float("nan")
        brier = float(np.mean((proba[:, pos] - is_pos) ** 2))
    else:
        present = truth.sum(0) > 0
        rocs = [
            roc_auc_score(truth[:, k], proba[:, k])
            for k in range(len(classes))
            if present[k] and truth[:, k].sum() < len(y)
        ]
        roc = float(np.mean(rocs)) if rocs else float("nan")
        prs = [average_precision_score(truth[:, k], proba[:, k]) for k in range(len(classes)) if present[k]]
        pr = float(np.mean(prs)) if prs else float("nan")
        brier = float(np.mean(np.sum((proba - truth) ** 2, axis=1)))
    return {
        "roc_auc": float(roc),
        "pr_auc": float(pr),
        "brier": brier,
        "log_loss": float(log_loss(truth, proba / proba.sum(1, keepdims=True))),
    }


def evaluate(
    y_true: Any, proba: np.ndarray, classes: np.ndarray, prior: np.ndarray, positive: object | None = None
) -> dict[str, float]:
    """Model metrics and the prior-only baseline's (``baseline_*``), plus accuracy measures."""
    y = np.asarray(y_true, dtype=object)
    metrics = score_probabilities(y, proba, classes, positive)
    baseline = score_probabilities(y, np.tile(prior, (len(y), 1)), classes, positive)
    predicted = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    metrics["accuracy"] = float(accuracy_score(y, predicted))
    metrics["balanced_accuracy"] = float(balanced_accuracy_score(y, predicted))
    metrics.update({f"baseline_{k}": v for k, v in baseline.items()})
    return metrics


def class_prior(y: Any, classes: np.ndarray) -> np.ndarray:
    """Training class shares in ``classes`` order (the prior-only model)."""
    return _onehot(np.asarray(y, dtype=object), classes).mean(axis=0)


def calibration_table(y_true: Any, proba: np.ndarray, classes: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per class (one vs rest) and probability bin: n, mean predicted probability, observed share."""
    truth = _onehot(np.asarray(y_true, dtype=object), classes)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    shown = classes[1:] if len(classes) == 2 else classes
    for cls in shown:
        k = int(np.flatnonzero(classes == cls)[0])
        which = np.clip(np.digitize(proba[:, k], edges[1:-1]), 0, bins - 1)
        for b in range(bins):
            mask = which == b
            if not mask.any():
                continue
            rows.append(
                {
                    "class": str(cls),
                    "bin_low": edges[b],
                    "bin_high": edges[b + 1],
                    "n": int(mask.sum()),
                    "mean_predicted": float(proba[mask, k].mean()),
                    "observed": float(truth[mask, k].mean()),
                }
            )
    return pd.DataFrame(rows, columns=["class", "bin_low", "bin_high", "n", "mean_predicted", "observed"])


def expected_calibration_error(table: pd.DataFrame) -> float:
    """Weighted mean |predicted - observed| over the calibration table's bins and classes."""
    if table.empty:
        return float("nan")
    weights = table["n"] / table.groupby("class")["n"].transform("sum")
    gap = (table["mean_predicted"] - table["observed"]).abs() * weights
    return float(gap.groupby(table["class"]).sum().mean())
