"""A small report input whose figures are known: 2026-Q3, three teams, one of them with small cells."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from explain.report import ReportData, parse_period
from models.monitoring import live_fairness
from tests.api.conftest import postgres_server  # noqa: F401  (for the PostgreSQL variant of the store tests)
from tests.monitor.live import (  # noqa: F401  (fixtures of a running API)
    live_api,
    live_models,
    live_settings,
    sim_models,
    sim_settings,
)

TEAMS = ("bijstand_aanvragen", "wmo_meldingen", "jeugdhulp")
WEEKS = pd.date_range("2026-07-06", "2026-09-28", freq="W-MON")  # 13 Mondays inside Q3


def _cases_from_counts(counts: dict[str, tuple[int, int, int, int]], attribute: str = "group_attr") -> pd.DataFrame:
    """Rows with advice vs decision from (tp, fn, fp, tn) per group."""
    rows = []
    for group, (tp, fn, fp, tn) in counts.items():
        for advice, decision, k in ((True, True, tp), (False, True, fn), (True, False, fp), (False, False, tn)):
            rows += [{attribute: group, "advice_positive": advice, "decision_positive": decision}] * k
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def cases_from_counts() -> Callable[..., pd.DataFrame]:
    return _cases_from_counts


def _decisions(team: str, n: int, followed: int, version: str = "3") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "team": team,
            "model_name": "werkwijzer-triage-effort_class",
            "model_version": version,
            "followed": [True] * followed + [False] * (n - followed),
        }
    )


def _intake() -> pd.DataFrame:
    parts = []
    for i, team in enumerate(TEAMS):
        actual = 20.0 + 5 * i + (np.arange(len(WEEKS)) % 4)  # 20, 21, 22, 23, 20, ...
        mean = np.full(len(WEEKS), 21.5 + 5 * i)
        parts.append(
            pd.DataFrame(
                {
                    "team": team,
                    "date": WEEKS,
                    "actual": actual,
                    "mean": mean,
                    "lo_80": mean - 1,
                    "hi_80": mean + 1,
                    "lo_95": mean - 4,
                    "hi_95": mean + 4,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def make_report_data(advised_scale: int = 1) -> ReportData:
    capacity = pd.concat(
        [
            pd.DataFrame(
                {
                    "team": team,
                    "week": WEEKS,
                    "fte_needed_mean": 10.0 + i,
                    "fte_available": 11.0,
                    "backlog_hours": np.linspace(100, 100 + 50 * i, len(WEEKS)),
                }
            )
            for i, team in enumerate(TEAMS)
        ],
        ignore_index=True,
    )
    advice_use = pd.DataFrame(
        {
            "team": list(TEAMS),
            "model_name": "werkwijzer-triage-effort_class",
            "advised": [1000 * advised_scale, 226 * advised_scale, 8],
            "control": [50, 12, 3],
            "switched_off": [20, 15, 0],
        }
    )
    decisions = pd.concat(
        [_decisions("bijstand_aanvragen", 100, 81), _decisions("wmo_meldingen", 50, 40), _decisions("jeugdhulp", 8, 7)],
        ignore_index=True,
    )
    cases = _cases_from_counts({"A": (80, 20, 20, 80), "B": (60, 40, 50, 50), "C": (9, 5, 12, 12)})
    fairness = live_fairness(cases, ["group_attr"])
    objections = pd.DataFrame(
        {
            "team": ["bijstand_aanvragen"] * 12 + ["wmo_meldingen"] * 20 + ["jeugdhulp"] * 3,
            "model_name": "werkwijzer-triage-effort_class",
            "date": pd.Timestamp("2026-08-03"),
        }
    )
    stop_events = pd.DataFrame(
        {
            "time": pd.to_datetime(["2026-08-10 09:00", "2026-08-12 16:30"]),
            "model_name": ["werkwijzer-triage-effort_class", "werkwijzer-triage-effort_class"],
            "advice_on": [False, True],
            "actor": ["monitoring", "beheerder"],
            "reason": ["PSI boven stopgrens", "nieuw model getraind en goedgekeurd"],
        }
    )
    model_changes = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-08-12"]),
            "version": ["3"],
            "model_name": ["werkwijzer-triage-effort_class"],
            "change": ["nieuwe champion"],
        }
    )
    entry = {
        "name": "Werkwijzer inschatting werklast",
        "description_short": "Advies over de verwachte werklast.",
        "organization": "Gemeente Voorbeeldstad",
        "status": "In gebruik",
        "contact_email": "a@b.nl",
        "publication_category": "Hoog-risico AI-systeem",
        "lang": "nld",
        "standard_version": "1.0",
        "human_intervention": "Een consulent beslist altijd zelf.",
    }
    return ReportData(
        period=parse_period("2026-Q3"),
        organization="Gemeente Voorbeeldstad",
        intake=_intake(),
        capacity=capacity,
        advice_use=advice_use,
        decisions=decisions,
        fairness=fairness,
        objections=objections,
        stop_events=stop_events,
        model_changes=model_changes,
        register_entries=[entry],
    )


@pytest.fixture(scope="session")
def report_data() -> ReportData:
    return make_report_data()


@pytest.fixture(scope="session")
def make_report() -> Callable[..., ReportData]:
    return make_report_data
