"""The three levels and their boundaries: at the threshold counts, just below does not."""

from __future__ import annotations

import pandas as pd
import pytest

from models.thresholds import Threshold, evaluate, models_to_stop, thresholds
from werkwijzer.settings import Settings


@pytest.fixture(scope="module")
def conf(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("home"), environment="test")


def test_defaults_follow_the_psi_convention(conf: Settings) -> None:
    t = thresholds(conf)["psi"]
    assert (t.note, t.warn, t.stop) == (0.1, 0.2, 0.3)


@pytest.mark.parametrize(
    ("value", "level"),
    [(0.0999, None), (0.1, "note"), (0.1999, "note"), (0.2, "warn"), (0.2999, "warn"), (0.3, "stop"), (5.0, "stop")],
)
def test_level_boundaries_higher_is_worse(value: float, level: str | None) -> None:
    assert Threshold("psi", 0.1, 0.2, 0.3).level(value) == level


@pytest.mark.parametrize(
    ("value", "level"),
    [(0.86, None), (0.85, "note"), (0.76, "note"), (0.75, "warn"), (0.61, "warn"), (0.6, "stop"), (0.0, "stop")],
)
def test_level_boundaries_lower_is_worse(value: float, level: str | None) -> None:
    assert Threshold("forecast_coverage95", 0.85, 0.75, 0.6, higher_is_worse=False).level(value) == level


def test_stop_can_be_switched_off() -> None:
    assert Threshold("objection_rate", 0.02, 0.05, None).level(0.9) == "warn"
    assert Threshold("psi", 0.1, 0.2, 0.3).level(float("nan")) is None


def test_settings_refuse_levels_that_do_not_escalate(tmp_path) -> None:
    with pytest.raises(ValueError, match="psi must satisfy note <= warn <= stop"):
        Settings(home=tmp_path, psi_warn=0.5)
    with pytest.raises(ValueError, match="forecast_coverage95"):
        Settings(home=tmp_path, forecast_coverage95_warn=0.9)


def levels(findings, metric: str) -> dict[str, str]:
    return {next(iter(f.scope.values())): f.level for f in findings if f.metric == metric}


def test_psi_findings_per_feature_and_minimum_n(conf: Settings) -> None:
    table = pd.DataFrame(
        {"feature": ["f0", "f1", "f2", "f3", "small"], "psi": [0.0999, 0.1, 0.2, 0.3, 0.9], "n": [50, 50, 50, 50, 49]}
    ).assign(model_name="werkwijzer-triage-effort_class")
    found = evaluate(conf, psi=table)
    by_feature = {f.scope["feature"]: f.level for f in found}
    assert by_feature == {"f1": "note", "f2": "warn", "f3": "stop"}  # f0 below, 'small' has n < 50
    assert found[0].level == "stop"  # worst first
    assert models_to_stop(found) == {"werkwijzer-triage-effort_class"}
    stop = found[0]
    assert stop.message_nl == (
        "Stop: De invoer is veranderd ten opzichte van de trainingsgegevens (PSI 0,30, "
        "grens 0,30) (model werkwijzer-triage-effort_class, kenmerk f3)."
    )
    assert stop.message_en.startswith("Stop: The input has shifted from the training data (PSI 0.30")


def test_rubber_stamping_levels(conf: Settings) -> None:
    table = pd.DataFrame(
        {
            "team": ["t1", "t2", "t3", "t4"],
            "n": [50, 50, 50, 50],
            "agreement_rate": [47 / 50, 48 / 50, 49 / 50, 50 / 50],
        }
    )
    assert levels(evaluate(conf, agreement=table), "agreement") == {"t2": "note", "t3": "warn", "t4": "stop"}


def test_override_surge_levels_need_both_periods(conf: Settings) -> None:
    table = pd.DataFrame(
        {
            "team": ["t1", "t2", "t3", "t4", "t5"],
            "n": [60, 60, 60, 60, 60],
            "n_baseline": [60, 60, 60, 60, 10],
            "surge": [0.05, 0.10, 0.20, 0.35, 0.9],
        }
    )
    assert levels(evaluate(conf, surge=table), "override_surge") == {"t2": "note", "t3": "warn", "t4": "stop"}


