"""Done-when of issue 7 parts 1-2: simulated use with injected trouble makes monitoring raise the right level.

The API runs in-process (the app behind a TestClient, plugged into the HTTP client that
``simulate-usage`` uses) with toy triage models trained on cases of the same simulator, so that
use without injected trouble does not drift. Each test feeds its own store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow import MlflowClient
from sqlalchemy import select

from casework.config import TRIAGE_EFFORT as EFFORT
from casework.modelstore import ModelStore
from casework.storage import Advice as AdviceRow
from casework.storage import AuditEvent, SwitchChange, User
from flows.monitor import MonitorRun
from models.thresholds import Finding
from tests.api.conftest import new_case
from tests.monitor.live import USE_START, LiveApi, start_live_api
from werkwijzer.client import WerkwijzerClient
from werkwijzer.contracts.characteristics import read_characteristics
from werkwijzer.settings import Settings
from werkwijzer.simulation.usage import Behaviour, simulate_weeks
from werkwijzer.teams import TEAMS
from werkwijzer.usage import UsageSummary, champion_schema, feed_usage

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]  # flows end to end, ~1 min

NOW = dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def use_api(sim_settings: Settings, sim_models: ModelStore, tmp_path: Path) -> Iterator[LiveApi]:
    settings = sim_settings.model_copy(update={"characteristics_path": tmp_path / "audit" / "characteristics.csv"})
    yield from start_live_api(settings, sim_models, tmp_path, NOW)


def use(api: LiveApi, weeks: int, *, drift: float = 0.0, behaviour: Behaviour | None = None) -> UsageSummary:
    api.rng.pinned = None  # the real control share
    client = WerkwijzerClient("http://testserver", api.tokens, http=api.client)
    return feed_usage(
        client,
        simulate_weeks(USE_START, weeks, seed=11),
        champion_schema(api.settings),
        api.settings,
        behaviour=behaviour,
        drift=drift,
        seed=5,
        today=NOW.date(),
    )


def monitor_once(api: LiveApi) -> MonitorRun:
    from flows.monitor import monitor

    return monitor(settings=api.settings, end=NOW + dt.timedelta(hours=1))


def found(run: MonitorRun, metric: str, level: str | None = None, **scope: str) -> list[Finding]:
    return [
        f
        for f in run.findings
        if f.metric == metric
        and (level is None or f.level == level)
        and all(f.scope.get(k) == v for k, v in scope.items())
    ]


def new_advice(api: LiveApi) -> dict:  # type: ignore[type-arg]
    api.rng.pinned = 0.99  # never the control group: only the switch can withhold the suggestion
    r = api.client.post("/api/v1/advice", json=new_case(999_001), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return r.json()


def assert_switched_off_by_monitoring(api: LiveApi, run: MonitorRun, metric: str) -> None:
    """The stop went through the admin button's switch, as user monitor, with the finding as reason,
    in the verified audit trail; and the API now gives no suggestion for that model."""
    assert run.stopped == [EFFORT]
    with api.app.state.sessions() as session:
        change = session.execute(select(SwitchChange).order_by(SwitchChange.id.desc())).scalars().first()
        actor = session.get(User, change.changed_by)
        event = session.execute(select(AuditEvent).where(AuditEvent.kind == "advice_switch.changed")).scalars().one()
    assert (change.scope, change.enabled, actor.name, actor.active) == (EFFORT, False, "monitor", False)
    first = next(f for f in run.findings if f.level == "stop" and f.scope.get("model_name") == EFFORT)
    assert first.metric == metric and first.message_nl in change.reason and event.actor == actor.id
    assert api.client.get("/api/v1/audit/verify", headers=api.headers("auditor")).json()["valid"] is True
    shown = new_advice(api)
    assert shown["suggestion"] is None and shown["reasons"] == []
    assert monitor_once(api).stopped == []  # already off: no second switch entry


def test_ordinary_use_raises_no_stop_and_every_pass_is_on_record(use_api: LiveApi) -> None:
    summary = use(use_api, 8)
    assert summary.advice > 800 and 0 < summary.objections < summary.advised * 0.03
    assert summary.intake_days == 8 * 7 * len(TEAMS)  # every team the API knows
    audit = read_characteristics(summary.characteristics_file, ["age_band", "sex", "migration_background"])
    assert len(audit) == summary.advice  # characteristics only here ...
    with use_api.app.state.sessions() as session:
        stored = json.dumps([a.features for a in session.execute(select(AdviceRow)).scalars()])
    assert not any(word in stored for word in ("migration_background", "buiten_europa", "age_band"))  # ... not there

    run = monitor_once(use_api)

    assert run.stopped == [] and not [f for f in run.findings if f.level == "stop"]
    assert found(run, "psi") == [] and found(run, "agreement") == []
    assert found(run, "fairness", attribute="migration_background", group="buiten_europa", level="warn") == []
    assert new_advice(use_api)["suggestion"] is not None
    assert run.counts["advice"] == summary.advice and any("prognose" in n.lower() for n in run.notes)
    client = MlflowClient(use_api.settings.tracking_uri)
    logged = client.get_run(run.run_id)
    assert logged.data.tags["period_end"] == "2026-09-30T10:00:00"
    assert logged.data.tags["period_start"] == "2026-09-02T10:00:00"
    assert logged.data.tags["findings.stop"] == "0" and logged.data.tags["drift_reference"].endswith("cases.csv")
    assert logged.data.metrics["psi.werkwijzer-triage-effort_class.open_debts"] < 0.1
    history = client.get_metric_history(run.run_id, "count.advice")
    days = (NOW.date() - dt.date(1970, 1, 1)).days  # the step is the period end's day: passes form a series
    assert history[0].step == days and history[0].value == summary.advice
    path = client.download_artifacts(run.run_id, "findings.json", str(use_api.settings.home_dir))
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    assert [r["message_nl"] for r in records] == [f.message_nl for f in run.findings]
    assert {"drift.png", "agreement.png"} <= {Path(a.path).name for a in client.list_artifacts(run.run_id, "plots")}


def test_drift_raises_a_psi_stop_and_switches_advice_off(use_api: LiveApi) -> None:
    use(use_api, 3, drift=1.0)
    run = monitor_once(use_api)
    debts = found(run, "psi", feature="open_debts")
    assert len(debts) == 1 and debts[0].level == "stop" and debts[0].value >= use_api.settings.psi_stop
    assert debts[0].scope["model_name"] == EFFORT and "Aantal openstaande schulden" in debts[0].message_nl
    assert found(run, "psi", feature="team") == []  # the team mix did not move
    from explain.report import parse_period
    from flows.report_registry import period_findings

    read_back = period_findings(MlflowClient(use_api.settings.tracking_uri), parse_period("2026-Q3"))
    assert run.findings and all(f in read_back for f in run.findings)  # the council report shows what was found
    assert_switched_off_by_monitoring(use_api, run, "psi")


def test_a_fairness_breach_raises_a_fairness_stop_for_that_group(use_api: LiveApi) -> None:
    use(use_api, 8, behaviour=Behaviour(fairness_breach=True))
    run = monitor_once(use_api)
    breach = found(run, "fairness", "stop", subject="advice", attribute="migration_background", group="buiten_europa")
    assert breach and all(f.n >= use_api.settings.fairness_min_cell for f in breach)
    assert "referentiegroep" in breach[0].message_nl
    plots = MlflowClient(use_api.settings.tracking_uri).list_artifacts(run.run_id, "plots")
    assert "plots/fairness.png" in {a.path for a in plots}
    assert found(run, "psi") == [] and found(run, "agreement") == []
    assert_switched_off_by_monitoring(use_api, run, "fairness")


def test_rubber_stamping_raises_an_agreement_stop_and_the_api_gives_no_suggestion(use_api: LiveApi) -> None:
    summary = use(use_api, 3, behaviour=Behaviour(rubber_stamp=True))
    assert summary.followed == summary.advised
    run = monitor_once(use_api)
    stamped = found(run, "agreement", "stop", team="wmo_meldingen")
    assert stamped and stamped[0].value == 1.0 and stamped[0].n >= use_api.settings.monitoring_min_n
    by_group = found(run, "agreement", "stop", attribute="migration_background", group="nederland")
    assert by_group and by_group[0].value == 1.0  # per protected group too (item 4), from the audit file
    assert found(run, "psi") == []
    assert_switched_off_by_monitoring(use_api, run, "agreement")
