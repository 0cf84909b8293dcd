"""Alembic migrations of the API database (run by casework.db.migrate)."""
