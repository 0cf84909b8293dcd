"""Database engine, sessions and migrations.

SQLite (the embedded default) runs in WAL mode and every transaction starts with
``BEGIN IMMEDIATE`` (reads through ``read_session`` use a plain ``BEGIN``): writers queue on
SQLite's lock instead of failing on a lock upgrade, which also serialises the audit chain. Before
that, writers wait for a writer lock (a thread lock plus, for several worker processes on one
file, an advisory file lock ``<database>.writelock``) that is released only after COMMIT.
PostgreSQL serialises audit writers by locking the chain's head row. Migrations (Alembic,
``casework/migrations``) run programmatically at start-up; on PostgreSQL an advisory lock keeps
several workers from migrating at once.

Reads never take the writer lock (``read_session``; in WAL mode a reader sees a snapshot and
neither waits for nor blocks a writer). An engine made with ``wait_seconds`` bounds every wait
for the database: the writer lock, SQLite's busy handler, PostgreSQL's lock waits, a pooled
connection and a new connection. A wait that runs out raises :class:`DatabaseBusy` (or the
driver's own timeout error), which the API answers with 503 (ADR 0007, "No request waits long").
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, cast

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from casework.periodic import PeriodicThread

try:
    import fcntl
except ImportError:  # not on Windows: one worker per SQLite file there
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 72_616_601  # pg_advisory_lock key for migrations
WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes a reset write-ahead log file is truncated to
UNBOUNDED_WAIT = 60.0  # seconds: the wait of an engine made without ``wait_seconds`` (command-line tools)


class DatabaseBusy(Exception):
    """The database stayed locked by another transaction for longer than the engine may wait."""


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given without a driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
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

    def acquire(self, timeout: float) -> None:
        """Take the lock within ``timeout`` seconds, or raise :class:`DatabaseBusy`.

        The file lock has no blocking wait with a time limit, so another process's lock is polled
        (1 ms, doubling to at most 5 ms): a bounded wait matters more than waking at once.
        """
        deadline = time.monotonic() + timeout
        if not self._thread.acquire(timeout=timeout):
            raise DatabaseBusy(f"another request of this worker held the database for more than {timeout:g} s")
        if self._fd is None:
            return
        try:
            pause = 0.001
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise DatabaseBusy(f"another process held the database for more than {timeout:g} s") from None
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.005)
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

    release_writer: Callable[[], None]  # set by the "begin" listener while this connection writes

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


def _database_file(url: URL) -> str | None:
    """The file of a SQLite URL; None for an in-memory database (or a URL without one)."""
    database = url.database
    return database if database and database != ":memory:" else None


def _lock_path(url: str) -> str | None:
    database = _database_file(make_url(url))
    return f"{database}.writelock" if database else None


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


# JSON columns (advice features, suggestion and reasons; idempotency answers) are written and read
# with orjson: with json.dumps they were about a tenth of the advice batch's time (ADR 0011).
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def make_engine(url: str, *, background_checkpoints: bool = False, wait_seconds: float | None = None) -> Engine:
    """An engine for ``url``. On a SQLite file, ``background_checkpoints`` turns off the WAL
    checkpoint that SQLite otherwise runs inside a COMMIT every 1,000 pages: the caller then runs
    a :class:`WalCheckpointer` (the API does, for as long as it serves). ``wait_seconds`` bounds
    every wait for a lock or a connection (the API passes ``settings.db_wait_seconds``); without
    it a writer waits up to a minute, as the command-line tools may."""
    url = sqlalchemy_url(url)
    wait = UNBOUNDED_WAIT if wait_seconds is None else wait_seconds
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": wait, "check_same_thread": False, "factory": _SqliteConnection},
            hide_parameters=True,
            **_JSON,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")  # another process's lock, e.g. sqlite3
            cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            if background_checkpoints:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()

        writer = _WriterLock(_lock_path(url))

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            if conn.get_execution_options().get("readonly"):
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_connection = cast(_SqliteConnection, conn.connection.dbapi_connection)  # the factory above
            writer.acquire(0.0 if conn.get_execution_options().get("no_wait") else wait)
            dbapi_connection.release_writer = writer.release
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                dbapi_connection.end_write()
                raise

        @event.listens_for(engine.pool, "checkin")
        def _sqlite_checkin(dbapi_connection: _SqliteConnection | None, _record: object) -> None:
            if dbapi_connection is not None:
                dbapi_connection.end_write()  # a connection never holds the lock while pooled

        return engine
    # Bounded: a pooled connection, a new connection and every lock wait (rows, the audit head).
    bounded: dict[str, Any] = (
        {}
        if wait_seconds is None
        else {
            "pool_timeout": wait,
            "connect_args": {"connect_timeout": max(1, round(wait)), "options": f"-c lock_timeout={int(wait * 1000)}"},
        }
    )
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True, **bounded, **_JSON
    )  # per worker


def sqlite_file(engine: Engine) -> str | None:
    """The database file of a SQLite engine; None for PostgreSQL or an in-memory database."""
    return _database_file(engine.url) if engine.dialect.name == "sqlite" else None


class WalCheckpointer(PeriodicThread):
    """Copies the SQLite write-ahead log back into the database file on a thread of its own.

    SQLite's default runs that checkpoint inside the COMMIT that takes the log past 1,000 pages:
    that commit then also writes and syncs the database file, some 20–40 ms on this machine's
    disk, and every request waiting on that batch waits with it (the slowest 1 % of advice
    answers, docs/benchmarks.md). Here a separate connection runs a PASSIVE checkpoint every
    ``interval`` seconds, which never waits for or blocks a writer or reader: commits only append
    to the log, and the log starts again from its beginning once everything in it is copied.
    With several worker processes each runs one; a checkpoint that finds another one running
    simply skips its turn. ``journal_size_limit`` keeps the log file from staying large.
    """

    def __init__(self, path: str, interval: float = 0.25) -> None:
        super().__init__("werkwijzer-wal-checkpoint", interval)
        self._path = path
        self._connection: sqlite3.Connection | None = None  # opened on the thread's first tick
        self.passes = 0  # checkpoints that ran, for tests and diagnostics

    def stop(self) -> None:
        super().stop()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def checkpoint(self, connection: sqlite3.Connection) -> tuple[int, int, int]:
        """(busy, pages in the log, pages copied) of one PASSIVE checkpoint."""
        busy, log, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.passes += 1
        return int(busy), int(log), int(copied)

    def tick(self) -> None:
        if self._connection is None:
            self._connection = sqlite3.connect(self._path, timeout=0, isolation_level=None, check_same_thread=False)
        with contextlib.suppress(sqlite3.OperationalError):  # another worker's checkpoint is running: next turn
            self.checkpoint(self._connection)


def session_factory(engine: Engine | Connection) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_session(engine: Engine, *, snapshot: bool = False) -> Session:
    """A session for reads only: on SQLite it does not take the write lock. With ``snapshot``
    every statement of the transaction sees the database as it was at its first read (SQLite's
    WAL readers always do; PostgreSQL needs REPEATABLE READ for it), without blocking writers."""
    return Session(bind=_read_connection(engine, snapshot))


def _read_connection(engine: Engine, snapshot: bool) -> Connection:
    connection = engine.connect().execution_options(readonly=True)
    if snapshot and engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return connection


@contextmanager
def _session_on(connection: Connection) -> Iterator[Session]:
    """A session on ``connection``, both closed at the end."""
    session = Session(bind=connection)
    try:
        yield session
    finally:
        session.close()
        connection.close()


def reading(engine: Engine, *, snapshot: bool = False) -> AbstractContextManager[Session]:
    """A short read-only session (``read_session``), closed with its connection at the end."""
    return _session_on(_read_connection(engine, snapshot))


def writing_without_waiting(engine: Engine) -> AbstractContextManager[Session]:
    """A write session for a note that may be skipped (``casework.openings``): on SQLite it takes
    the writer lock only when it is free and raises :class:`DatabaseBusy` at once otherwise, so a
    read-only page never waits for a writer (ADR 0007)."""
    return _session_on(engine.connect().execution_options(no_wait=True))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET lock_timeout = 0"))  # another worker may take a while to migrate
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                connection.execute(text("RESET lock_timeout"))
                connection.commit()


@contextmanager
def store_session(url: str, *, migrated: bool = True) -> Iterator[Session]:
    """A session on the store at ``url`` for a command or flow that runs once: engine, migrations
    (unless ``migrated=False``), one session; the engine is disposed when the block ends. The caller
    commits (the services in ``casework`` commit their own writes)."""
    engine = make_engine(url)
    try:
        if migrated:
            migrate(engine)
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
