"""The decision rules and the gap measure of ``benchmarks/triage_decisions.py`` (issue 20, ADR 0026)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import triage_decisions  # benchmarks/triage_decisions.py

from explain.fairness import audit

CLASSES = np.asarray(["complex", "eenvoudig", "gemiddeld"], dtype=object)  # sorted, as the model's classes_


def test_the_rules_advise_the_most_probable_the_ordinal_median_and_the_training_shares() -> None:
    # columns in CLASSES order: complex, eenvoudig, gemiddeld
    proba = np.asarray([[0.20, 0.45, 0.35], [0.40, 0.35, 0.25], [0.05, 0.60, 0.35]])
    argmax = triage_decisions.decide(proba, CLASSES, "argmax", proba, [])
    assert argmax.tolist() == ["eenvoudig", "complex", "eenvoudig"]
    # median on eenvoudig < gemiddeld < complex: cumulative 0.45, 0.80 -> gemiddeld; 0.35, 0.60 -> gemiddeld
    median = triage_decisions.decide(proba, CLASSES, "median", proba, [])
    assert median.tolist() == ["gemiddeld", "gemiddeld", "eenvoudig"]
    # shares: the training rows' expected classes cut so each class is advised as often as it occurs
    rng = np.random.default_rng(0)
    train = rng.dirichlet([1, 1, 1], size=600)
    y_train = np.asarray(["eenvoudig"] * 300 + ["gemiddeld"] * 200 + ["complex"] * 100, dtype=object)
    advised = triage_decisions.decide(train, CLASSES, "shares", train, y_train)
    shares = pd.Series(advised).value_counts(normalize=True)
    assert abs(shares["eenvoudig"] - 0.5) < 0.01 and abs(shares["complex"] - 1 / 6) < 0.01


def test_the_widest_gap_is_the_largest_rate_difference_the_gate_can_assess() -> None:
    groups = pd.DataFrame({"age_band": ["a"] * 40 + ["b"] * 40})
    truth = np.asarray(["eenvoudig"] * 80, dtype=object)
    advised = np.asarray(["eenvoudig"] * 30 + ["gemiddeld"] * 10 + ["eenvoudig"] * 36 + ["gemiddeld"] * 4, dtype=object)
    table = audit(truth, advised, groups, classes=["complex", "eenvoudig", "gemiddeld"])
    gap = triage_decisions.widest_gap(table, min_cell=10)
    # reference is the larger group (a tie: the first by name, "a"): FNR of b 0.10 against a's 0.25
    assert gap["cell"] == "fnr eenvoudig age_band=b vs a"
    assert np.isclose(gap["value"], 0.10) and np.isclose(gap["reference_value"], 0.25)
    assert triage_decisions.widest_gap(table, min_cell=41) == {"difference": 0.0}, "no cell to assess"
