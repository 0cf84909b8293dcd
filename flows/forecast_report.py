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
"""


def write_tables(result: ForecastRun, folder: Path) -> None:
    """The four tables the CLI and the MLflow run share, with the columns the issue fixes."""
    write_csv(result.predictions, folder / "backtest_predictions.csv")
    write_csv(result.summary, folder / "backtest_summary.csv")
    write_csv(result.forecast, folder / "forecast.csv")
    write_csv(result.drivers, folder / "drivers.csv")
