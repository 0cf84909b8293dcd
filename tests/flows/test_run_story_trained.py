"""A model owner opening the trained store in MLflow finds each run's story there (issue 18 items 2-4), read
back from the real local store the session's demo-like training wrote (``trained_home``, slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow import MlflowClient

from flows.run_story import FORECAST_HEADLINE, NOTE, TRIAGE_HEADLINE
from werkwijzer.formatting import number
from werkwijzer.settings import Settings
from werkwijzer.tracking import EXPERIMENT_KIND, MODEL_TRAINING, run_user
from werkwijzer.vocabulary import FORECAST, TRIAGE_EFFORT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(trained_home: Path) -> MlflowClient:
    uri = Settings(home=trained_home, environment="test").tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _versions(client: MlflowClient, name: str) -> list:  # type: ignore[type-arg]
    return sorted(client.search_model_versions(f"name='{name}'"), key=lambda v: int(v.version))


def test_every_run_tells_its_story_in_both_languages(client: MlflowClient) -> None:
    first, second = _versions(client, TRIAGE_EFFORT)
    for version in (first, second):
        run = client.get_run(version.run_id)
        note = run.data.tags[NOTE]
        dutch, english = note.split("\n\n---\n\n")
        assert dutch.startswith("### Triage-advies: ") and english.startswith("### Triage advice: ")
        assert f"versie {version.version}" in dutch and run.data.tags["data_fingerprint"] in dutch
        for gate in ("performance", "proxy", "fairness", "registry", "shap_additivity"):
            assert f"(`{gate}`)" in dutch and f"(`{gate}`)" in english
        assert "**Eerlijkheid:**" in dutch and "vergelijkingen" in dutch and "band 0,80–1,25" in dutch
        assert f"runs/{run.info.run_id}/artifactPath/triage/model_card.md" in note
        assert "artifactPath/triage/algoritmeregister.json" in note
    # version 1 failed the fairness gate on the biased label; its story says so and why
    assert (
        "| Eerlijkheid (`fairness`) | NIET geslaagd | the training label is biased"
        in client.get_run(first.run_id).data.tags[NOTE]
    )
    # version 1 failed a gate and never became champion: version 2 had nothing to compare with
    assert "er was nog geen champion" in client.get_run(second.run_id).data.tags[NOTE]


def test_versions_and_registered_models_carry_a_description(client: MlflowClient) -> None:
    for name in (TRIAGE_EFFORT, FORECAST):
        model = client.get_registered_model(name)
        assert model.description.startswith("### ") and "\n\n---\n\n" in model.description
        assert "?workflowType=machine_learning" in model.description
        for version in _versions(client, name):
            assert len(version.description) <= 5000
            assert f"runs/{version.run_id}?workflowType=machine_learning" in version.description  # back to the run
            assert ("versie " + str(version.version)) in version.description


def test_the_data_is_logged_as_datasets_with_their_digest(client: MlflowClient, trained_home: Path) -> None:
    version = _versions(client, TRIAGE_EFFORT)[-1]
    inputs = client.get_run(version.run_id).inputs.dataset_inputs
    contexts = {d.tags[0].value: d.dataset for d in inputs}
    assert set(contexts) == {"training", "evaluation"}
    training, evaluation = contexts["training"], contexts["evaluation"]
    assert training.source_type == "local" and str(trained_home / "data" / "cases.csv") in training.source
    assert len(training.digest) == 16 and training.digest != evaluation.digest
    columns = {c["name"] for c in json.loads(training.schema)["mlflow_colspec"]}
    assert "effort_class" in columns and not columns & {"age_band", "sex", "migration_background"}
    evaluated = {c["name"] for c in json.loads(evaluation.schema)["mlflow_colspec"]}
    assert {"age_band", "sex", "migration_background"} <= evaluated  # the fairness audit reads them
    forecast = client.get_run(_versions(client, FORECAST)[-1].run_id)
    intake = next(d.dataset for d in forecast.inputs.dataset_inputs if d.tags[0].value == "training")
    assert intake.name == "intake" and intake.digest == forecast.data.tags["data_fingerprint"][:16]
    rows = json.loads(intake.profile)["num_rows"]
    assert f"{number(rows, 0, 'nl')} tellingen (één per team en periode) in 2 reeksen" in forecast.data.tags[NOTE]


def test_who_trained_it_and_the_model_training_view(client: MlflowClient) -> None:
    for name in (TRIAGE_EFFORT, FORECAST):
        run = client.get_run(_versions(client, name)[-1].run_id)
        assert run.data.tags["mlflow.user"] == run_user() and run.info.user_id == run_user()
        assert client.get_experiment(run.info.experiment_id).tags[EXPERIMENT_KIND] == MODEL_TRAINING


def test_the_pictures_are_artifacts_of_the_run(client: MlflowClient) -> None:
    triage = {Path(a.path).name for a in client.list_artifacts(_versions(client, TRIAGE_EFFORT)[-1].run_id, "plots")}
    for cls in ("complex", "eenvoudig", "gemiddeld"):
        assert {f"shap_beeswarm_{cls}.png", f"shap_waterfall_{cls}.png"} <= triage
    assert {"fairness_fpr.png", "fairness_fnr.png", "fairness_fdr.png", "calibration_by_group.png"} <= triage
    assert len([n for n in triage if n.startswith("shap_dependence_")]) == 3
    assert "shap_summary.png" not in triage and "fairness.png" not in triage  # the unreadable ones are gone
    forecast = {Path(a.path).name for a in client.list_artifacts(_versions(client, FORECAST)[-1].run_id, "plots")}
    assert {"backtest_error.png", "shap_drivers_by_horizon.png"} <= forecast


def test_metric_names_line_up_between_runs_for_mlflow_comparison(client: MlflowClient) -> None:
    first, second = (client.get_run(v.run_id).data.metrics for v in _versions(client, TRIAGE_EFFORT))
    assert set(TRIAGE_HEADLINE) <= set(first) & set(second)
    groups = {k for k in first if k.startswith("group.")}
    assert groups and groups == {k for k in second if k.startswith("group.")}
    forecast = client.get_run(_versions(client, FORECAST)[-1].run_id).data.metrics
    assert set(FORECAST_HEADLINE) <= set(forecast)
