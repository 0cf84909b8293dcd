"""The accountability report for council and co-governments, filled from the stores (``werkwijzer report``).

Sources, each read once for the period (Dutch local time; the API store keeps naive UTC):

- the API store (``casework.frames``): advice use, decisions, objections, stop-button changes,
  daily intake actuals;
- the MLflow registry: the approved forecasts (``flows.report_intake``), the model changes and
  the Algoritmeregister entries of the models in use (``flows.report_registry``);
- the MLflow monitoring experiment: the findings of the period's monitoring runs;
- the outcomes of closed cases, measured as monitoring measures them (``flows.monitor_outcomes.live_rates``):
  live error rates per served model and group against the approved test-set figures, and the coverage;
- the audit file of protected characteristics (``Settings.characteristics_file``), joined to the
  decisions by case key for live fairness; never stored by the API.

This module only selects and joins rows; the numbers are computed by ``models.monitoring`` and
``models.capacity``, and the words by ``explain.report``. Anything that makes the report
impossible (a bad period, an empty or missing store, MLflow out of reach) raises ``ReportError``
with a message that says what and where, before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from casework import frames as store_frames
from casework.db import reading, sqlalchemy_url
from explain.register import validate_entry
from explain.report import write_report
from explain.report_data import COLUMNS, LiveErrors, ReportData, ReportError, parse_period
from flows import monitor_anchoring, monitor_outcomes, monitor_tables
from flows.monitor import characteristics
from flows.report_intake import approved_forecasts, capacity_frame, intake_frame, period_weeks
from flows.report_registry import model_changes, model_versions, period_findings, register_entries, registered_models
from flows.review import artifact_json
from werkwijzer.io import staged_output
from werkwijzer.periods import ZONE, Period
from werkwijzer.settings import Settings
from werkwijzer.tracking import champion_version, configure_mlflow

LANGUAGES = ("nl", "en")


def _where(url: str) -> str:
    """The database URL without its password, for error messages."""
    return make_url(sqlalchemy_url(url)).render_as_string(hide_password=True)


def read_store(settings: Settings, period: Period) -> tuple[store_frames.StoreFrames, pd.DataFrame]:
    """The period's store frames and the daily intake of its weeks; ReportError when there is no store or no data."""
    where = _where(settings.database)
    url = make_url(sqlalchemy_url(settings.database))
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        raise ReportError(
            f"the API store {where} does not exist; start the API (werkwijzer serve) or set "
            "WERKWIJZER_DATABASE_URL to the API's database"
        )
    engine = store_frames.open_store(settings)
    try:
        if not inspect(engine).has_table("advice"):
            raise ReportError(f"the API store {where} has no tables; start the API once so it migrates its database")
        frames = store_frames.read_frames(engine, period.utc())
        first, last = period_weeks(period)
        weeks = Period.of(first, last + dt.timedelta(days=1))
        with reading(engine) as session:
            daily = store_frames.intake_actuals(session, weeks)
    except SQLAlchemyError as exc:
        raise ReportError(
            f"the API store {where} could not be read: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    if frames.advice.empty and frames.switch_changes.empty and daily.empty:
        raise ReportError(
            f"the API store {where} holds no advice, stop-button changes or intake for "
            f"{period.label} ({period.first_day} to {period.last_day}); nothing to report"
        )
    return frames, daily


def fairness_frame(
    decisions: pd.DataFrame, audit: pd.DataFrame | None, positive: Sequence[str], min_cell: int
) -> pd.DataFrame:
    """Live fairness of the advising model, measured exactly as monitoring does (``monitor_tables.fairness``).

    The report shows one table, so when decisions name more than one model it shows the model
    with the most decisions on shown advice (in practice there is one: the effort model advises).
    """
    table = monitor_tables.fairness(decisions, audit, positive, min_cell)
    if table.empty or "fpr" not in table.columns:
        return pd.DataFrame(columns=list(COLUMNS["fairness"]))
    main = decisions.loc[decisions["advised"], "model_name"].value_counts().idxmax()
    return table[table["model_name"] == main].drop(columns="model_name").reset_index(drop=True)


def positive_classes(client: MlflowClient, model_names: Sequence[str]) -> list[str]:
    """Every class above the lightest of the advising model's champion schema, as monitoring counts them."""
    for name in model_names:
        version = champion_version(client, name)
        if version is not None:
            return [str(c) for c in artifact_json(client, str(version.run_id), "triage/schema.json")["classes"][1:]]
    return []


def _local_events(changes: pd.DataFrame) -> pd.DataFrame:
    """Switch changes as ``ReportData.stop_events`` (store times are UTC; the report shows Dutch time)."""
    return pd.DataFrame(
        {
            "time": pd.to_datetime(changes["time"]).dt.tz_localize("UTC"),
            "model_name": changes["model_name"],
            "advice_on": changes["enabled"].astype(bool),
            "actor": changes["actor"],
            "reason": changes["reason"],
        }
    )


def _objections(objections: pd.DataFrame) -> pd.DataFrame:
    """Objections dated by the Dutch local day they were recorded on."""
    recorded = pd.to_datetime(objections["recorded_at"]).dt.tz_localize("UTC").dt.tz_convert(ZONE)
    return objections.assign(date=recorded.dt.tz_localize(None).dt.normalize())


def build_report_data(settings: Settings, period: str | Period) -> ReportData:
    """Everything one report shows for ``period`` (e.g. ``2026-Q3``); see the module docstring.

    ``model_changes`` carries ``change_nl`` and ``change_en``; :func:`in_language` picks one.
    """
    period = parse_period(period) if isinstance(period, str) else period
    frames, daily = read_store(settings, period)
    audit = characteristics(settings)
    tracking = make_url(settings.tracking_uri) if settings.tracking_uri.startswith("sqlite:") else None
    if tracking is not None and tracking.database and not Path(tracking.database).is_file():
        raise ReportError(
            f"the MLflow store {settings.tracking_uri} does not exist; train the models first "
            "(werkwijzer demo, forecast, triage train) or set WERKWIJZER_MLFLOW_TRACKING_URI"
        )
    try:
        client = configure_mlflow(settings)
        names = registered_models(client)
        forecasts = approved_forecasts(client)
        changes = pd.concat(
            [model_changes(model_versions(client, n), period) for n in names] or [model_changes([], period)]
        ).sort_values(["date", "model_name"], ignore_index=True)
        entries = register_entries(client, names)
        findings = period_findings(client, period)
        positive = positive_classes(client, sorted(set(frames.decisions["model_name"].dropna())))
        # live error rates from outcomes, measured exactly as monitoring measures them
        live = monitor_outcomes.live_rates(settings, period.utc(), audit)
    except (MlflowException, OSError) as exc:
        raise ReportError(f"MLflow at {settings.tracking_uri} could not be read: {str(exc).splitlines()[0]}") from None
    weekly = monitor_tables.weekly_actuals(daily)
    decisions = frames.decisions[frames.decisions["advised"]].reset_index(drop=True)
    return ReportData(
        period=period,
        organization=settings.organization,
        intake=intake_frame(forecasts, weekly, period),
        capacity=capacity_frame(forecasts, weekly, period),
        advice_use=frames.advice_use,
        decisions=decisions,
        fairness=fairness_frame(frames.decisions, audit, positive, settings.fairness_min_cell),
        objections=_objections(frames.objections),
        stop_events=_local_events(frames.switch_changes),
        model_changes=changes.assign(change=changes["change_nl"]),
        register_entries=entries,
        findings=findings,
        min_cell=settings.fairness_min_cell,
        experiment=monitor_anchoring.read_experiment(settings, period.utc()),
        outcomes=LiveErrors(live.table, live.count, live.decided, live.with_outcome, monitor_outcomes.SERVED),
    )


def in_language(data: ReportData, lang: str) -> ReportData:
    """The same data with the model-change texts in ``lang``; the rest is numbers or the store's own words."""
    changes = data.model_changes
    return dataclasses.replace(data, model_changes=changes.assign(change=changes[f"change_{lang}"]))


def write_reports(
    settings: Settings, period: str, out_dir: str | Path, languages: Sequence[str] = LANGUAGES
) -> list[Path]:
    """Build and write the report in each language (HTML and PDF); all files appear together or none."""
    data = build_report_data(settings, parse_period(period))
    band = (settings.fairness_ratio_low, settings.fairness_ratio_high)
    written: list[Path] = []
    with staged_output(out_dir) as stage:
        for lang in languages:
            paths = write_report(
                in_language(data, lang), stage, lang=lang, fairness_band=band, validate_entry=validate_entry
            )
            written += [Path(out_dir) / paths["html"].name, Path(out_dir) / paths["pdf"].name]
    return written
