"""Build an example accountability report from the simulated municipality and save its first page as PNG.

    python benchmarks/report_example.py [--out DIR] [--png docs/img/report-example.png]

This exercises the renderer alone, without a trained model, API or MLflow: the usage of one
quarter is simulated here from the municipality's own cases (seeded), where `werkwijzer report`
(flows/report.py) reads it from the stores. Here: a random control share, a three-day stop, an
advice that mostly matches the recorded effort class, caseworkers who follow it about four times
in five, and a few objections. The intake "forecast" is a seasonal-naive stand-in (last year's
same weeks scaled to the recent level) with negative-binomial bands, not the forecast model of
issue 3. Every number in the report is computed from these frames; the script prints how long
building and rendering took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from explain.report import ReportData, parse_period, write_report
from models.monitoring import agreement_rates, live_fairness, objection_counts
from models.thresholds import evaluate
from werkwijzer.privacy import suppress_small_cells
from werkwijzer.settings import Settings
from werkwijzer.simulation import simulate_municipality
from werkwijzer.simulation.planning import mean_norm_hours
from werkwijzer.teams import CASE_TEAMS

MODEL = "werkwijzer-triage-effort_class"


def naive_forecast(weekly: pd.DataFrame, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """Last year's same weeks, scaled by the ratio of the 8 weeks before the period to those a year earlier."""
    rows = []
    for team, d in weekly.groupby("series_id"):
        s = d.set_index("date")["value"].astype(float)
        before = s[(s.index < weeks[0]) & (s.index >= weeks[0] - pd.Timedelta(weeks=8))].mean()
        year_before = s[
            (s.index < weeks[0] - pd.Timedelta(weeks=52)) & (s.index >= weeks[0] - pd.Timedelta(weeks=60))
        ].mean()
        scale = before / year_before if year_before > 0 else 1.0
        for week in weeks:
            mean = float(s.get(week - pd.Timedelta(weeks=52), before)) * scale
            sd = np.sqrt(mean + mean**2 / 15)
            rows.append(
                {
                    "series_id": team,
                    "date": week,
                    "mean": mean,
                    "lo_80": max(0.0, mean - 1.28 * sd),
                    "hi_80": mean + 1.28 * sd,
                    "lo_95": max(0.0, mean - 1.96 * sd),
                    "hi_95": mean + 1.96 * sd,
                }
            )
    return pd.DataFrame(rows)


