"""Operable under real use (issue 13): real ``serve`` processes, real HTTP, on SQLite and PostgreSQL,
with one worker and with two. Each test is bounded in time and stops by itself; loopback only.

- mixed load (advice, advice reads, decisions, /ready, /audit/verify, the caseworker pages):
  no request takes over 5 s, and /health answers within 1 s afterwards;
- another process holds the SQLite write lock for 15 s: /health keeps answering within 1 s,
  advice answers 201 or 503 within 30 s, and works again once the lock is gone;
- SIGTERM under load ends the server within 10 s; SIGKILL of one of two workers: every
  acknowledged decision is stored and the chain verifies;
- one scrape of /metrics answers for both of two workers, never for a killed one, and a killed
  worker is replaced within seconds;
- a request still running when the graceful shutdown runs out gets a 503 to ask again, not a 500;
- PostgreSQL connections terminated mid-load: the service recovers by itself;
- an 8 MB body: 413 at once, and the worker answers others meanwhile;
- MLflow not answering at start-up: the server serves within seconds and says why advice is off, or,
  restarted on a host that loaded the champions before, advises from their local copies (ADR 0034).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import new_case
from tests.api.served import (
    Ledger,
    Target,
    check_store,
    decision_for,
    retry_unanswered,
    run_clients,
    serving,
    wait_ready,
)
from werkwijzer.settings import Settings

pytestmark = pytest.mark.slow
SOAK_SECONDS = float(os.environ.get("WERKWIJZER_SOAK_SECONDS", "20"))
SLOW = 5.0  # seconds: no request of the mixed load may take longer
WORKERS = [1, 2]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Timings:
    """Every request's (what, status, seconds) of a load run."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: list[tuple[str, int, float]] = field(default_factory=list)
    advice_ids: list[str] = field(default_factory=list)

    def timed(self, what: str, call: Callable[..., httpx.Response], *args: Any, **kwargs: Any) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = call(*args, **kwargs)
            status = response.status_code
        except httpx.HTTPError:
            response, status = None, 0
        with self.lock:
            self.seen.append((what, status, time.monotonic() - started))
        return response

    def slowest(self) -> tuple[str, int, float]:
        return max(self.seen, key=lambda s: s[2])


def _mixed_client(target: Target, kind: str, n: int, timings: Timings, until: float) -> None:
    role = "auditor" if kind in ("ready", "verify") else "caseworker"
    with httpx.Client(base_url=target.url, timeout=30, headers=target.headers(role), follow_redirects=False) as http:
        if kind == "pages":
            form = http.get("/aanmelden")
            token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
            http.headers.pop("Authorization")
            assert (
                http.post("/aanmelden", data={"csrf_token": token, "token": target.tokens["caseworker"]}).status_code
                == 303
            )
        i = 0
        while time.monotonic() < until:
            i += 1
            if kind == "advice":
                r = timings.timed("advice", http.post, "/api/v1/advice", json=new_case(n * 100_000 + i))
                if r is not None and r.status_code == 201:
                    with timings.lock:
                        timings.advice_ids.append(r.json()["advice_id"])
            elif kind == "decide":
                r = timings.timed("advice", http.post, "/api/v1/advice", json=new_case(n * 100_000 + i))
                if r is not None and r.status_code == 201:
                    body = decision_for(r.json())
                    timings.timed(
                        "decision",
                        http.post,
                        f"/api/v1/advice/{r.json()['advice_id']}/decision",
                        json=body,
                        headers={"Idempotency-Key": str(uuid.uuid4())},
                    )
            elif timings.advice_ids or kind in ("ready", "verify"):
                some = (
                    timings.advice_ids[-1 - (i % max(1, min(20, len(timings.advice_ids))))]
                    if timings.advice_ids
                    else ""
                )
                if kind == "read":
                    timings.timed("read", http.get, f"/api/v1/advice/{some}")
                elif kind == "ready":
                    timings.timed("ready", http.get, "/ready")
                elif kind == "verify":
                    timings.timed("verify", http.get, "/api/v1/audit/verify")
                else:
                    timings.timed("page", http.get, "/zaken")
                    timings.timed("page", http.get, f"/zaken/{some}")
            else:
                time.sleep(0.01)  # no advice to read yet


