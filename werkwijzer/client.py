"""A small typed client for the advisory API, for tools that play a case system (``simulate-usage``).

It speaks only HTTP (httpx), so it works against any running Werkwijzer, and it turns the
failures a person can fix into one clear :class:`ApiError`: the API is not reachable, a token is
unknown or has the wrong role, or the API refused the input (with the fields it named).
Each role's token is used only for the calls of that role.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from werkwijzer.vocabulary import API_PREFIX

PREFIX = API_PREFIX


class ApiError(RuntimeError):
    """A call that failed for a reason the user can act on; the message says which and how. ``status`` is the
    HTTP status the API answered (None when it was not reached or refused the token), ``kinds`` the kinds of
    the validation problems it named (e.g. ``value_error.reason_required``)."""

    def __init__(self, message: str, status: int | None = None, kinds: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status, self.kinds = status, kinds


@dataclass(frozen=True)
class Decision:
    outcome: str  # "followed" or "deviated"
    final_effort_class: str
    motivation: str | None = None


def read_token_file(path: str | Path) -> dict[str, str]:
    """Tokens per role from lines ``<role> <token>`` (the demo prints them so); ``#`` starts a comment.
    ``-`` reads the lines from standard input."""
    tokens: dict[str, str] = {}
    source = Path(path)
    try:
        lines = (sys.stdin.read() if str(path) == "-" else source.read_text(encoding="utf-8")).splitlines()
    except OSError as exc:
        raise ApiError(f"cannot read the token file {source}: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2:
            raise ApiError(f"{source}, line {number}: expected '<role> <token>', got {len(parts)} fields")
        tokens[parts[0]] = parts[1]
    return tokens


class WerkwijzerClient:
    """The calls a case system makes: intake per team, advice, decisions, objections."""

    def __init__(
        self, base_url: str, tokens: Mapping[str, str], *, http: httpx.Client | None = None, timeout: float = 30.0
    ) -> None:
        """``http``: an httpx client to send through instead of a new one (tests pass the app's TestClient)."""
        self.base_url = base_url.rstrip("/")
        self._tokens = dict(tokens)
        self._owned = http is None
        self._http = http or httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        if self._owned:
            self._http.close()

    def __enter__(self) -> WerkwijzerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        path: str,
        role: str,
        *,
        json: Any = None,
        expect: Iterable[int] = (200,),
        key: str | None = None,
    ) -> Any:
        token = self._tokens.get(role)
        if not token:
            raise ApiError(
                f"no {role} token given; set WERKWIJZER_TOKEN_{role.upper()} or give a token file "
                "(--token-file, '-' for standard input)"
            )
        try:
            headers = {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}
            response = self._http.request(method, path, json=json, headers=headers)
        except httpx.TransportError as exc:
            raise ApiError(
                f"the API at {self.base_url} is not reachable ({type(exc).__name__}: {exc}); "
                f"start it with 'werkwijzer serve' or 'werkwijzer demo', or pass --url"
            ) from exc
        if response.status_code in expect:
            return response.json()
        detail = _detail(response)
        if response.status_code == 401:
            raise ApiError(
                f"the API refused the {role} token ({detail}); create one with "
                f"'werkwijzer users create --role {role} --name ... --team ...', or renew an expired "
                "one with 'werkwijzer users rotate USER_ID'"
            )
        if response.status_code == 403:
            raise ApiError(f"the {role} token belongs to a user without that role or team ({detail})")
        status = response.status_code
        raise ApiError(f"{method} {path} answered {status}: {detail}", status, _kinds(response))

    def check(self) -> dict[str, Any]:
        """Fail early, with the reason, when the API is down, the token is wrong or the database is out;
        returns the readiness body (which models are loaded)."""
        body = dict(self._call("GET", "/ready", "caseworker", expect=(200, 503)))
        if not body.get("database", False):
            raise ApiError(f"the API at {self.base_url} has no database: {'; '.join(body.get('reasons', []))}")
        return body

    def teams(self) -> list[dict[str, Any]]:
        return list(self._call("GET", f"{PREFIX}/teams", "team_lead"))

    def report_intake(self, team: str, counts: Iterable[tuple[dt.date, int]]) -> int:
        """Actual intake per day; the API takes at most 1,000 days per call, so longer series go in parts."""
        records = [{"date": day.isoformat(), "count": int(count)} for day, count in counts]
        recorded = 0
        for start in range(0, len(records), 1000):
            body = {"records": records[start : start + 1000]}
            recorded += int(self._call("PUT", f"{PREFIX}/teams/{team}/intake", "team_lead", json=body)["recorded"])
        return recorded

    def advise(self, case_id: str, team: str, features: Mapping[str, Any]) -> dict[str, Any]:
        body = {"case_id": case_id, "team": team, "features": dict(features)}
        return dict(self._call("POST", f"{PREFIX}/advice", "caseworker", json=body, expect=(201,)))

    def decide(self, advice_id: str, decision: Decision) -> dict[str, Any]:
        body = {
            "outcome": decision.outcome,
            "final_effort_class": decision.final_effort_class,
            "motivation": decision.motivation,
        }
        return dict(self._call("POST", f"{PREFIX}/advice/{advice_id}/decision", "caseworker", json=body, expect=(201,)))

    def record_outcome(
        self,
        case_id: str,
        handling_hours: float,
        effort_class: str,
        integrated_approach: bool,
        *,
        reason: str | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """What a closed case turned out to be (``POST /cases/{case_id}/outcome``); with ``reason`` a correction
        of the outcome recorded; ``key`` the Idempotency-Key (a retry with it is answered from the first)."""
        body: dict[str, Any] = {
            "handling_hours": handling_hours,
            "effort_class": effort_class,
            "integrated_approach": integrated_approach,
        }
        if reason is not None:
            body["reason"] = reason
        path = f"{PREFIX}/cases/{quote(case_id, safe='')}/outcome"
        return dict(self._call("POST", path, "caseworker", json=body, expect=(201,), key=key))

    def object(self, advice_id: str, kind: str, summary: str) -> dict[str, Any]:
        body = {"kind": kind, "summary": summary}
        return dict(
            self._call("POST", f"{PREFIX}/advice/{advice_id}/objection", "caseworker", json=body, expect=(201,))
        )


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):  # validation problems: name each field
        return "; ".join(f"{'.'.join(map(str, p.get('loc', [])))}: {p.get('msg', '')}" for p in detail[:10])
    return str(detail)[:300]


def _kinds(response: httpx.Response) -> tuple[str, ...]:
    """The ``type`` of each validation problem the API named, if it named any."""
    try:
        body = response.json()
    except ValueError:
        return ()
    detail = body.get("detail") if isinstance(body, dict) else None
    return tuple(str(p.get("type", "")) for p in detail if isinstance(p, dict)) if isinstance(detail, list) else ()
