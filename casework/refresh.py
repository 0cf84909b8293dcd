"""Every worker picks up newly approved champions on its own.

``POST /admin/reload`` reaches the one worker that answers it; with ``serve --workers N`` the others
would keep the old version until restarted. So each worker also reloads in the background every
``settings.model_refresh_seconds``. A reload is a no-op when no champion changed (a few registry
queries) and keeps serving the loaded version when MLflow is unreachable. A version that goes
live or is withdrawn this way is an audit entry ``models.refreshed`` by the actor ``system``, so
the trail shows when each worker started serving it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from casework import audit
from casework.config import MODEL_NAMES
from casework.modelstore import ModelStore
from casework.periodic import PeriodicThread

log = logging.getLogger(__name__)


def _loaded(store: ModelStore) -> dict[str, str | None]:
    effort, integrated = store.triage_pair()
    forecast = store.forecast
    return {
        name: (bundle.version if bundle else None)
        for name, bundle in zip(MODEL_NAMES, (effort, integrated, forecast), strict=True)
    }


def refresh_once(store: ModelStore, sessions: sessionmaker[Session], now: dt.datetime) -> dict[str, Any]:
    """Reload; when a served version changed, record which. Returns the changes (empty: nothing changed)."""
    before = _loaded(store)
    results = store.reload()
    after = _loaded(store)
    changes = {
        name: {"from": before[name], "to": after[name], "message": results[name].message}
        for name in MODEL_NAMES
        if before[name] != after[name]
    }
    if changes:
        with sessions() as session:
            audit.record(
                session,
                kind="models.refreshed",
                actor="system",
                subject="models",
                at=now,
                payload={"worker_pid": os.getpid(), "changes": changes},
            )
            session.commit()
    return changes


class Refresher(PeriodicThread):
    """A daemon thread calling :func:`refresh_once` every ``interval`` seconds until stopped.

    Stopping does not wait for a reload under way: one that waits for an MLflow that does not
    answer would hold the worker's shutdown far beyond ``settings.shutdown_seconds`` (found from
    outside: 32 s). A reload left behind changes nothing a stopping worker still serves."""

    STOP_WAIT = 1.0

    def __init__(
        self, store: ModelStore, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime], interval: float
    ) -> None:
        super().__init__("werkwijzer-model-refresh", interval)
        self._store, self._sessions, self._clock = store, sessions, clock

    def tick(self) -> None:
        try:
            refresh_once(self._store, self._sessions, self._clock())
        except Exception:  # keep serving; the next round tries again
            log.exception("background model refresh failed")
