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
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitTimeout
from pathlib import Path
from typing import Any

from werkwijzer.settings import Settings

FOLDER = "systemcard"
WAIT_SECONDS = 2.0
KEEP_SECONDS = 300.0
RETRY_SECONDS = 30.0  # a run without a card is asked again after this long (a card may have been made since)
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="systemcard")
_CACHE: dict[tuple[str, str], tuple[float, Any]] = {}
_LOCK = threading.Lock()


def _download(settings: Settings, run_id: str, name: str) -> bytes | None:
    from werkwijzer.tracking import configure_mlflow

    client = configure_mlflow(settings)
    if not any(a.path == f"{FOLDER}/{name}" for a in client.list_artifacts(run_id, FOLDER)):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        return Path(client.download_artifacts(run_id, f"{FOLDER}/{name}", tmp)).read_bytes()


def artifact(settings: Settings, run_id: str | None, name: str) -> bytes | None:
    """``systemcard/<name>`` of ``run_id``, or None (no run, no card, or MLflow not answering in time)."""
    if not run_id:
        return None
    key = (run_id, name)
    with _LOCK:
        kept = _CACHE.get(key)
    if kept is not None and time.monotonic() - kept[0] < (KEEP_SECONDS if kept[1] is not None else RETRY_SECONDS):
        return kept[1]
    try:
        found = _POOL.submit(_download, settings, run_id, name).result(timeout=WAIT_SECONDS)
    except (WaitTimeout, Exception):  # an MLflow error of any kind means: no card to show now
        return None
    with _LOCK:
        _CACHE[key] = (time.monotonic(), found)
    return found


def card(settings: Settings, run_id: str | None) -> dict[str, Any] | None:
    raw = artifact(settings, run_id, "systemcard.json")
    return json.loads(raw) if raw else None


def summary(settings: Settings, run_id: str | None) -> dict[str, dict[str, int]] | None:
    """Per kind (requirements, questions): how many are evidenced, open, not applicable."""
    found = card(settings, run_id)
    return found.get("summary") if found else None
