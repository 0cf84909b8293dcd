"""New cases for the demo, so the caseworker's *Nieuwe zaken* page has work on it.

Each case asks for advice exactly as a case system would, through the advice queue the API
uses (``casework.advice_queue``, as the demo caseworker), so the cases carry real suggestions
and reasons from the champion, the random control share applies, and every advice is on the
audit trail. The input is the newest rows of the simulated ``cases.csv``, reduced to the fields
the champions' schemas ask for; the outcome columns (effort class, hours, decision) and
protected characteristics are never sent.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casework import caseload
from casework.advice_queue import AdviceQueue
from casework.db import session_factory
from casework.errors import Unavailable
from casework.inputs import AdviceCreate
from casework.modelstore import ModelStore
from casework.security import Principal
from werkwijzer.i18n import both
from werkwijzer.settings import Settings
from werkwijzer.vocabulary import is_true_word


def _typed(spec: dict[str, Any], text: str) -> bool | float | str:
    """A CSV cell as the schema's kind wants it (the advice API takes JSON types, not strings)."""
    if spec["kind"] == "numeric":
        return float(text)
    if spec["kind"] == "boolean":
        return is_true_word(text)
    return text


def advice_requests(cases_csv: Path, schemas: list[dict[str, Any]], count: int) -> list[AdviceCreate]:
    """The ``count`` most recently received cases as advice requests with the champions' fields."""
    specs = {spec["name"]: spec for schema in schemas for spec in schema["features"] if spec["name"] != "team"}
    with cases_csv.open(newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: (row["received_date"], row["case_id"]))[-count:]
    missing = sorted(set(specs) - set(rows[0])) if rows else []
    if missing:
        raise ValueError(f"{cases_csv}: columns {', '.join(missing)} are needed by the champion models")
    return [
        AdviceCreate(
            case_id=row["case_id"],
            team=row["team"],
            features={name: _typed(spec, row[name]) for name, spec in specs.items()},
        )
        for row in rows
    ]


def seed(
    session: Session,
    store: ModelStore,
    settings: Settings,
    caseworker: Principal,
    cases_csv: Path,
    now: dt.datetime,
    count: int = 12,
) -> int:
    """Ask advice for the newest ``count`` cases; returns how many cases now await a decision."""
    effort, integrated = store.triage_pair()
    if effort is None:
        raise Unavailable(both("service.no_model"))
    schemas = [effort.schema] + ([integrated.schema] if integrated else [])
    requests = advice_requests(cases_csv, schemas, count)
    session.commit()  # the queue stores through sessions of its own, as in the API: end this one's transaction
    queue = AdviceQueue(session_factory(session.get_bind()), store, settings, random.Random(settings.seed))

    async def ask() -> None:  # all at once, as a case system sending its new cases would
        queue.open()
        try:
            await asyncio.gather(*(queue.submit(caseworker, body, now, None) for body in requests))
        finally:
            await queue.close(settings.shutdown_seconds)

    asyncio.run(ask())
    return len(caseload.awaiting_decision(session))
