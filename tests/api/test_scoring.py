"""Micro-batching of advice scoring: rows scored together each get their own answer (the queue: test_advice_queue)."""

from __future__ import annotations

import numpy as np

from casework.scoring import Scored, _Job, _run


def _echo(effort: object, integrated: object, rows: list[dict[str, int]], top: int) -> list[Scored]:
    if any(r["x"] == 3 for r in rows):
        raise ValueError("row 3 cannot be scored")
    return [Scored(np.array([float(r["x"])]), None, [r["x"]]) for r in rows]


def test_a_failing_row_fails_only_its_own_request() -> None:
    bundle = object()
    jobs = [_Job(bundle, None, {"x": i}, 5) for i in (2, 3, 4)]  # type: ignore[arg-type]
    _run(jobs, _echo)
    assert all(job.done for job in jobs)
    assert [job.result.reasons if job.result else None for job in jobs] == [[2], None, [4]]
    assert isinstance(jobs[1].error, ValueError)
