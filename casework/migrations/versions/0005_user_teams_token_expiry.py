"""Team-bound access and token expiry: the teams a user works for, and when its token was issued.

``teams`` is a JSON list of team ids (``werkwijzer.teams``). Users that exist before this
migration get no teams: a caseworker or team lead without teams sees no case and no team until an
administrator assigns teams (``werkwijzer users teams USER_ID --team ...``); other roles see all
teams regardless. ``token_issued_at`` starts at the user's creation time, so tokens older than
``WERKWIJZER_TOKEN_TTL_DAYS`` expire at once and need ``werkwijzer users rotate``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("teams", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("token_issued_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET token_issued_at = created_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("token_issued_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("token_issued_at")
        batch_op.drop_column("teams")
