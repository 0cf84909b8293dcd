"""A small closed-loop HTTP/1.1 load generator: raw asyncio keep-alive connections, nothing else.

The benchmark's load generator runs on the same two cores as the servers it measures; a general
HTTP client (httpx) spends about as much CPU per request as a lean server does, which slows the
server under test and inflates its latency. Here each of ``clients`` connections sends its next
request as soon as the previous answer is complete (closed loop), with the request bytes built
before the clock starts and the answer read by Content-Length (or chunked encoding). Latency is
from writing the request to the last byte of the answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)  # the first few unexpected answers


def request_bytes(url: str, body: Any, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    payload = json.dumps(body, separators=(",", ":")).encode()
    lines = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: keep-alive",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in fields:
        return status, await reader.readexactly(int(fields["content-length"]))
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    raise ValueError("answer without Content-Length or chunked encoding")


async def run(
    url: str,
    make_body: Callable[[int], Any],
    headers: dict[str, str],
    expect: int,
    clients: int,
    requests: int,
    max_seconds: float,
    first: int = 0,
) -> Outcome:
    """``requests`` POSTs from ``clients`` keep-alive connections (or until ``max_seconds``)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    prepared = [request_bytes(url, make_body(first + i), headers) for i in range(requests)]
    outcome = Outcome()
    issued = 0
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    start = time.perf_counter()
    deadline = start + max_seconds

    async def loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal issued
        while issued < requests and time.perf_counter() < deadline:
            data = prepared[issued]
            issued += 1
            began = time.perf_counter()
            writer.write(data)
            status, body = await _read_answer(reader)
            took = time.perf_counter() - began
            if status == expect:
                outcome.latencies.append(took)
            else:
                outcome.errors += 1
                if len(outcome.samples) < 3:
                    outcome.samples.append(f"{status}: {body[:300].decode(errors='replace')}")

    try:
        await asyncio.gather(*(loop(r, w) for r, w in connections))
    finally:
        outcome.seconds = time.perf_counter() - start
        for _, writer in connections:
            writer.close()
    return outcome
