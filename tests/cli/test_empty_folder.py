"""The commands as a new user runs them: the real ``werkwijzer`` executable in an empty folder, with
no Werkwijzer or Prefect settings and a home that does not exist yet (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WERKWIJZER = Path(sys.executable).with_name("werkwijzer")
COMMAND_TIMEOUT = 300  # a hung Prefect start-up used to retry for minutes; fail well before the suite's patience


@dataclass(frozen=True)
class Ran:
    args: list[str]
    cwd: Path
    home: Path
    returncode: int
    stdout: str
    stderr: str

    def explain(self) -> str:
        return f"{' '.join(self.args)} -> {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def new_user_env(**extra: str) -> dict[str, str]:
    """This process's environment without any WERKWIJZER_* or PREFECT_* setting, telemetry off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WERKWIJZER_", "PREFECT_"))}
    env["DO_NOT_TRACK"] = "1"
    return env | extra


def run(args: list[str], cwd: Path, home: Path, env: dict[str, str]) -> Ran:
    done = subprocess.run(
        [str(WERKWIJZER), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    return Ran(args, cwd, home, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``werkwijzer simulate`` of a small municipality, run from an empty folder."""
    cwd = tmp_path_factory.mktemp("simulate")
    ran = run(
        ["simulate", "--out", "sim", "--inhabitants", "5000", "--years", "1", "--seed", "7", "--end", "2026-11-22"],
        cwd,
        cwd / ".werkwijzer",
        new_user_env(),
    )
    assert ran.returncode == 0, ran.explain()
    return cwd / "sim"


@pytest.fixture(scope="module")
def forecast_run(sim: Path, tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """``werkwijzer forecast`` in an empty folder, with the default home (``./.werkwijzer``)."""
    cwd = tmp_path_factory.mktemp("forecast-empty")
    return run(
        [
            "forecast",
            "--data",
            str(sim / "intake_weekly.csv"),
            "--freq",
            "W",
            "--horizon",
            "4",
            "--cutoffs",
            "1",
            "--out",
            "out",
        ],
        cwd,
        cwd / ".werkwijzer",
        new_user_env(),
    )


@pytest.fixture(scope="module")
def triage_run(sim: Path, tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """``werkwijzer triage train`` in an empty folder, with a WERKWIJZER_HOME two levels deep that does not exist.

    On the historical effort label, which is biased, so the fairness gate keeps the model from promotion.
    """
    cwd = tmp_path_factory.mktemp("triage-empty")
    home = cwd / "not" / "yet"
    return run(
        [
            "triage",
            "train",
            "--cases",
            str(sim / "cases.csv"),
            "--target",
            "effort_class",
            "--registry",
            str(sim / "feature_registry.yaml"),
            "--out",
            "out",
        ],
        cwd,
        home,
        new_user_env(WERKWIJZER_HOME=str(home)),
    )


LIBRARY_LINES = (
    " | INFO ",
    "INFO mlflow",
    "Task run",
    "Flow run",
    "Downloading artifacts",
    "UserWarning",
    "Successfully registered model",
)


@pytest.mark.parametrize("name", ["forecast_run", "triage_run"])
def test_the_terminal_is_quiet_and_names_the_log_file(name: str, request: pytest.FixtureRequest) -> None:
    ran: Ran = request.getfixturevalue(name)
    terminal = ran.stdout + ran.stderr
    assert not [line for line in terminal.splitlines() if any(noise in line for noise in LIBRARY_LINES)], ran.explain()
    log_file = ran.home.resolve() / "logs" / "werkwijzer.log"
    assert f"details (Prefect, MLflow): {log_file}" in ran.stdout
    logged = log_file.read_text(encoding="utf-8")
    assert "Flow run" in logged and "Finished in state Completed()" in logged  # Prefect's lines are kept there
    assert "mlflow" in logged


def test_forecast_works_in_an_empty_folder(forecast_run: Ran) -> None:
    assert forecast_run.returncode == 0, forecast_run.explain()
    assert (forecast_run.cwd / "out" / "forecast.csv").is_file()
    assert (forecast_run.home / "mlflow.db").is_file() and (forecast_run.home / "prefect").is_dir()


def test_triage_train_works_with_a_home_that_does_not_exist_yet(triage_run: Ran) -> None:
    assert triage_run.returncode == 3, triage_run.explain()  # trained and registered; a gate refused it
    assert "registered werkwijzer-triage-effort_class version 1; candidate: no" in triage_run.stdout
    assert (triage_run.home / "mlflow.db").is_file() and (triage_run.home / "prefect").is_dir()
    assert (triage_run.cwd / "out").is_dir()


def test_exit_code_3_says_why_on_standard_error(triage_run: Ran) -> None:
    assert "gate fairness: FAILED" in triage_run.stdout
    assert (
        "not a candidate: werkwijzer-triage-effort_class version 1 is registered, failed its gates (fairness) "
        "and can never be approved" in triage_run.stderr
    )
