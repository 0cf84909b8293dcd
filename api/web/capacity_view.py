"""What the *Capaciteit* page shows for one team and scenario, built from the API's own services.

Every number comes from ``casework.planning`` (the functions behind
``GET /api/v1/teams/{team}/forecast`` and ``/capacity``), so the page and the API can never
disagree. This module only chooses what to show and says it in words: charts with a
description, tables with the same numbers, the weeks at risk of breaching the statutory term,
and the drivers of the forecast in plain language.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from typing import Any

from api.web.charts import BandPoint, ChartText, Point, bar_chart, capacity_chart, forecast_chart, runs
from api.web.i18n import Lang, has_text, translate, translate_plural
from api.web.scenario import Scenario
from casework import planning
from casework.errors import NotFound, Unavailable
from casework.modelstore import ModelStore
from werkwijzer import formatting as fmt
from werkwijzer.contracts.planning import monday
from werkwijzer.teams import TEAMS, team_label

HISTORY_WEEKS = 26
DRIVERS_SHOWN = 6


def team_choices(store: ModelStore, lang: Lang) -> list[dict[str, str]]:
    """The teams that have a forecast, as the scenario form's options."""
    return [{"id": t["id"], "label": team_label(t["id"], lang)} for t in planning.teams(store) if t["has_forecast"]]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def stale_note(first: dt.date | None, today: dt.date, lang: Lang) -> str | None:
    """A warning when the forecast's first period began more than a week before this week: the
    retraining stopped (or was fed old counts), and "the coming weeks" are partly past."""
    if first is None:
        return None
    weeks = (monday(today) - monday(first)).days // 7
    if weeks < 2:
        return None
    return translate_plural("capacity.forecast.stale", weeks, lang, first=fmt.date_long(first, lang))


def forecast_part(store: ModelStore, team: str, lang: Lang, today: dt.date | None = None) -> dict[str, Any]:
    """The intake chart (history, forecast, 80 % and 95 % bands) and its table, with a warning when
    the forecast began more than a week before ``today``."""
    t = partial(translate, lang=lang)
    data = planning.forecast(store, team, HISTORY_WEEKS)
    history = [Point(_day(p["date"]), p["value"]) for p in data["history"]]
    ahead = [
        BandPoint(_day(p["date"]), p["mean"], p["lo_80"], p["hi_80"], p["lo_95"], p["hi_95"]) for p in data["forecast"]
    ]
    seen = [p.value for p in history if p.value is not None]
    desc = t(
        "capacity.forecast.desc",
        team=team_label(team, lang),
        past=len(history),
        past_mean=fmt.number(_mean(seen), 0, lang),
        weeks=len(ahead),
        mean=fmt.number(_mean([p.mean for p in ahead]), 0, lang),
        lo=fmt.number(_mean([p.lo_80 for p in ahead]), 0, lang),
        hi=fmt.number(_mean([p.hi_80 for p in ahead]), 0, lang),
    )
    text = ChartText(
        title=t("capacity.forecast.title", team=team_label(team, lang)),
        desc=desc,
        x_axis=t("capacity.axis.week"),
        y_axis=t("capacity.axis.cases"),
        legend={
            "history": t("capacity.legend.history"),
            "forecast": t("capacity.legend.forecast"),
            "band_80": t("capacity.legend.band_80"),
            "band_95": t("capacity.legend.band_95"),
        },
    )
    rows = [
        {
            "week": fmt.date_short(p.day, lang),
            "mean": fmt.number(p.mean, 0, lang),
            "band_80": f"{fmt.number(p.lo_80, 0, lang)} – {fmt.number(p.hi_80, 0, lang)}",
            "band_95": f"{fmt.number(p.lo_95, 0, lang)} – {fmt.number(p.hi_95, 0, lang)}",
        }
        for p in ahead
    ]
    return {
        "chart": forecast_chart(history, ahead, text, chart_id="chart-intake", lang=lang),
        "description": desc,
        "rows": rows,
        "model": data["model"],
        "stale": stale_note(ahead[0].day if ahead else None, today, lang) if today is not None else None,
    }


def capacity_part(
    store: ModelStore, team: str, scenario: Scenario, lang: Lang, risk_threshold: float
) -> dict[str, Any] | None:
    """FTE needed against available, backlog and the weeks at risk; None when the forecast run has no
    norms or staffing for the team (the forecast itself is then still shown)."""
    t = partial(translate, lang=lang)
    try:
        data = planning.capacity(store, team, scenario.demand_change, scenario.fte_change, scenario.backlog_start)
    except (NotFound, Unavailable):
        return None
    weeks = data["weeks"]
    needed = [
        BandPoint(
            _day(w["week"]),
            w["fte_needed_mean"],
            w["fte_needed_lo_80"],
            w["fte_needed_hi_80"],
            w["fte_needed_lo_95"],
            w["fte_needed_hi_95"],
        )
        for w in weeks
    ]
    available = [w["fte_available"] for w in weeks]
    at_risk = [math.isfinite(w["breach_probability"]) and w["breach_probability"] >= risk_threshold for w in weeks]
    risky = [p.day for p, r in zip(needed, at_risk, strict=True) if r]
    desc = t(
        "capacity.fte.desc",
        needed=fmt.number(_mean([p.mean for p in needed]), 1, lang),
        available=fmt.number(_mean(available), 1, lang),
        risky=len(risky),
    )
    text = ChartText(
        title=t("capacity.fte.title", team=team_label(team, lang)),
        desc=desc,
        x_axis=t("capacity.axis.week"),
        y_axis=t("capacity.axis.fte"),
        legend={
            "needed": t("capacity.legend.needed"),
            "available": t("capacity.legend.available"),
            "band_80": t("capacity.legend.band_80"),
            "band_95": t("capacity.legend.band_95"),
            "risk": t("capacity.legend.risk"),
        },
    )
    rows = [_capacity_row(w, r, lang) for w, r in zip(weeks, at_risk, strict=True)]
    return {
        "chart": capacity_chart(needed, available, at_risk, text, chart_id="chart-fte", lang=lang),
        "description": desc,
        "rows": rows,
        "risk_weeks": risky,
        "risk_text": _risk_text(team, [p.day for p in needed], at_risk, risk_threshold, lang),
        "backlog_text": _backlog_text(weeks, lang),
    }


