"""Prefect flows: thin orchestration around ``models`` and ``explain``, logging to MLflow."""
