"""Reliability against a real uvicorn server on 127.0.0.1, on SQLite and PostgreSQL.

- 20 concurrent clients x 100 advice + decision: every acknowledged decision is stored once.
- The server killed with SIGKILL mid-load and restarted: every decision that got a 2xx is
  there, retries with the same Idempotency-Key return the first answer, and the chain verifies.
Counts and timeouts are bounded; everything stays on loopback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.served import Ledger, check_store, retry_unanswered, run_clients, serving
from werkwijzer.settings import Settings

pytestmark = pytest.mark.slow


def test_20_concurrent_clients_x_100_advice_and_decision(
    backend: str, api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with serving(backend, api_settings, request, tmp_path) as target:
        ledger = Ledger()
        for thread in run_clients(target, ledger, clients=20, rounds=100):
            thread.join(timeout=600)
        assert not ledger.unanswered and len(ledger.decisions) == 2000
        check_store(target, ledger)


def test_sigkill_mid_load_loses_no_acknowledged_decision(
    backend: str, api_settings: Settings, toy_versions: object, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with serving(backend, api_settings, request, tmp_path) as target:
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
        retry_unanswered(target, ledger)
        check_store(target, ledger)
