"""The home is made in one place, before Prefect or MLflow need it (werkwijzer.home)."""

from __future__ import annotations

from pathlib import Path

from werkwijzer.home import prepare_home
from werkwijzer.settings import Settings


def test_prepare_home_makes_a_nested_home_and_prefects_folder(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    home = prepare_home(Settings(home=tmp_path / "a" / "b"), env)
    assert home.root == (tmp_path / "a" / "b").resolve() and home.root.is_dir()
    assert env["PREFECT_HOME"] == str(home.root / "prefect") and home.prefect.is_dir()
    assert home.log_file.parent.is_dir() and home.log_file.name == "werkwijzer.log"
    # Prefect's 20 s wait for its ephemeral server timed out on a busy machine in `werkwijzer demo`
    assert int(env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]) >= 120


def test_prepare_home_keeps_and_makes_a_given_prefect_home(tmp_path: Path) -> None:
    env = {
        "PREFECT_HOME": str(tmp_path / "elsewhere" / "prefect"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "30",
    }
    home = prepare_home(Settings(home=tmp_path / "home"), env)
    assert env["PREFECT_HOME"] == str(tmp_path / "elsewhere" / "prefect")
    assert env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "30"
    assert home.prefect == tmp_path / "elsewhere" / "prefect" and home.prefect.is_dir()
