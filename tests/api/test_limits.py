"""Bounded work, in process: body size, the caller checked before the body, the advice queue's
bound, and every database wait on a request path ending in a 503 (ADR 0007, docs/api.md "Limits")."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

from api.schemas.advice import AdviceCreate
from casework.advice_queue import AdviceQueue
from casework.clock import utc_now
from casework.db import DatabaseBusy, make_engine, read_session
from casework.errors import Busy
from casework.security import Principal
from tests.api.conftest import Api, database_url, new_case, on_database, start_api
from werkwijzer.settings import Settings
from werkwijzer.teams import EFFORT_CLASSES

LIMIT = 4096
WAIT = 0.5  # seconds: the database wait of the apps below


@pytest.fixture
def bounded(
    backend: str, api_settings: Settings, model_store: object, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Api]:
    """An app on an empty database with a small body limit and a short database wait."""
    url = database_url(backend, tmp_path, request)
    settings = on_database(api_settings, url, tmp_path).model_copy(
        update={"max_body_bytes": LIMIT, "db_wait_seconds": WAIT}
    )
    yield from start_api(settings, model_store)  # type: ignore[arg-type]


def _decision(advice: dict[str, Any]) -> dict[str, Any]:
    """A valid decision that deviates from the advice (or decides a case without suggestion)."""
    suggested = (advice["suggestion"] or {}).get("suggested_effort_class")
    other = next(c for c in EFFORT_CLASSES if c != suggested)
    return {"outcome": "deviated", "final_effort_class": other, "motivation": "eigen oordeel"}


def _advice(api: Api, n: int) -> dict[str, Any]:
    r = api.client.post("/api/v1/advice", json=new_case(n), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return r.json()


# -- body size ------------------------------------------------------------------------------------
def test_a_body_over_the_limit_is_413_before_it_is_read_on_api_and_pages(bounded: Api) -> None:
    big = b'{"case_id": "' + b"x" * (2 * LIMIT) + b'"}'
    for path in ("/api/v1/advice", "/api/v1/advice/abc/decision", "/zaken/abc/besluit", "/aanmelden"):
        r = bounded.client.post(
            path, content=big, headers={**bounded.headers("caseworker"), "content-type": "application/json"}
        )
        assert r.status_code == 413, (path, r.status_code, r.text)
        assert "WERKWIJZER_MAX_BODY_BYTES" in r.json()["detail"] and r.headers["connection"] == "close"


def test_a_chunked_body_is_counted_and_refused_once_over_the_limit(bounded: Api) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server cannot know the size up front
        yield b'{"case_id": "'
        for _ in range(8):
            yield b"x" * 1024
        yield b'"}'

    r = bounded.client.post(
        "/api/v1/advice/abc/decision",
        content=chunks(),
        headers={**bounded.headers("caseworker"), "content-type": "application/json"},
    )
    assert r.status_code == 413, r.text
    ok = bounded.client.post("/api/v1/advice", json=new_case(1), headers=bounded.headers("caseworker"))
    assert ok.status_code == 201  # a body under the limit goes through


# -- the caller before the body ---------------------------------------------------------------------
def _body_routes() -> list[tuple[str, APIRoute]]:
    """(full path, route) of every route that takes a body: the API's and the pages' forms."""
    from api.routes import advice, governance, health, teams
    from api.web import ROUTERS
    from casework.config import API_PREFIX

    mounted = [(API_PREFIX, r) for r in (advice.router, teams.router, governance.router)]
    mounted += [("", health.router)] + [("", r) for r in ROUTERS]
    found = [
        (prefix + route.path, route)
        for prefix, router in mounted
        for route in router.routes
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT"}
    ]
    return [(path, route) for path, route in found if route.body_field is not None or path == "/api/v1/advice"]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "wmo_meldingen", path)


def test_no_token_and_a_broken_body_is_401_on_every_api_route(bounded: Api) -> None:
    routes = [(path, route) for path, route in _body_routes() if path.startswith("/api/")]
    assert len(routes) >= 5
    for path, route in routes:
        method = sorted(route.methods)[0]
        r = bounded.client.request(
            method, _concrete(path), content=b'{"broken', headers={"content-type": "application/json"}
        )
        assert r.status_code == 401, (path, r.status_code, r.text)
        wrong = bounded.client.request(
            method,
            _concrete(path),
            content=b'{"broken',
            headers={"content-type": "application/json", "Authorization": "Bearer ww_not_a_token"},
        )
        assert wrong.status_code == 401, (path, wrong.status_code)


def test_no_session_and_a_broken_form_goes_to_sign_in_on_every_guarded_page_form(bounded: Api) -> None:
    guarded = [path for path, _ in _body_routes() if not path.startswith("/api/") and path != "/aanmelden"]
    assert len(guarded) >= 3
    for path in guarded:
        r = bounded.client.post(
            _concrete(path),
            content=b"\xff\x00broken=%%%",
            headers={"content-type": "multipart/form-data; boundary=nothing"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/aanmelden"), (path, r.status_code)


# -- the advice queue's bound -----------------------------------------------------------------------
class _HeldSessions:
    """A session factory whose sessions open only once ``release`` is set: the batch waits in storing."""

    def __init__(self, make: Any) -> None:
        self.make, self.release, self.waiting = make, threading.Event(), threading.Event()

    def __call__(self) -> Any:
        self.waiting.set()
        assert self.release.wait(timeout=30)
        return self.make()


def test_a_full_advice_queue_answers_503_at_once_and_the_held_requests_complete(fresh_api: Api) -> None:
    api = fresh_api
    sessions = _HeldSessions(api.app.state.sessions)
    settings = api.settings.model_copy(update={"advice_queue_limit": 3})
    queue = AdviceQueue(sessions, api.app.state.store, settings, api.rng)
    user = Principal(api.user_ids["caseworker"], "test caseworker", "caseworker")

    async def scenario() -> tuple[list[Any], float]:
        held = [
            asyncio.ensure_future(queue.submit(user, AdviceCreate(**new_case(n)), utc_now(), None)) for n in range(3)
        ]
        await asyncio.sleep(0)
        while not sessions.waiting.is_set():
            await asyncio.sleep(0.005)
        started = time.monotonic()
        with pytest.raises(Busy) as refused:
            await queue.submit(user, AdviceCreate(**new_case(9)), utc_now(), None)
        assert refused.value.status_code == 503 and "WERKWIJZER_ADVICE_QUEUE_LIMIT" in refused.value.detail
        took = time.monotonic() - started
        sessions.release.set()
        return await asyncio.gather(*held), took

    answers, took = asyncio.run(scenario())
    assert took < 1.0
    assert [status for status, _ in answers] == [201, 201, 201]


def test_a_closing_queue_refuses_new_requests_and_finishes_the_held_ones(fresh_api: Api) -> None:
    api = fresh_api
    queue = AdviceQueue(api.app.state.sessions, api.app.state.store, api.settings, api.rng)
    user = Principal(api.user_ids["caseworker"], "test caseworker", "caseworker")
    queue.open()

    async def scenario() -> list[Any]:
        held = [
            asyncio.ensure_future(queue.submit(user, AdviceCreate(**new_case(n)), utc_now(), None)) for n in range(5)
        ]
        await asyncio.sleep(0)
        closing = asyncio.ensure_future(queue.close(timeout=10))
        await asyncio.sleep(0)
        with pytest.raises(Busy):
            await queue.submit(user, AdviceCreate(**new_case(9)), utc_now(), None)
        await closing
        return await asyncio.gather(*held)

    assert [status for status, _ in asyncio.run(scenario())] == [201] * 5


# -- every database wait is bounded ------------------------------------------------------------------
def _hold_writer(url: str, held: threading.Event, release: threading.Event) -> None:
    """Another writer holds the database, as ``werkwijzer purge`` or a second worker would."""
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("UPDATE audit_head SET last_seq = last_seq WHERE id = 1"))  # SQLite: the writer lock
        held.set()
        release.wait(timeout=30)
        conn.rollback()
    engine.dispose()


def test_a_held_database_gives_503_within_the_wait_while_reads_go_on(bounded: Api) -> None:
    api = bounded
    advice = _advice(api, 1)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_writer, args=(api.settings.database, held, release), daemon=True)
    holder.start()
    assert held.wait(timeout=30)
    try:
        started = time.monotonic()
        decided = api.client.post(
            f"/api/v1/advice/{advice['advice_id']}/decision", json=_decision(advice), headers=api.headers("caseworker")
        )
        took = time.monotonic() - started
        assert decided.status_code == 503, decided.text
        assert decided.headers["retry-after"] == "1" and "nothing was stored" in decided.json()["detail"]
        assert WAIT * 0.8 <= took < WAIT + 3
        refused = api.client.post("/api/v1/advice", json=new_case(2), headers=api.headers("caseworker"))
        assert refused.status_code == 503, refused.text
        started = time.monotonic()
        read = api.client.get(f"/api/v1/advice/{advice['advice_id']}", headers=api.headers("caseworker"))
        assert read.status_code == 200
        assert api.client.get("/api/v1/audit/verify", headers=api.headers("auditor")).json()["valid"]
        assert time.monotonic() - started < WAIT  # reads never wait for the writer
    finally:
        release.set()
        holder.join(timeout=30)
    again = api.client.post(
        f"/api/v1/advice/{advice['advice_id']}/decision", json=_decision(advice), headers=api.headers("caseworker")
    )
    assert again.status_code == 201, again.text  # nothing was stored by the refused attempt
    assert _advice(api, 3)["advice_id"]


def test_a_page_form_against_a_held_database_gets_a_dutch_busy_page(bounded: Api) -> None:
    from tests.api.web.conftest import csrf_of, sign_in

    api = bounded
    if api.settings.database.startswith("postgres"):
        pytest.skip("the page answer is the same on PostgreSQL; the wait itself is tested above on both")
    advice = _advice(api, 1)
    browser = sign_in(api, "caseworker")
    form = browser.get(f"/zaken/{advice['advice_id']}")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_writer, args=(api.settings.database, held, release), daemon=True)
    holder.start()
    assert held.wait(timeout=30)
    try:
        r = browser.post(
            f"/zaken/{advice['advice_id']}/besluit",
            headers={"accept": "text/html"},
            data={
                "csrf_token": csrf_of(form.text),
                "outcome": "followed",
                "final_effort_class": "gemiddeld",
                "motivation": "",
            },
        )
    finally:
        release.set()
        holder.join(timeout=30)
    assert r.status_code == 503 and "Even te druk" in r.text and "Er is niets opgeslagen" in r.text


def test_the_writer_lock_and_sqlite_busy_wait_are_bounded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    first, second = make_engine(url, wait_seconds=0.3), make_engine(url, wait_seconds=0.3)
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with first.connect() as holder:  # the file lock of another "worker"
        holder.begin()
        holder.execute(text("INSERT INTO t VALUES (1)"))
        started = time.monotonic()
        with pytest.raises(DatabaseBusy), second.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
        assert 0.25 <= time.monotonic() - started < 2
        holder.rollback()
    raw = sqlite3.connect(tmp_path / "w.db", isolation_level=None)  # a program that knows no writer lock
    raw.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(Exception, match="locked"), second.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (3)"))
    assert time.monotonic() - started < 2
    with read_session(second) as session:  # a reader neither waits nor blocks
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    raw.rollback()
    raw.close()
    first.dispose()
    second.dispose()
