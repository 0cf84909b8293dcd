"""Capacity arithmetic on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.capacity import carry_backlog, parse_scenario, plan_capacity

WEEKS = pd.date_range("2027-01-04", periods=3, freq="7D")


def inputs(mean: float = 10.0, spread: float = 0.0, fte: float = 2.0, term: float | None = 14.0):
    forecast = pd.DataFrame(
        {
            "series_id": "wmo",
            "date": WEEKS,
            "mean": mean,
            "lo_80": mean - spread,
            "hi_80": mean + spread,
            "lo_95": mean - 2 * spread,
            "hi_95": mean + 2 * spread,
        }
    )
    norms = pd.DataFrame(
        {
            "team": "wmo",
            "effort_class": ["eenvoudig", "complex"],
            "norm_hours": [2.0, 10.0],
            "effort_share": [0.5, 0.5],
            "productive_hours_per_fte_week": 25.0,
            "statutory_term_days": term if term is not None else np.nan,
        }
    )
    staffing = pd.DataFrame({"team": "wmo", "week": WEEKS[:1], "fte_available": fte})
    return forecast, norms, staffing


def test_hours_fte_and_gap_by_hand() -> None:
    plan = plan_capacity(*inputs(mean=10.0, spread=1.0))
    # 10 cases x (0.5 x 2 + 0.5 x 10 = 6 h) = 60 h = 2.4 FTE at 25 h; 2 FTE available
    assert plan["hours_mean"].tolist() == pytest.approx([60.0] * 3)
    assert plan["fte_needed_mean"].tolist() == pytest.approx([2.4] * 3)
    assert plan["fte_needed_hi_95"].tolist() == pytest.approx([12 * 6 / 25] * 3)
    assert plan["fte_available"].tolist() == [2.0, 2.0, 2.0]
    assert plan["fte_gap"].tolist() == pytest.approx([0.4] * 3)
    # capacity 50 h a week: 10 h a week left over, carried forward
    assert plan["backlog_hours"].tolist() == pytest.approx([10.0, 20.0, 30.0])


def test_scenarios_change_demand_and_staffing() -> None:
    plan = plan_capacity(*inputs(), demand_change={"wmo": 0.10}, fte_change={"wmo": 2.0}, backlog_start={"wmo": 5.0})
    assert plan["intake_mean"].tolist() == pytest.approx([11.0] * 3)
    assert plan["fte_available"].tolist() == [4.0] * 3
    # 66 h needed, 100 h capacity: the 5 h start backlog is cleared in week one
    assert plan["backlog_hours"].tolist() == [0.0, 0.0, 0.0]


def test_breach_probability_without_uncertainty() -> None:
    # capacity 50 h, 60 h arriving weekly, term 2 weeks: throughput (backlog + 60) / 50 is
    # 1.2, 1.4 and 1.6 weeks in weeks 1..3, so no breach yet
    plan = plan_capacity(*inputs(spread=0.0))
    assert plan["breach_probability"].tolist() == [0.0, 0.0, 0.0]
    short = plan_capacity(*inputs(spread=0.0, term=7.0))  # term 1 week: 60/50 = 1.2 > 1 always
    assert short["breach_probability"].tolist() == [1.0, 1.0, 1.0]
    none = plan_capacity(*inputs(term=None))
    assert none["breach_probability"].isna().all()


def test_breach_probability_grows_with_uncertainty_when_on_the_edge() -> None:
    # 50 h capacity, 50 h mean need, term 1 week: a breach whenever intake beats its mean
    plan = plan_capacity(*inputs(mean=50 / 6, spread=2.0, term=7.0))
    assert 0.3 < plan["breach_probability"].iloc[0] < 0.7
    assert plan["breach_probability"].iloc[2] > plan["breach_probability"].iloc[0]


def test_helpers() -> None:
    assert carry_backlog(np.array([5.0, 1.0, 8.0]), np.array([3.0, 3.0, 3.0]), 0.0).tolist() == [
        2.0,
        0.0,
        5.0,
    ]
    assert parse_scenario("wmo:+10%") == ("demand", "wmo", pytest.approx(0.10))
    assert parse_scenario("jeugdhulp:+2fte") == ("fte", "jeugdhulp", 2.0)
    with pytest.raises(ValueError):
        parse_scenario("wmo+10")
    with pytest.raises(ValueError, match="weekly"):
        plan_capacity(inputs()[0].assign(date=WEEKS + pd.Timedelta(days=1)), *inputs()[1:])


def test_breach_risk_lets_the_weeks_move_together_as_the_backtest_errors_did() -> None:
    """On the edge (need = capacity), a backlog adds the weeks up: weeks that move together
    (horizon_correlation, ADR 0031) give it a wider spread and more breaches later on, while a
    single week's risk stays what its own band says. Without the column: independent weeks."""
    weeks = pd.date_range("2027-01-04", periods=13, freq="7D")
    forecast, norms, staffing = inputs(mean=50 / 6, spread=1.0)
    forecast = pd.concat([forecast.iloc[:1]] * 13, ignore_index=True).assign(date=weeks)
    later = {}
    for rho in (0.0, 0.3, 1.0):
        plan = plan_capacity(forecast.assign(horizon_correlation=rho), norms, staffing, draws=4000)
        later[rho] = plan["breach_probability"].iloc[-1]
        first_week = plan_capacity(
            forecast.assign(horizon_correlation=rho), norms.assign(statutory_term_days=7.0), staffing, draws=4000
        )
        assert first_week["breach_probability"].iloc[0] == pytest.approx(0.5, abs=0.03)  # its own band only
    assert later[0.0] < later[0.3] < later[1.0]
    assert later[1.0] - later[0.0] > 0.1
    without = plan_capacity(forecast, norms, staffing, draws=4000)
    assert (
        without["breach_probability"].tolist()
        == plan_capacity(forecast.assign(horizon_correlation=0.0), norms, staffing, draws=4000)[
            "breach_probability"
        ].tolist()
    )
