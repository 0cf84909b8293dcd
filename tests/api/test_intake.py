"""Actual intake per team and day: recorded, corrected, audited, refused when wrong, read back as a contract frame."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from casework import intake
from casework.storage import AuditEvent
from tests.api.conftest import Api

URL = "/api/v1/teams/wmo_meldingen/intake"


def put(api: Api, records: list[dict], team_url: str = URL):  # type: ignore[no-untyped-def]
    return api.client.put(team_url, json={"records": records}, headers=api.headers("team_lead"))


def test_intake_is_stored_corrected_and_audited(fresh_api: Api) -> None:
    api = fresh_api
    r = put(api, [{"date": "2026-03-02", "count": 12}, {"date": "2026-03-03", "count": 0}])
    assert r.status_code == 200 and r.json() == {"team": "wmo_meldingen", "recorded": 2}
    assert put(api, [{"date": "2026-03-03", "count": 7}]).json()["recorded"] == 1  # a late registration
    with api.app.state.sessions() as session:
        frame = intake.actuals(session)
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.kind == "intake.recorded").order_by(AuditEvent.seq))
            .scalars()
            .all()
        )
        later = intake.actuals(session, teams=["wmo_meldingen"], start=dt.date(2026, 3, 3))
    assert list(frame.columns) == ["series_id", "date", "value"]
    assert frame.to_dict("records") == [
        {"series_id": "wmo_meldingen", "date": pd.Timestamp("2026-03-02"), "value": 12},
        {"series_id": "wmo_meldingen", "date": pd.Timestamp("2026-03-03"), "value": 7},
    ]
    assert later["value"].tolist() == [7]
    assert len(events) == 2 and '"corrected_days":1' in events[1].payload
    assert api.client.get("/api/v1/audit/verify", headers=api.headers("auditor")).json()["valid"] is True


def test_bad_intake_is_refused_naming_the_field_and_nothing_is_stored(fresh_api: Api) -> None:
    api = fresh_api
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    cases = [
        ([{"date": "2026-03-02", "count": -1}], ["body", "records", 0, "count"]),
        ([{"date": "2026-03-02", "count": 1}, {"date": "2026-03-02", "count": 2}], ["body", "records", 1, "date"]),
        ([{"date": "2026-03-02", "count": 1}, {"date": future, "count": 2}], ["body", "records", 1, "date"]),
        ([{"date": "2 maart", "count": 1}], ["body", "records", 0, "date"]),
    ]
    for records, loc in cases:
        r = put(api, records)
        assert r.status_code == 422, r.text
        assert any(d["loc"] == loc for d in r.json()["detail"]), (records, r.json())
    r = put(api, [{"date": "2026-03-02", "count": 1}], "/api/v1/teams/geen_team/intake")
    assert r.status_code == 403  # not one of the team lead's teams (none that does not exist is)
    assert put(api, []).status_code == 422
    with api.app.state.sessions() as session:
        assert intake.actuals(session).empty
