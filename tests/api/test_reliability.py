"""Reliability against a real uvicorn server on 127.0.0.1, on SQLite and PostgreSQL.

- 20 concurrent clients x 100 advice + decision: every acknowledged decision is stored once.
- The server killed with SIGKILL mid-load and restarted: every decision that got a 2xx is
  there, retries with the same Idempotency-Key return the first answer, and the chain verifies.
Counts and timeouts are bounded; everything stays on loopback.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.core.db import make_engine, migrate, session_factory
from api.services.clock import utc_now
from api.services.users import create_user, every_team
from api.storage.models import AuditEvent, Decision
from tests.api.conftest import database_url, new_case
from werkwijzer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120.0

pytestmark = pytest.mark.slow


@dataclass
class Target:
    settings: Settings
    sock: socket.socket
    url: str
    tokens: dict[str, str]
    process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "WERKWIJZER_HOME": str(self.settings.home), "WERKWIJZER_ENVIRONMENT": "test",
               "WERKWIJZER_DATABASE_URL": self.settings.database, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, str(ROOT / "tests/api/serve_toy.py"), str(self.sock.fileno())],
                                        pass_fds=(self.sock.fileno(),), env=env, cwd=ROOT)

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


@contextmanager
def serving(backend: str, api_settings: Settings, model_store: object, request: pytest.FixtureRequest,
            tmp_path: Path) -> Iterator[Target]:
    url = database_url(backend, tmp_path, request)
    settings = api_settings.model_copy(update={"database_url": url})
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as s:
        tokens = {role: create_user(s, role, role, utc_now(), every_team(role))[1]
                  for role in ("caseworker", "auditor")}
    engine.dispose()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    target = Target(settings, sock, f"http://127.0.0.1:{sock.getsockname()[1]}", tokens)
    target.start()
    try:
        yield target
    finally:
        target.stop()
        sock.close()


@dataclass
class Ledger:
    """What the clients were told: acknowledged decisions, and requests that got no answer."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    decisions: dict[str, str] = field(default_factory=dict)  # advice_id -> decision_id
    unanswered: list[tuple[str, dict, str]] = field(default_factory=list)  # path, body, idempotency key
    enough: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    target: int = 10**9


def decision_for(advice: dict) -> dict:
    if advice["suggestion"] is None:
        return {"outcome": "deviated", "final_effort_class": "gemiddeld", "motivation": "eigen oordeel"}
    return {"outcome": "followed", "final_effort_class": advice["suggestion"]["suggested_effort_class"]}


def client_run(target: Target, ledger: Ledger, client_no: int, rounds: int) -> None:
    headers = {"Authorization": f"Bearer {target.tokens['caseworker']}"}
    with httpx.Client(base_url=target.url, timeout=TIMEOUT, headers=headers) as http:
        for i in range(rounds):
            if ledger.stop.is_set():
                return
            steps = [("/api/v1/advice", new_case(client_no * 1000 + i, open_debts=i % 12), str(uuid.uuid4()))]
            while steps:
                path, body, key = steps.pop()
                try:
                    r = http.post(path, json=body, headers={"Idempotency-Key": key})
                except httpx.TransportError:
                    with ledger.lock:
                        ledger.unanswered.append((path, body, key))
                    return
                assert r.status_code == 201, r.text
                if path == "/api/v1/advice":
                    advice = r.json()
                    steps.append((f"/api/v1/advice/{advice['advice_id']}/decision", decision_for(advice),
                                  str(uuid.uuid4())))
                else:
                    with ledger.lock:
                        ledger.decisions[r.json()["advice_id"]] = r.json()["decision_id"]
                        if len(ledger.decisions) >= ledger.target:
                            ledger.enough.set()


def run_clients(target: Target, ledger: Ledger, clients: int, rounds: int) -> list[threading.Thread]:
    threads = [threading.Thread(target=client_run, args=(target, ledger, n, rounds), daemon=True)
               for n in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def check_store(target: Target, ledger: Ledger) -> None:
    engine = make_engine(target.settings.database)
    with session_factory(engine)() as s:
        stored = dict(s.execute(select(Decision.advice_id, Decision.id)).all())
        decision_events = s.execute(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.kind == "decision.recorded")).scalar_one()
    engine.dispose()
    missing = {a for a in ledger.decisions if a not in stored}
    assert not missing, f"{len(missing)} acknowledged decisions are not stored"
    assert all(stored[a] == d for a, d in ledger.decisions.items())  # the same decision, once
    assert decision_events == len(stored)
    verify = httpx.get(f"{target.url}/api/v1/audit/verify", timeout=TIMEOUT,
                       headers={"Authorization": f"Bearer {target.tokens['auditor']}"}).json()
    assert verify["valid"], verify


def test_20_concurrent_clients_x_100_advice_and_decision(backend: str, api_settings: Settings, model_store: object,
                                                         request: pytest.FixtureRequest, tmp_path: Path) -> None:
    with serving(backend, api_settings, model_store, request, tmp_path) as target:
        ledger = Ledger()
        for thread in run_clients(target, ledger, clients=20, rounds=100):
            thread.join(timeout=600)
        assert not ledger.unanswered and len(ledger.decisions) == 2000
        check_store(target, ledger)


def test_sigkill_mid_load_loses_no_acknowledged_decision(backend: str, api_settings: Settings, model_store: object,
                                                         request: pytest.FixtureRequest, tmp_path: Path) -> None:
    with serving(backend, api_settings, model_store, request, tmp_path) as target:
        ledger = Ledger(target=100)
        threads = run_clients(target, ledger, clients=6, rounds=60)
        assert ledger.enough.wait(timeout=300), "the load never reached 100 decisions"
        target.kill()
        ledger.stop.set()
        target.start()  # requests sent meanwhile wait in the listening socket's backlog
        for thread in threads:
            thread.join(timeout=300)
        acknowledged = len(ledger.decisions)
        assert acknowledged >= 100
        headers = {"Authorization": f"Bearer {target.tokens['caseworker']}"}
        with httpx.Client(base_url=target.url, timeout=TIMEOUT, headers=headers) as http:
            for path, body, key in ledger.unanswered:  # retry what got no answer, with the same key
                r = http.post(path, json=body, headers={"Idempotency-Key": key})
                assert r.status_code in (201, 409), r.text
                if path.endswith("/decision") and r.status_code == 201:
                    ledger.decisions[r.json()["advice_id"]] = r.json()["decision_id"]
        check_store(target, ledger)
