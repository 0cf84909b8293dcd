"""The feature registry of the simulated municipality, with each decision's rationale."""

from __future__ import annotations

from typing import Any

PROTECTED = ["age_band", "sex", "migration_background"]

FEATURES: list[dict[str, Any]] = [
    {
        "name": "team",
        "kind": "categorical",
        "status": "approved",
        "label_nl": "Team",
        "label_en": "Team",
        "rationale": "Which team handles the case; the work differs by law and provision. Known at intake, complete.",
    },
    {
        "name": "income_source",
        "kind": "categorical",
        "status": "approved",
        "label_nl": "Inkomensbron",
        "label_en": "Income source",
        "rationale": "Needed to assess the application (Participatiewet art. 31-34); complete at intake; "
        "proxy scan below threshold.",
    },
    {
        "name": "months_on_benefit",
        "kind": "numeric",
        "status": "approved",
        "label_nl": "Maanden in de bijstand",
        "label_en": "Months on social assistance",
        "rationale": "From the benefit administration; longer dependency relates to more complex support needs.",
    },
    {
        "name": "prior_contacts_12m",
        "kind": "numeric",
        "status": "approved",
        "label_nl": "Contacten in de afgelopen 12 maanden",
        "label_en": "Contacts in the last 12 months",
        "rationale": "Counts of service contacts, not their type or reason; relates to support need. "
        "Not derived from model advice (no feedback loop).",
    },
    {
        "name": "open_debts",
        "kind": "numeric",
        "status": "approved",
        "label_nl": "Aantal openstaande schulden",
        "label_en": "Number of open debts",
        "rationale": (
            "Stated by the applicant or known from vroegsignalering; core to debt help and integrated support."
        ),
    },
    {
        "name": "requested_provision",
        "kind": "categorical",
        "status": "approved",
        "label_nl": "Gevraagde voorziening",
        "label_en": "Requested provision",
        "rationale": "The subject of the application itself (not a reason for an appointment); determines the work.",
    },
    {
        "name": "documents_complete",
        "kind": "boolean",
        "status": "approved",
        "label_nl": "Documenten compleet",
        "label_en": "Documents complete",
        "rationale": "Administrative fact at intake; missing documents mean more work (Awb 4:5).",
    },
    {
        "name": "household_type",
        "kind": "categorical",
        "status": "undecided",
        "label_nl": "Huishoudsamenstelling",
        "label_en": "Household type",
        "rationale": "Reveals the presence of children, which AA:2023:02 rules out as a risk factor; "
        "the privacy officer has not yet decided whether it may be used for effort estimates.",
    },
    {
        "name": "channel",
        "kind": "categorical",
        "status": "not_approved",
        "label_nl": "Kanaal van aanmelding",
        "label_en": "Intake channel",
        "rationale": "Type of contact; ruled out by AA:2023:02 (it reflects access and skills, not need).",
    },
    {
        "name": "language_assistance",
        "kind": "boolean",
        "status": "not_approved",
        "label_nl": "Taalondersteuning nodig",
        "label_en": "Language assistance needed",
        "rationale": "Relates to literacy and origin; ruled out (responsible-ai item 8).",
    },
    {
        "name": "postcode_district",
        "kind": "categorical",
        "status": "not_approved",
        "label_nl": "Wijk",
        "label_en": "District",
        "rationale": (
            "Postcode and district are proxies for origin and income (AA:2023:02); the proxy scan confirms it."
        ),
    },
]


def registry_document() -> dict[str, Any]:
    return {"protected": PROTECTED, "identifiers": ["case_id"], "features": FEATURES}
