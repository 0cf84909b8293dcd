"""Capacity planning per team and week: from the intake forecast, the norms and the staffing.

Hours needed = intake x mean norm hours per case (the effort classes weighted by their share);
FTE needed = hours / productive hours per FTE per week, with the 80 % and 95 % bands of the
intake forecast carried through. The gap is FTE needed minus FTE available (positive: too few
people). Work that does not fit in a week is carried forward as backlog hours.

Breach probability: a case that arrives in a week is handled after the backlog ahead of it
(first come, first served), so its throughput time is about (backlog + that week's hours) /
weekly capacity. The probability of breaching the statutory term is the share of simulated
intake paths (normal per week, spread taken from the 95 % interval, never below zero) in
which that throughput time exceeds the term. Teams without a statutory term get no probability.
The weeks of a path move together as the forecast's errors did in its backtest: with the
forecast's ``horizon_correlation`` rho, a path is mean + spread x (sqrt(rho) x a shock shared by
all its weeks + sqrt(1 - rho) x a shock of its own week) (ADR 0031). Each week keeps its own
spread; the backlog, which adds the weeks up, gets the spread of their sum. Without the column
(a forecast from before ADR 0031, or one made elsewhere) rho is 0: independent weeks.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from werkwijzer.contracts import staffing_for

LEVEL_COLUMNS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")
Z95 = 1.959963984540054


def team_norms(norms: pd.DataFrame) -> pd.DataFrame:
    """Per team: mean hours per case, productive hours per FTE per week and the term in weeks."""
    weighted = norms.assign(weighted=norms["norm_hours"] * norms["effort_share"])
    out = weighted.groupby("team").agg(
        hours_per_case=("weighted", "sum"),
        productive_hours=("productive_hours_per_fte_week", "first"),
        term_days=("statutory_term_days", "first"),
    )
    out["term_weeks"] = out["term_days"] / 7.0
    return out


def plan_capacity(
    forecast: pd.DataFrame,
    norms: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    demand_change: dict[str, float] | None = None,
    fte_change: dict[str, float] | None = None,
    backlog_start: dict[str, float] | None = None,
    draws: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per team and week (teams in both the forecast and the norms); see module doc."""
    demand_change = demand_change or {}
    fte_change = fte_change or {}
    backlog_start = backlog_start or {}
    weeks = pd.DatetimeIndex(pd.to_datetime(forecast["date"]))
    if (weeks.day_of_week != 0).any():
        raise ValueError("capacity needs a weekly forecast (dates on Mondays); run the forecast with --freq W")
    facts = team_norms(norms)
    teams = [t for t in sorted(forecast["series_id"].astype(str).unique()) if t in facts.index]
    if not teams:
        raise ValueError("no forecast series matches a team in the norms")
    rng = np.random.default_rng(seed)
    pieces = []
    for team in teams:
        rows = forecast[forecast["series_id"].astype(str) == team].sort_values("date")
        week = pd.DatetimeIndex(pd.to_datetime(rows["date"]))
        fact = facts.loc[team]
        factor = 1.0 + float(demand_change.get(team, 0.0))
        intake = {c: rows[c].to_numpy(dtype=float) * factor for c in LEVEL_COLUMNS}
        hours = {c: v * fact["hours_per_case"] for c, v in intake.items()}
        available = staffing_for(staffing, team, week).to_numpy(dtype=float) + float(fte_change.get(team, 0.0))
        available = np.maximum(available, 0.0)
        capacity = available * fact["productive_hours"]
        backlog = carry_backlog(hours["mean"], capacity, float(backlog_start.get(team, 0.0)))
        frame = pd.DataFrame({"team": team, "week": week, "intake_mean": intake["mean"]})
        for c in LEVEL_COLUMNS:
            frame[f"hours_{c}"] = hours[c]
        for c in LEVEL_COLUMNS:
            frame[f"fte_needed_{c}"] = hours[c] / fact["productive_hours"]
        frame["fte_available"] = available
        frame["fte_gap"] = frame["fte_needed_mean"] - available
        frame["capacity_hours"] = capacity
        frame["backlog_hours"] = backlog
        frame["weeks_to_clear"] = np.where(capacity > 0, backlog / np.where(capacity > 0, capacity, 1.0), np.inf)
        frame["breach_probability"] = breach_probability(
            hours, capacity, float(backlog_start.get(team, 0.0)), fact["term_weeks"], rng, draws, correlation(rows)
        )
        pieces.append(frame)
    return pd.concat(pieces, ignore_index=True)


def carry_backlog(hours: np.ndarray, capacity: np.ndarray, start: float) -> np.ndarray:
    """Unfinished hours at the end of each week: backlog plus new work minus capacity."""
    out = np.empty(len(hours))
    backlog = start
    for i, (need, can) in enumerate(zip(hours, capacity, strict=True)):
        backlog = max(0.0, backlog + need - can)
        out[i] = backlog
    return out


def correlation(rows: pd.DataFrame) -> float:
    """The forecast's ``horizon_correlation`` (one value per run), 0 without it."""
    if "horizon_correlation" not in rows.columns:
        return 0.0
    values = rows["horizon_correlation"].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(np.clip(values.max(), 0.0, 1.0)) if len(values) else 0.0


def band_spread(lo_95: np.ndarray, hi_95: np.ndarray) -> np.ndarray:
    """The normal standard deviation a 95 % band stands for (its width / 2 x 1.96): what a
    simulated week is spread by, and what ``horizon_correlation`` divides errors by."""
    return np.maximum(np.asarray(hi_95, dtype=float) - np.asarray(lo_95, dtype=float), 0.0) / (2 * Z95)


def breach_probability(
    hours: dict[str, np.ndarray],
    capacity: np.ndarray,
    start: float,
    term_weeks: float,
    rng: np.random.Generator,
    draws: int,
    rho: float = 0.0,
) -> np.ndarray:
    """Per week, the share of simulated paths where that week's cases wait longer than the term;
    ``rho`` is the correlation of a path's weeks (see the module doc)."""
    if not np.isfinite(term_weeks):
        return np.full(len(capacity), np.nan)
    spread = band_spread(hours["lo_95"], hours["hi_95"])
    own = rng.standard_normal((draws, len(capacity)))
    shocks = math.sqrt(rho) * rng.standard_normal((draws, 1)) + math.sqrt(1.0 - rho) * own if rho > 0 else own
    paths = np.maximum(hours["mean"] + spread * shocks, 0.0)
    backlog = np.full(draws, start)
    out = np.empty(len(capacity))
    for i, can in enumerate(capacity):
        ahead = backlog + paths[:, i]
        throughput = ahead / can if can > 0 else np.full(draws, np.inf)
        out[i] = float(np.mean(throughput > term_weeks))
        backlog = np.maximum(0.0, ahead - can)
    return out


def parse_scenario(text: str) -> tuple[str, str, float]:
    """``team:+10%`` (demand) or ``team:+2fte`` (staffing) -> (kind, team, value)."""
    team, sep, change = text.partition(":")
    change = change.strip().lower().replace(" ", "")
    if not sep or not team or not change:
        raise ValueError(f"scenario {text!r}: expected team:+10% or team:+2fte")
    if change.endswith("%"):
        return "demand", team.strip(), float(change[:-1]) / 100.0
    if change.endswith("fte"):
        return "fte", team.strip(), float(change[:-3])
    raise ValueError(f"scenario {text!r}: the change must end in % (demand) or fte (staffing)")
