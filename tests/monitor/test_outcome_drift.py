"""Done-when of issue 17 part 2: a drift only outcomes reveal is found by monitoring, end to end.

Simulated use goes through the API in-process (as ``test_usage_monitoring``), now with the outcomes
of closed cases. The champions are toy models trained on simulated cases; the test-set figures "the
gate approved" are their honest audit on held-out simulated cases against the simulator's truth,
published as the training flow publishes them (``triage/fairness.csv``, small cells suppressed). With
outcome drift, one group's cases turn out lighter than advised while caseworkers keep deciding as
before: agreement and the advice-versus-decision fairness stay quiet, the error rates from outcomes
rise for that group, for both served models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient

from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.modelstore import ModelStore
from explain.fairness import audit, export_table
from flows.monitor import MonitorRun
from tests.api.toymodels import TOY_LIBRARY
from tests.monitor.live import TRAINING_START, USE_START, LiveApi, register_simulated_models, start_live_api
from werkwijzer.client import WerkwijzerClient
from werkwijzer.privacy import MIN_CELL
from werkwijzer.settings import Settings
from werkwijzer.simulation.usage import Behaviour, model_input, servable, simulate_weeks
from werkwijzer.usage import UsageSummary, champion_schema, feed_usage, protected_characteristics

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]  # flows end to end

NOW = dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC)
WEEKS = 5
# The group whose cases turn out lighter than advised: a large one, so that five weeks of outcomes fill
# every cell of its confusion matrices beyond the small-cell minimum (the origin group the simulator
# biases is 18 % of cases: too few for that in five weeks, suppressed as it should be).
DRIFTED = ("sex", "vrouw")


def publish_test_figures(settings: Settings, store: ModelStore) -> None:
    """Each champion's audit on held-out cases against the truth, logged as its ``triage/fairness.csv``."""
    held_out = servable(simulate_weeks(TRAINING_START, 13, seed=97).cases, store.effort.schema["features"])
    groups = held_out[protected_characteristics()].reset_index(drop=True)
    client = MlflowClient(settings.tracking_uri)
    for bundle in (store.effort, store.integrated):
        features = bundle.schema["features"]
        rows = pd.DataFrame([model_input(c, features) for c in held_out.to_dict("records")])
        proba = bundle.model.predict_proba(rows)
        classes = [str(c) for c in bundle.model.classes_]
        predicted = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
        if bundle.name == TRIAGE_EFFORT:
            table = audit(held_out["true_effort_class"].to_numpy(), predicted, groups, classes=classes)
        else:
            truth = np.where(held_out["integrated_approach"].eq("true"), "True", "False")
            table = audit(truth, predicted, groups, positive="True", classes=classes)
        folder = settings.home_dir / f"approved-{bundle.name}"
        folder.mkdir(parents=True, exist_ok=True)
        export_table(table, MIN_CELL).to_csv(folder / "fairness.csv", index=False)
        client.log_artifact(bundle.run_id, str(folder / "fairness.csv"), "triage")


@pytest.fixture(scope="module")
def approved_models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, ModelStore]:
    settings = Settings(home=tmp_path_factory.mktemp("outcome-home"), environment="test", seed=7, control_share=0.05)
    register_simulated_models(settings, tmp_path_factory.mktemp("outcome-training"))
    store = ModelStore(settings, TOY_LIBRARY)
    assert all(r.status == "loaded" for r in store.reload().values())
    publish_test_figures(settings, store)
    return settings, store


@pytest.fixture
def outcome_api(approved_models: tuple[Settings, ModelStore], tmp_path: Path) -> Iterator[LiveApi]:
    settings, store = approved_models
    settings = settings.model_copy(update={"characteristics_path": tmp_path / "audit" / "characteristics.csv"})
    yield from start_live_api(settings, store, tmp_path, NOW)


def use_and_monitor(api: LiveApi, behaviour: Behaviour, weeks: int = WEEKS) -> tuple[UsageSummary, MonitorRun]:
    from flows.monitor import monitor

    api.rng.pinned = None
    client = WerkwijzerClient("http://testserver", api.tokens, http=api.client)
    summary = feed_usage(
        client,
        simulate_weeks(USE_START, weeks, seed=11),
        champion_schema(api.settings),
        api.settings,
        behaviour=behaviour,
        outcomes=True,
        seed=5,
        today=NOW.date(),
    )
    return summary, monitor(settings=api.settings, end=NOW + dt.timedelta(hours=1))


