"""Cases: one record per intake item of a case-handling team.

Always required: ``case_id`` (pseudonymous key, unique), ``team``, ``received_date``. Feature
columns are typed by the feature registry (numeric, categorical, boolean); protected
characteristics may be present for the fairness audit only. Known outcome columns are checked
when present: ``handling_hours`` (>= 0), ``integrated_approach`` and ``decided_within_term``
(booleans) and ``decision_date`` (not before ``received_date``). Columns that hold direct
personal data (names, addresses, dates of birth, BSN) are refused outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from werkwijzer.contracts.checks import Checker
from werkwijzer.contracts.problems import ContractError, Problem
from werkwijzer.contracts.registry import FeatureRegistry
from werkwijzer.contracts.tables import read_table

REQUIRED = ("case_id", "team", "received_date")
BOOLEAN_OUTCOMES = ("integrated_approach", "decided_within_term")
_PERSONAL = re.compile(
    r"(^|_)(bsn|naam|name|achternaam|voornaam|adres|address|straat|street|"
    r"huisnummer|geboortedatum|date_of_birth|birth_date|dob|telefoon|phone|email)($|_)",
    re.IGNORECASE,
)


def personal_columns(columns: Iterable[str]) -> list[str]:
    """Column names that announce direct personal data (names, addresses, BSN, dates of birth, contact)."""
    return [c for c in columns if _PERSONAL.search(c)]


def read_cases(path: str | Path, registry: FeatureRegistry | None = None) -> pd.DataFrame:
    name = Path(path).name
    frame = read_table(path)
    personal = personal_columns(frame.columns)
    if personal:
        raise ContractError(
            [
                Problem(
                    name,
                    "no direct personal data (names, addresses, dates of birth, BSN); use pseudonymous keys only",
                    row=1,
                    column=c,
                )
                for c in personal
            ]
        )
    identifiers = {
        "case_id",
        *(registry.identifiers if registry else []),
        *(c for c in frame.columns if c.endswith("_id")),
    }
    check = Checker(frame, name, identifiers=identifiers)
    if not check.require(REQUIRED):
        check.raise_if_any()
    out = pd.DataFrame(index=frame.index)
    out["case_id"] = check.text("case_id")
    out["team"] = check.text("team")
    out["received_date"] = check.date("received_date")
    check.unique(["case_id"], "case_id")
    typed = {f.name: f.kind for f in registry.features} if registry else {}
    protected = set(registry.protected) if registry else set()
    for column in frame.columns:
        if column in out.columns:
            continue
        kind = typed.get(column)
        if kind == "numeric" or column == "handling_hours":
            out[column] = check.number(
                column, minimum=0 if column == "handling_hours" else None, allow_missing=True
            ).astype(float)
        elif kind == "boolean" or column in BOOLEAN_OUTCOMES:
            out[column] = check.boolean(column, allow_missing=True)
        elif column == "decision_date":
            out[column] = check.date(column, allow_missing=True)
        else:
            out[column] = check.text(column, allow_missing=kind is None or column in protected)
    if "decision_date" in out.columns:
        early = (out["decision_date"] < out["received_date"]).fillna(False).to_numpy(dtype=bool)
        check._flag("decision_date", early, "a decision date on or after received_date")
    check.raise_if_any()
    return out
