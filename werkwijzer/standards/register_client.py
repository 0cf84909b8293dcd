"""A client of the Algoritmeregister submission API (v1_0) that creates or updates an algorithm.

What it does is what the definition offers under "Algoritmes in ontwikkeling": it finds the
organisation's algorithm by ``source_id`` (``GET .../algorithms``), updates it (``PUT
.../algorithms/{lars}``) or creates it (``POST .../algorithms``, answering a ``lars_code``). It never
releases or publishes a version: that stays a person's act in the register. The OAuth2 bearer
token comes from the caller (the settings, from the environment), never from a command line.
The last publication is kept beside the entry file (``<name>.published.json``), so the next run
shows what changed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from werkwijzer.io import atomic_write_text
from werkwijzer.standards.http import ServiceClient, ServiceError

SERVICE = "the Algoritmeregister submission API"


@dataclass(frozen=True)
class Publication:
    """What was last sent: the register's id of the algorithm (``lars``), the entry, when."""

    lars: str
    entry: dict[str, Any]
    published_at: str


def record_path(entry_path: Path) -> Path:
    return entry_path.with_name(f"{entry_path.stem}.published.json")


def read_record(entry_path: Path) -> Publication | None:
    path = record_path(entry_path)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Publication(lars=str(data["lars"]), entry=dict(data["entry"]), published_at=str(data["published_at"]))


def write_record(entry_path: Path, publication: Publication) -> Path:
    """Write the record atomically (a temporary file renamed), so a failed run leaves the old one."""
    return atomic_write_text(record_path(entry_path), json.dumps(asdict(publication), indent=2, ensure_ascii=False))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """One line per field added (+), removed (-) or changed (~) since ``before``; all added without it."""
    before = before or {}
    lines = []
    for key in sorted(set(before) | set(after)):
        if key not in before:
            lines.append(f"+ {key}: {_short(after[key])}")
        elif key not in after:
            lines.append(f"- {key}")
        elif before[key] != after[key]:
            lines.append(f"~ {key}: {_short(before[key])} -> {_short(after[key])}")
    return lines


class RegisterClient(ServiceClient):
    """The submission API at ``base_url`` (ending in ``/aanleverapi/v1_0``), as one organisation's user."""

    service = SERVICE

    def __init__(
        self,
        base_url: str,
        token: str,
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
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        try:
            return response.json() if response.content else None
        except ValueError:
            raise ServiceError(f"{SERVICE} answered {method} {path} with something that is not JSON") from None

    def find(self, organisation: str, source_id: str) -> str | None:
        """The ``lars`` of the organisation's algorithm with this ``source_id``, if there is one."""
        summaries = self._json("GET", f"/organizations/{quote(organisation, safe='')}/algorithms") or []
        if not isinstance(summaries, list):
            raise ServiceError(f"{SERVICE} answered the list of algorithms with something that is not a list")
        found = [s.get("lars") for s in summaries if isinstance(s, dict) and s.get("source_id") == source_id]
        return str(found[0]) if found and found[0] else None

    def create(self, organisation: str, entry: dict[str, Any]) -> str:
        body = self._json("POST", f"/organizations/{quote(organisation, safe='')}/algorithms", json=entry)
        if not isinstance(body, dict) or not body.get("lars_code"):
            raise ServiceError(f"{SERVICE} created the algorithm but sent no lars_code")
        return str(body["lars_code"])

    def update(self, organisation: str, lars: str, entry: dict[str, Any]) -> None:
        self._json(
            "PUT", f"/organizations/{quote(organisation, safe='')}/algorithms/{quote(lars, safe='')}", json=entry
        )

    def publish(self, organisation: str, entry: dict[str, Any], previous: Publication | None) -> Publication:
        """Update the algorithm known from ``previous`` or by ``source_id``; create it otherwise."""
        lars = previous.lars if previous else None
        if lars is None and entry.get("source_id"):
            lars = self.find(organisation, str(entry["source_id"]))
        if lars is None:
            lars = self.create(organisation, entry)
        else:
            self.update(organisation, lars, entry)
        return Publication(lars=lars, entry=entry, published_at=datetime.now(UTC).isoformat(timespec="seconds"))
