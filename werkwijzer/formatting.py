"""Numbers, dates and missing values as a reader expects them: Dutch first, English as the switch.

The one place for this, so pages, charts, the council report and monitoring messages never
disagree on how a figure is written (ADR 0014). Dutch conventions for Dutch text: ``1.234,5``,
``81 %`` with a non-breaking space before the sign (so the two never part at a line end),
``7 dec. 2026``, a true minus sign ``−``; English writes ``1,234.5``, ``81%`` and ``7 Dec 2026``.
A missing, unknown or infinite value is one en dash, ``–``, in both languages. No locale database
is used: the server's locale is not something a municipality's operations team should have to
configure. Also the names of protected characteristics as a reader knows them (an audit file's
column names never reach a person).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import SupportsFloat
from zoneinfo import ZoneInfo

from werkwijzer.i18n import has_text, translate

MISSING = "\u2013"  # en dash: no value
MINUS = "\u2212"
MONTHS_SHORT = {
    "nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS_LONG = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
YES_NO = {"nl": ("ja", "nee"), "en": ("yes", "no")}
LOCAL = ZoneInfo("Europe/Amsterdam")  # stored times are naive UTC; people read Dutch local time


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def _finite(value: object) -> float | None:
    """``value`` as a float, or None for a missing value: None, NaN, pandas' NA, an infinity, not a number."""
    if not isinstance(value, SupportsFloat):
        return None
    try:
        number = float(value)
    except TypeError:
        return None
    return number if math.isfinite(number) else None


def number(value: float | None, decimals: int = 0, lang: str = "nl", *, signed: bool = False) -> str:
    """``1234.56`` -> ``1.234,6`` (nl) or ``1,234.6`` (en); negative with a true minus, with ``signed``
    a plus for a change upwards; never ``-0`` or ``+0``; a missing or infinite value -> ``–``."""
    finite = _finite(value)
    if finite is None:
        return MISSING
    value = finite
    if round(value, decimals) == 0:
        value, sign = 0.0, ""
    else:
        sign = MINUS if value < 0 else ("+" if signed else "")
    text = f"{abs(value):,.{decimals}f}"
    if _lang(lang) == "nl":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return sign + text


def percent(share: float | None, decimals: int = 0, lang: str = "nl", *, signed: bool = False) -> str:
    """A share (0.125) as a percentage: ``12,5 %`` (nl, a non-breaking space as Dutch style guides ask)
    or ``12.5%`` (en)."""
    finite = _finite(share)
    if finite is None:
        return MISSING
    text = number(finite * 100, decimals, lang, signed=signed)
    return f"{text}\u00a0%" if _lang(lang) == "nl" else f"{text}%"


def day_month(day: dt.date, lang: str = "nl") -> str:
    """``7 dec.`` / ``7 Dec``: short enough for an axis tick."""
    return f"{day.day}\u00a0{MONTHS_SHORT[_lang(lang)][day.month - 1]}"


def date_short(day: dt.date, lang: str = "nl") -> str:
    """``7 dec. 2026`` / ``7 Dec 2026``: tables, where many dates stand in one column."""
    return f"{day_month(day, lang)}\u00a0{day.year}"


def date_long(day: dt.date, lang: str = "nl") -> str:
    """``7 december 2026`` / ``7 December 2026``: running text."""
    return f"{day.day} {MONTHS_LONG[_lang(lang)][day.month - 1]} {day.year}"


def week_label(day: dt.date, lang: str = "nl") -> str:
    """The ISO week of a Monday, as planners name weeks: ``week 50 (7 dec. 2026)``."""
    return f"week {day.isocalendar().week} ({date_short(day, lang)})"


def date_time(moment: dt.datetime, lang: str = "nl") -> str:
    """A stored (naive UTC) moment in local time: ``27 nov. 2026 09:05``."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL)
    return f"{date_short(local.date(), lang)} {local:%H:%M}"


def feature_value(value: bool | int | float | str | None, lang: str = "nl") -> str:
    """A case's input value as a person reads it: ``ja``/``nee``, Dutch decimals, no underscores."""
    if isinstance(value, bool):
        return YES_NO[_lang(lang)][0 if value else 1]
    if value is None:
        return MISSING
    if isinstance(value, int | float):
        return number(value, 0 if float(value).is_integer() else 2, lang)
    return value.replace("_", " ")


def readable(name: str, lang: str = "nl") -> str:
    """A protected characteristic's name in words (the catalogue's ``characteristic.<name>``); any other
    identifier with its underscores as spaces."""
    key = f"characteristic.{name}"
    return translate(key, lang) if has_text(key) else name.replace("_", " ")
