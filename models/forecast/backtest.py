"""Rolling-origin backtest: K cutoffs spaced by the horizon, the last one ``horizon`` periods
before the end of the data. A cutoff is the last period a model may see; it forecasts the next
``horizon`` periods, which are compared with what actually came. MASE at a cutoff is scaled by
the in-sample MAE of the seasonal naive (natural season) on the data up to that cutoff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from models.capacity import band_spread
from models.forecast import combine
from models.forecast.base import OUTPUT, BaseForecaster
from models.forecast.frequency import season_length, shift
from models.forecast.metrics import mase_scale, score_rows, summarise

Factory = Callable[[], BaseForecaster]
PREDICTION_COLUMNS = ("series_id", "cutoff", "date", "actual", "model", *OUTPUT)


def cutoff_dates(last_date: pd.Timestamp, horizon: int, k: int, freq: str) -> list[pd.Timestamp]:
    """The K cutoffs, oldest first; the last is ``horizon`` periods before ``last_date``."""
    return [shift(last_date, -horizon * (k - i), freq) for i in range(k)]


YEAR = {"D": 365, "W": 52, "M": 12}  # periods in a year


def short_history_cutoffs(
    data: pd.DataFrame, cutoffs: Sequence[pd.Timestamp], freq: str, years: int = 2
) -> list[pd.Timestamp]:
    """The ``cutoffs`` at which the median series had fewer than ``years`` years of counts: a
    backtest window fitted there had no yearly pattern to learn, so its errors say little about
    those of a model fitted on more years (on 36 months of NHS data, the windows fitted on 6 to 18
    months left some models' 80 % coverage 4 to 6 percentage points from nominal)."""
    starts = data.dropna(subset=["value"]).groupby("series_id")["date"].min()
    if starts.empty:
        return []
    start = starts.sort_values().iloc[(len(starts) - 1) // 2]
    return [c for c in cutoffs if shift(pd.Timestamp(c), 1 - years * YEAR[freq], freq) < start]  # c counts too


def train_until(data: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Rows up to and including ``cutoff`` of series that have an observation by then."""
    train = data[data["date"] <= cutoff]
    seen = train.dropna(subset=["value"])["series_id"].unique()
    return train[train["series_id"].isin(seen)]


def forecast_at(factory: Factory, data: pd.DataFrame, cutoff: pd.Timestamp, horizon: int) -> pd.DataFrame:
    train = train_until(data, cutoff)
    if train.empty:
        return pd.DataFrame(columns=["series_id", "date", *OUTPUT])
    model = factory().fit(train[["series_id", "date"]], train["value"].to_numpy())
    return model.forecast(horizon)


def model_predictions(
    name: str, factory: Factory, data: pd.DataFrame, cutoffs: Sequence[pd.Timestamp], horizon: int
) -> pd.DataFrame:
    """Forecasts of one model at every cutoff with the actual values next to them."""
    pieces = [forecast_at(factory, data, c, horizon).assign(cutoff=c, model=name) for c in cutoffs]
    pieces = [p for p in pieces if not p.empty]  # a cutoff before any history forecasts nothing
    if not pieces:
        kinds = {"series_id": object, "model": object, "date": data["date"].dtype, "cutoff": data["date"].dtype}
        return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, float)) for c in PREDICTION_COLUMNS})
    frame = pd.concat(pieces, ignore_index=True)
    frame = frame.merge(data.rename(columns={"value": "actual"}), on=["series_id", "date"], how="left")
    return frame[list(PREDICTION_COLUMNS)]


def attach_scale(predictions: pd.DataFrame, data: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Add the MASE denominator of each (series, cutoff), from the data up to the cutoff only."""
    m = season_length(freq)
    series = {sid: rows.set_index("date")["value"] for sid, rows in data.groupby("series_id")}
    keys = predictions[["series_id", "cutoff"]].drop_duplicates()
    history = [series[s].loc[:c].to_numpy() for s, c in keys.itertuples(index=False)]
    scale = [mase_scale(h, m) for h in history]
    # the product's intervals use the MASE scale itself; another scale only in the interval benchmark
    interval = scale if combine.SCALES[combine.SCALE] is mase_scale else [combine.interval_scale(h, m) for h in history]
    keys = keys.assign(scale=scale, interval_scale=interval)
    return predictions.merge(keys, on=["series_id", "cutoff"], how="left")


def auto_rows(
    scored: pd.DataFrame,
    cutoffs: Sequence[pd.Timestamp],
    windows: int,
    candidates: Sequence[str],
    default: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``auto`` at each cutoff: the candidates' forecasts combined with the weights, and the
    conformal intervals, learned from earlier cutoffs only (``models.forecast.combine``)."""
    pieces, weights = [], []
    for c in cutoffs:
        rows = scored[(scored["cutoff"] == c) & scored["model"].isin(candidates)]
        if rows.empty:
            continue
        horizon = int(combine.steps(rows).max())
        combo = combine.plan(scored, c, windows, candidates, horizon).covering(
            list(rows["series_id"].unique()), default
        )
        combined = combine.combine_rows(rows, combo.weights)
        combined = combine.apply_radius(combined, combo.radius, combined["interval_scale"].to_numpy())
        pieces.append(score_rows(combined).assign(model="auto"))
        weights.append(combo.weights_frame().assign(cutoff=c))
    return pd.concat(pieces, ignore_index=True), pd.concat(weights, ignore_index=True)


def conformal_rows(
    scored: pd.DataFrame, cutoffs: Sequence[pd.Timestamp], windows: int, models: Sequence[str]
) -> pd.DataFrame:
    """Every model's rows at ``cutoffs`` with conformal intervals per horizon step from its own
    errors on the earlier windows (unchanged where no earlier window is known)."""
    pieces = []
    for c in cutoffs:
        for name in models:
            rows = scored[(scored["cutoff"] == c) & (scored["model"] == name)]
            if rows.empty:
                continue
            radius = combine.plan(scored, c, windows, [name], int(combine.steps(rows).max())).radius
            pieces.append(score_rows(combine.apply_radius(rows, radius, rows["interval_scale"].to_numpy())))
    return pd.concat(pieces, ignore_index=True)


def run_backtest(
    data: pd.DataFrame,
    factories: dict[str, Factory],
    *,
    freq: str,
    horizon: int,
    n_cutoffs: int,
    windows: int = 2,
    default: str = "seasonal_naive",
    progress: Callable[[str], None] | None = None,
    extra: int = 0,
) -> dict[str, pd.DataFrame]:
    """Backtest every model and ``auto`` on ``n_cutoffs`` evaluation cutoffs.

    ``windows`` extra cutoffs before the first evaluation cutoff only feed ``auto``'s choice;
    ``extra`` more before those only calibrate the conformal intervals, so that every evaluation
    cutoff has up to ``combine.CALIBRATION`` earlier windows, like the published forecast.
    Returns ``predictions`` (evaluation cutoffs, every model and auto), ``all_predictions``
    (including warm-up cutoffs), ``choices``, ``summary`` (per series and model) and ``overall``.
    """
    every = cutoff_dates(data["date"].max(), horizon, n_cutoffs + windows + extra, freq)
    frames = []
    for name, factory in factories.items():
        frames.append(model_predictions(name, factory, data, every, horizon))
        if progress:
            progress(f"backtest {name}: {len(every)} cutoffs done")
    raw = pd.concat(frames, ignore_index=True)
    return score_backtest(raw, data, freq, every[extra:], windows, list(factories), default)


def score_backtest(
    raw: pd.DataFrame,
    data: pd.DataFrame,
    freq: str,
    every: Sequence[pd.Timestamp],
    windows: int,
    candidates: Sequence[str],
    default: str,
) -> dict[str, pd.DataFrame]:
    """Score raw backtest forecasts of the base models and add ``auto`` (see ``run_backtest``):
    the cutoffs after the first ``windows`` of ``every`` are evaluated; ``raw`` may hold earlier
    cutoffs too, whose errors then also calibrate the intervals."""
    evaluation = list(every)[windows:]
    raw = raw.sort_values(["model", "series_id", "cutoff", "date"], kind="stable").reset_index(drop=True)
    scored = score_rows(attach_scale(raw, data, freq))
    auto, choices = auto_rows(scored, evaluation, windows, candidates, default)
    models = list(scored["model"].unique())
    calibrated = conformal_rows(scored, evaluation, windows, models)
    scored = pd.concat([scored[~scored["cutoff"].isin(evaluation)], calibrated, auto], ignore_index=True)
    predictions = scored[scored["cutoff"].isin(evaluation)].reset_index(drop=True)
    return {
        "predictions": predictions,
        "all_predictions": scored,
        "choices": choices,
        "summary": summarise(predictions, ["series_id", "model"]),
        "overall": overall(predictions),
    }


def overall(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean over series of the per-series MASE and sMAPE, pooled coverage."""
    per_series = summarise(predictions, ["series_id", "model"])
    out = per_series.groupby("model")[["mase", "smape", "winkler_80", "winkler_95"]].mean()
    valid = predictions[np.isfinite(predictions["actual"])]
    for level in (80, 95):
        out[f"coverage_{level}"] = valid.groupby("model")[f"covered_{level}"].mean()
    return out.reset_index()


def horizon_correlation(predictions: pd.DataFrame) -> float:
    """How far the errors of one forecast move together over its horizon, from backtest rows of
    one model: the correlation ``rho`` of an equicorrelated model that gives the horizon's total
    the variance it had in the backtest.

    Each error is standardised by its row's own spread (``models.capacity.band_spread``, as capacity
    simulates it); per complete window (a series and cutoff with every step observed)
    ``r = (sum_h z_h)^2 / sum_h z_h^2`` averaged over windows, and ``rho = (r - 1) / (H - 1)``,
    clipped to [0, 1]: 0 when the errors of the steps are independent, 1 when every step is off
    by the same amount. NaN with fewer than 2 complete windows or a horizon of 1."""
    predictions = predictions.sort_values(["series_id", "cutoff", "date"], kind="stable")
    spread = band_spread(predictions["lo_95"].to_numpy(), predictions["hi_95"].to_numpy())
    z = (predictions["actual"].to_numpy(dtype=float) - predictions["mean"].to_numpy(dtype=float)) / np.where(
        spread > 0, spread, np.nan
    )
    frame = predictions[["series_id", "cutoff"]].assign(z=z)
    frame = frame.assign(step=frame.groupby(["series_id", "cutoff"]).cumcount())
    windows = frame.pivot_table(index=["series_id", "cutoff"], columns="step", values="z", dropna=False)
    windows = windows[windows.notna().all(axis=1)].to_numpy(dtype=float)
    if len(windows) < 2 or windows.shape[1] < 2:
        return float("nan")
    horizon = windows.shape[1]
    ratio = float(np.mean(windows.sum(axis=1) ** 2) / np.mean((windows**2).sum(axis=1)))
    return float(np.clip((ratio - 1) / (horizon - 1), 0.0, 1.0))
