"""The parts of the scheduled flows that need no server: what the weekly retraining adds to the champion's
history (complete periods of reported intake, nothing else), the state of a run that needs a person, and
what ``werkwijzer schedule`` refuses."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import cli
from flows.scheduled import ATTENTION, outcome, reported_after


def _daily(team: str, first: str, days: int, count: int) -> pd.DataFrame:
    dates = pd.date_range(first, periods=days, freq="D")
    return pd.DataFrame({"series_id": team, "date": dates, "value": count})


HISTORY = pd.DataFrame(
    {
        "series_id": ["a", "a", "b", "b"],
        "date": pd.to_datetime(["2026-11-09", "2026-11-16"] * 2),
        "value": [30.0, 31, 40, 41],
    }
)


def test_complete_weeks_after_the_history_of_known_teams_only() -> None:
    actuals = pd.concat(
        [
            _daily("a", "2026-11-16", 17, 5),  # a week the history has, one full week, 3 days of the next
            _daily("b", "2026-11-23", 7, 2),
            _daily("z", "2026-11-23", 7, 9),
        ],
        ignore_index=True,
    )  # a team the model never saw
    added = reported_after(HISTORY, actuals, "W")
    assert added.to_dict("records") == [
        {"series_id": "a", "date": pd.Timestamp("2026-11-23"), "value": 35.0},
        {"series_id": "b", "date": pd.Timestamp("2026-11-23"), "value": 14.0},
    ]


@pytest.mark.parametrize(
    "actuals",
    [
        pd.DataFrame(columns=["series_id", "date", "value"]),
        _daily("a", "2026-11-23", 3, 5),  # fewer than half the days of the week: not yet a period
    ],
)
def test_nothing_complete_to_add(actuals: pd.DataFrame) -> None:
    assert reported_after(HISTORY, actuals, "W").empty


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--monitor-cron", "every monday"], "expects five fields"),
        (["--timezone", "Europe/Utrecht"], "not an IANA time zone"),
    ],
)
def test_deploy_refuses_a_bad_schedule(args: list[str], expected: str) -> None:
    ran = CliRunner().invoke(cli, ["schedule", "deploy", *args])
    assert ran.exit_code == 2 and expected in ran.output, ran.output


def test_deploy_and_list_need_a_prefect_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):  # not the session's test server either
        for command in ("deploy", "list"):
            ran = CliRunner().invoke(cli, ["schedule", command])
            assert ran.exit_code == 1 and "PREFECT_API_URL is not set" in ran.output, ran.output


def test_a_run_that_needs_a_person_ends_completed_under_its_own_name(prefect_harness) -> None:  # type: ignore[no-untyped-def]
    from prefect import flow

    @flow
    def scheduled(attention: str | None) -> object:
        return outcome({"model_version": "2"}, attention)

    looked = scheduled("version 2 is registered, not champion", return_state=True)
    fine = scheduled(None, return_state=True)
    assert (looked.type.value, looked.name, looked.message) == (
        "COMPLETED",
        ATTENTION,
        "version 2 is registered, not champion",
    )
    assert looked.result() == fine.result() == {"model_version": "2"}
    assert (fine.type.value, fine.name) == ("COMPLETED", "Completed")
