"""Fixtures for the API tests: toy champions in a private MLflow, a migrated database per backend.

The database fixtures are parametrized over SQLite and the local PostgreSQL; PostgreSQL gets a
private database per test session (dropped afterwards) and is skipped with the reason when the
server is not reachable.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.main import create_app
from casework.clock import utc_now
from casework.config import ROLES
from casework.modelstore import ModelStore
from casework.users import create_user, every_team
from tests.api.toymodels import TOY_LIBRARY, register_toy_models
from werkwijzer.settings import Settings

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
PG_ADMIN_URLS = ("postgresql://postgres@127.0.0.1:5432/test", "postgresql://root@127.0.0.1:5432/test")


class SteerableRandom:
    """A seeded random source whose next draws a test can pin (e.g. 0.99: never control)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.pinned: float | None = 0.99

    def random(self) -> float:
        return self._rng.random() if self.pinned is None else self.pinned


def _pg_admin() -> str | None:
    import psycopg

    for url in PG_ADMIN_URLS:
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error:
            continue
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """An admin URL for the local PostgreSQL, or a skip that says why."""
    url = _pg_admin()
    if url is None:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 (database 'test', user postgres or root) is not reachable")
    yield url


def make_pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"werkwijzer_api_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Own home and MLflow store: other branches' tests register their own champions elsewhere. Audit
    checkpoints are written at start, at shutdown and when a test ticks the writer, not by a timer."""
    return Settings(
        home=tmp_path_factory.mktemp("api-home"),
        environment="test",
        seed=7,
        control_share=0.05,
        audit_checkpoint_seconds=3600,
    )


@pytest.fixture(scope="session")
def toy_versions(api_settings: Settings) -> dict[str, str]:
    return register_toy_models(api_settings)


@pytest.fixture(scope="session")
def model_store(api_settings: Settings, toy_versions: dict[str, str]) -> ModelStore:
    store = ModelStore(api_settings, TOY_LIBRARY)
    results = store.reload()
    assert all(r.status == "loaded" for r in results.values()), results
    return store


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def database_url(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on ``backend``; PostgreSQL ones are dropped at the end of the test session."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'api-{secrets.token_hex(4)}.db'}"
    admin = request.getfixturevalue("postgres_server")
    name, url = make_pg_database(admin)
    request.session.config.add_cleanup(lambda: drop_pg_database(admin, name))
    return url


def on_database(settings: Settings, url: str, folder: Path) -> Settings:
    """``settings`` on the database at ``url``, with a checkpoint file of its own (one per database, ADR 0012)."""
    return settings.model_copy(update={"database_url": url, "audit_checkpoint_path": folder / "checkpoints.jsonl"})


@dataclass
class Api:
    """A running app (TestClient) with one user per role."""

    app: FastAPI
    client: TestClient
    settings: Settings
    rng: SteerableRandom
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str, key: str | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.tokens[role]}"}
        if key:
            out["Idempotency-Key"] = key
        return out


OTHER_TEAM = "schuldhulp_aanmeldingen"  # the test cases are wmo_meldingen's (``CASE``); this one has a toy forecast
# Users bound to teams, next to one user per role (who works for every team): ``tokens[key]``.
# ``@none`` is a user stored before teams existed (migration 0005): no teams at all.
TEAM_USERS: dict[str, tuple[str, list[str]]] = {
    f"caseworker@{OTHER_TEAM}": ("caseworker", [OTHER_TEAM]),
    f"team_lead@{OTHER_TEAM}": ("team_lead", [OTHER_TEAM]),
    "caseworker@none": ("caseworker", []),
    "team_lead@none": ("team_lead", []),
}


def start_api(
    settings: Settings, store: ModelStore, seed: int = 1, clock: Callable[[], dt.datetime] | None = None
) -> Iterator[Api]:
    rng = SteerableRandom(seed)
    app = create_app(settings, store, rng=rng, clock=clock)
    with TestClient(app) as client:
        api = Api(app, client, settings, rng)
        with app.state.sessions() as session:
            for role in ROLES:
                user, token = create_user(session, f"test {role}", role, utc_now(), every_team(role))
                api.tokens[role], api.user_ids[role] = token, user.id
            for key, (role, teams) in TEAM_USERS.items():
                user, token = create_user(session, f"test {key}", role, utc_now(), teams or [OTHER_TEAM])
                user.teams = teams  # as a user from before teams existed, when empty
                session.commit()
                api.tokens[key], api.user_ids[key] = token, user.id
        yield api


@pytest.fixture(scope="session")
def api(
    backend: str,
    api_settings: Settings,
    model_store: ModelStore,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Api]:
    """One app per backend for the whole session; tests make their own advice."""
    folder = tmp_path_factory.mktemp("db")
    yield from start_api(on_database(api_settings, database_url(backend, folder, request), folder), model_store)


@pytest.fixture
def fresh_api(
    backend: str, api_settings: Settings, model_store: ModelStore, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Api]:
    """An app on an empty database, for tests that count or tamper."""
    yield from start_api(on_database(api_settings, database_url(backend, tmp_path, request), tmp_path), model_store)


AUDIT_TABLES = ("audit_events", "audit_head", "audit_purge_permits")


def drop_guards(conn: Connection) -> None:
    """What a database superuser can do: switch off every trigger that guards the audit tables."""
    if conn.dialect.name == "postgresql":
        for table in AUDIT_TABLES:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        return
    names = (
        conn.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('audit_events', 'audit_head', 'audit_purge_permits')"
            )
        )
        .scalars()
        .all()
    )
    for name in names:
        conn.execute(text(f"DROP TRIGGER {name}"))


CASE = {
    "case_id": "WMO-2026-000123",
    "team": "wmo_meldingen",
    "features": {"open_debts": 3, "prior_contacts_12m": 1, "months_on_benefit": 5, "documents_complete": False},
}


def new_case(n: int = 0, **features: object) -> dict[str, object]:
    return {**CASE, "case_id": f"WMO-2026-{n:06d}", "features": {**CASE["features"], **features}}
