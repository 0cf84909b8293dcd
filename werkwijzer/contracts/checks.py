"""Column checks shared by every contract; each problem names file, row, column, value and expectation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from werkwijzer.contracts.bsn import bsn_rows, is_identifier_like
from werkwijzer.contracts.problems import ContractError, Problem
from werkwijzer.privacy import BSN_PLACEHOLDER, contains_bsn
from werkwijzer.vocabulary import FALSE_WORDS, TRUE_WORDS

PER_COLUMN = 5  # problems listed per column and kind, so one bad column does not drown the rest
# a UTC offset after a time of day, as an export from a system that keeps local time writes it
_OFFSET = r"(?P<time>[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _iso_dates(text: pd.Series) -> pd.Series:
    """ISO 8601 dates and times as naive timestamps, NaT where a value is not one. A time with a
    UTC offset (``2024-03-31T00:00:00+02:00``, ``...Z``) keeps its date and time as written, the
    local calendar day, instead of being converted to UTC (which would move local midnight to the
    day before); offsets that change with summer time do not make the column unreadable."""
    local = text.str.replace(_OFFSET, r"\g<time>", regex=True)
    try:
        return pd.to_datetime(local, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # still mixed: parse one by one, anything odd becomes NaT
        one = [pd.to_datetime(v, format="ISO8601", errors="coerce") if isinstance(v, str) else pd.NaT for v in local]
        return pd.Series(
            [v.tz_localize(None) if getattr(v, "tzinfo", None) is not None else v for v in one],
            index=text.index,
            dtype="datetime64[ns]",
        )


class Checker:
    """Collects problems while converting text columns to typed columns."""

    def __init__(self, frame: pd.DataFrame, file: str, today: dt.date | None = None, identifiers: Iterable[str] = ()):
        """Every cell and column name is checked for a possible BSN at once; ``identifiers`` names
        columns to check whole (as well as those whose names look like identifiers)."""
        self.frame = frame
        self.file = file
        self.today = today or dt.date.today()
        self.problems: list[Problem] = []
        self._no_bsn(set(identifiers))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ContractError(self.problems)

    def require(self, columns: Sequence[str]) -> bool:
        missing = [c for c in columns if c not in self.frame.columns]
        found = ", ".join(self.frame.columns[:12])
        for column in missing:
            self.problems.append(
                Problem(self.file, f"a column named '{column}' (found: {found})", row=1, column=column)
            )
        return not missing

    def _flag(self, column: str, mask: np.ndarray, expected: str, withhold: bool = False) -> None:
        for i in np.flatnonzero(mask)[:PER_COLUMN]:
            value = None if withhold else str(self.frame[column].iloc[i])
            self.problems.append(
                Problem(self.file, expected, row=int(i) + 2, column=column, value=value, withhold_value=withhold)
            )
        extra = int(mask.sum()) - PER_COLUMN
        if extra > 0:
            self.problems.append(Problem(self.file, f"{expected} ({extra} more rows like this)", column=column))

    def _blank(self, column: str) -> np.ndarray:
        return (self.frame[column].str.strip() == "").to_numpy()

    def _missing(self, column: str, allow_missing: bool) -> np.ndarray:
        blank = self._blank(column)
        if not allow_missing:
            self._flag(column, blank, "a value (the field is empty)")
        return blank

    def text(self, column: str, allow_missing: bool = False) -> pd.Series:
        self._missing(column, allow_missing)
        return self.frame[column].str.strip()

    def choice(self, column: str, allowed: Iterable[str], allow_missing: bool = False) -> pd.Series:
        allowed = list(allowed)
        values = self.frame[column].str.strip()
        blank = self._missing(column, allow_missing)
        bad = ~values.isin(allowed).to_numpy() & ~blank
        self._flag(column, bad, "one of " + ", ".join(allowed))
        return values

    def number(
        self,
        column: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        allow_missing: bool = False,
        integer: bool = False,
    ) -> pd.Series:
        blank = self._missing(column, allow_missing)
        values = pd.to_numeric(
            self.frame[column].str.strip().str.replace(",", ".", regex=False).where(~blank, None), errors="coerce"
        )
        parsed = values.notna().to_numpy()
        kind = "a whole number" if integer else "a number"
        bounds = ""
        if minimum is not None:
            bounds += f" >= {minimum:g}"
        if maximum is not None:
            bounds += f" <= {maximum:g}"
        self._flag(column, ~parsed & ~blank, kind + bounds)
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.zeros(len(arr), dtype=bool)
            if integer:
                bad |= parsed & (np.floor(arr) != arr)
            if minimum is not None:
                bad |= parsed & (arr < minimum)
            if maximum is not None:
                bad |= parsed & (arr > maximum)
        self._flag(column, bad, kind + bounds)
        if integer:  # 1.000 is a thousand in Dutch and 1 in a CSV file: never guess which
            text = self.frame[column].str.strip()
            ambiguous = (text.str.fullmatch(r"\d{1,3}\.000") & ~blank).to_numpy(dtype=bool)
            self._flag(column, ambiguous, "a whole number without a dot: '1.000' is 1000 in Dutch and 1 in a CSV file")
        return values.astype("Int64") if integer and not bad.any() else values.astype("Float64")

    def integer(self, column: str, *, minimum: float | None = None, allow_missing: bool = False) -> pd.Series:
        return self.number(column, minimum=minimum, allow_missing=allow_missing, integer=True)

    def date(self, column: str, *, not_future: bool = True, allow_missing: bool = False) -> pd.Series:
        blank = self._missing(column, allow_missing)
        text = self.frame[column].str.strip()
        values = _iso_dates(text.where(~blank, None))
        unparsed = values.isna().to_numpy() & ~blank
        self._flag(column, unparsed, "a date as YYYY-MM-DD")
        if not_future:
            # normalize, not .dt.date: a column without any date (all NaT) keeps its datetime dtype
            future = (values.dt.normalize() > pd.Timestamp(self.today)).fillna(False).to_numpy(dtype=bool)
            self._flag(column, future, f"a date not after today ({self.today.isoformat()})")
        return values.dt.normalize()

    def boolean(self, column: str, allow_missing: bool = False) -> pd.Series:
        blank = self._missing(column, allow_missing)
        lowered = self.frame[column].str.strip().str.lower()
        true = lowered.isin(TRUE_WORDS).to_numpy()
        false = lowered.isin(FALSE_WORDS).to_numpy()
        self._flag(column, ~true & ~false & ~blank, "true or false (also: ja/nee, yes/no, 1/0)")
        out = pd.Series(pd.array([None] * len(lowered), dtype="boolean"), index=lowered.index)
        out[true] = True
        out[false] = False
        return out

    def unique(self, columns: Sequence[str], what: str, hint: str = "") -> None:
        dup = self.frame.duplicated(subset=list(columns), keep="first").to_numpy()
        self._flag(columns[-1], dup, f"one row per {what} (this one repeats an earlier row){hint}")

    def _no_bsn(self, identifiers: set[str]) -> None:
        """Refuse cells and column names that hold a possible BSN, without echoing them."""
        for column in self.frame.columns:
            name = str(column)
            if contains_bsn(name):
                self.problems.append(
                    Problem(
                        self.file,
                        "a column name without a citizen service number "
                        "(this name passes the BSN eleven-test and is refused)",
                        row=1,
                        column=BSN_PLACEHOLDER,
                        withhold_value=True,
                    )
                )
                continue
            rows = bsn_rows(self.frame[column], identifier=name in identifiers or is_identifier_like(name))
            mask = np.zeros(len(self.frame), dtype=bool)
            mask[rows] = True
            self._flag(
                column,
                mask,
                "a pseudonymous key, not a citizen service number "
                "(this value passes the BSN eleven-test and is refused)",
                withhold=True,
            )