def test_forecast_error_levels(conf: Settings) -> None:
    table = pd.DataFrame(
        {
            "team": ["t1", "t2", "t3", "t4", "few"],
            "n": [13, 13, 13, 8, 7],
            "smape": [0.19, 0.2, 0.35, 0.5, 0.9],
            "coverage_95": [0.95, 0.85, 0.75, 0.6, 0.0],
        }
    )
    found = evaluate(conf, forecast=table)
    assert levels(found, "forecast_smape") == {"t2": "note", "t3": "warn", "t4": "stop"}  # 'few': 7 < 8 weeks
    assert levels(found, "forecast_coverage95") == {"t2": "note", "t3": "warn", "t4": "stop"}


def test_fairness_ratio_band_both_ways(conf: Settings) -> None:
    table = pd.DataFrame(
        {
            "subject": "advice",
            "attribute": "a",
            "group": ["g1", "g2", "g3", "g4", "g5", "g6"],
            "n": [100, 100, 100, 100, 100, 9],
            "suppressed": [False] * 5 + [True],
            "fpr_ratio": [1.24, 0.8, 1.5, 0.5, 2.5, 9.0],
            "fnr_ratio": [1.0] * 6,
        }
    )
    found = [f for f in evaluate(conf, fairness=table) if f.metric == "fairness"]
    assert {f.scope["group"]: f.level for f in found} == {"g2": "note", "g3": "warn", "g4": "stop", "g5": "stop"}
    g4 = next(f for f in found if f.scope["group"] == "g4")
    assert g4.value == pytest.approx(0.5)
    assert "0,50 keer" in g4.message_nl and "buiten 0,50–2,00" in g4.message_nl


def test_objection_rate_never_stops_by_default(conf: Settings) -> None:
    table = pd.DataFrame(
        {
            "team": ["t1", "t2", "t3"],
            "advice": [100, 100, 100],
            "objections": [1, 2, 50],
            "objection_rate": [0.01, 0.02, 0.5],
        }
    )
    assert levels(evaluate(conf, objections=table), "objection_rate") == {"t2": "note", "t3": "warn"}


def test_live_fairness_table_flows_into_findings(conf: Settings, cases_from_counts) -> None:
    from models.monitoring import live_fairness
    from werkwijzer.privacy import suppress_small_cells

    cases = cases_from_counts({"A": (80, 20, 20, 80), "B": (60, 40, 50, 50), "C": (9, 5, 12, 12)})
    table = suppress_small_cells(live_fairness(cases, ["group_attr"]), 10).assign(model_name="m")
    found = evaluate(conf, fairness=table)
    assert {(f.scope["subject"], f.scope["group"], f.scope["rate"]) for f in found} == {
        ("advice", "B", "fpr"),
        ("advice", "B", "fnr"),
    }
    assert any("the false positive rate is 2.50 times" in f.message_en for f in found)
    assert {f.level for f in found} == {"stop"}  # FPR ratio 2.5 and FNR ratio 2.0; C is suppressed
    assert models_to_stop(found) == {"m"}


def test_messages_name_things_in_words_not_column_names(conf: Settings) -> None:
    fairness = pd.DataFrame(
        {
            "subject": ["advice"],
            "attribute": ["migration_background"],
            "group": ["buiten_europa"],
            "n": [300],
            "suppressed": [False],
            "fpr_ratio": [1.6],
            "fnr_ratio": [1.0],
        }
    )
    psi = pd.DataFrame({"feature": ["open_debts"], "psi": [0.25], "n": [300]})
    agreement = pd.DataFrame({"team": ["jeugdhulp"], "n": [60], "agreement_rate": [1.0]})
    labels = {"open_debts": ("Aantal openstaande schulden", "Number of open debts")}

    def label(name: str, lang: str) -> str:
        return labels[name][lang != "nl"] if name in labels else name

    found = {f.metric: f for f in evaluate(conf, fairness=fairness, psi=psi, agreement=agreement, label=label)}
    assert found["fairness"].message_nl.endswith("(bij het advies, kenmerk herkomst, groep buiten europa).")
    assert found["fairness"].message_en.endswith("(for the advice, characteristic origin, group buiten europa).")
    assert found["psi"].message_nl.endswith("(kenmerk Aantal openstaande schulden).")
    assert found["agreement"].message_nl.endswith("(team Jeugdhulp).")
    assert found["agreement"].scope == {"team": "jeugdhulp"}  # the scope itself keeps the ids for the caller
    banded = evaluate(conf, agreement=pd.DataFrame({"score_band": ["0.50-0.70"], "n": [60], "agreement_rate": [1.0]}))
    assert banded[0].message_nl.endswith("(scoreband 0,50-0,70).")
    assert banded[0].message_en.endswith("(score band 0.50-0.70).")
    assert banded[0].scope == {"score_band": "0.50-0.70"}
