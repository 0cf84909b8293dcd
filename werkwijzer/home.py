"""Prepare ``WERKWIJZER_HOME`` before Prefect, MLflow or the API write there.

The rule: every command starts by calling :func:`prepare_home`, the one place that makes the home
and the folders the libraries expect to exist. Prefect makes its state folder but not the folders
above it; in a fresh folder its ephemeral server then fails to open its database and the command
ends, after retries, with "Timed out while attempting to connect to ephemeral Prefect API server".
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from werkwijzer.settings import Settings

LOG_FILE = "werkwijzer.log"

# Prefect waits 20 s by default for its ephemeral server; the first start in a new home also creates
# its database, and on a busy two-core machine (a `werkwijzer demo` while pip installs elsewhere) that
# took longer, so the README's first command ended in "Timed out while attempting to connect to
# ephemeral Prefect API server". Waiting longer only delays the report of a server that never comes.
EPHEMERAL_STARTUP_SECONDS = "180"


@dataclass(frozen=True)
class Home:
    """The prepared folders: the home itself, Prefect's state and the library log."""

    root: Path
    prefect: Path
    logs: Path

    @property
    def log_file(self) -> Path:
        return self.logs / LOG_FILE


def prepare_home(settings: Settings, environ: MutableMapping[str, str] | None = None) -> Home:
    """Make the home, Prefect's home (``PREFECT_HOME``, default ``<home>/prefect``) and ``<home>/logs``.

    ``PREFECT_HOME`` is set in ``environ`` (default: this process's environment) when it is not set
    yet, so Prefect, imported later, keeps its state under the home; one given by the operator is
    kept and made too. So is the wait for Prefect's ephemeral server
    (``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``, :data:`EPHEMERAL_STARTUP_SECONDS`).
    """
    env = os.environ if environ is None else environ
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_SECONDS)
    root = settings.home_dir
    prefect = Path(env.setdefault("PREFECT_HOME", str(root / "prefect"))).expanduser()
    logs = root / "logs"
    for path in (prefect, logs):
        path.mkdir(parents=True, exist_ok=True)
    return Home(root=root, prefect=prefect, logs=logs)
