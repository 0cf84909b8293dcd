"""The three ways a database user rewrote the trail on a served demo, each caught (ADR 0012).

(a) cut the last entries and reset ``audit_head``; (b) delete the first entries and move the
anchor; (c) change a decision by delete + insert and re-hash every entry after it. Each is done
through the database as a superuser would (guards dropped first) and checked through
``GET /api/v1/audit/verify`` and, on the same database and checkpoint file, ``werkwijzer audit verify``.
Before ADR 0012 the chain alone said ``valid: true`` for all three.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from casework import audit, checkpoints
from casework.checkpoints import Checkpoint, CheckpointWriter
from casework.db import make_engine
from casework.storage import AuditEvent
from cli.main import cli
from tests.api.conftest import Api, drop_guards
from tests.api.test_audit import make_history


def verify(api: Api, **anchor: object) -> dict:
    r = api.client.get("/api/v1/audit/verify", params=anchor, headers=api.headers("auditor"))
    assert r.status_code == 200, r.text
    return r.json()


def offline(api: Api, *extra: str) -> tuple[int, str]:
    """``werkwijzer audit verify`` on the API's database and checkpoint file, with the kept audit key."""
    settings = api.settings
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            "verify",
            "--database",
            settings.database,
            "--checkpoints",
            str(settings.audit_checkpoint_file),
            "--key-file",
            str(settings.home_dir / "audit_key"),
            *extra,
        ],
    )
    return result.exit_code, result.output


def history(api: Api) -> list[AuditEvent]:
    """Three advice with decisions, signed by the checkpoint writer (one tick, as the thread does every second)."""
    make_history(api, 3)
    api.app.state.audit_checkpoints.tick()
    with api.app.state.sessions() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())


def chain_alone_says_valid(api: Api) -> bool:
    """What verification said before ADR 0012: the hash chain, from the anchor to the head row."""
    with api.app.state.sessions() as s:
        return audit.verify(s).valid


def set_head(conn: Connection, seq: int, digest: str) -> None:
    conn.execute(text("UPDATE audit_head SET last_seq = :s, last_hash = :h"), {"s": seq, "h": digest})


def test_a_cut_end_is_caught(fresh_api: Api) -> None:
    api = fresh_api
    events = history(api)
    keep = events[-4]
    engine = api.app.state.engine
    with engine.connect() as conn, pytest.raises(DBAPIError, match="recorded retention purge"):
        conn.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": keep.seq})
    with engine.connect() as conn, pytest.raises(DBAPIError, match="only move forward"):
        set_head(conn, keep.seq, keep.hash)
    with engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("DELETE FROM audit_events WHERE seq > :s"), {"s": keep.seq})
        set_head(conn, keep.seq, keep.hash)
    assert chain_alone_says_valid(api)
    result = verify(api)
    assert not result["valid"] and result["last_seq"] == keep.seq and result["head_hash"] == keep.hash
    assert f"names entry {events[-1].seq}, but the chain ends at entry {keep.seq}" in result["problem"]
    assert "removed from the end" in result["problem"] and result["broken_at"] == keep.seq + 1
    kept = verify(api, anchor_seq=events[-1].seq, anchor_hash=events[-1].hash)  # what the auditor kept last time
    assert kept["auditor_anchor"] == "not_contained"
    assert f"no longer contains your kept head, entry {events[-1].seq}" in " ".join(kept["problems"])
    code, output = offline(api)
    assert code == 1 and "NOT VALID" in output and "removed from the end" in output


def test_a_cut_beginning_is_caught(fresh_api: Api) -> None:
    api = fresh_api
    events = history(api)
    cut = events[3]
    engine = api.app.state.engine
    with engine.connect() as conn, pytest.raises(DBAPIError, match="anchor can only move"):
        conn.execute(text("UPDATE audit_head SET anchor_seq = :s, anchor_hash = :h"), {"s": cut.seq, "h": cut.hash})
    with engine.connect() as conn, pytest.raises(DBAPIError, match="183 days"):  # a permit for recent entries
        conn.execute(
            text("INSERT INTO audit_purge_permits (up_to_seq, anchor_hash, cutoff, purged_at) VALUES (:s, :h, :t, :t)"),
            {"s": cut.seq, "h": cut.hash, "t": dt.datetime(2026, 1, 1)},
        )
    with engine.begin() as conn:
        drop_guards(conn)
        conn.execute(text("DELETE FROM audit_events WHERE seq <= :s"), {"s": cut.seq})
        conn.execute(text("UPDATE audit_head SET anchor_seq = :s, anchor_hash = :h"), {"s": cut.seq, "h": cut.hash})
    assert chain_alone_says_valid(api)
    result = verify(api)
    assert not result["valid"] and result["first_seq"] == cut.seq + 1 and result["anchor_seq"] == cut.seq
    assert result["problem"] == (
        f"the chain starts after entry {cut.seq}, but no signed purge records that: "
        "entries were removed from the beginning"
    )
    code, output = offline(api)
    assert code == 1 and "entries were removed from the beginning" in output


