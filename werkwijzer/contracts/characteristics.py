"""Protected characteristics of live cases: the separate audit file of the fairness audit.

``case_id`` plus one column per protected characteristic (the feature registry's ``protected``
list, e.g. ``age_band, sex, migration_background``). The file is kept by the audit function and
read only by monitoring and the council report; the API never sees it (responsible-ai item 16).
Values are group labels, not personal data: a ``case_id`` that passes the BSN eleven-test is
refused without being echoed, and so is any column that looks like direct personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from werkwijzer.contracts.cases import personal_columns
from werkwijzer.contracts.checks import Checker
from werkwijzer.contracts.problems import Problem
from werkwijzer.contracts.tables import read_table


def read_characteristics(path: str | Path, protected: Sequence[str] | None = None) -> pd.DataFrame:
    """``case_id`` (unique) and the characteristic columns as strings; an empty cell is an unknown group.

    With ``protected`` given, each of those columns must be there and no other columns may be.
    """
    name = Path(path).name
    frame = read_table(path)
    check = Checker(frame, name, identifiers=["case_id"])
    required = ["case_id", *(protected or [])]
    if not check.require(required):
        check.raise_if_any()
    attributes = [c for c in frame.columns if c != "case_id"]
    if protected is not None:
        for column in (c for c in attributes if c not in protected):
            check.problems.append(
                Problem(
                    name,
                    f"only case_id and the protected characteristics ({', '.join(protected)})",
                    row=1,
                    column=column,
                )
            )
    for column in personal_columns(frame.columns):
        check.problems.append(
            Problem(name, "no direct personal data (name, address, BSN, date of birth)", row=1, column=column)
        )
    case_id = check.text("case_id")
    check.unique(["case_id"], "case")
    check.raise_if_any()
    out = pd.DataFrame({"case_id": case_id})
    for column in attributes:
        out[column] = frame[column].str.strip().replace("", pd.NA).astype("string")
    return out
