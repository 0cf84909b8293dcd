"""Plain-language explanations of an advice, from the registry's labels (items 18 and 19).

No raw column name reaches a person: every factor is shown by its registry label. The citizen
text is written at B1 level: short sentences, common words, and it always says that a person
decided (or will decide), never the model.
"""

from __future__ import annotations

from explain.case import Reason
from werkwijzer.teams import team_label

_WORDS = {
    "nl": {True: "ja", False: "nee", None: "onbekend"},
    "en": {True: "yes", False: "no", None: "unknown"},
}


def _value(value: object, lang: str) -> str:
    if value is None or isinstance(value, bool):
        return _WORDS[lang][value]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")


def _label(reason: Reason, lang: str) -> str:
    return reason.label_nl if lang == "nl" else reason.label_en


def _check(lang: str) -> None:
    if lang not in _WORDS:
        raise ValueError(f"lang must be 'nl' or 'en', got {lang!r}")


_CASEWORKER = {
    "nl": {"head": "Advies: {s}. Dit is een advies; u beslist zelf.",
           "none": " Er zijn geen factoren die dit advies duidelijk sturen.",
           "list": "\nBelangrijkste factoren:\n",
           "up": "maakt dit advies waarschijnlijker", "down": "maakt dit advies minder waarschijnlijk"},
    "en": {"head": "Suggestion: {s}. This is advice; you decide.",
           "none": " No factor clearly drives this suggestion.",
           "list": "\nMain factors:\n",
           "up": "makes this suggestion more likely", "down": "makes this suggestion less likely"},
}


def caseworker_summary(reasons: list[Reason], suggestion: str, lang: str = "nl") -> str:
    """The suggestion and its main factors with direction, for the caseworker who decides."""
    _check(lang)
    text = _CASEWORKER[lang]
    head = text["head"].format(s=str(suggestion).replace("_", " "))
    if not reasons:
        return head + text["none"]
    lines = [f"- {_label(r, lang)}: {_value(r.value, lang)} ({text[r.direction]})" for r in reasons]
    return head + text["list"] + "\n".join(lines)


_CITIZEN = {
    "nl": {
        "team": "Uw aanvraag is behandeld door het team {team}.",
        "advice": ("Een computerprogramma gaf de medewerker een advies over hoeveel werk uw aanvraag is "
                   "of welke hulp past. Het programma beslist niet."),
        "factors": "Bij dat advies speelden deze gegevens de grootste rol: {factors}.",
        "not_used": "Het programma gebruikt geen gegevens over afkomst, geslacht of de wijk waar u woont.",
        "decided": "Een medewerker heeft over uw aanvraag beslist.",
        "will_decide": "Een medewerker beslist over uw aanvraag.",
        "object": "Bent u het er niet mee eens? Dan kunt u bezwaar maken of om uitleg vragen.",
    },
    "en": {
        "team": "Your application was handled by the team {team}.",
        "advice": ("A computer program gave the staff member advice on how much work your application is "
                   "or which help fits. The program does not decide."),
        "factors": "These facts mattered most for that advice: {factors}.",
        "not_used": "The program does not use your origin, sex or the district where you live.",
        "decided": "A staff member decided on your application.",
        "will_decide": "A staff member will decide on your application.",
        "object": "Do you disagree? You can object or ask for an explanation.",
    },
}


def citizen_explanation(reasons: list[Reason], team: str, decided_by_person: bool, lang: str = "nl") -> str:
    """A short B1 text for the citizen: which facts played a role and that a person decides."""
    _check(lang)
    text = _CITIZEN[lang]
    factors = [f"{_label(r, lang).lower()} ({_value(r.value, lang)})" for r in reasons[:3]]
    parts = [text["team"].format(team=team_label(team, lang)), text["advice"]]
    if factors:
        parts.append(text["factors"].format(factors=", ".join(factors)))
    parts += [text["not_used"], text["decided"] if decided_by_person else text["will_decide"], text["object"]]
    return " ".join(parts)
