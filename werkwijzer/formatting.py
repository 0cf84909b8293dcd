"""Numbers as a reader expects them: ``1.234`` and ``81 %`` in Dutch, ``1,234`` and ``81%`` in English.

One place for this, so messages, pages and reports never disagree on how a figure is written.
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
