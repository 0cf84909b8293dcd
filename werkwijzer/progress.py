"""Progress of long work: the flows report it, a command draws it (issue 15, item 5).

A flow cannot take the reporter as a parameter: Prefect hands the flow run's context, parameters
included, to every task, and a distributed task runner (Dask) must pickle it, which a terminal
stream cannot be. So a command installs a reporter for as long as it runs the work
(``with reporting(bars.advance): ...``), and the flow's own loop, which runs in the command's
process, calls :func:`report`. Without a reporter (a worker, a test) reporting does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Reporter = Callable[[str, int, int], None]

_reporter: Reporter | None = None


def report(label: str, done: int, total: int) -> None:
    """``done`` of ``total`` units of the work called ``label`` are finished."""
    if _reporter is not None:
        _reporter(label, done, total)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Send :func:`report` to ``reporter`` inside the block."""
    global _reporter
    before, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = before
