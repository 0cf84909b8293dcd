"""The Algoritmekader as data: MinBZK's task registry (requirements and instruments), read and checked.

Every requirement (``requirements/*.yaml``) and instrument (``instruments/*.yaml``) is validated
against the registry's own JSON schema (``schemas/schema_requirements.json``,
``schemas/schema_instruments.json``) before anything uses it, so a broken or foreign folder is
refused with the file and the field named, never half read. Where the registry is read from
(ADR 0018): ``settings.task_registry_path`` when set; else ``../shared/standards/task-registry``
beside the checkout when present; else the unchanged copy shipped in this package
(``definitions/task-registry/``, EUPL-1.2 with its licence beside it), so a fresh install works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from werkwijzer.settings import Settings

VENDORED = Path(__file__).with_name("definitions") / "task-registry"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "task-registry"
SCHEMAS = {"requirements": "schema_requirements.json", "instruments": "schema_instruments.json"}
SOURCE = "MinBZK/task-registry, commit 940ae02 (2026-06), EUPL-1.2"


class RegistryError(ValueError):
    """The task registry is absent or does not follow its schema; the message names the file."""


@dataclass(frozen=True)
class Requirement:
    urn: str
    name: str
    url: str
    version: str  # the registry's schema_version of the file
    always_applicable: bool
    ai_act_profile: tuple[dict[str, tuple[str, ...]], ...]
    subject: tuple[str, ...]
    file: str


@dataclass(frozen=True)
class Task:
    urn: str
    question: str
    topic: str
    suggested_roles: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    urn: str
    name: str
    url: str
    version: str
    tasks: tuple[Task, ...]
    file: str


@dataclass(frozen=True)
class TaskRegistry:
    root: Path
    requirements: tuple[Requirement, ...]
    instruments: tuple[Instrument, ...]
    schemas: dict[str, dict[str, Any]]

    def instrument(self, key: str) -> Instrument:
        """The instrument whose urn has ``key`` as its short name (``iama``, ``aiia``, ``ca``, ``td``)."""
        for instrument in self.instruments:
            if instrument.urn.split(":")[4] == key:
                return instrument
        raise RegistryError(f"{self.root}: no instrument '{key}' in instruments/")


def registry_path(settings: Settings) -> Path:
    """Where the registry is read from; see the module docstring."""
    if settings.task_registry_path is not None:
        return settings.task_registry_path.expanduser()
    return SHARED if SHARED.is_dir() else VENDORED


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: not a readable {path.suffix[1:].upper()} file ({exc})") from None


def _checked(path: Path, validator: Draft7Validator) -> dict[str, Any]:
    data = _read(path)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(map(str, first.absolute_path)) or "(top)"
        raise RegistryError(
            f"{path}: field {where}: {first.message} (the registry's schema "
            f"{validator.schema.get('$id', '')} expects otherwise; {len(errors)} problem(s))"
        )
    return data


def _profile(entry: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(value or ()) for key, value in entry.items()}


def load_registry(root: str | Path) -> TaskRegistry:
    """Read and validate the registry at ``root``; RegistryError names the first bad file."""
    return _load(Path(root).resolve())


@lru_cache(maxsize=4)
def _load(root: Path) -> TaskRegistry:
    if not root.is_dir():
        raise RegistryError(
            f"{root}: the task registry folder does not exist (set WERKWIJZER_TASK_REGISTRY_PATH "
            "to a copy of MinBZK/task-registry, or leave it empty for the copy in the package)"
        )
    schemas = {kind: _read(root / "schemas" / name) for kind, name in SCHEMAS.items()}
    requirements = []
    files = sorted((root / "requirements").glob("*.yaml"))
    if not files:
        raise RegistryError(f"{root / 'requirements'}: no requirement files (*.yaml)")
    validator = Draft7Validator(schemas["requirements"])
    for path in files:
        data = _checked(path, validator)
        requirements.append(
            Requirement(
                urn=data["urn"],
                name=str(data["name"]).strip(),
                url=data["url"],
                version=data["schema_version"],
                always_applicable=bool(data["always_applicable"]),
                ai_act_profile=tuple(_profile(p) for p in data["ai_act_profile"]),
                subject=tuple(data["subject"]),
                file=path.name,
            )
        )
    instruments = []
    validator = Draft7Validator(schemas["instruments"])
    for path in sorted((root / "instruments").glob("*.yaml")):
        data = _checked(path, validator)
        tasks = tuple(
            Task(
                urn=t["urn"],
                question=str(t.get("question") or "").strip(),
                topic=next((lab["value"] for lab in t["labels"] if lab["key"] == "topic"), ""),
                suggested_roles=tuple(t["suggested_roles"]),
            )
            for t in data.get("tasks") or ()
        )
        instruments.append(
            Instrument(
                urn=data["urn"],
                name=data["name"],
                url=data["url"],
                version=data["schema_version"],
                tasks=tasks,
                file=path.name,
            )
        )
    return TaskRegistry(root=root, requirements=tuple(requirements), instruments=tuple(instruments), schemas=schemas)
