"""The project's words, each defined once here and imported everywhere else (issue 21, ADR 0014).

- The registered model names: ``werkwijzer-triage-<target>`` for a triage aid, ``werkwijzer-forecast``
  for the intake forecast; the flows register them, the API serves them, monitoring and the report
  read them back.
- The API's path prefix, for the service that mounts its routes and the client that calls them.
- The words that mean "true" (and "false") in a file, a form or a CSV cell, in Dutch and English.
  The order of ``TRUE_WORDS`` is the preference when one of several classes must be picked as the
  positive one.
"""

from __future__ import annotations

from collections.abc import Iterable

API_PREFIX = "/api/v1"

TRIAGE_PREFIX = "werkwijzer-triage"
FORECAST = "werkwijzer-forecast"


def triage_model_name(target: str) -> str:
    """The registered name of the triage aid trained on ``target``."""
    return f"{TRIAGE_PREFIX}-{target}"


TRIAGE_EFFORT = triage_model_name("effort_class")
TRIAGE_INTEGRATED = triage_model_name("integrated_approach")
MODEL_NAMES: tuple[str, ...] = (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST)

TRUE_WORDS: tuple[str, ...] = ("true", "yes", "ja", "1", "j", "y", "waar")
FALSE_WORDS: tuple[str, ...] = ("false", "no", "nee", "0", "n", "onwaar")


def is_true_word(value: object) -> bool:
    """``value`` written as text means true (``True``, ``"ja"``, ``" Yes "``, ``1``)."""
    return str(value).strip().lower() in TRUE_WORDS


def true_word_in(values: Iterable[object]) -> object | None:
    """The value among ``values`` that means true, by the preference of ``TRUE_WORDS``; None when none does."""
    lowered = {str(v).strip().lower(): v for v in values}
    return next((lowered[w] for w in TRUE_WORDS if w in lowered), None)
