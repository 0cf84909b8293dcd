"""Read a user's CSV or Parquet file as text columns, refusing what cannot be read safely.

Everything comes back as strings (missing values as ""), so that each contract can check types
itself and say exactly which row and column is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from werkwijzer.contracts.problems import ContractError, Problem

_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OTHER_DELIMITERS = (";", "\t", "|")


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
    text = _decode(raw, name)
    header = text.splitlines()[0]
    if "," not in header and any(d in header for d in _OTHER_DELIMITERS):
        used = next(d for d in _OTHER_DELIMITERS if d in header)
        shown = {"\t": "tab", ";": "semicolon", "|": "pipe"}[used]
        raise ContractError(
            [
                Problem(
                    name,
                    f"comma-separated values (the header uses {shown}s; save as CSV with commas)",
                    row=1,
                    value=header[:80],
                )
            ]
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL
        )
    except pd.errors.ParserError as exc:
        match = _FIELD_COUNT.search(str(exc))
        if match:
            expected, line, seen = match.groups()
            raise ContractError(
                [
                    Problem(
                        name,
                        f"{expected} comma-separated fields like the header",
                        row=int(line),
                        value=f"{seen} fields",
                    )
                ]
            ) from None
        raise ContractError([Problem(name, f"valid CSV ({exc})")]) from None
    except pd.errors.EmptyDataError:
        raise ContractError([Problem(name, "a non-empty file with a header row and data rows")]) from None
    # the header as written: pandas renames a repeated column (team1, team1.1), which hid the repeat
    written = [c.strip() for c in next(csv.reader(io.StringIO(header)))]
    duplicated = pd.Index(written)[pd.Index(written).duplicated()].tolist()
    if duplicated:
        raise ContractError([Problem(name, "unique column names", row=1, column=duplicated[0])])
    frame.columns = [str(c).strip() for c in frame.columns]
    filled = frame.ne("").any(axis=1).to_numpy()
    if not filled.any():
        raise ContractError([Problem(name, "at least one data row below the header", row=2)])
    # rows left empty at the end (",,,", as a spreadsheet exports them) are not data
    return frame.iloc[: int(filled.nonzero()[0][-1]) + 1]


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContractError(
            [
                Problem(
                    name,
                    "UTF-8 encoded text (save the file as 'CSV UTF-8'); "
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
