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
