"""The route class of every router: the caller is checked before the body is read, and JSON
bodies are parsed with orjson.

**Caller first.** FastAPI reads and parses a route's body before it solves the route's
dependencies, so a request without a token but with a broken body got a 422 (and the server read
and parsed a body for nobody). A dependency that identifies the caller carries a ``before_body``
check (the bearer token of the API, the session of the pages); :class:`CheckedRoute` runs those
checks before the handler reads anything, so such a request gets the same 401 (or the sign-in
page) as one without a body. The dependency then finds the caller already checked.

**orjson.** FastAPI reads a JSON body with ``Request.json()``, which is the standard library's
``json.loads``; on ``POST /api/v1/advice`` that parse was about 6 % of the server's CPU under
load (that route now reads its body with ``api.deps.json_body``, also orjson; ADR 0011). orjson
parses the same documents several times faster. It is stricter: ``NaN``, ``Infinity`` and lone
UTF-16 surrogates, which ``json.loads`` lets through, are not JSON and get the same 422
``json_invalid`` answer as any other malformed body (``orjson.JSONDecodeError`` is a
``json.JSONDecodeError``, which FastAPI turns into that answer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

BeforeBody = Callable[[Request], Awaitable[None]]


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def before_body_checks(dependant: Dependant) -> list[BeforeBody]:
    """The ``before_body`` checks of a route's dependencies (each once, in order)."""
    checks = (getattr(call, "before_body", None) for call in _calls(dependant))
    return list(dict.fromkeys(check for check in checks if check is not None))


class CheckedRoute(APIRoute):
    """An ``APIRoute`` that checks its caller before the body is read and parses JSON with orjson."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:  # no body parameter: the dependencies run before anything is read
            return handler
        checks = before_body_checks(self.dependant)

        async def checked(request: Request) -> Response:
            for check in checks:
                await check(request)
            return await handler(OrjsonRequest(request.scope, request.receive, request._send))

        return checked
