"""Read a user's CSV or Parquet file as text columns, refusing what cannot be read safely.

Everything comes back as strings (missing values as ""), so that each contract can check types
itself and say exactly which row and column is wrong.

CSV as spreadsheets write it in the Netherlands is read too (ADR 0037): Excel's "CSV
(gescheiden door lijstscheidingsteken)" separates fields with semicolons and encodes text as
Windows-1252; "Unicode-tekst" is UTF-16 with tabs. The separator is the one on which the
header and the first rows agree (``_separator``); text that is not UTF-8 is read as
Windows-1252 when every byte is a character there. A decimal comma ("2,5") is already a number for the
contracts; a date must still be written as YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

import pandas as pd

from werkwijzer.contracts.problems import ContractError, Problem

_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OTHER_DELIMITERS = (";", "\t", "|")
_HEAD_LINES = 50  # the header and the first rows, on which the separator must agree
_SHOWN = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_WORKBOOK = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip) and .xls
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")  # bytes Windows-1252 has no character for


def read_table(path: str | Path) -> pd.DataFrame:
    """The file as a DataFrame of strings; raises ContractError for unreadable files."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ContractError([Problem(name, "an existing, readable file", value=str(path))])
    if path.suffix.lower() in {".parquet", ".pq"}:
        return _read_parquet(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise ContractError([Problem(name, "a non-empty file with a header row and data rows")])
    if raw.startswith(_WORKBOOK):
        raise ContractError([Problem(name, "a CSV or Parquet file (this is an Excel workbook: save it as CSV)")])
    text = _decode(raw, name)
    head = [line.rstrip("\n") for line in itertools.islice(io.StringIO(text, newline=None), _HEAD_LINES)]
    header = head[0]
    sep = _separator(head)
    shown = _SHOWN[sep]
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as exc:
        match = _FIELD_COUNT.search(str(exc))
        if match:
            expected, line, seen = match.groups()
            raise ContractError(
                [
                    Problem(
                        name,
                        f"{expected} {shown}-separated fields like the header",
                        row=int(line),
                        value=f"{seen} fields",
                    )
                ]
            ) from None
        raise ContractError([Problem(name, f"valid CSV ({exc})")]) from None
    except pd.errors.EmptyDataError:
        raise ContractError([Problem(name, "a non-empty file with a header row and data rows")]) from None
    # the header as written: pandas renames a repeated column (team1, team1.1), which hid the repeat
    written = [c.strip() for c in next(csv.reader(io.StringIO(header), delimiter=sep))]
    duplicated = pd.Index(written)[pd.Index(written).duplicated()].tolist()
    if duplicated:
        raise ContractError([Problem(name, "unique column names", row=1, column=duplicated[0])])
    frame.columns = [str(c).strip() for c in frame.columns]
    filled = frame.ne("").any(axis=1).to_numpy()
    if not filled.any():
        raise ContractError([Problem(name, "at least one data row below the header", row=2)])
    # rows left empty at the end (",,,", as a spreadsheet exports them) are not data
    return frame.iloc[: int(filled.nonzero()[0][-1]) + 1]


def _separator(head: list[str]) -> str:
    """The separator that splits ``head`` (the header and the first rows) into the same number of
    fields, the most of them (a comma on a tie): a comma, semicolon, tab or pipe. Excel writes a
    team named "jeugd, wijk" unquoted in a semicolon file, and "2,5" in its rows, so a comma in
    the header alone proves nothing. When none is consistent (a ragged row), the one that splits
    the header most, so that the ragged row is named."""
    rows = [line for line in head if line.strip()]
    consistent, header = {}, {}
    for sep in (",", *_OTHER_DELIMITERS):
        widths = [len(fields) for fields in csv.reader(io.StringIO("\n".join(rows)), delimiter=sep)]
        header[sep] = widths[0]
        if len(set(widths)) == 1:
            consistent[sep] = widths[0]
    found = consistent if any(n > 1 for n in consistent.values()) else header
    return max(found, key=lambda d: (found[d], d == ","))


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode-tekst"), or else
    Windows-1252 (Excel's "CSV" on a Dutch Windows) when every byte is a character there and none
    is NUL; anything else is refused at the row of its first byte that is not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ContractError(
                [Problem(name, "UTF-16 text without broken characters (or save as 'CSV UTF-8')")]
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" not in raw and not _UNDEFINED_1252.intersection(raw):
            return raw.decode("cp1252")
        line = raw[: exc.start].count(b"\n") + 1
        raise ContractError(
            [
                Problem(
                    name,
                    "text in UTF-8 or Windows-1252 (save the file as 'CSV UTF-8'); "
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    row=line,
                )
            ]
        ) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise ContractError([Problem(path.name, f"a readable Parquet file ({type(exc).__name__})")]) from None
    if frame.empty:
        raise ContractError([Problem(path.name, "at least one data row", row=2)])
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            text = series.dt.strftime("%Y-%m-%d")
        else:
            text = series.astype("string")
        out[str(column)] = text.fillna("").astype(str)
    return out.reset_index(drop=True)
