"""Session-wide test setup: an isolated Werkwijzer home, no telemetry, one small simulated municipality."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="werkwijzer-tests-"))
os.environ.setdefault("WERKWIJZER_HOME", str(_SESSION_HOME / "home"))
os.environ["WERKWIJZER_ENVIRONMENT"] = "test"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_HOME"] = str(_SESSION_HOME / "prefect")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_API_ENABLE_HTTP2"] = "false"
# A test (or a CLI subprocess) that starts its own ephemeral Prefect server waits for it on a busy 2-core
# machine; the default 20 s timed out under load (test_forecast_cli_reports_a_broken_file).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["MPLBACKEND"] = "Agg"

SIM_END = dt.date(2026, 11, 22)  # a Sunday; fixed so every test sees the same data


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated municipality (30,000 inhabitants, 3 years), written once per session."""
    from werkwijzer.simulation import simulate_municipality

    out = tmp_path_factory.mktemp("sim")
    simulate_municipality(out, inhabitants=30_000, years=3, seed=7, end=SIM_END)
    return out


@pytest.fixture(scope="session")
def big_sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default-size municipality (100,000 inhabitants, 6 years), for statistical properties."""
    from werkwijzer.simulation import simulate_municipality

    out = tmp_path_factory.mktemp("bigsim")
    simulate_municipality(out, inhabitants=100_000, years=6, seed=11, end=SIM_END)
    return out


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect ephemeral server for the whole session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings with a private home: its own MLflow SQLite store, artifacts and API database."""
    from werkwijzer.settings import Settings

    home = tmp_path_factory.mktemp("home")
    return Settings(home=home, environment="test", seed=7)


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:  # type: ignore[no-untyped-def]
    """A Werkwijzer home with a small trained setup, as `werkwijzer demo` leaves it, in about a minute.

    A municipality of 20,000 inhabitants over 2 years in ``<home>/data``; a forecast champion
    for two case teams (fast model options) with norms and staffing; and two triage runs for
    ``effort_class``: version 1 on the biased historical label (refused by the fairness gate) and
    version 2 with the label repaired from hours (the candidate, approved by the named test owner of
    ``tests.approval``). For the notebooks and the report.
    """
    import pandas as pd

    from flows.train_forecast import train_forecast
    from flows.train_triage import train_triage
    from werkwijzer.settings import Settings
    from werkwijzer.simulation import simulate_municipality

    home = tmp_path_factory.mktemp("trained-home")
    settings = Settings(home=home, environment="test", seed=7)
    data = settings.data_dir
    simulate_municipality(data, inhabitants=20_000, years=2, seed=7, end=SIM_END)
    intake = pd.read_csv(data / "intake_weekly.csv")
    intake[intake["series_id"].isin(["jeugdhulp", "wmo_meldingen"])].to_csv(home / "intake_two_teams.csv", index=False)
    train_forecast(
        home / "intake_two_teams.csv",
        freq="W",
        horizon=13,
        cutoffs=2,
        settings=settings,
        models=["seasonal_naive", "glm", "gbm"],
        model_options={"max_iter": 25, "max_rows": 20_000},
        norms=data / "norms.csv",
        staffing=data / "staffing.csv",
    )
    for options in ({}, {"label_repair": "hours", "norms_path": str(data / "norms.csv")}):
        train_triage(
            str(data / "cases.csv"), str(data / "feature_registry.yaml"), "effort_class", settings=settings, **options
        )
    from tests.approval import approve_all

    approve_all(settings)  # a named person puts the candidates into use (ADR 0019), as the demo's owner does
    return home
