"""Plain-language explanations of an advice, from the registry's labels (items 18 and 19).

No raw column name reaches a person: every factor is shown by its registry label. The citizen
text is written at B1 level: short sentences, common words, and it always says that a person
decided (or will decide), never the model. The words come from the catalogue (``werkwijzer.i18n``).
"""

from __future__ import annotations

from explain.case import Reason
from werkwijzer.i18n import check_lang, translate
from werkwijzer.teams import team_label

_WORDS = {True: "value.yes", False: "value.no", None: "value.unknown"}


def _value(value: object, lang: str) -> str:
    if value is None or isinstance(value, bool):
        return translate(_WORDS[value], lang)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def _label(reason: Reason, lang: str) -> str:
    return reason.label_nl if lang == "nl" else reason.label_en


def caseworker_summary(reasons: list[Reason], suggestion: str, lang: str = "nl") -> str:
    """The suggestion and its main factors with direction, for the caseworker who decides."""
    check_lang(lang)
    head = translate("narrative.caseworker.head", lang, s=str(suggestion).replace("_", " "))
    if not reasons:
        return f"{head} {translate('narrative.caseworker.none', lang)}"
    lines = [
        f"- {_label(r, lang)}: {_value(r.value, lang)} ({translate(f'narrative.caseworker.{r.direction}', lang)})"
        for r in reasons
    ]
    return "\n".join([head, translate("narrative.caseworker.list", lang), *lines])


def citizen_explanation(reasons: list[Reason], team: str, decided_by_person: bool, lang: str = "nl") -> str:
    """A short B1 text for the citizen: which facts played a role and that a person decides."""
    check_lang(lang)
    factors = [f"{_label(r, lang).lower()} ({_value(r.value, lang)})" for r in reasons[:3]]
    parts = [
        translate("narrative.citizen.team", lang, team=team_label(team, lang)),
        translate("narrative.citizen.advice", lang),
    ]
    if factors:
        parts.append(translate("narrative.citizen.factors", lang, factors=", ".join(factors)))
    parts += [
        translate(f"narrative.citizen.{key}", lang)
        for key in ("not_used", "decided" if decided_by_person else "will_decide", "object")
    ]
    return " ".join(parts)


def citizen_without_advice(team: str, decided_by_person: bool, lang: str = "nl") -> str:
    """The citizen's text when no computer advice was used (the control share, a switched-off model)."""
    key = "decided" if decided_by_person else "will_decide"
    return translate(f"narrative.citizen.no_advice.{key}", lang, team=team_label(team, lang))
