"""Alembic environment: run programmatically with a connection by ``api.core.db.migrate``."""

from __future__ import annotations

from alembic import context

from api.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through api.core.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
