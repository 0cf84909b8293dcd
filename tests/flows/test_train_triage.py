"""The triage flow end to end on the small simulated municipality (slow: trains and registers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows.triage_steps import REPORT_FILES
from werkwijzer.settings import Settings

pytestmark = pytest.mark.slow
PROTECTED = {"age_band", "sex", "migration_background"}
ADR_TRIAGE = {
    "model.skops",
    "schema.json",
    "background.parquet",
    "gates.json",
    "model_card.json",
    "model_card.md",
    "algoritmeregister.json",
    "fairness.csv",
}


@pytest.fixture(scope="module")
def runs(
    sim_dir: Path, settings: Settings, prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    from flows.train_triage import train_triage

    common = {"settings": settings, "norms_path": str(sim_dir / "norms.csv")}
    cases, registry = str(sim_dir / "cases.csv"), str(sim_dir / "feature_registry.yaml")
    out = {}
    for key, target, repair in (
        ("integrated", "integrated_approach", None),
        ("biased", "effort_class", None),
        ("repaired", "effort_class", "hours"),
    ):
        folder = tmp_path_factory.mktemp(key)
        out[key] = (train_triage(cases, registry, target, label_repair=repair, out_dir=str(folder), **common), folder)
    return out


def _client(settings: Settings):
    from werkwijzer.tracking import configure_mlflow

    return configure_mlflow(settings)


def test_unbiased_target_passes_every_gate_and_becomes_the_candidate_not_the_champion(
    runs: dict, settings: Settings, sim_dir: Path
) -> None:
    """ADR 0019: passing every gate makes a candidate; only a person's approval makes the champion."""
    from werkwijzer.tracking import champion_version, run_user

    run, _ = runs["integrated"]
    assert run.candidate, run.gates
    client = _client(settings)
    candidate = client.get_model_version_by_alias("werkwijzer-triage-integrated_approach", "candidate")
    assert champion_version(client, "werkwijzer-triage-integrated_approach") is None, "no person approved it"
    assert str(candidate.version) == run.version and candidate.run_id == run.run_id
    assert {f"gate.{g}" for g in run.gates} <= set(candidate.tags)
    assert all(candidate.tags[f"gate.{g}"] == "passed" for g in run.gates)
    assert candidate.tags["trained_by"] == run_user()  # four eyes: who trained it may not approve it
    data = client.get_run(run.run_id).data
    assert {"code_version", "data_fingerprint", "seed", "dep.scikit-learn", "gate.fairness"} <= set(data.tags)
    assert data.tags["training_cases"] == str((sim_dir / "cases.csv").resolve())  # monitoring's drift reference
    assert {"roc_auc", "baseline_roc_auc", "brier", "group.sex.man.roc_auc", "group.age_band.67plus.roc_auc"} <= set(
        data.metrics
    )
    exported = pd.read_csv(runs["integrated"][1] / "fairness.csv")
    for _, row in exported[exported["suppressed"]].iterrows():  # small cells are not published in MLflow
        assert f"fairness.true.{row['attribute']}.{row['group']}.fpr".replace("+", "plus") not in data.metrics


def test_artifacts_follow_adr_0003_and_hold_no_protected_characteristic(
    runs: dict, settings: Settings, tmp_path: Path
) -> None:
    import mlflow.pyfunc
    from mlflow.artifacts import download_artifacts

    from models.triage import load_model

    run, _ = runs["integrated"]
    _client(settings)
    local = Path(download_artifacts(run_id=run.run_id, dst_path=str(tmp_path)))
    assert {p.name for p in (local / "triage").iterdir()} >= ADR_TRIAGE
    assert (local / "model" / "MLmodel").is_file()
    schema = json.loads((local / "triage" / "schema.json").read_text())
    assert schema["model_name"] == "werkwijzer-triage-integrated_approach"
    assert schema["classes"] == ["false", "true"] and schema["positive"] == "true"
    names = {f["name"] for f in schema["features"]}
    assert names and not names & PROTECTED
    assert all(f["label_nl"] and f["label_en"] for f in schema["features"])
    background = pd.read_parquet(local / "triage" / "background.parquet")
    assert len(background) <= 200 and not set(background.columns) & PROTECTED
    model = load_model(local / "triage" / "model.skops")
    assert not set(model.feature_names_in_) & PROTECTED
    pyfunc = mlflow.pyfunc.load_model(str(local / "model"))
    inputs = {c.name for c in pyfunc.metadata.get_input_schema().inputs}
    assert inputs == names
    prediction = pyfunc.predict(background.head(3))
    assert list(prediction.columns) == ["p_false", "p_true", "suggestion"]


