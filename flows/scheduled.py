"""The flows a Prefect worker runs on a schedule (ADR 0017; ``werkwijzer schedule deploy``).

- ``scheduled-monitoring``: one monitoring pass (``flows.monitor``) over the window before now.
- ``retrain-forecast``: the forecast champion trained again on what it learnt from plus the intake
  the teams reported to the API since (``POST /api/v1/intake/{team}``), with the champion's own
  frequency, horizon, backtest cutoffs, calendar, norms and staffing. The new version is registered;
  through the forecast gate (``flows.forecast_tracking``) it becomes the candidate, and champion
  only when a model owner approves it (ADR 0019): the run always needs a person.

A run that did its work but needs a person ends in the Completed state ``NeedsAttention`` with the
reason as its message, as the commands end with exit code 3: a monitoring stop, a retrained
forecast that waits for a person's approval, or one that the gate kept from being a candidate.

Neither takes a setting as a parameter: the worker's environment (``WERKWIJZER_*``, the same as the
API's) names the home and the stores, so a run started by hand in the Prefect UI does what the
schedule does, and nothing secret is stored in Prefect's database.
"""

# No ``from __future__ import annotations``: a worker validates the flows' parameters in a fresh
# process, where Prefect cannot resolve string annotations.
import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger
from prefect.states import Completed, State

from casework.frames import intake_actuals, open_store
from flows.champions import load_forecast_champion
from flows.forecast_tracking import MODEL_NAME as FORECAST_MODEL
from flows.monitor import monitor
from models.forecast.frequency import regularize, shift
from werkwijzer.io import write_csv
from werkwijzer.periods import Period
from werkwijzer.settings import Settings, get_settings
from werkwijzer.tracking import configure_mlflow

MONITORING = "scheduled-monitoring"
RETRAIN_FORECAST = "retrain-forecast"
ATTENTION = "NeedsAttention"


@dataclass(frozen=True)
class RetrainingData:
    """The intake a retraining learns from, written where the run's ``data`` parameter points."""

    path: Path
    periods_added: int  # complete periods of reported intake after the champion's history
    last_period: str


def reported_after(history: pd.DataFrame, actuals: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The complete periods of the reported daily ``actuals`` after the ``history``'s last period, for the
    history's series only (a team the model never saw needs a person's decision, not a retraining)."""
    columns = ["series_id", "date", "value"]
    known = set(history["series_id"].astype(str))
    actuals = actuals[actuals["series_id"].astype(str).isin(known)]
    if actuals.empty:
        return pd.DataFrame(columns=columns)
    try:
        periods = regularize(actuals, freq)
    except ValueError:  # no period observed on at least half of its days
        return pd.DataFrame(columns=columns)
    return periods[periods["date"] > history["date"].max()][columns]


def reported_since(settings: Settings, start: dt.datetime) -> pd.DataFrame:
    """The daily intake the teams reported from ``start`` up to yesterday (today is not over yet)."""
    from casework.db import read_session

    today = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(), dt.UTC)
    if start >= today:
        return pd.DataFrame(columns=["series_id", "date", "value"])
    engine = open_store(settings)
    try:
        session = read_session(engine)
        try:
            return intake_actuals(session, Period.of(start, today))
        finally:
            session.close()
            session.bind.close()  # type: ignore[union-attr]  # read_session owns its connection
    finally:
        engine.dispose()


def retraining_data(settings: Settings, history: pd.DataFrame, freq: str, folder: Path) -> RetrainingData:
    """The champion's history followed by the reported intake after it, as a long intake file in ``folder``."""
    history = history[["series_id", "date", "value"]].assign(date=lambda f: pd.to_datetime(f["date"]))
    start = shift(history["date"].max(), 1, freq).to_pydatetime().replace(tzinfo=dt.UTC)
    added = reported_after(history, reported_since(settings, start), freq)
    combined = history if added.empty else pd.concat([history, added], ignore_index=True)
    combined = combined.sort_values(["series_id", "date"])
    path = folder / "intake.csv"
    write_csv(combined.assign(date=combined["date"].dt.strftime("%Y-%m-%d")), path)
    return RetrainingData(path, int(added["date"].nunique()), f"{combined['date'].max():%Y-%m-%d}")


