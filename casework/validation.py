"""Input checks against the model's feature schema (schema.json of the champion, ADR 0003).

Rules (responsible-ai items 8, 10, 26): every field of the schema must be present, typed and in
range; an unknown field is refused; a protected characteristic is refused by name; a value that
passes the BSN eleven-test in a text value, an identifier-like number or a feature's name is refused
without repeating it (``werkwijzer.privacy``).
All problems are reported at once and nothing is stored.
"""

from __future__ import annotations

import math
from typing import Any

from casework.errors import InvalidInput, Problem
from werkwijzer.contracts.bsn import is_identifier_like
from werkwijzer.privacy import BSN_MESSAGE, BSN_PLACEHOLDER, contains_bsn, passes_eleven_test
from werkwijzer.vocabulary import never_feature_reason


def bsn_problem(loc: tuple[str | int, ...]) -> Problem:
    return Problem(loc, BSN_MESSAGE, "value_error.bsn")


def check_case_id(case_id: str) -> None:
    if contains_bsn(case_id):
        raise InvalidInput([bsn_problem(("body", "case_id"))])


def _check_value(spec: dict[str, Any], value: Any, loc: tuple[str | int, ...]) -> Problem | None:
    kind = spec.get("kind")
    if value is None:
        return Problem(loc, "a value is required", "missing")
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return Problem(loc, "a number is required", "type_error.number")
        low, high = spec.get("min"), spec.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return Problem(loc, f"must be between {low} and {high}", "value_error.range")
    elif kind == "boolean":
        if not isinstance(value, bool):
            return Problem(loc, "true or false is required", "type_error.bool")
    else:
        if not isinstance(value, str):
            return Problem(loc, "a text value is required", "type_error.str")
        categories = spec.get("categories")
        if categories and value not in categories:
            return Problem(loc, f"must be one of: {', '.join(map(str, categories))}", "value_error.category")
    return None


def model_input(schemas: list[dict[str, Any]], team: str, features: dict[str, Any]) -> dict[str, Any]:
    """The model input for ``features`` (numbers as float), or InvalidInput naming every bad field."""
    specs: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        for spec in schema.get("features", []):
            specs.setdefault(spec["name"], spec)
    values = dict(features)
    problems: list[Problem] = []
    if "team" in specs:
        if "team" in values and values["team"] != team:
            problems.append(Problem(("body", "features", "team"), "must equal the case's team", "value_error"))
        values["team"] = team
    protected = {n for s in schemas for n in s.get("protected", [])}
    for name, value in features.items():
        loc: tuple[str | int, ...] = ("body", "features", name)
        spec = specs.get(name)
        if contains_bsn(name):  # the name itself: refused, and never sent back (not even in ``loc``)
            problems.append(bsn_problem(("body", "features", BSN_PLACEHOLDER)))
        elif (isinstance(value, str) and contains_bsn(value)) or (
            isinstance(value, int)
            and passes_eleven_test(value)
            and (is_identifier_like(name) or spec is None or spec.get("kind") != "numeric")
        ):
            problems.append(bsn_problem(loc))
        elif name.lower() in protected or never_feature_reason(name):
            problems.append(
                Problem(loc, "is a protected characteristic and is never model input", "value_error.protected")
            )
        elif spec is None:
            problems.append(Problem(loc, "is not a feature of this model", "value_error.unknown_field"))
    for name, spec in specs.items():
        loc = ("body", "team") if name == "team" and "team" not in features else ("body", "features", name)
        if name not in values:
            problems.append(Problem(loc, "is required by the model", "missing"))
        elif not any(p.loc == loc for p in problems):
            found = _check_value(spec, values[name], loc)
            if found:
                problems.append(found)
    if problems:
        raise InvalidInput(problems)
    row = {}
    for name, spec in specs.items():
        value = values[name]
        row[name] = float(value) if spec.get("kind") == "numeric" else value
    return row
