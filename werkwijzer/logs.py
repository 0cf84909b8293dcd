"""Where library logs go: the terminal, or one file in the home (``<home>/logs/werkwijzer.log``).

The rule: a command's own lines go to the terminal; what Prefect, MLflow and Python warnings say
goes to the file named by ``WERKWIJZER_LIBRARY_LOG`` when it is set (the CLI sets it unless
``--verbose``), so a newcomer's terminal shows one line per step and the path of the details.
Prefect is routed by a logging configuration it reads at import (also in its server and worker
processes); MLflow, which writes its log lines and its direct messages ("Successfully registered
model ...") through one stream of its own, is routed when ``werkwijzer.tracking`` configures it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import yaml

LIBRARY_LOG_ENV = "WERKWIJZER_LIBRARY_LOG"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def library_log_file() -> Path | None:
    value = os.environ.get(LIBRARY_LOG_ENV)
    return Path(value) if value else None


@lru_cache(maxsize=4)
def file_handler(path: Path) -> logging.Handler:
    """One appending handler per file, shared by every logger routed there."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


@lru_cache(maxsize=4)
def _appending(path: Path) -> TextIO:
    return path.open("a", encoding="utf-8", buffering=1)


def route_mlflow(path: Path) -> None:
    """MLflow's stream (its handlers and ``eprint`` write there) appends to ``path`` instead of standard error."""
    from mlflow.utils import logging_utils

    target = _appending(path)
    stream = logging_utils.MLFLOW_LOGGING_STREAM
    stream.write = target.write  # type: ignore[method-assign]
    stream.flush = target.flush  # type: ignore[method-assign]


def prefect_logging_config(path: Path, into: Path) -> Path:
    """Prefect's own logging configuration with its console handler writing to ``path``; written to ``into``."""
    spec = importlib.util.find_spec("prefect")  # finds the package without importing it (ADR 0002)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed")
    default = Path(next(iter(spec.submodule_search_locations))) / "logging" / "logging.yml"
    config: dict[str, Any] = yaml.safe_load(default.read_text(encoding="utf-8"))
    config["handlers"]["console"] = {
        "level": 0,
        "class": "logging.FileHandler",
        "formatter": "standard",
        "filename": str(path),
        "encoding": "utf-8",
    }
    config["handlers"]["debug"] = {**config["handlers"]["console"], "formatter": "debug"}
    into.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return into