def _rewrite_decision(conn: Connection, api: Api, events: list[AuditEvent]) -> tuple[str, int]:
    """Swap the first decision for a deviating one and re-hash the chain from its entry on."""
    changed = next(e for e in events if e.kind == "decision.recorded")
    advice_id = changed.subject
    payload = json.loads(changed.payload)
    payload.update(
        decision_id=str(uuid.uuid4()), outcome="deviated", final_effort_class="zwaar", motivation="Anders beoordeeld"
    )
    conn.execute(text("DELETE FROM decisions WHERE advice_id = :a"), {"a": advice_id})
    conn.execute(
        text(
            "INSERT INTO decisions (id, advice_id, decided_by, decided_at, outcome, final_effort_class, "
            "motivation) VALUES (:id, :a, :by, :at, 'deviated', 'zwaar', 'Anders beoordeeld')"
        ),
        {"id": payload["decision_id"], "a": advice_id, "by": api.user_ids["caseworker"], "at": changed.at},
    )
    conn.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": changed.seq})
    prev = changed.prev_hash
    for event in (e for e in events if e.seq >= changed.seq):
        body = audit.canonical_json(payload) if event.seq == changed.seq else event.payload
        digest = audit.entry_hash(event.seq, event.at, event.kind, event.actor, event.subject, body, prev)
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, at, kind, actor, subject, payload, prev_hash, hash) "
                "VALUES (:seq, :at, :kind, :actor, :subject, :payload, :prev, :hash)"
            ),
            {
                "seq": event.seq,
                "at": event.at,
                "kind": event.kind,
                "actor": event.actor,
                "subject": event.subject,
                "payload": body,
                "prev": prev,
                "hash": digest,
            },
        )
        prev = digest
    set_head(conn, events[-1].seq, prev)
    return advice_id, changed.seq


def test_a_decision_changed_and_the_chain_rehashed_is_caught(fresh_api: Api) -> None:
    api = fresh_api
    events = history(api)
    with api.app.state.engine.begin() as conn:
        drop_guards(conn)
        advice_id, changed = _rewrite_decision(conn, api, events)
    assert chain_alone_says_valid(api)
    decision = api.client.get(f"/api/v1/advice/{advice_id}", headers=api.headers("caseworker")).json()["decision"]
    assert decision["outcome"] == "deviated"  # the rows and the entries agree: only the checkpoints can tell
    result = verify(api)
    assert not result["valid"] and changed < result["broken_at"] == events[-1].seq  # the signed head no longer there
    assert result["problem"] == (
        f"entry {events[-1].seq} is not the entry a signed checkpoint recorded: the chain "
        "was rewritten after entry 0 and re-hashed"
    )
    code, output = offline(api)
    assert code == 1 and "re-hashed" in output


def test_a_decision_row_swapped_without_its_entry_is_caught(fresh_api: Api) -> None:
    api = fresh_api
    events = history(api)
    decided = next(e for e in events if e.kind == "decision.recorded")
    with api.app.state.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE decisions SET outcome = 'deviated', final_effort_class = 'zwaar', "
                "motivation = 'Anders' WHERE advice_id = :a"
            ),
            {"a": decided.subject},
        )
    result = verify(api)
    assert not result["valid"] and result["records_checked"] == 6
    assert result["problems"] == [
        f"the decision on advice {decided.subject} (deviated, zwaar) does not match its "
        "audit entry: it was changed or replaced outside the service"
    ]
    with api.app.state.engine.begin() as conn:
        conn.execute(text("DELETE FROM decisions WHERE advice_id = :a"), {"a": decided.subject})
    assert verify(api)["problems"] == [
        f"the decision on advice {decided.subject} is on the audit trail, but its row is gone"
    ]
    code, output = offline(api)
    assert code == 1 and "row is gone" in output


