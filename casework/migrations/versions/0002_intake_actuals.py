"""Actual intake per team and day, for monitoring the forecast and for the council report.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_actuals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team", "date", name="uq_intake_team_date"),
    )
    with op.batch_alter_table("intake_actuals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_actuals_team"), ["team"], unique=False)
        batch_op.create_index(batch_op.f("ix_intake_actuals_date"), ["date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("intake_actuals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_actuals_date"))
        batch_op.drop_index(batch_op.f("ix_intake_actuals_team"))
    op.drop_table("intake_actuals")
