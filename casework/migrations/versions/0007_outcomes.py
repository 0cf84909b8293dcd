"""Outcomes: what a closed case turned out to be (handling hours, effort class, integrated approach).

One row per recorded outcome. A correction is a new row with the next ``revision`` of the same
advice and the reason for it; no row is ever changed, so the first figure stays on record. The
unique (advice, revision) pair makes two concurrent first reports (or corrections) a conflict
instead of two current outcomes.

Revision ID: 0007_outcomes
Revises: 0006_anchoring
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_outcomes"
down_revision = "0006_anchoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcomes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("advice_id", sa.String(36), sa.ForeignKey("advice.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("handling_hours", sa.Float(), nullable=False),
        sa.Column("effort_class", sa.String(50), nullable=False),
        sa.Column("integrated_approach", sa.Boolean(), nullable=False),
        sa.Column("corrects", sa.String(36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("advice_id", "revision", name="uq_outcome_advice_revision"),
    )
    op.create_index("ix_outcomes_recorded_at", "outcomes", ["recorded_at"])
    op.create_index("ix_outcomes_advice_id", "outcomes", ["advice_id"])


def downgrade() -> None:
    op.drop_index("ix_outcomes_advice_id", table_name="outcomes")
    op.drop_index("ix_outcomes_recorded_at", table_name="outcomes")
    op.drop_table("outcomes")
