"""Why the triage model trailed a plain LogisticRegression: each candidate cause measured alone.

    python benchmarks/triage_causes.py [--sets 8000:2:1,10000:2:2,12000:2:3,10000:2:4,15000:2:5,30000:3:11]

Rebuilds the glass-box configuration that shipped before issue 20 from its parts (25 % of the
training rows held out for calibration, cubic splines on numbers, ``C=1``) and changes one part at
a time, next to the glass-box model the product fits now, on the product's chronological split
and features (``flows.triage_steps``), for
``integrated_approach`` and the hours-repaired ``effort_class`` of each simulated municipality.
Prints per variant the mean, worst and best ROC AUC difference to the plain LogisticRegression
(``models.plain_peers``), how many sets fall more than 0.005 below it, and the mean Brier
difference. docs/triage.md quotes its output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from flows import triage_steps as steps  # noqa: E402
from models.plain_peers import measure, plain_peer  # noqa: E402
from models.triage import TriageClassifier, encoder, prepare_frame  # noqa: E402
from werkwijzer.contracts import read_cases, read_norms, read_registry  # noqa: E402
from werkwijzer.settings import get_settings  # noqa: E402
from werkwijzer.simulation import simulate_municipality  # noqa: E402

SIM_END = pd.Timestamp("2026-11-22").date()
DEFAULT_SETS = "8000:2:1,10000:2:2,12000:2:3,10000:2:4,15000:2:5,30000:3:11"
# variant -> (numeric form, logistic regression, calibration: "holdout" 25 % or "cv" 5-fold cross-fitted
# [, pipeline parameters]); the encoding is the glass-box one (one-hot categories with min_frequency=5)
VARIANTS: dict[str, tuple[Any, ...]] = {
    "before issue 20: splines, C=1, 25 % hold-out": ("spline", LogisticRegression(max_iter=200), "holdout"),
    "splines, C=1, cross-fitted calibration": ("spline", LogisticRegression(max_iter=200), "cv"),
    "splines, C=0.1, cross-fitted": ("spline", LogisticRegression(C=0.1, max_iter=200), "cv"),
    "splines, C=10, cross-fitted": ("spline", LogisticRegression(C=10, max_iter=200), "cv"),
    "splines, C by 5-fold CV (log loss), cross-fitted": (
        "spline",
        LogisticRegressionCV(
            Cs=10, cv=5, scoring="neg_log_loss", max_iter=500, l1_ratios=(0.0,), use_legacy_attributes=False
        ),
        "cv",
    ),
    "splines, C=1, class_weight=balanced, cross-fitted": (
        "spline",
        LogisticRegression(class_weight="balanced", max_iter=200),
        "cv",
    ),
    "linear numbers, C=1, 25 % hold-out": ("linear", LogisticRegression(max_iter=200), "holdout"),
    "linear numbers, C=1, cross-fitted": ("linear", LogisticRegression(max_iter=200), "cv"),
    "linear numbers, C=1, cross-fitted, every category its own column": (
        "linear",
        LogisticRegression(max_iter=200),
        "cv",
        {"encode__cat__min_frequency": None},
    ),
}
# The product after issue 20 (models.triage.TriageClassifier, glass-box only), and with splines allowed.
PRODUCT_VARIANTS: dict[str, dict[str, Any]] = {
    "after issue 20: linear numbers, C in (0.01, 0.1, 1) by out-of-fold log loss, cross-fitted": {
        "include_previous": False
    },
    "same, splines allowed as candidates too": {"numeric_forms": ("linear", "spline")},
    "ADR 0016 candidates (linear at 0.01, 0.1, 1 and splines at C=1), without the gates": {},
}


def fit_variant(parts: tuple[Any, ...], kinds: dict[str, str], X: pd.DataFrame, y: np.ndarray, seed: int) -> Any:
    form, estimator, calibration, *options = parts
    pipe = Pipeline([("encode", encoder(kinds, form, 4)), ("model", clone(estimator))])
    pipe.set_params(**(options[0] if options else {}))
    method = "sigmoid" if len(np.unique(y)) == 2 else "temperature"
    if calibration == "holdout":
        fit_X, val_X, fit_y, val_y = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
        return CalibratedClassifierCV(FrozenEstimator(pipe.fit(fit_X, fit_y)), method=method).fit(val_X, val_y)
    return CalibratedClassifierCV(pipe, method=method, cv=5, ensemble=False).fit(X, y)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=DEFAULT_SETS, help="inhabitants:years:seed, comma-separated")
    args = parser.parse_args(argv)
    settings = get_settings()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for item in args.sets.split(","):
            inhabitants, years, seed = (int(x) for x in item.split(":"))
            folder = Path(tmp) / item.replace(":", "-")
            simulate_municipality(folder, inhabitants=inhabitants, years=years, seed=seed, end=SIM_END)
            registry = read_registry(folder / "feature_registry.yaml")
            cases = read_cases(folder / "cases.csv", registry)
            for target, repair in (("integrated_approach", None), ("effort_class", "hours")):
                prep = steps.prepare(
                    cases,
                    registry,
                    target,
                    settings,
                    label_repair=repair,
                    norms=read_norms(folder / "norms.csv") if repair else None,
                )
                train_idx, test_idx = steps.split(prep)
                names = [f["name"] for f in prep.features]
                kinds = {f["name"]: f["kind"] for f in prep.features}
                X_train = prepare_frame(prep.cases.loc[train_idx, names], kinds)
                X_test = prepare_frame(prep.cases.loc[test_idx, names], kinds)
                y_train, y_test = prep.y[train_idx].to_numpy(), prep.y[test_idx].to_numpy()
                plain = plain_peer("logistic_regression", kinds).fit(X_train, y_train)
                base = measure(y_test, plain.predict_proba(X_test), plain.classes_, prep.positive)
                fitted = {
                    name: fit_variant(parts, kinds, X_train, y_train, settings.seed) for name, parts in VARIANTS.items()
                }
                fitted.update(
                    {
                        name: TriageClassifier(
                            feature_kinds=kinds, model_type="glassbox", random_state=settings.seed, **params
                        ).fit(X_train, y_train)
                        for name, params in PRODUCT_VARIANTS.items()
                    }
                )
                for name, model in fitted.items():
                    scores = measure(y_test, model.predict_proba(X_test), model.classes_, prep.positive)
                    rows.append(
                        {
                            "set": f"{item} {target}",
                            "variant": name,
                            "auc_gap": scores["roc_auc"] - base["roc_auc"],
                            "brier_diff": scores["brier"] - base["brier"],
                        }
                    )
            print(f"{item} done", file=sys.stderr, flush=True)
    frame = pd.DataFrame(rows)
    summary = frame.groupby("variant", sort=False).agg(
        mean=("auc_gap", "mean"),
        worst=("auc_gap", "min"),
        best=("auc_gap", "max"),
        below_floor=("auc_gap", lambda g: int((g < -0.005).sum())),
        brier=("brier_diff", "mean"),
    )
    print(f"ROC AUC minus plain LogisticRegression's, over {frame['set'].nunique()} sets")
    print("| variant | mean | worst | best | sets > 0.005 below | mean Brier diff |\n|---|---|---|---|---|---|")
    for name, r in summary.iterrows():
        print(
            f"| {name} | {r['mean']:+.4f} | {r['worst']:+.4f} | {r['best']:+.4f} | {int(r['below_floor'])} | "
            f"{r['brier']:+.4f} |"
        )


if __name__ == "__main__":
    main()
