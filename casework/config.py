"""The service reads its configuration from the one settings object, ``werkwijzer.settings``."""

from __future__ import annotations

from werkwijzer.settings import Settings, get_settings
from werkwijzer.vocabulary import API_PREFIX, FORECAST, MODEL_NAMES, TRIAGE_EFFORT, TRIAGE_INTEGRATED

ROLES: tuple[str, ...] = ("caseworker", "team_lead", "model_owner", "auditor", "admin")
SWITCH_SCOPES: tuple[str, ...] = ("global", TRIAGE_EFFORT, TRIAGE_INTEGRATED)

__all__ = [
    "API_PREFIX",
    "FORECAST",
    "MODEL_NAMES",
    "ROLES",
    "SWITCH_SCOPES",
    "TRIAGE_EFFORT",
    "TRIAGE_INTEGRATED",
    "Settings",
    "get_settings",
]
