"""A tiny Zaken API 1.5 over the recorded set, for httpx's MockTransport: pages, the registratiedatum
and einddatum filters, zaakeigenschappen, and the ZGW JWT checked as a real API checks it (HS256, the
client's secret). ``over_http`` serves it on a port of 127.0.0.1 for a command run as a user runs it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

RECORDING = Path(__file__).resolve().parent / "data" / "zaken_recorded.json"
CLIENT_ID, SECRET = "werkwijzer-test", "a-secret-of-the-zaken-api-0123456789"


def recording() -> dict[str, Any]:
    return json.loads(RECORDING.read_text(encoding="utf-8"))


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeZakenAPI:
    def __init__(self, doc: dict[str, Any], *, page_size: int = 5, failures: list[int] | None = None):
        self.api = doc["api"]
        self.zaken: list[dict[str, Any]] = list(doc["zaken"])
        self.eigenschappen: dict[str, list[dict[str, Any]]] = dict(doc["zaakeigenschappen"])
        self.page_size = page_size
        self.failures = list(failures or [])
        self.requests: list[httpx.Request] = []

    def _authorised(self, request: httpx.Request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            header, payload, signature = token.split(".")
            expected = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
            claims = json.loads(unb64(payload))
        except ValueError:
            return False
        return (
            hmac.compare_digest(unb64(signature), expected)
            and json.loads(unb64(header))["alg"] == "HS256"
            and claims["client_id"] == claims["iss"] == CLIENT_ID
            and isinstance(claims["iat"], int)
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self._authorised(request):
            return httpx.Response(403, json={"title": "Niet geautoriseerd", "detail": "bad JWT", "status": 403})
        if self.failures:
            return httpx.Response(self.failures.pop(0), headers={"Retry-After": "0"}, json={"detail": "busy"})
        path = str(request.url).removeprefix(self.api).split("?")[0]
        if path == "/zaken":
            assert request.headers["Accept-Crs"] == "EPSG:4326"
            query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
            if "einddatum__gt" in query:  # closed after a day
                found = [z for z in self.zaken if (z.get("einddatum") or "") > query["einddatum__gt"]]
            else:
                after = query.get("registratiedatum__gt", "")
                found = [z for z in self.zaken if z["registratiedatum"] > after]
            page = int(query.get("page", "1"))
            chunk = found[(page - 1) * self.page_size : page * self.page_size]
            more = page * self.page_size < len(found)
            next_url = f"{self.api}/zaken?{urlencode({**query, 'page': page + 1})}" if more else None
            return httpx.Response(200, json={"count": len(found), "next": next_url, "previous": None, "results": chunk})
        if path.startswith("/zaken/") and path.endswith("/zaakeigenschappen"):
            return httpx.Response(200, json=self.eigenschappen.get(path.split("/")[2], []))
        return httpx.Response(404, json={"title": "Niet gevonden", "status": 404})


def moved(doc: dict[str, Any], origin: str) -> dict[str, Any]:
    """``doc`` with every URL of its API's host (zaken, zaaktypen, resultaten) on ``origin`` instead."""
    parts = urlsplit(doc["api"])
    return json.loads(json.dumps(doc).replace(f"{parts.scheme}://{parts.netloc}", origin.rstrip("/")))


App = Callable[[httpx.Request], httpx.Response]
A = TypeVar("A", bound=App)
_HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive"}


class _Handler(BaseHTTPRequestHandler):
    """One request of the socket, answered by the server's ``app`` (a callable of httpx's MockTransport)."""

    protocol_version = "HTTP/1.1"
    server: _AppServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        host, port = self.server.server_address[:2]
        request = httpx.Request(
            self.command,
            f"http://{host}:{port}{self.path}",
            headers=list(self.headers.items()),
            content=self.rfile.read(length) if length else b"",
        )
        response = self.server.app(request)
        body = response.read()
        self.send_response(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads the fake's own list of requests."""


class _AppServer(ThreadingHTTPServer):
    daemon_threads = True

    app: App

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)


@contextmanager
def over_http(make: Callable[[str], A]) -> Iterator[tuple[str, A]]:
    """The app ``make`` builds for its origin, served over real HTTP on a free port of 127.0.0.1 until the
    block ends; yields the origin (``http://127.0.0.1:PORT``) and the app."""
    server = _AppServer()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    server.app = app = make(origin)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield origin, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def mapping_yaml(doc: dict[str, Any], *, extra: str = "") -> str:
    teams = "\n".join(f"  {url}: {team}" for url, team in doc["teams"].items())
    features = (
        "  channel: {eigenschap: channel}\n  household_type: {eigenschap: household_type}\n"
        "  months_on_benefit: {eigenschap: months_on_benefit}\n  open_debts: {eigenschap: open_debts}\n"
        "  documents_complete: {eigenschap: documents_complete}\n"
        "  language_assistance: {eigenschap: language_assistance}\n"
        "  decision_date: {attribute: einddatum}\n"
    )
    return f"case_id: identificatie\nteams:\n{teams}\nfeatures:\n{features}{extra}"
