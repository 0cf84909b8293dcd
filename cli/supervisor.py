"""uvicorn's worker supervisor, told to notice a worker's death at once (``serve --workers N``).

The supervisor pings each worker every half second and waits up to ``timeout_worker_healthcheck``
(``cli.service.WORKER_HEALTHCHECK_SECONDS``, 60 s) for the answer. When a worker died after the
supervisor last saw it running (SIGKILL, the OOM killer, a crash), that wait ran out in full: the
supervisor holds the worker's end of the pipe too, so no end-of-file arrives. Measured with two
workers, one SIGKILLed: its replacement started 60 s later in 3 of 4 runs, with half the capacity
gone meanwhile. :class:`Worker` ends the wait on the answer or on the worker's exit, whichever
comes first. It lives in a module of its own: the workers are spawned, so it must be importable.
"""

from __future__ import annotations

import pickle
from multiprocessing.connection import wait

from uvicorn.supervisors import multiprocess


class Worker(multiprocess.Process):
    """A uvicorn worker whose health check also ends when the worker process ends."""

    def _healthcheck(self, timeout: float) -> bool | None:
        try:
            self.parent_conn.send(b"ping")
            if self.parent_conn in wait([self.parent_conn, self.process.sentinel], timeout):
                started: bool = self.parent_conn.recv()
                return started
            return None  # no answer in time, or the worker has ended
        except (OSError, EOFError, pickle.UnpicklingError):
            return None


def notice_dead_workers_at_once() -> None:
    """Make the supervisor start its workers as :class:`Worker` (it makes them from this name)."""
    multiprocess.Process = Worker  # type: ignore[misc]