def test_an_untouched_trail_verifies_offline_and_with_the_auditors_anchor(fresh_api: Api) -> None:
    api = fresh_api
    events = history(api)
    result = verify(api, anchor_seq=events[2].seq, anchor_hash=events[2].hash)
    assert result["valid"] and result["auditor_anchor"] == "contained" and result["checkpoint_seq"] == events[-1].seq
    other = "f" * 64
    assert verify(api, anchor_seq=events[2].seq, anchor_hash=other)["auditor_anchor"] == "not_contained"
    assert (
        api.client.get("/api/v1/audit/verify", params={"anchor_seq": 3}, headers=api.headers("auditor")).status_code
        == 422
    )
    code, output = offline(api, "--anchor-seq", str(events[-1].seq), "--anchor-hash", events[-1].hash)
    assert code == 0 and "audit trail: valid" in output and "your kept head: contained" in output


def test_deletes_outside_a_purge_are_refused_by_the_database(fresh_api: Api) -> None:
    api = fresh_api
    history(api)
    engine = api.app.state.engine
    for statement in (
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE seq = 1",
        "DELETE FROM audit_head",
        "UPDATE audit_head SET last_seq = last_seq + 1",
    ):
        with engine.connect() as conn, pytest.raises(DBAPIError):
            conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("TRUNCATE audit_events"))
    assert verify(api)["valid"]


def test_checkpoint_writer_writes_signed_lines_and_stops_cleanly(fresh_api: Api, tmp_path: Path) -> None:
    api = fresh_api
    path, key = tmp_path / "own.jsonl", b"k" * 32
    writer = CheckpointWriter(api.app.state.engine, path, key, 3600.0, api.app.state.clock)
    writer.start()
    assert writer.running and writer.written == 1
    writer.tick()  # the head did not move: nothing written
    make_history(api, 1)
    writer.stop()
    assert not writer.running
    lines = checkpoints.read(path, key)
    assert lines.problems == [] and [c.kind for c in lines.checkpoints] == ["start", "head"]
    with api.app.state.sessions() as s:
        assert (
            lines.checkpoints[-1].seq
            == s.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        )
    assert lines.checkpoints[0].anchor_seq == 0 and oct(path.stat().st_mode & 0o777) == "0o600"
    assert checkpoints.read(path, b"x" * 32).problems[0].endswith("written without the audit key")


def test_concurrent_appends_stay_whole_lines(tmp_path: Path) -> None:
    path, key = tmp_path / "c.jsonl", b"k" * 32

    def write(n: int) -> None:
        for i in range(100):
            checkpoints.append(path, key, Checkpoint("head", "2026-12-01T00:00:00Z", n * 1000 + i, "a" * 64))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = checkpoints.read(path, key)
    assert lines.problems == [] and len(lines.checkpoints) == 400


def test_offline_verify_reads_without_changing_the_copy(fresh_api: Api) -> None:
    api = fresh_api
    history(api)
    engine = make_engine(api.settings.database)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    finally:
        engine.dispose()
    code, output = offline(api, "--json")
    assert code == 0 and json.loads(output)["entries"] == before


def test_a_checkpoint_written_while_verify_walks_the_chain_is_not_a_cut_end(fresh_api: Api) -> None:
    """The service goes on writing while an auditor verifies: entries committed and signed after verify's
    snapshot began are not in that snapshot, and must not read as entries removed from the end."""
    from contextlib import contextmanager

    from casework import audit_check
    from casework.db import reading

    api = fresh_api
    history(api)
    engine = api.app.state.engine

    @contextmanager
    def snapshot_then_more_written():  # type: ignore[no-untyped-def]
        with reading(engine, snapshot=True) as session:
            session.execute(select(AuditEvent.seq).limit(1)).all()  # the snapshot begins here
            make_history(api, 2)  # meanwhile the service stores more ...
            api.app.state.audit_checkpoints.tick()  # ... and signs its new head
            yield session

    report = audit_check.verify_trail(
        snapshot_then_more_written, api.settings.audit_checkpoint_file, api.settings.audit_signing_key
    )
    assert report.valid, report.problems
    assert verify(api)["valid"]  # and the next verification covers the new entries
