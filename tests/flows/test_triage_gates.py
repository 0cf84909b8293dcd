"""Each promotion gate, pass and fail, decided by flows.triage_steps (no MLflow, no Prefect)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from explain.fairness import FairnessGate, read_justification
from flows import triage_steps as steps
from werkwijzer.contracts import FeatureRegistry, read_cases, read_registry
from werkwijzer.settings import Settings

GOOD = {"roc_auc": 0.74, "baseline_roc_auc": 0.5, "brier": 0.10, "baseline_brier": 0.125}


@pytest.fixture(scope="module")
def sim(sim_dir: Path) -> tuple[pd.DataFrame, FeatureRegistry]:
    registry = read_registry(sim_dir / "feature_registry.yaml")
    return read_cases(sim_dir / "cases.csv", registry), registry


@pytest.fixture(scope="module")
def prep(sim: tuple[pd.DataFrame, FeatureRegistry], settings: Settings) -> steps.Prepared:
    return steps.prepare(*sim, "integrated_approach", settings)


def _gates(
    prep: steps.Prepared,
    metrics: dict | None = None,
    fair: FairnessGate | None = None,
    additivity: float = 1e-15,
    entry_error: str | None = None,
    features: list[str] | None = None,
) -> dict:
    return steps.gates(
        prep,
        {**GOOD, **(metrics or {})},
        fair or FairnessGate(True, "ok"),
        additivity,
        entry_error,
        features or [f["name"] for f in prep.features],
    )


def test_all_gates_pass_for_a_sound_configuration(prep: steps.Prepared) -> None:
    assert all(g["passed"] for g in _gates(prep).values())
    assert set(_gates(prep)) == {"performance", "proxy", "fairness", "registry", "shap_additivity"}


@pytest.mark.parametrize(
    ("change", "gate", "words"),
    [
        ({"metrics": {"roc_auc": 0.51}}, "performance", "not better than the prior-only baseline"),
        ({"metrics": {"brier": 0.2}}, "performance", "not better than the prior-only baseline"),
        ({"fair": FairnessGate(False, "fpr of sex=man vs vrouw is 1.9")}, "fairness", "fpr of sex=man"),
        ({"additivity": 1e-3}, "shap_additivity", "1.00e-03"),
        ({"entry_error": "'name' is required"}, "registry", "'name' is required"),
    ],
)
def test_each_gate_fails_with_its_reason(prep: steps.Prepared, change: dict, gate: str, words: str) -> None:
    result = _gates(prep, **change)
    assert not result[gate]["passed"]
    assert words in result[gate]["reason"]
    assert all(g["passed"] for name, g in result.items() if name != gate)


def test_proxy_gate_fails_when_a_blocked_proxy_reaches_the_model(
    sim: tuple[pd.DataFrame, FeatureRegistry], settings: Settings
) -> None:
    cases, registry = sim
    cases = cases.assign(service_point=cases["postcode_district"])
    base = registry.model_dump()
    spec = {
        "name": "service_point",
        "kind": "categorical",
        "status": "approved",
        "rationale": "r",
        "label_nl": "Servicepunt",
        "label_en": "Service point",
    }
    proxied = FeatureRegistry.model_validate({**base, "features": [*base["features"], spec]})
    prep = steps.prepare(cases, proxied, "integrated_approach", settings)
    names = [f["name"] for f in prep.features]
    assert "service_point" not in names and "service_point" in prep.blocked
    excluded = {e["feature"]: e["reason"] for e in prep.excluded}
    assert "migration_background" in excluded["service_point"]
    passed = _gates(prep)["proxy"]
    assert passed["passed"] and "left out: " in passed["reason"] and "service_point" in passed["reason"]
    leaked = _gates(prep, features=[*names, "service_point"])["proxy"]
    assert not leaked["passed"] and "service_point" in leaked["reason"]


def test_prepare_normalises_yes_no_labels_and_positive(
    sim: tuple[pd.DataFrame, FeatureRegistry], settings: Settings
) -> None:
    cases, registry = sim
    cases = cases.assign(needs_help=cases["integrated_approach"].map({True: "Yes", False: "No"}))
    prep = steps.prepare(cases, registry, "needs_help", settings, positive="yes")
    assert prep.positive == "Yes" and set(prep.y) == {"Yes", "No"}
    from werkwijzer.contracts import ContractError

    with pytest.raises(ContractError, match="positive"):
        steps.prepare(cases, registry, "needs_help", settings, positive="maybe")
    with pytest.raises(ContractError, match="protected"):
        steps.prepare(cases, registry, "sex", settings)


@pytest.mark.slow
def test_a_justification_lets_the_biased_label_pass_on_the_record(
    sim: tuple[pd.DataFrame, FeatureRegistry], settings: Settings, sim_dir: Path, tmp_path: Path
) -> None:
    from werkwijzer.contracts import read_norms

    path = tmp_path / "justification.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "legitimate_aim": "Plan the handling time of cases so that everyone gets help in time.",
                "suitability": "The effort class predicts handling hours better than the team average.",
                "necessity": "No label without the historical bias exists yet for this team.",
                "proportionality": "Advice only; the caseworker decides; monitored monthly per group.",
                "ethical_desirability": "Discussed with the client council; accepted for six months only.",
            }
        ),
        encoding="utf-8",
    )
    prep = steps.prepare(*sim, "effort_class", settings)
    train_idx, test_idx = steps.split(prep)
    model = steps.train(prep, train_idx, settings)
    norms = read_norms(sim_dir / "norms.csv")
    refused = steps.assess(prep, model, train_idx, test_idx, settings, None, norms)["gate"]
    assert not refused.passed and refused.reason.startswith("the training label is biased")
    accepted = steps.assess(prep, model, train_idx, test_idx, settings, read_justification(path), norms)["gate"]
    assert accepted.passed and accepted.justified and "justification.yaml" in accepted.reason
