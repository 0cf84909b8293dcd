"""The simplest alternatives a triage model must not lose to: scikit-learn with its defaults.

A model owner should see what a plain ``LogisticRegression`` (standardised numbers, one-hot
categories) and a plain ``HistGradientBoostingClassifier`` (numbers as they are, one-hot
categories) score on exactly the split the product uses. Both get the same features and the same
preparation of values (:func:`models.triage.prepare_frame`), nothing else: no tuning, no
calibration. The training flow logs their scores with every run (``peer.<name>.<metric>``) and
``benchmarks/triage_quality.py`` puts them next to Werkwijzer's candidates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from models.triage import prepare_frame, single_threaded
from models.triage_metrics import calibration_table, expected_calibration_error, score_probabilities

PEERS = ("logistic_regression", "hist_gradient_boosting")
# What a comparison reports per model, and what the floor compares.
MEASURES = ("roc_auc", "pr_auc", "brier", "ece")


def plain_peer(name: str, kinds: dict[str, str], random_state: int = 0) -> Pipeline:
    """The untuned scikit-learn pipeline called ``name`` (one of :data:`PEERS`)."""
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    categorical = [c for c, k in kinds.items() if k != "numeric"]
    onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    if name == "logistic_regression":
        num: Any = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
        model: Any = LogisticRegression()
    elif name == "hist_gradient_boosting":
        num, model = "passthrough", HistGradientBoostingClassifier(random_state=random_state)
    else:
        raise ValueError(f"unknown plain peer {name!r}; choose from {PEERS}")
    encode = ColumnTransformer([("num", num, numeric), ("cat", onehot, categorical)], sparse_threshold=0.0)
    return Pipeline([("encode", encode), ("model", model)])


def measure(y: Any, proba: np.ndarray, classes: np.ndarray, positive: object | None) -> dict[str, float]:
    """ROC AUC, PR AUC, Brier and expected calibration error (ECE) of ``proba`` on ``y``."""
    scores = score_probabilities(y, proba, classes, positive)
    ece = expected_calibration_error(calibration_table(y, proba, classes))
    return {"roc_auc": scores["roc_auc"], "pr_auc": scores["pr_auc"], "brier": scores["brier"], "ece": ece}


def peer_scores(
    X_train: pd.DataFrame,
    y_train: Any,
    X_test: pd.DataFrame,
    y_test: Any,
    kinds: dict[str, str],
    positive: object | None,
    random_state: int = 0,
) -> dict[str, dict[str, float]]:
    """Fit every plain peer on the training rows and :func:`measure` it on the test rows."""
    y_test = np.asarray(y_test, dtype=object)
    return {
        name: measure(y_test, proba, classes, positive)
        for name, (proba, classes) in peer_predictions(X_train, y_train, X_test, kinds, random_state).items()
    }


def peer_predictions(
    X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, kinds: dict[str, str], random_state: int = 0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every plain peer fitted on the training rows: its probabilities for the test rows and its classes."""
    train, test = prepare_frame(X_train, kinds), prepare_frame(X_test, kinds)
    out = {}
    for name in PEERS:
        with single_threaded():  # as the product's candidates (models.triage.single_threaded)
            pipe = plain_peer(name, kinds, random_state).fit(train, np.asarray(y_train, dtype=object))
        out[name] = (pipe.predict_proba(test), pipe.classes_)
    return out


def gap_to_best_peer(chosen: dict[str, float], peers: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The chosen model against the best plain peer by ROC AUC: the AUC gap (negative: the peer is
    better) and the Brier and ECE differences (positive: the chosen model is worse calibrated)."""
    best = max(peers, key=lambda n: peers[n]["roc_auc"])
    return {
        "best_peer": best,
        "roc_auc_gap": chosen["roc_auc"] - peers[best]["roc_auc"],
        "brier_excess": chosen["brier"] - peers[best]["brier"],
        "ece_excess": chosen["ece"] - peers[best]["ece"],
    }


def _per_case_brier(truth: np.ndarray, proba: np.ndarray, positive_column: int | None) -> np.ndarray:
    if positive_column is not None:  # two classes: the positive class's squared error (score_probabilities)
        return (proba[:, positive_column] - truth[:, positive_column]) ** 2
    return np.sum((proba - truth) ** 2, axis=1)


def _ece_many(truth: np.ndarray, proba: np.ndarray, samples: np.ndarray, shown: list[int], bins: int) -> np.ndarray:
    """:func:`models.triage_metrics.expected_calibration_error` of every resample (rows of ``samples``)."""
    out = np.zeros(len(samples))
    for k in shown:
        which = np.clip(np.digitize(proba[:, k], np.linspace(0.0, 1.0, bins + 1)[1:-1]), 0, bins - 1)
        for i, rows in enumerate(samples):
            b = which[rows]
            n = np.bincount(b, minlength=bins)
            predicted = np.bincount(b, weights=proba[rows, k], minlength=bins)
            observed = np.bincount(b, weights=truth[rows, k], minlength=bins)
            out[i] += np.abs(predicted - observed).sum() / n.sum()  # sum_b n_b/N * |mean_pred - mean_obs|
    return out / len(shown)


def calibration_difference(
    y: Any,
    proba: np.ndarray,
    other: np.ndarray,
    classes: np.ndarray,
    positive: object | None,
    n_boot: int = 1000,
    seed: int = 0,
    bins: int = 10,
) -> dict[str, float]:
    """Brier and ECE of ``proba`` minus those of ``other`` on the same cases, each with the 2.5 and
    97.5 percentiles of the difference over ``n_boot`` paired bootstrap resamples of the cases
    (the same resampled cases for both models): how much of a difference sampling alone makes."""
    classes = np.asarray(classes, dtype=object)
    truth = (np.asarray(y, dtype=object)[:, None] == classes[None, :]).astype(float)
    proba, other = np.asarray(proba, dtype=float), np.asarray(other, dtype=float)
    positive_column = None
    if len(classes) == 2:
        positive_column = 1 if positive is None else int(np.flatnonzero(classes == positive)[0])
    shown = [1] if len(classes) == 2 else list(range(len(classes)))  # calibration_table's classes
    rng = np.random.default_rng(seed)
    samples = np.vstack([np.arange(len(truth)), rng.integers(0, len(truth), size=(n_boot, len(truth)))])
    brier = _per_case_brier(truth, proba, positive_column) - _per_case_brier(truth, other, positive_column)
    brier_boot = brier[samples].mean(axis=1)
    ece_boot = _ece_many(truth, proba, samples, shown, bins) - _ece_many(truth, other, samples, shown, bins)
    out = {}
    for name, values in (("brier", brier_boot), ("ece", ece_boot)):
        low, high = np.percentile(values[1:], [2.5, 97.5])
        out.update({f"{name}_difference": float(values[0]), f"{name}_low": float(low), f"{name}_high": float(high)})
    return out
