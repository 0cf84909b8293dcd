"""What a service can refuse, independent of HTTP; ``api.main`` maps each to a status code."""

from __future__ import annotations

from dataclasses import dataclass

from casework.db import DatabaseBusy


class ServiceError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Forbidden(ServiceError):
    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Unavailable(ServiceError):
    """No model loaded (or a needed artifact missing): say so plainly, never guess."""

    status_code = 503


class Busy(ServiceError):
    """Too much held or waited for (the advice queue, the database, a shutdown): 503 with Retry-After."""

    status_code = 503
    retry_after = 1


def database_unavailable(exc: BaseException) -> Busy:
    """The 503 for a database wait that ran out (``DatabaseBusy``), or a database that did not
    answer in time or lost the connection (the driver's and the pool's errors)."""
    if isinstance(exc, DatabaseBusy):
        return Busy(f"the database is busy: {exc}; nothing was stored, ask again")
    return Busy("the database did not answer in time or the connection was lost; nothing was stored, ask again")


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    msg: str
    type: str


class InvalidInput(Exception):
    """422 naming the fields; values are never echoed (they could be a BSN)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in problems))
        self.problems = problems
