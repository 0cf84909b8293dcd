"""Alembic migrations of the API database (run by api.core.db.migrate)."""
