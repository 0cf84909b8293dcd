"""Validate the audit on real group-wise confusion matrices: Amsterdam's 'Slimme Check'.

The city published TN/FP/FN/TP per group (cells < 10 set to 0). Rebuilding one outcome row per
counted case and running our audit must reproduce the FPR per group, and the jump in the false
positive rate from about 22 % in the pre-pilot to about 70 % in the pilot.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from explain.fairness import audit, export_table, fairness_gate

XLSX = Path("/work/shared/amsterdam_fairness/20240308_CMs_LHR_SlimmeCheck.xlsx")
pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def matrices() -> pd.DataFrame:
    if not XLSX.is_file():
        pytest.skip(f"{XLSX} not present")
    pytest.importorskip("openpyxl")
    long = pd.read_excel(XLSX)
    wide = long.pivot_table(
        index=["Dataset", "Model", "Feature", "Feature_Value"], columns="Metric", values="Value"
    ).reset_index()
    wide["Feature_Value"] = wide["Feature_Value"].astype(str)
    return wide


def outcomes(wide: pd.DataFrame, dataset: str, feature: str) -> pd.DataFrame:
    """One row per case of the (reweighed) model: label, prediction, group."""
    rows = wide[(wide["Dataset"] == dataset) & (wide["Model"] == "AR") & (wide["Feature"] == feature)]
    parts = []
    for _, r in rows.iterrows():
        counts = {k: int(r[k]) for k in ("TN", "FP", "FN", "TP")}
        label = [False] * (counts["TN"] + counts["FP"]) + [True] * (counts["FN"] + counts["TP"])
        pred = [False] * counts["TN"] + [True] * counts["FP"] + [False] * counts["FN"] + [True] * counts["TP"]
        parts.append(pd.DataFrame({"label": label, "prediction": pred, feature: r["Feature_Value"]}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("dataset", ["Prepilot", "Pilot"])
def test_audit_reproduces_the_published_fpr_per_group(matrices: pd.DataFrame, dataset: str) -> None:
    data = outcomes(matrices, dataset, "geslacht")
    table = audit(data["label"], data["prediction"], data[["geslacht"]], positive=True).set_index("group")
    rows = matrices[
        (matrices["Dataset"] == dataset) & (matrices["Model"] == "AR") & (matrices["Feature"] == "geslacht")
    ].set_index("Feature_Value")
    for group in ("M", "V"):
        expected = rows.loc[group, "FP"] / (rows.loc[group, "FP"] + rows.loc[group, "TN"])
        assert table.loc[group, "fpr"] == pytest.approx(expected)
        assert table.loc[group, "n"] == rows.loc[group, ["TN", "FP", "FN", "TP"]].sum()


def test_fpr_rose_from_about_22_to_about_70_percent(matrices: pd.DataFrame) -> None:
    overall = {}
    for dataset in ("Prepilot", "Pilot"):
        data = outcomes(matrices, dataset, "geslacht")
        fp = int((~data["label"] & data["prediction"]).sum())
        tn = int((~data["label"] & ~data["prediction"]).sum())
        overall[dataset] = fp / (fp + tn)
    assert overall["Prepilot"] == pytest.approx(0.22, abs=0.02)
    assert overall["Pilot"] == pytest.approx(0.70, abs=0.03)


def test_city_suppressed_groups_stay_suppressed_in_our_export(matrices: pd.DataFrame) -> None:
    data = outcomes(matrices, "Pilot", "Leeftijd<30")
    table = audit(data["label"], data["prediction"], data[["Leeftijd<30"]], positive=True)
    exported = export_table(table, min_cell=10).set_index("group")
    # the city zeroed the small cells of the under-30 group: our export suppresses that row
    assert exported.loc["1", "suppressed"]
    assert pd.isna(exported.loc["1", "fpr"])
    assert not exported.loc["0", "suppressed"]
    assert np.isfinite(exported.loc["0", "fpr"])


def test_gate_within_the_pilot_finds_no_sex_disparity_in_fpr(matrices: pd.DataFrame) -> None:
    """Audited per stage (item 16): within the pilot, men and women have similar FPRs (gate passes)."""
    data = outcomes(matrices, "Pilot", "geslacht")
    table = audit(data["label"], data["prediction"], data[["geslacht"]], positive=True)
    gate = fairness_gate(table, low=0.8, high=1.25, priority=("fpr",))
    assert gate.passed
