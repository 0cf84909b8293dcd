"""API routes whose JSON request bodies are parsed with orjson.

FastAPI reads a JSON body with ``Request.json()``, which is the standard library's ``json.loads``;
on ``POST /api/v1/advice`` that parse was about 6 % of the server's CPU under load (that route now
reads its body with ``api.deps.json_body``, also orjson; ADR 0011). orjson parses
the same documents several times faster. It is stricter: ``NaN``, ``Infinity`` and lone UTF-16
surrogates, which ``json.loads`` lets through, are not JSON and get the same 422 ``json_invalid``
answer as any other malformed body (``orjson.JSONDecodeError`` is a ``json.JSONDecodeError``,
which FastAPI turns into that answer).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class OrjsonRoute(APIRoute):
    """An ``APIRoute`` that hands its handler an :class:`OrjsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:  # no body parameter: nothing to parse
            return handler

        async def parse_with_orjson(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive, request._send))

        return parse_with_orjson
