"""Organisation facts that data cannot give: who runs the algorithm, on what legal basis, with
which impact assessments. Read from a ``governance.yaml`` (see docs/governance.md); every key
left out is filled from documented defaults (the settings' organisation, contact and website,
and placeholder texts), and :attr:`Governance.defaults` lists which ones, so the model card can
say what the municipality still has to replace before publication.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from werkwijzer.contracts import ContractError, Problem
from werkwijzer.i18n import translate
from werkwijzer.settings import Settings


def _text(name: str) -> str:
    """A default of the catalogue's ``governance.default.*``, in Dutch (the register's language)."""
    return translate(f"governance.default.{name}", "nl")


def _to_replace(name: str) -> Any:
    """A placeholder the municipality must replace before publication: ``TE VERVANGEN: ...``."""
    return Field(default_factory=lambda: f"{translate('governance.to_replace', 'nl')}: {_text(name)}")


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    link: str


class Governance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization: str
    contact_email: str
    website: str
    status: str = "In ontwikkeling"
    begin_date: str | None = None
    provider: str = "Werkwijzer (open source, EUPL-1.2)"
    lawful_basis: str = _to_replace("lawful_basis")
    lawful_basis_grouping: list[Link] = Field(
        default_factory=lambda: [
            Link(title="Participatiewet", link="https://wetten.overheid.nl/BWBR0015703"),
            Link(title="Wet maatschappelijke ondersteuning 2015", link="https://wetten.overheid.nl/BWBR0035362"),
        ]
    )
    dpia_link: str = _to_replace("dpia_link")
    iama_link: str = _to_replace("iama_link")
    process_index_url: str | None = None
    human_intervention: str = Field(default_factory=lambda: _text("human_intervention"))
    monitoring: str = Field(default_factory=lambda: _text("monitoring"))
    owner: str = _to_replace("owner")
    category: list[str] = Field(default_factory=lambda: ["Sociale zekerheid", "Zorg en gezondheid"])
    defaults: list[str] = Field(default_factory=list, exclude=True)


def load_governance(path: str | Path | None, settings: Settings) -> Governance:
    """Governance from ``path`` (YAML) or, when None, from the settings and documented defaults."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ContractError([Problem(path.name, f"a readable governance YAML file ({exc})")]) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ContractError([Problem(path.name, "a YAML mapping of governance keys", row=1)])
        data = loaded or {}
    fallback = {
        "organization": settings.organization,
        "contact_email": settings.contact_email,
        "website": settings.website,
    }
    merged = {**fallback, **data}
    try:
        governance = Governance.model_validate(merged)
    except ValidationError as exc:
        name = Path(path).name if path else "governance"
        raise ContractError(
            [Problem(name, err["msg"], column=".".join(map(str, err["loc"]))) for err in exc.errors()]
        ) from None
    defaults = [k for k in Governance.model_fields if k != "defaults" and k not in data]
    governance.defaults = defaults
    return governance
