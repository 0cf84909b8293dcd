"""The database guards the audit trail: no delete outside a recorded purge, a head that only follows appends.

Retention purges record themselves first (``audit_purge_permits``); triggers then refuse
- deleting an audit entry beyond the anchor or without a permit that covers it,
- a permit for an entry younger than 183 days (the retention floor, ``casework.retention.MIN_DAYS``)
  or not newer than the current anchor,
- moving the head anywhere but to the newest entry, backwards, or removing the head row,
- moving the anchor except to a permit's entry, and changing or removing permits (ADR 0012).
A database superuser can still drop the triggers: the signed checkpoints outside the database
are what shows that afterwards.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DELETE_REFUSED = "audit_events: an entry can only be deleted by a recorded retention purge"
PERMIT_REFUSED = "audit_purge_permits: a purge may only reach an existing entry older than 183 days, past the anchor"
HEAD_REFUSED = "audit_head: the head can only move forward to the newest entry"
ANCHOR_REFUSED = "audit_head: the anchor can only move to an entry a recorded retention purge names"
FIXED = "is append-only and cannot be changed or removed"

# SQLite: (name, table, timing, condition, message); the condition says when to refuse.
_SQLITE = [
    (
        "audit_events_no_delete",
        "audit_events",
        "BEFORE DELETE",
        "OLD.seq > (SELECT anchor_seq FROM audit_head WHERE id = 1) "
        "OR NOT EXISTS (SELECT 1 FROM audit_purge_permits p WHERE p.up_to_seq >= OLD.seq)",
        DELETE_REFUSED,
    ),
    (
        "audit_purge_permits_check",
        "audit_purge_permits",
        "BEFORE INSERT",
        "NEW.up_to_seq <= (SELECT anchor_seq FROM audit_head WHERE id = 1) "
        "OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.up_to_seq AND e.hash = NEW.anchor_hash "
        "AND e.at < datetime('now', '-183 days'))",
        PERMIT_REFUSED,
    ),
    ("audit_purge_permits_no_update", "audit_purge_permits", "BEFORE UPDATE", "1", f"audit_purge_permits {FIXED}"),
    ("audit_purge_permits_no_delete", "audit_purge_permits", "BEFORE DELETE", "1", f"audit_purge_permits {FIXED}"),
    (
        "audit_head_follows_appends",
        "audit_head",
        "BEFORE UPDATE",
        "(NEW.last_seq != OLD.last_seq OR NEW.last_hash != OLD.last_hash) AND (NEW.last_seq < OLD.last_seq "
        "OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.last_seq AND e.hash = NEW.last_hash) "
        "OR EXISTS (SELECT 1 FROM audit_events e WHERE e.seq > NEW.last_seq))",
        HEAD_REFUSED,
    ),
    (
        "audit_head_anchor_by_purge",
        "audit_head",
        "BEFORE UPDATE",
        "(NEW.anchor_seq != OLD.anchor_seq OR NEW.anchor_hash != OLD.anchor_hash) AND (NEW.anchor_seq < OLD.anchor_seq "
        "OR NOT EXISTS (SELECT 1 FROM audit_purge_permits p WHERE p.up_to_seq = NEW.anchor_seq "
        "AND p.anchor_hash = NEW.anchor_hash))",
        ANCHOR_REFUSED,
    ),
    ("audit_head_no_delete", "audit_head", "BEFORE DELETE", "1", f"audit_head {FIXED}"),
]

# PostgreSQL: (function, body). Row triggers return OLD/NEW; TRUNCATE bypasses row triggers, so it is refused too.
_PG_FUNCTIONS = {
    "werkwijzer_audit_delete_guard": f"""
        IF OLD.seq > (SELECT anchor_seq FROM audit_head WHERE id = 1)
           OR NOT EXISTS (SELECT 1 FROM audit_purge_permits p WHERE p.up_to_seq >= OLD.seq) THEN
            RAISE EXCEPTION '{DELETE_REFUSED} (entry %)', OLD.seq;
        END IF;
        RETURN OLD;""",
    "werkwijzer_audit_permit_guard": f"""
        IF NEW.up_to_seq <= (SELECT anchor_seq FROM audit_head WHERE id = 1)
           OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.up_to_seq AND e.hash = NEW.anchor_hash
                          AND e.at < (now() AT TIME ZONE 'UTC') - interval '183 days') THEN
            RAISE EXCEPTION '{PERMIT_REFUSED}';
        END IF;
        RETURN NEW;""",
    "werkwijzer_audit_head_guard": f"""
        IF (NEW.last_seq, NEW.last_hash) IS DISTINCT FROM (OLD.last_seq, OLD.last_hash) AND (
               NEW.last_seq < OLD.last_seq
               OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.last_seq AND e.hash = NEW.last_hash)
               OR EXISTS (SELECT 1 FROM audit_events e WHERE e.seq > NEW.last_seq)) THEN
            RAISE EXCEPTION '{HEAD_REFUSED}';
        END IF;
        IF (NEW.anchor_seq, NEW.anchor_hash) IS DISTINCT FROM (OLD.anchor_seq, OLD.anchor_hash) AND (
               NEW.anchor_seq < OLD.anchor_seq
               OR NOT EXISTS (SELECT 1 FROM audit_purge_permits p WHERE p.up_to_seq = NEW.anchor_seq
                              AND p.anchor_hash = NEW.anchor_hash)) THEN
            RAISE EXCEPTION '{ANCHOR_REFUSED}';
        END IF;
        RETURN NEW;""",
    "werkwijzer_audit_fixed": f"""
        RAISE EXCEPTION '% {FIXED}', TG_TABLE_NAME;""",
}
# (trigger, table, timing and level, function)
_PG_TRIGGERS = [
    ("audit_events_no_delete", "audit_events", "BEFORE DELETE FOR EACH ROW", "werkwijzer_audit_delete_guard"),
    ("audit_events_no_truncate", "audit_events", "BEFORE TRUNCATE FOR EACH STATEMENT", "werkwijzer_audit_fixed"),
    ("audit_purge_permits_check", "audit_purge_permits", "BEFORE INSERT FOR EACH ROW", "werkwijzer_audit_permit_guard"),
    (
        "audit_purge_permits_fixed",
        "audit_purge_permits",
        "BEFORE UPDATE OR DELETE FOR EACH ROW",
        "werkwijzer_audit_fixed",
    ),
    (
        "audit_purge_permits_no_truncate",
        "audit_purge_permits",
        "BEFORE TRUNCATE FOR EACH STATEMENT",
        "werkwijzer_audit_fixed",
    ),
    ("audit_head_guard", "audit_head", "BEFORE UPDATE FOR EACH ROW", "werkwijzer_audit_head_guard"),
    ("audit_head_no_delete", "audit_head", "BEFORE DELETE FOR EACH ROW", "werkwijzer_audit_fixed"),
    ("audit_head_no_truncate", "audit_head", "BEFORE TRUNCATE FOR EACH STATEMENT", "werkwijzer_audit_fixed"),
]


def upgrade() -> None:
    op.create_table(
        "audit_purge_permits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("up_to_seq", sa.Integer(), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.Column("cutoff", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for function, body in _PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {function}() RETURNS trigger AS $$ BEGIN {body} END; $$ LANGUAGE plpgsql")
        for trigger, table, timing, function in _PG_TRIGGERS:
            op.execute(
                f"CREATE TRIGGER {trigger} {timing.replace(' FOR', f' ON {table} FOR')} EXECUTE FUNCTION {function}()"
            )
    else:
        for trigger, table, timing, condition, message in _SQLITE:
            op.execute(
                f"CREATE TRIGGER {trigger} {timing} ON {table} WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table, _, _ in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for trigger, *_ in _SQLITE:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("audit_purge_permits")
