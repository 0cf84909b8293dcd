"""How the triage model's candidate should be chosen: rules compared on the same candidates.

    python benchmarks/triage_choice.py [--sets 10000:2:2,12000:2:3,30000:3:7] [--cache DIR]

For every simulated set (``benchmarks/triage_quality.py``'s sets and targets, on the product's
chronological split and features) it fits each glass-box candidate (standardised numbers at
``C`` 0.01, 0.1, 1 and the pre-issue-20 splines at ``C=1``) once and keeps three kinds of
predictions: stratified out-of-fold ones for the training cases (the folds before issue 20's
follow-up), time-ordered ones (``models.triage.forward_predictions``: each block of training
cases predicted by a model of the older ones) and the calibrated model's for the test cases,
next to the plain scikit-learn peers. Then each choice rule picks a candidate from the
training-case scores alone, and the script reports per rule the chosen model's test ROC AUC and
Brier score minus the best plain peer's over all sets: mean, worst, and how many sets fall more
than 0.005 below (the floor of issue 20). ``--cache`` keeps the predictions per set (.npz) so a
stopped run resumes. ADR 0023 quotes its output.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import triage_quality as tq  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: E402

from models.plain_peers import measure, peer_predictions  # noqa: E402
from models.triage import TriageClassifier, _kinds, forward_predictions, prepare_frame, single_threaded  # noqa: E402
from werkwijzer.settings import get_settings  # noqa: E402

# Simplest first (for the one-standard-error rules): stronger penalty, then numbers as splines.
ORDER = ("glassbox:linear:C=0.01", "glassbox:linear:C=0.1", "glassbox:linear:C=1", "glassbox:spline:C=1")
Losses = dict[str, np.ndarray]


def predictions(case_set: tq.CaseSet) -> dict[str, np.ndarray]:
    """Every candidate's stratified and time-ordered training predictions and test predictions."""
    settings = get_settings()
    split = tq.split_set(case_set, settings)
    kinds, X_train, X_test, y_train, y_test = split.kinds, split.X_train, split.X_test, split.y_train, split.y_test
    model = TriageClassifier(feature_kinds=kinds, model_type="glassbox", Cs=(0.01, 0.1, 1.0))
    model.feature_kinds_ = _kinds(X_train, kinds)
    train, test = prepare_frame(X_train, model.feature_kinds_), prepare_frame(X_test, model.feature_kinds_)
    classes = np.unique(y_train)
    method = "sigmoid" if len(classes) == 2 else "temperature"
    out: dict[str, np.ndarray] = {"y_train": y_train, "y_test": y_test, "classes": classes}
    out["positive"] = np.asarray([split.prep.positive if len(classes) == 2 else ""], dtype=object)
    candidates = model._candidates()
    for name in ORDER:
        pipe = candidates[name]
        out[f"oof|{name}"] = cross_val_predict(pipe, train, y_train, cv=StratifiedKFold(5), method="predict_proba")
        out[f"time|{name}"] = forward_predictions(pipe, train, y_train, classes, 5)
        calibrated = CalibratedClassifierCV(pipe, method=method, cv=5, ensemble=False).fit(train, y_train)
        out[f"test|{name}"] = calibrated.predict_proba(test)
    for peer, (proba, _) in peer_predictions(X_train, y_train, X_test, kinds, settings.seed).items():
        out[f"peer|{peer}"] = proba
    return out


def case_losses(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Log loss per case, for the rows ``proba`` predicts (rows of NaN left out)."""
    scored = ~np.isnan(proba).any(axis=1)
    index = np.searchsorted(classes, y[scored])
    return -np.log(np.clip(proba[scored][np.arange(scored.sum()), index], 1e-15, 1.0))


def lowest(losses: Losses, names: tuple[str, ...] = ORDER) -> str:
    return min(names, key=lambda n: losses[n].mean())


def one_standard_error(losses: Losses) -> str:
    """The simplest candidate whose mean loss is within one standard error (of the per-case
    difference) of the lowest."""
    best = lowest(losses)
    for name in ORDER:
        difference = losses[name] - losses[best]
        if difference.mean() <= difference.std(ddof=1) / np.sqrt(len(difference)):
            return name
    return best


RULES: dict[str, Callable[[Losses, Losses], str]] = {
    "stratified out-of-fold log loss (ADR 0016)": lambda oof, time: lowest(oof),
    "stratified, one-standard-error rule": lambda oof, time: one_standard_error(oof),
    "time-ordered log loss (ADR 0023)": lambda oof, time: lowest(time),
    "time-ordered, one-standard-error rule": lambda oof, time: one_standard_error(time),
    "standardised numbers only (no splines), stratified": lambda oof, time: lowest(oof, ORDER[:3]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=tq.DEFAULT_SETS, help="inhabitants:years:seed, comma-separated")
    parser.add_argument("--cache", type=Path, help="keep every set's predictions here (and reuse them)")
    args = parser.parse_args(argv)
    results: dict[str, list[tuple[str, str, float, float]]] = {rule: [] for rule in RULES}
    with tempfile.TemporaryDirectory() as tmp, single_threaded():
        for case_set in tq.simulated_sets(args.sets, Path(tmp)):
            cached = args.cache / (case_set.name.replace("/", "-").replace(" ", "_") + ".npz") if args.cache else None
            if cached is not None and cached.is_file():
                data = dict(np.load(cached, allow_pickle=True))
            else:
                data = predictions(case_set)
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    np.savez(cached, **data)
            classes, y_train, y_test = data["classes"], data["y_train"], data["y_test"]
            positive = str(data["positive"][0]) or None
            oof = {n: case_losses(y_train, data[f"oof|{n}"], classes) for n in ORDER}
            time = {n: case_losses(y_train, data[f"time|{n}"], classes) for n in ORDER}
            peers = {k[5:]: measure(y_test, data[k], classes, positive) for k in data if k.startswith("peer|")}
            best = max(peers.values(), key=lambda s: s["roc_auc"])
            for rule, choose in RULES.items():
                name = choose(oof, time)
                scores = measure(y_test, data[f"test|{name}"], classes, positive)
                results[rule].append(
                    (case_set.name, name, scores["roc_auc"] - best["roc_auc"], scores["brier"] - best["brier"])
                )
            print(
                f"{case_set.name}: " + ", ".join(f"{r[:12]}… {v[-1][1]} {v[-1][2]:+.4f}" for r, v in results.items()),
                file=sys.stderr,
                flush=True,
            )
    print("| rule | sets | mean ROC AUC gap | worst | sets below the floor | mean Brier difference | worst |")
    print("|---|---|---|---|---|---|---|")
    for rule, rows in results.items():
        gap = np.array([r[2] for r in rows])
        brier = np.array([r[3] for r in rows])
        print(
            f"| {rule} | {len(rows)} | {gap.mean():+.4f} | {gap.min():+.4f} | {(gap < -tq.AUC_FLOOR).sum()} | "
            f"{brier.mean():+.4f} | {brier.max():+.4f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
