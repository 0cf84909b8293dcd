"""The feature registry: every candidate feature with its status and rationale (responsible-ai 7-11).

The YAML users write for their own data::

    protected: [age_band, sex, migration_background]   # fairness audit only, never a feature
    identifiers: [case_id]                             # keys, never features
    features:
      - name: open_debts
        kind: numeric            # numeric | categorical | boolean
        status: approved         # approved | not_approved | undecided
        rationale: Legal basis, link with the aim, data quality, proxy check.
        label_nl: Aantal openstaande schulden
        label_en: Number of open debts
        proxy_justification: ...  # optional: why a strong proxy may still be used

Only ``approved`` features can reach a model; the feature policy in ``models.policy`` enforces it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from werkwijzer.contracts.problems import ContractError, Problem

Kind = Literal["numeric", "categorical", "boolean"]
Status = Literal["approved", "not_approved", "undecided"]


class FeatureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    kind: Kind
    status: Status
    rationale: str = Field(min_length=1)
    label_nl: str | None = None
    label_en: str | None = None
    proxy_justification: str | None = None

    def label(self, lang: str = "nl") -> str:
        text = self.label_nl if lang == "nl" else self.label_en
        return text or self.label_nl or self.label_en or self.name.replace("_", " ")


class FeatureRegistry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    protected: list[str] = Field(default_factory=list)
    identifiers: list[str] = Field(default_factory=list)
    features: list[FeatureSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> FeatureRegistry:
        seen: set[str] = set()
        for spec in self.features:
            if spec.name in seen:
                raise ValueError(f"feature '{spec.name}' is listed twice")
            seen.add(spec.name)
        return self

    def get(self, name: str) -> FeatureSpec | None:
        return next((f for f in self.features if f.name == name), None)

    @property
    def approved(self) -> list[FeatureSpec]:
        return [f for f in self.features if f.status == "approved"]

    def label(self, name: str, lang: str = "nl") -> str:
        spec = self.get(name)
        return spec.label(lang) if spec else name.replace("_", " ")


def _line_of(node: yaml.Node | None, path: tuple[object, ...]) -> int | None:
    """The 1-based line in the YAML source of the element at ``path``, if it can be found."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def read_registry(path: str | Path) -> FeatureRegistry:
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ContractError([Problem(name, "an existing feature registry (YAML)", value=str(path))])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContractError([Problem(name, "UTF-8 encoded YAML", row=line)]) from None
    if not text.strip():
        raise ContractError([Problem(name, "a non-empty YAML document with 'features:'")])
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContractError(
            [Problem(name, f"valid YAML ({getattr(exc, 'problem', exc)})", row=mark.line + 1 if mark else None)]
        ) from None
    if not isinstance(data, dict):
        raise ContractError([Problem(name, "a YAML mapping with the keys 'protected' and 'features'", row=1)])
    try:
        registry = FeatureRegistry.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc) or "(document)"
            value = err.get("input")
            shown = value if isinstance(value, str | int | float) else None
            if err["type"] == "missing":
                expected = "this field (it is required)"
            else:
                expected = err["msg"].replace("Input should be", "").strip() or err["msg"]
            problems.append(
                Problem(
                    name, expected, row=_line_of(node, loc), column=field, value=None if shown is None else str(shown)
                )
            )
        raise ContractError(problems) from None
    overlap = set(registry.protected) & {f.name for f in registry.features if f.status == "approved"}
    if overlap:
        feature = sorted(overlap)[0]
        raise ContractError(
            [
                Problem(
                    name,
                    "a protected characteristic is never an approved feature",
                    column=f"features.{feature}.status",
                    value="approved",
                )
            ]
        )
    return registry
