"""Issue 17 part 1: the control share read as a randomised experiment.

The intervals are checked against published values; the monitoring path (the flow's table and
``anchoring_findings``) is run on frames made with the simulator's own caseworker behaviour
(``werkwijzer.simulation.usage.decide``), so these tests take seconds, not twenty runs of
``simulate-usage`` through HTTP (tests/monitor/test_anchoring_cli.py does one of those).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flows.monitor_anchoring import anchoring, times
from models.anchoring import anchoring_findings, anchoring_table, newcombe, wilson, z_for
from models.monitoring import score_band
from werkwijzer.settings import Settings
from werkwijzer.simulation.usage import Behaviour, decide, simulate_weeks
from werkwijzer.teams import EFFORT_CLASSES

MODEL = "werkwijzer-triage-effort_class"
PROTECTED = ["age_band", "sex", "migration_background"]


def test_wilson_and_newcombe_match_the_published_examples() -> None:
    z = z_for(0.95)
    # Newcombe (1998), Statistics in Medicine 17, table II: 56/70 against 48/80, method 10
    d, low, high = newcombe(56, 70, 48, 80, z)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    # Wilson (1927) interval of 81/263 (Newcombe 1998, table I): 0.2553 to 0.3662
    assert tuple(round(x, 4) for x in wilson(81, 263, z)) == (0.2553, 0.3662)
    assert math.isnan(newcombe(0, 0, 1, 2, z)[0])
    assert z_for(0.95, 10) > z_for(0.95)  # simultaneous intervals over ten scopes are wider


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    return simulate_weeks(dt.date(2026, 7, 6), 8, seed=11).cases.reset_index(drop=True)


def experiment(cases: pd.DataFrame, seed: int, anchoring_x: float, control: float, n: int = 2000) -> pd.DataFrame:
    """One pass's decisions: a model that agrees with the caseworker's own judgement in about 60 %
    of cases, a random control share that sees no advice, and the simulator's caseworkers."""
    rng = np.random.default_rng(seed)
    rows = cases.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    behaviour = Behaviour(anchoring=anchoring_x)
    records = []
    for case in rows.to_dict("records"):
        own = str(case["effort_class"])
        model = own if rng.random() < 0.6 else str(rng.choice([c for c in EFFORT_CLASSES if c != own]))
        hidden = rng.random() < control
        final = decide(None if hidden else model, case, list(EFFORT_CLASSES), behaviour, rng).final_effort_class
        minutes = float(rng.gamma(2.0, 10.0 if hidden else 10.0 * (1 - anchoring_x)))
        records.append(
            {
                "case_ref": case["case_id"],
                "team": case["team"],
                "model_name": MODEL,
                "model_version": "3",
                "arm": "hidden" if hidden else "shown",
                "model_class": model,
                "score": float(rng.uniform(0.34, 0.99)),
                "final_effort_class": final,
                "agrees": final == model,
                "minutes_to_decision": minutes,
            }
        )
    frame = pd.DataFrame(records)
    frame["score_band"] = score_band(frame["score"])
    return frame


def audit_file(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[["case_id", *PROTECTED]].drop_duplicates("case_id").astype("string")


def findings(frame: pd.DataFrame, cases: pd.DataFrame, settings: Settings) -> list:
    return anchoring_findings(anchoring(frame, audit_file(cases), settings), settings)


def test_injected_anchoring_is_found_with_its_interval(cases: pd.DataFrame, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, environment="test")
    frame = experiment(cases, 1, 0.3, control=0.2)
    table = anchoring(frame, audit_file(cases), settings)
    overall = table[table["scope"] == "model_name"].iloc[0]
    assert 0 < overall["effect_low"] < overall["effect"] < overall["effect_high"]
    assert 0.08 < overall["effect"] < 0.18  # 0.3 of the ~40 % where model and caseworker differ
    found = anchoring_findings(table, settings)
    headline = [f for f in found if set(f.scope) == {"model_name"}]
    assert headline and headline[0].level in ("note", "warn")
    assert "procentpunt vaker hetzelfde als het model" in headline[0].message_nl
    assert "percentage points more often" in headline[0].message_en
    assert set(table["attribute"].dropna()) <= set(PROTECTED) and table["attribute"].notna().any()
    speed = times(frame, settings)
    medians = speed[speed["team"] == "wmo_meldingen"].set_index("arm")["median_minutes"]
    assert medians["shown"] < medians["hidden"]  # the simulated caseworkers decide faster with advice


def test_without_anchoring_no_alarm_in_at_least_19_of_20_seeded_runs(cases: pd.DataFrame, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, environment="test")
    for control, n in ((0.2, 1500), (0.05, 1000)):  # a large control share, and the default one
        alarms = [seed for seed in range(20) if findings(experiment(cases, seed, 0.0, control, n), cases, settings)]
        assert len(alarms) <= 1, (control, alarms)


def test_small_cells_carry_no_counts_or_rates() -> None:
    frame = pd.DataFrame(
        {
            "model_name": MODEL,
            "team": ["a"] * 60 + ["b"] * 60,
            "arm": (["shown"] * 40 + ["hidden"] * 20) + (["shown"] * 55 + ["hidden"] * 5),
            "agrees": ([True, False] * 20 + [True, False] * 10) + ([True, False] * 30),
        }
    )
    table = anchoring_table(frame, [("model_name", "team")], min_cell=10).set_index("team")
    assert not table.loc["a", "suppressed"] and table.loc["a", "rate_hidden"] == 0.5
    assert table.loc["b", "suppressed"]  # five hidden cases
    assert table.loc["b", ["n_hidden", "agree_hidden", "rate_shown", "effect", "effect_low"]].isna().all()


def test_the_level_needs_the_interval_to_exclude_zero(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, environment="test", anchoring_note=0.05)
    big = pd.DataFrame(
        {
            "scope": ["model_name"] * 2,
            "model_name": [MODEL, "other"],
            "effect": [0.2, 0.2],
            "effect_low": [0.01, -0.01],
            "effect_high": [0.4, 0.41],
            "rate_shown": [0.8, 0.8],
            "rate_hidden": [0.6, 0.6],
            "n_shown": [100, 100],
            "n_hidden": [30, 30],
            "suppressed": [False, False],
        }
    )
    found = anchoring_findings(big, settings)
    assert [(f.scope["model_name"], f.level) for f in found] == [(MODEL, "warn")]
    assert found[0].extra["effect_low"] == 0.01
