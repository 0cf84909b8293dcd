"""The system card for the model owner, as the report's neutral :class:`Document` (HTML and PDF).

Dutch first (B1), with the registry's own terms; the same words and sources as the JSON card.
"""

from __future__ import annotations

from typing import Any

from explain.report_sections import Document, Section, Table
from explain.systemcard import EVIDENCED, NOT_APPLICABLE, OPEN, STATUS_NL

PROFILE_NL = {
    "type": "soort systeem",
    "risk_group": "risicogroep",
    "profiling": "profilering",
    "automated_decision": "geautomatiseerd besluit",
    "role": "rol van de gemeente",
    "open_source": "open source",
    "systemic_risk": "systeemrisico",
    "transparency_obligations": "transparantieverplichting",
}  # in the order the card shows them


def _sources(entry: dict[str, Any]) -> str:
    return "; ".join(f"{s['kind']}: {s['ref']}" + (f" ({s['note']})" if s["note"] else "") for s in entry["evidence"])


def _row(label: str, entry: dict[str, Any]) -> list[str]:
    state = entry["state"]
    if state == EVIDENCED:
        text = entry["answer"]
    elif state == OPEN:
        text = f"Open voor {entry['open_for']['label_nl']}. {entry['remarks']}"
    else:
        text = entry["applicability"]["reason"]
    return [label, STATUS_NL[state], text, _sources(entry)]


def _counts(summary: dict[str, int]) -> str:
    return (
        f"{summary[EVIDENCED]} beantwoord uit bewijs, {summary[OPEN]} open, "
        f"{summary[NOT_APPLICABLE]} niet van toepassing"
    )


def systemcard_document(card: dict[str, Any]) -> Document:
    profile = card["ai_act_profile"]
    reasons = card["ai_act_profile_reasons"]
    values = {**profile, **{k: "ja" if v else "nee" for k, v in card["system_facts"].items()}}
    facts = [
        [
            PROFILE_NL.get(key, key),
            ", ".join(values[key]) if isinstance(values[key], list) else str(values[key]),
            reasons[key],
        ]
        for key in [*PROFILE_NL, *(k for k in reasons if k not in PROFILE_NL)]
        if key in reasons
    ]
    header = ["vereiste / requirement", "status", "antwoord of reden", "bron / source"]
    labels = ", ".join(f"{x['name']} {x['value']}" for x in card["labels"])
    requirements = sorted(card["requirements"], key=lambda e: (e["state"] != OPEN, e["state"] != EVIDENCED, e["urn"]))
    sections = [
        Section(
            "samenvatting",
            "Samenvatting / summary",
            [
                f"Deze systeemkaart beschrijft {card['name']} ({labels}).",
                "Vereisten: " + _counts(card["summary"]["requirements"]) + ".",
                "Vragen uit de instrumenten: " + _counts(card["summary"]["questions"]) + ".",
                "Een antwoord 'uit bewijs' is gemaakt uit wat het systeem echt deed of vastlegde, met de bron erbij. "
                "Een open vraag wacht op de genoemde rol; het systeem vult nooit zelf een antwoord in zonder bewijs.",
            ],
        ),
        Section(
            "feiten",
            "Systeemfeiten / system facts",
            ["Welke vereisten gelden, volgt uit deze feiten en het AI-verordeningsprofiel van elke vereiste."],
            [Table(["feit", "waarde", "waarom"], facts)],
        ),
        Section(
            "vereisten",
            "Vereisten uit het Algoritmekader / requirements",
            [],
            [Table(header, [_row(f"{e['urn'].rsplit(':', 1)[-1]} {e['requirement']}", e) for e in requirements])],
        ),
    ]
    for a in card["assessments"]:
        rows = [_row(f"{c['urn'].rsplit(':', 1)[-1]} {c['question']}", c) for c in a["contents"]]
        sections.append(
            Section(
                a["urn"].split(":")[4],
                a["name"],
                [a["reason"]],
                [Table(["vraag / question", "status", "antwoord", "bron / source"], rows)],
            )
        )
    return Document(
        lang="nl",
        title=f"Systeemkaart — {card['name']}",
        subtitle=f"Gemaakt {card['provenance']['timestamp']} uit {card['provenance']['uri']}",
        sections=sections,
        footer="Algoritmekader: "
        + next(x["value"] for x in card["labels"] if x["name"] == "task_registry")
        + ". Formaat: systeemkaart van het Algoritme Management Toolkit (MinBZK/amt).",
    )
