"""Intake forecast against actual intake, and the capacity it took, for the weeks of a report period.

Which forecast: a week is compared with the forecast of the newest approved version that was
trained *before* that week (its training data ended earlier), i.e. the forecast the team could
have planned with. Approved means the version was champion at some time (``champion_since``
tag) or is champion now. A version's forecast starts the week after its training data ends, so
every compared number is a genuine forecast, never a fit to data the model had seen.

Which weeks: weeks are labelled by their Monday, as the forecast is; a week belongs to the
period when its Monday does, and counts only when all seven days were reported to the store
(a half-reported week would look like a forecast error).

Capacity is computed from the *actual* weekly intake with the norms and staffing stored with
the newest approved forecast version (``models.capacity.plan_capacity``): what the intake that
came in asked of each team, against the FTE available. The store does not know the backlog
before the period, so the backlog is what built up within it, starting from zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from mlflow import MlflowClient

from flows.champions import FORECAST_MODEL, ForecastVersion, load_forecast_version
from flows.report_registry import model_versions
from models.capacity import LEVEL_COLUMNS, plan_capacity
from models.monitoring import join_forecast_actuals
from werkwijzer.periods import Period
from werkwijzer.tracking import CHAMPION, CHAMPION_SINCE

INTAKE_COLUMNS = ["team", "date", "actual", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
CAPACITY_COLUMNS = ["team", "week", "fte_needed_mean", "fte_available", "backlog_hours"]


def approved_forecasts(client: MlflowClient, name: str = FORECAST_MODEL) -> list[ForecastVersion]:
    """Every version of the forecast model that is or was champion, oldest first."""
    versions = [
        v
        for v in model_versions(client, name)
        if CHAMPION_SINCE in (v.tags or {}) or CHAMPION in (getattr(v, "aliases", None) or [])
    ]
    return [load_forecast_version(client, v) for v in sorted(versions, key=lambda v: int(v.version))]


def period_weeks(period: Period) -> tuple[dt.date, dt.date]:
    """The first and the last day of the weeks whose Monday lies in the period (Monday to Sunday)."""
    first = period.first_day + dt.timedelta(days=(7 - period.first_day.weekday()) % 7)
    last_monday = period.last_day - dt.timedelta(days=period.last_day.weekday())
    return first, last_monday + dt.timedelta(days=6)


def freshest_forecast(versions: Sequence[ForecastVersion]) -> pd.DataFrame:
    """Per team and week, the forecast of the version whose training data ended last before that week."""
    parts = []
    for v in versions:
        issued = v.history.groupby("series_id")["date"].max().rename("issued")
        f = v.forecast.merge(issued, left_on="series_id", right_index=True, how="inner")
        parts.append(f[f["date"] > f["issued"]].assign(version=v.version))
    if not parts:
        return pd.DataFrame(columns=["series_id", "date", *LEVEL_COLUMNS, "issued", "version"])
    every = pd.concat(parts, ignore_index=True).sort_values(["series_id", "date", "issued"])
    return every.drop_duplicates(["series_id", "date"], keep="last").reset_index(drop=True)


def intake_frame(versions: Sequence[ForecastVersion], weekly: pd.DataFrame, period: Period) -> pd.DataFrame:
    """``ReportData.intake``: forecast next to actual for the period's complete weeks that have both."""
    if weekly.empty or not versions:
        return pd.DataFrame(columns=INTAKE_COLUMNS)
    joined = join_forecast_actuals(freshest_forecast(versions), weekly)
    return joined[period.contains(joined["date"])].reset_index(drop=True)[INTAKE_COLUMNS]


def capacity_frame(versions: Sequence[ForecastVersion], weekly: pd.DataFrame, period: Period) -> pd.DataFrame:
    """``ReportData.capacity``: FTE the actual intake needed against FTE available, and the backlog built up."""
    planning = [(v.norms, v.staffing) for v in versions if v.norms is not None and v.staffing is not None]
    weekly = weekly[period.contains(weekly["date"])] if not weekly.empty else weekly
    if not planning or weekly.empty:
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    norms, staffing = planning[-1]  # the newest approved version's
    actual = weekly[weekly["series_id"].astype(str).isin(set(norms["team"].astype(str)))]
    if actual.empty:
        return pd.DataFrame(columns=CAPACITY_COLUMNS)
    as_forecast = actual.assign(**{c: actual["value"].astype(float) for c in LEVEL_COLUMNS})
    plan = plan_capacity(as_forecast, norms, staffing, draws=1)
    return plan[CAPACITY_COLUMNS].reset_index(drop=True)
