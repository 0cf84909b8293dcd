"""The monitoring flow's own choices: which weeks count against the forecast, and what a forecast stop does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from casework.config import FORECAST, TRIAGE_EFFORT
from casework.storage import SwitchChange
from flows.monitor_tables import agreement, typed_input, weekly_actuals
from tests.api.conftest import new_case
from tests.monitor.live import LiveApi
from werkwijzer.teams import EFFORT_CLASSES


def test_only_complete_weeks_count_and_they_are_labelled_by_their_monday() -> None:
    days = pd.date_range("2026-11-30", "2026-12-09", freq="D")  # one full week, then three days
    daily = pd.DataFrame({"series_id": "wmo_meldingen", "date": days, "value": 2})
    weeks = weekly_actuals(daily.drop(index=3))  # a missing Thursday makes the first week incomplete too
    assert weeks.empty
    weeks = weekly_actuals(daily)
    assert weeks.to_dict("records") == [{"series_id": "wmo_meldingen", "date": pd.Timestamp("2026-11-30"), "value": 14}]


def test_input_is_typed_by_the_schema_on_both_sides_of_the_drift_comparison() -> None:
    features = [
        {"name": "n", "kind": "numeric"},
        {"name": "b", "kind": "boolean"},
        {"name": "c", "kind": "categorical"},
    ]
    from_file = pd.DataFrame({"n": ["1", "", "2.5"], "b": ["true", "false", ""], "c": ["x", "y", ""]})
    from_api = pd.DataFrame({"n": [1, None, 2.5], "b": [True, False, None], "c": ["x", "y", None]})
    assert typed_input(from_file, features).equals(typed_input(from_api, features))


def test_agreement_is_measured_per_protected_group_from_the_audit_file(tmp_path: Path) -> None:
    from flows.monitor_record import table_metrics
    from models.thresholds import evaluate
    from werkwijzer.settings import Settings

    n = 60 + 60 + 5 + 3  # nederland, buiten_europa, europa (a small group), a case the audit file lacks
    decisions = pd.DataFrame(
        {
            "case_ref": [f"C{i}" for i in range(n)],
            "advised": True,
            "model_name": TRIAGE_EFFORT,
            "team": "wmo_meldingen",
            "model_version": "2",
            "score": 0.6,
            "followed": [i % 2 == 0 for i in range(60)] + [True] * (n - 60),
        }
    )
    audit = pd.DataFrame(
        {
            "case_id": [f"C{i}" for i in range(125)],
            "migration_background": ["nederland"] * 60 + ["buiten_europa"] * 60 + ["europa"] * 5,
        }
    )
    table = agreement(decisions, audit, min_cell=10)
    groups = table[table["attribute"].notna()].set_index("group")
    assert groups["agreement_rate"].to_dict() == {"buiten_europa": 1.0, "nederland": 0.5}  # europa, (ontbrekend): < 10
    assert int(groups.loc["buiten_europa", "n"]) == 60
    assert "attribute" not in agreement(decisions)  # without the audit file: no groups

    settings = Settings(home=tmp_path, environment="test")
    found = [f for f in evaluate(settings, agreement=table) if f.scope.get("attribute")]
    assert [(f.scope["group"], f.level) for f in found] == [("buiten_europa", "stop")]
    assert found[0].message_nl.endswith(f"(model {TRIAGE_EFFORT}, kenmerk herkomst, groep buiten europa).")
    metrics = table_metrics(
        {
            "psi": pd.DataFrame(),
            "forecast": pd.DataFrame(),
            "agreement": table,
            "surge": pd.DataFrame(),
            "fairness": pd.DataFrame(),
            "objections": pd.DataFrame(),
        }
    )
    assert metrics[f"agreement.{TRIAGE_EFFORT}.migration_background.buiten_europa"] == 1.0
    assert not [k for k in metrics if ".europa" in k or "ontbrekend" in k]  # small groups leave no trace


@pytest.mark.usefixtures("prefect_harness")
def test_a_forecast_far_off_is_a_stop_finding_that_switches_no_advice_off(live_api: LiveApi) -> None:
    from flows.monitor import monitor

    api = live_api
    api.clock.now = dt.datetime(2027, 2, 5, 9, tzinfo=dt.UTC)
    days = pd.date_range("2026-11-30", "2027-01-31", freq="D")  # the toy forecast's first nine weeks
    for team, per_day in (("wmo_meldingen", 2), ("bijstand_aanvragen", 6)):  # forecast 80 and 40 a week
        body = {"records": [{"date": d.date().isoformat(), "count": per_day} for d in days]}
        r = api.client.put(f"/api/v1/teams/{team}/intake", json=body, headers=api.headers("team_lead"))
        assert r.status_code == 200, r.text

    run = monitor(settings=api.settings, end=dt.datetime(2027, 2, 5, 10))

    off = [f for f in run.findings if f.metric == "forecast_smape"]
    assert [(f.scope["team"], f.level, f.n) for f in off] == [("wmo_meldingen", "stop", 9)]
    assert off[0].scope["model_name"] == FORECAST and "team Wmo meldingen" in off[0].message_nl
    band = [f for f in run.findings if f.metric == "forecast_coverage95"]
    assert [(f.scope["team"], f.level, f.value) for f in band] == [("wmo_meldingen", "stop", 0.0)]
    assert run.stopped == []  # a forecast has no advice to withhold
    with api.app.state.sessions() as session:
        assert session.execute(select(SwitchChange)).first() is None
    assert any("auditbestand" in note for note in run.notes)  # no characteristics file: fairness not measured


def _advise_and_decide(api: LiveApi, n: int, first: int, at: dt.datetime, deviate_every: int) -> None:
    """``n`` advised cases of one team at ``at``; every ``deviate_every``-th decision overrides the advice."""
    api.clock.now = at
    api.rng.pinned = 0.99  # never the control group
    for i in range(first, first + n):
        shown = api.client.post(
            "/api/v1/advice", json=new_case(i, open_debts=i % 7), headers=api.headers("caseworker")
        ).json()
        suggested = shown["suggestion"]["suggested_effort_class"]
        if deviate_every and i % deviate_every == 0:
            other = next(c for c in EFFORT_CLASSES if c != suggested)
            body = {"outcome": "deviated", "final_effort_class": other, "motivation": "Anders ingeschat."}
        else:
            body = {"outcome": "followed", "final_effort_class": suggested}
        r = api.client.post(
            f"/api/v1/advice/{shown['advice_id']}/decision", json=body, headers=api.headers("caseworker")
        )
        assert r.status_code == 201, r.text


@pytest.mark.usefixtures("prefect_harness")
def test_an_override_surge_against_the_window_before_is_found(live_api: LiveApi) -> None:
    from flows.monitor import monitor

    _advise_and_decide(live_api, 60, 1, dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC), deviate_every=10)  # baseline
    _advise_and_decide(live_api, 60, 100, dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), deviate_every=2)

    state = monitor(settings=live_api.settings, end=dt.datetime(2026, 3, 12), return_state=True)
    run = state.result()

    surge = [f for f in run.findings if f.metric == "override_surge"]
    assert [(f.scope["team"], f.level, f.n) for f in surge] == [("wmo_meldingen", "stop", 60)]
    assert surge[0].value == pytest.approx(0.5 - 0.1)
    assert [f for f in run.findings if f.metric == "agreement"] == []  # 50 % agreement: no automation bias
    assert run.stopped == [TRIAGE_EFFORT]
    page = flow_run_markdown(state.state_details.flow_run_id)
    assert page.startswith("# Monitoring 12-02-2026 tot 12-03-2026")
    assert "Bekeken: 60 adviesvragen, 60 beslissingen, 0 bezwaren." in page
    stops = sum(f.level == "stop" for f in run.findings)
    assert f"| stop | {stops} |" in page and f"**Het advies is uitgezet** voor: {TRIAGE_EFFORT}." in page
    assert f"- {surge[0].message_nl}" in page


def flow_run_markdown(flow_run_id) -> str:  # type: ignore[no-untyped-def]
    """The markdown artifact ``monitoring-findings`` the flow run left in Prefect."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                key=ArtifactFilterKey(any_=["monitoring-findings"]),
            )
        )
    assert [a.type for a in artifacts] == ["markdown"]
    return str(artifacts[0].data)
