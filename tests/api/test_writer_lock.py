"""SQLite writers of different processes take turns on a file lock that is held until after COMMIT."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from sqlalchemy import text

from casework.db import make_engine


def _free(path: Path) -> bool:
    """True when another process (another open file) could take the writer lock now."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return True


def test_the_writer_lock_is_held_from_begin_until_after_commit_and_readers_do_not_take_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    lock = tmp_path / "w.db.writelock"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    assert _free(lock)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert not _free(lock)
        conn.commit()
        assert _free(lock)
        conn.begin()
        conn.execute(text("INSERT INTO t VALUES (2)"))
        conn.rollback()
        assert _free(lock)
    with engine.connect().execution_options(readonly=True) as conn:
        conn.begin()
        assert conn.execute(text("SELECT x FROM t")).scalars().all() == [1]
        assert _free(lock)
    engine.dispose()


def test_a_second_engine_on_the_same_file_writes_after_the_first_commits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    first, second = make_engine(url), make_engine(url)  # each opens its own lock file, like a worker process
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    seen: list[int] = []

    def write() -> None:
        with second.begin() as conn:
            seen.extend(conn.execute(text("SELECT x FROM t")).scalars().all())
            conn.execute(text("INSERT INTO t VALUES (2)"))

    with first.connect() as conn:
        conn.begin()
        conn.execute(text("INSERT INTO t VALUES (1)"))
        other = threading.Thread(target=write)
        other.start()
        conn.commit()
    other.join(30)
    assert seen == [1]  # it came in after the commit and saw it
    with first.connect() as conn:
        assert conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 2]
    first.dispose()
    second.dispose()
