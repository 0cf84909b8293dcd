"""Prefect flow: load and validate intake -> backtest every model -> fit -> forecast -> SHAP
drivers -> MLflow -> register ``werkwijzer-forecast``.

Local models run as one task per batch of series; the global gradient-boosted model as one
task per call. The task runner is local (threads) by default and a Dask cluster
(prefect-dask ``DaskTaskRunner``) when the settings name a scheduler address or a number of
local workers. Results do not depend on the runner: every task is deterministic.

Every task runs BLAS and OpenMP on one thread: parallelism comes from the tasks, and a second
BLAS thread per task only spins (on a shared 2-core machine it more than doubled the CPU time of
the ETS fits, with identical forecasts). A fit task sends back the forecast and what explains it
(components, SHAP drivers), not the fitted model, so forecasting runs on the workers too and no
statsmodels result crosses the wire (docs/benchmarks.md, issue 19 item 6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from prefect import flow, task
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from threadpoolctl import threadpool_limits

from explain.forecast_drivers import by_driver, gbm_shap, statistical_components
from flows.forecast_run import ForecastRun
from models.forecast import BASE_MODELS, OUTPUT, combine, make_forecaster
from models.forecast import reconcile as hierarchy_tools
from models.forecast.backtest import (
    cutoff_dates,
    horizon_correlation,
    model_predictions,
    overall,
    score_backtest,
    short_history_cutoffs,
)
from models.forecast.frequency import check_freq, regularize, season_length
from models.forecast.outages import outage_days
from werkwijzer.calendar import check_calendar
from werkwijzer.contracts import read_intake
from werkwijzer.contracts.hierarchy import read_hierarchy
from werkwijzer.contracts.intake import check_history, check_spacing, far_above_usual, stopped_counting, stopped_text
from werkwijzer.contracts.problems import ContractError, Problem
from werkwijzer.progress import report
from werkwijzer.settings import Settings, get_settings

LOCAL_MODELS = ("seasonal_naive", "ets", "theta", "glm", "arima")
GLOBAL_MODELS = ("gbm",)
PREDICTION_COLUMNS = ["series_id", "cutoff", "date", "actual", "model", *OUTPUT]
SUMMARY_COLUMNS = ["series_id", "model", "mase", "smape", "coverage_80", "coverage_95"]


def flow_models(models: list[str] | None) -> list[str]:
    """The models a run backtests (all of ``BASE_MODELS`` by default); a name the flow cannot run
    is an error, not a silent omission."""
    names = list(models or BASE_MODELS)
    unknown = [n for n in names if n not in (*LOCAL_MODELS, *GLOBAL_MODELS)]
    if unknown:
        raise ValueError(
            f"the forecast flow cannot run {', '.join(map(repr, unknown))}: expected some of "
            f"{', '.join((*LOCAL_MODELS, *GLOBAL_MODELS))} (other models, such as autoets and mstl, are "
            "benchmark candidates: benchmarks/forecast_accuracy.py --candidates)"
        )
    return names


def _factory(name: str, params: dict[str, Any]) -> Callable[[], Any]:
    return lambda: make_forecaster(name, **params)


@task(name="load-intake")
def load_intake(
    path: str, freq: str, date_col: str | None, series: list[str] | None, horizon: int | None = None
) -> tuple[pd.DataFrame, list[str], list[str], dict[str, pd.Timestamp]]:
    """Read the intake through its data contract and put it on the regular grid of ``freq``; with
    ``horizon``, refuse a history too short to backtest it, and leave out the series that stopped
    counting (``stopped_counting``: only 0 for at least a horizon up to the end). Also returns the
    series that have no count at all (not forecast either), the counts far above the rest of their
    series (to check), and the stopped series with their last count's period; the report names all
    three."""
    intake = read_intake(path, date_col=date_col, series=series or None)
    check_spacing(intake, freq, Path(path).name)
    # dates after the last count of any series (a row for the coming week, still empty) are not
    # history: the forecast starts after the last period something was counted
    observed = intake["value"].notna()
    if observed.any():
        intake = intake[intake["date"] <= intake.loc[observed, "date"].max()]
    regular = regularize(intake, freq)
    stopped: dict[str, pd.Timestamp] = {}
    if horizon is not None:
        check_history(regular, freq, horizon, Path(path).name)
        stopped = stopped_counting(regular, freq, horizon)
        if stopped and len(stopped) == regular["series_id"].nunique():
            raise ContractError(
                [
                    Problem(
                        Path(path).name,
                        "counts above 0 in the last periods of at least one series; every series has counted "
                        f"only 0 since {max(stopped.values()):%Y-%m-%d} or earlier: did the counts stop arriving?",
                        column="value",
                        value=f"0 up to {regular['date'].max():%Y-%m-%d}",
                    )
                ]
            )
        regular = regular[~regular["series_id"].isin(stopped)].reset_index(drop=True)
    without_counts = sorted(set(intake["series_id"].astype(str)) - set(regular["series_id"]) - set(stopped))
    return regular, without_counts, far_above_usual(intake), stopped


@task(name="load-hierarchy")
def load_hierarchy(path: str, intake: pd.DataFrame) -> hierarchy_tools.Hierarchy | None:
    """The hierarchy the intake file names (its ``municipality`` and ``region`` columns), for
    the series in ``intake``; None without one or with a single series."""
    table = read_hierarchy(path)
    if table is None:
        return None
    table = table[table["series_id"].isin(set(intake["series_id"]))]
    return hierarchy_tools.build(table) if len(table) > 1 else None


def with_aggregates(intake: pd.DataFrame, hierarchy: hierarchy_tools.Hierarchy | None) -> pd.DataFrame:
    """The intake plus every aggregate of the hierarchy as a series of its own."""
    if hierarchy is None:
        return intake
    every = pd.concat([intake, hierarchy_tools.aggregate(intake, hierarchy)], ignore_index=True)
    return every.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)


@task(name="backtest-batch")
def backtest_batch(
    names: list[str],
    data: pd.DataFrame,
    cutoffs: list[pd.Timestamp],
    horizon: int,
    params: dict[str, Any],
) -> pd.DataFrame:
    with threadpool_limits(limits=1):
        return pd.concat(
            [model_predictions(n, _factory(n, params), data, cutoffs, horizon) for n in names],
            ignore_index=True,
        )


@dataclass(frozen=True)
class Fitted:
    """What a fit task sends back: one model's forecast for its series, and what explains it."""

    name: str
    forecast: pd.DataFrame  # series_id, date, OUTPUT and model
    components: pd.DataFrame | None  # ETS and GLM components (``statistical_components``)
    drivers: pd.DataFrame | None  # the gradient-boosted model's SHAP drivers, when asked for


