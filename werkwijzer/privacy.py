"""Privacy rules that every layer applies the same way.

BSN (responsible-ai item 26). A citizen service number has nine digits (eight with an implied
leading zero when a whole value is a number of eight digits) and passes the eleven-test: 9*d1 + 8*d2 + ... +
2*d8 - 1*d9 is divisible by 11. Any run of nine digits inside an identifier or free text (case
key, motivation, objection, feature name, user name, a cell of a file) that passes the test is
treated as a possible BSN and refused; the refusal never repeats the value, nor a key that holds
one (``BSN_PLACEHOLDER`` takes its place).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

BSN_PLACEHOLDER = "<withheld: looks like a BSN>"
BSN_MESSAGE = "looks like a citizen service number (BSN); send a pseudonymous key, never a BSN"

_WHOLE = re.compile(r"^\d{8,9}$")
_SEPARATORS = re.compile(r"[\s.\-]")
# Nine digits, optionally split by single spaces, dots or hyphens (1234.56.782), not part of a longer run.
_EIGHT = re.compile(r"^\d{8}(\.0)?$")
_NINE_DIGITS = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){8}(?!\d)")


def passes_eleven_test(value: object) -> bool:
    """True when the whole of ``value`` has the form of a BSN and passes the eleven-test."""
    text = _SEPARATORS.sub("", str(value).strip())
    if text.endswith(".0"):
        text = text[:-2]
    if not _WHOLE.match(text):
        return False
    digits = [int(c) for c in text.zfill(9)]
    if not any(digits):
        return False
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total % 11 == 0


def contains_bsn(value: object, *, eight_digits: bool = True) -> bool:
    """True when ``value`` holds a run of nine digits (single spaces, dots or hyphens allowed between
    them) that passes the eleven-test, or, with ``eight_digits``, is a number of eight digits that
    passes it with the implied leading zero (a BSN whose zero a spreadsheet dropped).

    Booleans and floats are measurements, never identifiers; ``None`` holds nothing.
    """
    if value is None or isinstance(value, bool | float):
        return False
    text = str(value).strip()
    if eight_digits and _EIGHT.match(text) and passes_eleven_test(text):
        return True
    return any(passes_eleven_test(run) for run in _NINE_DIGITS.findall(text))


def refuse_bsn(value: object, what: str) -> None:
    """``ValueError`` naming ``what`` (never the value) when ``value`` holds a possible BSN."""
    if contains_bsn(value):
        raise ValueError(f"{what} {BSN_MESSAGE}")


def redact_bsn(text: str) -> str:
    """``text`` with every run of nine digits that passes the eleven-test replaced by the placeholder."""
    return _NINE_DIGITS.sub(lambda m: BSN_PLACEHOLDER if passes_eleven_test(m.group()) else m.group(), text)


def safe_loc(loc: Iterable[Any]) -> list[Any]:
    """An error location fit to send back: a part that holds a possible BSN becomes the placeholder."""
    return [p if isinstance(p, int) and not isinstance(p, bool) else
            (BSN_PLACEHOLDER if contains_bsn(p) else str(p)) for p in loc]
