"""Alembic environment: run programmatically with a connection by ``casework.db.migrate``."""

from __future__ import annotations

from alembic import context

from casework.storage import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through casework.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