def _capacity_row(week: dict[str, Any], at_risk: bool, lang: Lang) -> dict[str, Any]:
    """One week of the capacity table, formatted as the chart's description formats it."""
    n = partial(fmt.number, lang=lang)
    return {
        "week": fmt.week_label(_day(week["week"]), lang),
        "intake": n(week["intake_mean"], 0),
        "needed": n(week["fte_needed_mean"], 1),
        "band_80": f"{n(week['fte_needed_lo_80'], 1)} – {n(week['fte_needed_hi_80'], 1)}",
        "available": n(week["fte_available"], 1),
        "gap": n(week["fte_gap"], 1, signed=True),
        "backlog": n(week["backlog_hours"], 0),
        "breach": fmt.percent(week["breach_probability"], 0, lang),
        "at_risk": at_risk,
    }


def _risk_text(team: str, days: list[dt.date], at_risk: list[bool], threshold: float, lang: Lang) -> str:
    """The weeks at risk in one sentence; consecutive weeks as one stretch ("week 49 tot en met week 8")."""
    info = TEAMS.get(team)
    if info is None or info.statutory_term_days is None:
        return translate("capacity.risk.no_term", lang, basis=info.term_basis if info else "")
    values = {"threshold": fmt.percent(threshold, 0, lang), "term": info.term_basis}
    stretches = runs(at_risk)
    if not stretches:
        return translate("capacity.risk.none", lang, **values)
    named = [
        fmt.week_label(days[a], lang)
        if a == b
        else translate(
            "capacity.risk.stretch", lang, first=fmt.week_label(days[a], lang), last=fmt.week_label(days[b], lang)
        )
        for a, b in stretches
    ]
    return translate_plural("capacity.risk.some", sum(at_risk), lang, weeks=", ".join(named), **values)


def _backlog_text(weeks: list[dict[str, Any]], lang: Lang) -> str:
    if not weeks:
        return ""
    last = weeks[-1]
    peak = max(weeks, key=lambda w: w["backlog_hours"])
    if peak["backlog_hours"] <= 0:
        return translate("capacity.backlog.none", lang)
    return translate(
        "capacity.backlog.some",
        lang,
        end=fmt.week_label(_day(last["week"]), lang),
        hours=fmt.number(last["backlog_hours"], 0, lang),
        peak=fmt.number(peak["backlog_hours"], 0, lang),
        peak_week=fmt.week_label(_day(peak["week"]), lang),
    )


def _driver_key(contribution: float) -> str:
    """Below 0.05 cases a week the one-decimal figure would read 0,0: say it has almost no influence."""
    if abs(contribution) < 0.05:
        return "capacity.drivers.small"
    return "capacity.drivers.up" if contribution > 0 else "capacity.drivers.down"


def drivers_part(store: ModelStore, team: str, lang: Lang) -> dict[str, Any]:
    """The forecast's drivers as bars and as sentences, with a caveat when they explain another model."""
    t = partial(translate, lang=lang)
    data = planning.drivers(store, team)
    shown = data["drivers"][:DRIVERS_SHOWN]
    label = "label_nl" if lang == "nl" else "label_en"
    sentences = [
        t(_driver_key(d["mean_contribution"]), driver=d[label], n=fmt.number(abs(d["mean_contribution"]), 1, lang))
        for d in shown
    ]
    caveat = None
    if shown and data["explains_served_forecast"] is False:
        key = f"forecast_model.{data['chosen_model']}"
        caveat = t("capacity.drivers.other_model", model=t(key) if has_text(key) else data["chosen_model"])
    chart = None
    if shown:
        text = ChartText(
            title=t("capacity.drivers.title"),
            desc=" ".join(sentences),
            x_axis=t("capacity.drivers.axis"),
            y_axis="",
            legend={"up": t("capacity.drivers.legend_up"), "down": t("capacity.drivers.legend_down")},
        )
        chart = bar_chart(
            [(d[label], d["mean_contribution"]) for d in shown],
            text,
            chart_id="chart-drivers",
            value_label=lambda v: fmt.number(v, 1, lang, signed=True),
        )
    return {"chart": chart, "sentences": sentences, "caveat": caveat, "weeks": data["weeks"]}
