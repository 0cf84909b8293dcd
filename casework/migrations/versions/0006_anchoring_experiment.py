"""The anchoring experiment (issue 17 part 1, ADR 0021): the hidden suggestion of a control case,
and when a case page was first opened.

``advice.hidden_suggested_class`` and ``advice.hidden_top_probability`` hold the model's frozen
suggestion for a control case (empty for every other case, and for control cases stored before
this migration); they are never shown. ``case_openings`` holds, per advice, the first time a
caseworker or team lead opened its case page.

Revision ID: 0006_anchoring
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_anchoring"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("advice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_suggested_class", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("hidden_top_probability", sa.Float(), nullable=True))
    op.create_table(
        "case_openings",
        sa.Column("advice_id", sa.String(length=36), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["advice_id"], ["advice.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("advice_id"),
    )


def downgrade() -> None:
    op.drop_table("case_openings")
    with op.batch_alter_table("advice", schema=None) as batch_op:
        batch_op.drop_column("hidden_top_probability")
        batch_op.drop_column("hidden_suggested_class")
