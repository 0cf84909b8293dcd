"""Privacy rules that every layer applies the same way: no BSN in, no small cells out.

BSN (responsible-ai item 26). A citizen service number has nine digits (eight with an implied
leading zero when a whole value is a number of eight digits) and passes the eleven-test: 9*d1 + 8*d2 + ... +
2*d8 - 1*d9 is divisible by 11. Any run of nine digits inside an identifier or free text (case
key, motivation, objection, feature name, user name, a cell of a file) that passes the test is
treated as a possible BSN and refused; the refusal never repeats the value, nor a key that holds
one (``BSN_PLACEHOLDER`` takes its place).

Small cells (item 14). Nothing exported or published shows a count of fewer than ``MIN_CELL``
people, nor a rate computed from one (``suppress_small_cells``, ``small_counts``): the strictest
of the rules the fairness export, the live monitoring and the council report had each kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where it is used: settings read MIN_CELL without it
    import pandas as pd

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
    return [
        p if isinstance(p, int) and not isinstance(p, bool) else (BSN_PLACEHOLDER if contains_bsn(p) else str(p))
        for p in loc
    ]


# -- small cells (responsible-ai item 14) -----------------------------------------------------
MIN_CELL = 10  # the strictest of the rules once kept apart; settings cannot go below it
# Counts of people that make a row: any of them under the minimum suppresses the whole row.
COUNT_CELLS = ("tn", "fp", "fn", "tp", "selected", "n_above", "n_below", "followed", "overridden")
# Counts that, with ``n``, imply another count: n minus their sum is a cell as well.
COMPLEMENTS = (("selected",), ("n_above", "n_below"))
# What a suppressed row loses besides its counts: every rate, share, ratio and difference.
RATE_NAMES = ("fpr", "fnr", "tpr", "fdr", "fp_share", "share_above", "share_below")
# Rows of one partition share a total (the groups of one attribute add up to everyone).
PARTITIONS = ("subject", "stage", "threshold", "class", "model_name", "attribute", "by")


def small_counts(values: Sequence[float | None], min_cell: int = MIN_CELL) -> list[bool]:
    """Which counts of one total to hide: every count under ``min_cell`` (or unknown), and when that is
    just one, also the next smallest, so the hidden one cannot be worked out from the total."""
    import pandas as pd

    hide = [bool(v is None or pd.isna(v) or v < min_cell) for v in values]
    if sum(hide) == 1 and len(values) > 1:
        shown = [(v, i) for i, v in enumerate(values) if not hide[i]]
        hide[min(shown)[1]] = True
    return hide


def suppress_small_cells(
    table: pd.DataFrame, min_cell: int = MIN_CELL, *, values: Sequence[str] = (), counts: Sequence[str] = ()
) -> pd.DataFrame:
    """The publishable copy of a per-group table: the one small-cell rule of everything exported.

    - A row is suppressed (``suppressed`` true) when any of its count cells (``COUNT_CELLS`` present)
      is under ``min_cell`` — zero included — or ``n`` minus a set of ``COMPLEMENTS`` is; an empty
      cell means "not applicable", not small. A row suppressed before stays suppressed (idempotent).
    - A suppressed row loses its counts, rates (``*_rate``, ``RATE_NAMES``), ratios (``*_ratio``),
      differences (``*_diff``) and the ``values`` columns.
    - ``n`` and each column of ``counts`` (standalone counts such as objections) are hidden per
      partition (rows with the same ``PARTITIONS`` columns) by ``small_counts``.
    """
    import pandas as pd

    out = table.copy().reset_index(drop=True)
    cells = [c for c in COUNT_CELLS if c in out.columns]
    small = pd.Series(False, index=out.index)
    for column in cells:
        small |= (out[column].astype("Float64") < min_cell).fillna(False).astype(bool)
    if "n" in out.columns:
        for parts in COMPLEMENTS:
            if all(p in out.columns for p in parts):
                rest = out["n"].astype("Float64") - sum(out[p].astype("Float64") for p in parts)
                small |= (rest < min_cell).fillna(False).astype(bool)
    if "suppressed" in out.columns:
        small |= out["suppressed"].fillna(True).astype(bool)
    blank = [*cells, *values, *[c for c in out.columns if c.endswith(("_rate", "_ratio", "_diff")) or c in RATE_NAMES]]
    for column in dict.fromkeys(blank):
        if column in out.columns:
            out[column] = out[column].astype("Int64" if column in cells else "Float64")
            out.loc[small, column] = pd.NA
    keys = [c for c in PARTITIONS if c in out.columns]
    blocks = out.groupby(keys, sort=False, dropna=False).groups.values() if keys else [out.index]
    for column in ("n", *counts):
        if column not in out.columns:
            continue
        out[column] = out[column].astype("Int64")
        for index in blocks:
            hide = small_counts(out.loc[index, column].astype("Float64").tolist(), min_cell)
            out.loc[list(pd.Index(index)[hide]), column] = pd.NA
    out["suppressed"] = small.to_numpy()
    return out