def test_the_biased_effort_label_fails_fairness_with_a_readable_reason(runs: dict, settings: Settings) -> None:
    run, folder = runs["biased"]
    assert not run.candidate
    assert not run.gates["fairness"]["passed"]
    client = _client(settings)
    version = client.get_model_version("werkwijzer-triage-effort_class", run.version)
    metrics = client.get_run(run.run_id).data.metrics
    assert {"fairness.eenvoudig.migration_background.buiten_europa.fdr", "fairness.complex.sex.man.fpr"} <= set(metrics)
    assert version.tags["gate.fairness"].startswith("failed: the training label is biased")
    assert "migration_background=buiten_europa" in version.tags["gate.fairness"]
    assert "hoger ingedeeld dan de behandeluren" in (folder / "fairness.md").read_text()
    label_audit = pd.read_csv(folder / "label_audit.csv").set_index(["attribute", "group"])
    assert label_audit.loc[("migration_background", "buiten_europa"), "share_above_ratio"] > 2


def test_label_repair_gives_a_passing_candidate_under_the_same_name(runs: dict, settings: Settings) -> None:
    run, folder = runs["repaired"]
    assert run.model_name == "werkwijzer-triage-effort_class"
    assert run.candidate, run.gates
    candidate = _client(settings).get_model_version_by_alias(run.model_name, "candidate")
    assert candidate.run_id == run.run_id
    report = (folder / "fairness.md").read_text()
    assert "comparison with the human process" in report  # the historical label audited side by side
    card = json.loads((folder / "model_card.json").read_text())
    assert card["label"]["source"].startswith("repaired")


def test_cli_report_set_is_complete_and_the_proxy_is_caught(runs: dict) -> None:
    _run, folder = runs["integrated"]
    for name in REPORT_FILES:
        assert (folder / name).is_file(), name
    metrics = json.loads((folder / "metrics.json").read_text())
    assert {"roc_auc", "pr_auc", "brier", "model_type", "n_train", "n_test"} <= set(metrics)
    assert metrics["roc_auc"] > metrics["baseline_roc_auc"]
    scan = pd.read_csv(folder / "proxy_scan.csv")
    postcode = scan[(scan["feature"] == "postcode_district") & (scan["protected"] == "migration_background")]
    assert bool(postcode["strong"].iloc[0])
    assert not set(json.loads((folder / "features.json").read_text())) & PROTECTED
    card = json.loads((folder / "model_card.json").read_text())
    excluded = {e["feature"]: e["reason"] for e in card["excluded_features"]}
    assert "deny-list" in excluded["postcode_district"] and "protected" in excluded["sex"]
    assert card["defaults_to_replace"]
    assert card["target_label_nl"] == "Integrale aanpak nodig"
    stages = pd.read_csv(folder / "fairness_by_stage.csv")
    assert set(stages["stage"]) == {"train", "test"}


def test_retraining_from_the_same_data_and_seed_gives_the_same_metrics(
    runs: dict, sim_dir: Path, settings: Settings
) -> None:
    from flows import triage_steps as steps
    from werkwijzer.contracts import read_cases, read_registry

    run, _ = runs["integrated"]
    registry = read_registry(sim_dir / "feature_registry.yaml")
    prep = steps.prepare(read_cases(sim_dir / "cases.csv", registry), registry, "integrated_approach", settings)
    train_idx, test_idx = steps.split(prep)
    model = steps.train(prep, train_idx, settings, test_idx)
    again = steps.assess(prep, model, train_idx, test_idx, settings, None, None)["metrics"]
    for key in ("roc_auc", "pr_auc", "brier"):
        assert again[key] == pytest.approx(run.metrics[key], abs=1e-12)


