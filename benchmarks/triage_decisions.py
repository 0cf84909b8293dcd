"""Why the glass-box effort decisions fail the fairness gate on one set, and which changes would help.

    python benchmarks/triage_decisions.py [--sets 12000:2:3] [--historical]

On each simulated municipality's ``effort_class`` with the hours-repaired label (with
``--historical`` the recorded label too), on the product's chronological split and features
(``benchmarks/triage_quality.py``), it fits glass-box variants that issue 20 lists as candidates
to test and puts every one through the product's fairness gate on the test cases (no
justification) under three decision rules that never use a protected characteristic:

- ``argmax``: the most probable class (the product's rule);
- ``median``: the class with the least expected distance on the ordered scale eenvoudig <
  gemiddeld < complex (the expected-cost rule for a cost that grows with the distance);
- ``shares``: cut-offs on the expected class that give each class as often as it occurs in the
  training cases (prior-matched ordinal cut-offs, fixed on the training cases' out-of-fold scores).

Variants: the product's glass-box candidates (standardised numbers at ``C`` 0.01, 0.1, 1;
splines at ``C=1``), the first three with ``class_weight="balanced"``, a proportional-odds
(ordinal logit) model on the same encoding, and, as a diagnosis only, standardised numbers at
``C=0.1`` with ``team`` and ``requested_provision``, which the proxy scan leaves out as age
proxies. Per variant and rule: test ROC AUC and Brier (rules do not change them), the gate's
verdict, and the largest difference of a priority rate (FPR, FNR, FDR) between a group and its
reference among the cells the gate can assess, and the rates of the cell of the first refusal
(the group and its reference) in every variant, on the test cases and on the training cases'
out-of-fold predictions (the same rule; the cut-offs of ``shares`` fixed on those), so a rule
that passes by raising the reference group's error rate, not by lowering the group's, shows as
such. Beside them the plain ``LogisticRegression``'s ROC AUC.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import triage_quality as tq  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: E402
from statsmodels.miscmodels.ordinal_model import OrderedModel  # noqa: E402

from explain.fairness import DENOMINATOR, PRIORITY, audit, fairness_gate, gate_terms  # noqa: E402
from flows import triage_steps as steps  # noqa: E402
from models.plain_peers import measure, peer_predictions  # noqa: E402
from models.triage import TriageClassifier, _kinds, prepare_frame, single_threaded  # noqa: E402
from werkwijzer.settings import Settings, get_settings  # noqa: E402
from werkwijzer.teams import EFFORT_CLASSES  # noqa: E402

RULES = ("argmax", "median", "shares")
PROXIES = ("team", "requested_provision")


def decide(proba: np.ndarray, classes: np.ndarray, rule: str, train_proba: np.ndarray, y_train: Any) -> np.ndarray:
    """The advised class of every row under ``rule`` (columns of ``proba`` in ``classes`` order)."""
    order = [int(np.flatnonzero(classes == c)[0]) for c in EFFORT_CLASSES]
    ordered = proba[:, order]
    if rule == "argmax":
        k = ordered.argmax(axis=1)
    elif rule == "median":
        k = (ordered.cumsum(axis=1) >= 0.5).argmax(axis=1)
    else:
        shares = np.asarray([np.mean(np.asarray(y_train) == c) for c in EFFORT_CLASSES])
        cuts = np.quantile(train_proba[:, order] @ np.arange(3), np.cumsum(shares)[:2])
        k = np.digitize(ordered @ np.arange(3), cuts)
    return np.asarray(EFFORT_CLASSES, dtype=object)[k]


def widest_gap(table: pd.DataFrame, min_cell: int) -> dict[str, Any]:
    """The largest |rate of a group − rate of its reference| over the priority metrics, among the
    cells whose denominators reach ``min_cell`` in both (the cells the gate assesses)."""
    best: dict[str, Any] = {"difference": 0.0}
    for _, row in table.iterrows():
        if row["group"] == row["reference"]:
            continue
        same = (table["attribute"] == row["attribute"]) & (table["class"] == row["class"])
        ref = table[same & (table["group"] == row["reference"])].iloc[0]
        for metric in PRIORITY:
            counts = [sum(r[d] for d in DENOMINATOR[metric]) for r in (row, ref)]
            difference = float(row[metric] - ref[metric])
            if min(counts) >= min_cell and abs(difference) > abs(best["difference"]):
                best = {
                    "difference": difference,
                    "cell": f"{metric} {row['class']} {row['attribute']}={row['group']} vs {row['reference']}",
                    "value": float(row[metric]),
                    "reference_value": float(ref[metric]),
                }
    return best


class OrdinalLogit:
    """A proportional-odds model (statsmodels' ``OrderedModel``) on an encoded matrix, with the
    ``fit``/``predict_proba`` of a classifier; columns of ``predict_proba`` in ``classes_`` order."""

    def __init__(self, encode: Any) -> None:
        self.encode = encode

    def fit(self, X: pd.DataFrame, y: Any) -> OrdinalLogit:
        self.encode_ = clone(self.encode).fit(X)
        matrix = self._matrix(X, fit=True)
        labels = pd.Series(pd.Categorical(np.asarray(y, dtype=object), categories=EFFORT_CLASSES, ordered=True))
        self.result_ = OrderedModel(labels, matrix, distr="logit").fit(method="bfgs", disp=False, maxiter=1000)
        self.classes_ = np.unique(np.asarray(y, dtype=object))
        return self

    def _matrix(self, X: pd.DataFrame, fit: bool = False) -> np.ndarray:
        matrix = np.asarray(self.encode_.transform(X), dtype=float)
        if fit:  # one-hot blocks sum to one, as the thresholds do: keep linearly independent columns only
            self.keep_ = _independent_columns(matrix)
        return matrix[:, self.keep_]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        proba = np.asarray(self.result_.predict(self._matrix(X)))
        return proba[:, [EFFORT_CLASSES.index(c) for c in self.classes_]]


def _independent_columns(matrix: np.ndarray) -> np.ndarray:
    """Indices of columns that, with a constant, are linearly independent (greedy, left to right)."""
    kept: list[int] = []
    for j in range(matrix.shape[1]):
        trial = np.column_stack([np.ones(len(matrix)), matrix[:, [*kept, j]]])
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            kept.append(j)
    return np.asarray(kept, dtype=int)


def variants(split: tq.SplitSet) -> dict[str, tuple[Any, list[str], dict[str, str]]]:
    """Every variant: (unfitted estimator, its input columns, their kinds)."""
    model = TriageClassifier(feature_kinds=split.kinds, model_type="glassbox")
    model.feature_kinds_ = _kinds(split.X_train, split.kinds)
    kinds = model.feature_kinds_
    candidates = model._candidates()
    out: dict[str, tuple[Any, list[str], dict[str, str]]] = {n: (p, list(kinds), kinds) for n, p in candidates.items()}
    for name in [n for n in candidates if ":linear:" in n]:
        out[f"{name}, balanced"] = (
            clone(candidates[name]).set_params(model__class_weight="balanced"),
            list(kinds),
            kinds,
        )
    out["ordinal logit (linear)"] = (OrdinalLogit(candidates["glassbox:linear:C=0.1"][0]), list(kinds), kinds)
    wider = {**kinds, **{p: "categorical" for p in PROXIES if p in split.prep.cases.columns}}
    wide = TriageClassifier(feature_kinds=wider, model_type="glassbox", Cs=(0.1,), include_previous=False)
    wide.feature_kinds_ = wider
    out["diagnosis: linear C=0.1 with team and provision"] = (
        wide._candidates()["glassbox:linear:C=0.1"],
        list(wider),
        wider,
    )
    return out


def measure_set(case_set: tq.CaseSet, settings: Settings) -> list[dict[str, Any]]:
    split = tq.split_set(case_set, settings)
    prep, train_idx, test_idx = split.prep, split.train_idx, split.test_idx
    classes = np.unique(split.y_train)
    groups = steps.protected_groups(prep, test_idx)
    train_groups = steps.protected_groups(prep, train_idx)
    plain = peer_predictions(split.X_train, split.y_train, split.X_test, split.kinds, settings.seed)
    plain_auc = measure(split.y_test, plain["logistic_regression"][0], classes, None)["roc_auc"]
    rows: list[dict[str, Any]] = []
    focus: dict[str, Any] | None = None
    for name, (estimator, columns, kinds) in variants(split).items():
        train = prepare_frame(prep.cases.loc[train_idx, columns], kinds)
        test = prepare_frame(prep.cases.loc[test_idx, columns], kinds)
        folds = StratifiedKFold(n_splits=5)
        if isinstance(estimator, OrdinalLogit):
            proba = estimator.fit(train, split.y_train).predict_proba(test)
            out_of_fold = np.zeros((len(train), len(classes)))
            for fit_rows, score_rows in folds.split(train, split.y_train):
                fold = OrdinalLogit(estimator.encode).fit(train.iloc[fit_rows], split.y_train[fit_rows])
                out_of_fold[score_rows] = fold.predict_proba(train.iloc[score_rows])
        else:
            calibrated = CalibratedClassifierCV(estimator, method="temperature", cv=5, ensemble=False)
            proba = calibrated.fit(train, split.y_train).predict_proba(test)
            out_of_fold = cross_val_predict(estimator, train, split.y_train, cv=folds, method="predict_proba")
        scores = measure(split.y_test, proba, classes, None)
        for rule in RULES:
            advised = decide(proba, classes, rule, out_of_fold, split.y_train)
            table = audit(split.y_test, advised, groups, classes=[str(c) for c in classes])
            gate = fairness_gate(table, **gate_terms(settings))
            gap = widest_gap(table, settings.fairness_min_cell)
            own = decide(out_of_fold, classes, rule, out_of_fold, split.y_train)
            train_table = audit(split.y_train, own, train_groups, classes=[str(c) for c in classes])
            if focus is None and gate.violations:
                focus = gate.violations[0]
            rows.append(
                {
                    "set": case_set.name,
                    "variant": name,
                    "rule": rule,
                    "roc_auc": scores["roc_auc"],
                    "auc_minus_plain_lr": scores["roc_auc"] - plain_auc,
                    "brier": scores["brier"],
                    "gate": gate.passed,
                    "accuracy": float(np.mean(advised == split.y_test)),
                    "table": table,
                    "train_table": train_table,
                    **{f"widest_{k}": v for k, v in gap.items()},
                }
            )
        print(f"{case_set.name}: {name}", file=sys.stderr, flush=True)
    for row in rows:  # the cell of the first refusal, in every variant: did a change close it or move it?
        table, train_table = row.pop("table"), row.pop("train_table")
        if focus is not None:
            row["focus"] = (
                f"{focus['metric']} {focus['class']} {focus['attribute']}={focus['group']} vs {focus['reference']}"
            )
            for prefix, frame in (("focus", table), ("focus_train", train_table)):
                row[f"{prefix}_value"], row[f"{prefix}_reference_value"] = (
                    _rate(frame, focus, focus[k]) for k in ("group", "reference")
                )
    return rows


def _rate(table: pd.DataFrame, cell: dict[str, Any], group: str) -> float:
    same = (table["class"] == cell["class"]) & (table["attribute"] == cell["attribute"]) & (table["group"] == group)
    return float(table.loc[same, cell["metric"]].iloc[0])


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| set | variant | rule | ROC AUC (minus plain LR) | Brier | fairness gate | accuracy | first refusal's cell: "
        "group vs reference | same cell, training cases out of fold | widest priority-rate difference: group vs "
        "reference |",
        "|---" * 10 + "|",
    ]
    for r in rows:
        widest = (
            f"{r['widest_cell']}: {r['widest_value']:.3f} vs {r['widest_reference_value']:.3f}"
            if "widest_cell" in r
            else "—"
        )
        focus = f"{r['focus']}: {r['focus_value']:.3f} vs {r['focus_reference_value']:.3f}" if "focus" in r else "—"
        train = f"{r['focus_train_value']:.3f} vs {r['focus_train_reference_value']:.3f}" if "focus" in r else "—"
        lines.append(
            f"| {r['set']} | {r['variant']} | {r['rule']} | {r['roc_auc']:.4f} ({r['auc_minus_plain_lr']:+.4f}) | "
            f"{r['brier']:.4f} | {'passes' if r['gate'] else '**fails**'} | {r['accuracy']:.3f} | {focus} | {train} | "
            f"{widest} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="12000:2:3", help="inhabitants:years:seed, comma-separated")
    parser.add_argument("--historical", action="store_true", help="also the recorded (historical) effort label")
    args = parser.parse_args(argv)
    settings = get_settings()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, single_threaded():
        for case_set in tq.simulated_sets(args.sets, Path(tmp)):
            if case_set.target == "effort_class" and (case_set.label_repair or args.historical):
                rows += measure_set(case_set, settings)
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
