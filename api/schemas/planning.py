"""Teams, forecasts and capacity scenarios for team leads."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.schemas.advice import ModelRef


class TeamPublic(BaseModel):
    id: str
    label_nl: str
    label_en: str
    handles_cases: bool
    statutory_term_days: int | None
    term_basis: str
    has_forecast: bool


class HistoryPoint(BaseModel):
    date: dt.date
    value: float | None


class ForecastPoint(BaseModel):
    date: dt.date
    mean: float
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float


class ForecastPublic(BaseModel):
    team: str
    model: ModelRef
    history: list[HistoryPoint]
    forecast: list[ForecastPoint]


class Scenario(BaseModel):
    demand_change: float
    fte_change: float
    backlog_start: float


class CapacityWeek(BaseModel):
    week: dt.date
    intake_mean: float
    hours_mean: float
    fte_needed_mean: float
    fte_needed_lo_80: float
    fte_needed_hi_80: float
    fte_needed_lo_95: float
    fte_needed_hi_95: float
    fte_available: float
    fte_gap: float
    backlog_hours: float
    breach_probability: float


class CapacityPublic(BaseModel):
    team: str
    model: ModelRef
    scenario: Scenario
    weeks: list[CapacityWeek]


class IntakeRecord(BaseModel):
    date: dt.date
    count: int = Field(ge=0, le=1_000_000, description="New cases or contacts that day")


class IntakeReport(BaseModel):
    records: list[IntakeRecord] = Field(min_length=1, max_length=1000)


class IntakeRecorded(BaseModel):
    team: str
    recorded: int
