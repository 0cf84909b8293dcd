"""The project's words, each defined once here and imported everywhere else (issue 21, ADR 0014).

- The registered model names: ``werkwijzer-triage-<target>`` for a triage aid, ``werkwijzer-forecast``
  for the intake forecast; the flows register them, the API serves them, monitoring and the report
  read them back.
- The API's path prefix, for the service that mounts its routes and the client that calls them.
- What is never model input (responsible-ai item 8): protected characteristics and the other
  names on the deny-list, as whole words of a snake_case name in Dutch and English; the feature
  policy refuses them at training, the service refuses them in a request and in a model it loads.
- The bounds of an outcome or decision as the API takes it: an effort class's length and the most hours
  a case can take (the ZGW import checks a zaak's values against the same bounds before it sends them).
- The words that mean "true" (and "false") in a file, a form or a CSV cell, in Dutch and English.
  The order of ``TRUE_WORDS`` is the preference when one of several classes must be picked as the
  positive one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

API_PREFIX = "/api/v1"

TRIAGE_PREFIX = "werkwijzer-triage"
FORECAST = "werkwijzer-forecast"


def triage_model_name(target: str) -> str:
    """The registered name of the triage aid trained on ``target``."""
    return f"{TRIAGE_PREFIX}-{target}"


TRIAGE_TARGETS: tuple[str, ...] = ("effort_class", "integrated_approach")  # what the served triage aids advise on
TRIAGE_EFFORT = triage_model_name(TRIAGE_TARGETS[0])
TRIAGE_INTEGRATED = triage_model_name(TRIAGE_TARGETS[1])
MODEL_NAMES: tuple[str, ...] = (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST)

MAX_CLASS_LENGTH = 50  # characters of an effort class in a decision or an outcome
MAX_HANDLING_HOURS = 10_000  # hours a closed case can have taken in all

TRUE_WORDS: tuple[str, ...] = ("true", "yes", "ja", "1", "j", "y", "waar")
FALSE_WORDS: tuple[str, ...] = ("false", "no", "nee", "0", "n", "onwaar")


def is_true_word(value: object) -> bool:
    """``value`` written as text means true (``True``, ``"ja"``, ``" Yes "``, ``1``)."""
    return str(value).strip().lower() in TRUE_WORDS


def true_word_in(values: Iterable[object]) -> object | None:
    """The value among ``values`` that means true, by the preference of ``TRUE_WORDS``; None when none does."""
    lowered = {str(v).strip().lower(): v for v in values}
    return next((lowered[w] for w in TRUE_WORDS if w in lowered), None)


# Item 8 of responsible-ai.md, as name patterns (Dutch and English). Matching is on whole words
# of the snake_case name, so "postcode_district" and "aantal_kinderen" match, "team" does not.
NEVER_FEATURES: dict[str, tuple[str, ...]] = {
    "nationality": ("nationality", "nationaliteit", "citizenship"),
    "migration background": (
        "migration",
        "migratie",
        "migratieachtergrond",
        "herkomst",
        "origin",
        "country_of_birth",
        "geboorteland",
        "allochtoon",
    ),
    "ethnicity": ("ethnicity", "ethnic", "etniciteit", "race"),
    "religion": ("religion", "religie", "geloof", "faith"),
    "sex or gender": ("sex", "gender", "geslacht"),
    "age or age group": ("age", "leeftijd", "age_band", "leeftijdsgroep"),
    "health (incl. ADHD and mental-health care)": (
        "health",
        "gezondheid",
        "adhd",
        "ggz",
        "mental",
        "psychisch",
        "diagnosis",
        "diagnose",
    ),
    "literacy or language": (
        "literacy",
        "laaggeletterd",
        "geletterdheid",
        "language",
        "taal",
        "taalvaardigheid",
        "language_assistance",
    ),
    "postcode or district (proxy, AA:2023:02)": (
        "postcode",
        "postal",
        "zipcode",
        "zip",
        "district",
        "wijk",
        "buurt",
        "neighbourhood",
        "neighborhood",
    ),
    "number of children (AA:2023:02)": ("children", "kinderen", "kids", "number_of_children"),
    "type of contact (AA:2023:02)": ("channel", "kanaal", "contact_type", "contactsoort"),
    "reason for appointment (AA:2023:02)": ("appointment_reason", "reden_afspraak", "afspraakreden"),
    "subjective judgement (AA:2023:02)": (
        "assertiveness",
        "assertiviteit",
        "appearance",
        "uiterlijk",
        "impression",
        "indruk",
        "judgement",
        "oordeel",
    ),
    "free text": (
        "free_text",
        "vrije_tekst",
        "remarks",
        "opmerking",
        "opmerkingen",
        "notes",
        "notitie",
        "comment",
        "toelichting",
    ),
    "derived from earlier model advice (feedback loop)": (
        "advice",
        "advies",
        "model_score",
        "risk_score",
        "risicoscore",
        "prediction",
    ),
}


def _words(name: str) -> set[str]:
    lowered = name.lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", lowered) if p]
    return set(parts) | {lowered}


def never_feature_reason(name: str) -> str | None:
    """Why ``name`` is never model input (the deny-list of item 8), or None."""
    words = _words(name)
    for reason, patterns in NEVER_FEATURES.items():
        if any(p in words or ("_" in p and p in name.lower()) for p in patterns):
            return f"on the deny-list of responsible-ai item 8 ({reason})"
    return None
