"""Real ``serve`` processes on 127.0.0.1 for the reliability and operability tests.

The test binds and listens; the server (``tests/api/serve_toy.py``: ``werkwijzer serve``'s runner
with the toy champions, one worker or several) only accepts, so requests sent while it starts or
restarts wait in the socket's backlog. Everything stays on loopback, and every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from casework.clock import utc_now
from casework.db import make_engine, migrate, session_factory
from casework.storage import AuditEvent, Decision
from casework.users import create_user, every_team
from tests.api.conftest import database_url, new_case, on_database
from werkwijzer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120.0


@dataclass
class Target:
    settings: Settings
    sock: socket.socket
    url: str
    tokens: dict[str, str]
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "WERKWIJZER_HOME": str(self.settings.home),
            "WERKWIJZER_ENVIRONMENT": "test",
            "WERKWIJZER_DATABASE_URL": self.settings.database,
            "PYTHONPATH": str(ROOT),
            "WERKWIJZER_AUDIT_CHECKPOINT_PATH": str(self.settings.audit_checkpoint_file),
            **self.env,
        }
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/api/serve_toy.py"), str(self.sock.fileno()), str(self.workers)],
            pass_fds=(self.sock.fileno(),),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def worker_pids(self) -> list[int]:
        """The worker processes (with one worker: the server process itself)."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        pids = []
        for child in _children(self.process.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
                pids.append(child)
        return pids

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


@contextmanager
def serving(
    backend: str,
    api_settings: Settings,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[Target]:
    """A served API on a fresh database of ``backend`` with a caseworker and an auditor."""
    url = database_url(backend, tmp_path, request)
    settings = on_database(api_settings, url, tmp_path)
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as s:
        tokens = {
            role: create_user(s, role, role, utc_now(), every_team(role))[1] for role in ("caseworker", "auditor")
        }
    engine.dispose()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    target = Target(settings, sock, f"http://127.0.0.1:{sock.getsockname()[1]}", tokens, workers, env or {})
    target.start()
    try:
        yield target
    finally:
        target.stop()
        sock.close()


def wait_ready(target: Target, timeout: float = 60.0) -> None:
    """Until the server answers /health (it answers once started; requests wait in the backlog before)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{target.url}/health", timeout=timeout).status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # a restarting supervisor's backlog can refuse for a moment


@dataclass
class Ledger:
    """What the clients were told: acknowledged decisions, and requests that got no answer."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    decisions: dict[str, str] = field(default_factory=dict)  # advice_id -> decision_id
    unanswered: list[tuple[str, dict, str]] = field(default_factory=list)  # path, body, idempotency key
    refused: int = 0  # 503 answers (busy or shutting down): nothing stored, asked again
    enough: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    target: int = 10**9


def decision_for(advice: dict) -> dict:
    if advice["suggestion"] is None:
        return {"outcome": "deviated", "final_effort_class": "gemiddeld", "motivation": "eigen oordeel"}
    return {"outcome": "followed", "final_effort_class": advice["suggestion"]["suggested_effort_class"]}


def client_run(
    target: Target,
    ledger: Ledger,
    client_no: int,
    rounds: int,
    *,
    keep_going: bool = False,
    cases: Sequence[dict] | None = None,
) -> None:
    """Advice then decision, ``rounds`` times (or once per case of ``cases``: advice bodies for real
    champions). A request that gets no answer is noted and ends the client, unless ``keep_going``
    (then it is noted and the client goes on with a new connection)."""
    bodies = cases if cases is not None else [new_case(client_no * 1000 + i, open_debts=i % 12) for i in range(rounds)]
    with httpx.Client(base_url=target.url, timeout=TIMEOUT, headers=target.headers("caseworker")) as http:
        for body in bodies:
            if ledger.stop.is_set():
                return
            steps = [("/api/v1/advice", body, str(uuid.uuid4()))]
            while steps:
                path, body, key = steps.pop()
                try:
                    r = http.post(path, json=body, headers={"Idempotency-Key": key})
                except httpx.TransportError:
                    with ledger.lock:
                        ledger.unanswered.append((path, body, key))
                    if not keep_going:
                        return
                    break
                if r.status_code == 503 and keep_going:
                    with ledger.lock:
                        ledger.refused += 1
                        ledger.unanswered.append((path, body, key))
                    break
                assert r.status_code == 201, r.text
                if path == "/api/v1/advice":
                    advice = r.json()
                    steps.append(
                        (f"/api/v1/advice/{advice['advice_id']}/decision", decision_for(advice), str(uuid.uuid4()))
                    )
                else:
                    with ledger.lock:
                        ledger.decisions[r.json()["advice_id"]] = r.json()["decision_id"]
                        if len(ledger.decisions) >= ledger.target:
                            ledger.enough.set()


def run_clients(
    target: Target,
    ledger: Ledger,
    clients: int,
    rounds: int,
    *,
    keep_going: bool = False,
    cases: Sequence[dict] | None = None,
) -> list[threading.Thread]:
    """``clients`` threads of ``client_run``; with ``cases``, each takes every ``clients``-th case."""
    shares = [None if cases is None else cases[n::clients] for n in range(clients)]
    threads = [
        threading.Thread(
            target=client_run,
            args=(target, ledger, n, rounds),
            daemon=True,
            kwargs={"keep_going": keep_going, "cases": shares[n]},
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    return threads


def retry_unanswered(target: Target, ledger: Ledger) -> None:
    """Ask again, with the same Idempotency-Key, what got no answer or a 503."""
    with httpx.Client(base_url=target.url, timeout=TIMEOUT, headers=target.headers("caseworker")) as http:
        for path, body, key in ledger.unanswered:
            r = http.post(path, json=body, headers={"Idempotency-Key": key})
            assert r.status_code in (201, 409), r.text
            if path.endswith("/decision") and r.status_code == 201:
                ledger.decisions[r.json()["advice_id"]] = r.json()["decision_id"]


def check_store(target: Target, ledger: Ledger) -> None:
    """Every acknowledged decision is stored, once, with its audit entry; the chain verifies."""
    engine = make_engine(target.settings.database)
    with session_factory(engine)() as s:
        stored = dict(s.execute(select(Decision.advice_id, Decision.id)).all())
        decision_events = s.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "decision.recorded")
        ).scalar_one()
    engine.dispose()
    missing = {a for a in ledger.decisions if a not in stored}
    assert not missing, f"{len(missing)} acknowledged decisions are not stored"
    assert all(stored[a] == d for a, d in ledger.decisions.items())  # the same decision, once
    assert decision_events == len(stored)
    verify = httpx.get(f"{target.url}/api/v1/audit/verify", timeout=TIMEOUT, headers=target.headers("auditor")).json()
    assert verify["valid"], verify
