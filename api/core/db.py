"""Database engine, sessions and migrations.

SQLite (the embedded default) runs in WAL mode and every transaction starts with
``BEGIN IMMEDIATE`` (reads through ``read_session`` use a plain ``BEGIN``): writers queue on
SQLite's lock instead of failing on a lock upgrade, which also serialises the audit chain.
PostgreSQL serialises audit writers by locking the chain's head row. Migrations (Alembic,
``api/migrations``) run programmatically at start-up; on PostgreSQL an advisory lock keeps
several workers from migrating at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_MIGRATION_LOCK = 72_616_601  # pg_advisory_lock key for migrations


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        writer = threading.Lock()  # writers of this process queue here, not in SQLite's sleeping busy handler

        def release(info: dict[str, object]) -> None:
            if info.pop("werkwijzer_writer", False):
                writer.release()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            if conn.get_execution_options().get("readonly"):
                conn.exec_driver_sql("BEGIN")
                return
            writer.acquire()
            conn.info["werkwijzer_writer"] = True
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                release(conn.info)
                raise

        event.listen(engine, "commit", lambda conn: release(conn.info))
        event.listen(engine, "rollback", lambda conn: release(conn.info))
        event.listen(engine.pool, "checkin", lambda _dbapi, record: release(record.info))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)  # per worker


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_session(engine: Engine) -> Session:
    """A session for reads only: on SQLite it does not take the write lock."""
    return Session(bind=engine.connect().execution_options(readonly=True))


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A short read-only session (``read_session``), closed with its connection at the end."""
    session = read_session(engine)
    try:
        yield session
    finally:
        session.close()
        session.bind.close()  # type: ignore[union-attr]


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                connection.commit()
