"""The plain scikit-learn peers, the measuring parts of ``benchmarks/triage_quality.py``, and the
floor: the chosen triage model does not lose to a plain LogisticRegression (issue 20)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.plain_peers import PEERS, calibration_difference, gap_to_best_peer, measure, peer_scores, plain_peer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import triage_quality  # benchmarks/triage_quality.py

SIM_END = pd.Timestamp("2026-11-22").date()


def test_measure_scores_perfect_and_uninformative_probabilities() -> None:
    classes = np.array(["false", "true"], dtype=object)
    y = np.array(["false", "true"] * 50, dtype=object)
    perfect = np.column_stack([(y == "false").astype(float), (y == "true").astype(float)])
    scores = measure(y, perfect, classes, "true")
    assert scores["roc_auc"] == pytest.approx(1.0) and scores["pr_auc"] == pytest.approx(1.0)
    assert scores["brier"] == pytest.approx(0.0, abs=1e-12) and scores["ece"] == pytest.approx(0.0, abs=1e-12)
    overconfident = np.tile([0.1, 0.9], (len(y), 1))  # says 90 % for everyone, half are positive
    scores = measure(y, overconfident, classes, "true")
    assert scores["roc_auc"] == pytest.approx(0.5)
    assert scores["brier"] == pytest.approx(0.5 * 0.1**2 + 0.5 * 0.9**2)
    assert scores["ece"] == pytest.approx(0.4)


def test_gap_to_best_peer_picks_the_best_auc_and_signs_the_differences() -> None:
    peers = {
        "logistic_regression": {"roc_auc": 0.887, "brier": 0.10, "ece": 0.02},
        "hist_gradient_boosting": {"roc_auc": 0.844, "brier": 0.12, "ece": 0.05},
    }
    gap = gap_to_best_peer({"roc_auc": 0.868, "brier": 0.11, "ece": 0.01}, peers)
    assert gap["best_peer"] == "logistic_regression"
    assert gap["roc_auc_gap"] == pytest.approx(-0.019)
    assert gap["brier_excess"] == pytest.approx(0.01) and gap["ece_excess"] == pytest.approx(-0.01)
    # calibration: "no worse" = the 95 % interval of the difference reaches 0 (no tolerance of our own)
    gap.update({"brier_low": 0.002, "ece_low": -0.01})
    verdict = triage_quality.floor_verdict(gap)
    assert verdict == {"auc": False, "brier": False, "ece": True, "all": False}
    assert triage_quality.floor_verdict({**gap, "roc_auc_gap": -0.004, "brier_low": 0.0})["all"]


def test_calibration_difference_is_the_difference_with_its_paired_bootstrap_interval() -> None:
    from models.triage_metrics import calibration_table, expected_calibration_error, score_probabilities

    rng = np.random.default_rng(1)
    for classes in (np.array(["false", "true"], dtype=object), np.array(["a", "b", "c"], dtype=object)):
        y = rng.choice(classes, 600)
        good = rng.dirichlet(np.ones(len(classes)), 600) * 0.5 + 0.5 * (y[:, None] == classes[None, :])
        bad = good**3 / (good**3).sum(axis=1, keepdims=True)  # overconfident: worse calibrated
        positive = "true" if len(classes) == 2 else None
        out = calibration_difference(y, bad, good, classes, positive, n_boot=200)
        brier = [score_probabilities(y, p, classes, positive)["brier"] for p in (bad, good)]
        ece = [expected_calibration_error(calibration_table(y, p, classes)) for p in (bad, good)]
        assert out["brier_difference"] == pytest.approx(brier[0] - brier[1])
        assert out["ece_difference"] == pytest.approx(ece[0] - ece[1])
        assert out["brier_low"] <= out["brier_difference"] <= out["brier_high"]
        assert out["ece_low"] <= out["ece_difference"] <= out["ece_high"]
        same = calibration_difference(y, good, good, classes, positive, n_boot=50)
        assert same["brier_low"] == same["brier_high"] == same["ece_high"] == 0.0


def test_plain_peers_are_untuned_defaults_on_one_hot_categories() -> None:
    kinds = {"debts": "numeric", "kind": "categorical"}
    logistic = plain_peer("logistic_regression", kinds)
    assert logistic[-1].get_params()["C"] == 1.0 and logistic[-1].class_weight is None
    assert plain_peer("hist_gradient_boosting", kinds)[-1].get_params()["max_iter"] == 100
    with pytest.raises(ValueError, match="unknown plain peer"):
        plain_peer("forest", kinds)


@pytest.fixture(scope="module")
def small_sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated municipality (about 2,000 cases), where the old hold-out model lost 0.009."""
    from werkwijzer.simulation import simulate_municipality

    out = tmp_path_factory.mktemp("small_sim")
    simulate_municipality(out, inhabitants=10_000, years=2, seed=2, end=SIM_END)
    return out


