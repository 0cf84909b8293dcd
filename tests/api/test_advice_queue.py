"""Advice requests queued together are stored in one transaction, each with its own answer (ADR 0007, 0011)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.schemas.advice import AdviceCreate
from casework import audit
from casework.advice_queue import AdviceQueue
from casework.clock import utc_now
from casework.errors import Conflict, InvalidInput
from casework.security import Principal
from casework.storage import Advice, AuditEvent, IdempotencyKey
from tests.api.conftest import Api, new_case


def _run(queue: AdviceQueue, user: Principal, requests: list[tuple[dict[str, Any], str | None]]) -> list[Any]:
    async def all_at_once() -> list[Any]:
        return await asyncio.gather(
            *(queue.submit(user, AdviceCreate(**body), utc_now(), key) for body, key in requests),
            return_exceptions=True,
        )

    return asyncio.run(all_at_once())


class _CountingSessions:
    def __init__(self, make: sessionmaker[Session]) -> None:
        self.make, self.opened = make, 0

    def __call__(self) -> Session:
        self.opened += 1
        return self.make()


def _user(api: Api) -> Principal:
    return Principal(api.user_ids["caseworker"], "test caseworker", "caseworker")


def test_a_batch_is_one_transaction_with_an_answer_and_an_audit_entry_per_request_in_order(fresh_api: Api) -> None:
    api = fresh_api
    sessions = _CountingSessions(api.app.state.sessions)
    queue = AdviceQueue(sessions, api.app.state.store, api.settings, api.rng)
    answers = _run(
        queue,
        _user(api),
        [
            (new_case(1), "key-a"),
            (new_case(1), "key-a"),  # a retry within the same batch: the same answer
            (new_case(2), "key-a"),  # the key reused for another request: 409, nothing stored
            (new_case(3), None),
            (new_case(4), None),
            (new_case(5, open_debts=-1), None),  # invalid: 422 at once, never queued
        ],
    )
    assert sessions.opened == 1  # one transaction, one commit for the whole batch
    first, retry, reused, third, fourth, invalid = answers
    assert first[0] == 201 and retry == first
    assert isinstance(reused, Conflict)
    assert isinstance(invalid, InvalidInput) and invalid.problems[0].loc == ("body", "features", "open_debts")
    assert [third[1]["case_id"], fourth[1]["case_id"]] == ["WMO-2026-000003", "WMO-2026-000004"]
    with api.app.state.sessions() as session:
        stored = session.execute(select(Advice.id)).scalars().all()
        created = (
            session.execute(
                select(AuditEvent.subject).where(AuditEvent.kind == "advice.created").order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
        assert sorted(stored) == sorted(a[1]["advice_id"] for a in (first, third, fourth))
        assert created == [a[1]["advice_id"] for a in (first, third, fourth)]  # the order of arrival
        assert session.execute(select(IdempotencyKey.key)).scalars().all() == ["key-a"]
        assert audit.verify(session).valid


class _FailingFirstCommit(Session):
    failed = False

    def commit(self) -> None:
        if not _FailingFirstCommit.failed:
            _FailingFirstCommit.failed = True
            raise IntegrityError("COMMIT", {}, Exception("a concurrent request won the race"))
        super().commit()


def test_a_failed_batch_is_stored_again_request_by_request(fresh_api: Api) -> None:
    api = fresh_api
    sessions = sessionmaker(api.app.state.engine, class_=_FailingFirstCommit, expire_on_commit=False)
    queue = AdviceQueue(sessions, api.app.state.store, api.settings, api.rng)
    answers = _run(queue, _user(api), [(new_case(11), "key-b"), (new_case(12), None), (new_case(13), None)])
    assert _FailingFirstCommit.failed
    assert [a[0] for a in answers] == [201, 201, 201]
    with api.app.state.sessions() as session:
        stored = set(session.execute(select(Advice.id)).scalars().all())
        assert stored == {a[1]["advice_id"] for a in answers}
        assert audit.verify(session).valid


def test_a_row_that_cannot_be_scored_fails_only_its_own_request(fresh_api: Api) -> None:
    from casework import scoring

    def score(effort: Any, integrated: Any, rows: list[dict[str, Any]], top: int) -> list[scoring.Scored]:
        if any(r["open_debts"] == 7 for r in rows):
            raise ValueError("cannot score 7 open debts")
        return scoring.score_rows(effort, integrated, rows, top)

    api = fresh_api
    queue = AdviceQueue(api.app.state.sessions, api.app.state.store, api.settings, api.rng, score=score)
    answers = _run(queue, _user(api), [(new_case(21), None), (new_case(22, open_debts=7), None), (new_case(23), None)])
    assert answers[0][0] == 201 and answers[2][0] == 201
    assert isinstance(answers[1], ValueError)
    with api.app.state.sessions() as session:
        assert len(session.execute(select(Advice.id)).scalars().all()) == 2


def test_requests_a_few_loop_turns_behind_join_the_batch(fresh_api: Api) -> None:
    """Before a batch the loop turns until no request joins: requests still being read (here: one to
    three turns behind the first) are scored in the same batch instead of the first going alone."""
    from casework import scoring

    api = fresh_api
    user = _user(api)
    sessions = _CountingSessions(api.app.state.sessions)
    scored: list[int] = []

    def score(effort: Any, integrated: Any, rows: list[dict[str, Any]], top: int) -> list[scoring.Scored]:
        scored.append(len(rows))
        return scoring.score_rows(effort, integrated, rows, top)

    queue = AdviceQueue(sessions, api.app.state.store, api.settings, api.rng, score=score)

    async def arriving(case: int, turns: int) -> Any:
        for _ in range(turns):
            await asyncio.sleep(0)
        return await queue.submit(user, AdviceCreate(**new_case(case)), utc_now(), None)

    async def scenario() -> list[Any]:
        return await asyncio.gather(*(arriving(30 + turns, turns) for turns in range(4)))

    answers = asyncio.run(scenario())
    assert [a[0] for a in answers] == [201] * 4
    assert scored == [4] and sessions.opened == 1  # one batch, one transaction
