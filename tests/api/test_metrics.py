"""GET /metrics (api/core/metrics.py) and request ids with JSON logs (api/core/logs.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from api.core.logs import JsonFormatter, request_id
from api.core.metrics import LATENCY, REQUESTS, Observed, count_advice, forget_dead_workers, publish_loaded
from api.schemas.advice import AdviceCreate
from casework.advice_queue import AdviceQueue
from casework.clock import utc_now
from casework.modelstore import ModelStore
from casework.security import Principal
from tests.api.conftest import Api, new_case, on_database, start_api
from werkwijzer.settings import Settings
from werkwijzer.teams import EFFORT_CLASSES


def samples(api: Api, headers: dict[str, str] | None = None) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = api.client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return sum(v for got, v in found.get(name, []) if all(got.get(k) == w for k, w in labels.items()))


def test_requests_are_counted_by_route_template_never_by_raw_path(api: Api) -> None:
    created = api.client.post("/api/v1/advice", json=new_case(7001), headers=api.headers("caseworker"))
    assert created.status_code == 201
    advice_id = created.json()["advice_id"]
    before = samples(api)
    read = api.client.get(f"/api/v1/advice/{advice_id}", headers=api.headers("caseworker"))
    assert read.status_code == 200, read.text
    assert api.client.get("/no/such/path/WMO-2026-000123").status_code == 404
    after = samples(api)
    template = "/api/v1/advice/{advice_id}"
    assert (
        value(after, "werkwijzer_http_requests_total", route=template, method="GET", status="200")
        == value(before, "werkwijzer_http_requests_total", route=template, method="GET", status="200") + 1
    )
    assert value(after, "werkwijzer_http_request_duration_seconds_count", route=template) >= 1
    assert value(after, "werkwijzer_http_requests_total", route="unmatched", status="404") >= 1
    assert value(after, "werkwijzer_http_requests_total", route="/metrics", status="200") >= 1
    assert value(after, "werkwijzer_http_requests_total", route="/api/v1/advice", method="POST", status="201") >= 1
    text = api.client.get("/metrics").text
    assert advice_id not in text and "WMO-2026" not in text and "wmo_meldingen" not in text  # no case, no team
    for token in api.tokens.values():
        assert token not in text


def test_advice_decisions_and_overrides_per_model_version(api: Api) -> None:
    before = samples(api)
    api.rng.pinned = 0.99  # outside the control share: a suggestion
    shown = api.client.post("/api/v1/advice", json=new_case(7002), headers=api.headers("caseworker")).json()
    model = shown["model"]
    assert model is not None
    suggested = shown["suggestion"]["suggested_effort_class"]
    other = next(c for c in EFFORT_CLASSES if c != suggested)
    decided = api.client.post(
        f"/api/v1/advice/{shown['advice_id']}/decision",
        headers=api.headers("caseworker"),
        json={"outcome": "deviated", "final_effort_class": other, "motivation": "metrics"},
    )
    assert decided.status_code == 201, decided.text
    after = samples(api)
    labels = {"model": model["name"], "version": model["version"]}
    assert value(after, "werkwijzer_advice_total", **labels) == value(before, "werkwijzer_advice_total", **labels) + 1
    assert (
        value(after, "werkwijzer_decisions_total", outcome="deviated", **labels)
        == value(before, "werkwijzer_decisions_total", outcome="deviated", **labels) + 1
    )
    assert value(after, "werkwijzer_model_loaded", **labels) == 1
    assert ({}, 0.0) in [(lbl, v) for lbl, v in after["werkwijzer_advice_queue_held"]]


def _gauge(text: str, name: str) -> dict[tuple[str, ...], float]:
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def test_a_worker_reports_its_champions_when_they_change_not_when_scraped() -> None:
    """With several workers a scrape reaches one; the others' values must already be written."""
    publish_loaded({"metrics-test-model": "1"})
    publish_loaded({"metrics-test-model": "2"})  # a new champion: the old version drops to 0
    loaded = _gauge(generate_latest().decode(), "werkwijzer_model_loaded")
    assert loaded[(("model", "metrics-test-model"), ("version", "1"))] == 0
    assert loaded[(("model", "metrics-test-model"), ("version", "2"))] == 1
    publish_loaded({})  # withdrawn
    assert (
        _gauge(generate_latest().decode(), "werkwijzer_model_loaded")[
            (("model", "metrics-test-model"), ("version", "2"))
        ]
        == 0
    )


