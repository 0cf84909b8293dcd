"""Write output so that a failure never leaves a half-written file behind, and CSV that is safe to open.

Files are first written into a hidden staging folder next to the destination and moved into
place (``os.replace``, atomic per file) only when everything has been written.

Every CSV the project writes goes through :func:`write_csv` (or :func:`csv_text`): a text cell or
column name that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
with a leading apostrophe, so a spreadsheet shows it as text instead of running it as a formula
(CSV injection; a group name or a team from a user's file can be anything). Numbers, and text
that is a plain number such as ``-2.5``, are written as they are.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object) -> object:
    """``value``, or for text a spreadsheet would run as a formula, that text behind an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def unguarded(values: pd.Series) -> pd.Series:
    """The text :func:`safe_cell` guarded, given back: reading a file this project wrote (a team
    named ``=SUM(A1)`` is ``'=SUM(A1)`` in ``forecast.csv`` and must match its norms again). A name
    that itself began with an apostrophe and a formula sign reads back without the apostrophe."""
    text = values.astype("string")
    guarded = text.str.startswith(tuple("'" + start for start in FORMULA_START)).fillna(False).to_numpy(dtype=bool)
    if not guarded.any():
        return values
    out = values.astype(object).copy()
    out[guarded] = [v[1:] if safe_cell(v[1:]) != v[1:] else v for v in out[guarded]]  # not "'-5"
    return out


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are neutralised with :func:`safe_cell`."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if (
            values.dtype == object
            or pd.api.types.is_string_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            out[column] = _neutralised(values)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def _neutralised(values: pd.Series) -> pd.Series:
    """``safe_cell`` of every cell, called only where the text starts like a formula (the rest of
    a column of millions of rows stays as it is: ``safe_cell`` changes nothing there)."""
    out = values.astype(object)
    starts = out.astype("string").str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
    if starts.any():
        out = out.copy()
        out[starts] = out[starts].map(safe_cell)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index), safe to open in a spreadsheet."""
    return csv_safe(frame).to_csv(index=False)


def write_csv(frame: pd.DataFrame | pd.Series, path: str | Path) -> Path:
    """Write ``frame`` (a Series as its index and values) to ``path`` as CSV, safe to open in a spreadsheet."""
    table = frame.reset_index() if isinstance(frame, pd.Series) else frame
    csv_safe(table).to_csv(path, index=False)
    return Path(path)


@contextmanager
def staged_output(out_dir: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success its files replace those in ``out_dir``, on error nothing changes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield staging
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                target = out / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def atomic_write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