def test_the_chosen_model_is_not_worse_than_plain_logistic_regression(small_sim: Path) -> None:
    """The floor of issue 20 on one small set: within 0.005 ROC AUC of the plain LogisticRegression,
    Brier not higher. Deterministic (fixed simulation and seed)."""
    from flows import triage_steps as steps
    from werkwijzer.contracts import read_cases, read_registry
    from werkwijzer.settings import Settings

    settings = Settings()
    registry = read_registry(small_sim / "feature_registry.yaml")
    prep = steps.prepare(read_cases(small_sim / "cases.csv", registry), registry, "integrated_approach", settings)
    train_idx, test_idx = steps.split(prep)
    model = steps.train(prep, train_idx, settings, test_idx)
    metrics = steps.assess(prep, model, train_idx, test_idx, settings, None, None)["metrics"]
    comparison = steps.compare_with_plain_peers(prep, train_idx, test_idx, metrics, settings.seed)
    plain = comparison["peers"]["logistic_regression"]
    assert comparison["model"]["roc_auc"] >= plain["roc_auc"] - triage_quality.AUC_FLOOR, comparison
    assert comparison["model"]["brier"] <= plain["brier"], comparison


def test_the_benchmark_measures_a_case_file_given_on_the_command_line(small_sim: Path, tmp_path: Path) -> None:
    """``--cases FILE --target COL`` (registry found beside the file) on a CSV the simulator wrote."""
    out = tmp_path / "rows.csv"
    code = triage_quality.main(
        ["--sets", "", "--cases", str(small_sim / "cases.csv"), "--target", "integrated_approach", "--out", str(out)]
    )
    rows = pd.read_csv(out)
    assert set(rows["set"]) == {"file cases.csv integrated_approach"}
    assert {f"plain {p}" for p in PEERS} <= set(rows["model"])
    assert rows["model"].str.startswith("werkwijzer chosen (glassbox:").sum() == 1
    assert rows[["roc_auc", "pr_auc", "brier", "ece"]].notna().all().all()
    peers = rows[rows["model"].str.startswith("plain")]
    assert peers["fair_decisions"].isin([True, False]).all(), "the plain peers are put through the gate too"
    sets = pd.read_csv(tmp_path / "rows_sets.csv")
    assert len(sets) == 1 and sets.loc[0, "brier_low"] <= sets.loc[0, "brier_difference"] <= sets.loc[0, "brier_high"]
    assert {"chosen_fair_decisions", "peer_fair_decisions", "label_clean", "floor_all", "accepted_peer"} <= set(
        sets.columns
    )
    assert "floor_accepted" in sets.columns
    assert code == (0 if sets.loc[0, "floor_all"] else 1)


def test_peer_scores_use_the_same_rows_for_every_peer() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"debts": rng.poisson(2, 400).astype(float), "kind": rng.choice(["a", "b"], 400)})
    y = np.where(X["debts"] + rng.normal(0, 1, 400) > 2, "true", "false").astype(object)
    scores = peer_scores(X[:300], y[:300], X[300:], y[300:], {"debts": "numeric", "kind": "categorical"}, "true")
    assert set(scores) == set(PEERS)
    assert all(0.5 < s["roc_auc"] <= 1.0 for s in scores.values())


