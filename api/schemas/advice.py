"""Advice, decisions, objections and citizen explanations as the API shows them.

No schema here has a field for the reason a case did or did not get advice; it stays in the
database (responsible-ai item 5).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FeatureValue = bool | int | float | str


class AdviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1, max_length=100, description="Pseudonymous case key; never a BSN.")
    team: str = Field(min_length=1, max_length=100)
    features: dict[str, FeatureValue | None] = Field(
        description="The model's input, exactly the fields of its schema.json.")


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
        description="Null when that model is switched off or not loaded.")


class ModelRef(BaseModel):
    name: str
    version: str


class Statement(BaseModel):
    nl: str
    en: str


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["followed", "deviated"]
    final_effort_class: str = Field(min_length=1, max_length=50)
    motivation: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _motivation_when_deviating(self) -> DecisionCreate:
        if self.outcome == "deviated" and not (self.motivation or "").strip():
            raise ValueError("motivation is required when deviating from the advice")
        return self


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


class ObjectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["objection", "complaint"]
    summary: str = Field(min_length=1, max_length=2000,
                         description="What the citizen objects to; no names, addresses or BSN.")


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
