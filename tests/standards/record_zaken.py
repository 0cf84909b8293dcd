"""Write the recorded set of zaken: one week of the simulated municipality, as a Zaken API 1.5 returns them.

    python tests/standards/record_zaken.py

Writes into ``tests/standards/data/``: ``zaken_recorded.json`` (zaken and their zaakeigenschappen,
shaped as ``GET /zaken`` and ``GET /zaken/{uuid}/zaakeigenschappen`` answer, with the betrokkenen,
free text and geometry a real zaak carries, which the import must drop), two zaken of a zaaktype no
mapping knows, and the simulator's own intake and cases of the same week
(``expected_intake.csv``, ``expected_cases.csv``) that the import's output is compared with.
Deterministic: the same simulator gives the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import uuid
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from werkwijzer.simulation import simulate_municipality  # noqa: E402

OUT = Path(__file__).resolve().parent / "data"
API = "https://zgw.test/zaken/api/v1"
CATALOGI = "https://zgw.test/catalogi/api/v1"
START, END = dt.date(2026, 6, 22), dt.date(2026, 6, 28)
SIMULATION = {"inhabitants": 5000, "years": 1, "seed": 3, "end": END}
# Features the zaken carry as eigenschappen (naam = the Werkwijzer column); protected characteristics and the
# postcode district are not zaak data and stay out.
EIGENSCHAPPEN = (
    "channel",
    "household_type",
    "months_on_benefit",
    "open_debts",
    "documents_complete",
    "language_assistance",
)
UNKNOWN_ZAAKTYPE = f"{CATALOGI}/zaaktypen/{uuid.uuid5(uuid.NAMESPACE_URL, 'klacht')}"


def zaaktype(team: str) -> str:
    return f"{CATALOGI}/zaaktypen/{uuid.uuid5(uuid.NAMESPACE_URL, team)}"


def _zaak(case: dict[str, str], kind: str) -> tuple[dict, list[dict]]:
    key = str(uuid.uuid5(uuid.NAMESPACE_URL, case["case_id"]))
    url = f"{API}/zaken/{key}"
    decided = case.get("decision_date") or ""
    values = {**{n: case[n] for n in EIGENSCHAPPEN if n in case}, "telefoonnummer": "06-12345678"}
    props = [
        {
            "url": f"{url}/zaakeigenschappen/{uuid.uuid5(uuid.NAMESPACE_URL, key + n)}",
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, key + n)),
            "zaak": url,
            "eigenschap": f"{CATALOGI}/eigenschappen/{n}",
            "naam": n,
            "waarde": v,
        }
        for n, v in values.items()
    ]
    # Required fields, what the import reads, and what it must drop (free text, betrokkenen, geometry);
    # optional fields that would be empty are left out, as the definition allows.
    zaak = {
        "url": url,
        "uuid": key,
        "identificatie": case["case_id"],
        "bronorganisatie": "002220647",
        "omschrijving": f"Aanvraag {case['team']}",
        "toelichting": "Mevrouw J. de Vries, Dorpsstraat 1, belt terug",
        "zaaktype": kind,
        "registratiedatum": case["received_date"],
        "verantwoordelijkeOrganisatie": "002220647",
        "startdatum": case["received_date"],
        "einddatum": decided if decided and decided <= END.isoformat() else None,
        "betalingsindicatieWeergave": "",
        "zaakgeometrie": {"type": "Point", "coordinates": [5.1214, 52.0907]},
        "deelzaken": [],
        "eigenschappen": [p["url"] for p in props],
        "rollen": [f"{API}/rollen/{uuid.uuid5(uuid.NAMESPACE_URL, key + 'rol')}"],
        "status": None,
        "zaakinformatieobjecten": [],
        "zaakobjecten": [],
        "resultaat": None,
    }
    return zaak, props


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        simulate_municipality(tmp, **SIMULATION)
        cases = pd.read_csv(Path(tmp) / "cases.csv", dtype=str, keep_default_na=False)
        intake = pd.read_csv(Path(tmp) / "intake_daily.csv", dtype=str, keep_default_na=False)
    window = cases[(cases["received_date"] >= START.isoformat()) & (cases["received_date"] <= END.isoformat())]
    teams = sorted(window["team"].unique())
    recorded: list[tuple[dict, list[dict]]] = [_zaak(c, zaaktype(c["team"])) for c in window.to_dict("records")]
    for i, day in enumerate(("2026-06-23", "2026-06-26")):
        other = {"case_id": f"KLA-2026-00000{i + 1}", "team": "klachten", "received_date": day}
        recorded.append(_zaak(other, UNKNOWN_ZAAKTYPE))
    recorded.sort(key=lambda z: (z[0]["registratiedatum"], z[0]["uuid"]))
    OUT.mkdir(exist_ok=True)
    doc = {
        "api": API,
        "simulation": {**SIMULATION, "end": END.isoformat()},
        "start": START.isoformat(),
        "teams": {zaaktype(t): t for t in teams},
        "unknown_zaaktype": UNKNOWN_ZAAKTYPE,
        "zaken": [z for z, _ in recorded],
        "zaakeigenschappen": {z["uuid"]: p for z, p in recorded},
    }
    (OUT / "zaken_recorded.json").write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    window[["case_id", "team", "received_date", *EIGENSCHAPPEN, "decision_date"]].to_csv(
        OUT / "expected_cases.csv", index=False
    )
    days = intake[
        (intake["date"] >= START.isoformat()) & (intake["date"] <= END.isoformat()) & intake["series_id"].isin(teams)
    ]
    days.to_csv(OUT / "expected_intake.csv", index=False)
    print(f"{len(recorded)} zaken, {len(days)} intake rows -> {OUT}")


if __name__ == "__main__":
    main()
