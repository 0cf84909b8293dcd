"""Micro-batching of advice scoring: rows queued during a batch are scored together, each gets its own answer."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from casework.scoring import Batcher, Scored, _Job, _run


def _echo(effort: object, integrated: object, rows: list[dict[str, int]], top: int) -> list[Scored]:
    if any(r["x"] == 3 for r in rows):
        raise ValueError("row 3 cannot be scored")
    return [Scored(np.array([float(r["x"])]), None, [r["x"]]) for r in rows]


def test_rows_queued_during_a_batch_are_scored_together_and_each_gets_its_own_result() -> None:
    started, release = threading.Event(), threading.Event()
    sizes: list[int] = []

    def score(effort: object, integrated: object, rows: list[dict[str, int]], top: int) -> list[Scored]:
        sizes.append(len(rows))
        if len(sizes) == 1:
            started.set()
            assert release.wait(30)
        return _echo(effort, integrated, rows, top)

    batcher, bundle, results = Batcher(score), object(), {}

    def ask(i: int) -> None:
        results[i] = batcher.score(bundle, None, {"x": i}, 5)  # type: ignore[arg-type]

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    assert started.wait(30)
    others = [threading.Thread(target=ask, args=(i,)) for i in (1, 2, 4, 5, 6)]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 30
    while len(batcher._queue) < len(others):  # the other requests queue while the first batch is scored
        assert time.monotonic() < deadline, "requests did not queue"
    release.set()
    for thread in [first, *others]:
        thread.join(30)
    assert sizes == [1, 5]
    assert {i: r.reasons for i, r in results.items()} == {i: [i] for i in (0, 1, 2, 4, 5, 6)}


def test_a_failing_row_fails_only_its_own_request() -> None:
    bundle = object()
    jobs = [_Job(bundle, None, {"x": i}, 5) for i in (2, 3, 4)]  # type: ignore[arg-type]
    _run(jobs, _echo)
    assert all(job.done for job in jobs)
    assert [job.result.reasons if job.result else None for job in jobs] == [[2], None, [4]]
    assert isinstance(jobs[1].error, ValueError)
    with pytest.raises(ValueError, match="row 3"):
        Batcher(_echo).score(bundle, None, {"x": 3}, 5)  # type: ignore[arg-type]
