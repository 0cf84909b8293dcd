"""Models, the stop button, the audit trail and monitoring: what accountability reads."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casework.inputs import Text


class HealthPublic(BaseModel):
    status: Literal["ok"]


class ReadyProbePublic(BaseModel):
    """What a probe without a token is told: ready or not, nothing more."""

    ready: bool


class ReadyPublic(ReadyProbePublic):
    """What a signed-in user is told: also what is loaded and why it is not ready."""

    database: bool
    models: dict[str, str | None]
    reasons: list[str]
    without_champion: list[str] = []  # no approved champion in MLflow (a decision): advice from it is off


class VersionPublic(BaseModel):
    version: str
    run_id: str
    champion: bool
    gates: dict[str, str]
    # ROC AUC of the version and of the plain scikit-learn peers on its test cases (issue 20).
    comparison: dict[str, str] = {}


class ModelPublic(BaseModel):
    name: str
    loaded: bool
    version: str | None
    loaded_at: dt.datetime | None
    advice_enabled: bool | None
    gates: dict[str, Any]
    model_card: dict[str, Any]
    register_entry: dict[str, Any]
    versions: list[VersionPublic]


class ModelsPublic(BaseModel):
    advice_enabled_globally: bool
    models: list[ModelPublic]


class SwitchUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Text = Field(description='"global" or a triage model name', min_length=1, max_length=200)
    enabled: bool
    reason: Text = Field(min_length=1, max_length=2000)


class SwitchPublic(BaseModel):
    scope: str
    enabled: bool
    changed_by: str
    changed_at: dt.datetime
    switches: dict[str, bool]


class LoadResultPublic(BaseModel):
    status: str
    version: str | None
    message: str


class ReloadPublic(BaseModel):
    results: dict[str, LoadResultPublic]


class AuditEventPublic(BaseModel):
    seq: int
    at: dt.datetime
    kind: str
    actor: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    events: list[AuditEventPublic]
    next_after_seq: int | None


class VerificationPublic(BaseModel):
    valid: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str | None = Field(
        description="hash of the last entry: keep it with last_seq and pass both "
        "as anchor_seq and anchor_hash next time"
    )
    anchor_seq: int = Field(description="entries up to here were removed by retention purges")
    broken_at: int | None
    problem: str | None = Field(description="the first of problems")
    problems: list[str]
    checkpoints: int = Field(description="signed checkpoint lines read from the checkpoint file")
    checkpoint_seq: int | None = Field(description="the newest entry a signed checkpoint names")
    records_checked: int = Field(description="advice and decision rows compared with their audit entries")
    auditor_anchor: Literal["contained", "purged", "not_contained"] | None = Field(
        description="whether the chain still contains the given anchor_seq/anchor_hash (purged: removed by retention)"
    )


class OverrideCell(BaseModel):
    by: Literal["team", "model_version", "score_band"]
    key: str
    decisions: int | None = Field(description="Empty when under the small-cell minimum")
    agreement_rate: float | None
    override_rate: float | None
    objections: int | None = Field(description="Empty when under the small-cell minimum")
    alert: Literal["automation_bias"] | None
    suppressed: bool = Field(description="Fewer than the small-cell minimum followed or overridden: no rates")


class OverridesPublic(BaseModel):
    decisions_with_advice: int | None
    decisions_without_advice: int | None
    thresholds: dict[str, float]
    cells: list[OverrideCell]
