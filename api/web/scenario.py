"""The capacity scenario form: what a team lead typed, read as numbers, refusals in plain words.

The form is a GET form, so a scenario is a link a team lead can bookmark or mail. Team leads
type the way they talk ("+10", "-2,5", "15 %"), so a decimal comma, a leading plus and a
percent sign are accepted. The bounds are the API's (``GET /api/v1/teams/{team}/capacity``):
the page and the API refuse the same scenarios, the page in words next to the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from api.web.i18n import Lang, translate

# field -> (lowest, highest) as typed: demand in percent, FTE in persons, backlog in hours
BOUNDS: dict[str, tuple[float, float]] = {
    "demand": (-90.0, 500.0),
    "fte": (-500.0, 500.0),
    "backlog": (0.0, 10_000_000.0),
}


@dataclass(frozen=True)
class Scenario:
    """A scenario as ``casework.planning.capacity`` takes it."""

    demand_change: float = 0.0  # +0.10 is 10 % more intake
    fte_change: float = 0.0
    backlog_start: float = 0.0

    @property
    def is_base(self) -> bool:
        return self.demand_change == 0 and self.fte_change == 0 and self.backlog_start == 0


def parse_number(text: str) -> float | None:
    """``"+2,5"`` -> 2.5, ``"15 %"`` -> 15.0, ``""`` -> 0.0; anything else (or not finite) -> None."""
    cleaned = text.strip().replace("\u2212", "-").replace("%", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return 0.0
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class ScenarioForm:
    """The typed text (shown again as typed) and, after ``validate``, the errors per field."""

    team: str = ""
    demand: str = ""
    fte: str = ""
    backlog: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def validate(self, teams: list[str], lang: Lang) -> Scenario | None:
        """The scenario, or None with ``errors`` filled in (in ``lang``) when any field is wrong."""
        self.errors.clear()
        if self.team not in teams:
            self.errors["team"] = translate("scenario.error.team", lang)
        values: dict[str, float] = {}
        for name, (low, high) in BOUNDS.items():
            value = parse_number(getattr(self, name))
            if value is None:
                self.errors[name] = translate(f"scenario.error.{name}.number", lang)
            elif not low <= value <= high:
                self.errors[name] = translate(f"scenario.error.{name}.range", lang)
            else:
                values[name] = value
        if self.errors:
            return None
        return Scenario(
            demand_change=values["demand"] / 100.0, fte_change=values["fte"], backlog_start=values["backlog"]
        )
