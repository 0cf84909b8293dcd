"""Group-wise fairness audit of any binary decision process: a model, or the existing human one.

Responsible-ai items 12-17. Per protected characteristic and group: n, the confusion matrix
(TN, FP, FN, TP) and selection rate, FPR, FNR, TPR, FDR and FP share (FP / n), each with its
ratio to and difference from a reference group (the largest group when none is given).
Multi-class targets are audited one class against the rest (column ``class``).

Metric priority (stated in every report): for service-oriented triage the harm we guard against
first is that a group is wrongly put in the heavier track (more scrutiny, more demands: the
Slimme Check's rising FPR) — **FPR**; then that a group is wrongly denied the help it needs —
**FNR**; then that the advice is less reliable for a group — **FDR** (share of the selected
that did not belong there; it also exposes a label that disagrees with the model for one group).
Selection-rate parity is reported but not gated: groups can legitimately differ in need.

Gate: promotion is refused when a ratio of a priority metric leaves the band
``[fairness_ratio_low, fairness_ratio_high]`` for a group whose metric rests on at least
``min_cell`` cases in both the group and the reference (smaller denominators are reported as
"not assessable", not silently passed), the rates differ by at least ``min_difference`` (practical
significance, ``settings.fairness_min_difference``: a ratio of two tiny rates such as 0.5 % vs
1.5 % is not a finding on its own) and the difference is statistically significant
(two-proportion z-test, Bonferroni-corrected over all comparisons at ``alpha``), so that
sampling noise in a small test set does not block a sound model and a real disparity does;
unless a justification document answers the five questions of item 17. The report says which,
and lists every ratio outside the band, significant or not.

Small cells (< ``min_cell``) are suppressed in everything exported (:func:`export_table`, through
``werkwijzer.privacy.suppress_small_cells``): the four cells, every rate and ratio of that row
become empty and ``suppressed`` is true; a group size under ``min_cell`` is hidden, and with it the
next smallest of its attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd
import yaml
from numpy.typing import ArrayLike

from models.monitoring import confusion_counts
from werkwijzer.i18n import translate
from werkwijzer.privacy import MIN_CELL, suppress_small_cells
from werkwijzer.settings import Settings
from werkwijzer.vocabulary import true_word_in

RATES = ("selection_rate", "fpr", "fnr", "tpr", "fdr", "fp_share")
PRIORITY = ("fpr", "fnr", "fdr")
EXPORT_COLUMNS = (
    "attribute",
    "group",
    "n",
    "tn",
    "fp",
    "fn",
    "tp",
    "selection_rate",
    "fpr",
    "fnr",
    "tpr",
    "fdr",
    "fp_share",
    "fpr_ratio",
    "fnr_ratio",
    "fdr_ratio",
    "selection_rate_ratio",
    "suppressed",
)
# The denominator of each rate: the count the rate rests on.
DENOMINATOR = {
    "selection_rate": ("n",),
    "fpr": ("tn", "fp"),
    "fnr": ("fn", "tp"),
    "tpr": ("fn", "tp"),
    "fdr": ("fp", "tp"),
    "fp_share": ("n",),
}


def metric_name(metric: str, lang: str) -> str:
    """A fairness metric in words (the catalogue's ``metric.<name>``): ``fout-positief-percentage (FPR)``."""
    return translate(f"metric.{metric}", lang)


# The five questions of a justification (item 17), as keys of the YAML document; their words are the
# catalogue's ``fairness.question.<key>``.
QUESTIONS = ("legitimate_aim", "suitability", "necessity", "proportionality", "ethical_desirability")


def question(key: str, lang: str) -> str:
    """A justification question in words: ``legitiem doel`` / ``legitimate aim``."""
    return translate(f"fairness.question.{key}", lang)


def _rates(tn: np.ndarray, fp: np.ndarray, fn: np.ndarray, tp: np.ndarray) -> dict[str, np.ndarray]:
    n = tn + fp + fn + tp
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "selection_rate": (fp + tp) / n,
            "fpr": fp / (fp + tn),
            "fnr": fn / (fn + tp),
            "tpr": tp / (fn + tp),
            "fdr": fp / (fp + tp),
            "fp_share": fp / n,
        }


