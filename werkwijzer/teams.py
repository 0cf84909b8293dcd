"""The execution teams of a municipality and the statutory decision terms they work under.

Terms (calendar days from receipt to decision or first conversation):
- Participatiewet (bijstand, bijzondere bijstand): decision within 8 weeks (art. 44).
- Wmo 2015: investigation within 6 weeks of the melding (art. 2.3.2); the decision follows
  within 2 weeks of the aanvraag. The team is measured on the 6-week investigation term.
- Jeugdwet: decision within 8 weeks (Awb 4:13, no specific term in the act).
- Wet gemeentelijke schuldhulpverlening: first conversation within 4 weeks (art. 4a); within
  3 working days when eviction or disconnection of energy or water threatens.
- Omgevingsvergunning, regular procedure: 8 weeks, extendable once by 6 weeks.
Meldingen openbare ruimte and the contact centre (KCC) have service norms, not statutory terms.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    id: str
    label_nl: str
    label_en: str
    handles_cases: bool
    statutory_term_days: int | None
    term_basis: str


TEAMS: dict[str, Team] = {
    t.id: t
    for t in (
        Team(
            "bijstand_aanvragen",
            "Bijstand aanvragen",
            "Social assistance applications",
            True,
            56,
            "Participatiewet art. 44: 8 weken",
        ),
        Team(
            "bijzondere_bijstand",
            "Bijzondere bijstand",
            "Special assistance",
            True,
            56,
            "Participatiewet art. 44: 8 weken",
        ),
        Team(
            "wmo_meldingen",
            "Wmo meldingen",
            "Social support (Wmo) reports",
            True,
            42,
            "Wmo 2015 art. 2.3.2: onderzoek binnen 6 weken",
        ),
        Team("jeugdhulp", "Jeugdhulp", "Youth care", True, 56, "Jeugdwet / Awb 4:13: 8 weken"),
        Team(
            "schuldhulp_aanmeldingen",
            "Schuldhulp aanmeldingen",
            "Debt counselling sign-ups",
            True,
            28,
            "Wgs art. 4a: eerste gesprek binnen 4 weken (3 werkdagen bij dreigende uitzetting of afsluiting)",
        ),
        Team(
            "omgevingsvergunningen",
            "Omgevingsvergunningen",
            "Environment and planning permits",
            True,
            56,
            "Omgevingswet, reguliere procedure: 8 weken (verlenging met 6 weken mogelijk)",
        ),
        Team(
            "meldingen_openbare_ruimte",
            "Meldingen openbare ruimte",
            "Public space reports",
            False,
            None,
            "servicenorm, geen wettelijke termijn",
        ),
        Team(
            "kcc_contacten",
            "KCC contacten",
            "Contact centre contacts",
            False,
            None,
            "servicenorm, geen wettelijke termijn",
        ),
    )
}

CASE_TEAMS: tuple[str, ...] = tuple(t.id for t in TEAMS.values() if t.handles_cases)
EFFORT_CLASSES: tuple[str, ...] = ("eenvoudig", "gemiddeld", "complex")


def team_label(team_id: str, lang: str = "nl") -> str:
    """A person-readable team name; unknown ids (a user's own teams) are shown as given."""
    team = TEAMS.get(team_id)
    if team is None:
        return team_id.replace("_", " ")
    return team.label_nl if lang == "nl" else team.label_en