def test_the_advice_queue_reports_what_it_holds_as_it_changes(fresh_api: Api) -> None:
    queue = AdviceQueue(fresh_api.app.state.sessions, fresh_api.app.state.store, fresh_api.settings, fresh_api.rng)
    told: list[int] = []
    queue.watch = told.append
    user = Principal(fresh_api.user_ids["caseworker"], "test caseworker", "caseworker")

    async def two() -> None:
        await asyncio.gather(*(queue.submit(user, AdviceCreate(**new_case(n)), utc_now(), None) for n in (1, 2)))

    asyncio.run(two())
    assert told == [1, 2, 0]


def test_a_dead_workers_live_gauges_are_forgotten_and_counters_kept(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)  # exited and reaped
    for name in (
        f"gauge_liveall_{dead}.db",
        f"gauge_livesum_{dead}.db",
        f"counter_{dead}.db",
        f"gauge_liveall_{os.getpid()}.db",
    ):
        (tmp_path / name).write_bytes(b"")
    assert forget_dead_workers(str(tmp_path)) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"counter_{dead}.db", f"gauge_liveall_{os.getpid()}.db"]
    assert forget_dead_workers(str(tmp_path)) == []


def test_a_request_cut_off_by_the_shutdown_is_told_to_ask_again_not_500() -> None:
    """uvicorn cancels what still runs when the graceful shutdown runs out; it would answer 500."""

    async def never_done(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.Event().wait()  # an admin reload waiting on a silent MLflow, say

    async def answered_from_start(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.Event().wait()

    async def cut(app: Any) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "POST", "path": "/api/v1/admin/reload", "headers": []}
        task = asyncio.ensure_future(Observed(app)(scope, receive, send))
        await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return sent

    sent = asyncio.run(cut(never_done))
    assert sent[0]["status"] == 503 and (b"retry-after", b"1") in sent[0]["headers"]
    assert "ask again" in json.loads(sent[1]["body"])["detail"]
    assert [m["status"] for m in asyncio.run(cut(answered_from_start))] == [200]  # already answering: no second start


@pytest.fixture
def guarded(api_settings: Settings, model_store: ModelStore, tmp_path: Path) -> Iterator[Api]:
    settings = api_settings.model_copy(update={"metrics_token": "scrape-token-for-the-test"})
    yield from start_api(on_database(settings, f"sqlite:///{tmp_path / 'm.db'}", tmp_path), model_store)


def test_a_scrape_token_guards_metrics(guarded: Api) -> None:
    assert guarded.client.get("/metrics").status_code == 401
    assert guarded.client.get("/metrics", headers=guarded.headers("admin")).status_code == 401  # a user token is not it
    samples(guarded, {"Authorization": "Bearer scrape-token-for-the-test"})


def test_a_request_id_is_honoured_or_made_and_sent_back(api: Api) -> None:
    assert api.client.get("/health", headers={"X-Request-ID": "proxy-42.a_b"}).headers["x-request-id"] == "proxy-42.a_b"
    made = api.client.get("/health", headers={"X-Request-ID": "not safe; drop table"}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", made)
    assert re.fullmatch(r"[0-9a-f]{16}", api.client.get("/health").headers["x-request-id"])


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("api.errors", logging.WARNING, __file__, 1, "database busy: %s", ("locked",), None)
    token = request_id.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "abc123" and line["message"] == "database busy: locked"
    assert line["level"] == "WARNING" and line["logger"] == "api.errors" and line["time"].endswith("+00:00")


def test_counting_costs_microseconds() -> None:
    """The hot path's cost of metrics: one request counter, one histogram, one advice counter."""
    body = {"model": {"name": "bench-model", "version": "1"}}
    rounds = 20_000
    began = time.perf_counter()
    for _ in range(rounds):
        REQUESTS.labels("POST", "/bench", "201").inc()
        LATENCY.labels("POST", "/bench").observe(0.004)
        count_advice(body)
    per_request = (time.perf_counter() - began) / rounds
    assert per_request < 50e-6, f"{per_request * 1e6:.1f} µs per request"