@pytest.mark.parametrize("workers", WORKERS)
def test_mixed_load_has_no_slow_request_and_health_answers_after(
    backend: str,
    workers: int,
    api_settings: Settings,
    toy_versions: object,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    with serving(backend, api_settings, request, tmp_path, workers=workers) as target:
        wait_ready(target)
        timings = Timings()
        until = time.monotonic() + SOAK_SECONDS
        kinds = ["advice"] * 3 + ["read"] * 3 + ["decide"] * 2 + ["ready", "verify", "pages"]
        threads = [
            threading.Thread(target=_mixed_client, args=(target, kind, n, timings, until), daemon=True)
            for n, kind in enumerate(kinds)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SOAK_SECONDS + 60)
        assert not any(thread.is_alive() for thread in threads), "a client is still waiting"
        started = time.monotonic()
        assert httpx.get(f"{target.url}/health", timeout=5).status_code == 200
        assert time.monotonic() - started < 1.0
        slowest = timings.slowest()
        assert slowest[2] <= SLOW, f"slowest request: {slowest}"
        failed = [s for s in timings.seen if s[1] not in (200, 201)]
        assert not failed, f"{len(failed)} requests failed, e.g. {failed[:5]}"
        done = {what for what, _, _ in timings.seen}
        assert done == {"advice", "decision", "read", "ready", "verify", "page"}, done
        assert sum(1 for what, _, _ in timings.seen if what == "decision") >= 20


def _hold_sqlite_lock(database: str, seconds: float, how: str) -> subprocess.Popen:
    """Another process holds the write lock: SQLite's own (a program that knows no writer lock file)
    or Werkwijzer's writer lock file (as `werkwijzer purge` holds it)."""
    path = database.removeprefix("sqlite:///")
    if how == "sqlite":
        code = (
            f"import sqlite3, sys, time; c = sqlite3.connect({path!r}, isolation_level=None); "
            f"c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep({seconds}); c.rollback()"
        )
    else:
        code = (
            f"import fcntl, os, sys, time; fd = os.open({path + '.writelock'!r}, os.O_RDWR | os.O_CREAT); "
            f"fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep({seconds})"
        )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.parametrize(("how", "workers"), [("sqlite", 1), ("file", 1), ("sqlite", 2)])
def test_a_held_sqlite_write_lock_leaves_health_answering_and_advice_bounded(
    how: str, workers: int, api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with serving("sqlite", api_settings, request, tmp_path, workers=workers) as target:
        wait_ready(target)
        with httpx.Client(base_url=target.url, timeout=40, headers=target.headers("caseworker")) as http:
            before = http.post("/api/v1/advice", json=new_case(1))
            assert before.status_code == 201
            holder = _hold_sqlite_lock(target.settings.database, 15, how)
            try:
                answers: list[tuple[int, float]] = []

                def ask(n: int) -> None:
                    started = time.monotonic()
                    r = http.post("/api/v1/advice", json=new_case(n))
                    answers.append((r.status_code, time.monotonic() - started))

                askers = [threading.Thread(target=ask, args=(100 + n,)) for n in range(4)]
                for asker in askers:
                    asker.start()
                health = []
                while any(a.is_alive() for a in askers):
                    started = time.monotonic()
                    assert httpx.get(f"{target.url}/health", timeout=5).status_code == 200
                    health.append(time.monotonic() - started)
                    time.sleep(0.2)
                assert max(health) < 1.0, max(health)
                read = http.get(f"/api/v1/advice/{before.json()['advice_id']}")
                assert read.status_code == 200  # reads go on during the lock
                assert all(status in (201, 503) and took < 30 for status, took in answers), answers
                assert any(status == 503 for status, _ in answers), answers
            finally:
                holder.wait(timeout=30)
            after = http.post("/api/v1/advice", json=new_case(2))
            assert after.status_code == 201, after.text


@pytest.mark.parametrize("workers", WORKERS)
def test_sigterm_under_load_ends_the_server_within_10_s_and_loses_nothing(
    backend: str,
    workers: int,
    api_settings: Settings,
    toy_versions: object,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    with serving(backend, api_settings, request, tmp_path, workers=workers) as target:
        ledger = Ledger(target=60)
        threads = run_clients(target, ledger, clients=6, rounds=200, keep_going=True)
        assert ledger.enough.wait(timeout=120), "the load never reached 60 decisions"
        assert target.process is not None
        started = time.monotonic()
        target.process.send_signal(signal.SIGTERM)
        target.process.wait(timeout=30)
        assert time.monotonic() - started < 10.0
        ledger.stop.set()
        target.start()
        for thread in threads:
            thread.join(timeout=120)
        wait_ready(target)
        retry_unanswered(target, ledger)
        check_store(target, ledger)


def test_sigkill_of_one_of_two_workers_loses_no_acknowledged_decision(
    backend: str, api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with serving(backend, api_settings, request, tmp_path, workers=2) as target:
        ledger = Ledger(target=60)
        threads = run_clients(target, ledger, clients=6, rounds=40, keep_going=True)
        assert ledger.enough.wait(timeout=120), "the load never reached 60 decisions"
        pids = target.worker_pids()
        assert len(pids) == 2, pids
        os.kill(pids[0], signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
        retry_unanswered(target, ledger)  # the other worker, and the one the supervisor starts again, answer
        check_store(target, ledger)


def _loaded_by_pid(target: Target) -> dict[str, set[str]]:
    """pid -> the models it reports serving (``werkwijzer_model_loaded`` 1), from one scrape on a
    fresh connection (so any worker may answer it)."""
    text = httpx.get(f"{target.url}/metrics", timeout=30, headers={"Connection": "close"}).text
    found: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "werkwijzer_model_loaded" and sample.value == 1:
                found.setdefault(sample.labels["pid"], set()).add(sample.labels["model"])
    return found


def test_one_scrape_of_two_workers_reports_both_and_forgets_a_killed_one(
    api_settings: Settings, toy_versions: dict[str, str], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A scrape reaches one worker; it must answer for every live worker (champions loaded, requests
    held), whether or not the others were ever scraped, and a killed worker's values must go. The
    killed worker is replaced within seconds."""
    with serving("sqlite", api_settings, request, tmp_path, workers=2) as target:
        wait_ready(target)
        deadline = time.monotonic() + 90
        while len(target.worker_pids()) < 2 or httpx.get(f"{target.url}/ready", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "two workers were not ready within 90 s"
            time.sleep(0.2)
        pids = {str(pid) for pid in target.worker_pids()}
        models = set(toy_versions)
        while True:  # both workers serve; the first scrape of all must already show both
            first = _loaded_by_pid(target)
            if first.keys() == pids and all(got == models for got in first.values()):
                break
            assert time.monotonic() < deadline, f"one scrape shows {first}, expected {sorted(pids)} with {models}"
            time.sleep(0.5)
        killed = sorted(pids)[0]
        os.kill(int(killed), signal.SIGKILL)
        replaced = time.monotonic() + 15  # uvicorn's supervisor alone noticed only after its 60 s ping wait
        while len({str(pid) for pid in target.worker_pids()} - {killed}) < 2:
            assert time.monotonic() < replaced, "no new worker within 15 s of the kill"
            time.sleep(0.1)
        deadline = time.monotonic() + 90
        while True:  # the supervisor starts a new worker; the killed one is no longer reported
            now = {str(pid) for pid in target.worker_pids()}
            seen = _loaded_by_pid(target)
            if len(now) == 2 and killed not in now and seen.keys() == now:
                break
            assert time.monotonic() < deadline, f"after killing {killed}: workers {sorted(now)}, scrape shows {seen}"
            time.sleep(0.5)
        assert killed not in seen


@pytest.mark.postgres
def test_postgresql_connections_cut_mid_load_the_service_recovers(
    api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    import psycopg

    with serving("postgresql", api_settings, request, tmp_path) as target:
        wait_ready(target)
        ledger = Ledger(target=40)
        threads = run_clients(target, ledger, clients=4, rounds=60, keep_going=True)
        assert ledger.enough.wait(timeout=120), "the load never reached 40 decisions"
        database = target.settings.database.rsplit("/", 1)[1]
        admin = request.getfixturevalue("postgres_server")
        cut = 0
        with psycopg.connect(admin, autocommit=True) as conn:
            for _ in range(3):
                cut += len(
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        (database,),
                    ).fetchall()
                )
                time.sleep(0.5)
        assert cut >= 1
        for thread in threads:
            thread.join(timeout=300)
        retry_unanswered(target, ledger)
        with httpx.Client(base_url=target.url, timeout=30, headers=target.headers("caseworker")) as http:
            for n in range(5):  # recovered: new work is answered without a restart
                advice = http.post("/api/v1/advice", json=new_case(9000 + n))
                assert advice.status_code == 201, advice.text
                decided = http.post(
                    f"/api/v1/advice/{advice.json()['advice_id']}/decision", json=decision_for(advice.json())
                )
                assert decided.status_code == 201, decided.text
        check_store(target, ledger)


def test_an_8_mb_body_is_413_at_once_and_others_are_answered_meanwhile(
    api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with serving("sqlite", api_settings, request, tmp_path) as target:
        wait_ready(target)
        port = target.sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            started = time.monotonic()
            raw.sendall(
                b"POST /api/v1/advice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer "
                + target.tokens["caseworker"].encode()
                + b"\r\nContent-Length: 8388608\r\n\r\n"
                + b"x" * 65536
            )  # and the rest never comes
            answer = raw.recv(4096)
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            assert time.monotonic() - started < 2.0
            headers = {"Authorization": f"Bearer {target.tokens['caseworker']}"}
            other = httpx.post(f"{target.url}/api/v1/advice", json=new_case(1), headers=headers, timeout=5)
            assert other.status_code == 201
        big = b'{"case_id": "' + b"x" * (8 * 1024 * 1024) + b'"}'
        started = time.monotonic()
        try:  # a client that sends it all anyway: refused, or cut off once the answer is out
            r = httpx.post(
                f"{target.url}/api/v1/advice",
                content=big,
                timeout=10,
                headers={**headers, "content-type": "application/json"},
            )
            assert r.status_code == 413
        except httpx.TransportError:
            pass
        assert time.monotonic() - started < 5.0
        assert httpx.get(f"{target.url}/health", timeout=5).status_code == 200


@contextmanager
def silent_mlflow() -> Iterator[str]:
    """The tracking URI of an "MLflow" on loopback that accepts connections into its backlog and
    never answers."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        yield f"http://127.0.0.1:{silent.getsockname()[1]}"
    finally:
        silent.close()


def test_mlflow_not_answering_at_start_up_serves_within_seconds_and_says_why(
    api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A first start says why advice is off; a restart serves the local copies of the champions
    this host loaded before (ADR 0034). Both within seconds, with MLflow accepting and never answering."""
    from casework.champion_copies import ChampionCopies
    from casework.modelstore import ModelStore
    from tests.api.toymodels import TOY_LIBRARY

    restart = tmp_path / "restart"
    loaded = ModelStore(api_settings, TOY_LIBRARY, copies=ChampionCopies(restart / "champions")).reload()
    assert {r.status for r in loaded.values()} <= {"loaded", "unchanged"}, loaded
    with silent_mlflow() as uri:
        env = {"WERKWIJZER_MLFLOW_TRACKING_URI": uri, "WERKWIJZER_MLFLOW_TIMEOUT_SECONDS": "2"}
        for home, advised in ((tmp_path / "first-start", False), (restart, True)):
            started = time.monotonic()
            with serving("sqlite", api_settings, request, tmp_path, env=env | {"WERKWIJZER_HOME": str(home)}) as target:
                wait_ready(target, timeout=30)
                assert time.monotonic() - started < 20.0
                ready = httpx.get(f"{target.url}/ready", headers=target.headers("auditor"), timeout=5)
                advice = httpx.post(
                    f"{target.url}/api/v1/advice", json=new_case(1), headers=target.headers("caseworker"), timeout=5
                )
                if advised:  # the versions loaded before, from the copies
                    assert ready.status_code == 200, ready.text
                    assert ready.json()["models"] == {name: r.version for name, r in loaded.items()}
                    assert advice.status_code == 201, advice.text
                else:
                    assert ready.status_code == 503 and "no champion loaded" in " ".join(ready.json()["reasons"])
                    assert advice.status_code == 503, advice.text


def test_a_reload_cut_off_by_the_shutdown_is_told_to_ask_again(
    api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """An admin reload waits for an MLflow that never answers; SIGTERM; the graceful shutdown runs out
    (1 s here). uvicorn cancels the request: the admin gets a 503 to ask again, not a 500."""
    from casework.clock import utc_now
    from casework.db import make_engine, session_factory
    from casework.users import create_user, every_team

    with silent_mlflow() as uri:
        env = {
            "WERKWIJZER_MLFLOW_TRACKING_URI": uri,
            "WERKWIJZER_MLFLOW_TIMEOUT_SECONDS": "4",
            "WERKWIJZER_SHUTDOWN_SECONDS": "1",
            "WERKWIJZER_MODEL_REFRESH_SECONDS": "0",
        }
        with serving("sqlite", api_settings, request, tmp_path, env=env) as target:
            engine = make_engine(target.settings.database)
            with session_factory(engine)() as s:
                admin = create_user(s, "admin", "admin", utc_now(), every_team("admin"))[1]
            engine.dispose()
            wait_ready(target, timeout=60)
            answer: dict[str, Any] = {}

            def reload() -> None:
                try:
                    r = httpx.post(
                        f"{target.url}/api/v1/admin/reload", headers={"Authorization": f"Bearer {admin}"}, timeout=30
                    )
                    answer.update(status=r.status_code, body=r.text, retry=r.headers.get("retry-after"))
                except httpx.TransportError as exc:
                    answer.update(error=repr(exc))

            asker = threading.Thread(target=reload, daemon=True)
            asker.start()
            time.sleep(1.0)  # the reload is waiting for MLflow
            assert asker.is_alive(), answer
            assert target.process is not None
            target.process.send_signal(signal.SIGTERM)
            asker.join(timeout=30)
            assert target.process.wait(timeout=30) is not None
            assert answer.get("status") == 503 and answer["retry"] == "1", answer
            assert "ask again" in answer["body"]
