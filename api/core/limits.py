"""The request body limit: a larger body is refused with 413 before it is read (docs/api.md, "Limits").

A body announced larger than ``max_bytes`` (``Content-Length``) is answered at once, without
reading a byte of it; a body sent without a length (chunked) is counted as the app reads it and
refused as soon as it passes the limit. Either way the connection is closed afterwards, so the
rest of the body is never read, and the worker goes on answering other requests meanwhile. This
holds for every route: the API's JSON bodies and the pages' forms alike.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_detail(max_bytes: int) -> str:
    return f"the request body is larger than {max_bytes} bytes (WERKWIJZER_MAX_BODY_BYTES)"


class BodyTooLarge(HTTPException):
    """Raised while reading a chunked body that passes the limit; answered with 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, too_large_detail(max_bytes), {"Connection": "close"})


class BodyLimit:
    """ASGI middleware that refuses bodies over ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, self.max_bytes)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


async def _refuse(send: Send, max_bytes: int) -> None:
    body = orjson.dumps({"detail": too_large_detail(max_bytes)})
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
