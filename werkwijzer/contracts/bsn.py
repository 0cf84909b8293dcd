"""Refuse citizen service numbers (BSN) in identifier-like fields (responsible-ai item 26).

A BSN has nine digits (eight with an implied leading zero) and passes the eleven-test:
9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11. Pseudonymous case keys in Werkwijzer always
contain letters, so a purely numeric key that passes the test is treated as a possible BSN.
"""

from __future__ import annotations

import re

import pandas as pd

_DIGITS = re.compile(r"^\d{8,9}$")
_SEPARATORS = re.compile(r"[\s.\-]")
_IDENTIFIER_NAME = re.compile(
    r"(^id$|_id$|^id_|bsn|burgerservice|sofi|nummer|number|^nr$|_nr$|key|sleutel|kenmerk|identifier|^ref)",
    re.IGNORECASE,
)


def passes_eleven_test(value: object) -> bool:
    """True when ``value`` has the form of a BSN and passes the eleven-test."""
    text = _SEPARATORS.sub("", str(value).strip())
    if text.endswith(".0"):
        text = text[:-2]
    if not _DIGITS.match(text):
        return False
    digits = [int(c) for c in text.zfill(9)]
    if not any(digits):
        return False
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits[:8], strict=True)) - digits[8]
    return total % 11 == 0


def is_identifier_like(column: str) -> bool:
    return bool(_IDENTIFIER_NAME.search(column))


def bsn_rows(values: pd.Series) -> list[int]:
    """Positions (0-based) of values that pass the eleven-test."""
    mask = values.astype("string").fillna("").map(passes_eleven_test)
    return [int(i) for i in mask.to_numpy().nonzero()[0]]
