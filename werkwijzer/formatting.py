"""Numbers as a reader expects them: ``1.234`` and ``81 %`` in Dutch, ``1,234`` and ``81%`` in English.

One place for this, so messages, pages and reports never disagree on how a figure is written;
also the names of protected characteristics as a reader knows them (an audit file's column
names never reach a person).
"""

from __future__ import annotations

import math


def format_number(value: float, lang: str = "nl", decimals: int = 0) -> str:
    """Thousands separator and decimal sign of the language; NaN becomes a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def format_percent(share: float, lang: str = "nl", decimals: int = 0) -> str:
    """A share (0.81) as a percentage: ``81 %`` (Dutch style with a space) or ``81%``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    number = format_number(100.0 * share, lang, decimals)
    return f"{number} %" if lang == "nl" else f"{number}%"


PROTECTED_LABELS = {"migration_background": ("herkomst", "origin"), "age_band": ("leeftijdsgroep", "age group"),
                    "sex": ("geslacht", "sex"), "nationality": ("nationaliteit", "nationality"),
                    "household_type": ("huishouden", "household")}


def readable(name: str, lang: str = "nl") -> str:
    """A protected characteristic's name in words; any other identifier with its underscores as spaces."""
    label = PROTECTED_LABELS.get(name)
    if label:
        return label[0] if lang == "nl" else label[1]
    return name.replace("_", " ")
