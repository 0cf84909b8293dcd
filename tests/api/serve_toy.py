"""Run the API with the toy champions on an inherited listening socket (for the reliability tests).

The test process binds and listens; this server only accepts. Requests sent while the server
starts, or after it was killed and before it restarts, wait in the socket's backlog instead of
failing, so the tests need no polling or sleeping.
"""

from __future__ import annotations

import os
import socket
import sys

import uvicorn

from api.main import create_app
from tests.api.toymodels import TOY_LIBRARY
from werkwijzer.settings import Settings


def main(fd: int) -> None:
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    sock = socket.socket(fileno=fd)
    app = create_app(Settings(), library=TOY_LIBRARY)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main(int(sys.argv[1]))
