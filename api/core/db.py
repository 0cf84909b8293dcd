"""Database engine, sessions and migrations.

SQLite (the embedded default) runs in WAL mode and every transaction starts with
``BEGIN IMMEDIATE`` (reads through ``read_session`` use a plain ``BEGIN``): writers queue on
SQLite's lock instead of failing on a lock upgrade, which also serialises the audit chain. Before
that, writers wait for a writer lock (a thread lock plus, for several worker processes on one
file, an advisory file lock ``<database>.writelock``) that is released only after COMMIT.
PostgreSQL serialises audit writers by locking the chain's head row. Migrations (Alembic,
``api/migrations``) run programmatically at start-up; on PostgreSQL an advisory lock keeps
several workers from migrating at once.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # not on Windows: one worker per SQLite file there
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_MIGRATION_LOCK = 72_616_601  # pg_advisory_lock key for migrations


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class _WriterLock:
    """One writer at a time: this process's threads queue on a thread lock, other processes
    (``serve --workers N`` on one SQLite file) on an advisory file lock next to the database.

    Waiting here is a blocking wait that wakes as soon as the writer ahead is done, instead of
    SQLite's busy handler, which sleeps and polls and so stretches the slowest requests.
    """

    def __init__(self, path: str | None) -> None:
        self._thread = threading.Lock()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if path and fcntl is not None else None

    def acquire(self) -> None:
        self._thread.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._thread.release()
                raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()


class _SqliteConnection(sqlite3.Connection):
    """Releases the writer lock once COMMIT or ROLLBACK has run (not before: the next writer
    would otherwise meet SQLite's own lock and its sleeping busy handler)."""

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_write()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_write()

    def end_write(self) -> None:
        release = self.__dict__.pop("release_writer", None)
        if release is not None:
            release()


def _lock_path(url: str) -> str | None:
    database = make_url(url).database
    return f"{database}.writelock" if database and database != ":memory:" else None


def make_engine(url: str) -> Engine:
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False,
                                                  "factory": _SqliteConnection})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        writer = _WriterLock(_lock_path(url))

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            if conn.get_execution_options().get("readonly"):
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_connection = conn.connection.dbapi_connection
            writer.acquire()
            dbapi_connection.release_writer = writer.release
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                dbapi_connection.end_write()
                raise

        @event.listens_for(engine.pool, "checkin")
        def _sqlite_checkin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            if dbapi_connection is not None:
                dbapi_connection.end_write()  # a connection never holds the lock while pooled

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
