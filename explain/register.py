"""An Algoritmeregister entry (publication standard 1.0.0), built from the model card, validated.

The field list, maximum lengths and allowed values follow shared/responsible-ai.md; texts are
Dutch at B1 level. :func:`validate_entry` returns every problem at once; :func:`check_entry`
raises a :class:`RegisterError` that lists them, so a bad entry is never published.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from werkwijzer.teams import team_label

STANDARD_VERSION = "1.0.0"
STATUSES = ("In ontwikkeling", "In gebruik", "Buiten gebruik")
PUBLICATION_CATEGORIES = ("Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes")
REQUIRED = ("name", "description_short", "organization", "status", "contact_email",
            "publication_category", "lang")
MAX_LENGTH = {
    "name": 100, "description_short": 350, "organization": 100, "contact_email": 500, "goal": 2500,
    "proportionality": 2500, "human_intervention": 2500, "risks": 2500, "lawful_basis": 2500,
    "impacttoetsen": 2500, "source_data": 2500, "methods_and_models": 5000, "provider": 200,
    "source_id": 100, "tags": 2500,
}
TEXT_FIELDS = (*MAX_LENGTH, "website", "url", "process_index_url", "publiccode", "begin_date", "end_date")
GROUPINGS = {"lawful_basis_grouping": (100, 500), "impacttoetsen_grouping": (None, None),
             "source_data_grouping": (500, 500)}
ALLOWED_KEYS = {*TEXT_FIELDS, *GROUPINGS, "category", "status", "publication_category", "lang",
                "standard_version"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterError(ValueError):
    def __init__(self, problems: list[str], source: str = "entry"):
        self.problems = problems
        super().__init__(f"{source} is not a valid Algoritmeregister {STANDARD_VERSION} entry:\n"
                         + "\n".join(f"- {p}" for p in problems))


def validate_entry(entry: Any) -> list[str]:
    """Every problem of ``entry`` against standard 1.0.0; an empty list means valid."""
    if not isinstance(entry, dict):
        return ["the entry must be a JSON object"]
    problems = [f"unknown key '{k}'" for k in entry if k not in ALLOWED_KEYS]
    for key in REQUIRED:
        if not str(entry.get(key) or "").strip():
            problems.append(f"'{key}' is required")
    for key in TEXT_FIELDS:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"'{key}' must be text")
        elif value is not None and key in MAX_LENGTH and len(value) > MAX_LENGTH[key]:
            problems.append(f"'{key}' has {len(value)} characters; at most {MAX_LENGTH[key]} allowed")
    if entry.get("status") and entry["status"] not in STATUSES:
        problems.append(f"'status' is {entry['status']!r}; allowed: {', '.join(STATUSES)}")
    if entry.get("publication_category") and entry["publication_category"] not in PUBLICATION_CATEGORIES:
        problems.append(f"'publication_category' is {entry['publication_category']!r}; "
                        f"allowed: {', '.join(PUBLICATION_CATEGORIES)}")
    if entry.get("lang") and entry["lang"] != "nld":
        problems.append(f"'lang' is {entry['lang']!r}; allowed: nld")
    if entry.get("standard_version") not in (None, STANDARD_VERSION):
        problems.append(f"'standard_version' is {entry['standard_version']!r}; expected {STANDARD_VERSION}")
    for key in ("begin_date", "end_date"):
        if isinstance(entry.get(key), str) and not _MONTH.match(entry[key]):
            problems.append(f"'{key}' is {entry[key]!r}; expected yyyy-mm")
    email = entry.get("contact_email")
    if isinstance(email, str) and email and not _EMAIL.match(email):
        problems.append(f"'contact_email' is {entry['contact_email']!r}; expected an e-mail address")
    category = entry.get("category")
    if category is not None and (not isinstance(category, list) or len(category) > 3
                                 or not all(isinstance(c, str) for c in category)):
        problems.append("'category' must be a list of at most 3 themes")
    for key, (title_max, link_max) in GROUPINGS.items():
        items = entry.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(f"'{key}' must be a list of {{title, link}}")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict) or set(item) - {"title", "link"} or "title" not in item:
                problems.append(f"'{key}[{i}]' must be an object with 'title' and 'link'")
                continue
            for part, limit in (("title", title_max), ("link", link_max)):
                text = item.get(part)
                if text is not None and limit is not None and len(str(text)) > limit:
                    problems.append(f"'{key}[{i}].{part}' has {len(str(text))} characters; at most {limit}")
    return problems


def check_entry(entry: Any, source: str = "entry") -> dict[str, Any]:
    problems = validate_entry(entry)
    if problems:
        raise RegisterError(problems, source)
    return entry


def validate_file(path: str | Path) -> dict[str, Any]:
    """Read and validate an Algoritmeregister JSON file; raises RegisterError."""
    path = Path(path)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegisterError([f"cannot read it as JSON ({exc})"], path.name) from None
    return check_entry(entry, path.name)


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _organization(gov: dict[str, Any]) -> dict[str, Any]:
    """The fields every entry of this organisation shares, from its governance facts."""
    return {"organization": _fit(gov["organization"], 100), "category": gov["category"][:3],
            "status": gov["status"], "contact_email": gov["contact_email"], "website": gov["website"]}


def build_entry(card: dict[str, Any]) -> dict[str, Any]:
    """The register entry for a model card (see explain.model_card), validated."""
    gov = card["governance"]
    target = card["target"]
    features = ", ".join(f["label_nl"] for f in card["features"])
    excluded = ", ".join(sorted({e["feature"] for e in card["excluded_features"]}))
    entry = {
        "name": _fit(f"Werkwijzer triage-advies: {card['target_label_nl']}", 100),
        "description_short": _fit(
            f"Een model geeft medewerkers een advies over {card['target_label_nl'].lower()} van een "
            "nieuwe zaak, met de belangrijkste redenen. Een medewerker beslist altijd zelf.", 350),
        **_organization(gov),
        "publication_category": card["risk"]["publication_category"],
        "goal": _fit(card["intended_use_nl"], 2500),
        "proportionality": _fit(
            "Het advies helpt zaken sneller bij de juiste hulp te brengen. Het gebruikt alleen "
            "goedgekeurde zaakgegevens en geen afkomst, geslacht of wijk. Er is een fairness-toets per "
            f"groep; uitkomst: {card['fairness']['gate']['reason']}.", 2500),
        "human_intervention": _fit(gov["human_intervention"], 2500),
        "risks": _fit("Risico's: ongelijke behandeling van groepen, te veel vertrouwen op het advies, "
                      "verouderde gegevens. Maatregelen: fairness-toets per groep, controlegroep zonder "
                      "advies, meten hoe vaak medewerkers afwijken, stopknop. "
                      + " ".join(card["limitations_nl"]), 2500),
        "lawful_basis": _fit(gov["lawful_basis"], 2500),
        "lawful_basis_grouping": [{"title": _fit(x["title"], 100), "link": _fit(x["link"], 500)}
                                  for x in gov["lawful_basis_grouping"]],
        "impacttoetsen": _fit(f"DPIA: {gov['dpia_link']}. IAMA: {gov['iama_link']}.", 2500),
        "impacttoetsen_grouping": [{"title": "DPIA", "link": gov["dpia_link"]},
                                   {"title": "IAMA", "link": gov["iama_link"]}],
        "source_data": _fit(f"Zaakgegevens van de gemeente: {features}. Niet gebruikt: {excluded}.", 2500),
        "methods_and_models": _fit(
            f"{card['model']['description_nl']} Het model is niet zelflerend: het leert niet "
            "tijdens gebruik; een nieuwe versie wordt getraind, getoetst en pas daarna in gebruik "
            f"genomen. Doel: {target}.", 5000),
        "provider": _fit(gov["provider"], 200),
        "lang": "nld",
        "standard_version": STANDARD_VERSION,
        "source_id": _fit(card["model_name"], 100),
        "tags": _fit(f"triage, advies, {target}, mens beslist", 2500),
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
            "individuele inwoners.", 350),
        **_organization(governance),
        "publication_category": "Overige algoritmes",
        "goal": _fit(f"Op tijd genoeg medewerkers inzetten, zodat inwoners binnen de wettelijke termijn een "
                     f"besluit krijgen. Teams: {names}.", 2500),
        "human_intervention": _fit("De voorspelling is een hulpmiddel bij de planning. De teamleider beslist "
                                   "over de inzet van medewerkers en ziet altijd de onzekerheid (de marge).", 2500),
        "risks": _fit("Een voorspelling kan ernaast zitten, bijvoorbeeld na een wetswijziging. Maatregelen: de "
                      "voorspelling wordt elke week vergeleken met de werkelijke instroom; wijkt ze te veel af, "
                      "dan krijgt de eigenaar een signaal.", 2500),
        "source_data": _fit("Aantallen nieuwe zaken per team per week, feestdagen en schoolvakanties. Geen "
                            "gegevens over personen.", 2500),
        "methods_and_models": _fit(
            "Per team wordt het beste van enkele bekende methoden gekozen (seizoenspatroon, exponentiële "
            "afvlakking, een telmodel en gradient boosting) op grond van een test op eerdere jaren. Een nieuwe "
            "versie wordt alleen gebruikt als ze beter voorspelt dan 'hetzelfde als vorig jaar'. Het model is "
            "niet zelflerend.", 5000),
        "provider": _fit(governance["provider"], 200),
        "lang": "nld",
        "standard_version": STANDARD_VERSION,
        "source_id": _fit(model_name, 100),
        "tags": "prognose, instroom, capaciteit, planning",
    }
    return check_entry(entry)
