"""The one way Werkwijzer calls a national service: bounded retries, clear errors.

A 429 or 5xx answer, or a connection that fails, is tried again up to ``retries`` times, waiting
``backoff * 2**attempt`` seconds or the server's ``Retry-After`` (at most ``MAX_WAIT``). Any other
4xx answer is not retried. What finally fails raises a :class:`ServiceError` that names the
service, the request and the reason (for a 422 every ``loc: msg`` of the body), never a token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Self

import httpx

MAX_WAIT = 30.0
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class ServiceError(RuntimeError):
    """A service refused a request or stayed unavailable; ``status`` is its last HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status
        super().__init__(message)


def _wait(response: httpx.Response | None, attempt: int, backoff: float) -> float:
    header = response.headers.get("Retry-After", "") if response is not None else ""
    if header.strip().isdigit():
        return min(float(header), MAX_WAIT)
    return min(backoff * 2**attempt, MAX_WAIT)


def reason(response: httpx.Response) -> str:
    """What the body says went wrong: FastAPI's ``detail`` (text or a list of ``loc``/``msg``), else text."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', d)}" if isinstance(d, dict) else str(d)
            for d in detail
        )
    if isinstance(detail, dict):  # ZGW's problem details
        params = "; ".join(f"{p.get('name')}: {p.get('reason')}" for p in detail.get("invalidParams") or [])
        return str(detail.get("detail") or detail.get("title") or detail) + (f" ({params})" if params else "")
    return str(detail)[:300]


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    service: str,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> httpx.Response:
    """``client.request(method, url, **kwargs)`` with the retry rule; returns a 2xx/3xx response."""
    response: httpx.Response | None = None
    for attempt in range(retries + 1):
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            response = None
            failure = f"{service} cannot be reached ({type(exc).__name__}: {exc})"
        else:
            if response.status_code < 400:
                return response
            failure = (
                f"{service} answered {response.status_code} to {method} {response.request.url.path}: {reason(response)}"
            )
            if response.status_code not in RETRY_STATUS:
                raise ServiceError(failure, response.status_code)
        if attempt < retries:
            sleep(_wait(response, attempt, backoff))
    raise ServiceError(
        f"{failure} (gave up after {retries + 1} attempts)", response.status_code if response is not None else None
    )


class ServiceClient:
    """An ``httpx.Client`` that sends with the retry rule above; close it with ``with``."""

    service = "the service"

    def __init__(
        self, *, retries: int = 3, backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep, **client: Any
    ):
        self._client = httpx.Client(**client)
        self._retry: dict[str, Any] = {"retries": retries, "backoff": backoff, "sleep": sleep}

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return send(self._client, method, url, service=self.service, **self._retry, **kwargs)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
