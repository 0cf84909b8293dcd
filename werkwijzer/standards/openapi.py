"""Validate data against a component schema of a published OpenAPI 3.x document, as published.

The document is used unchanged: ``$ref``s resolve inside it through ``referencing``, and the
definitions' own extension keywords are checked as they say (``max_length_without_html``: the text
length once HTML tags are removed; ``allowed_html_tags``). One artefact of the generator behind the
Algoritmeregister definition is not JSON Schema and is ignored: ``"type": "enum"`` beside a ``$ref``
to an enum (the ``$ref`` holds the allowed values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_BASE = "urn:werkwijzer:openapi"


def load_definition(path: str | Path) -> dict[str, Any]:
    """An OpenAPI document from a JSON or YAML file."""
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)


def _without_html(text: str) -> str:
    return _TAG.sub("", text)


def _max_length_without_html(validator: Any, limit: int, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if isinstance(instance, str) and len(_without_html(instance)) > limit:
        yield ValidationError(f"has {len(_without_html(instance))} characters without HTML; at most {limit}")


def _allowed_html_tags(validator: Any, allowed: list[str], instance: Any, schema: dict) -> Iterator[ValidationError]:
    if isinstance(instance, str):
        bad = sorted({t.lower() for t in _TAG.findall(instance)} - {a.lower() for a in allowed})
        if bad:
            yield ValidationError(f"uses HTML tags {', '.join(bad)}; allowed: {', '.join(allowed)}")


def _type(validator: Any, types: Any, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if types == "enum":  # not JSON Schema: the generator's marker beside a $ref to an enum
        return
    yield from Draft202012Validator.VALIDATORS["type"](validator, types, instance, schema)


_Validator = validators.extend(
    Draft202012Validator,
    {"type": _type, "max_length_without_html": _max_length_without_html, "allowed_html_tags": _allowed_html_tags},
)


@dataclass(frozen=True)
class Problem:
    """One violation: where (``field``, dotted with list indexes), the field's title in the standard, what."""

    field: str
    title: str
    message: str

    def __str__(self) -> str:
        title = f" ({self.title})" if self.title else ""
        return f"'{self.field}'{title}: {self.message}"


class SchemaChecker:
    """A validator for one component schema (``components/schemas/NAME``) of ``definition``."""

    def __init__(self, definition: dict[str, Any], name: str):
        if name not in definition.get("components", {}).get("schemas", {}):
            raise KeyError(f"the definition has no schema {name!r}")
        self.definition = definition
        self.name = name
        resource = Resource.from_contents(definition, default_specification=DRAFT202012)
        self._validator = _Validator(
            {"$ref": f"{_BASE}#/components/schemas/{name}"}, registry=Registry().with_resource(_BASE, resource)
        )

    @property
    def schema(self) -> dict[str, Any]:
        return self.definition["components"]["schemas"][self.name]

    def property(self, field: str) -> dict[str, Any]:
        return self.schema.get("properties", {}).get(field, {})

    def problems(self, instance: Any) -> list[Problem]:
        """Every violation, in field order; an empty list means valid."""
        found = [_problem(self, leaf) for e in self._validator.iter_errors(instance) for leaf in _leaves(e)]
        return sorted(dict.fromkeys(found), key=lambda p: p.field)


def _leaves(error: ValidationError) -> list[ValidationError]:
    """Of an ``anyOf`` failure, the errors of the branch that fits best: the one not about ``null``."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0], []).append(e)
    useful = [b for b in branches.values() if not all(e.validator == "type" and e.validator_value == "null" for e in b)]
    if not useful:
        return [error]
    return [leaf for e in min(useful, key=len) for leaf in _leaves(e)]


def _problem(checker: SchemaChecker, error: ValidationError) -> Problem:
    inner = error
    path = [str(p) if isinstance(p, str) else f"[{p}]" for p in inner.absolute_path]
    if inner.validator == "required":
        missing = inner.message.split("'")[1]
        path = [*path, missing]
        return Problem(_dotted(path), checker.property(path[0]).get("title", ""), "is required")
    message = inner.message
    if inner.validator == "enum":
        message = f"{inner.instance!r} is not allowed; allowed: {', '.join(map(str, inner.validator_value))}"
    elif inner.validator == "type":
        message = f"must be of type {inner.validator_value}"
    top = checker.property(path[0]).get("title", "") if path else ""
    return Problem(_dotted(path) or "(entry)", top, message)


def _dotted(parts: list[str]) -> str:
    return "".join(p if p.startswith("[") or i == 0 else f".{p}" for i, p in enumerate(parts))
