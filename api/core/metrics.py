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

import hmac
import os
import time
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
from casework.config import FORECAST, MODEL_NAMES

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
    template and status."""

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

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sent)
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


def _sample_state(app_state: Any) -> None:
    """What is read at scrape time: the queue depth and the champions this worker serves (a version
    it no longer serves drops to 0, so a shared multiprocess folder keeps no stale 1)."""
    QUEUE.set(app_state.advice_queue.held)
    store = app_state.store
    serving = set()
    for name in MODEL_NAMES:
        bundle = store.forecast if name == FORECAST else store.triage(name)
        if bundle is not None:
            serving.add((name, str(bundle.version)))
    for labels in _loaded - serving:
        LOADED.labels(*labels).set(0)
    for labels in serving:
        LOADED.labels(*labels).set(1)
    _loaded.update(serving)


def exposition() -> bytes:
    """The text Prometheus reads: of every worker when they share ``PROMETHEUS_MULTIPROC_DIR``."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
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
