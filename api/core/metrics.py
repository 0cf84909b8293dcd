"""Prometheus metrics: what operators watch, and never who or which case (docs/deploy.md, "What to monitor").

The rule: a label holds only a route *template* (``/api/v1/advice/{advice_id}``, never the path with
the id), a method, a status code, a registered model name and version, or a decision outcome.
No user, team, case, token or client address is ever a label or a value.

Counting is cheap on the hot path: one counter and one histogram per request, one counter per
advice (a few microseconds; measured in docs/deploy.md). The advice queue's depth and the loaded
model versions are read when Prometheus scrapes. With several uvicorn workers, ``werkwijzer serve``
points ``PROMETHEUS_MULTIPROC_DIR`` at a folder the workers share, so a scrape of any worker
answers for all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.logs import HEADER, incoming_id, request_id

log = logging.getLogger(__name__)
STOPPED = json.dumps(
    {
        "detail": "the server stopped before this request was finished; it may or may not have taken "
        "effect: ask again (with the same Idempotency-Key, where the request has one)"
    }
).encode()
UNMATCHED = "unmatched"  # a path that matched no route (a 404): its raw path is never a label
OTHER = "other"  # answered outside the routes (static files)
NO_MODEL = "none"  # advice without a suggestion (control share, no champion, switched off)

REQUESTS = Counter(
    "werkwijzer_http_requests_total", "HTTP requests answered, per route template", ["method", "route", "status"]
)
LATENCY = Histogram(
    "werkwijzer_http_request_duration_seconds",
    "Time to answer, per route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ADVICE = Counter(
    "werkwijzer_advice_total", "Advice answers given, per model version ('none': no suggestion)", ["model", "version"]
)
DECISIONS = Counter(
    "werkwijzer_decisions_total",
    "Decisions recorded, per model version of the advice; outcome 'deviated' is an override",
    ["model", "version", "outcome"],
)
QUEUE = Gauge(
    "werkwijzer_advice_queue_held",
    "Advice requests a worker holds (summed over live workers)",
    multiprocess_mode="livesum",
)
LOADED = Gauge(
    "werkwijzer_model_loaded",
    "1 for the champion version a worker serves, per model",
    ["model", "version"],
    multiprocess_mode="liveall",
)


def route_template(scope: Scope, status: int) -> str:
    """The matched route's template with its router prefix: ``/api/v1/advice/{advice_id}``.

    An included router's route knows only its own part (``/advice/{advice_id}``); the prefix is the
    path's leading segments before it (router prefixes here are fixed words, never parameters).
    """
    relative = getattr(scope.get("route"), "path", None)
    if not relative:
        return UNMATCHED if status in (404, 405) else OTHER
    segments = scope["path"].rstrip("/").split("/")
    own = relative.rstrip("/").count("/")
    return "/".join(segments[: len(segments) - own]) + relative


class Observed:
    """ASGI middleware, one layer for both: the request id (``api.core.logs``) is honoured or made,
    kept for log lines and sent back; every answer is counted with its time by method, route
    template and status. Being outermost, it also answers a request that the shutdown cut off
    before it was answered (503, ask again), where uvicorn would answer 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        rid = incoming_id(scope)
        token = request_id.set(rid)
        status = 500
        status_sent = False

        async def sent(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                message["headers"] = [*message.get("headers", ()), (HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sent)
        except asyncio.CancelledError:
            if status_sent:
                raise
            # uvicorn cancels what is still running when the graceful shutdown runs out
            # (WERKWIJZER_SHUTDOWN_SECONDS); it would answer 500. The request may have taken effect
            # or not: say so, as a 503 to ask again (with the same Idempotency-Key), and end quietly.
            status = 503
            log.warning(
                "stopping: %s %s cut off by the shutdown, answered 503", scope["method"], route_template(scope, 503)
            )
            with contextlib.suppress(Exception):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 503,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"retry-after", b"1"),
                            (b"connection", b"close"),
                            (HEADER, rid.encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": STOPPED})
        finally:
            request_id.reset(token)
            route, method = route_template(scope, status), scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - began)


def count_advice(body: dict[str, Any]) -> None:
    model = body.get("model")
    if model:
        ADVICE.labels(model["name"], model["version"]).inc()
    else:
        ADVICE.labels(NO_MODEL, NO_MODEL).inc()


def count_decision(model_name: str | None, model_version: str | None, outcome: str) -> None:
    DECISIONS.labels(model_name or NO_MODEL, model_version or NO_MODEL, outcome).inc()


_loaded: set[tuple[str, str]] = set()  # (model, version) this worker has reported
_loaded_lock = threading.Lock()


def publish_loaded(serving: Mapping[str, str]) -> None:
    """Report the champions this worker serves: 1 for each, 0 for a version it no longer serves (so a
    shared multiprocess folder keeps no stale 1). The model store calls this after every load
    (``ModelStore.subscribe``), so a scrape that reaches another worker sees this one's too."""
    current = set(serving.items())
    with _loaded_lock:
        for labels in _loaded - current:
            LOADED.labels(*labels).set(0)
        for labels in current:
            LOADED.labels(*labels).set(1)
        _loaded.update(current)


def publish_held(held: int) -> None:
    """The advice requests this worker holds, written whenever the number changes (the advice queue
    calls it), so the sum over live workers is current whichever worker a scrape reaches."""
    QUEUE.set(held)


def _alive(pid: int) -> bool:
    """``pid`` runs and is not a zombie (a killed worker its supervisor has not reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def forget_dead_workers(folder: str) -> list[int]:
    """Remove the live-gauge files of workers that are gone (killed, crashed, replaced): their
    champions and held requests are no one's any more. Counters stay (totals include them).
    uvicorn has no hook for a worker's exit, so every scrape looks; returns the pids forgotten."""
    gone = set()
    for path in Path(folder).glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            gone.add(int(pid))
            path.unlink(missing_ok=True)  # another worker's scrape may have removed it already
    return sorted(gone)


def _sample_state(app_state: Any) -> None:
    """Read again at scrape time, for the worker the scrape reached (cheap, and the same values)."""
    publish_held(app_state.advice_queue.held)
    publish_loaded(app_state.store.serving())


def exposition() -> bytes:
    """The text Prometheus reads: of every live worker when they share ``PROMETHEUS_MULTIPROC_DIR``."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        forget_dead_workers(folder)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``. With ``WERKWIJZER_METRICS_TOKEN`` set, only for ``Authorization: Bearer <that token>``."""
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return Response(
                "metrics need the scrape token (WERKWIJZER_METRICS_TOKEN)\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
                media_type="text/plain",
            )
    _sample_state(request.app.state)
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
