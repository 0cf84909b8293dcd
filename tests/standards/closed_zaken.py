"""The recorded zaken with five of them closed, and their cases asked and decided in Werkwijzer.

The recorded set has no closed zaken; ``closed_recording`` closes five (einddatum, resultaat and the three
outcome eigenschappen). ``advise_and_decide`` asks advice for four of their case keys and decides three, so
one is undecided and one unknown to Werkwijzer. Shared by the in-process test of the outcome import and the
one that runs ``werkwijzer import zgw --outcomes-to`` over real HTTP.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.storage import AuditEvent
from tests.api.conftest import new_case
from tests.api.served import decision_for
from tests.standards.zaken_fake import recording

OUTCOMES = (
    "outcomes:\n"
    "  handling_hours: {eigenschap: bestede_uren}\n"
    "  effort_class: {eigenschap: zwaarte}\n"
    "  integrated_approach: {eigenschap: integrale_aanpak}\n"
)
DECIDED = ("SHV-2026-000032", "WMO-2026-000176", "BIJ-2026-000050")
UNDECIDED, UNKNOWN = "SHV-2026-000035", "WMO-2026-000178"
VALUES = {"SHV-2026-000032": ("6,5", "gemiddeld", "ja"), "WMO-2026-000176": ("2", "eenvoudig", "false")}
OTHERS = ("12", "complex", "true")  # the values of the other three


def close(doc: dict[str, Any], ident: str, hours: str, effort: str, integrated: str) -> dict[str, Any]:
    """Close the zaak ``ident`` of ``doc`` with these outcome eigenschappen (again: they are replaced)."""
    zaak = next(z for z in doc["zaken"] if z["identificatie"] == ident)
    zaak["einddatum"], zaak["resultaat"] = "2026-06-30", f"{doc['api']}/resultaten/{zaak['uuid']}"
    props = list(doc["zaakeigenschappen"].get(zaak["uuid"], []))
    for naam, waarde in (("bestede_uren", hours), ("zwaarte", effort), ("integrale_aanpak", integrated)):
        props = [p for p in props if p["naam"] != naam] + [{"naam": naam, "waarde": waarde, "zaak": zaak["url"]}]
    doc["zaakeigenschappen"][zaak["uuid"]] = props
    return zaak


def closed_recording(doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """``doc`` (default: the recording) with the five zaken closed."""
    doc = recording() if doc is None else doc
    for ident in (*DECIDED, UNDECIDED, UNKNOWN):
        close(doc, ident, *VALUES.get(ident, OTHERS))
    return doc


def advise_and_decide(http: httpx.Client, headers: dict[str, str]) -> None:
    """As a caseworker: advice under the case keys of the decided and the undecided zaak (the mapping's case_id
    is the identificatie), a decision for the decided ones."""
    doc = recording()
    for n, ident in enumerate((*DECIDED, UNDECIDED)):
        zaak = next(z for z in doc["zaken"] if z["identificatie"] == ident)
        body = {**new_case(n), "case_id": ident, "team": doc["teams"][zaak["zaaktype"]]}
        advice = http.post("/api/v1/advice", json=body, headers=headers)
        assert advice.status_code == 201, advice.text
        if ident not in DECIDED:
            continue
        decided = http.post(
            f"/api/v1/advice/{advice.json()['advice_id']}/decision", json=decision_for(advice.json()), headers=headers
        )
        assert decided.status_code == 201, decided.text


def outcome_trail(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """The outcome entries of the audit trail, in order: (kind, payload)."""
    events = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    return [(e.kind, json.loads(e.payload)) for e in events if e.kind.startswith("outcome.")]
