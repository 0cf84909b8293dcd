"""Teams, their intake forecast and capacity scenarios, from the forecast champion run alone.

Capacity is computed by ``models.capacity.plan_capacity`` with the norms and staffing stored in
the champion run (ADR 0003), so the numbers a team lead sees match the approved model.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from casework.errors import NotFound, Unavailable
from casework.modelstore import ForecastBundle, ModelStore
from werkwijzer.i18n import both
from werkwijzer.teams import TEAMS


def teams(store: ModelStore) -> list[dict[str, Any]]:
    bundle = store.forecast
    with_forecast = set(bundle.forecast["series_id"].astype(str)) if bundle else set()
    out = [
        {
            "id": t.id,
            "label_nl": t.label_nl,
            "label_en": t.label_en,
            "handles_cases": t.handles_cases,
            "statutory_term_days": t.statutory_term_days,
            "term_basis": t.term_basis,
            "has_forecast": t.id in with_forecast,
        }
        for t in TEAMS.values()
    ]
    for extra in sorted(with_forecast - set(TEAMS)):
        label = extra.replace("_", " ")
        out.append(
            {
                "id": extra,
                "label_nl": label,
                "label_en": label,
                "handles_cases": False,
                "statutory_term_days": None,
                "term_basis": "",
                "has_forecast": True,
            }
        )
    return out


def _bundle_for(store: ModelStore, team: str) -> tuple[ForecastBundle, pd.DataFrame]:
    bundle = store.forecast
    if bundle is None:
        raise Unavailable(both("service.no_forecast"))
    rows = bundle.forecast[bundle.forecast["series_id"].astype(str) == team]
    if rows.empty:
        raise NotFound(f"no forecast for team {team}")
    return bundle, rows.sort_values("date")


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def forecast(store: ModelStore, team: str, history_weeks: int) -> dict[str, Any]:
    bundle, rows = _bundle_for(store, team)
    history = bundle.history[bundle.history["series_id"].astype(str) == team].sort_values("date").tail(history_weeks)
    columns = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")
    return {
        "team": team,
        "model": {"name": bundle.name, "version": bundle.version},
        "history": [
            {"date": d.date().isoformat(), "value": _finite(v)}
            for d, v in zip(history["date"], history["value"], strict=True)
        ],
        "forecast": [
            {"date": r["date"].date().isoformat(), **{c: float(r[c]) for c in columns}} for _, r in rows.iterrows()
        ],
    }


CAPACITY_COLUMNS = (
    "intake_mean",
    "hours_mean",
    "fte_needed_mean",
    "fte_needed_lo_80",
    "fte_needed_hi_80",
    "fte_needed_lo_95",
    "fte_needed_hi_95",
    "fte_available",
    "fte_gap",
    "backlog_hours",
    "breach_probability",
)


def capacity(
    store: ModelStore, team: str, demand_change: float, fte_change: float, backlog_start: float
) -> dict[str, Any]:
    bundle, rows = _bundle_for(store, team)
    if bundle.norms is None or bundle.staffing is None:
        raise Unavailable(both("service.no_norms"))
    if team not in set(bundle.norms["team"]) or team not in set(bundle.staffing["team"]):
        raise NotFound(f"no norms or staffing for team {team}")
    plan = store.library.plan_capacity(
        rows,
        bundle.norms,
        bundle.staffing,
        demand_change={team: demand_change},
        fte_change={team: fte_change},
        backlog_start={team: backlog_start},
    )
    plan = plan[plan["team"].astype(str) == team].sort_values("week")
    weeks = [
        {"week": pd.Timestamp(r["week"]).date().isoformat(), **{c: float(r[c]) for c in CAPACITY_COLUMNS}}
        for _, r in plan.iterrows()
    ]
    return {
        "team": team,
        "model": {"name": bundle.name, "version": bundle.version},
        "scenario": {"demand_change": demand_change, "fte_change": fte_change, "backlog_start": backlog_start},
        "weeks": weeks,
    }


def drivers(store: ModelStore, team: str) -> dict[str, Any]:
    """What drives a team's forecast: each SHAP driver's mean contribution per week over the horizon.

    Contributions are in cases per week (``explain.forecast_drivers``), largest influence first.
    They come from the global boosting model; ``explains_served_forecast`` says whether that is
    also the model ``auto`` chose for this team (None when the run does not say), so a page never
    presents them as more than they are.
    """
    bundle, _ = _bundle_for(store, team)
    found = bundle.drivers[bundle.drivers["series_id"].astype(str) == team] if bundle.drivers is not None else None
    chosen = bundle.choice.get(team)
    out: dict[str, Any] = {
        "team": team,
        "model": {"name": bundle.name, "version": bundle.version},
        "chosen_model": chosen,
        "explains_served_forecast": (chosen == "gbm") if chosen else None,
        "weeks": 0,
        "drivers": [],
    }
    if found is None or found.empty:
        return out
    ranked = found.assign(size=found["mean_contribution"].abs()).sort_values(
        ["size", "driver"], ascending=[False, True]
    )
    out["weeks"] = int(found["periods"].max())
    out["drivers"] = [
        {
            "driver": r.driver,
            "label_nl": r.label_nl,
            "label_en": r.label_en,
            "mean_contribution": float(r.mean_contribution),
        }
        for r in ranked.itertuples(index=False)
    ]
    return out
