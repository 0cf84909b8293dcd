"""The decision form: what was typed, turned into the API's ``DecisionCreate``, and refusals in words.

The form does not check the rules itself: it builds the same ``DecisionCreate`` the API
receives and hands it to ``api.services.decisions.record_decision``. Whatever either refuses
comes back here as a message per field, in the page's language, next to that field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from api.schemas.advice import DecisionCreate
from api.services.errors import InvalidInput
from api.web.i18n import Lang, translate

FIELDS = ("outcome", "final_effort_class", "motivation")
# Service refusals by type code (api.services.decisions); the schema's own errors by field.
SERVICE_MESSAGES = {
    "value_error.unknown_class": "decision.error.final_effort_class",
    "value_error.bsn": "decision.error.bsn",
    "value_error.nothing_to_follow": "decision.error.nothing_to_follow",
    "value_error.differs_from_suggestion": "decision.error.differs_from_suggestion",
    "value_error.equals_suggestion": "decision.error.equals_suggestion",
}
SCHEMA_MESSAGES = {
    "outcome": "decision.error.outcome",
    "final_effort_class": "decision.error.final_effort_class",
    "motivation": "decision.error.motivation_long",
    "": "decision.error.motivation_required",  # the model-level rule: deviating needs a motivation
}


@dataclass
class DecisionForm:
    """What the caseworker typed (kept when the form comes back) and the errors per field."""

    outcome: str = ""
    final_effort_class: str = ""
    motivation: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def to_body(self) -> DecisionCreate:
        """The API's request body; raises pydantic's ``ValidationError`` as the API would."""
        return DecisionCreate.model_validate({"outcome": self.outcome or None,
                                              "final_effort_class": self.final_effort_class or None,
                                              "motivation": self.motivation.strip() or None})

    def refused_by_schema(self, exc: ValidationError, lang: Lang) -> None:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            self.errors.setdefault(name or "motivation", translate(SCHEMA_MESSAGES.get(name, "decision.error.outcome"),
                                                                   lang))

    def refused_by_service(self, exc: InvalidInput, lang: Lang) -> None:
        for problem in exc.problems:
            name = str(problem.loc[-1])
            self.errors.setdefault(name if name in FIELDS else "outcome",
                                   translate(SERVICE_MESSAGES.get(problem.type, "decision.error.outcome"), lang))
