"""Request ids and structured logs (``WERKWIJZER_LOG_FORMAT=json``; docs/deploy.md, "Logs").

Every answer carries ``X-Request-ID`` (set by ``api.core.metrics.Observed``, one middleware for
both): the caller's own (a proxy's), when it is a plain token of at most 128 letters, digits,
``.``, ``_`` or ``-``, else a new one. Log lines written while the
request is handled name it, so an error line can be found from the proxy's access log. The
service still writes no line per request (ADR 0009); a request id is not personal data, a path
or a client address would be, and neither is added.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from contextvars import ContextVar

from starlette.types import Scope

HEADER = b"x-request-id"
_SAFE = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
request_id: ContextVar[str | None] = ContextVar("werkwijzer_request_id", default=None)
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "api", "casework", "werkwijzer")


def incoming_id(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is a plain token, else a new one."""
    given = next((value for name, value in scope["headers"] if name == HEADER), None)
    return given.decode() if given is not None and _SAFE.match(given) else secrets.token_hex(8)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, and the error if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def use_json_logs() -> None:
    """Give every handler of the service's loggers (uvicorn's included) the JSON formatter."""
    formatter = JsonFormatter()
    root = logging.getLogger()
    if not root.handlers:  # the service's own loggers (api.*) propagate here
        root.addHandler(logging.StreamHandler())
        root.setLevel(logging.INFO)
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
