"""The system cards kept with the champions' runs (``werkwijzer evidence``, ADR 0018), read for the pages.

A card is made after training, so it is read from MLflow when a page asks, not when the model
loads. Reads are bounded (``WAIT_SECONDS``), so an MLflow server that is slow or down leaves the
*Modellen* page working, without a card; found cards are kept per run for ``KEEP_SECONDS``, the
absence of one for ``RETRY_SECONDS``.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from werkwijzer.settings import Settings

FOLDER = "systemcard"
WAIT_SECONDS = 2.0
KEEP_SECONDS = 300.0
RETRY_SECONDS = 30.0  # a run without a card is asked again after this long (a card may have been made since)
_CACHE: dict[tuple[str, str], tuple[float, Any]] = {}
_LOCK = threading.Lock()


def _download(settings: Settings, run_id: str, name: str) -> bytes | None:
    from werkwijzer.tracking import client_for

    client = client_for(settings)
    if not any(a.path == f"{FOLDER}/{name}" for a in client.list_artifacts(run_id, FOLDER)):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        return Path(client.download_artifacts(run_id, f"{FOLDER}/{name}", tmp)).read_bytes()


class _Fetch:
    """One download on a daemon thread: a stuck MLflow call never holds up a page or the process's exit."""

    def __init__(self, settings: Settings, run_id: str, name: str) -> None:
        self.done = threading.Event()
        self.value: bytes | None = None
        threading.Thread(target=self._run, args=(settings, run_id, name), daemon=True, name="systemcard").start()

    def _run(self, settings: Settings, run_id: str, name: str) -> None:
        try:
            self.value = _download(settings, run_id, name)
        except Exception:  # an MLflow error of any kind means: no card to show now
            self.value = None
        finally:
            self.done.set()


def _fetch(settings: Settings, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
    """``(run_id, name) -> bytes or None`` for every key, all asked at once and waited for together."""
    found: dict[tuple[str, str], bytes | None] = {}
    pending: dict[tuple[str, str], _Fetch] = {}
    now = time.monotonic()
    for key in keys:
        with _LOCK:
            kept = _CACHE.get(key)
        if kept is not None and now - kept[0] < (KEEP_SECONDS if kept[1] is not None else RETRY_SECONDS):
            found[key] = kept[1]
        else:
            pending[key] = _Fetch(settings, *key)
    deadline = now + WAIT_SECONDS
    for key, fetch in pending.items():
        fetch.done.wait(max(0.0, deadline - time.monotonic()))
        found[key] = fetch.value  # None when not done in time: asked again after RETRY_SECONDS
        with _LOCK:
            _CACHE[key] = (time.monotonic(), found[key])
    return found


def artifact(settings: Settings, run_id: str | None, name: str) -> bytes | None:
    """``systemcard/<name>`` of ``run_id``, or None (no run, no card, or MLflow not answering in time)."""
    return _fetch(settings, [(run_id, name)])[(run_id, name)] if run_id else None


def card(settings: Settings, run_id: str | None) -> dict[str, Any] | None:
    raw = artifact(settings, run_id, "systemcard.json")
    return json.loads(raw) if raw else None


def summaries(settings: Settings, runs: Mapping[str, str | None]) -> dict[str, dict[str, dict[str, int]] | None]:
    """Per model: per kind (requirements, questions), how many are evidenced, open, not applicable."""
    keys = {name: (run_id, "systemcard.json") for name, run_id in runs.items() if run_id}
    found = _fetch(settings, keys.values())
    cards = {name: json.loads(raw) if (raw := found[key]) else None for name, key in keys.items()}
    return {name: (cards.get(name) or {}).get("summary") for name in runs}
