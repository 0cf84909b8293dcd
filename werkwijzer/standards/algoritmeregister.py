"""The Algoritmeregister submission API ("aanleverapi" v1_0), from its official definition.

An entry is valid when it passes ``AlgorithmIn``, the body that creating or updating an algorithm
takes, as the definition states it: required fields, enums, ``max_length_without_html``, allowed
HTML tags and the groupings, ``$ref``s resolved. The definition ships unchanged beside this module
(``definitions/``); a test keeps it byte-identical to the published copy. Limits used to fit texts
(``max_length``) are read from it too, so no rule of the standard is copied by hand.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from werkwijzer.standards.openapi import Problem, SchemaChecker, load_definition

DEFINITION = Path(__file__).parent / "definitions" / "algoritmeregister-aanleverapi-v1_0.openapi.json"
SUBMISSION_SCHEMA = "AlgorithmIn"
API_PREFIX = "/aanleverapi/v1_0"


@lru_cache(maxsize=4)
def algorithm_in(definition: Path = DEFINITION) -> SchemaChecker:
    """The checker of ``AlgorithmIn`` in ``definition`` (the bundled copy by default)."""
    return SchemaChecker(load_definition(definition), SUBMISSION_SCHEMA)


def problems(entry: Any, definition: Path = DEFINITION) -> list[Problem]:
    """Every violation of ``AlgorithmIn`` by ``entry``, by field, in the standard's terms."""
    return algorithm_in(definition).problems(entry)


def standard_version(definition: Path = DEFINITION) -> str:
    """The publication standard version the definition takes (``v1_0__EnumStandardVersion``)."""
    return str(algorithm_in(definition).definition["components"]["schemas"]["v1_0__EnumStandardVersion"]["enum"][0])


def _limit(schema: dict[str, Any]) -> int | None:
    for part in (schema, *schema.get("anyOf", [])):
        if "max_length_without_html" in part:
            return int(part["max_length_without_html"])
    return None


def max_length(field: str, part: str | None = None, definition: Path = DEFINITION) -> int | None:
    """The maximum text length of ``field`` (or of ``part`` of each item of a grouping field)."""
    checker = algorithm_in(definition)
    schema = checker.property(field)
    if part is None:
        return _limit(schema)
    for branch in schema.get("anyOf", [schema]):
        ref = branch.get("items", {}).get("$ref", "")
        if ref:
            item = checker.definition["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            return _limit(item.get("properties", {}).get(part, {}))
    return None


def field_names(definition: Path = DEFINITION) -> tuple[str, ...]:
    return tuple(algorithm_in(definition).schema.get("properties", {}))