def build(sim: Path, period_label: str, settings: Settings, seed: int = 3) -> ReportData:
    rng = np.random.default_rng(seed)
    period = parse_period(period_label)
    start, end = pd.Timestamp(period.first_day), pd.Timestamp(period.last_day)
    weekly = pd.read_csv(sim / "intake_weekly.csv", parse_dates=["date"])
    weeks = pd.DatetimeIndex(sorted(weekly.loc[weekly["date"].between(start, end), "date"].unique()))
    from models.monitoring import join_forecast_actuals

    case_weekly = weekly[weekly["series_id"].isin(CASE_TEAMS)]
    intake = join_forecast_actuals(naive_forecast(case_weekly, weeks), case_weekly)

    staffing = pd.read_csv(sim / "staffing.csv", parse_dates=["week"])
    norms = pd.read_csv(sim / "norms.csv")
    productive = norms.groupby("team")["productive_hours_per_fte_week"].first()
    capacity = intake.rename(columns={"date": "week"}).merge(staffing, on=["team", "week"])
    capacity["fte_needed_mean"] = [
        m * mean_norm_hours(t) / productive[t] for t, m in zip(capacity["team"], capacity["mean"], strict=True)
    ]
    hours_gap = (capacity["fte_needed_mean"] - capacity["fte_available"]) * capacity["team"].map(productive)
    capacity["backlog_hours"] = (hours_gap.groupby(capacity["team"]).cumsum() + 200).clip(lower=0)

    cases = pd.read_csv(sim / "cases.csv", parse_dates=["received_date"])
    cases = cases[cases["received_date"].between(start, end)].reset_index(drop=True)
    stop_from, stop_to = pd.Timestamp(f"{period.start:%Y}-08-10 09:00"), pd.Timestamp(f"{period.start:%Y}-08-13 09:00")
    control = rng.random(len(cases)) < 0.05
    switched_off = ~control & cases["received_date"].between(
        stop_from.normalize(), stop_to.normalize() - pd.Timedelta(days=1)
    )
    advised = ~control & ~switched_off
    cases["status"] = np.select([control, switched_off], ["control", "switched_off"], "advised")
    use = cases.assign(n=1).pivot_table(index="team", columns="status", values="n", aggfunc="sum", fill_value=0)
    advice_use = use.reindex(columns=["advised", "control", "switched_off"], fill_value=0).reset_index()
    advice_use["model_name"] = MODEL

    got = cases[advised].reset_index(drop=True)
    labelled = (got["effort_class"] == "complex").to_numpy()
    advice = np.where(rng.random(len(got)) < 0.88, labelled, ~labelled)
    follow_p = got["team"].map({"jeugdhulp": 0.93}).fillna(0.8).to_numpy()
    followed = rng.random(len(got)) < follow_p
    decision = np.where(followed, advice, ~advice)
    version = np.where(got["received_date"] < pd.Timestamp(f"{period.start:%Y}-08-13"), "2", "3")
    decisions = pd.DataFrame({"team": got["team"], "model_name": MODEL, "model_version": version, "followed": followed})
    audit = got[["migration_background", "age_band", "sex"]].assign(advice_positive=advice, decision_positive=decision)
    fairness = live_fairness(
        audit, ["migration_background", "age_band", "sex"], reference={"migration_background": "nederland"}
    )
    objected = rng.random(len(got)) < 0.015
    objections = pd.DataFrame(
        {
            "team": got.loc[objected, "team"],
            "model_name": MODEL,
            "date": got.loc[objected, "received_date"] + pd.Timedelta(days=21),
        }
    )
    objections = objections[objections["date"] <= end]
    stop_events = pd.DataFrame(
        {
            "time": [stop_from, stop_to],
            "model_name": [MODEL, MODEL],
            "advice_on": [False, True],
            "actor": ["monitoring", "modeleigenaar"],
            "reason": [
                "gegevensverschuiving boven de stopgrens (PSI 0,34)",
                "nieuwe versie 3 getraind, gecontroleerd en goedgekeurd",
            ],
        }
    )
    model_changes = pd.DataFrame(
        {
            "date": [stop_to.normalize()],
            "model_name": [MODEL],
            "version": ["3"],
            "change": ["nieuwe champion na hertraining"],
        }
    )
    entry = {
        "name": "Werkwijzer: advies over de werklast van een aanvraag",
        "description_short": "Een model geeft consulenten een advies over hoeveel werk een nieuwe aanvraag "
        "waarschijnlijk vraagt. De consulent beslist zelf.",
        "organization": "Gemeente Voorbeeldstad",
        "status": "In gebruik",
        "lang": "nld",
        "publication_category": "Hoog-risico AI-systeem",
        "contact_email": "algoritmes@voorbeeldstad.nl",
        "goal": "Aanvragen sneller bij de juiste consulent en aanpak brengen.",
        "human_intervention": "Het model geeft alleen advies. Een consulent beslist en kan altijd afwijken.",
        "risks": "Ongelijke behandeling van groepen; te veel vertrouwen op het advies.",
        "methods_and_models": "Een uitlegbaar model (gradient boosting met vaste kenmerken). Het leert niet "
        "zelf bij: een nieuwe versie wordt getraind, gecontroleerd en goedgekeurd.",
        "standard_version": "1.0",
    }
    findings = evaluate(
        settings,
        agreement=agreement_rates(decisions, ("team", "model_name")),
        fairness=suppress_small_cells(fairness, settings.fairness_min_cell).assign(model_name=MODEL),
        objections=objection_counts(objections, got.assign(model_name=MODEL), ("team", "model_name")),
    )
    return ReportData(
        period=period,
        findings=findings,
        organization="Gemeente Voorbeeldstad",
        intake=intake,
        capacity=capacity[["team", "week", "fte_needed_mean", "fte_available", "backlog_hours"]],
        advice_use=advice_use,
        decisions=decisions,
        fairness=fairness,
        objections=objections,
        stop_events=stop_events,
        model_changes=model_changes,
        register_entries=[entry],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--out", type=Path, default=None, help="folder for the HTML and PDF (default: temporary)")
    parser.add_argument("--png", type=Path, default=Path("docs/img/report-example.png"))
    args = parser.parse_args()
    import pypdfium2 as pdfium

    with tempfile.TemporaryDirectory() as tmp:
        sim = Path(tmp) / "sim"
        simulate_municipality(sim, inhabitants=100_000, years=2, seed=11, end=dt.date(2026, 11, 22))
        t0 = time.perf_counter()
        data = build(sim, args.period, Settings(home=Path(tmp) / "home", environment="test"))
        t1 = time.perf_counter()
        paths = {lang: write_report(data, args.out or Path(tmp) / "report", lang=lang) for lang in ("nl", "en")}
        t2 = time.perf_counter()
        pdf = pdfium.PdfDocument(str(paths["nl"]["pdf"]))
        args.png.parent.mkdir(parents=True, exist_ok=True)
        pdf[0].render(scale=1.5).to_pil().convert("RGB").save(args.png, optimize=True)
        print(f"pages: {len(pdf)}; build data {t1 - t0:.2f} s; render nl+en (HTML+PDF) {t2 - t1:.2f} s")
        pdf.close()
    print(f"first page: {args.png}")


if __name__ == "__main__":
    main()
