"""What monitoring measures in production (responsible-ai items 4, 14, 23, 25): plain functions on frames.

Every function takes the rows a store or flow already has and returns one row per scope (team,
model version, feature, group, ...), so the threshold evaluator (``models.thresholds``), the
monitoring flow and the accountability report read the same numbers.

- Data drift: population stability index (PSI) per feature against the training data.
- Forecast error against actual intake per team: MAE, MAPE, sMAPE, bias, band coverage.
- Agreement and overrides per team, model version and score band (automation bias); the rise of
  the override rate against a baseline period (override surge).
- Live fairness of advice and decisions per group, with ratios to a reference group and small
  cells suppressed.
- Objections per advice given.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

# A share of 0 in a PSI bin is replaced by this, so ln(p/q) stays finite; shares are not renormalised.
PSI_EPSILON = 1e-4
MISSING = "(ontbrekend)"
SCORE_BANDS = (0.0, 0.5, 0.7, 0.9, 1.0)


def _shares(counts: pd.Series) -> pd.Series:
    total = counts.sum()
    return counts / total if total else counts.astype(float)


def _psi_from_shares(ref: pd.Series, cur: pd.Series, epsilon: float) -> float:
    ref, cur = ref.align(cur, fill_value=0.0)
    p = np.maximum(ref.to_numpy(dtype=float), epsilon)
    q = np.maximum(cur.to_numpy(dtype=float), epsilon)
    return float(np.sum((q - p) * np.log(q / p)))


def is_numeric_feature(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def quantile_edges(reference: pd.Series, bins: int = 10) -> np.ndarray:
    """Inner bin edges at the reference's quantiles; ties collapse, so discrete features get fewer bins."""
    values = reference.dropna().to_numpy(dtype=float)
    if values.size == 0:
        return np.array([])
    return np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1]))


def _binned(values: pd.Series, edges: np.ndarray) -> pd.Series:
    """Bin labels: index i means edges[i-1] <= x < edges[i]; missing values get their own bin."""
    out = pd.Series(MISSING, index=values.index, dtype=object)
    present = values.notna()
    out[present] = np.searchsorted(edges, values[present].to_numpy(dtype=float), side="right")
    return out


