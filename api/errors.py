"""Service errors to HTTP answers. Validation errors name the field and never echo the value, nor a
key that holds a possible BSN (``werkwijzer.privacy.safe_loc``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.services.errors import InvalidInput, ServiceError
from werkwijzer.privacy import safe_loc


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(InvalidInput)
    async def invalid_input(_: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse({"detail": [{"loc": safe_loc(p.loc), "msg": p.msg, "type": p.type} for p in exc.problems]},
                            status_code=422)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": safe_loc(err.get("loc", ())),
                   "msg": err.get("msg", "invalid"), "type": err.get("type", "value_error")} for err in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)