def rises(run: MonitorRun, model: str, level: tuple[str, ...] = ("warn", "stop")) -> list:  # type: ignore[type-arg]
    return [
        f for f in run.findings if f.metric == "error_rise" and f.scope.get("model_name") == model and f.level in level
    ]


def test_outcome_drift_is_found_from_outcomes_for_every_served_model(outcome_api: LiveApi) -> None:
    summary, run = use_and_monitor(outcome_api, Behaviour(outcome_drift=0.6, outcome_drift_group=DRIFTED))
    assert summary.outcomes > 400 and run.counts["outcomes"] == summary.outcomes
    found = rises(run, TRIAGE_EFFORT)
    by_sex = [f for f in found if f.scope["attribute"] == DRIFTED[0]]
    assert by_sex, [f.message_en for f in run.findings]
    # that group and not the other (other characteristics may rise with it: its cases are in their groups too)
    assert {f.scope["group"] for f in by_sex} == {DRIFTED[1]}
    assert all(f.extra["live"] > f.extra["test"] for f in found)
    assert TRIAGE_EFFORT in run.stopped  # a stop switches the advice off, as any other stop
    # what compares the model with the caseworker sees nothing of it: they kept agreeing as before
    assert not [f for f in run.findings if f.metric in ("agreement", "override_surge", "psi")]
    assert not [f for f in run.findings if f.metric == "fairness" and f.scope.get("attribute") == DRIFTED[0]]
    # the integrated-approach model is measured too, per group; its rare positive advice leaves cells under
    # the minimum in five weeks, and those rows are published suppressed, never as small numbers
    client = MlflowClient(outcome_api.settings.tracking_uri)
    path = client.download_artifacts(run.run_id, "error_rates.csv", str(outcome_api.settings.home_dir))
    table = pd.read_csv(path)
    integrated = table[table["model_name"] == TRIAGE_INTEGRATED]
    assert set(integrated["attribute"]) == set(protected_characteristics())
    assert integrated["fpr_test"].notna().any()  # compared with what the gate approved
    small = integrated[integrated["suppressed"]]
    assert small[["tn", "fp", "fn", "tp", "fpr", "fpr_low"]].isna().all().all()
    logged = client.get_run(run.run_id).data.metrics
    assert any(k.startswith(f"error_rate.{TRIAGE_EFFORT}.") for k in logged)


# The integrated-approach model advises an integrated approach rarely: only the largest group fills every
# cell of its confusion matrix in five weeks once part of its advised cases turn out not to need one (the
# false discoveries that drift adds). That rise is what outcomes show; the effort class does not drift.
INTEGRATED_DRIFTED = ("migration_background", "nederland")


def test_integrated_approach_drift_is_found_from_outcomes(outcome_api: LiveApi) -> None:
    behaviour = Behaviour(
        outcome_drift=0.5, outcome_drift_group=INTEGRATED_DRIFTED, outcome_drift_target="integrated_approach"
    )
    summary, run = use_and_monitor(outcome_api, behaviour)
    assert summary.outcomes > 400
    client = MlflowClient(outcome_api.settings.tracking_uri)
    table = pd.read_csv(client.download_artifacts(run.run_id, "error_rates.csv", str(outcome_api.settings.home_dir)))
    integrated = table[table["model_name"] == TRIAGE_INTEGRATED]
    found = rises(run, TRIAGE_INTEGRATED)
    assert found, integrated.to_string()
    assert {(f.scope["attribute"], f.scope["group"]) for f in found} == {INTEGRATED_DRIFTED}
    assert all(f.extra["live"] > f.extra["test"] for f in found)
    assert {f.scope["rate"] for f in found} <= {"fpr", "fdr"}  # wrongly advised an integrated approach
    row = integrated[
        (integrated["attribute"] == INTEGRATED_DRIFTED[0]) & (integrated["group"] == INTEGRATED_DRIFTED[1])
    ]
    assert not row["suppressed"].iloc[0] and (row[["tn", "fp", "fn", "tp"]] >= MIN_CELL).all(axis=None)
    assert rises(run, TRIAGE_EFFORT) == []  # the effort class turned out as advised: no rise there
    assert TRIAGE_INTEGRATED in run.stopped and TRIAGE_EFFORT not in run.stopped


def test_without_drift_outcomes_raise_no_warning(outcome_api: LiveApi) -> None:
    summary, run = use_and_monitor(outcome_api, Behaviour())
    assert summary.outcomes > 400
    assert rises(run, TRIAGE_EFFORT) == [] and rises(run, TRIAGE_INTEGRATED) == []
    assert not run.stopped
