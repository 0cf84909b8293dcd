"""The quiet terminal's switches (cli.terminal): set for a command, undone after it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from cli.terminal import quiet_libraries
from werkwijzer.home import prepare_home
from werkwijzer.logs import LIBRARY_LOG_ENV
from werkwijzer.settings import Settings


def test_quiet_libraries_routes_prefect_to_the_log_file_and_undoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_LOGGING_SETTINGS_PATH", raising=False)
    monkeypatch.delenv(LIBRARY_LOG_ENV, raising=False)
    home = prepare_home(Settings(home=tmp_path / "home"), {})
    undo = quiet_libraries(home)
    try:
        assert os.environ[LIBRARY_LOG_ENV] == str(home.log_file)
        config = yaml.safe_load(Path(os.environ["PREFECT_LOGGING_SETTINGS_PATH"]).read_text(encoding="utf-8"))
        assert config["handlers"]["console"]["filename"] == str(home.log_file)
        assert config["root"]["handlers"] == ["console"]  # everything that reaches the root goes to the file
    finally:
        undo()
    assert LIBRARY_LOG_ENV not in os.environ and "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ


def test_verbose_leaves_the_libraries_on_the_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LIBRARY_LOG_ENV, raising=False)
    seen: list[str | None] = []
    monkeypatch.setattr(
        "werkwijzer.simulation.simulate_municipality",
        lambda *a, **k: seen.append(os.environ.get(LIBRARY_LOG_ENV)) or [],
    )
    args = ["simulate", "--out", str(tmp_path / "sim"), "--inhabitants", "5000", "--years", "1"]
    assert CliRunner().invoke(cli, ["--verbose", *args]).exit_code == 0
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert seen[0] is None and seen[1] is not None and seen[1].endswith("werkwijzer.log")
    assert LIBRARY_LOG_ENV not in os.environ  # undone when the command ends
