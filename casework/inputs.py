"""What enters the casework domain: a new case asking advice, a decision, an objection.

The API publishes these as its request bodies (``api.schemas.advice`` re-exports them); the
services in ``casework`` take them as they are, so the pages, the HTTP routes and the demo all
pass through the same checks.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from werkwijzer.vocabulary import MAX_CLASS_LENGTH, MAX_HANDLING_HOURS


def _no_nul(value: str) -> str:
    """PostgreSQL cannot store a NUL character in text (a 500 before this check; found by the fuzz test)."""
    if "\x00" in value:
        raise ValueError("text must not contain a NUL character (0x00)")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""Text a person or a case system sends: stored as it is, so it must be storable on every engine."""

FeatureValue = bool | int | float | Text


class AdviceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: Text = Field(min_length=1, max_length=100, description="Pseudonymous case key; never a BSN.")
    team: Text = Field(min_length=1, max_length=100)
    features: dict[str, FeatureValue | None] = Field(
        description="The model's input, exactly the fields of its schema.json."
    )


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["followed", "deviated"]
    final_effort_class: Text = Field(min_length=1, max_length=MAX_CLASS_LENGTH)
    motivation: Text | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _motivation_when_deviating(self) -> DecisionCreate:
        if self.outcome == "deviated" and not (self.motivation or "").strip():
            raise ValueError("motivation is required when deviating from the advice")
        return self


class ObjectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["objection", "complaint"]
    summary: Text = Field(
        min_length=1, max_length=2000, description="What the citizen objects to; no names, addresses or BSN."
    )


class OutcomeCreate(BaseModel):
    """What a closed case turned out to be, from the caseworker or the case system."""

    model_config = ConfigDict(extra="forbid")

    handling_hours: float = Field(gt=0, le=MAX_HANDLING_HOURS, description="Hours the case took in all, more than 0.")
    effort_class: Text = Field(
        min_length=1, max_length=MAX_CLASS_LENGTH, description="The effort class the case turned out to need."
    )
    integrated_approach: bool = Field(
        strict=True, description="Whether the case turned out to need an integrated approach (true or false)."
    )
    reason: Text | None = Field(
        default=None,
        max_length=2000,
        description="Only for a correction of an outcome already recorded: why it is corrected (required then).",
    )