def _artifact(client: Any, run_id: str, name: str, folder: Path) -> Path:
    """A planning table stored with the champion (``forecast/<name>.csv``), downloaded into ``folder``."""
    return Path(client.download_artifacts(run_id, f"forecast/{name}.csv", str(folder)))


def outcome(result: dict[str, Any], attention: str | None) -> dict[str, Any] | State:
    """The result as it is, or inside a Completed state named ``NeedsAttention`` saying why."""
    if attention is None:
        return result
    get_run_logger().warning("%s", attention)
    return Completed(name=ATTENTION, message=attention, data=result)


def _param(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    return None if value in (None, "", "None") else value


@flow(name=MONITORING)
def scheduled_monitoring(end: dt.datetime | None = None) -> dict[str, Any] | State:
    """One monitoring pass on the worker's settings; returns what ``werkwijzer monitor --once`` prints."""
    settings = get_settings()
    open_store(settings).dispose()  # a store the API never started on fails the run with what to do
    run = monitor(settings=settings, end=end)
    levels = {level: sum(f.level == level for f in run.findings) for level in ("note", "warn", "stop")}
    result = {"mlflow_run_id": run.run_id, "findings": levels, "stopped": run.stopped, "counts": run.counts}
    stops = levels["stop"]
    return outcome(
        result,
        f"{stops} stop finding(s); advice switched off for {', '.join(run.stopped) or 'no model'}: a person must look"
        if stops
        else None,
    )


@flow(name=RETRAIN_FORECAST)
def retrain_forecast() -> dict[str, Any] | State:
    """Train the forecast champion again on its history plus the reported intake; see the module docstring."""
    from flows.train_forecast import train_forecast

    settings = get_settings()
    logger = get_run_logger()
    client = configure_mlflow(settings)
    champion = load_forecast_champion(client, FORECAST_MODEL)  # LookupError: nothing to retrain yet
    params = client.get_run(champion.run_id).data.params
    freq = params["freq"]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = settings.data_dir / "retraining" / f"{FORECAST_MODEL}-{stamp}"
    folder.mkdir(parents=True)
    data = retraining_data(settings, champion.history, freq, folder)
    norms = _artifact(client, champion.run_id, "norms", folder) if champion.norms is not None else None
    staffing = _artifact(client, champion.run_id, "staffing", folder) if champion.staffing is not None else None
    logger.info(
        "retraining version %s on %s: %d new periods up to %s",
        champion.version,
        data.path,
        data.periods_added,
        data.last_period,
    )
    result = train_forecast(
        data.path,
        freq=freq,
        horizon=int(params["horizon"]),
        cutoffs=int(params["cutoffs"]),
        country=_param(params, "country"),
        subdiv=_param(params, "subdiv"),
        norms=norms,
        staffing=staffing,
        settings=settings,
    )
    summary = {
        "retrained_from": champion.version,
        "model_version": result.model_version,
        "candidate": result.candidate,
        "gate": result.gate,
        "mlflow_run_id": result.run_id,
        **asdict(data) | {"path": str(data.path)},
    }
    if result.candidate:
        attention = (
            f"a person must approve version {result.model_version}: it passed its gate and is the candidate; "
            f"version {champion.version} stays champion until a model owner approves it "
            f"(werkwijzer models approve --model {FORECAST_MODEL} --version {result.model_version} --reason TEXT)"
        )
    else:
        attention = (
            f"version {result.model_version} is registered, not a candidate ({result.gate}); "
            f"version {champion.version} stays champion"
        )
    return outcome(summary, attention)
