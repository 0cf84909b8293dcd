"""Live error rates from outcomes against hand-computed numbers, the comparison with the approved
test-set figures, and the findings a rise gives (issue 17 part 2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from explain.outcome_errors import approved_table, compare, error_rates, publishable, wilson
from models.thresholds import evaluate_error_rise
from werkwijzer.settings import Settings


def cases(counts: dict[str, tuple[int, int, int, int]]) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Binary cases per group from (tn, fp, fn, tp)."""
    truth, pred, group = [], [], []
    for name, (tn, fp, fn, tp) in counts.items():
        for t, p, k in ((False, False, tn), (False, True, fp), (True, False, fn), (True, True, tp)):
            truth += [t] * k
            pred += [p] * k
            group += [name] * k
    return np.array(truth), np.array(pred), pd.DataFrame({"sex": group})


def test_rates_ratios_and_intervals_are_the_hand_computed_ones() -> None:
    # vrouw: FPR 20/100 = 0.2, FNR 10/60 = 0.1667, FDR 20/70 = 0.2857; man: FPR 70/100, FNR 10/50, FDR 70/110
    truth, pred, groups = cases({"vrouw": (80, 20, 10, 50), "man": (30, 70, 10, 40)})
    table = error_rates(truth, pred, groups, positive=True).set_index("group")
    assert table.loc["vrouw", "fpr"] == pytest.approx(0.2) and table.loc["man", "fpr"] == pytest.approx(0.7)
    assert table.loc["vrouw", "fnr"] == pytest.approx(10 / 60) and table.loc["man", "fdr"] == pytest.approx(70 / 110)
    assert table.loc["man", "reference"] == "vrouw"  # the largest group (160 vs 150)
    assert table.loc["man", "fpr_ratio"] == pytest.approx(3.5) and table.loc["vrouw", "fpr_ratio"] == 1.0
    assert table.loc["man", "fdr_ratio"] == pytest.approx((70 / 110) / (20 / 70))
    # Wilson 95 % for 20 of 100: centre (0.2 + z²/200) / (1 + z²/100), by hand
    z = 1.959963984540054
    centre = (0.2 + z * z / 200) / (1 + z * z / 100)
    half = z * math.sqrt(0.2 * 0.8 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert table.loc["vrouw", "fpr_low"] == pytest.approx(centre - half)
    assert table.loc["vrouw", "fpr_high"] == pytest.approx(centre + half)
    assert round(float(table.loc["vrouw", "fpr_low"]), 4) == 0.1334  # the textbook value for 20/100
    low, high = wilson([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_small_cells_suppress_the_row_and_its_interval() -> None:
    truth, pred, groups = cases({"vrouw": (80, 20, 10, 50), "x": (30, 4, 12, 20), "man": (30, 70, 10, 40)})
    out = publishable(error_rates(truth, pred, groups, positive=True)).set_index("group")
    assert bool(out.loc["x", "suppressed"]) and pd.isna(out.loc["x", "fp"]) and pd.isna(out.loc["x", "fpr_low"])
    assert pd.isna(out.loc["x", "fpr"]) and pd.isna(out.loc["x", "fpr_ratio"])
    assert not bool(out.loc["vrouw", "suppressed"]) and out.loc["vrouw", "fpr"] == pytest.approx(0.2)


def test_a_rise_beyond_the_interval_is_a_finding_and_noise_is_not() -> None:
    truth, pred, groups = cases({"vrouw": (80, 20, 10, 50), "man": (30, 70, 10, 40)})
    live = publishable(error_rates(truth, pred, groups, positive=True))
    published = pd.DataFrame(  # the champion's fairness.csv of a binary model: no class column
        {
            "attribute": ["sex", "sex"],
            "group": ["vrouw", "man"],
            "tn": ["81", "78"],  # vrouw FPR 19/100, FNR 20/100, FDR 34/114; man FPR 22/100, FNR 20/100, FDR 34/114
            "fp": ["19", "22"],
            "fn": ["20", "20"],
            "tp": ["80", "80"],
            "fpr": ["0.19", "0.22"],
            "fnr": ["0.2", "0.2"],
            "fdr": ["0.3", "0.3"],
            "suppressed": ["False", "False"],
        }
    )
    table = compare(live, approved_table(published, positive="True")).set_index("group")
    assert table.loc["man", "fpr_test"] == pytest.approx(0.22) and table.loc["man", "fpr_rise"] == pytest.approx(0.48)
    # man 70/100 vs 22/100: z = 6.8, p far below 0.05 / 6 comparisons; vrouw 20/100 vs 19/100: p = 0.43
    assert table.loc["man", "fpr_p"] < 1e-9 and table.loc["vrouw", "fpr_p"] == pytest.approx(0.4296, abs=1e-3)
    assert bool(table.loc["man", "fpr_significant"]) and not bool(table.loc["vrouw", "fpr_significant"])
    table = table.reset_index().assign(model_name="werkwijzer-triage-integrated_approach")
    findings = evaluate_error_rise(Settings(environment="test"), table)
    # man: FPR 0.22 -> 0.70 (+48 points), FDR 0.30 -> 0.64 (+34): both stop; FNR 0.2 -> 0.2: nothing
    assert [(f.scope["group"], f.scope["rate"], f.level) for f in findings] == [
        ("man", "fpr", "stop"),
        ("man", "fdr", "stop"),
    ]
    assert findings[0].value == pytest.approx(0.48) and findings[0].extra == {"live": 0.7, "test": 0.22}
    assert "70\xa0%" in findings[0].message_nl and "22\xa0%" in findings[0].message_nl
    assert "klasse" not in findings[0].message_nl  # a binary model: its positive class only
    # the same live rates against test figures they do not exceed beyond noise: nothing
    calm = published.assign(
        fpr=["0.19", "0.66"], fdr=["0.3", "0.62"], tn=["81", "34"], fp=["19", "66"], tp=["80", "40"]
    )
    quiet = compare(live, approved_table(calm, positive="True")).assign(model_name="m")
    assert evaluate_error_rise(Settings(environment="test"), quiet) == []
    # and without approved figures there is nothing to compare with
    assert evaluate_error_rise(Settings(environment="test"), compare(live, None).assign(model_name="m")) == []


def test_the_flow_audits_both_served_models_from_the_stored_outcomes() -> None:
    """The integrated-approach advice is positive at a shown probability of at least one half; the effort
    advice is the suggested class; control cases (nothing shown) are left out of both."""
    from flows.monitor_outcomes import Approved, error_rate_table

    rows = []
    for i in range(200):
        # per group: 25 TN, 25 FP, 25 FN, 25 TP for the integrated model
        shown_p, truth = [(0.1, False), (0.9, False), (0.2, True), (0.6, True)][(i % 100) // 25]
        rows.append(
            {
                "case_ref": f"C{i}",
                "model_name": "werkwijzer-triage-effort_class",
                "advised": True,
                "suggested_class": "complex" if i % 2 else "eenvoudig",
                "effort_class": "complex" if (i // 2) % 2 else "eenvoudig",
                "integrated_probability": shown_p,
                "integrated_approach": truth,
            }
        )
    rows.append(
        {**rows[0], "case_ref": "control", "advised": False, "suggested_class": None, "integrated_probability": None}
    )
    cases = pd.DataFrame(rows)
    audit_file = pd.DataFrame({"case_id": [r["case_ref"] for r in rows], "sex": ["a"] * 100 + ["b"] * 100 + ["a"]})
    models = {
        "werkwijzer-triage-effort_class": Approved("e", "1", ["eenvoudig", "gemiddeld", "complex"], None, None),
        "werkwijzer-triage-integrated_approach": Approved("i", "1", ["False", "True"], "True", None),
    }
    table, notes = error_rate_table(cases, audit_file, models, 10)
    integrated = table[table["model_name"] == "werkwijzer-triage-integrated_approach"].set_index("group")
    assert (
        list(integrated["class"]) == ["True", "True"] and integrated.loc["a", "n"] == 100
    )  # the control case left out
    assert (integrated.loc["a", "fpr"], integrated.loc["a", "fnr"], integrated.loc["a", "fdr"]) == (0.5, 0.5, 0.5)
    effort = table[table["model_name"] == "werkwijzer-triage-effort_class"].set_index(["class", "group"])
    # complex against the rest, per group of 100: 25 in each cell
    assert effort.loc[("complex", "a"), "tp"] == 25 and effort.loc[("complex", "a"), "fnr"] == 0.5
    assert bool(effort.loc[("gemiddeld", "a"), "suppressed"])  # never advised nor true: empty cells, suppressed
    assert len(notes) == 2 and all("testset" in n for n in notes)  # no approved figures to compare with