def confusion_by_group(
    y_true: ArrayLike, y_pred: ArrayLike, groups: pd.DataFrame, reference: dict[str, str] | None = None
) -> pd.DataFrame:
    """The full (unsuppressed) audit table of one binary decision; for internal use and the gate."""
    truth = np.asarray(y_true, dtype=bool)
    pred = np.asarray(y_pred, dtype=bool)
    reference = reference or {}
    tables = []
    for attribute in groups.columns:
        values = groups[attribute].astype("string").fillna("<onbekend>").to_numpy(dtype=object)
        rows = []
        for group in sorted(pd.unique(values), key=str):
            m = values == group
            rows.append(
                {"attribute": attribute, "group": str(group), "n": int(m.sum()), **confusion_counts(truth[m], pred[m])}
            )
        table = pd.DataFrame(rows)
        rates = _rates(*(table[c].to_numpy(dtype=float) for c in ("tn", "fp", "fn", "tp")))
        for name, values_ in rates.items():
            table[name] = values_
        ref = reference.get(attribute)
        if ref is None:
            ref = str(table.sort_values(["n", "group"], ascending=[False, True])["group"].iloc[0])
        elif ref not in set(table["group"]):
            raise ValueError(
                f"reference group '{ref}' does not occur in '{attribute}' (groups: {', '.join(table['group'])})"
            )
        table["reference"] = ref
        ref_row = table[table["group"] == ref].iloc[0]
        for name in RATES:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = table[name].to_numpy() / ref_row[name]
            both_zero = (table[name].to_numpy() == 0) & (ref_row[name] == 0)
            table[f"{name}_ratio"] = np.where(both_zero, 1.0, ratio)
            table[f"{name}_diff"] = table[name] - ref_row[name]
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def audit(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    groups: pd.DataFrame,
    *,
    positive: object | None = None,
    reference: dict[str, str] | None = None,
    classes: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Audit table for binary or multi-class outcomes; adds ``class`` (one vs rest).

    With ``positive`` (or two classes, the second of the sorted ones being positive) one binary
    audit; otherwise one per class.
    """
    truth = pd.Series(np.asarray(y_true, dtype=object)).astype(str).to_numpy()
    pred = pd.Series(np.asarray(y_pred, dtype=object)).astype(str).to_numpy()
    found: list[str] = [str(c) for c in (classes if classes is not None else sorted(set(truth) | set(pred)))]
    if positive is not None:
        lowered = {c.lower(): c for c in found}
        targets = [lowered.get(str(positive).lower(), str(positive))]
        if targets[0] not in found:
            raise ValueError(f"positive value '{positive}' does not occur (values: {', '.join(found)})")
    elif len(found) <= 2:
        targets = [_default_positive(found)]
    else:
        targets = found
    parts = []
    for cls in targets:
        table = confusion_by_group(truth == cls, pred == cls, groups.reset_index(drop=True), reference)
        table.insert(0, "class", cls)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def _default_positive(values: list[str]) -> str:
    found = true_word_in(values)
    return str(found) if found is not None else sorted(values)[-1]


def export_table(
    table: pd.DataFrame, min_cell: int = MIN_CELL, columns: Sequence[str] = EXPORT_COLUMNS
) -> pd.DataFrame:
    """The publishable table: only ``columns`` (plus ``class`` when several), small cells suppressed by
    the one rule of everything exported (``werkwijzer.privacy.suppress_small_cells``)."""
    out = suppress_small_cells(table, min_cell, values=RATES)
    keep = list(columns)
    if "class" in out.columns and "class" not in keep and out["class"].nunique() > 1:
        keep = [*keep, "class"]
    for rate in [*RATES, *[c for c in keep if c.endswith("_ratio")]]:
        if rate in out.columns:
            out[rate] = out[rate].round(4)
    return out[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Justification:
    """Answers to the five questions of item 17, read from YAML (keys as in ``QUESTIONS``)."""

    answers: dict[str, str]
    source: str

    def summary(self) -> str:
        return "; ".join(f"{k}: {v[:80]}" for k, v in self.answers.items())


def read_justification(path: str | Path) -> Justification:
    """Read and check a justification document; every question needs a real answer (>= 20 chars)."""
    from werkwijzer.contracts import ContractError, Problem

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContractError([Problem(path.name, f"a readable YAML justification document ({exc})")]) from None
    if not isinstance(data, dict):
        raise ContractError([Problem(path.name, "a YAML mapping with the keys " + ", ".join(QUESTIONS), row=1)])
    problems = []
    answers = {}
    for key in QUESTIONS:
        nl, en = question(key, "nl"), question(key, "en")
        text = str(data.get(key) or "").strip()
        if len(text) < 20:
            problems.append(
                Problem(
                    path.name, f"an answer of at least 20 characters to '{en}' ({nl})", column=key, value=text or None
                )
            )
        answers[key] = text
    if problems:
        raise ContractError(problems)
    return Justification(answers=answers, source=path.name)


@dataclass
class FairnessGate:
    passed: bool
    reason: str
    violations: list[dict[str, object]] = field(default_factory=list)  # significant, outside the band
    not_assessable: list[dict[str, object]] = field(default_factory=list)
    justified: bool = False
    within_noise: list[dict[str, object]] = field(default_factory=list)  # outside the band, not significant

    def as_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "justified": self.justified,
            "violations": self.violations,
            "within_noise": self.within_noise,
            "not_assessable": self.not_assessable,
        }


def _numerator(metric: str) -> str:
    return {"selection_rate": "selected", "fpr": "fp", "fnr": "fn", "tpr": "tp", "fdr": "fp", "fp_share": "fp"}[metric]


def _count(row: pd.Series, name: str) -> float:
    return float(row["fp"] + row["tp"]) if name == "selected" else float(row[name])


def _p_value(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    from scipy.stats import norm

    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return float(2 * norm.sf(abs(x1 / n1 - x2 / n2) / se))


class GateTerms(TypedDict):
    low: float
    high: float
    min_cell: int
    min_difference: float


def gate_terms(settings: Settings) -> GateTerms:
    """The terms of the fairness gate from the settings: the ratio band, the smallest cell a ratio may
    rest on and the smallest difference in rates that counts; for ``fairness_gate`` and the report of it."""
    return GateTerms(
        low=settings.fairness_ratio_low,
        high=settings.fairness_ratio_high,
        min_cell=settings.fairness_min_cell,
        min_difference=settings.fairness_min_difference,
    )


def fairness_gate(
    table: pd.DataFrame,
    *,
    low: float,
    high: float,
    min_cell: int = MIN_CELL,
    priority: Sequence[str] = PRIORITY,
    justification: Justification | None = None,
    alpha: float = 0.05,
    min_difference: float = 0.05,
) -> FairnessGate:
    """Check the priority ratios of every non-reference group against ``[low, high]``."""
    candidates, unassessable = [], []
    n_tests = 0
    for _, row in table.iterrows():
        if row["group"] == row["reference"]:
            continue
        ref = table[
            (table["attribute"] == row["attribute"])
            & (table["group"] == row["reference"])
            & (table.get("class", pd.Series("", index=table.index)) == row.get("class", ""))
        ].iloc[0]
        for metric in priority:
            base = {
                "class": str(row.get("class", "")),
                "attribute": row["attribute"],
                "group": row["group"],
                "reference": row["reference"],
                "metric": metric,
            }
            denominators = DENOMINATOR[metric]
            if min(sum(row[d] for d in denominators), sum(ref[d] for d in denominators)) < min_cell:
                unassessable.append(base)
                continue
            n_tests += 1
            ratio = float(row[f"{metric}_ratio"])
            if not low <= ratio <= high:
                denom_g = float(sum(row[d] for d in denominators))
                denom_r = float(sum(ref[d] for d in denominators))
                num = _numerator(metric)
                p = _p_value(_count(row, num), denom_g, _count(ref, num), denom_r)
                candidates.append(
                    {
                        **base,
                        "ratio": round(ratio, 3),
                        "value": round(float(row[metric]), 4),
                        "reference_value": round(float(ref[metric]), 4),
                        "p_value": p,
                    }
                )
    cutoff = alpha / max(n_tests, 1)

    def real(v: dict[str, object]) -> bool:
        value, reference, p = (v[k] for k in ("value", "reference_value", "p_value"))
        assert isinstance(value, float) and isinstance(reference, float) and isinstance(p, float)
        return p < cutoff and abs(value - reference) >= min_difference

    violations = [v for v in candidates if real(v)]
    noise = [v for v in candidates if not real(v)]
    if not violations:
        extra = (
            (
                f"; {len(noise)} ratio(s) outside the band are within sampling noise (p >= {cutoff:.4f}) "
                f"or differ by less than {min_difference:g}"
            )
            if noise
            else ""
        )
        return FairnessGate(
            True,
            f"no significant priority ratio ({', '.join(priority)}) outside {low:g}-{high:g}{extra}",
            [],
            unassessable,
            within_noise=noise,
        )
    worst = max(violations, key=lambda v: abs(np.log(max(float(v["ratio"]), 1e-9))))
    text = (
        f"{len(violations)} ratio(s) outside {low:g}-{high:g}; worst: {worst['metric']} of "
        f"{worst['attribute']}={worst['group']} vs {worst['reference']} is {worst['ratio']}"
        + (f" (class {worst['class']})" if worst["class"] else "")
    )
    if justification is not None:
        return FairnessGate(
            True,
            f"{text}; accepted with the justification in {justification.source}",
            violations,
            unassessable,
            justified=True,
            within_noise=noise,
        )
    return FairnessGate(False, text, violations, unassessable, within_noise=noise)


def threshold_sweep(
    y_true: ArrayLike,
    score: ArrayLike,
    groups: pd.DataFrame,
    thresholds: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    reference: dict[str, str] | None = None,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """The audit at each decision threshold on ``score`` (item 15), small cells suppressed."""
    truth = np.asarray(y_true, dtype=bool)
    values = np.asarray(score, dtype=float)
    parts = []
    for threshold in thresholds:
        table = confusion_by_group(truth, values >= threshold, groups.reset_index(drop=True), reference)
        exported = export_table(table, min_cell)
        exported.insert(0, "threshold", threshold)
        parts.append(exported)
    return pd.concat(parts, ignore_index=True)


def compare_with_human(
    model: pd.DataFrame, human: pd.DataFrame, min_cell: int = MIN_CELL, metrics: Sequence[str] = PRIORITY
) -> pd.DataFrame:
    """Side by side: the model's and the human process's priority metrics per group (item 13)."""
    keys = ["class", "attribute", "group"] if "class" in model.columns else ["attribute", "group"]
    cols = [*metrics, *(f"{m}_ratio" for m in metrics)]
    a = export_table(model, min_cell, columns=[*keys, *cols, "suppressed"])
    b = export_table(human, min_cell, columns=[*keys, *cols, "suppressed"])
    return a.merge(b, on=keys, suffixes=("_model", "_human"))


def ratio_interval(table: pd.DataFrame, metric: str, z: float = 1.96) -> pd.DataFrame:
    """The ratio of ``metric`` to the reference group with its confidence interval, per row of an audit
    table (columns ``ratio``, ``low``, ``high``): Katz's log method for a ratio of two proportions,
    ``exp(log r ± z·sqrt(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂))``. Empty (NaN) where a count is zero; the caller
    suppresses small cells before it shows anything (this works on the full table)."""
    numerator = _numerator(metric)
    rows = []
    for _, row in table.iterrows():
        keys = ["attribute"] + (["class"] if "class" in table.columns else [])
        same = np.logical_and.reduce([table[k] == row[k] for k in keys]) & (table["group"] == row["reference"])
        ref = table[same].iloc[0]
        x1, n1 = _count(row, numerator), float(sum(row[c] for c in DENOMINATOR[metric]))
        x2, n2 = _count(ref, numerator), float(sum(ref[c] for c in DENOMINATOR[metric]))
        if min(x1, n1, x2, n2) <= 0:
            rows.append({"ratio": np.nan, "low": np.nan, "high": np.nan})
            continue
        ratio = (x1 / n1) / (x2 / n2)
        spread = z * np.sqrt(max(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2, 0.0))
        rows.append({"ratio": ratio, "low": ratio * np.exp(-spread), "high": ratio * np.exp(spread)})
    return pd.DataFrame(rows, index=table.index, columns=["ratio", "low", "high"])
