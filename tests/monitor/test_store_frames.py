"""The store as frames: the period is half-open, joins are right, and no selection reason leaves per case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from casework import frames as store_frames
from casework.frames import open_store, read_frames
from casework.modelstore import ModelStore
from tests.api.conftest import database_url, new_case
from tests.monitor.live import LiveApi, start_live_api
from werkwijzer.periods import Period
from werkwijzer.settings import Settings

EFFORT = "werkwijzer-triage-effort_class"


def _advise(api: LiveApi, n: int, at: dt.datetime, control: bool = False) -> str:
    api.clock.now = at
    api.rng.pinned = 0.0 if control else 0.99
    r = api.client.post("/api/v1/advice", json=new_case(n), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return r.json()["advice_id"]


def _suggested(api: LiveApi, advice_id: str) -> str:
    shown = api.client.get(f"/api/v1/advice/{advice_id}", headers=api.headers("caseworker")).json()
    return shown["suggestion"]["suggested_effort_class"]


def _decide(api: LiveApi, advice_id: str, outcome: str, final: str) -> None:
    body = {
        "outcome": outcome,
        "final_effort_class": final,
        "motivation": "Gesprek wees anders uit." if outcome == "deviated" else None,
    }
    r = api.client.post(f"/api/v1/advice/{advice_id}/decision", json=body, headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_api(
    request: pytest.FixtureRequest, live_settings: Settings, live_models: ModelStore, tmp_path: Path
) -> Iterator[LiveApi]:
    """The live API on SQLite and on the local PostgreSQL (skipped with the reason when it is not there)."""
    url = database_url(request.param, tmp_path, request)
    yield from start_live_api(live_settings, live_models, tmp_path, dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), url)


def test_frames_hold_the_period_joined_and_without_selection_reasons(store_api: LiveApi) -> None:
    api = store_api
    utc = dt.UTC
    before = _advise(api, 1, dt.datetime(2026, 2, 27, 23, 59, tzinfo=utc))
    first = _advise(api, 2, dt.datetime(2026, 3, 1, 0, 0, tzinfo=utc))
    control = _advise(api, 3, dt.datetime(2026, 3, 2, 12, 0, tzinfo=utc), control=True)
    _decide(api, first, "followed", _suggested(api, first))
    _decide(api, control, "deviated", "complex")
    _decide(api, before, "followed", _suggested(api, before))  # decided inside the period, advised before it
    r = api.client.post(
        f"/api/v1/advice/{first}/objection",
        json={"kind": "objection", "summary": "Oneens."},
        headers=api.headers("caseworker"),
    )
    assert r.status_code == 201
    api.clock.now = dt.datetime(2026, 3, 3, 8, 0, tzinfo=utc)
    r = api.client.put(
        "/api/v1/admin/advice-switch",
        json={"scope": EFFORT, "enabled": False, "reason": "test stop"},
        headers=api.headers("admin"),
    )
    assert r.status_code == 200, r.text
    off = _advise(api, 4, dt.datetime(2026, 3, 4, 8, 0, tzinfo=utc))
    api.clock.now = dt.datetime(2026, 4, 2, 8, 0, tzinfo=utc)
    r = api.client.put(
        "/api/v1/teams/wmo_meldingen/intake",
        headers=api.headers("team_lead"),
        json={
            "records": [
                {"date": "2026-02-28", "count": 3},
                {"date": "2026-03-01", "count": 5},
                {"date": "2026-03-31", "count": 9},
                {"date": "2026-04-01", "count": 1},
            ]
        },
    )
    assert r.status_code == 200, r.text
    _advise(api, 5, dt.datetime(2026, 4, 1, 0, 0, tzinfo=utc))  # the end is excluded

    frames = read_frames(open_store(api.settings), Period.of(dt.date(2026, 3, 1), dt.date(2026, 4, 1)))

    advice = frames.advice
    assert list(advice.columns) == list(store_frames.ADVICE_COLUMNS)
    assert advice["advice_id"].tolist() == [first, control, off]
    assert advice["advised"].tolist() == [True, False, False]
    assert "selection_reason" not in "".join(advice.columns)
    assert advice.loc[0, "model_name"] == EFFORT and advice.loc[0, "top_probability"] > 0
    use = frames.advice_use.set_index("team")
    assert use.loc["wmo_meldingen", ["advised", "control", "switched_off"]].tolist() == [1, 1, 1]

    decisions = frames.decisions.set_index("advice_id")
    assert list(frames.decisions.columns) == list(store_frames.DECISION_COLUMNS)
    assert set(decisions.index) == {first, control, before}
    assert decisions.loc[first, "followed"] and not decisions.loc[control, "followed"]
    assert decisions.loc[first, "score_band"] in {"0.00-0.50", "0.50-0.70", "0.70-0.90", "0.90-1.00"}
    assert pd.isna(decisions.loc[control, "score_band"]) and not decisions.loc[control, "advised"]
    assert decisions.loc[control, "final_effort_class"] == "complex"

    assert frames.objections[["advice_id", "team", "model_name", "kind"]].values.tolist() == [
        [first, "wmo_meldingen", EFFORT, "objection"]
    ]
    assert frames.objections.loc[0, "date"] == pd.Timestamp("2026-03-02")
    switch = frames.switch_changes.iloc[0]
    assert (switch["model_name"], bool(switch["enabled"]), switch["actor"], switch["reason"]) == (
        EFFORT,
        False,
        "test admin",
        "test stop",
    )
    assert frames.intake["date"].dt.strftime("%m-%d").tolist() == ["03-01", "03-31"]


def test_an_empty_period_gives_typed_empty_frames(store_api: LiveApi) -> None:
    frames = read_frames(open_store(store_api.settings), Period.of(dt.date(2020, 1, 1), dt.date(2020, 2, 1)))
    assert frames.advice.empty and list(frames.advice.columns) == list(store_frames.ADVICE_COLUMNS)
    assert frames.decisions.empty and frames.decisions["followed"].dtype == bool
    assert frames.advice_use.empty and list(frames.advice_use.columns) == list(store_frames.USE_COLUMNS)
    assert frames.switch_changes.empty and frames.objections.empty and frames.intake.empty


def test_a_period_must_move_forward() -> None:
    with pytest.raises(ValueError, match="must lie after"):
        Period.of(dt.date(2026, 3, 1), dt.date(2026, 3, 1))


def test_a_store_the_api_never_started_on_is_refused_with_what_to_do(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, environment="test", database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(store_frames.StoreNotReady, match=r"empty.db has no tables yet; start the API"):
        open_store(settings)
