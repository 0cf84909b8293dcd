"""Data contracts: every user file is read through these, so bad input gets one clear error.

A failed read raises :class:`ContractError` naming the file, the row (header = row 1), the
column, the value and what was expected; nothing downstream runs on a file that failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from werkwijzer.contracts.bsn import passes_eleven_test
from werkwijzer.contracts.cases import read_cases
from werkwijzer.contracts.characteristics import read_characteristics
from werkwijzer.contracts.forecast import read_forecast
from werkwijzer.contracts.hierarchy import read_hierarchy
from werkwijzer.contracts.intake import read_intake, to_wide
from werkwijzer.contracts.planning import read_norms, read_staffing, staffing_for
from werkwijzer.contracts.problems import ContractError, Problem
from werkwijzer.contracts.registry import FeatureRegistry, FeatureSpec, read_registry

Kind = Literal["intake", "cases", "staffing", "norms", "registry", "forecast"]
KINDS: tuple[str, ...] = ("intake", "cases", "staffing", "norms", "registry", "forecast")

__all__ = [
    "KINDS",
    "ContractError",
    "FeatureRegistry",
    "FeatureSpec",
    "Problem",
    "passes_eleven_test",
    "read_cases",
    "read_characteristics",
    "read_forecast",
    "read_hierarchy",
    "read_intake",
    "read_norms",
    "read_registry",
    "read_staffing",
    "staffing_for",
    "summarise",
    "to_wide",
]


def summarise(path: str | Path, kind: str, registry: str | Path | None = None, date_col: str | None = None) -> str:
    """Validate ``path`` as ``kind`` and return a one-paragraph summary; raises ContractError."""
    name = Path(path).name
    if kind == "intake":
        intake = read_intake(path, date_col=date_col)
        missing = int(intake["value"].isna().sum())
        hierarchy = read_hierarchy(path) if date_col is None else None
        levels = ""
        if hierarchy is not None:  # the teams' municipalities (and regions): forecasts are reconciled
            regions = hierarchy["region"][hierarchy["region"] != ""].nunique()
            levels = f", hierarchy: {hierarchy['municipality'].nunique()} municipalities" + (
                f" in {regions} regions" if regions else ""
            )
        return (
            f"{name}: intake OK — {intake['series_id'].nunique()} series, {len(intake)} rows, "
            f"{intake['date'].min():%Y-%m-%d} to {intake['date'].max():%Y-%m-%d}, {missing} missing values{levels}"
        )
    if kind == "cases":
        cases = read_cases(path, read_registry(registry) if registry else None)
        return (
            f"{name}: cases OK — {len(cases)} cases, {cases['team'].nunique()} teams, "
            f"{cases['received_date'].min():%Y-%m-%d} to {cases['received_date'].max():%Y-%m-%d}, "
            f"{len(cases.columns)} columns"
        )
    if kind == "staffing":
        staffing = read_staffing(path)
        return (
            f"{name}: staffing OK — {staffing['team'].nunique()} teams, {len(staffing)} team-weeks, "
            f"{staffing['week'].min():%Y-%m-%d} to {staffing['week'].max():%Y-%m-%d}"
        )
    if kind == "norms":
        norms = read_norms(path)
        return f"{name}: norms OK — {norms['team'].nunique()} teams, {len(norms)} effort classes"
    if kind == "registry":
        reg = read_registry(path)
        counts = {s: sum(f.status == s for f in reg.features) for s in ("approved", "not_approved", "undecided")}
        return (
            f"{name}: registry OK — {len(reg.features)} features ({counts['approved']} approved, "
            f"{counts['not_approved']} not approved, {counts['undecided']} undecided), "
            f"{len(reg.protected)} protected characteristics"
        )
    if kind == "forecast":
        forecast = read_forecast(path)
        return (
            f"{name}: forecast OK — {forecast['series_id'].nunique()} series, {len(forecast)} rows, "
            f"{forecast['date'].min():%Y-%m-%d} to {forecast['date'].max():%Y-%m-%d}"
        )
    raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
