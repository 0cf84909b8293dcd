"""Outcomes of closed cases as the API takes and shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

# What enters is defined by the domain (casework.inputs); the API publishes it as its request body.
from casework.inputs import OutcomeCreate as OutcomeCreate


class OutcomePublic(BaseModel):
    outcome_id: str
    case_id: str
    advice_id: str
    revision: int
    handling_hours: float
    effort_class: str
    integrated_approach: bool
    corrects: str | None
    reason: str | None
    recorded_by: str
    recorded_at: dt.datetime
