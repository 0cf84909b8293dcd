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

from models.triage import prepare_frame
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


def peer_scores(X_train: pd.DataFrame, y_train: Any, X_test: pd.DataFrame, y_test: Any,
                kinds: dict[str, str], positive: object | None,
                random_state: int = 0) -> dict[str, dict[str, float]]:
    """Fit every plain peer on the training rows and :func:`measure` it on the test rows."""
    train, test = prepare_frame(X_train, kinds), prepare_frame(X_test, kinds)
    out = {}
    for name in PEERS:
        pipe = plain_peer(name, kinds, random_state).fit(train, np.asarray(y_train, dtype=object))
        out[name] = measure(np.asarray(y_test, dtype=object), pipe.predict_proba(test), pipe.classes_, positive)
    return out


def gap_to_best_peer(chosen: dict[str, float], peers: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The chosen model against the best plain peer by ROC AUC: the AUC gap (negative: the peer is
    better) and the Brier and ECE differences (positive: the chosen model is worse calibrated)."""
    best = max(peers, key=lambda n: peers[n]["roc_auc"])
    return {"best_peer": best, "roc_auc_gap": chosen["roc_auc"] - peers[best]["roc_auc"],
            "brier_excess": chosen["brier"] - peers[best]["brier"],
            "ece_excess": chosen["ece"] - peers[best]["ece"]}
