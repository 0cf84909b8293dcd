"""The API client of simulate-usage: failures a person can fix come back as one clear message."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.monitor.live import LiveApi
from werkwijzer.client import ApiError, WerkwijzerClient, read_token_file
from werkwijzer.settings import get_settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_api_is_named_with_what_to_do() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with (
        WerkwijzerClient(url, {"caseworker": "ww_x"}, timeout=2) as client,
        pytest.raises(ApiError, match=rf"the API at {url} is not reachable .*werkwijzer serve"),
    ):
        client.check()


def test_a_wrong_or_missing_token_and_a_wrong_role_are_told_apart(live_api: LiveApi) -> None:
    def client(tokens: dict[str, str]) -> WerkwijzerClient:
        return WerkwijzerClient("http://testserver", tokens, http=live_api.client)

    with pytest.raises(ApiError, match=r"refused the caseworker token .*expired or revoked token.*users create"):
        client({"caseworker": "ww_not-a-token"}).check()
    with pytest.raises(ApiError, match="no team_lead token given"):
        client({"caseworker": live_api.tokens["caseworker"]}).teams()
    with pytest.raises(ApiError, match="team_lead token belongs to a user without that role"):
        client({"team_lead": live_api.tokens["caseworker"]}).teams()
    good = client(live_api.tokens)
    assert good.check()["database"] is True
    with pytest.raises(ApiError, match=r"answered 422: body.features.*"):
        good.advise("WMO-1", "wmo_meldingen", {"open_debts": 1})


def test_token_files_hold_role_and_token_per_line(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text("# demo tokens\n  caseworker   ww_a\nteam_lead ww_b  # lead\n\n", encoding="utf-8")
    assert read_token_file(path) == {"caseworker": "ww_a", "team_lead": "ww_b"}
    path.write_text("caseworker\n", encoding="utf-8")
    with pytest.raises(ApiError, match=r"tokens.txt, line 1: expected '<role> <token>'"):
        read_token_file(path)
    with pytest.raises(ApiError, match="cannot read the token file"):
        read_token_file(tmp_path / "missing.txt")


def test_the_commands_refuse_unclear_options() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["monitor"])
    assert result.exit_code == 2 and "exactly one of --once or --cron" in result.output
    result = runner.invoke(cli, ["monitor", "--cron", "every monday"])
    assert result.exit_code == 2 and "five fields" in result.output
    result = runner.invoke(cli, ["simulate-usage"])
    assert result.exit_code == 2 and "--weeks" in result.output


def test_monitor_cron_serves_the_flow_on_that_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--cron`` hands the expression to ``flow.serve``; the deployment it describes fires on that cron."""
    from flows.monitor import monitor

    served: list[dict[str, object]] = []
    monkeypatch.setattr(monitor, "serve", lambda **kwargs: served.append(kwargs))  # serve would block
    result = CliRunner().invoke(cli, ["monitor", "--cron", "0 6 * * 1"])
    assert result.exit_code == 0, result.output
    assert served == [{"name": "werkwijzer-monitor", "cron": "0 6 * * 1"}]
    deployment = monitor.to_deployment(**served[0])  # what serve registers
    assert [s.schedule.cron for s in deployment.schedules] == ["0 6 * * 1"]  # type: ignore[union-attr]
    assert deployment.entrypoint == "flows/monitor.py:monitor"


def test_monitor_refuses_a_store_the_api_never_started_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WERKWIJZER_HOME", str(tmp_path))
    monkeypatch.delenv("WERKWIJZER_DATABASE_URL", raising=False)
    get_settings.cache_clear()  # the command reads the environment through the cached process settings
    try:
        result = CliRunner().invoke(cli, ["monitor", "--once"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "has no tables yet; start the API on it once" in result.output
