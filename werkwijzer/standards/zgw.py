"""A reading client of a ZGW Zaken API 1.5 ("Zaakgericht werken", VNG).

Authentication is ZGW's own: every request carries a JWT signed with HS256 with the client's
secret, naming the client id as issuer (``iss``, ``client_id``) with an issue time (``iat``); the
Zaken API checks it against the authorisations of that client (scope ``zaken.lezen``). The secret
comes from the caller (the settings, from the environment), never from a command line.

``zaken`` follows the list's ``next`` links page by page, but only to the same origin, so the
token is never sent elsewhere; an empty page, a missing ``next`` or optional fields left out are
what the definition allows and are taken as they come. Every call follows the retry rule of
``werkwijzer.standards.http``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from werkwijzer.standards.http import ServiceClient, ServiceError

SERVICE = "the Zaken API"
MAX_PAGES = 100_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def zgw_token(client_id: str, secret: str, issued_at: int | None = None) -> str:
    """A ZGW JWT (HS256) for ``client_id``, signed with ``secret``."""
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {
        "iss": client_id,
        "iat": int(time.time()) if issued_at is None else issued_at,
        "client_id": client_id,
        "user_id": client_id,
        "user_representation": client_id,
    }
    signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret.encode("utf-8"), signing.encode("ascii"), hashlib.sha256).digest()
    return f"{signing}.{_b64(signature)}"


class ZGWAuth(httpx.Auth):
    """Signs a fresh ZGW JWT for each request (tokens are short-lived by design)."""

    def __init__(self, client_id: str, secret: str):
        self._client_id = client_id
        self._secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {zgw_token(self._client_id, self._secret)}"
        yield request


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class ZakenClient(ServiceClient):
    """The Zaken API at ``base_url`` (ending in ``/api/v1``), read with one client's credentials."""

    service = SERVICE

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        *,
        transport: httpx.BaseTransport | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        super().__init__(
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            auth=ZGWAuth(client_id, secret),
            transport=transport,
            timeout=timeout,
            # errors come as problem details; the definition requires both CRS headers on GET /zaken
            headers={
                "Accept": "application/json, application/problem+json",
                "Accept-Crs": "EPSG:4326",
                "Content-Crs": "EPSG:4326",
            },
        )
        self.base_url = base_url.rstrip("/")

    def _get(self, url: str, params: dict[str, str] | None = None) -> Any:
        if _origin(url) != _origin(self.base_url):
            raise ServiceError(
                f"{SERVICE} pointed to {urlsplit(url).netloc}, outside "
                f"{urlsplit(self.base_url).netloc}; not followed (the token stays with its API)"
            )
        response = self._send("GET", url, params=params)
        try:
            return response.json()
        except ValueError:
            raise ServiceError(f"{SERVICE} answered GET {urlsplit(url).path} with something not JSON") from None

    def zaken(self, registered_after: dt.date) -> Iterator[dict[str, Any]]:
        """Every zaak with ``registratiedatum`` after ``registered_after``, page by page."""
        return self._pages({"registratiedatum__gt": registered_after.isoformat()})

    def closed_zaken(self, closed_after: dt.date) -> Iterator[dict[str, Any]]:
        """Every zaak with an ``einddatum`` after ``closed_after`` (closed since), page by page."""
        return self._pages({"einddatum__gt": closed_after.isoformat()})

    def _pages(self, first: dict[str, str]) -> Iterator[dict[str, Any]]:
        url: str | None = f"{self.base_url}/zaken"
        params: dict[str, str] | None = first
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._get(url, params)
            if not isinstance(page, dict) or not isinstance(page.get("results", []), list):
                raise ServiceError(f"{SERVICE} answered the list of zaken with something that is not a page of zaken")
            yield from (z for z in page.get("results") or [] if isinstance(z, dict))
            url, params = page.get("next") or None, None
        raise ServiceError(f"{SERVICE} kept sending next pages after {MAX_PAGES}; stopped")

    def eigenschappen(self, zaak: dict[str, Any]) -> list[dict[str, Any]]:
        """The zaak's eigenschappen (``naam``, ``waarde``); none when it has none."""
        if "eigenschappen" in zaak and not zaak["eigenschappen"]:
            return []
        if zaak.get("uuid"):
            url = f"{self.base_url}/zaken/{zaak['uuid']}/zaakeigenschappen"
        elif zaak.get("url"):
            url = f"{str(zaak['url']).rstrip('/')}/zaakeigenschappen"
        else:
            return []
        found = self._get(url)
        if not isinstance(found, list):
            raise ServiceError(f"{SERVICE} answered the eigenschappen of a zaak with something that is not a list")
        return [e for e in found if isinstance(e, dict)]
