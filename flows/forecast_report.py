"""The short report of a forecast run (``report.md``): Dutch first, English below."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from flows.forecast_run import ForecastRun
from werkwijzer.contracts.intake import stopped_text
from werkwijzer.i18n import LANGS, both, translate, translate_plural
from werkwijzer.io import write_csv
from werkwijzer.teams import team_label


def _table(overall: pd.DataFrame, lang: str) -> str:
    coverage = [translate("forecast.report.coverage", lang, level=level) for level in (80, 95)]
    lines = [f"| model | MASE | sMAPE | {coverage[0]} | {coverage[1]} |", "|---|---|---|---|---|"]
    for row in overall.sort_values("mase").itertuples(index=False):
        lines.append(
            f"| {row.model} | {row.mase:.3f} | {row.smape:.1f} | {row.coverage_80:.2f} | {row.coverage_95:.2f} |"
        )
    return "\n".join(lines)


def _mixes(result: ForecastRun) -> pd.Series:
    """Per series the report is about (``choice``'s: the teams, not the totals of a hierarchy), the
    candidates ``auto`` averages (weight > 0, largest weight first, joined by " + "); a series
    without weights: the model chosen for it."""
    mixes = dict(result.choice)
    if len(result.weights):
        w = result.weights
        used = w[(w["weight"] > 0) & w["series_id"].isin(mixes)]
        used = used.sort_values(["weight", "model"], ascending=[False, True])
        mixes.update(used.groupby("series_id", sort=False)["model"].agg(" + ".join).to_dict())
    return pd.Series(mixes, dtype=str)


def _section(result: ForecastRun, lang: str) -> str:
    """The report in one language; texts: the catalogue's ``forecast.report.*``."""
    p = result.params
    t = partial(translate, lang=lang)
    per_team = result.forecast.groupby("series_id")[["mean", "lo_95", "hi_95"]].sum()
    team_lines = "\n".join(
        f"| {team_label(sid, lang)} | {r['mean']:.0f} | {r['lo_95']:.0f} – {r['hi_95']:.0f} |"
        for sid, r in per_team.iterrows()
    )
    choices = ", ".join(f"{mix} {count}x" for mix, count in _mixes(result).value_counts().items())
    data = t(
        "forecast.report.data",
        data=p["data"],
        freq=p["freq"],
        horizon=translate_plural("forecast.report.periods", p["horizon"], lang),
        cutoffs=translate_plural("forecast.report.cutoffs", p["cutoffs"], lang),
        calendar=p["country"] + ("/" + p["subdiv"] if p["subdiv"] else ""),
    )
    scored = result.predictions["cutoff"].nunique() if "cutoff" in result.predictions else p["cutoffs"]
    if scored < p["cutoffs"]:  # a short history: the backtest found room for fewer windows
        data += " " + t("forecast.report.fewer_cutoffs", scored=scored, asked=p["cutoffs"])
    if p.get("short_windows"):  # windows fitted without a yearly pattern calibrate the bands
        data += " " + t("forecast.report.short_history", short=p["short_windows"], windows=p["calibration_windows"])
    if p.get("without_counts"):  # a team column or series with no count at all
        data += " " + t("forecast.report.no_counts", teams=", ".join(team_label(s, lang) for s in p["without_counts"]))
    if p.get("stopped"):  # closed, merged, or a feed that stopped: left out, not forecast to come back
        named = stopped_text(p["stopped"], partial(team_label, lang=lang))
        data += " " + t("forecast.report.stopped", teams="; ".join(named))
    if p.get("far_above"):  # probable typos: named, not changed
        data += " " + t("forecast.report.far_above", counts="; ".join(p["far_above"]))
    if p.get("outages"):  # probable recording outages: named, skipped by the models that carry a level forward
        data += " " + t("forecast.report.outages", days="; ".join(p["outages"]))
    span = t(
        "forecast.report.span",
        first=f"{result.forecast['date'].min():%Y-%m-%d}",
        last=f"{result.forecast['date'].max():%Y-%m-%d}",
    )
    return f"""## {t("forecast.report.language")}
{data}

{span}
{t("forecast.report.per_team")}

| {t("forecast.report.team")} | {t("forecast.report.total")} | {t("forecast.report.band")} |
|---|---|---|
{team_lines}

{t("forecast.report.backtest")}

{_table(result.overall, lang)}

{t("forecast.report.auto", choices=choices)}
{t("forecast.report.gate", gate=result.gate or t("forecast.report.gate_none"))}
{t("forecast.report.version", version=result.model_version or t("forecast.report.no_version"))}
{_levels_section(result, lang)}"""


def report_markdown(result: ForecastRun) -> str:
    """Dutch first, English below: the same facts in each language."""
    return f"# {both('forecast.report.title')}\n\n" + "\n".join(_section(result, lang) for lang in LANGS)


LEVEL_TABLES = ("forecast_levels.csv", "backtest_levels.csv")  # written with a hierarchy only


def tables(result: ForecastRun) -> list[tuple[str, pd.DataFrame]]:
    """The tables the CLI and the MLflow run share, by file name, with the columns the issue fixes;
    with a hierarchy also the reconciled forecast of every level and the backtest per level (ADR 0024)."""
    named = [
        ("backtest_predictions.csv", result.predictions),
        ("backtest_summary.csv", result.summary),
        ("forecast.csv", result.forecast),
        ("drivers.csv", result.drivers),
    ]
    if len(result.levels):
        named += list(zip(LEVEL_TABLES, (result.levels, result.level_accuracy), strict=True))
    return named


def write_tables(result: ForecastRun, folder: Path) -> list[str]:
    """Write ``tables(result)`` into ``folder``; returns the names written."""
    named = tables(result)
    for name, frame in named:
        write_csv(frame, folder / name)
    return [name for name, _ in named]


def _levels_section(result: ForecastRun, lang: str) -> str:
    """The coherent totals: the method chosen and the backtest per level (empty without a hierarchy)."""
    if not len(result.level_accuracy):
        return ""
    t = partial(translate, lang=lang)
    coverage = [translate("forecast.report.coverage", lang, level=level) for level in (80, 95)]
    lines = [
        f"| {t('forecast.report.level')} | {t('forecast.report.method')} | {t('forecast.report.series')} "
        f"| MASE | {coverage[0]} | {coverage[1]} |",
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
### {t("forecast.report.levels_title")}
{t("forecast.report.levels", method=result.reconciliation)}

{table}
"""
