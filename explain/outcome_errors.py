"""Live error rates from outcomes: how often the advice was wrong, per protected group, against what the
gate approved on the test set (issue 17 part 2, the Slimme Check lesson).

The one rule for counting: the confusion matrix per group and its rates and ratios to the reference
group are ``explain.fairness.audit`` — the same function the training gate's test-set audit uses, so
the live and the approved figures mean the same thing (a multi-class model is audited one class
against the rest, a binary one for its positive class). What this module adds:

- a 95 % Wilson interval for each error rate (FPR over TN + FP, FNR over FN + TP, FDR over FP + TP);
- the publishable copy: small cells suppressed by ``werkwijzer.privacy.suppress_small_cells``, the
  intervals with them;
- the comparison with the approved figures (the champion's published ``triage/fairness.csv``): per
  class, attribute, group and rate the test-set value, the rise (live minus test) and whether the live
  rate is significantly higher than the test-set one (``<rate>_significant``: one-sided two-proportion
  z-test against the test-set counts, Bonferroni-corrected over the table, as the gate corrects), so
  that a rise within sampling noise is no signal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from explain.fairness import _p_value, audit
from werkwijzer.privacy import MIN_CELL, suppress_small_cells
from werkwijzer.vocabulary import TRIAGE_INTEGRATED

ERROR_RATES = ("fpr", "fnr", "fdr")
Z95 = 1.959963984540054
# The counts each rate is a share of: (numerator, denominator cells).
COUNTS = {"fpr": ("fp", ("tn", "fp")), "fnr": ("fn", ("fn", "tp")), "fdr": ("fp", ("fp", "tp"))}
KEYS = ("class", "attribute", "group")


def wilson(successes: ArrayLike, total: ArrayLike, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a proportion (NaN where ``total`` is 0)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    empty = n <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def error_rates(
    truth: ArrayLike,
    predicted: ArrayLike,
    groups: pd.DataFrame,
    *,
    classes: Sequence[object] | None = None,
    positive: object | None = None,
    reference: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The full (unsuppressed) live audit of one model: ``explain.fairness.audit`` of the outcomes
    against the advice, with ``<rate>_low`` and ``<rate>_high`` for FPR, FNR and FDR."""
    table = audit(truth, predicted, groups, positive=positive, reference=reference, classes=classes)
    for rate, (numerator, denominator) in COUNTS.items():
        low, high = wilson(table[numerator], sum(table[c] for c in denominator))
        table[f"{rate}_low"], table[f"{rate}_high"] = low, high
    return table


def interval_columns() -> list[str]:
    return [f"{rate}_{end}" for rate in ERROR_RATES for end in ("low", "high")]


