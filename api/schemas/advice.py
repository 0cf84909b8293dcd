"""Advice, decisions, objections and citizen explanations as the API shows them.

No schema here has a field for the reason a case did or did not get advice; it stays in the
database (responsible-ai item 5).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

# What enters is defined by the domain (casework.inputs); the API publishes it as its request bodies.
from casework.inputs import AdviceCreate as AdviceCreate
from casework.inputs import DecisionCreate as DecisionCreate
from casework.inputs import FeatureValue
from casework.inputs import ObjectionCreate as ObjectionCreate


class ReasonPublic(BaseModel):
    factor: str = Field(description="Machine key of the factor; people read the labels.")
    label_nl: str
    label_en: str
    value: FeatureValue | None
    direction: Literal["up", "down"]
    contribution: float


class SuggestionPublic(BaseModel):
    effort_class_probabilities: dict[str, float]
    suggested_effort_class: str
    integrated_approach_probability: float | None = Field(
        description="Null when that model is switched off or not loaded."
    )


class ModelRef(BaseModel):
    name: str
    version: str


class Statement(BaseModel):
    nl: str
    en: str


class DecisionPublic(BaseModel):
    decision_id: str
    advice_id: str
    outcome: Literal["followed", "deviated"]
    final_effort_class: str
    motivation: str | None
    decided_by: str
    decided_at: dt.datetime


class AdvicePublic(BaseModel):
    advice_id: str
    case_id: str
    team: str
    status: Literal["awaiting_decision", "decided"]
    created_at: dt.datetime
    suggestion: SuggestionPublic | None
    reasons: list[ReasonPublic]
    model: ModelRef | None
    statement: Statement
    decision: DecisionPublic | None = None


class ObjectionPublic(BaseModel):
    objection_id: str
    advice_id: str
    kind: Literal["objection", "complaint"]
    summary: str
    recorded_at: dt.datetime


class CitizenExplanationPublic(BaseModel):
    advice_id: str
    lang: Literal["nl", "en"]
    text: str
    decided_by_person: bool
