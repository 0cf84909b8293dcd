"""Proxy scan: how well each feature on its own predicts each protected characteristic (item 9).

Measures, both on a 0..1 scale where 0 means "tells nothing" and 1 "determines it":

- categorical and boolean features: Cramér's V of the contingency table feature x characteristic,
  with the bias correction of Bergsma (2013) so that many sparse categories do not look strong;
- numeric features: for every group of the characteristic, the ROC AUC of the feature for
  "belongs to this group" against the rest; the strength is ``max |AUC - 0.5| * 2`` over groups
  (the Gini coefficient, also 0..1). A rank measure, so skewed counts do not matter.

A feature is a strong proxy when its strength reaches ``threshold`` (``settings.proxy_threshold``)
for any characteristic. A strong proxy is blocked unless the registry records a
``proxy_justification`` for it. Every non-protected registry feature present in the data is
scanned, whatever its status, so the report shows why a not-approved feature is not approved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from werkwijzer.contracts import FeatureRegistry

COLUMNS = (
    "feature",
    "kind",
    "status",
    "protected",
    "measure",
    "strength",
    "threshold",
    "strong",
    "justified",
    "blocked",
    "in_model_candidates",
)


def cramers_v(x: pd.Series, y: pd.Series) -> float:
    """Bias-corrected Cramér's V between two categorical series (missing values as a category)."""
    table = pd.crosstab(x.astype("string").fillna("<missing>"), y.astype("string").fillna("<missing>"))
    n = table.to_numpy().sum()
    r, k = table.shape
    if n == 0 or r < 2 or k < 2:
        return 0.0
    observed = table.to_numpy(dtype=float)
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / n
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    r_c = r - (r - 1) ** 2 / (n - 1)
    k_c = k - (k - 1) ** 2 / (n - 1)
    denom = min(k_c - 1, r_c - 1)
    return float(np.sqrt(phi2 / denom)) if denom > 0 else 0.0


def auc_strength(x: pd.Series, y: pd.Series) -> float:
    """``max over groups g of |AUC(x, y == g) - 0.5| * 2`` for a numeric ``x``."""
    values = pd.to_numeric(x, errors="coerce").astype(float)
    keep = values.notna() & y.notna()
    values, groups = values[keep].to_numpy(), y[keep].astype(str).to_numpy()
    best = 0.0
    for group in np.unique(groups):
        member = groups == group
        if member.all() or not member.any():
            continue
        best = max(best, abs(roc_auc_score(member, values) - 0.5) * 2)
    return float(best)


def proxy_scan(cases: pd.DataFrame, registry: FeatureRegistry, threshold: float) -> pd.DataFrame:
    """One row per (feature, protected characteristic) present in ``cases``; see the module doc."""
    rows = []
    protected = [p for p in registry.protected if p in cases.columns]
    for spec in registry.features:
        if spec.name in registry.protected or spec.name not in cases.columns:
            continue
        for characteristic in protected:
            if spec.kind == "numeric":
                measure, strength = "gini_auc", auc_strength(cases[spec.name], cases[characteristic])
            else:
                measure, strength = "cramers_v", cramers_v(cases[spec.name], cases[characteristic])
            strong = strength >= threshold
            justified = bool(spec.proxy_justification and spec.proxy_justification.strip())
            rows.append(
                {
                    "feature": spec.name,
                    "kind": spec.kind,
                    "status": spec.status,
                    "protected": characteristic,
                    "measure": measure,
                    "strength": round(strength, 4),
                    "threshold": threshold,
                    "strong": strong,
                    "justified": justified,
                    "blocked": strong and not justified,
                    "in_model_candidates": spec.status == "approved",
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def blocked_features(scan: pd.DataFrame) -> dict[str, str]:
    """Approved features the scan blocks, with a readable reason (name -> reason)."""
    out: dict[str, str] = {}
    hits = scan[scan["blocked"] & scan["in_model_candidates"]]
    for feature, rows in hits.groupby("feature", sort=True):
        top = rows.sort_values("strength", ascending=False).iloc[0]
        out[str(feature)] = (
            f"a strong proxy for '{top['protected']}' ({top['measure']} "
            f"{top['strength']:.2f} >= {top['threshold']:.2f}) and the registry "
            "records no proxy_justification"
        )
    return out


def strong_proxies(scan: pd.DataFrame) -> pd.DataFrame:
    """The strongest characteristic per feature among the strong proxies, for reports."""
    strong = scan[scan["strong"]].sort_values("strength", ascending=False)
    return strong.drop_duplicates("feature").reset_index(drop=True)