@task(name="fit-batch")
def fit_batch(name: str, data: pd.DataFrame, params: dict[str, Any], horizon: int, explain: bool = False) -> Fitted:
    """Fit one model on the last data of the series in ``data`` and forecast ``horizon`` periods."""
    with threadpool_limits(limits=1):
        model = make_forecaster(name, **params).fit(data[["series_id", "date"]], data["value"].to_numpy())
        return Fitted(
            name,
            model.forecast(horizon).assign(model=name),
            statistical_components({name: model}) if name in ("ets", "glm") else None,
            gbm_shap(model, horizon)[0] if explain else None,
        )


def batches(series: list[str], n: int) -> list[list[str]]:
    n = max(1, min(n, len(series)))
    return [list(part) for part in np.array_split(np.asarray(series, dtype=object), n) if len(part)]


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """Local threads by default; a Dask cluster when the settings name one."""
    if settings.dask_address or settings.dask_local_workers:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": settings.dask_local_workers,
                "threads_per_worker": 1,
                "processes": settings.dask_processes,
                "dashboard_address": ":0",
            },
        )
    return ThreadPoolTaskRunner()


def prefect_api_for_workers() -> str | None:
    """The Prefect API the flow reports to, for local worker processes: the configured one, or
    else the ephemeral server the flow's own client uses (started here; Prefect keeps one per
    process). The flow then runs with it as ``PREFECT_API_URL``: the settings travel with every task
    to the workers, so that each worker process does not start a server of its own."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value():
        return str(PREFECT_API_URL.value())
    if not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    return str(server.api_url)


def local_cluster_config(settings: Settings) -> dict[str, Any]:
    """Dask settings for a run on a LocalCluster (none for threads or a named scheduler). On a
    loaded machine a worker can miss heartbeats or a connection can stall: longer timeouts keep it
    in the cluster. A worker process that dies is started again by its nanny and its tasks rerun; a
    run whose workers are all gone for good fails after ``dask_no_workers_timeout`` seconds
    (``NoValidWorkerError``) instead of waiting forever."""
    if settings.dask_address or not settings.dask_local_workers:
        return {}
    return {
        "distributed.scheduler.no-workers-timeout": f"{settings.dask_no_workers_timeout}s",
        "distributed.scheduler.worker-ttl": "15 minutes",
        "distributed.comm.timeouts.connect": "120s",
        "distributed.comm.timeouts.tcp": "120s",
    }


@flow(name="train-forecast")
def train_forecast_flow(
    data: str,
    freq: str,
    horizon: int,
    cutoffs: int = 8,
    date_col: str | None = None,
    series: list[str] | None = None,
    country: str = "NL",
    subdiv: str | None = None,
    school_region: str | None = "Midden",
    windows: int = 2,
    seed: int = 0,
    batches_per_model: int = 8,
    models: list[str] | None = None,
    model_options: dict[str, Any] | None = None,
    verbose: bool = False,
) -> ForecastRun:
    """Backtest, fit and explain; returns the tables (``train_forecast`` logs them to MLflow).

    ``verbose`` prints one line per step; every finished backtest and fit task is reported to
    ``werkwijzer.progress`` (the CLI draws a progress bar from it).
    """
    freq = check_freq(freq)
    say = print if verbose else (lambda *_a, **_k: None)
    names = flow_models(models)
    local = [n for n in names if n in LOCAL_MODELS]
    global_ = [n for n in names if n in GLOBAL_MODELS]
    params = {
        "freq": freq,
        "horizon": horizon,
        "country": country,
        "subdiv": subdiv,
        "school_region": school_region,
        "random_state": seed,
        **(model_options or {}),
    }
    teams, without_counts, far_above, stopped = load_intake(data, freq, date_col, series, horizon)  # runs at once
    if without_counts:
        say(f"not forecast, no count at all: {', '.join(without_counts)}")
    if stopped:
        say(
            "not forecast, only 0 counted after the period in brackets (closed or merged? if the counts stopped "
            f"arriving, fix the file): {'; '.join(stopped_text(stopped))}"
        )
    if far_above:
        say(f"far above the rest of their series, check the file: {'; '.join(far_above)}")
    outages = outage_days(teams, freq, country, subdiv)
    if outages:
        say(f"far below the same weekday around them, skipped by ets, theta and arima as outages: {'; '.join(outages)}")
    hierarchy = load_hierarchy(data, teams) if date_col is None else None
    intake = with_aggregates(teams, hierarchy)  # every node is forecast, then reconciled
    ids = sorted(intake["series_id"].unique())
    bottom = set(teams["series_id"])
    if hierarchy is not None:
        say(f"hierarchy: {len(hierarchy.bottom)} teams, {len(hierarchy.aggregates)} totals above them")
    say(f"{len(ids)} series, {intake['date'].min():%Y-%m-%d} .. {intake['date'].max():%Y-%m-%d}, freq {freq}")
    every = cutoff_dates(intake["date"].max(), horizon, cutoffs + windows, freq)
    parts = batches(ids, batches_per_model)
    # The gradient-boosted model's final fit and SHAP drivers do not wait for the backtest (its drivers
    # are explained whether or not it is combined) and are the longest task: submitted first, it runs
    # beside the backtest instead of after it (at 3,420 series it ran about 100 s alone after the backtest).
    explain = "gbm" in names
    final_gbm = fit_batch.submit("gbm", intake, params, horizon, explain=True) if explain else None
    futures = [
        (
            part,
            backtest_batch.submit(local, intake[intake["series_id"].isin(part)], every, horizon, params),
        )
        for part in parts
        if local
    ]
    # the global model sees every series: one task per cutoff instead of per batch of series. Its own
    # bounds are not made there: scoring gives every model conformal bounds from its earlier
    # windows, and the model that made them was half of the task (ADR 0039)
    backtest_params = {**params, "intervals": windows < 1}
    global_futures = [
        backtest_batch.submit(global_, intake, [cutoff], horizon, backtest_params)
        for cutoff in (every if global_ else [])
    ]
    raw, tasks = [], [future for _, future in futures] + global_futures
    for done, future in enumerate(tasks, start=1):
        raw.append(future.result())
        report("backtest", done, len(tasks))
    kinds = [f"{', '.join(local)} per series"] * bool(local) + [f"{', '.join(global_)} globally"] * bool(global_)
    say(f"backtest done: {'; '.join(kinds)}")
    result = score_backtest(
        pd.concat(raw, ignore_index=True),
        intake,
        freq,
        every,
        windows,
        names,
        "seasonal_naive" if "seasonal_naive" in names else names[0],
    )
    after = intake["date"].max() + pd.Timedelta(days=1)
    default = "seasonal_naive" if "seasonal_naive" in names else names[0]
    combination = combine.plan(result["all_predictions"], after, windows, names, horizon).covering(ids, default)
    calibrated_on = combine.usable_cutoffs(result["all_predictions"], after, combine.CALIBRATION)
    short = short_history_cutoffs(teams, calibrated_on, freq)
    if short:
        say(
            f"the intervals calibrate on {len(calibrated_on)} backtest windows, {len(short)} of them fitted on less "
            "than two years of counts (no yearly pattern to learn): the bands may be too wide or too narrow"
        )
    choice = {sid: combination.main_model(sid, default) for sid in ids if sid in bottom}
    pending = [final_gbm] if final_gbm is not None else []  # drivers come from the global model, combined or not
    for name in combination.models():
        if name == "gbm":  # submitted before the backtest
            continue
        if name in GLOBAL_MODELS:
            pending.append(fit_batch.submit(name, intake, params, horizon))
            continue
        used = [s for s in ids if name in combination.weights[s]]
        for part in batches(used, batches_per_model):
            pending.append(fit_batch.submit(name, intake[intake["series_id"].isin(part)], params, horizon))
    fitted: list[Fitted] = []
    for done, future in enumerate(pending, start=1):
        fitted.append(future.result())
        report("fit", done, len(pending))
    forecasts = [f.forecast for f in fitted]
    say(f"fit done: {', '.join(combination.models())} combined for {len(ids)} series")
    forecast = combine.publish(
        pd.concat(forecasts, ignore_index=True),
        combination,
        combine.series_scales(intake, season_length(freq)),
    )[["series_id", "date", *OUTPUT]]
    levels, accuracy, method = pd.DataFrame(), pd.DataFrame(), None
    if hierarchy is not None:
        auto = result["predictions"][result["predictions"]["model"] == "auto"]
        scored = hierarchy_tools.backtest(auto, hierarchy)
        accuracy = hierarchy_tools.level_accuracy(scored)
        method, _ = hierarchy_tools.choose(scored, after)
        recent = auto[auto["cutoff"].isin(combine.usable_cutoffs(auto, after, combine.CALIBRATION))]
        levels = hierarchy_tools.apply(forecast, hierarchy, method, hierarchy_tools.error_matrix(recent, hierarchy))
        forecast = levels[levels["level"] == hierarchy_tools.TEAM][["series_id", "date", *OUTPUT]]
        forecast = forecast.sort_values(["series_id", "date"]).reset_index(drop=True)
        say(f"reconciled with {method} (lowest MASE summed over {', '.join(hierarchy.levels_present())})")
    drivers = next((f.drivers for f in fitted if f.drivers is not None), pd.DataFrame())
    components = pd.concat(
        [f.components for n in ("ets", "glm") for f in fitted if f.name == n and f.components is not None]
        or [statistical_components({})],
        ignore_index=True,
    )
    say("drivers done")
    predictions = result["predictions"][result["predictions"]["series_id"].isin(bottom)]
    # how auto's errors moved together over the horizon in the backtest: capacity's breach risk
    # simulates weeks that move together as much (ADR 0031); one value per run, on every row
    forecast = forecast.assign(horizon_correlation=horizon_correlation(predictions[predictions["model"] == "auto"]))
    return ForecastRun(
        intake=teams,
        predictions=predictions[PREDICTION_COLUMNS].reset_index(drop=True),
        summary=result["summary"][result["summary"]["series_id"].isin(bottom)][SUMMARY_COLUMNS],
        overall=overall(predictions) if hierarchy is not None else result["overall"],
        choice=dict(choice),
        forecast=forecast,
        drivers=drivers,
        drivers_grouped=by_driver(drivers) if len(drivers) else drivers,
        components=components,
        weights=combination.weights_frame(),
        radius=combination.radius,
        levels=levels,
        level_accuracy=accuracy,
        reconciliation=method,
        params={
            **params,
            "cutoffs": cutoffs,
            "windows": windows,
            "data": str(data),
            "series": series,
            "date_col": date_col,
            "without_counts": without_counts,
            "far_above": far_above,
            "outages": outages,
            "calibration_windows": len(calibrated_on),
            "short_windows": len(short),
            "stopped": {sid: f"{last:%Y-%m-%d}" for sid, last in stopped.items()},
        },
    )


def train_forecast(
    data: str | Path,
    *,
    freq: str,
    horizon: int,
    cutoffs: int = 8,
    date_col: str | None = None,
    series: list[str] | None = None,
    country: str | None = None,
    subdiv: str | None = None,
    norms: str | Path | None = None,
    staffing: str | Path | None = None,
    settings: Settings | None = None,
    models: list[str] | None = None,
    model_options: dict[str, Any] | None = None,
    log: bool = True,
    verbose: bool = False,
    trained_by: str | None = None,
    tables_to: Path | None = None,
) -> ForecastRun:
    """Run the flow on the configured task runner, log it to MLflow and register the model
    (``log=False``: neither; the result then has no run, version or gate). ``trained_by`` names who ran
    it in MLflow (``werkwijzer.tracking.run_user``); ``tables_to`` is a folder that gets the run's
    tables (``flows.forecast_report.tables``), written once for MLflow and the caller both."""
    flow_models(models)  # before any runner starts
    settings = settings or get_settings()
    country = country or settings.country
    subdiv = subdiv if subdiv is not None else settings.subdiv
    check_calendar(country, subdiv)  # a wrong code fails here, not in the first fit
    import dask
    from prefect.settings import PREFECT_API_URL, temporary_settings

    runner = task_runner(settings)
    local_processes = settings.dask_local_workers and settings.dask_processes and not settings.dask_address
    api = prefect_api_for_workers() if local_processes else None
    with dask.config.set(local_cluster_config(settings)), temporary_settings({PREFECT_API_URL: api} if api else {}):
        result = train_forecast_flow.with_options(task_runner=runner)(
            data=str(data),
            freq=freq,
            horizon=horizon,
            cutoffs=cutoffs,
            date_col=date_col,
            series=series,
            country=country,
            subdiv=subdiv,
            school_region=settings.school_region,
            seed=settings.seed,
            batches_per_model=settings.forecast_batches,
            models=models,
            model_options=model_options,
            verbose=verbose,
        )
    from flows.forecast_report import report_markdown, write_tables

    if tables_to is not None and not log:
        write_tables(result, Path(tables_to))
    if log:
        from flows.forecast_tracking import log_forecast_run

        registered = log_forecast_run(
            result,
            settings,
            data_path=Path(data),
            norms=norms,
            staffing=staffing,
            trained_by=trained_by,
            tables_to=tables_to,
        )
        result = replace(
            result,
            run_id=registered.run_id,
            model_version=registered.model_version,
            candidate=registered.candidate,
            gate=registered.gate,
        )
    return replace(result, report=report_markdown(result))
