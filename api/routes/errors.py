"""Documented error answers, so the OpenAPI schema lists every status a route can give."""

from __future__ import annotations

from typing import Any

from api.schemas.common import ErrorPublic, ValidationErrorPublic

AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "No or unknown bearer token"},
    403: {"model": ErrorPublic, "description": "The user's role may not do this, or the team is not one of the user's"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "Not found (a case of another team is not found either)"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorPublic, "description": "Already recorded"}}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationErrorPublic, "description": "Invalid input; the fields are named, values are not echoed"}
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorPublic, "description": "No approved model is loaded; there is no advice"}
}
