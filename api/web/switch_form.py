"""The stop-button form: what the administrator chose, as the API's ``SwitchUpdate``, refusals in words.

Like the decision form, it does not carry rules of its own: it builds the body that
``PUT /api/v1/admin/advice-switch`` receives and the same service (``switches.flip``) records
it, with the same audit entry. A reason is required, so the trail always says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from api.schemas.governance import SwitchUpdate
from api.services.errors import InvalidInput
from api.web.i18n import Lang, translate

FIELDS = ("scope", "enabled", "reason")


@dataclass
class SwitchForm:
    scope: str = "global"
    enabled: str = ""  # "true" | "false", as the radio buttons send it
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def to_body(self) -> SwitchUpdate:
        """The API's request body; raises pydantic's ``ValidationError`` as the API would."""
        return SwitchUpdate.model_validate({"scope": self.scope, "enabled": self.enabled or None,
                                            "reason": self.reason.strip() or None})

    def refused_by_schema(self, exc: ValidationError, lang: Lang) -> None:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "reason"
            name = name if name in FIELDS else "reason"
            self.errors.setdefault(name, translate(f"models.switch.error.{name}", lang))

    def refused_by_service(self, exc: InvalidInput, lang: Lang) -> None:
        for problem in exc.problems:
            name = str(problem.loc[-1])
            name = name if name in FIELDS else "scope"
            self.errors.setdefault(name, translate(f"models.switch.error.{name}", lang))
