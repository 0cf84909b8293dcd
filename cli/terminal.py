"""The newcomer's terminal: the command's own lines there, library logs in ``<home>/logs/werkwijzer.log``.

``werkwijzer --verbose COMMAND`` (or ``WERKWIJZER_VERBOSE=1``) leaves the libraries' logs on the
terminal instead. Settings given by the operator (``PREFECT_LOGGING_SETTINGS_PATH``) are kept.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import click

from werkwijzer.home import Home
from werkwijzer.logs import LIBRARY_LOG_ENV, file_handler, prefect_logging_config

QUIET_ENV = {"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


def quiet_libraries(home: Home) -> Callable[[], None]:
    """Route Prefect, MLflow and Python warnings to the home's log file; returns what undoes it."""
    before = {name: os.environ.get(name) for name in (LIBRARY_LOG_ENV, "PREFECT_LOGGING_SETTINGS_PATH", *QUIET_ENV)}
    os.environ[LIBRARY_LOG_ENV] = str(home.log_file)
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    if "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ:
        os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(
            prefect_logging_config(home.log_file, home.logs / "prefect-logging.yml")
        )
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.addHandler(file_handler(home.log_file))
    warnings_logger.propagate = False
    logging.captureWarnings(True)

    def undo() -> None:
        logging.captureWarnings(False)
        warnings_logger.removeHandler(file_handler(home.log_file))
        warnings_logger.propagate = True
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    return undo


def where_the_details_are() -> None:
    """One closing line naming the library log, when there is one."""
    path = os.environ.get(LIBRARY_LOG_ENV)
    if path:
        click.echo(f"details (Prefect, MLflow): {Path(path)}  (werkwijzer --verbose shows them here)")


class ProgressBars:
    """Progress of long work, one bar per label (``advance(label, done, total)``; a new label ends the bar before).

    On a terminal the bar redraws in place (click's progress bar). Anywhere else, such as a CI log or a
    pipe, it writes plain lines instead, at every tenth of the work and at its end, so a log shows how
    far the work got without a carriage return in it.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream: TextIO = stream if stream is not None else sys.stdout
        self.tty = self.stream.isatty()
        self._label: str | None = None
        self._bar: Any = None
        self._done = 0
        self._tenth = -1

    def advance(self, label: str, done: int, total: int) -> None:
        if label != self._label:
            self.close()
            self._label, self._done, self._tenth = label, 0, -1
            if self.tty:
                self._bar = click.progressbar(length=total, label=label, show_pos=True, file=self.stream)
                self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(done - self._done)
            if done >= total:  # the bar's last drawing and a new line: the next line starts clean
                self.close()
        else:
            tenth = done * 10 // max(total, 1)
            if tenth > self._tenth or done >= total:
                click.echo(f"  {label}: {done} of {total}", file=self.stream)
                self._tenth = 10 if done >= total else tenth
        self._done = done

    def close(
        self,
        kind: type[BaseException] | None = None,
        error: BaseException | None = None,
        trace: TracebackType | None = None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, trace)
            self._bar = None
        self._label = None

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close(kind, error, trace)
