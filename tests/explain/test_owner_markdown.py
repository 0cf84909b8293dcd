"""The Markdown for model owners (MLflow, Prefect) takes every text from the catalogues (issue 21):
Dutch first, English beside or below it, counted words in the right number."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from explain.fairness import QUESTIONS, FairnessGate, confusion_by_group, question, read_justification
from explain.fairness_report import fairness_markdown
from explain.model_card import render_markdown
from flows.forecast_report import report_markdown
from flows.forecast_run import ForecastRun
from flows.monitor_record import markdown as monitoring_markdown
from models.thresholds import Finding
from tests.explain.test_register import card
from werkwijzer.periods import Period
from werkwijzer.privacy import MIN_CELL
from werkwijzer.settings import Settings


def test_the_fairness_report_says_each_paragraph_in_dutch_and_english() -> None:
    truth = pd.Series([False, True] * 40)
    table = confusion_by_group(truth, truth, pd.DataFrame({"sex": ["vrouw", "man"] * 20 + ["man", "vrouw"] * 20}))
    gate = FairnessGate(passed=True, reason="ok", justified=True)
    md = fairness_markdown(table, gate, priority=["fpr"], low=0.8, high=1.25, min_cell=MIN_CELL, title="Test")
    assert md.startswith("# Fairness-audit / Fairness audit — Test")
    assert "1. fout-positief-percentage (FPR) / false positive rate (FPR)" in md
    assert "legitiem doel, geschiktheid, noodzakelijkheid" in md and "legitimate aim, suitability, necessity" in md
    assert (
        f"Cellen kleiner dan {MIN_CELL} zijn onderdrukt" in md and f"Cells smaller than {MIN_CELL} are suppressed" in md
    )
    assert "0.8–1.25" in md


def test_an_incomplete_justification_names_the_question_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "j.yaml"
    path.write_text("\n".join(f"{q}: {'een goed onderbouwd antwoord ' * 2}" for q in QUESTIONS[1:]), encoding="utf-8")
    try:
        read_justification(path)
    except Exception as exc:  # ContractError
        assert f"'{question(QUESTIONS[0], 'en')}' ({question(QUESTIONS[0], 'nl')})" in str(exc)
    else:
        raise AssertionError("an answer is missing: the justification must be refused")


def test_the_model_card_has_no_text_of_its_own(settings: Settings) -> None:
    c = card(settings)
    c["selection"] = {
        "candidates": [
            {"name": "boosting", "cv_roc_auc": 0.8, "cv_log_loss": 0.5, "admissible": False, "reason": "fairness"},
            {
                "name": "glassbox",
                "cv_roc_auc": 0.75,
                "cv_log_loss": 0.55,
                "admissible": True,
                "held_out": True,
                "reason": "ok",
            },
        ],
        "chosen": "glassbox",
        "most_accurate": "boosting",
        "most_accurate_test": {"roc_auc": 0.81},
        "chosen_test": {"roc_auc": 0.76},
        "cost_test_roc_auc": -0.05,
        "cost_cv_roc_auc": -0.05,
        "most_accurate_test_fairness": {"passed": False, "reason": "FPR ratio 0.5"},
    }
    md = render_markdown(c)
    assert md.startswith("# Modelkaart / Model card — werkwijzer-triage-integrated_approach")
    assert "## Keuze van het model / model choice" in md and "Niet gekozen / not taken: **boosting** — fairness." in md
    assert "Eerlijkheidstoets op de testzaken: niet geslaagd — FPR ratio 0.5." in md
    assert "Fairness gate on the test cases: failed — FPR ratio 0.5." in md
    assert "| glassbox (gekozen / chosen) | 0.750 | 0.5500 | ja / yes | ja / yes | ok |" in md
    assert "| boosting | 0.800 | 0.5000 | **nee / no** | – | fairness |" in md  # the one dash for a missing value
    assert f"minder dan {MIN_CELL} zaken in een cel" in md
    assert "consulenten en klantmanagers (caseworkers)" in md and "Toets / gate: **geslaagd** — ok" in md


def test_the_monitoring_summary_counts_in_words_of_the_right_number() -> None:
    period = Period.of(dt.date(2026, 3, 1), dt.date(2026, 3, 8))
    finding = Finding("agreement", {"team": "t"}, 1.0, "stop", 1.0, "Iedereen volgt.", "Everyone follows.", 60)
    one = {"advice": 1, "decisions": 1, "objections": 1}
    md = monitoring_markdown(period, [finding], one, ["m"], ["iets"])
    assert md.startswith("# Monitoring 01-03-2026 tot 08-03-2026")
    assert "Bekeken: 1 adviesvraag, 1 beslissing, 1 bezwaar." in md and "- Iedereen volgt." in md
    assert "**Het advies is uitgezet** voor: m." in md and "## Niet gemeten" in md
    en = monitoring_markdown(period, [], {"advice": 2}, [], [], lang="en")
    assert "Looked at: 2 requests for advice, 0 decisions, 0 objections." in en
    assert "No findings: every value stays below its threshold." in en


def test_the_forecast_report_gives_the_same_facts_in_each_language() -> None:
    dates = pd.date_range("2027-01-04", periods=2, freq="W-MON")
    forecast = pd.DataFrame(
        {"series_id": "wmo_meldingen", "date": dates, "mean": [10.0, 12.0], "lo_95": [5.0, 6.0], "hi_95": [15.0, 18.0]}
    )
    overall = pd.DataFrame(
        {
            "model": ["auto", "seasonal_naive"],
            "mase": [0.8, 1.0],
            "smape": [20.0, 25.0],
            "coverage_80": [0.8, 0.7],
            "coverage_95": [0.95, 0.9],
        }
    )
    empty = pd.DataFrame()
    params = {"data": "intake.csv", "freq": "W", "horizon": 1, "cutoffs": 3, "country": "NL", "subdiv": ""}
    run = ForecastRun(
        empty, empty, empty, overall, {"wmo_meldingen": "ets"}, forecast, empty, empty, empty, empty, {}, params
    )
    md = report_markdown(run)
    nl, en = md.split("## English")
    assert md.startswith("# Voorspelling instroom / Intake forecast")
    assert "horizon 1 periode · 3 toetsmomenten" in nl and "horizon 1 period · 3 cutoffs" in en
    for text in (nl, en):
        assert "| auto | 0.800 | 20.0 | 0.80 | 0.95 |" in text and "| 22 | 11 – 33 |" in text
        assert "ets 1x" in text
    assert "Geregistreerde versie: geen." in nl and "Registered version: none." in en
    assert "not evaluated (no MLflow run)" in en and re.search(r"^## Nederlands$", nl, re.M)


def test_the_forecast_report_names_the_models_auto_averages_per_series() -> None:
    """``auto`` combines candidates (ADR 0015): the report says which ones carry weight, largest
    first, and counts series with the same mix; a zero weight is not named."""
    forecast = pd.DataFrame(
        {"series_id": ["a", "b", "c"], "date": pd.Timestamp("2027-01-04"), "mean": 1.0, "lo_95": 0.0, "hi_95": 2.0}
    )
    overall = pd.DataFrame(
        {"model": ["auto"], "mase": [0.8], "smape": [20.0], "coverage_80": [0.8], "coverage_95": [0.95]}
    )
    weights = pd.DataFrame(
        {
            "series_id": ["a", "a", "a", "b", "b", "c"],
            "model": ["gbm", "glm", "theta", "glm", "gbm", "glm"],
            "weight": [0.4, 0.6, 0.0, 0.7, 0.3, 1.0],
        }
    )
    params = {"data": "intake.csv", "freq": "W", "horizon": 1, "cutoffs": 3, "country": "NL", "subdiv": ""}
    choice = {"a": "glm", "b": "glm", "c": "glm"}
    empty = pd.DataFrame()
    run = ForecastRun(empty, empty, empty, overall, choice, forecast, empty, empty, empty, weights, {}, params)
    nl, en = report_markdown(run).split("## English")
    assert "gewogen gemiddelde" in nl and "weighted average" in en
    for text in (nl, en):
        assert ": glm + gbm 2x, glm 1x." in text and "theta" not in text


def test_the_forecast_report_says_when_the_history_had_room_for_fewer_cutoffs() -> None:
    """Asked for 8 cutoffs, a 12-week history has room for 2: the report says so in both languages."""
    forecast = pd.DataFrame(
        {"series_id": ["wmo"], "date": pd.Timestamp("2027-01-04"), "mean": 1.0, "lo_95": 0.0, "hi_95": 2.0}
    )
    overall = pd.DataFrame(
        {"model": ["auto"], "mase": [0.8], "smape": [20.0], "coverage_80": [0.8], "coverage_95": [0.95]}
    )
    predictions = pd.DataFrame({"cutoff": pd.to_datetime(["2026-09-28", "2026-10-26"]), "model": "auto"})
    params = {"data": "intake.csv", "freq": "W", "horizon": 4, "cutoffs": 8, "country": "NL", "subdiv": ""}
    empty = pd.DataFrame()
    run = ForecastRun(
        empty, predictions, empty, overall, {"wmo": "glm"}, forecast, empty, empty, empty, empty, {}, params
    )
    nl, en = report_markdown(run).split("## English")
    assert "genoeg gegevens voor 2 van de 8 toetsmomenten" in nl
    assert "enough data for 2 of the 8 cutoffs" in en
    full = ForecastRun(
        empty,
        predictions,
        empty,
        overall,
        {"wmo": "glm"},
        forecast,
        empty,
        empty,
        empty,
        empty,
        {},
        {**params, "cutoffs": 2},
    )
    assert "toetsmomenten. Hoe minder" not in report_markdown(full)


def test_the_forecast_report_says_when_the_bands_rest_on_windows_without_a_yearly_pattern() -> None:
    forecast = pd.DataFrame(
        {"series_id": ["wmo"], "date": pd.Timestamp("2027-01-04"), "mean": 1.0, "lo_95": 0.0, "hi_95": 2.0}
    )
    overall = pd.DataFrame(
        {"model": ["auto"], "mase": [0.8], "smape": [20.0], "coverage_80": [0.8], "coverage_95": [0.95]}
    )
    params = {"data": "intake.csv", "freq": "M", "horizon": 6, "cutoffs": 3, "country": "NL", "subdiv": ""}
    empty = pd.DataFrame()

    def report(**more: int) -> str:
        run = ForecastRun(
            empty, empty, empty, overall, {"wmo": "glm"}, forecast, empty, empty, empty, empty, {}, params | more
        )
        return report_markdown(run)

    nl, en = report(calibration_windows=4, short_windows=2).split("## English")
    assert "de laatste 4 proefvoorspellingen op eerdere gegevens. Bij 2 daarvan waren er nog geen twee jaar" in nl
    assert "the last 4 trial forecasts on earlier data. For 2 of them there were less than two years of data" in en
    assert "jaarpatroon" not in report(calibration_windows=4, short_windows=0)
    assert "jaarpatroon" not in report()  # a run logged before the note existed