def psi(reference: pd.Series, current: pd.Series, *, bins: int = 10, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of one feature: sum over bins of (q - p) * ln(q / p).

    p are the reference (training) shares, q the current shares. Numeric features use quantile
    bins of the reference (values on an edge go to the upper bin); other features use their
    categories, with categories unseen in the reference as bins of their own. Missing values are
    a bin of their own in both cases, so a rise in missing data shows as drift. Empty bins are
    smoothed to ``epsilon`` (0.0001) before taking the log.
    """
    if is_numeric_feature(reference) and is_numeric_feature(current):
        edges = quantile_edges(reference, bins)
        ref_bins, cur_bins = _binned(reference, edges), _binned(current, edges)
    else:
        ref_bins = reference.astype(object).where(reference.notna(), MISSING).astype(str)
        cur_bins = current.astype(object).where(current.notna(), MISSING).astype(str)
    return _psi_from_shares(_shares(ref_bins.value_counts()), _shares(cur_bins.value_counts()), epsilon)


def psi_table(
    reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[str] | None = None, *, bins: int = 10
) -> pd.DataFrame:
    """PSI of every feature (default: the columns both frames share): ``feature, kind, psi, n_reference, n``."""
    names = list(features) if features is not None else [c for c in reference.columns if c in current.columns]
    missing = [f for f in names if f not in reference.columns or f not in current.columns]
    if missing:
        raise KeyError(f"features missing from the reference or current data: {', '.join(missing)}")
    rows = [
        {
            "feature": f,
            "kind": "numeric" if is_numeric_feature(reference[f]) else "categorical",
            "psi": psi(reference[f], current[f], bins=bins),
            "n_reference": len(reference),
            "n": len(current),
        }
        for f in names
    ]
    return pd.DataFrame(rows, columns=["feature", "kind", "psi", "n_reference", "n"])


def join_forecast_actuals(forecast: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Forecast rows (``series_id, date, mean, lo_80, hi_80, lo_95, hi_95``) next to actuals (``series_id, date,
    value``), only where both exist; returns ``team, date, actual, mean, lo_80, hi_80, lo_95, hi_95``."""
    f = forecast.assign(date=pd.to_datetime(forecast["date"]))
    a = actuals.assign(date=pd.to_datetime(actuals["date"])).rename(columns={"value": "actual"})
    joined = f.merge(a[["series_id", "date", "actual"]], on=["series_id", "date"], how="inner")
    joined = joined.rename(columns={"series_id": "team"})
    return joined[["team", "date", "actual", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]].sort_values(
        ["team", "date"], ignore_index=True
    )


def forecast_error(joined: pd.DataFrame, by: Sequence[str] = ("team",)) -> pd.DataFrame:
    """Error of the forecast against actual intake per team (``joined`` as from :func:`join_forecast_actuals`).

    ``mae`` mean absolute error; ``mape`` mean |f - a| / a over weeks with a > 0 (empty when none);
    ``smape`` mean 2|f - a| / (|f| + |a|), 0 for a week where both are 0; ``bias`` mean (f - a),
    positive when the forecast is too high; ``coverage_80``/``coverage_95`` share of actuals inside
    the band, edges included.
    """
    d = joined.copy()
    err = d["mean"] - d["actual"]
    d["_abs"] = err.abs()
    d["_err"] = err
    d["_ape"] = (d["_abs"] / d["actual"]).where(d["actual"] > 0)
    denom = d["mean"].abs() + d["actual"].abs()
    d["_sape"] = (2 * d["_abs"] / denom).where(denom > 0, 0.0)
    d["_in80"] = d["actual"].between(d["lo_80"], d["hi_80"]).astype(float)
    d["_in95"] = d["actual"].between(d["lo_95"], d["hi_95"]).astype(float)
    out = d.groupby(list(by), sort=True).agg(
        n=("actual", "size"),
        actual=("actual", "sum"),
        forecast=("mean", "sum"),
        mae=("_abs", "mean"),
        mape=("_ape", "mean"),
        smape=("_sape", "mean"),
        bias=("_err", "mean"),
        coverage_80=("_in80", "mean"),
        coverage_95=("_in95", "mean"),
    )
    return out.reset_index()


def score_band(score: pd.Series, edges: Sequence[float] = SCORE_BANDS) -> pd.Series:
    """Band labels such as ``0.70-0.90`` (left edge included, the top band includes 1.0)."""
    labels = [f"{lo:.2f}-{hi:.2f}" for lo, hi in itertools.pairwise(edges)]
    banded = pd.cut(score, bins=list(edges), labels=labels, right=False, include_lowest=True)
    banded = banded.astype(object)
    banded[score == edges[-1]] = labels[-1]
    return banded.astype("string")


def agreement_rates(
    decisions: pd.DataFrame, by: Sequence[str] = ("team",), *, edges: Sequence[float] = SCORE_BANDS
) -> pd.DataFrame:
    """Agreement and override rate per scope: ``*by, n, followed, overridden, agreement_rate, override_rate``.

    ``decisions`` has one row per human decision on an advice, with a boolean ``followed`` and the
    scope columns (``team``, ``model_name``, ``model_version``, ...). Put ``score_band`` in ``by`` to
    split by the advice's score (column ``score``, the probability of the suggested class).
    """
    d = decisions.copy()
    if "score_band" in by and "score_band" not in d.columns:
        d["score_band"] = score_band(d["score"], edges)
    d["_followed"] = d["followed"].astype(bool).astype(int)
    out = d.groupby(list(by), sort=True, observed=True).agg(n=("_followed", "size"), followed=("_followed", "sum"))
    out = out.reset_index()
    out["overridden"] = out["n"] - out["followed"]
    out["agreement_rate"] = out["followed"] / out["n"]
    out["override_rate"] = out["overridden"] / out["n"]
    return out


def override_surge(current: pd.DataFrame, baseline: pd.DataFrame, by: Sequence[str] = ("team",)) -> pd.DataFrame:
    """Rise of the override rate against a baseline period: ``*by, n, n_baseline, override_rate,
    override_rate_baseline, surge`` with ``surge = override_rate - override_rate_baseline`` (a share)."""
    now = agreement_rates(current, by)[[*by, "n", "override_rate"]]
    before = agreement_rates(baseline, by)[[*by, "n", "override_rate"]].rename(
        columns={"n": "n_baseline", "override_rate": "override_rate_baseline"}
    )
    out = now.merge(before, on=list(by), how="inner")
    out["surge"] = out["override_rate"] - out["override_rate_baseline"]
    return out


def confusion_counts(truth: np.ndarray, pred: np.ndarray) -> dict[str, int]:
    """The four cells of one group's confusion matrix (boolean arrays): ``tn, fp, fn, tp``.

    The one place both the training audit (``explain.fairness``) and live monitoring count them.
    """
    return {
        "tn": int((~truth & ~pred).sum()),
        "fp": int((~truth & pred).sum()),
        "fn": int((truth & ~pred).sum()),
        "tp": int((truth & pred).sum()),
    }


def _group_counts(pred: np.ndarray, truth: np.ndarray | None) -> dict[str, int]:
    counts = {"n": int(pred.size), "selected": int(pred.sum())}
    if truth is not None:
        counts |= confusion_counts(truth, pred)
    return counts


def group_rates(
    frame: pd.DataFrame, attribute: str, predicted: str, truth: str | None = None, reference: str | None = None
) -> pd.DataFrame:
    """Selection rate, FPR and FNR per group of one attribute, with ratios to the reference group.

    The reference is the largest group unless given. FPR and FNR need a ``truth`` column; without
    it they stay empty. Counts are kept: use ``werkwijzer.privacy.suppress_small_cells`` before anything leaves.
    """
    groups = frame[attribute].astype("string").fillna(MISSING)
    pred = frame[predicted].astype(bool).to_numpy()
    true = frame[truth].astype(bool).to_numpy() if truth is not None else None
    rows = []
    for group in sorted(groups.unique()):
        m = (groups == group).to_numpy()
        rows.append(
            {
                "attribute": attribute,
                "group": str(group),
                **_group_counts(pred[m], true[m] if true is not None else None),
            }
        )
    table = pd.DataFrame(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["selection_rate"] = table["selected"] / table["n"]
        if true is not None:
            table["fpr"] = table["fp"] / (table["fp"] + table["tn"])
            table["fnr"] = table["fn"] / (table["fn"] + table["tp"])
        else:
            table["fpr"] = np.nan
            table["fnr"] = np.nan
    if reference is None:
        reference = str(table.sort_values(["n", "group"], ascending=[False, True])["group"].iloc[0])
    elif reference not in set(table["group"]):
        raise ValueError(f"reference group '{reference}' does not occur in '{attribute}'")
    table["reference"] = reference
    ref = table.loc[table["group"] == reference].iloc[0]
    for rate in ("selection_rate", "fpr", "fnr"):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = table[rate].to_numpy(dtype=float) / float(ref[rate])
        both_zero = (table[rate].to_numpy(dtype=float) == 0) & (float(ref[rate]) == 0)
        table[f"{rate}_ratio"] = np.where(both_zero, 1.0, ratio)
    return table


def live_fairness(
    cases: pd.DataFrame,
    attributes: Sequence[str],
    *,
    advice: str = "advice_positive",
    decision: str = "decision_positive",
    outcome: str | None = None,
    reference: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Live fairness of the advice and of the human decision per group (column ``subject``).

    ``cases`` joins, per case, the advice and decision (booleans: was the case put in the positive
    class, e.g. "complex" or "integrated approach") with the protected characteristics from the
    separate audit file. The advice is measured against ``outcome`` when a later known outcome
    exists, otherwise against the person's decision; the decision is measured against ``outcome``
    (without it only its selection rate is given).
    """
    reference = reference or {}
    parts = []
    for attribute in attributes:
        for subject, predicted, truth in (("advice", advice, outcome or decision), ("decision", decision, outcome)):
            table = group_rates(cases, attribute, predicted, truth, reference.get(attribute))
            table.insert(0, "subject", subject)
            parts.append(table)
    return pd.concat(parts, ignore_index=True)


def objection_counts(
    objections: pd.DataFrame, advice: pd.DataFrame | None = None, by: Sequence[str] = ("team",)
) -> pd.DataFrame:
    """Objections per scope: ``*by, objections`` and, given the advice rows, ``advice, objection_rate``."""
    out = objections.groupby(list(by), sort=True).size().rename("objections").reset_index()
    if advice is None:
        return out
    given = advice.groupby(list(by), sort=True).size().rename("advice").reset_index()
    out = given.merge(out, on=list(by), how="left")
    out["objections"] = out["objections"].fillna(0).astype(int)
    out["objection_rate"] = out["objections"] / out["advice"]
    return out[[*by, "objections", "advice", "objection_rate"]]
