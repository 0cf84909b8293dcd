"""Service errors to HTTP answers. Validation errors name the field and never echo the value, nor a
key that holds a possible BSN (``werkwijzer.privacy.safe_loc``).

A request that waited too long for the database, or found it unreachable (a lock held past
``settings.db_wait_seconds``, no pooled connection, a connection that was cut), gets a 503 with
Retry-After and a plain reason, not a 500: nothing was stored, and asking again is safe (ADR 0007).
A browser gets the same as a page.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from casework.db import DatabaseBusy
from casework.errors import Busy, InvalidInput, ServiceError, database_unavailable
from werkwijzer.privacy import safe_loc

log = logging.getLogger(__name__)


def _busy(request: Request, busy: Busy) -> Response:
    from api.web import wants_page  # the pages are installed on top of the API
    from api.web.render import render

    headers = {"Retry-After": str(busy.retry_after)}
    if wants_page(request):
        response = render(
            request,
            "error.html",
            {"title": "error.busy.title", "text": "error.busy.text", "values": {}},
            status_code=503,
        )
        response.headers.update(headers)
        return response
    return JSONResponse({"detail": busy.detail}, status_code=503, headers=headers)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        if isinstance(exc, Busy):
            return _busy(request, exc)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(DatabaseBusy)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OperationalError)
    async def database_unreachable(request: Request, exc: Exception) -> Response:
        log.warning("database wait on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return _busy(request, database_unavailable(exc))

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:  # e.g. the server ended the connection; the pool makes a new one
            return await database_unreachable(request, exc)
        raise exc

    @app.exception_handler(InvalidInput)
    async def invalid_input(_: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": safe_loc(p.loc), "msg": p.msg, "type": p.type} for p in exc.problems]}, status_code=422
        )

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {
                "loc": safe_loc(err.get("loc", ())),
                "msg": err.get("msg", "invalid"),
                "type": err.get("type", "value_error"),
            }
            for err in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)
