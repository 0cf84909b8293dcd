"""The JSON schema of a system card, built from the task registry's own schemas.

The registry's schemas describe its requirements and instruments, including the ``template``
an answer fills and the ``urn`` patterns, the AI Act profile values and the suggested roles.
This module turns those into the schema of a filled card, so a card is checked against the
registry it was made from: every requirement entry carries the template's fields with a
requirement urn, every assessment content the instrument template's fields with a task urn,
``ai_act_profile`` values come from the registry's lists, and ``open_for`` names a role the
registry knows. On top: the AMT SystemCard fields and Werkwijzer's evidence fields.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from werkwijzer.standards.task_registry import TaskRegistry

STATES = ["evidenced", "open", "not_applicable"]
# The fields of an instrument's answer template (``template`` in iama.yaml and the others).
TASK_TEMPLATE_KEYS = ("question", "answer", "remarks", "timestamp")
SOURCE_KINDS = ["mlflow-run", "mlflow-artifact", "audit-trail", "monitoring-run", "setting", "test"]


def _filled(template: dict[str, Any]) -> dict[str, Any]:
    """The schema of a filled template: its keys required; strings, a date-time, and authors."""
    props: dict[str, Any] = {}
    for key in template.get("properties", {}):
        props[key] = {"type": "string"}
    props["timestamp"] = {"type": "string", "format": "date-time"}
    author = template["properties"]["authors"]["items"]
    props["authors"] = {
        "type": "array",
        "items": {
            "type": "object",
            "required": author["required"],
            "properties": {k: {"type": "string"} for k in author["properties"]},
        },
    }
    return {"properties": props, "required": sorted(props)}


def _roles(registry: TaskRegistry) -> list[str]:
    requirement_roles = registry.schemas["requirements"]["properties"]["suggested_roles"]["items"]["enum"]
    task_roles = registry.schemas["instruments"]["properties"]["tasks"]["items"]["properties"]["suggested_roles"]
    return sorted(set(requirement_roles) | {r.lower() for r in task_roles["items"]["enum"]})


def card_schema(registry: TaskRegistry) -> dict[str, Any]:
    req = registry.schemas["requirements"]["properties"]
    ins = registry.schemas["instruments"]["properties"]
    profile = req["ai_act_profile"]["items"]["properties"]
    evidence = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["kind", "ref", "note"],
            "properties": {
                "kind": {"enum": SOURCE_KINDS},
                "ref": {"type": "string", "minLength": 1},
                "note": {"type": "string"},
            },
        },
    }
    open_for = {
        "type": "object",
        "required": ["role", "label_nl", "label_en"],
        "properties": {
            "role": {"enum": _roles(registry)},
            "label_nl": {"type": "string"},
            "label_en": {"type": "string"},
        },
    }
    werkwijzer = {"state": {"enum": STATES}, "evidence": evidence, "open_for": open_for}
    # An evidenced answer rests on evidence and has text; an open one names who answers it.
    rules = [
        {
            "if": {"properties": {"state": {"const": "evidenced"}}},
            "then": {"properties": {"evidence": {"minItems": 1}, "answer": {"minLength": 1}}},
        },
        {"if": {"properties": {"state": {"const": "open"}}}, "then": {"required": ["open_for"]}},
    ]
    template = _filled(req["template"])
    requirement = {
        "type": "object",
        "required": [*template["required"], "urn", "version", "state", "evidence", "applicability", "answer"],
        "properties": {
            **template["properties"],
            **werkwijzer,
            "answer": {"type": "string"},
            "urn": req["urn"],
            "version": {"type": "string"},
            "applicability": {
                "type": "object",
                "required": ["applicable", "reason"],
                "properties": {"applicable": {"type": "boolean"}, "reason": {"type": "string", "minLength": 1}},
            },
        },
        "allOf": rules,
    }
    authors = ins["tasks"]["items"]["properties"]["template"]["properties"]["authors"]
    task_template = _filled({"properties": {**{k: {} for k in TASK_TEMPLATE_KEYS}, "authors": authors}})
    content = {
        "type": "object",
        "required": [*task_template["required"], "urn", "state", "evidence"],
        "properties": {**task_template["properties"], **werkwijzer, "urn": ins["tasks"]["items"]["properties"]["urn"]},
        "allOf": rules,
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": [
            "schema_version",
            "name",
            "description",
            "status",
            "ai_act_profile",
            "provenance",
            "labels",
            "instruments",
            "requirements",
            "measures",
            "assessments",
        ],
        "properties": {
            "schema_version": {"type": "string"},
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "status": {"type": "string"},
            "ai_act_profile": {
                "type": "object",
                "required": ["type", "risk_group", "role"],
                "properties": {
                    **{k: {"enum": [*v["items"]["enum"], ""]} for k, v in profile.items() if k != "role"},
                    "role": {"type": "array", "maxItems": 2, "items": profile["role"]["items"]},
                },
            },
            "provenance": {"type": "object", "required": ["timestamp", "uri"]},
            "labels": {"type": "array", "items": {"type": "object", "required": ["name", "value"]}},
            "instruments": {
                "type": "array",
                "items": {"type": "object", "required": ["urn", "version"], "properties": {"urn": ins["urn"]}},
            },
            "requirements": {"type": "array", "items": requirement},
            "measures": {"type": "array"},
            "assessments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "urn", "date", "contents"],
                    "properties": {
                        "urn": ins["urn"],
                        "date": {"type": "string", "format": "date-time"},
                        "contents": {"type": "array", "items": content},
                    },
                },
            },
        },
    }


def card_problems(card: dict[str, Any], registry: TaskRegistry) -> list[str]:
    """Every way ``card`` breaks its schema, as 'path: message' lines (empty when valid)."""
    validator = Draft7Validator(card_schema(registry), format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in sorted(validator.iter_errors(card), key=lambda e: list(e.absolute_path))
    ]
