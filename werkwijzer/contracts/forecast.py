"""A forecast table as ``werkwijzer forecast`` writes it and ``werkwijzer capacity`` reads it.

``series_id,date,mean,lo_80,hi_80,lo_95,hi_95``: one row per series and period; dates may lie in
the future (that is the point); every value is a number >= 0 and the bands are nested:
lo_95 <= lo_80 <= mean <= hi_80 <= hi_95. An optional ``horizon_correlation`` (0..1, may be
empty) says how far the errors of a forecast's periods move together (ADR 0031); capacity's
breach risk uses it, and takes 0 without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from werkwijzer.contracts.checks import Checker
from werkwijzer.contracts.tables import read_table
from werkwijzer.io import unguarded

FORECAST_COLUMNS = ("series_id", "date", "mean", "lo_80", "hi_80", "lo_95", "hi_95")
BANDS = ("lo_95", "lo_80", "mean", "hi_80", "hi_95")
OPTIONAL_COLUMNS = ("horizon_correlation",)


def read_forecast(path: str | Path) -> pd.DataFrame:
    name = Path(path).name
    check = Checker(read_table(path), name)
    if not check.require(FORECAST_COLUMNS):
        check.raise_if_any()
    series_id = unguarded(check.text("series_id"))  # a team named like a formula, as write_csv wrote it
    out = pd.DataFrame({"series_id": series_id, "date": check.date("date", not_future=False)})
    for column in BANDS:
        out[column] = check.number(column, minimum=0).astype(float)
    optional = [c for c in OPTIONAL_COLUMNS if c in check.frame.columns]
    for column in optional:
        out[column] = check.number(column, minimum=0, maximum=1, allow_missing=True).astype(float)
    check.unique(["series_id", "date"], "series and date")
    check.raise_if_any()
    values = out[list(BANDS)].to_numpy()
    falls = np.diff(values, axis=1) < -1e-9  # each column against the one before it in the chain
    first = np.where(falls.any(axis=1), falls.argmax(axis=1), -1)
    for i, column in enumerate(BANDS[1:]):  # name the column that breaks the order, with its value
        check._flag(
            column, first == i, f"nested bands: lo_95 <= lo_80 <= mean <= hi_80 <= hi_95 ({column} < {BANDS[i]})"
        )
    check.raise_if_any()
    return out[[*FORECAST_COLUMNS, *optional]]
