"""The hierarchy of an intake file: which municipality (and region) every team series belongs to.

A long intake file (``series_id,date,value``) may carry a ``municipality`` column and, with it,
a ``region`` column. Each series lies in one municipality on every row, each municipality in one
region. Without a ``municipality`` column (or in a wide file) the intake has no hierarchy and its
forecasts are not reconciled.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from werkwijzer.contracts.checks import Checker
from werkwijzer.contracts.intake import LONG_COLUMNS
from werkwijzer.contracts.tables import read_table

HIERARCHY_COLUMNS = ("municipality", "region")


def read_hierarchy(path: str | Path) -> pd.DataFrame | None:
    """``series_id,municipality,region`` (one row per series; ``region`` empty when not given),
    or None when the file names no municipality."""
    frame = read_table(path)
    if not set(LONG_COLUMNS) <= set(frame.columns) or "municipality" not in frame.columns:
        if "region" in frame.columns and set(LONG_COLUMNS) <= set(frame.columns):
            check = Checker(frame, Path(path).name)
            check.require(["municipality"])  # a region without municipalities has nothing to group
            check.raise_if_any()
        return None
    check = Checker(frame, Path(path).name, identifiers=["series_id"])
    out = pd.DataFrame(
        {
            "series_id": check.text("series_id"),
            "municipality": check.text("municipality"),
            "region": check.text("region") if "region" in frame.columns else "",
        }
    )
    check.raise_if_any()
    reserved = (out["series_id"] == "total") | out["series_id"].str.startswith(("municipality:", "region:"))
    check._flag(
        "series_id",
        reserved.to_numpy(dtype=bool),
        "a team name other than the totals' names (total, municipality:…, region:…)",
    )
    _one_parent(check, out, "series_id", "municipality", "one municipality per series_id on every row")
    if "region" in frame.columns:
        _one_parent(check, out, "municipality", "region", "one region per municipality on every row")
    check.raise_if_any()
    return out.drop_duplicates("series_id").sort_values("series_id").reset_index(drop=True)


def _one_parent(check: Checker, frame: pd.DataFrame, child: str, parent: str, expected: str) -> None:
    first = frame.groupby(child, sort=False)[parent].transform("first")
    check._flag(parent, (frame[parent] != first).to_numpy(dtype=bool), expected)
