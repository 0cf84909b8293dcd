"""The run's description is written from its facts alone, Dutch first and English below (issue 18 item 2)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from explain.fairness import confusion_by_group
from explain.run_story import Change, Gate, RunFacts, describe, fairness_headline, model_description
from tests.explain.test_fairness import cells


def facts(**changes: object) -> RunFacts:
    base = RunFacts(
        kind="triage",
        model_name="werkwijzer-triage-effort_class",
        target_nl="Zwaarte van de zaak",
        target_en="Effort class",
        trained_by="modeleigenaar-7",
        rows=1234,
        period=(dt.date(2025, 1, 6), dt.date(2026, 11, 20)),
        fingerprint="ab" * 32,
        split=(925, 309),
        series=None,
        gates=[Gate("performance", True, "ROC AUC 0.74 vs 0.50"), Gate("fairness", False, "FPR ratio 1.9 | sig.")],
        fairness=None,
        champion="3",
        changes=[Change("roc_auc", 0.74, 0.71), Change("brier", 0.52, None)],
        links={"model_card": "#/experiments/2/runs/r/artifactPath/triage/model_card.md"},
        version="4",
    )
    return RunFacts(**{**base.__dict__, **changes})


def test_dutch_first_then_english_with_every_fact() -> None:
    dutch, english = describe(facts()).split("\n\n---\n\n")
    assert dutch.startswith("### Triage-advies: Zwaarte van de zaak · versie 4")
    assert english.startswith("### Triage advice: Effort class · version 4")
    assert "1.234 zaken, ontvangen van 6 jan. 2025 tot en met 20 nov. 2026" in dutch.replace("\xa0", " ")
    assert "1,234 cases, received from 6 Jan 2025 to 20 Nov 2026" in english.replace("\xa0", " ")
    assert "`" + "ab" * 32 + "`" in dutch and "modeleigenaar-7" in english
    assert "**Toetsen: 1 van 2 geslaagd**" in dutch
    assert (
        "| Eerlijkheid (`fairness`) | NIET geslaagd | FPR ratio 1.9 \\| sig. |" in dutch
    )  # a | never breaks the table
    assert "versie 3 was champion" in dutch
    assert (
        "| `roc_auc` | 0,7400 | 0,7100 | +0,0300 |" in dutch and "| `roc_auc` | 0.7400 | 0.7100 | +0.0300 |" in english
    )
    assert "| `brier` | 0,5200 | – | – |" in dutch  # the champion's run did not log it
    assert "[modelkaart](#/experiments/2/runs/r/artifactPath/triage/model_card.md)" in dutch


def test_a_version_description_fits_mlflows_field() -> None:
    long = facts(gates=[Gate(f"g{i}", True, "x" * 400) for i in range(12)])
    assert len(describe(long)) > 5000
    short = describe(long, 5000)
    assert len(short) <= 5000 and "x" * 400 not in short  # the reasons went first
    huge = describe(facts(gates=[Gate("g" * 300 + str(i), True, "") for i in range(30)]), 5000)
    assert len(huge) <= 5000 and huge.endswith("(shortened: the full text is on the run)")


def test_fairness_headline_counts_the_ratios_outside_the_band_and_leaves_small_cells_out() -> None:
    data = pd.concat(
        [cells("A", 40, 20, 20, 40), cells("B", 40, 40, 20, 40), cells("C", 20, 5, 10, 12)], ignore_index=True
    )
    table = confusion_by_group(data["truth"], data["pred"], data[["g"]].rename(columns={"g": "sex"}))
    head = fairness_headline(table, low=0.8, high=1.25, min_cell=10)
    assert head.suppressed == 1 and head.compared == 3  # A against B (the larger): FPR, FNR, FDR; C is suppressed
    assert head.outside == 2  # FPR 1/3 vs 1/2 (0.67) and FDR 1/3 vs 1/2 (0.67); FNR is equal
    assert head.worst is not None and head.worst[1] == "geslacht: A" and round(head.worst[2], 2) == 0.67


def test_forecast_story_says_fairness_does_not_apply() -> None:
    text = describe(facts(kind="forecast", fairness=None, split=None, series=2, champion=None, changes=[]))
    assert "niet van toepassing: het model gaat over aantallen" in text and "in 2 reeksen" in text
    assert "er was nog geen champion" in text and "there was no champion yet" in text


def test_registered_model_description() -> None:
    text = model_description("triage", "werkwijzer-triage-x", "X nl", "X en", "#/experiments/2")
    assert text.index("Triage-advies: X nl") < text.index("Triage advice: X en")
    assert "[alle runs van dit model](#/experiments/2)" in text
