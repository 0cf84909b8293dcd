"""The migrations build the schema the models describe, and 0003 and 0005 keep existing users (both backends)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from casework.db import MIGRATIONS, make_engine
from casework.storage import Base
from tests.api.conftest import database_url


def _upgrade(connection: object, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def test_session_generation_is_added_to_existing_users_and_the_schema_matches_the_models(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    engine = make_engine(database_url(backend, tmp_path, request))
    try:
        with engine.connect() as connection:
            _upgrade(connection, "0002")
            connection.execute(
                text(
                    "INSERT INTO users (id, name, role, token_hash, active, created_at) "
                    "VALUES ('u-old', 'before 0003', 'caseworker', 'h', :t, :at)"
                ),
                {"t": True, "at": dt.datetime(2026, 11, 1)},
            )
            connection.commit()
            _upgrade(connection, "head")
            connection.commit()
            assert connection.execute(text("SELECT session_generation FROM users WHERE id = 'u-old'")).scalar_one() == 0
            # 0005: a user from before teams has none (so sees nothing until given teams); its token's age
            # counts from its creation
            teams, issued = connection.execute(
                text("SELECT teams, token_issued_at FROM users WHERE id = 'u-old'")
            ).one()
            assert (json.loads(teams) if isinstance(teams, str) else teams) == []
            assert str(issued).startswith("2026-11-01 00:00:00")
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_a_failing_statement_does_not_show_its_parameters(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    engine = make_engine(database_url(backend, tmp_path, request))
    try:
        with engine.connect() as connection, pytest.raises(Exception) as info:
            connection.execute(text("SELECT * FROM no_such_table WHERE x = :secret"), {"secret": "zaak-geheim-42"})
        assert "zaak-geheim-42" not in str(info.value) and "hidden" in str(info.value)
    finally:
        engine.dispose()
