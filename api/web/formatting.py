"""Numbers and dates the way a Dutch reader expects them, with the English forms as the switch.

Dutch writes ``1.234,5`` and ``7 dec. 2026``; English writes ``1,234.5`` and ``7 Dec 2026``.
Pages and charts format through these functions only, so a figure reads the same in the
chart, its description and the table next to it. No locale database is used: the server's
locale is not something a municipality's operations team should have to configure. The digits
themselves come from ``werkwijzer.formatting``, which reports and messages use too.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from werkwijzer.formatting import format_number

MONTHS_SHORT = {
    "nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
MONTHS_LONG = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
MISSING = "—"


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def number(value: float | None, decimals: int = 0, lang: str = "nl", *, signed: bool = False) -> str:
    """``1234.56`` -> ``1.234,6`` (nl) or ``1,234.6`` (en); a missing or infinite value -> ``—``.

    The digits come from ``werkwijzer.formatting`` (one place for them); pages add a true minus
    sign and, with ``signed``, a plus for a change upwards.
    """
    if value is None or not math.isfinite(value):
        return MISSING
    if round(value, decimals) == 0:
        return format_number(0.0, _lang(lang), decimals)  # no "-0" and no "+0"
    sign = "\u2212" if value < 0 else ("+" if signed else "")
    return sign + format_number(abs(value), _lang(lang), decimals)


def percent(share: float | None, decimals: int = 0, lang: str = "nl", *, signed: bool = False) -> str:
    """A share (0.125) as a percentage: ``12,5 %`` (nl, with a space as Dutch style guides ask) or ``12.5%``."""
    if share is None or not math.isfinite(share):
        return MISSING
    text = number(share * 100, decimals, lang, signed=signed)
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


LOCAL = ZoneInfo("Europe/Amsterdam")  # stored times are naive UTC; people read Dutch local time


def date_time(moment: dt.datetime, lang: str = "nl") -> str:
    """A stored (naive UTC) moment in local time: ``27 nov. 2026 09:05``."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL)
    return f"{date_short(local.date(), lang)} {local:%H:%M}"


def feature_value(value: bool | int | float | str | None, lang: str = "nl") -> str:
    """A case's input value as a person reads it: ``ja``/``nee``, Dutch decimals, no underscores."""
    if isinstance(value, bool):
        return {"nl": ("ja", "nee"), "en": ("yes", "no")}[_lang(lang)][0 if value else 1]
    if value is None:
        return MISSING
    if isinstance(value, int | float):
        return number(value, 0 if float(value).is_integer() else 2, lang)
    return value.replace("_", " ")
