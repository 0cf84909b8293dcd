"""Monitoring metrics against numbers computed by hand (in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.monitoring import (
    agreement_rates,
    forecast_error,
    join_forecast_actuals,
    live_fairness,
    objection_counts,
    override_surge,
    psi,
    psi_table,
    quantile_edges,
    score_band,
)
from werkwijzer.formatting import number, percent
from werkwijzer.privacy import suppress_small_cells


def test_psi_numeric_uses_reference_quantile_bins() -> None:
    ref = pd.Series(np.arange(1, 11, dtype=float))  # median edge 5.5: shares 0.5 / 0.5
    cur = pd.Series([1, 2, 6, 7, 8, 9, 10, 10, 10, 10], dtype=float)  # shares 0.2 / 0.8
    # (0.2-0.5)*ln(0.2/0.5) + (0.8-0.5)*ln(0.8/0.5) = 0.3*(0.916291 + 0.470004) = 0.415888
    assert psi(ref, cur, bins=2) == pytest.approx(0.415888, abs=1e-6)
    assert psi(ref, ref, bins=10) == pytest.approx(0.0)


def test_psi_value_on_an_edge_goes_to_the_upper_bin() -> None:
    ref = pd.Series(np.arange(1, 11, dtype=float))
    assert list(quantile_edges(ref, 2)) == [5.5]
    # all current values on the edge -> all in the upper bin: 0.5*ln(0.5/1e-4) + 0.5*ln(1/0.5)
    expected = (1e-4 - 0.5) * math.log(1e-4 / 0.5) + 0.5 * math.log(1 / 0.5)
    assert psi(ref, pd.Series([5.5] * 4), bins=2) == pytest.approx(expected)


def test_psi_categorical_smooths_empty_and_unseen_categories() -> None:
    ref = pd.Series(["a", "a", "b", "b"])
    cur = pd.Series(["a", "a", "a", "c"])  # a 0.75, b 0 (-> 1e-4), c 0.25 (reference 0 -> 1e-4)
    expected = 0.25 * math.log(1.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5) + (0.25 - 1e-4) * math.log(0.25 / 1e-4)
    assert psi(ref, cur) == pytest.approx(expected)


def test_psi_counts_missing_values_as_a_bin() -> None:
    ref = pd.Series([1.0, 2.0, 3.0, 4.0])  # edge 2.5
    cur = pd.Series([1.0, 2.0, np.nan, np.nan])  # low 0.5, high 0 (->1e-4), missing 0.5 (reference 1e-4)
    assert psi(ref, cur, bins=2) == pytest.approx(2 * (0.5 - 1e-4) * math.log(0.5 / 1e-4))


def test_psi_table_lists_features_and_refuses_missing_ones() -> None:
    ref = pd.DataFrame({"x": np.arange(10.0), "kind": ["a", "b"] * 5})
    table = psi_table(ref, ref)
    assert list(table["feature"]) == ["x", "kind"]
    assert list(table["kind"]) == ["numeric", "categorical"]
    assert table["psi"].abs().max() == pytest.approx(0.0)
    with pytest.raises(KeyError, match="absent"):
        psi_table(ref, ref, ["absent"])


@pytest.fixture
def joined() -> pd.DataFrame:
    dates = pd.date_range("2026-07-06", periods=3, freq="W-MON")
    forecast = pd.DataFrame(
        {
            "series_id": "a",
            "date": dates,
            "mean": [12.0, 0.0, 15.0],
            "lo_80": [9.0, 0.0, 16.0],
            "hi_80": [15.0, 1.0, 18.0],
            "lo_95": [8.0, 0.0, 14.0],
            "hi_95": [16.0, 2.0, 22.0],
        }
    )
    actuals = pd.DataFrame({"series_id": ["a"] * 3 + ["b"], "date": [*dates, dates[0]], "value": [10, 0, 20, 5]})
    return join_forecast_actuals(forecast, actuals)


def test_forecast_error_by_hand(joined: pd.DataFrame) -> None:
    row = forecast_error(joined).set_index("team").loc["a"]
    assert row["n"] == 3  # team b has no forecast: not joined
    assert row["mae"] == pytest.approx(7 / 3)  # |2|, |0|, |5|
    assert row["mape"] == pytest.approx((0.2 + 0.25) / 2)  # week with actual 0 left out
    assert row["smape"] == pytest.approx((4 / 22 + 0 + 10 / 35) / 3)  # both zero counts as 0
    assert row["bias"] == pytest.approx(-1.0)  # (2 + 0 - 5) / 3: forecast too low
    assert row["coverage_80"] == pytest.approx(2 / 3)  # 20 is outside [16, 18]
    assert row["coverage_95"] == pytest.approx(1.0)


def test_score_bands_include_the_top_edge() -> None:
    bands = score_band(pd.Series([0.95, 0.6, 0.3, 1.0, 0.7]))
    assert list(bands) == ["0.90-1.00", "0.50-0.70", "0.00-0.50", "0.90-1.00", "0.70-0.90"]


def test_agreement_and_override_rates() -> None:
    decisions = pd.DataFrame(
        {
            "team": ["a"] * 4 + ["b"] * 2,
            "followed": [True, True, True, False, False, False],
            "score": [0.95, 0.6, 0.3, 1.0, 0.95, 0.95],
        }
    )
    table = agreement_rates(decisions).set_index("team")
    assert table.loc["a", "agreement_rate"] == pytest.approx(0.75)
    assert table.loc["b", "override_rate"] == pytest.approx(1.0)
    assert table.loc["a", "overridden"] == 1
    banded = agreement_rates(decisions, ("team", "score_band")).set_index(["team", "score_band"])
    assert banded.loc[("a", "0.90-1.00"), "n"] == 2
    assert banded.loc[("a", "0.90-1.00"), "agreement_rate"] == pytest.approx(0.5)


def test_override_surge_is_the_rise_in_points() -> None:
    baseline = pd.DataFrame({"team": "a", "followed": [False] + [True] * 9})  # 10 % overridden
    current = pd.DataFrame({"team": "a", "followed": [False] * 4 + [True] * 6})  # 40 % overridden
    row = override_surge(current, baseline).iloc[0]
    assert row["surge"] == pytest.approx(0.3)
    assert (row["n"], row["n_baseline"]) == (10, 10)


def test_live_fairness_by_hand(cases_from_counts) -> None:
    cases = cases_from_counts({"A": (80, 20, 20, 80), "B": (60, 40, 50, 50)})
    table = live_fairness(cases, ["group_attr"])
    advice = table[table["subject"] == "advice"].set_index("group")
    assert advice.loc["B", "selection_rate"] == pytest.approx(110 / 200)
    assert advice.loc["B", "fpr"] == pytest.approx(0.5)  # 50 / (50 + 50)
    assert advice.loc["B", "fnr"] == pytest.approx(0.4)  # 40 / (40 + 60)
    assert advice.loc["B", "fpr_ratio"] == pytest.approx(2.5)  # against A (largest, then first): 0.5 / 0.2
    assert advice.loc["B", "fnr_ratio"] == pytest.approx(2.0)
    assert advice.loc["B", "selection_rate_ratio"] == pytest.approx(1.1)
    decision = table[table["subject"] == "decision"].set_index("group")
    assert decision.loc["B", "selection_rate"] == pytest.approx(0.5)  # 100 positive decisions of 200
    assert decision["fpr"].isna().all()  # no later outcome known
    with pytest.raises(ValueError, match="reference group 'C'"):
        live_fairness(cases, ["group_attr"], reference={"group_attr": "C"})


def test_small_cells_are_suppressed(cases_from_counts) -> None:
    cases = cases_from_counts({"A": (80, 20, 20, 80), "B": (9, 5, 12, 12), "C": (2, 1, 1, 1)})
    table = suppress_small_cells(live_fairness(cases, ["group_attr"]), min_cell=10)
    advice = table[table["subject"] == "advice"].set_index("group")
    assert not advice.loc["A", "suppressed"]
    assert advice.loc["A", "fpr"] == pytest.approx(0.2)
    assert advice.loc["B", "suppressed"]  # tp 9 < 10
    assert pd.isna(advice.loc["B", "fpr"]) and pd.isna(advice.loc["B", "fp"])
    assert pd.isna(advice.loc["B", "n"])  # 38 is large enough, but the next smallest after C's gives C's away
    assert advice.loc["A", "n"] == 200
    assert pd.isna(advice.loc["C", "n"])  # n = 5
    decision = table[table["subject"] == "decision"].set_index("group")
    assert not decision.loc["A", "suppressed"]  # no outcome known: FPR/FNR cells do not apply
    assert decision.loc["A", "selection_rate"] == pytest.approx(0.5)
    again = suppress_small_cells(table, min_cell=10)
    assert again["suppressed"].equals(table["suppressed"])


def test_objection_rate_per_advice() -> None:
    advice = pd.DataFrame({"team": ["a"] * 40 + ["b"] * 10})
    objections = pd.DataFrame({"team": ["a", "a"]})
    table = objection_counts(objections, advice).set_index("team")
    assert table.loc["a", "objection_rate"] == pytest.approx(0.05)
    assert table.loc["b", "objections"] == 0


def test_numbers_are_written_the_dutch_way() -> None:
    assert number(1234, lang="nl") == "1.234"
    assert number(1234.5, 1, "en") == "1,234.5"
    assert number(0.416, 2, "nl") == "0,42"
    assert percent(0.81, lang="nl") == "81\u00a0%"
    assert percent(0.81, lang="en") == "81%"
    assert percent(float("nan")) == "–"
