"""Advice requests that arrive together are scored and stored together (ADR 0007, ADR 0011).

The advice route is ``async``: it validates the request on the event loop (a 422 or 503 is
answered there and nothing is queued), then queues it and awaits its answer. The queue takes
everything queued (at most ``MAX_BATCH``), scores those rows in one model call per champion
pair (``scoring._run``: a row that fails is scored alone, so it fails only its own request),
and stores the batch in one transaction: the switch state is read once, the audit chain's head
is locked once, and each request gets its own advice row, its own control-share draw, its own
audit entry (in queue order, so the chain is the order of arrival) and its own idempotency
answer. One commit makes the whole batch durable; only then is any request answered. When the
batch transaction fails (say, a concurrent request with the same Idempotency-Key won a race in
another worker), it is rolled back and every request of the batch is stored again in a
transaction of its own, exactly as a lone request would be, so each gets the answer it would
have got alone.

A batch is scored on the event loop (CPU only, milliseconds) and stored on a thread of its own,
``werkwijzer-advice-store`` (ADR 0007, "No request waits long"): storing waits for the database
(the writer lock that a decision on the thread pool may hold, another process's lock,
PostgreSQL's round trips), and the event loop must never wait for anything a thread-pool task
holds, since that task needs the loop to finish. One store thread keeps the batches in order,
so the audit chain is still the order of arrival. Before each batch the loop turns until no
more received requests join the queue, so the requests that came in while the last batch was
being stored form the next one; a lone request is processed at once, without a waiting window.

Bounded (docs/api.md, "Limits"): a worker holds at most ``settings.advice_queue_limit`` advice
requests; one more is answered 503 with Retry-After at once. A batch whose database wait runs
out (``settings.db_wait_seconds``) answers every request in it with 503; only a batch that
failed for another reason is stored again request by request. On shutdown the queue refuses new
requests with 503 and finishes the ones it holds (:meth:`close`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from casework import advice, audit, idempotency, scoring, switches
from casework.advice import RandomSource
from casework.db import DatabaseBusy
from casework.errors import Busy, Conflict, ServiceError, database_unavailable
from casework.inputs import AdviceCreate
from casework.modelstore import ModelStore
from casework.security import Principal
from casework.storage import Advice, table_of
from werkwijzer.settings import Settings

MAX_BATCH = 64
GATHER_TURNS = 8
# Failures that retrying request by request cannot mend: the database is locked or unreachable.
_DATABASE_WAITS = (DatabaseBusy, OperationalError, PoolTimeout)


@dataclass(eq=False)
class _Request:
    user: Principal
    body: AdviceCreate
    now: dt.datetime
    key: str | None
    prepared: advice.Prepared
    future: asyncio.Future[tuple[int, dict[str, Any]]]
    answer: tuple[int, dict[str, Any]] | None = None
    error: BaseException | None = None
    computed: advice.Computed | None = field(default=None, repr=False)


class AdviceQueue:
    """Queues advice requests of one process and processes them in batches on its event loop."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        store: ModelStore,
        settings: Settings,
        rng: RandomSource,
        score: Callable[..., list[scoring.Scored]] = scoring.score_rows,
    ) -> None:
        self._sessions = sessions
        self._store = store
        self._settings = settings
        self._rng = rng
        self._score = score
        self._pending: list[_Request] = []
        self._in_batch = 0
        self._draining = False
        self._closing = False
        self._opened = 0  # app lifespans using this queue (tests may run several on one app)
        self._task: asyncio.Task[None] | None = None
        self._storer: ThreadPoolExecutor | None = None  # the store thread, made on first use
        self.watch: Callable[[int], None] | None = None  # told :attr:`held` whenever it changes (the metrics)

    @property
    def held(self) -> int:
        """Advice requests this worker holds: queued, or in the batch being processed."""
        return len(self._pending) + self._in_batch

    async def submit(
        self, user: Principal, body: AdviceCreate, now: dt.datetime, key: str | None
    ) -> tuple[int, dict[str, Any]]:
        """The advice's (status, body) once it is committed; validation errors are raised at once,
        and so is :class:`Busy` when the worker holds its limit or is shutting down."""
        if self._closing:
            raise Busy("this worker is shutting down; ask again, another worker or the restarted one answers")
        if self.held >= self._settings.advice_queue_limit:
            raise Busy(
                f"this worker already holds {self.held} advice requests "
                f"(WERKWIJZER_ADVICE_QUEUE_LIMIT); ask again in a moment"
            )
        prepared = advice.prepare(self._store, self._settings, body)
        loop = asyncio.get_running_loop()
        request = _Request(user, body, now, key, prepared, loop.create_future())
        self._pending.append(request)
        self._report()
        if not self._draining:
            self._draining = True
            self._task = loop.create_task(self._drain())
        return await request.future

    def _report(self) -> None:
        if self.watch is not None:
            self.watch(self.held)

    def open(self) -> None:
        """The app starts serving (its lifespan): take requests."""
        self._opened += 1
        self._closing = False

    async def close(self, timeout: float) -> None:
        """The app stops serving: refuse new requests and finish the ones held, for at most
        ``timeout`` seconds. A batch still waiting for the database then is left to its store
        thread; its requests are not answered, so none of them counts as acknowledged."""
        self._opened = max(0, self._opened - 1)
        if self._opened:
            return
        self._closing = True
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task], timeout=timeout)
        storer, self._storer = self._storer, None
        if storer is not None:
            storer.shutdown(wait=False, cancel_futures=True)

    def _store_thread(self) -> ThreadPoolExecutor:
        if self._storer is None:
            self._storer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="werkwijzer-advice-store")
        return self._storer

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                await self._gather()
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                self._in_batch = len(batch)
                try:
                    scored = self.score(batch)
                    if scored:
                        await loop.run_in_executor(self._store_thread(), self.store, scored)
                except BaseException as exc:  # the batch machinery itself failed: every request hears it
                    for request in batch:
                        request.error = request.error or exc
                finally:
                    self._in_batch = 0
                    self._report()
                for request in batch:
                    if request.future.done():  # the client went away; its advice is stored all the same
                        continue
                    if request.answer is not None:
                        request.future.set_result(request.answer)
                    else:
                        request.future.set_exception(request.error or RuntimeError("advice not processed"))
        finally:
            self._draining = False

    async def _gather(self) -> None:
        """Let requests the server has already received reach the queue: turn the loop until a
        turn adds none (at most ``GATHER_TURNS``; each turn is microseconds, not a waiting window)."""
        for _ in range(GATHER_TURNS):
            before = len(self._pending)
            await asyncio.sleep(0)
            if len(self._pending) == before:
                return

    # -- one batch: scored on the event loop, stored on the store thread -----------------------
    def process(self, batch: list[_Request]) -> None:
        """Score and store ``batch`` in this thread; sets each request's answer or error."""
        scored = self.score(batch)
        if scored:
            self.store(scored)

    def score(self, batch: list[_Request]) -> list[_Request]:
        """Score ``batch`` (CPU only); returns the requests that scored, the others carry their error."""
        jobs = [
            scoring._Job(r.prepared.effort, r.prepared.integrated, r.prepared.row, self._settings.advice_reasons)
            for r in batch
        ]
        scoring._run(jobs, self._score)
        scored = []
        for request, job in zip(batch, jobs, strict=True):
            if job.error is not None:
                request.error = job.error
                continue
            assert job.result is not None
            request.computed = advice.finish(request.prepared, job.result)
            scored.append(request)
        return scored

    def store(self, scored: list[_Request]) -> None:
        """Store scored requests in one transaction; sets each request's answer or error."""
        try:
            self._store_together(scored)
        except _DATABASE_WAITS as exc:  # locked or unreachable: storing them one by one would only wait again
            for request in scored:
                request.answer, request.error = None, database_unavailable(exc)
        except Exception:
            for request in scored:
                request.answer, request.error = None, None
                self._store_alone(request)

    def _store_together(self, batch: list[_Request]) -> None:
        rows: list[dict[str, Any]] = []
        entries: list[audit.Entry] = []
        answered: dict[tuple[str, str], tuple[str, tuple[int, dict[str, Any]]]] = {}  # keys used in this batch
        with self._sessions() as session:
            state = switches.current(session)
            for request in batch:
                # only a request with an Idempotency-Key is looked up or remembered by its digest
                digest = advice.request_digest(request.body) if request.key else ""
                if request.key:
                    earlier = answered.get((request.user.id, request.key))
                    if earlier is not None:  # a retry within the batch
                        if earlier[0] == digest:
                            request.answer = earlier[1]
                        else:
                            request.error = Conflict(idempotency.KEY_REUSED)
                        continue
                    try:
                        replayed = idempotency.replay(session, request.user.id, request.key, digest)
                    except ServiceError as exc:  # the key was used for another request: 409, nothing stored
                        request.error = exc
                        continue
                    if replayed is not None:
                        request.answer = (replayed.status_code, replayed.body)
                        continue
                assert request.computed is not None
                built = advice.build(
                    self._settings, request.user, request.body, request.computed, request.now, self._rng, state
                )
                rows.append(built.row)
                entries.append(
                    audit.Entry("advice.created", request.user.id, built.row["id"], built.audit_payload, request.now)
                )
                idempotency.remember(session, request.user.id, request.key, digest, 201, built.public, request.now)
                request.answer = (201, built.public)
                if request.key:
                    answered[(request.user.id, request.key)] = (digest, request.answer)
            if rows:
                session.execute(insert(table_of(Advice)), rows)  # Core: no ORM bulk machinery per row
                audit.record_many(session, entries)
            session.commit()

    def _store_alone(self, request: _Request) -> None:
        try:
            with self._sessions() as session:
                digest = advice.request_digest(request.body)
                replayed = idempotency.replay(session, request.user.id, request.key, digest)
                if replayed is not None:
                    request.answer = (replayed.status_code, replayed.body)
                    return
                assert request.computed is not None
                public = advice.add(
                    session,
                    self._settings,
                    request.user,
                    request.body,
                    request.computed,
                    request.now,
                    self._rng,
                    request.key,
                    digest,
                    switches.current(session),
                )
                raced = idempotency.commit(session, request.user.id, request.key, digest)
                request.answer = (raced.status_code, raced.body) if raced else (201, public)
        except _DATABASE_WAITS as exc:
            request.error = database_unavailable(exc)
        except Exception as exc:
            request.error = exc