def test_the_plain_peer_comparison_is_logged_tagged_and_on_the_model_card(runs: dict, settings: Settings) -> None:
    """What plain scikit-learn would have scored is in the run, on each version and in the card (issue 20)."""
    from models.plain_peers import PEERS

    run, folder = runs["integrated"]
    client = _client(settings)
    metrics = client.get_run(run.run_id).data.metrics
    for peer in PEERS:
        assert {f"peer.{peer}.{m}" for m in ("roc_auc", "pr_auc", "brier", "ece")} <= set(metrics)
    assert metrics["peer.roc_auc_gap"] == pytest.approx(
        metrics["roc_auc"] - max(metrics[f"peer.{p}.roc_auc"] for p in PEERS), abs=1e-9
    )
    tags = client.get_model_version(run.model_name, run.version).tags
    assert float(tags["comparison.logistic_regression"]) == pytest.approx(
        metrics["peer.logistic_regression.roc_auc"], abs=1e-4
    )
    assert float(tags["comparison.model"]) == pytest.approx(metrics["roc_auc"], abs=1e-4)
    card = json.loads((folder / "model_card.json").read_text())
    assert set(card["comparison"]["peers"]) == set(PEERS)
    assert card["comparison"]["model"]["roc_auc"] == pytest.approx(metrics["roc_auc"])
    markdown = (folder / "model_card.md").read_text()
    assert "Vergelijking met eenvoudige modellen" in markdown and "LogisticRegression" in markdown
    assert json.loads((folder / "plain_peers.json").read_text())["best_peer"] in PEERS


def test_the_choice_among_candidates_and_the_cost_of_the_gates_are_recorded(runs: dict, settings: Settings) -> None:
    """ADR 0016: every version says which candidate it is, which was the most accurate, and (when
    the gates refused that one) why and what it would have scored on the same test cases."""
    client = _client(settings)
    for key, (run, folder) in runs.items():
        selection = json.loads((folder / "selection.json").read_text())
        names = [c["name"] for c in selection["candidates"]]
        assert "glassbox:spline:C=1" in names and "boosting" in names, "the pre-issue-20 model is a candidate"
        assert selection["chosen"] in names and selection["most_accurate"] == names[0]
        assert selection["chosen_test"]["roc_auc"] == pytest.approx(run.metrics["roc_auc"])
        tags = client.get_model_version(run.model_name, run.version).tags
        assert tags["selection.chosen"] == selection["chosen"], key
        assert tags["selection.most_accurate"] == selection["most_accurate"]
        metrics = client.get_run(run.run_id).data.metrics
        assert metrics["selection.cost_cv_roc_auc"] == pytest.approx(selection["cost_cv_roc_auc"])
        card = json.loads((folder / "model_card.json").read_text())
        assert card["selection"]["chosen"] == card["model"]["candidate"] == selection["chosen"]
        markdown = (folder / "model_card.md").read_text()
        assert "## Keuze van het model / model choice" in markdown
        if selection["chosen"] != selection["most_accurate"]:
            assert "Niet gekozen / not taken" in markdown and "comparison.most_accurate" in tags
            assert tags["selection.refused"]
    # The historical effort label: its decisions fail the fairness audit for every candidate already
    # out of fold; the version is registered with the most accurate one and refused (as before).
    biased = json.loads((runs["biased"][1] / "selection.json").read_text())
    assert biased["none_admissible"] and biased["chosen"] == biased["most_accurate"]
    assert all("fairness" in c["reason"] for c in biased["candidates"])
    assert not runs["biased"][0].candidate