def test_saved_results_give_the_same_report(tmp_path: Path) -> None:
    """A long benchmark writes after every set (--out); --report prints the report of several such
    files as the run itself would have printed it."""
    row = {
        "set": "sim a",
        "n_cases": 100,
        "n_test": 25,
        "model": "werkwijzer chosen (glassbox:linear:C=0.1)",
        "roc_auc": 0.75,
        "pr_auc": 0.5,
        "brier": 0.1,
        "ece": 0.02,
        "performance": True,
        "fair_decisions": False,
        "fit_s": 12.5,
    }
    refused = {**row, "model": "werkwijzer most accurate, not taken (boosting)", "performance": None, "fit_s": np.nan}
    gap = {
        "set": "sim a",
        "chosen": "glassbox:linear:C=0.1",
        "most_accurate": "boosting",
        "cost_test_roc_auc": 0.01,
        "best_peer": "logistic_regression",
        "roc_auc_gap": -0.006,
        **{f"{m}_{k}": v for m in ("brier", "ece") for k, v in (("difference", 0.001), ("low", -0.01), ("high", 0.02))},
        **{f"floor_{k}": k != "auc" and k != "all" for k in ("auc", "brier", "ece", "all")},
        "chosen_fair_decisions": True,
        "peer_fair_decisions": False,
        "label_clean": True,
        "chosen_fairness_gate": True,
        "peer_performance": True,
        "accepted_peer": None,
        "accepted_roc_auc_gap": np.nan,
        **{f"accepted_{m}_{k}": np.nan for m in ("brier", "ece") for k in ("difference", "low", "high")},
        "floor_accepted": None,
    }
    other = {
        **gap,
        "set": "sim b",
        "roc_auc_gap": 0.002,
        "floor_auc": True,
        "floor_all": True,
        "peer_fair_decisions": True,
        "accepted_peer": "logistic_regression",
        "accepted_roc_auc_gap": 0.002,
        **{
            f"accepted_{m}_{k}": v
            for m in ("brier", "ece")
            for k, v in (("difference", 0.0), ("low", -0.01), ("high", 0.01))
        },
        "floor_accepted": True,
    }
    triage_quality.write_results(tmp_path / "a.csv", [row, refused], [gap])
    triage_quality.write_results(tmp_path / "b.csv", [{**row, "set": "sim b"}], [other])
    rows, gaps = triage_quality.read_results([tmp_path / "a.csv", tmp_path / "b.csv"])
    expected = triage_quality.report([row, refused, {**row, "set": "sim b"}], [gap, other])
    assert triage_quality.report(rows, gaps) == expected
    assert "**fails: auc**" in expected and "| — |" in expected
    assert "| sim a | logistic_regression | **no** | none | — | — | — | no peer to compare |" in expected
    assert "| sim b | logistic_regression | yes | logistic_regression | +0.0020 |" in expected
    assert triage_quality.main(["--report", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 1
    assert triage_quality.main(["--report", str(tmp_path / "b.csv")]) == 0


def test_the_accepted_peer_is_the_best_plain_peer_whose_decisions_pass_the_gates() -> None:
    """A floor set by a peer the product's gates would refuse is not a model the product could
    serve: the report names the best plain peer that passes both candidate-dependent gates."""
    chosen = {"model": "werkwijzer chosen (boosting)", "roc_auc": 0.69, "performance": True, "fair_decisions": True}
    lr = {"model": "plain logistic_regression", "roc_auc": 0.70, "performance": True, "fair_decisions": False}
    gbm = {"model": "plain hist_gradient_boosting", "roc_auc": 0.66, "performance": True, "fair_decisions": True}
    assert triage_quality.accepted_peer([chosen, lr, gbm]) == "hist_gradient_boosting"
    assert triage_quality.accepted_peer([chosen, {**lr, "fair_decisions": True}, gbm]) == "logistic_regression"
    assert triage_quality.accepted_peer([chosen, lr, {**gbm, "performance": False}]) is None
