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
from werkwijzer.settings import Settings

TO_REPLACE = "TE VERVANGEN: "


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
    lawful_basis: str = (
        TO_REPLACE + "de wettelijke grondslag van de taak, bijvoorbeeld Participatiewet "
        "art. 7 en 44, Wmo 2015 art. 2.3.2, Jeugdwet en Awb 4:13."
    )
    lawful_basis_grouping: list[Link] = Field(
        default_factory=lambda: [
            Link(title="Participatiewet", link="https://wetten.overheid.nl/BWBR0015703"),
            Link(title="Wet maatschappelijke ondersteuning 2015", link="https://wetten.overheid.nl/BWBR0035362"),
        ]
    )
    dpia_link: str = TO_REPLACE + "link naar de DPIA"
    iama_link: str = TO_REPLACE + "link naar de IAMA (Impact Assessment Mensenrechten en Algoritmes)"
    process_index_url: str | None = None
    human_intervention: str = (
        "Het systeem geeft alleen advies. Een medewerker beoordeelt elke zaak zelf, "
        "ziet de belangrijkste redenen van het advies en kan altijd afwijken. Een "
        "deel van de zaken krijgt bewust geen advies, als controle."
    )
    monitoring: str = (
        "Elke maand: verschuiving in de gegevens, fouten per groep, hoe vaak medewerkers "
        "afwijken. Bij een drempel gaat het advies uit."
    )
    owner: str = TO_REPLACE + "naam van de eigenaar van het model (functie)"
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
