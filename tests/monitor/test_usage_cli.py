"""The two commands as a user runs them: simulate-usage over a real socket to a served API, then monitor.

The API runs in uvicorn in a thread on a free port, so the command goes through its own HTTP
client, its own user creation (no tokens given) and the settings from the environment.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from api.main import create_app
from casework.modelstore import ModelStore
from cli.main import cli
from tests.monitor.live import USE_START
from werkwijzer.contracts.characteristics import read_characteristics
from werkwijzer.settings import Settings, get_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(
    sim_settings: Settings, sim_models: ModelStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Settings]]:
    yield from serve_api(sim_settings, sim_models, tmp_path, monkeypatch)


def serve_api(
    sim_settings: Settings, sim_models: ModelStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Settings]]:
    """The API in uvicorn on a free port, with the commands' environment pointing at its store."""
    settings = sim_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'api.db'}",
            "characteristics_path": tmp_path / "audit" / "characteristics.csv",
        }
    )
    for name, value in (
        ("HOME", settings.home),
        ("DATABASE_URL", settings.database_url),
        ("CHARACTERISTICS_PATH", settings.characteristics_path),
        ("SEED", settings.seed),
        ("CONTROL_SHARE", settings.control_share),
    ):
        monkeypatch.setenv(f"WERKWIJZER_{name}", str(value))
    get_settings.cache_clear()  # the commands read the environment through the cached process settings
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, sim_models), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", settings
    server.should_exit = True
    thread.join(timeout=10)
    get_settings.cache_clear()


@pytest.mark.usefixtures("prefect_harness")
def test_simulate_usage_then_monitor_from_the_command_line(served: tuple[str, Settings]) -> None:
    url, settings = served
    runner = CliRunner()
    wrong = runner.invoke(
        cli,
        ["simulate-usage", "--weeks", "1", "--url", url, "--start", USE_START.isoformat(), "--token-file", "-"],
        input="caseworker ww_wrong\nteam_lead ww_wrong\n",
    )
    assert wrong.exit_code == 1 and "the API refused the caseworker token" in wrong.output
    assert not settings.characteristics_file.exists()  # nothing half-written

    result = runner.invoke(
        cli, ["simulate-usage", "--weeks", "1", "--url", url, "--start", USE_START.isoformat(), "--rubber-stamp"]
    )
    assert result.exit_code == 0, result.output
    stamped = re.search(r"(\d+) with advice, (\d+) of \d+ decisions followed the advice", result.output)
    assert stamped and stamped[1] == stamped[2]  # the flag reached the caseworkers: every advice followed
    assert "created users simulatie-caseworker, simulatie-team_lead" in result.output
    assert f"simulated {USE_START} to {USE_START + dt.timedelta(days=6)}:" in result.output
    audit = read_characteristics(settings.characteristics_file, ["age_band", "sex", "migration_background"])
    assert f"{len(audit)} cases" in result.output
    assert f"  cases through the API: {len(audit)} of {len(audit)}\n" in result.output  # not a terminal: plain lines

    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    result = runner.invoke(cli, ["monitor", "--once", "--end", end])
    assert result.exit_code == 3, result.output  # a stop fired (cli.exits)
    assert f"{len(audit)} advice, {len(audit)} decisions" in result.output and "MLflow run" in result.output
    assert "[stop] Stop: Consulenten volgen het advies bijna altijd" in result.output
    assert "advice switched OFF for: werkwijzer-triage-effort_class" in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_the_demo_feeds_use_over_a_loopback_port_and_monitors_it(
    sim_settings: Settings, sim_models: ModelStore, tmp_path: Path
) -> None:
    from casework.db import make_engine, migrate, session_factory
    from casework.users import create_user, every_team
    from cli.monitoring import simulate_use_in_process

    settings = sim_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'demo.db'}",
            "characteristics_path": tmp_path / "characteristics.csv",
        }
    )
    engine = make_engine(settings.database)
    migrate(engine)
    with session_factory(engine)() as session:
        tokens = {
            role: create_user(session, f"demo-{role}", role, dt.datetime.now(dt.UTC), every_team(role))[1]
            for role in ("caseworker", "team_lead")
        }
    engine.dispose()

    usage, run = simulate_use_in_process(settings, tokens, 1, USE_START, inhabitants=100_000, years=6, store=sim_models)

    assert usage.advice > 50 and usage.decisions == usage.advice
    assert run.counts["advice"] == usage.advice and run.stopped == []
