"""The audit trail: one writer, hash-chained, append-only, tamper-evident, and retention that keeps it valid."""

from __future__ import annotations

import ast
import datetime as dt
import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from casework import audit, checkpoints, retention
from casework.modelstore import ModelStore
from casework.storage import AuditEvent, AuditHead
from tests.api.conftest import Api, database_url, drop_guards, new_case, on_database, start_api
from werkwijzer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]  # the service: api/ and the casework it runs on


def verify(api: Api) -> dict:
    r = api.client.get("/api/v1/audit/verify", headers=api.headers("auditor"))
    assert r.status_code == 200
    return r.json()


def make_history(api: Api, n: int = 3) -> list[str]:
    ids = []
    for i in range(n):
        advice = api.client.post("/api/v1/advice", json=new_case(400 + i), headers=api.headers("caseworker")).json()
        api.client.post(
            f"/api/v1/advice/{advice['advice_id']}/decision",
            headers=api.headers("caseworker"),
            json={"outcome": "followed", "final_effort_class": advice["suggestion"]["suggested_effort_class"]},
        )
        ids.append(advice["advice_id"])
    return ids


def test_every_advice_and_decision_is_on_the_record(fresh_api: Api) -> None:
    api = fresh_api
    ids = make_history(api, 2)
    page = api.client.get("/api/v1/audit/events?limit=500", headers=api.headers("auditor")).json()
    kinds = [(e["kind"], e["subject"]) for e in page["events"]]
    for advice_id in ids:
        assert ("advice.created", advice_id) in kinds and ("decision.recorded", advice_id) in kinds
    created = next(e for e in page["events"] if e["kind"] == "advice.created")
    assert {"model_name", "model_version", "input_ref", "suggestion", "reasons"} <= set(created["payload"])
    decision = next(e for e in page["events"] if e["kind"] == "decision.recorded")
    assert decision["actor"] == api.user_ids["caseworker"] and decision["payload"]["outcome"] == "followed"
    result = verify(api)
    assert {
        k: result[k]
        for k in (
            "valid",
            "entries",
            "first_seq",
            "last_seq",
            "broken_at",
            "problem",
            "problems",
            "anchor_seq",
            "auditor_anchor",
        )
    } == {
        "valid": True,
        "entries": len(page["events"]),
        "first_seq": 1,
        "last_seq": len(page["events"]),
        "broken_at": None,
        "problem": None,
        "problems": [],
        "anchor_seq": 0,
        "auditor_anchor": None,
    }
    assert result["head_hash"] == page["events"][-1]["hash"] and result["records_checked"] == 4
    paged = api.client.get("/api/v1/audit/events?limit=2", headers=api.headers("auditor")).json()
    assert [e["seq"] for e in paged["events"]] == [1, 2] and paged["next_after_seq"] == 2


def test_entries_cannot_be_updated_and_tampering_is_detected(fresh_api: Api) -> None:
    api = fresh_api
    make_history(api, 3)
    engine = api.app.state.engine
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3"))
    with engine.begin() as conn:  # an attacker with database rights drops the guard and edits an entry
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_events_no_update ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(
            text(
                "UPDATE audit_events SET payload = replace(payload, 'followed', 'deviated') "
                "WHERE kind = 'decision.recorded'"
            )
        )
    result = verify(api)
    assert not result["valid"] and result["problem"] == "the entry's content does not match its hash"
    first_decision = min(e.seq for e in _events(api) if e.kind == "decision.recorded")
    assert result["broken_at"] == first_decision


def test_a_removed_entry_is_detected(fresh_api: Api) -> None:
    api = fresh_api
    make_history(api, 2)
    engine = api.app.state.engine
    with engine.connect() as conn, pytest.raises(DBAPIError, match="recorded retention purge"):
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    with engine.begin() as conn:  # a database superuser drops the guards first
        drop_guards(conn)
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    result = verify(api)
    assert not result["valid"] and result["broken_at"] == 5 and "missing" in result["problem"]


