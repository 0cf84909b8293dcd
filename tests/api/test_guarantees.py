"""The human-in-the-loop guarantees of issue 5, each shown by a test that can fail.

- No code path turns a score into a decision: decisions are constructed in one place, from the
  caseworker's request only, and advice never carries a decision or a default for one.
- The control share holds within tolerance over 2,000 advices.
- The reason a case got or did not get advice never appears in any response.
"""

from __future__ import annotations

import ast
import asyncio
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.schemas.advice import AdviceCreate, DecisionCreate
from casework.advice_queue import AdviceQueue
from casework.clock import utc_now
from casework.config import ROLES
from casework.modelstore import ModelStore
from casework.security import Principal
from casework.storage import Advice
from tests.api.conftest import Api, new_case, start_api
from werkwijzer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SERVICE = sorted([*(ROOT / "api").rglob("*.py"), *(ROOT / "casework").rglob("*.py")])  # HTTP and the domain
SELECTION_WORDS = ('"control"', '"advised"', "switched_off", "selection_reason")  # stored values and key


def test_decisions_are_built_only_from_the_caseworkers_request() -> None:
    sites = []
    for path in SERVICE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Decision":
                kwargs = {k.arg: ast.unparse(k.value) for k in node.keywords}
                sites.append((path.relative_to(ROOT).as_posix(), kwargs["outcome"], kwargs["final_effort_class"]))
    assert sites == [("casework/decisions.py", "body.outcome", "body.final_effort_class")]
    required = {n for n, f in DecisionCreate.model_fields.items() if f.is_required()}
    assert required == {"outcome", "final_effort_class"}  # no default decision, nothing pre-filled


@pytest.fixture
def sqlite_api(api_settings: Settings, model_store: ModelStore, tmp_path: Path) -> Iterator[Api]:
    yield from start_api(
        api_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'api.db'}"}), model_store
    )


def test_control_share_holds_over_2000_advices(sqlite_api: Api) -> None:
    """A property of the selection, not of the database: run on SQLite only."""
    api = sqlite_api
    settings = api.settings.model_copy(update={"control_share": 0.2})
    rng = random.Random(20261126)
    caseworker = Principal(api.user_ids["caseworker"], "test", "caseworker")
    queue = AdviceQueue(api.app.state.sessions, api.app.state.store, settings, rng)  # the advice route's path

    async def ask() -> list[tuple[int, dict[str, Any]]]:
        queue.open()
        try:
            return [
                await queue.submit(
                    caseworker, AdviceCreate.model_validate(new_case(n, open_debts=n % 10)), utc_now(), None
                )
                for n in range(2000)
            ]
        finally:
            await queue.close(5)

    shown = [body["suggestion"] is None for _, body in asyncio.run(ask())]
    with api.app.state.sessions() as session:
        reasons = [r for r in session.execute(select(Advice.selection_reason)).scalars()]
    share = sum(shown) / len(shown)
    assert abs(share - 0.2) < 4 * (0.2 * 0.8 / 2000) ** 0.5  # four standard deviations: about +-0.036
    assert reasons.count("control") == sum(shown) and reasons.count("advised") == 2000 - sum(shown)


def test_the_selection_reason_never_leaves_the_server(fresh_api: Api) -> None:
    api = fresh_api
    cw = api.headers("caseworker")
    ids = []
    for pinned in (0.0, 0.99):
        api.rng.pinned = pinned
        ids.append(api.client.post("/api/v1/advice", json=new_case(int(pinned * 100)), headers=cw).json()["advice_id"])
    api.rng.pinned = 0.99
    api.client.put(
        "/api/v1/admin/advice-switch",
        json={"scope": "global", "enabled": False, "reason": "stop"},
        headers=api.headers("admin"),
    )
    ids.append(api.client.post("/api/v1/advice", json=new_case(7), headers=cw).json()["advice_id"])
    api.client.put(
        "/api/v1/admin/advice-switch",
        json={"scope": "global", "enabled": True, "reason": "go"},
        headers=api.headers("admin"),
    )
    with api.app.state.sessions() as s:
        stored = {a.id: a.selection_reason for a in s.execute(select(Advice)).scalars()}
    assert sorted(stored.values()) == ["advised", "control", "switched_off_global"]
    texts = []
    for advice_id in ids:
        texts.append(api.client.get(f"/api/v1/advice/{advice_id}", headers=cw).text)
        texts.append(api.client.get(f"/api/v1/advice/{advice_id}/citizen-explanation", headers=cw).text)
    for role in ROLES:
        for path in ("/api/v1/audit/events?limit=500", "/api/v1/models", "/api/v1/monitoring/overrides"):
            r = api.client.get(path, headers=api.headers(role))
            if r.status_code == 200:
                texts.append(json.dumps(r.json()))
    leaks = [w for t in texts for w in SELECTION_WORDS if w in t]
    assert not leaks
    control, advised = ids[0], ids[1]
    assert stored[control] == "control" and stored[advised] == "advised"
