"""An Algoritmeregister entry (publication standard 1.0), built from the model card, validated.

Valid means: it passes ``AlgorithmIn`` of the official submission API definition
(``werkwijzer.standards.algoritmeregister``), and three house rules the standard states only in
words (no unknown keys, so a typo never drops a field; ``yyyy-mm`` dates; an e-mail address as
contact). Texts are Dutch at B1 level and fitted to the definition's own maximum lengths.
:func:`validate_entry` returns every problem at once; :func:`check_entry` raises a
:class:`RegisterError` that lists them, so a bad entry is never published.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from werkwijzer.standards import algoritmeregister as standard
from werkwijzer.teams import team_label

STANDARD_VERSION = standard.standard_version()
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterError(ValueError):
    def __init__(self, problems: list[str], source: str = "entry"):
        self.problems = problems
        super().__init__(
            f"{source} is not a valid Algoritmeregister {STANDARD_VERSION} entry:\n"
            + "\n".join(f"- {p}" for p in problems)
        )


def validate_entry(entry: Any, definition: Path = standard.DEFINITION) -> list[str]:
    """Every problem of ``entry`` against ``AlgorithmIn`` of ``definition`` and the house rules;
    an empty list means valid."""
    problems = [str(p) for p in standard.problems(entry, definition)]
    if not isinstance(entry, dict):
        return problems
    known = standard.field_names(definition)
    problems += [f"'{k}': unknown field (not in {standard.SUBMISSION_SCHEMA})" for k in entry if k not in known]
    for key in ("begin_date", "end_date"):
        if isinstance(entry.get(key), str) and not _MONTH.match(entry[key]):
            problems.append(f"'{key}': {entry[key]!r} is not a month; expected yyyy-mm")
    email = entry.get("contact_email")
    if isinstance(email, str) and email and not _EMAIL.match(email):
        problems.append(f"'contact_email': {email!r} is not an e-mail address")
    return problems


def check_entry(entry: Any, source: str = "entry", definition: Path = standard.DEFINITION) -> dict[str, Any]:
    problems = validate_entry(entry, definition)
    if problems:
        raise RegisterError(problems, source)
    return entry


def validate_file(path: str | Path, definition: Path | None = None) -> dict[str, Any]:
    """Read and validate an Algoritmeregister JSON file (against ``definition``, default the shipped
    copy); raises RegisterError."""
    path = Path(path)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegisterError([f"cannot read it as JSON ({exc})"], path.name) from None
    return check_entry(entry, path.name, definition or standard.DEFINITION)


def failed_gates(entry_path: Path, gates_path: Path | None = None) -> list[str]:
    """The gates of the entry's model that failed, from ``gates.json`` (the training flow writes it beside
    ``algoritmeregister.json``) or ``gates_path``, and the fairness gate of ``model_card.json`` beside it.

    No record at all is a :class:`RegisterError`: a model whose gates are unknown is not published.
    """
    folder = entry_path.parent
    gates_path = gates_path or folder / "gates.json"
    failed: list[str] = []
    found = False
    if gates_path.is_file():
        found = True
        gates = json.loads(gates_path.read_text(encoding="utf-8"))
        failed += [f"{name}: {gate.get('reason', '')}" for name, gate in gates.items() if not gate.get("passed")]
    card_path = folder / "model_card.json"
    if card_path.is_file():
        found = True
        gate = json.loads(card_path.read_text(encoding="utf-8")).get("fairness", {}).get("gate", {})
        if gate and not gate.get("passed") and not any(f.startswith("fairness:") for f in failed):
            failed.append(f"fairness: {gate.get('reason', '')}")
    if not found:
        raise RegisterError(
            [
                f"no gate record beside it (gates.json or model_card.json in {folder}); "
                "give the model's gates.json with --gates"
            ],
            entry_path.name,
        )
    return failed


def _fit(text: str, field: str, part: str | None = None) -> str:
    """``text`` cut to the maximum length the standard gives ``field`` (or ``part`` of its items)."""
    limit = standard.max_length(field, part)
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _organization(gov: dict[str, Any]) -> dict[str, Any]:
    """The fields every entry of this organisation shares, from its governance facts."""
    return {
        "organization": _fit(gov["organization"], "organization"),
        "category": gov["category"][:3],
        "status": gov["status"],
        "contact_email": gov["contact_email"],
        "website": gov["website"],
    }


def build_entry(card: dict[str, Any]) -> dict[str, Any]:
    """The register entry for a model card (see explain.model_card), validated."""
    gov = card["governance"]
    target = card["target"]
    features = ", ".join(f["label_nl"] for f in card["features"])
    excluded = ", ".join(sorted({e["feature"] for e in card["excluded_features"]}))
    entry = {
        "name": _fit(f"Werkwijzer triage-advies: {card['target_label_nl']}", "name"),
        "description_short": _fit(
            f"Een model geeft medewerkers een advies over {card['target_label_nl'].lower()} van een "
            "nieuwe zaak, met de belangrijkste redenen. Een medewerker beslist altijd zelf.",
            "description_short",
        ),
        **_organization(gov),
        "publication_category": card["risk"]["publication_category"],
        "goal": _fit(card["intended_use_nl"], "goal"),
        "proportionality": _fit(
            "Het advies helpt zaken sneller bij de juiste hulp te brengen. Het gebruikt alleen "
            "goedgekeurde zaakgegevens en geen afkomst, geslacht of wijk. Er is een fairness-toets per "
            f"groep; uitkomst: {card['fairness']['gate']['reason']}.",
            "proportionality",
        ),
        "human_intervention": _fit(gov["human_intervention"], "human_intervention"),
        "risks": _fit(
            "Risico's: ongelijke behandeling van groepen, te veel vertrouwen op het advies, "
            "verouderde gegevens. Maatregelen: fairness-toets per groep, controlegroep zonder "
            "advies, meten hoe vaak medewerkers afwijken, stopknop. " + " ".join(card["limitations_nl"]),
            "risks",
        ),
        "lawful_basis": _fit(gov["lawful_basis"], "lawful_basis"),
        "lawful_basis_grouping": [
            {
                "title": _fit(x["title"], "lawful_basis_grouping", "title"),
                "link": _fit(x["link"], "lawful_basis_grouping", "link"),
            }
            for x in gov["lawful_basis_grouping"]
        ],
        "impacttoetsen": _fit(f"DPIA: {gov['dpia_link']}. IAMA: {gov['iama_link']}.", "impacttoetsen"),
        "impacttoetsen_grouping": [
            {"title": "DPIA", "link": gov["dpia_link"]},
            {"title": "IAMA", "link": gov["iama_link"]},
        ],
        "source_data": _fit(f"Zaakgegevens van de gemeente: {features}. Niet gebruikt: {excluded}.", "source_data"),
        "methods_and_models": _fit(
            f"{card['model']['description_nl']} Het model is niet zelflerend: het leert niet "
            "tijdens gebruik; een nieuwe versie wordt getraind, getoetst en pas daarna in gebruik "
            f"genomen. Doel: {target}.",
            "methods_and_models",
        ),
        "provider": _fit(gov["provider"], "provider"),
        "lang": "nld",
        "standard_version": STANDARD_VERSION,
        "source_id": _fit(card["model_name"], "source_id"),
        "tags": _fit(f"triage, advies, {target}, mens beslist", "tags"),
    }
    if gov.get("begin_date"):
        entry["begin_date"] = gov["begin_date"]
    if gov.get("process_index_url"):
        entry["process_index_url"] = gov["process_index_url"]
    return check_entry(entry)


def build_forecast_entry(governance: dict[str, Any], teams: list[str], model_name: str) -> dict[str, Any]:
    """The register entry of the intake forecast, validated.

    Capacity forecasting is not high-risk (responsible-ai item 21: it concerns no individual
    resident's access to a service), so its category is "Overige algoritmes"; it is published all
    the same, as a model in use that shapes how many people a team gets.
    """
    names = ", ".join(team_label(t, "nl") for t in teams)
    entry = {
        "name": "Werkwijzer: voorspelling van de instroom per team",
        "description_short": _fit(
            "Een model voorspelt hoeveel nieuwe zaken en meldingen elk team de komende weken krijgt, met een "
            "marge. Teamleiders gebruiken dit om de inzet van medewerkers te plannen. Het gaat niet over "
            "individuele inwoners.",
            "description_short",
        ),
        **_organization(governance),
        "publication_category": "Overige algoritmes",
        "goal": _fit(
            f"Op tijd genoeg medewerkers inzetten, zodat inwoners binnen de wettelijke termijn een "
            f"besluit krijgen. Teams: {names}.",
            "goal",
        ),
        "human_intervention": _fit(
            "De voorspelling is een hulpmiddel bij de planning. De teamleider beslist "
            "over de inzet van medewerkers en ziet altijd de onzekerheid (de marge).",
            "human_intervention",
        ),
        "risks": _fit(
            "Een voorspelling kan ernaast zitten, bijvoorbeeld na een wetswijziging. Maatregelen: de "
            "voorspelling wordt elke week vergeleken met de werkelijke instroom; wijkt ze te veel af, "
            "dan krijgt de eigenaar een signaal.",
            "risks",
        ),
        "source_data": _fit(
            "Aantallen nieuwe zaken per team per week, feestdagen en schoolvakanties. Geen gegevens over personen.",
            "source_data",
        ),
        "methods_and_models": _fit(
            "Per team worden enkele bekende methoden gecombineerd: seizoenspatroon, exponentiële afvlakking, "
            "de Theta-methode, een telmodel, een ARIMA-model met seizoen en feestdagen, en gradient boosting. "
            "Hoe zwaar elke methode meetelt, volgt uit een test op eerdere jaren. Een nieuwe versie wordt alleen "
            "gebruikt als ze beter voorspelt dan 'hetzelfde als vorig jaar'. Het model is niet zelflerend.",
            "methods_and_models",
        ),
        "provider": _fit(governance["provider"], "provider"),
        "lang": "nld",
        "standard_version": STANDARD_VERSION,
        "source_id": _fit(model_name, "source_id"),
        "tags": "prognose, instroom, capaciteit, planning",
    }
    return check_entry(entry)
