"""The service reads its configuration from the one settings object, ``werkwijzer.settings``."""

from __future__ import annotations

from werkwijzer.settings import Settings, get_settings

API_PREFIX = "/api/v1"
ROLES: tuple[str, ...] = ("caseworker", "team_lead", "model_owner", "auditor", "admin")
TRIAGE_EFFORT = "werkwijzer-triage-effort_class"
TRIAGE_INTEGRATED = "werkwijzer-triage-integrated_approach"
FORECAST = "werkwijzer-forecast"
MODEL_NAMES: tuple[str, ...] = (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST)
SWITCH_SCOPES: tuple[str, ...] = ("global", TRIAGE_EFFORT, TRIAGE_INTEGRATED)

__all__ = ["API_PREFIX", "FORECAST", "MODEL_NAMES", "ROLES", "SWITCH_SCOPES", "TRIAGE_EFFORT",
           "TRIAGE_INTEGRATED", "Settings", "get_settings"]
