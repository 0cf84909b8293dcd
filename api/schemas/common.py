"""Error bodies shared by every route."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorPublic(BaseModel):
    detail: str


class ProblemPublic(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorPublic(BaseModel):
    detail: list[ProblemPublic]
