"""SQLite's write-ahead log is copied back by a checkpointer thread, never inside a COMMIT."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from casework.db import WalCheckpointer, make_engine
from tests.api.conftest import Api

ROW = "x" * 2000
PAGE = 4096


def _write(engine, batches: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(batches):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (a) VALUES (:a)"), [{"a": ROW}] * 32)


def _wal_pages(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size // PAGE if wal.exists() else 0


def _next_pass(checkpointer: WalCheckpointer) -> None:
    """Wait for a checkpoint that starts after now (two passes: one may have been under way)."""
    target, deadline = checkpointer.passes + 2, time.monotonic() + 30
    while checkpointer.passes < target and time.monotonic() < deadline:
        time.sleep(0.005)


def _setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "c.db"
    engine = make_engine(f"sqlite:///{path}", background_checkpoints=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)"))
    return path, engine


def test_commits_do_not_checkpoint_when_the_checkpointer_is_in_charge(tmp_path: Path) -> None:
    path, engine = _setup(tmp_path)
    _write(engine, 100)  # about 1,700 pages: SQLite's own checkpoint would have run at 1,000
    assert _wal_pages(path) > 1_500
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
    engine.dispose()


def test_the_checkpointer_keeps_the_log_short_and_loses_nothing(tmp_path: Path) -> None:
    path, engine = _setup(tmp_path)
    checkpointer = WalCheckpointer(str(path), interval=0.01)
    checkpointer.start()
    try:
        for _ in range(10):  # about 6,800 pages written in all; the log never gets near that
            _write(engine, 40)
            _next_pass(checkpointer)
        assert checkpointer.running and checkpointer.passes > 0
        assert _wal_pages(path) < 2_500
    finally:
        checkpointer.stop()
    assert not checkpointer.running
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 400 * 32
    engine.dispose()


def test_the_api_runs_a_checkpointer_on_sqlite_only_while_it_serves(api: Api) -> None:
    settings = api.app.state.settings
    app = create_app(settings, api.app.state.store)
    with TestClient(app):
        checkpointer = app.state.checkpointer
        if app.state.engine.dialect.name == "sqlite":
            assert isinstance(checkpointer, WalCheckpointer) and checkpointer.running
        else:
            assert checkpointer is None
    assert checkpointer is None or not checkpointer.running
