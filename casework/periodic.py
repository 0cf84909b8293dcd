"""A daemon thread that does one piece of work every ``interval`` seconds until stopped."""

from __future__ import annotations

import threading


class PeriodicThread:
    """Calls :meth:`tick` every ``interval`` seconds on a daemon thread named ``name``; ``stop``
    wakes it at once and waits for the tick under way, at most ``STOP_WAIT`` seconds. Subclasses
    implement ``tick`` (and catch what should not end the thread)."""

    STOP_WAIT = 30.0

    def __init__(self, name: str, interval: float) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.STOP_WAIT)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def tick(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.tick()
