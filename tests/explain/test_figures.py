"""Every review picture renders readable: the renderer places no text outside the figure and no two texts
on top of each other (issue 18 item 3), and the check itself finds a cut-off title and an overlap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from explain import plots_forecast, plots_triage
from explain.fairness import audit
from explain.figures import drawn_texts, layout_problems, pyplot, save
from explain.forecast_drivers import shap_summary_figure, team_figure
from explain.plots_triage import ShapSample

CLASSES = ["complex", "eenvoudig", "gemiddeld"]


def sample(classes: list[str] = CLASSES, n: int = 150, seed: int = 3) -> ShapSample:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "prior_contacts_12m": rng.integers(0, 12, n),
            "documents_complete": rng.choice(["true", "false"], n),
            "income_source": rng.choice(["werk", "uitkering", "geen_inkomen"], n),
            "months_on_benefit": rng.integers(0, 60, n).astype(float),
        }
    )
    k = 1 if len(classes) == 2 else len(classes)
    values = rng.normal(0, 0.5, (n, X.shape[1], k)) * np.array([2.0, 1.0, 0.5, 0.2])[None, :, None]
    logits = rng.normal(0, 1, (n, len(classes)))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return ShapSample(
        values=values,
        base=rng.normal(0, 0.3, (n, k)),
        X=X,
        labels=[
            "Contacten in de afgelopen 12 maanden",
            "Documenten compleet",
            "Inkomensbron",
            "Maanden in de bijstand",
        ],
        kinds=["numeric", "boolean", "category", "numeric"],
        classes=classes,
        proba=proba,
    )


def audit_table(classes: list[str] = CLASSES, n: int = 900, seed: int = 5) -> tuple[pd.DataFrame, Any, Any, Any]:
    rng = np.random.default_rng(seed)
    groups = pd.DataFrame(
        {
            "age_band": rng.choice(["18-26", "27-44", "45-66", "67+"], n, p=[0.2, 0.35, 0.4, 0.05]),
            "sex": rng.choice(["man", "vrouw"], n),
            "migration_background": rng.choice(["nederland", "europa", "buiten_europa"], n, p=[0.7, 0.2, 0.1]),
        }
    )
    y = rng.choice(classes, n)
    logits = rng.normal(0, 1, (n, len(classes)))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = np.asarray(classes)[proba.argmax(axis=1)]
    return audit(y, pred, groups, classes=classes), y, proba, groups


def forecast_tables(teams: int = 4, horizon: int = 13, cutoffs: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    rows, drivers = [], []
    ids = ["jeugdhulp", "wmo_meldingen", "bijstand_aanvragen", "schuldhulp"][:teams]
    for sid in ids:
        for c in range(cutoffs):
            cutoff = pd.Timestamp("2026-01-04") + pd.Timedelta(weeks=horizon * c)
            for step in range(1, horizon + 1):
                actual = float(rng.poisson(20))
                for model in ("auto", "seasonal_naive"):
                    rows.append(
                        {
                            "series_id": sid,
                            "cutoff": cutoff,
                            "date": cutoff + pd.Timedelta(weeks=step),
                            "actual": actual,
                            "model": model,
                            "mean": actual + rng.normal(0, step),
                        }
                    )
        for step in range(1, horizon + 1):
            for driver, label in (("seizoen", "seizoen (week-, jaarpatroon)"), ("trend", "trend")):
                drivers.append(
                    {
                        "series_id": sid,
                        "date": pd.Timestamp("2026-12-06") + pd.Timedelta(weeks=step),
                        "driver": driver,
                        "label_nl": label,
                        "label_en": driver,
                        "contribution": rng.normal(0, 2),
                    }
                )
    return pd.DataFrame(rows), pd.DataFrame(drivers)


def figures() -> dict[str, Callable[[], Any]]:
    """Every review picture the flows log, on data shaped as theirs (binary and multi-class)."""
    multi, binary = sample(), sample(["false", "true"])
    table, y, proba, groups = audit_table()
    table2, y2, proba2, groups2 = audit_table(["false", "true"])
    predictions, drivers = forecast_tables()
    out: dict[str, Callable[[], Any]] = {}
    for name, s in (("multi", multi), ("binary", binary)):
        for cls in s.explained():
            out[f"beeswarm {name} {cls}"] = lambda s=s, cls=cls: plots_triage.beeswarm_figure(s, cls)
        for f in (0, 2) if name == "multi" else (1,):  # a number, a category, true/false
            out[f"dependence {name} {f}"] = lambda s=s, f=f: plots_triage.dependence_figure(s, f)
        for row, cls in plots_triage.typical_cases(s):
            out[f"waterfall {name} {cls}"] = lambda s=s, row=row, cls=cls: plots_triage.waterfall_figure(s, row, cls)
    for metric in ("fpr", "fnr", "fdr"):
        out[f"fairness multi {metric}"] = lambda metric=metric: plots_triage.fairness_figure(table, metric)
    out["fairness binary fpr"] = lambda: plots_triage.fairness_figure(table2, "fpr")
    out["calibration multi"] = lambda: plots_triage.calibration_figure(y, proba, CLASSES, groups)
    out["calibration binary"] = lambda: plots_triage.calibration_figure(y2, proba2, ["false", "true"], groups2)
    out["backtest error"] = lambda: plots_forecast.backtest_error_figure(predictions)
    out["drivers by horizon"] = lambda: plots_forecast.drivers_by_horizon_figure(drivers)
    long = drivers.assign(feature=drivers["driver"])
    out["forecast drivers summary"] = lambda: shap_summary_figure(long)
    history = predictions[predictions["model"] == "auto"].rename(columns={"actual": "value"})
    ahead = history.assign(lo_80=0.0, hi_80=30.0, lo_95=0.0, hi_95=40.0)
    out["forecast team"] = lambda: team_figure(history, ahead, "jeugdhulp")
    return out


FIGURES = figures()


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_label_is_inside_the_figure_and_none_overlap(name: str) -> None:
    plt = pyplot()
    fig = FIGURES[name]()
    try:
        assert drawn_texts(fig), "the figure draws no text at all"
        assert layout_problems(fig) == []
    finally:
        plt.close(fig)


def test_the_check_finds_a_cut_off_title_and_an_overlap(tmp_path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("Een titel die veel te lang is voor een figuur van maar drie inch breed")
    ax.text(0.5, 0.5, "tekst", transform=ax.transAxes)
    ax.text(0.52, 0.5, "tekst", transform=ax.transAxes)
    problems = save(fig, tmp_path / "bad.png")
    assert (tmp_path / "bad.png").stat().st_size > 0  # saved all the same: a picture never stops a training
    assert any("runs off the figure" in p and p.startswith("bad.png: 'Een titel") for p in problems)
    assert any("'tekst' and 'tekst' overlap" in p for p in problems)


def test_tick_labels_outside_the_axis_limits_are_not_counted() -> None:
    """Matplotlib keeps label artists for ticks beyond the limits without drawing them; only drawn texts count."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([0, 10], [0, 1])
    ax.set_xlim(0.5, 9.5)
    try:
        drawn = {t.get_text() for t in drawn_texts(fig)}
        assert "0" not in drawn and "10" not in drawn
        assert layout_problems(fig) == []
    finally:
        plt.close(fig)


