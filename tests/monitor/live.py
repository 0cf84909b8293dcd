"""A running advisory API on SQLite with the toy champions, for monitoring tests.

The fixtures are imported by ``tests/monitor/conftest.py``; they are lazy, so the report tests
in this folder do not pay for MLflow and a database. The app
gets a settable clock, so tests can place advice and decisions inside or outside a period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from casework.config import ROLES
from casework.modelstore import ModelStore
from casework.users import create_user, every_team
from tests.api.conftest import Api, SteerableRandom, on_database
from tests.api.toymodels import TOY_LIBRARY, register_toy_models
from werkwijzer.settings import Settings


@dataclass
class Clock:
    """The app's clock; tests move ``now``."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("monitor-home"), environment="test", seed=7, control_share=0.05)


@pytest.fixture(scope="session")
def live_models(live_settings: Settings) -> ModelStore:
    register_toy_models(live_settings)
    store = ModelStore(live_settings, TOY_LIBRARY)
    assert all(r.status == "loaded" for r in store.reload().values())
    return store


@dataclass
class LiveApi(Api):
    clock: Clock | None = None


def start_live_api(
    settings: Settings, store: ModelStore, folder: Path, now: dt.datetime, database_url: str | None = None
) -> Iterator[LiveApi]:
    """An app on a fresh database (SQLite unless given) with one user per role and a settable clock."""
    # the settable clock runs through months of simulated use: tokens must outlive it
    settings = on_database(settings, database_url or f"sqlite:///{folder / 'api.db'}", folder).model_copy(
        update={"token_ttl_days": 3650}
    )
    clock = Clock(now)
    rng = SteerableRandom(1)
    app = create_app(settings, store, rng=rng, clock=clock)
    with TestClient(app) as client:
        api = LiveApi(app, client, settings, rng, clock=clock)
        with app.state.sessions() as session:
            for role in ROLES:
                user, token = create_user(session, f"test {role}", role, now, every_team(role))
                api.tokens[role], api.user_ids[role] = token, user.id
        yield api


@pytest.fixture
def live_api(live_settings: Settings, live_models: ModelStore, tmp_path: Path) -> Iterator[LiveApi]:
    yield from start_live_api(live_settings, live_models, tmp_path, dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC))


TRAINING_START = dt.date(2026, 1, 5)  # a Monday; 26 weeks of training cases, then use from 6 July
TRAINING_WEEKS = 26
USE_START = TRAINING_START + dt.timedelta(weeks=TRAINING_WEEKS)


def register_simulated_models(settings: Settings, folder: Path) -> Path:
    """Toy triage models trained on simulated cases, registered with the ``training_cases`` tag.

    The live cases of ``simulate-usage`` come from the same simulator, so without injected drift
    the input does not drift: what a real training run on the municipality's cases gives.
    Returns the training cases file.
    """
    from tests.api.toymodels import FEATURES
    from werkwijzer.simulation.usage import servable, simulate_weeks
    from werkwijzer.teams import EFFORT_CLASSES

    raw = servable(simulate_weeks(TRAINING_START, TRAINING_WEEKS, seed=3).cases, FEATURES).reset_index(drop=True)
    path = folder / "cases.csv"
    raw.to_csv(path, index=False)
    cases = raw.assign(
        documents_complete=raw["documents_complete"] == "true",
        effort_class=raw["effort_class"].map({c: i for i, c in enumerate(EFFORT_CLASSES)}),
        integrated_approach=(raw["integrated_approach"] == "true").astype(int),
    )
    register_toy_models(settings, cases=cases, run_tags={"training_cases": str(path)})
    return path


@pytest.fixture(scope="session")
def sim_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("usage-home"), environment="test", seed=7, control_share=0.05)


@pytest.fixture(scope="session")
def sim_models(sim_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    register_simulated_models(sim_settings, tmp_path_factory.mktemp("training"))
    store = ModelStore(sim_settings, TOY_LIBRARY)
    assert all(r.status == "loaded" for r in store.reload().values())
    return store