def publishable(table: pd.DataFrame, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Small cells suppressed (the whole row: counts, rates, ratios and intervals), as everything exported."""
    return suppress_small_cells(table, min_cell, values=interval_columns())


def approved_table(published: pd.DataFrame, positive: object | None = None) -> pd.DataFrame | None:
    """The test-set figures of a champion's ``fairness.csv`` as ``class, attribute, group``, ``<rate>_test``
    and the counts they rest on (``<rate>_test_x`` of ``<rate>_test_n``); ``None`` when the file holds no
    error rates per group. A binary model's file has no ``class`` column: its rows are of ``positive``."""
    needed = {"attribute", "group", *ERROR_RATES}
    if not needed <= set(published.columns):
        return None
    out = published.copy()
    if "class" not in out.columns:
        if positive is None:
            return None
        out["class"] = positive
    if "suppressed" in out.columns:
        hidden = out["suppressed"].astype("string").str.strip().str.lower().isin(["true", "1"])
        out = out[~hidden.fillna(True).astype(bool)]
    out = out.astype({"class": "string", "attribute": "string", "group": "string"})
    renamed = out[list(KEYS)].copy()
    cells = {
        c: pd.to_numeric(out[c], errors="coerce") if c in out.columns else np.nan for c in ("tn", "fp", "fn", "tp")
    }
    for rate, (numerator, denominator) in COUNTS.items():
        renamed[f"{rate}_test"] = pd.to_numeric(out[rate], errors="coerce")
        renamed[f"{rate}_test_x"] = cells[numerator]
        renamed[f"{rate}_test_n"] = sum(cells[c] for c in denominator)
    return renamed.reset_index(drop=True)


def _one_sided_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """p-value that the first proportion is higher than the second (pooled two-proportion z-test)."""
    if not all(np.isfinite([x1, n1, x2, n2])) or min(n1, n2) <= 0:
        return float("nan")
    two_sided = _p_value(x1, n1, x2, n2)
    return two_sided / 2 if x1 / n1 > x2 / n2 else 1 - two_sided / 2


def compare(live: pd.DataFrame, approved: pd.DataFrame | None, alpha: float = 0.05) -> pd.DataFrame:
    """The publishable live table with, per rate, the approved test-set value, the rise (live minus test),
    the one-sided p-value that the live rate is higher (two-proportion z-test against the test-set counts,
    as the gate tests groups) and ``<rate>_significant``: below ``alpha`` Bonferroni-corrected over every
    comparison in the table, so that many groups and classes do not make chance look like a rise. Without
    approved figures those stay empty (and nothing is significant)."""
    out = live.copy()
    for key in KEYS:
        out[key] = out[key].astype("string")
    if approved is None or approved.empty:
        for rate in ERROR_RATES:
            out[[f"{rate}_test", f"{rate}_test_x", f"{rate}_test_n"]] = np.nan
    else:
        out = out.merge(approved, on=list(KEYS), how="left")
    tests = 0
    for rate, (numerator, denominator) in COUNTS.items():
        live_rate = pd.to_numeric(out[rate], errors="coerce").astype(float)
        out[f"{rate}_rise"] = live_rate - pd.to_numeric(out[f"{rate}_test"], errors="coerce").astype(float)
        x = pd.to_numeric(out[numerator], errors="coerce").astype(float)
        n = sum(pd.to_numeric(out[c], errors="coerce").astype(float) for c in denominator)
        test_x = pd.to_numeric(out[f"{rate}_test_x"], errors="coerce").astype(float)
        test_n = pd.to_numeric(out[f"{rate}_test_n"], errors="coerce").astype(float)
        out[f"{rate}_p"] = [_one_sided_p(*v) for v in zip(x, n, test_x, test_n, strict=True)]
        tests += int(out[f"{rate}_p"].notna().sum())
    for rate in ERROR_RATES:
        out[f"{rate}_significant"] = (out[f"{rate}_p"] < alpha / max(tests, 1)).fillna(False).astype(bool)
    return out


def shown_predictions(
    name: str, cases: pd.DataFrame, classes: Sequence[str], positive: str | None
) -> tuple[pd.Series, pd.Series] | None:
    """(truth, predicted) as class labels of model ``name`` for the outcomes (``casework.frames.outcomes``)
    whose advice showed its suggestion: the effort model's suggested class; the integrated-approach
    model's ``positive`` class at a shown probability of at least one half (the test-set argmax), its
    other class below. None when the integrated model's classes are not two."""
    if name == TRIAGE_INTEGRATED:
        if positive is None or len(classes) != 2:
            return None
        negative = next(c for c in classes if c != positive)
        rows = cases[cases["integrated_probability"].notna()]
        predicted = rows["integrated_probability"].ge(0.5).map({True: positive, False: negative})
        truth = rows["integrated_approach"].astype(bool).map({True: positive, False: negative})
        return truth, predicted
    rows = cases[cases["advised"] & cases["model_name"].eq(name)]
    return rows["effort_class"].astype(str), rows["suggested_class"].astype(str)


def positive_label(schema: Mapping[str, Any]) -> str | None:
    """The positive class of a binary triage schema as text (``positive``, else the second class)."""
    classes = [str(c) for c in schema.get("classes") or []]
    positive = schema.get("positive")
    if positive is not None:
        return str(positive)
    return classes[-1] if len(classes) == 2 else None
