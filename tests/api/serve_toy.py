"""Run the API with the toy champions on an inherited listening socket (for the reliability tests).

The test process binds and listens; this server only accepts. Requests sent while the server
starts, or after it was killed and before it restarts, wait in the socket's backlog instead of
failing, so the tests need no polling or sleeping. It serves through ``werkwijzer serve``'s own
runner (``run_api``): the same uvicorn settings, shutdown and worker supervision, one worker or
several (``python serve_toy.py FD [WORKERS]``).
"""

from __future__ import annotations

import os
import socket
import sys

from fastapi import FastAPI

from api.main import create_app
from cli.service import run_api
from tests.api.toymodels import TOY_LIBRARY
from werkwijzer.settings import Settings


def toy_app() -> FastAPI:
    """The app on the toy champions registered in ``WERKWIJZER_HOME``'s MLflow."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    return create_app(Settings(), library=TOY_LIBRARY)


def main(fd: int, workers: int = 1) -> None:
    sock = socket.socket(fileno=fd)
    run_api("127.0.0.1", sock.getsockname()[1], workers=workers, app="tests.api.serve_toy:toy_app", sock=sock)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
