"""The short report of a forecast run (``report.md``): Dutch first, English below."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.forecast_run import ForecastRun
from werkwijzer.io import write_csv
from werkwijzer.teams import team_label


def _table(overall: pd.DataFrame) -> str:
    lines = [
        "| model | MASE | sMAPE | dekking 80 % / coverage 80 % | dekking 95 % / coverage 95 % |",
        "|---|---|---|---|---|",
    ]
    for row in overall.sort_values("mase").itertuples(index=False):
        lines.append(
            f"| {row.model} | {row.mase:.3f} | {row.smape:.1f} | {row.coverage_80:.2f} | {row.coverage_95:.2f} |"
        )
    return "\n".join(lines)


def report_markdown(result: ForecastRun) -> str:
    p = result.params
    overall = result.overall
    choice = pd.Series(result.choice).value_counts()
    gate = result.gate or "not evaluated (no MLflow run)"
    version = result.model_version
    first = result.forecast["date"].min()
    last = result.forecast["date"].max()
    per_team = result.forecast.groupby("series_id")[["mean", "lo_95", "hi_95"]].sum()
    team_lines = "\n".join(
        f"| {team_label(sid)} | {r['mean']:.0f} | {r['lo_95']:.0f} – {r['hi_95']:.0f} |"
        for sid, r in per_team.iterrows()
    )
    calendar = p["country"] + ("/" + p["subdiv"] if p["subdiv"] else "")
    return f"""# Voorspelling instroom / Intake forecast

Gegevens: `{p["data"]}` · frequentie {p["freq"]} · horizon {p["horizon"]} perioden
· {p["cutoffs"]} toetsmomenten (rolling origin) · kalender {calendar}.

## Nederlands
De voorspelling loopt van {first:%Y-%m-%d} tot en met {last:%Y-%m-%d}.
Per team staat hieronder het verwachte totaal over de hele horizon, met de bandbreedte
waarin het in 95 van de 100 gevallen valt (de optelsom van de grenzen per periode, dus ruim).
Het model adviseert; de teamleider beslist over de bezetting.

| team | verwacht totaal | 95 %-bandbreedte (som) |
|---|---|---|
{team_lines}

Hoe goed was elk model in het verleden? (MASE onder 1: beter dan 'zelfde periode vorig seizoen'.)

{_table(overall)}

`auto` kiest per reeks het model dat op de laatste toetsmomenten het best voorspelde:
{", ".join(f"{name} {count}x" for name, count in choice.items())}.

## English
Forecast {first:%Y-%m-%d} .. {last:%Y-%m-%d}; backtest table above (MASE scaled by the in-sample
seasonal-naive MAE before each cutoff). Champion gate (`auto` beats seasonal naive on MASE): {gate}.
Registered version: {version if version else "none"}.
{_levels_section(result)}"""


def write_tables(result: ForecastRun, folder: Path) -> list[str]:
    """The tables the CLI and the MLflow run share, with the columns the issue fixes; with a
    hierarchy also the reconciled forecast of every level and the backtest per level (ADR 0024).
    Returns the names written."""
    write_csv(result.predictions, folder / "backtest_predictions.csv")
    write_csv(result.summary, folder / "backtest_summary.csv")
    write_csv(result.forecast, folder / "forecast.csv")
    write_csv(result.drivers, folder / "drivers.csv")
    names = ["backtest_predictions.csv", "backtest_summary.csv", "forecast.csv", "drivers.csv"]
    if len(result.levels):
        write_csv(result.levels, folder / "forecast_levels.csv")
        write_csv(result.level_accuracy, folder / "backtest_levels.csv")
        names += ["forecast_levels.csv", "backtest_levels.csv"]
    return names


def _levels_section(result: ForecastRun) -> str:
    """The coherent totals: the method chosen and the backtest per level (empty without a hierarchy)."""
    if not len(result.level_accuracy):
        return ""
    lines = [
        "| niveau / level | methode / method | reeksen / series | MASE | dekking 80 % | dekking 95 % |",
        "|---|---|---|---|---|---|",
    ]
    for row in result.level_accuracy.itertuples(index=False):
        chosen = " ✓" if row.method == result.reconciliation else ""
        lines.append(
            f"| {row.level} | {row.method}{chosen} | {row.series} | {row.mase:.3f} | "
            f"{row.coverage_80:.2f} | {row.coverage_95:.2f} |"
        )
    table = "\n".join(lines)
    return f"""
## Totalen die kloppen / Coherent totals
De teams tellen precies op tot hun gemeente (en gemeenten tot regio en totaal): de voorspellingen
zijn op elkaar afgestemd met **{result.reconciliation}**, de methode met de laagste MASE opgeteld over
de niveaus in de toetsing. `base` is de voorspelling per reeks zonder afstemming.
Teams add up exactly to their municipality (and municipalities to region and total), reconciled
with **{result.reconciliation}**, the method with the lowest MASE summed over the levels in the backtest;
`base` is each series' own forecast before reconciliation (ADR 0024).

{table}
"""
