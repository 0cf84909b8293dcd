"""Refuse citizen service numbers (BSN) in the cells and column names of a file (responsible-ai item 26).

The rule itself is ``werkwijzer.privacy.contains_bsn``. In a file, an identifier-like column is
checked for a run of nine digits and for a number of eight digits (the dropped leading zero)
that passes the eleven-test, every other column's text cells for a run of nine digits; plain
numbers in a measurement column (a count, an amount) are measurements, not identifiers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from werkwijzer.privacy import contains_bsn, passes_eleven_test

__all__ = ["bsn_rows", "is_identifier_like", "passes_eleven_test"]

_IDENTIFIER_NAME = re.compile(
    r"(^id$|_id$|^id_|bsn|burgerservice|sofi|nummer|number|^nr$|_nr$|key|sleutel|kenmerk|identifier|^ref)",
    re.IGNORECASE,
)
_PLAIN_NUMBER = re.compile(r"^\s*[-+]?\d+([.,]\d+)?\s*$")
_EIGHT_DIGITS = r"\d(?:[ .\-]?\d){7}"  # a cheap, vectorised first pass: no cell without it can hold a BSN


def is_identifier_like(column: str) -> bool:
    return bool(_IDENTIFIER_NAME.search(column))


def _cell_holds_bsn(text: str, identifier: bool) -> bool:
    if not identifier and _PLAIN_NUMBER.match(text):
        return False
    return contains_bsn(text, eight_digits=identifier)


def bsn_rows(values: pd.Series, identifier: bool = True) -> list[int]:
    """Positions (0-based) of cells that hold a possible BSN (``identifier``: the column is an identifier)."""
    text = values.astype("string").fillna("")
    candidates = text.str.contains(_EIGHT_DIGITS, regex=True).to_numpy(dtype=bool)
    if not candidates.any():
        return []
    # each distinct text once: a date column repeats a few hundred dates over every row
    held = [cell for cell in pd.unique(text[candidates]) if _cell_holds_bsn(str(cell), identifier)]
    if not held:
        return []
    return [int(i) for i in np.flatnonzero(candidates & text.isin(held).to_numpy(dtype=bool))]