def test_dutch_pictures_write_decimal_commas() -> None:
    plt = pyplot()
    fig = plots_triage.calibration_figure(*audit_table()[1:3], CLASSES, audit_table()[3])
    try:
        ticks = {t.get_text() for t in drawn_texts(fig)}
        assert "0,5" in ticks or "0,4" in ticks
        assert not any(t.replace("−", "").replace(".", "", 1).isdigit() and "." in t for t in ticks)
    finally:
        plt.close(fig)


def test_typical_cases_are_the_median_case_per_advised_class() -> None:
    s = sample()
    advised = np.asarray(s.classes)[s.proba.argmax(axis=1)]
    for row, cls in plots_triage.typical_cases(s):
        k = s.classes.index(cls)
        p = np.sort(s.proba[advised == cls, k])
        assert advised[row] == cls and s.proba[row, k] == p[len(p) // 2]


def test_waterfall_labels_show_each_value_as_a_person_reads_it() -> None:
    s = sample()
    s = ShapSample(**{**s.__dict__, "X": s.X.assign(documents_complete=s.X["documents_complete"].eq("true"))})
    plt = pyplot()
    fig = plots_triage.waterfall_figure(s, 0, "complex", top=4)
    try:
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        expected = "ja" if bool(s.X["documents_complete"].iloc[0]) else "nee"  # a numpy bool, not a missing value
        assert any(label.startswith(f"Documenten compleet = {expected}  (") for label in labels)
    finally:
        plt.close(fig)


def test_error_picture_of_many_teams_shows_the_worst_forty_and_says_so() -> None:
    """3,420 rows made a picture over a thousand inches tall; with more than MAX_TEAMS teams it shows the
    MAX_TEAMS with the largest mean error, worst first, and its title says how many of how many."""
    predictions, _ = forecast_tables(teams=1)
    teams = 300
    copies = [
        predictions.assign(series_id=f"gemeente_{i:03d}/jeugdhulp", mean=predictions["actual"] * (1 + i / 100))
        for i in range(teams)
    ]
    table = plots_forecast.backtest_error(pd.concat(copies, ignore_index=True))
    assert len(table) == teams
    fig = plots_forecast.backtest_error_figure(pd.concat(copies, ignore_index=True), lang="nl")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == plots_forecast.MAX_TEAMS
    assert "299" in labels[0] and "260" in labels[-1]  # the largest errors, worst first
    assert f"{plots_forecast.MAX_TEAMS} van de {teams} teams" in ax.get_title().replace("\n", " ")
    assert layout_problems(fig) == []
