"""Demo cases: the newest rows of cases.csv become advice through the advice service, awaiting a decision."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from casework import caseload, demo_cases, users
from casework.clock import utc_now
from casework.modelstore import ModelStore
from casework.storage import Advice, AuditEvent
from tests.api.conftest import Api
from werkwijzer.settings import Settings

COLUMNS = [
    "case_id",
    "team",
    "received_date",
    "open_debts",
    "prior_contacts_12m",
    "months_on_benefit",
    "documents_complete",
    "sex",
    "effort_class",
]


def write_cases(path: Path, n: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(n):
            day = dt.date(2026, 1, 1) + dt.timedelta(days=i)
            writer.writerow(
                [
                    f"WMO-2026-{i:06d}",
                    "wmo_meldingen",
                    day.isoformat(),
                    i % 5,
                    2,
                    7,
                    "true" if i % 2 else "false",
                    "vrouw",
                    "complex",
                ]
            )
    return path


def test_seed_asks_advice_for_the_newest_cases_with_the_models_fields_only(
    fresh_api: Api, model_store: ModelStore, api_settings: Settings, tmp_path: Path
) -> None:
    cases = write_cases(tmp_path / "cases.csv", 20)
    with fresh_api.app.state.sessions() as session:
        caseworker = users.by_id(session, fresh_api.user_ids["caseworker"])
        assert caseworker is not None
        waiting = demo_cases.seed(session, model_store, api_settings, caseworker, cases, utc_now(), 12)
        assert waiting == 12 == len(caseload.awaiting_decision(session))
        rows = session.query(Advice).all()
        assert sorted(a.case_ref for a in rows) == [f"WMO-2026-{i:06d}" for i in range(8, 20)]
        assert all(
            set(a.features) == {"team", "open_debts", "prior_contacts_12m", "months_on_benefit", "documents_complete"}
            for a in rows
        )
        assert session.query(AuditEvent).filter(AuditEvent.kind == "advice.created").count() == 12


def test_seed_names_the_file_and_the_missing_columns(model_store: ModelStore, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,team,received_date,open_debts\nX-1,wmo_meldingen,2026-01-01,2\n", encoding="utf-8")
    effort, integrated = model_store.triage_pair()
    schemas = [effort.schema] + ([integrated.schema] if integrated else [])  # type: ignore[union-attr]
    with pytest.raises(
        ValueError,
        match=r"cases\.csv: columns documents_complete, months_on_benefit, "
        r"prior_contacts_12m are needed",
    ):
        demo_cases.advice_requests(cases, schemas, 12)