def _json_dumps_form(payload: object) -> str:
    """The canonical form before ADR 0011 (``json.dumps``)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


PAYLOADS = [
    {
        "advice_id": "a-1",
        "team": "wmo_meldingen",
        "suggestion": {
            "effort_class_probabilities": {"laag": 0.25, "midden": 0.5, "hoog": 0.25},
            "suggested_effort_class": "midden",
        },
        "reasons": [{"value": 3.0, "up": True}],
    },
    {"motivation": "Cliënt wil eerst zélf bellen; ‘schuld’ — €40", "n": [1, -2, 3.5, None, False]},
    {"at": dt.datetime(2026, 11, 27, 5, 1, 2, 345678), "day": dt.date(2026, 11, 27)},
    {2: "numbered keys", 10: "sort as numbers"},
    {"numpy": np.float64(0.125), "count": np.int64(3), "flag": np.bool_(True), "big": 2**70},
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["advice", "text", "dates", "int-keys", "numpy"])
def test_canonical_json_is_the_earlier_form_for_what_entries_hold(payload: dict) -> None:
    assert audit.canonical_json(payload) == _json_dumps_form(payload)


def test_entries_in_the_earlier_form_still_verify(fresh_api: Api) -> None:
    """Only floats in exponent range read differently now; verification hashes the stored text."""
    api = fresh_api
    make_history(api, 1)
    payload = {"contribution": 1e-05, "huge": 1e16}
    assert audit.canonical_json(payload) != _json_dumps_form(payload)
    with api.app.state.sessions() as session:
        head = audit.lock_head(session)
        seq, at, body = head.last_seq + 1, dt.datetime(2026, 1, 5, 9, 30), _json_dumps_form(payload)
        digest = audit.entry_hash(seq, at, "advice.created", "u-old", "a-old", body, head.last_hash)
        session.add(
            AuditEvent(
                seq=seq,
                at=at,
                kind="advice.created",
                actor="u-old",
                subject="a-old",
                payload=body,
                prev_hash=head.last_hash,
                hash=digest,
            )
        )
        head.last_seq, head.last_hash = seq, digest
        session.commit()
    make_history(api, 1)
    assert verify(api)["valid"]


def _events(api: Api) -> list[AuditEvent]:
    with api.app.state.sessions() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())


def test_retention_purges_old_records_and_keeps_the_chain_valid(
    backend: str, api_settings: Settings, model_store: ModelStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """History made 300 days ago (by the app's clock) is purged through the database's guards; verify stays valid."""
    now = dt.datetime.now(dt.UTC)
    clock = [now - dt.timedelta(days=300)]
    settings = on_database(api_settings, database_url(backend, tmp_path, request), tmp_path)
    with contextmanager(start_api)(settings, model_store, clock=lambda: clock[0]) as api:
        old_ids = make_history(api, 2)
        api.app.state.audit_checkpoints.tick()
        clock[0] = now
        new_ids = make_history(api, 1)
        assert verify(api)["valid"]
        with api.app.state.sessions() as s:
            counts = retention.purge(s, settings.model_copy(update={"retention_days": 200}), now)
        assert counts["advice"] == 2 and counts["decisions"] == 2 and counts["audit_events"] > 0
        cw = api.headers("caseworker")
        assert all(api.client.get(f"/api/v1/advice/{a}", headers=cw).status_code == 404 for a in old_ids)
        assert api.client.get(f"/api/v1/advice/{new_ids[0]}", headers=cw).status_code == 200
        result = verify(api)
        assert result["valid"], result["problems"]
        assert result["first_seq"] > 1 and result["anchor_seq"] == result["first_seq"] - 1
        purges = [
            c
            for c in checkpoints.read(settings.audit_checkpoint_file, settings.audit_signing_key).checkpoints
            if c.kind == "purge"
        ]
        assert [(c.anchor_seq, c.anchor_hash) for c in purges] == [(result["anchor_seq"], _anchor_hash(api))]
        with api.app.state.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit_purge_permits"))  # the record of the purge stays


def _anchor_hash(api: Api) -> str:
    with api.app.state.sessions() as s:
        return s.execute(select(AuditHead.anchor_hash)).scalar_one()


def test_retention_never_goes_below_six_months(fresh_api: Api) -> None:
    api = fresh_api
    make_history(api, 1)
    settings = api.settings.model_copy(update={"retention_days": 10})  # bypasses the settings' own check
    with api.app.state.sessions() as s:
        assert retention.purge(s, settings, dt.datetime.now(dt.UTC) + dt.timedelta(days=182))["advice"] == 0
    with pytest.raises(ValueError, match="183"):
        type(api.settings)(retention_days=100)


def test_only_the_audit_service_writes_audit_entries() -> None:
    writers = []
    for path in sorted([*(ROOT / "api").rglob("*.py"), *(ROOT / "casework").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "AuditEvent":
                writers.append(path.relative_to(ROOT).as_posix())
    assert writers == ["casework/audit.py"]
