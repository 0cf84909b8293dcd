"""Forms that post what the API would receive: the typed text, the request body, refusals in words.

A page form carries no rules of its own: ``to_body`` builds the API's request schema and the
page calls the API's own service function. Whatever the schema or the service refuses comes
back as one message per field, in the page's language, to be shown next to that field (and
linked to it with ``aria-describedby``); what was typed stays in the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import ValidationError

from api.schemas.governance import SwitchUpdate
from api.web.i18n import Lang, translate
from casework.errors import InvalidInput
from casework.inputs import DecisionCreate, ObjectionCreate


@dataclass
class ApiForm:
    """What every page form shares: the errors per field, and how a refusal becomes them."""

    errors: dict[str, str] = field(default_factory=dict, kw_only=True)

    def schema_error(self, name: str, error_type: str) -> tuple[str, str]:
        """(field, catalog key) for a schema error on ``name`` ("" for a rule across fields)."""
        raise NotImplementedError

    def service_error(self, name: str, problem_type: str) -> tuple[str, str]:
        """(field, catalog key) for a service refusal of field ``name`` with type code ``problem_type``."""
        raise NotImplementedError

    def refuse(self, exc: ValidationError | InvalidInput, lang: Lang) -> None:
        if isinstance(exc, ValidationError):
            found = [self.schema_error(str(e["loc"][0]) if e["loc"] else "", e["type"]) for e in exc.errors()]
        else:
            found = [self.service_error(str(p.loc[-1]), p.type) for p in exc.problems]
        for name, key in found:
            self.errors.setdefault(name, translate(key, lang))


@dataclass
class DecisionForm(ApiForm):
    """The caseworker's decision, as ``POST /api/v1/advice/{id}/decision`` receives it."""

    outcome: str = ""
    final_effort_class: str = ""
    motivation: str = ""
    advised: bool = True  # without a suggestion the outcome is always "deviated", and the wording differs

    FIELDS: ClassVar[tuple[str, ...]] = ("outcome", "final_effort_class", "motivation")
    SERVICE: ClassVar[dict[str, str]] = {  # the type codes of casework.decisions
        "value_error.unknown_class": "decision.error.final_effort_class",
        "value_error.bsn": "decision.error.bsn",
        "value_error.nothing_to_follow": "decision.error.nothing_to_follow",
        "value_error.differs_from_suggestion": "decision.error.differs_from_suggestion",
        "value_error.equals_suggestion": "decision.error.equals_suggestion",
    }

    def to_body(self) -> DecisionCreate:
        """The API's request body; raises pydantic's ``ValidationError`` as the API would."""
        return DecisionCreate.model_validate(
            {
                "outcome": self.outcome or None,
                "final_effort_class": self.final_effort_class or None,
                "motivation": self.motivation.strip() or None,
            }
        )

    def schema_error(self, name: str, error_type: str) -> tuple[str, str]:
        if name == "":  # the schema's one rule across fields: deviating needs a motivation
            return "motivation", (
                "decision.error.motivation_required" if self.advised else "decision.error.motivation_own"
            )
        if name == "motivation":
            return name, "decision.error.motivation_long"
        return (name, f"decision.error.{name}") if name in self.FIELDS else ("outcome", "decision.error.outcome")

    def service_error(self, name: str, problem_type: str) -> tuple[str, str]:
        return (name if name in self.FIELDS else "outcome"), self.SERVICE.get(problem_type, "decision.error.outcome")


@dataclass
class ObjectionForm(ApiForm):
    """A citizen's objection or complaint, as ``POST /api/v1/advice/{id}/objection`` receives it."""

    kind: str = ""
    summary: str = ""

    def to_body(self) -> ObjectionCreate:
        return ObjectionCreate.model_validate({"kind": self.kind or None, "summary": self.summary.strip()})

    def schema_error(self, name: str, error_type: str) -> tuple[str, str]:
        if name == "kind":
            return name, "objection.error.kind"
        return "summary", (
            "objection.error.summary_long" if error_type == "string_too_long" else "objection.error.summary"
        )

    def service_error(self, name: str, problem_type: str) -> tuple[str, str]:
        return "summary", ("objection.error.bsn" if problem_type == "value_error.bsn" else "objection.error.summary")


@dataclass
class SwitchForm(ApiForm):
    """The stop button, as ``PUT /api/v1/admin/advice-switch`` receives it; the reason is required,
    so the audit trail always says why advice went off (or back on)."""

    scope: str = "global"
    enabled: str = ""  # "true" | "false", as the radio buttons send it
    reason: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = ("scope", "enabled", "reason")

    def to_body(self) -> SwitchUpdate:
        return SwitchUpdate.model_validate(
            {"scope": self.scope, "enabled": self.enabled or None, "reason": self.reason.strip() or None}
        )

    def schema_error(self, name: str, error_type: str) -> tuple[str, str]:
        name = name if name in self.FIELDS else "reason"
        return name, f"models.switch.error.{name}"

    def service_error(self, name: str, problem_type: str) -> tuple[str, str]:
        return "scope", "models.switch.error.scope"  # switches.flip refuses only an unknown scope
