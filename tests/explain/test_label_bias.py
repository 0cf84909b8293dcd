from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from explain.label_bias import implied_class, label_bias_findings, label_bias_table, repair_labels
from werkwijzer.contracts import read_cases, read_norms, read_registry


@pytest.fixture(scope="module")
def sim(sim_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    registry = read_registry(sim_dir / "feature_registry.yaml")
    return read_cases(sim_dir / "cases.csv", registry), read_norms(sim_dir / "norms.csv"), registry.protected


def test_hours_implied_class_uses_geometric_midpoints_of_the_team_norms() -> None:
    norms = pd.DataFrame(
        {"team": ["t"] * 3, "effort_class": ["eenvoudig", "gemiddeld", "complex"], "norm_hours": [2.0, 8.0, 32.0]}
    )
    cases = pd.DataFrame(
        {"team": ["t"] * 4, "handling_hours": [3.9, 4.1, 15.9, 16.1], "effort_class": ["eenvoudig"] * 4}
    )
    assert implied_class(cases, "effort_class", norms).tolist() == ["eenvoudig", "gemiddeld", "gemiddeld", "complex"]


def test_the_simulated_label_bias_is_found_for_buiten_europa(sim: tuple) -> None:
    cases, norms, protected = sim
    table = label_bias_table(cases, "effort_class", protected, norms).set_index(["attribute", "group"])
    row = table.loc[("migration_background", "buiten_europa")]
    assert row["reference"] == "nederland"
    assert float(row["share_above_ratio"]) > 2.0  # about 30 % vs 10 % labelled above the hours
    assert 0.8 <= float(table.loc[("sex", "man"), "share_above_ratio"]) <= 1.25
    findings = label_bias_findings(table.reset_index(), 0.8, 1.25)
    assert len(findings) == 1 and findings[0].startswith("migration_background=buiten_europa")
    assert "hoger ingedeeld dan de behandeluren" in findings[0]


def test_repaired_labels_are_free_of_the_group_skew(sim: tuple) -> None:
    cases, norms, protected = sim
    repaired = cases.assign(effort_class=repair_labels(cases, "effort_class", norms))
    table = label_bias_table(repaired, "effort_class", protected, norms)
    assert label_bias_findings(table, 0.8, 1.25) == []
    assert set(repaired["effort_class"]) == {"eenvoudig", "gemiddeld", "complex"}


def test_label_audit_suppresses_every_small_cell_and_small_group() -> None:
    """label_audit.csv: the agreeing rest of a group counts as a cell, and a small group's n is hidden."""
    norms = pd.DataFrame(
        {"team": ["t"] * 3, "effort_class": ["eenvoudig", "gemiddeld", "complex"], "norm_hours": [2.0, 8.0, 32.0]}
    )

    def group(name: str, above: int, below: int, same: int) -> pd.DataFrame:
        hours = [2.0] * above + [32.0] * below + [8.0] * same  # the label is "gemiddeld" for every case
        return pd.DataFrame({"team": "t", "handling_hours": hours, "effort_class": "gemiddeld", "g": name})

    cases = pd.concat(
        [group("A", 30, 30, 40), group("B", 12, 12, 6), group("C", 2, 2, 3), group("D", 40, 40, 40)], ignore_index=True
    )
    table = label_bias_table(cases, "effort_class", ["g"], norms).set_index("group")
    assert not table.loc["A", "suppressed"] and table.loc["A", "n_above"] == 30
    assert table.loc["B", "suppressed"] and pd.isna(table.loc["B", "share_above"])  # only 6 agree
    assert table.loc["C", "suppressed"] and pd.isna(table.loc["C", "n"])  # 7 cases in all
    assert pd.isna(table.loc["B", "n"])  # the next smallest n, or C's could be worked out from the total
