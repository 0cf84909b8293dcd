"""Is the historical effort label fair? Compare it with what the recorded handling hours imply.

A model trained on a biased label learns the bias (the Toeslagenaffaire lesson): if one group's
cases were routinely classed heavier than the work they took, a model reproduces it. Handling
hours are recorded after the work and follow the real effort, so they give an independent check:

- the *hours-implied class* of a case is the team's effort class whose norm hours are nearest
  on a log scale (cut points at the geometric mean of neighbouring norms);
- per protected group: the share of cases labelled *above* the hours-implied class, the share
  *below*, and the ratio of the "above" share to that of the reference group (the largest group).

:func:`repair_labels` is the documented remedy the flow offers (``label_repair="hours"``): train
on the hours-implied class instead of the historical label. It uses only the case's own team
norms and recorded hours, no protected characteristic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from werkwijzer.privacy import MIN_CELL, suppress_small_cells


def norm_table(
    cases: pd.DataFrame, label: str, norms: pd.DataFrame | None = None, hours: str = "handling_hours"
) -> pd.DataFrame:
    """``team, effort_class, norm_hours`` from the norms file, or medians of the cases when absent."""
    if norms is not None:
        return norms[["team", "effort_class", "norm_hours"]].copy()
    derived = cases.groupby(["team", label], observed=True)[hours].median().reset_index()
    return derived.rename(columns={label: "effort_class", hours: "norm_hours"})


def implied_class(
    cases: pd.DataFrame, label: str, norms: pd.DataFrame | None = None, hours: str = "handling_hours"
) -> pd.Series:
    """The effort class that each case's handling hours imply under its team's norms.

    Cases of teams without at least two norm classes, or without recorded hours, get <NA>.
    """
    table = norm_table(cases, label, norms, hours)
    out = pd.Series(pd.NA, index=cases.index, dtype="object")
    for team, rows in table.groupby("team", sort=False):
        rows = rows.sort_values("norm_hours")
        if len(rows) < 2:
            continue
        norm = rows["norm_hours"].to_numpy(dtype=float)
        cuts = np.sqrt(norm[:-1] * norm[1:])
        mask = (cases["team"] == team).to_numpy() & cases[hours].notna().to_numpy()
        index = np.digitize(cases.loc[mask, hours].to_numpy(dtype=float), cuts)
        out[mask] = rows["effort_class"].to_numpy(dtype=object)[index]
    return out


def _order(cases: pd.DataFrame, label: str, norms: pd.DataFrame | None) -> dict[str, int]:
    table = norm_table(cases, label, norms)
    ranks = table.groupby("effort_class")["norm_hours"].mean().sort_values()
    return {str(c): i for i, c in enumerate(ranks.index)}


def label_bias_table(
    cases: pd.DataFrame,
    label: str,
    protected: Sequence[str],
    norms: pd.DataFrame | None = None,
    hours: str = "handling_hours",
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Per protected group: share labelled above / below the hours-implied class, with ratios."""
    implied = implied_class(cases, label, norms, hours)
    order = _order(cases, label, norms)
    known = implied.notna() & cases[label].notna()
    lab = cases.loc[known, label].astype(str).map(order)
    imp = implied[known].astype(str).map(order)
    above, below = (lab > imp).to_numpy(), (lab < imp).to_numpy()
    rows = []
    for attribute in protected:
        groups = cases.loc[known, attribute].astype("string").fillna("<onbekend>").to_numpy(dtype=object)
        for group in sorted(pd.unique(groups), key=str):
            m = groups == group
            rows.append(
                {
                    "attribute": attribute,
                    "group": str(group),
                    "n": int(m.sum()),
                    "n_above": int(above[m].sum()),
                    "n_below": int(below[m].sum()),
                }
            )
    table = pd.DataFrame(rows)
    table["share_above"] = table["n_above"] / table["n"]
    table["share_below"] = table["n_below"] / table["n"]
    table["reference"] = table.groupby("attribute")["n"].transform(lambda s: table.loc[s.idxmax(), "group"])
    ref = table[table["group"] == table["reference"]].set_index("attribute")
    for column in ("share_above", "share_below"):
        with np.errstate(divide="ignore", invalid="ignore"):
            table[f"{column}_ratio"] = (table[column] / table["attribute"].map(ref[column])).round(3)
    table = suppress_small_cells(table, min_cell)  # the agreeing rest (n - above - below) counts as a cell too
    table["share_above"] = table["share_above"].round(4)
    table["share_below"] = table["share_below"].round(4)
    return table


def label_bias_findings(table: pd.DataFrame, low: float, high: float) -> list[str]:
    """Readable findings (Dutch B1 first, English after) for groups outside the ratio band."""
    findings = []
    for _, row in table.iterrows():
        ratio = row["share_above_ratio"]
        if row["group"] == row["reference"] or pd.isna(ratio) or low <= float(ratio) <= high:
            continue
        findings.append(
            f"{row['attribute']}={row['group']}: {float(row['share_above']):.0%} van de zaken is hoger "
            f"ingedeeld dan de behandeluren laten zien, tegen {float(ref_share(table, row)):.0%} bij "
            f"{row['reference']} (ratio {float(ratio):.2f}). / {row['attribute']}={row['group']}: "
            f"{float(row['share_above']):.0%} of cases were "
            f"labelled above the class their handling hours imply, against "
            f"{float(ref_share(table, row)):.0%} for {row['reference']} (ratio {float(ratio):.2f})."
        )
    return findings


def ref_share(table: pd.DataFrame, row: pd.Series) -> float:
    ref = table[(table["attribute"] == row["attribute"]) & (table["group"] == row["reference"])]
    return float(ref["share_above"].iloc[0])


def repair_labels(
    cases: pd.DataFrame, label: str, norms: pd.DataFrame | None = None, hours: str = "handling_hours"
) -> pd.Series:
    """The hours-implied class where it is known, the historical label elsewhere."""
    implied = implied_class(cases, label, norms, hours)
    return implied.where(implied.notna(), cases[label]).astype(object)
