"""Rolling-origin backtest: K cutoffs spaced by the horizon, the last one ``horizon`` periods
before the end of the data. A cutoff is the last period a model may see; it forecasts the next
``horizon`` periods, which are compared with what actually came. MASE at a cutoff is scaled by
the in-sample MAE of the seasonal naive (natural season) on the data up to that cutoff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from models.forecast.base import OUTPUT, BaseForecaster
from models.forecast.frequency import season_length, shift
from models.forecast.metrics import mase_scale, score_rows, summarise

Factory = Callable[[], BaseForecaster]
SHRINK = 0.5
PREDICTION_COLUMNS = ("series_id", "cutoff", "date", "actual", "model", *OUTPUT)


def cutoff_dates(last_date: pd.Timestamp, horizon: int, k: int, freq: str) -> list[pd.Timestamp]:
    """The K cutoffs, oldest first; the last is ``horizon`` periods before ``last_date``."""
    return [shift(last_date, -horizon * (k - i), freq) for i in range(k)]


def train_until(data: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Rows up to and including ``cutoff`` of series that have an observation by then."""
    train = data[data["date"] <= cutoff]
    seen = train.dropna(subset=["value"])["series_id"].unique()
    return train[train["series_id"].isin(seen)]


def forecast_at(
    factory: Factory, data: pd.DataFrame, cutoff: pd.Timestamp, horizon: int
) -> pd.DataFrame:
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
    frame = frame.merge(
        data.rename(columns={"value": "actual"}), on=["series_id", "date"], how="left"
    )
    return frame[list(PREDICTION_COLUMNS)]


def attach_scale(predictions: pd.DataFrame, data: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Add the MASE denominator of each (series, cutoff), from the data up to the cutoff only."""
    m = season_length(freq)
    series = {sid: rows.set_index("date")["value"] for sid, rows in data.groupby("series_id")}
    keys = predictions[["series_id", "cutoff"]].drop_duplicates()
    scales = [mase_scale(series[s].loc[:c].to_numpy(), m) for s, c in keys.itertuples(index=False)]
    return predictions.merge(keys.assign(scale=scales), on=["series_id", "cutoff"], how="left")


def select_models(
    scored: pd.DataFrame,
    cutoff: pd.Timestamp,
    windows: int,
    candidates: Sequence[str],
    default: str,
    shrink: float | None = None,
) -> dict[str, str]:
    """Per series, the candidate with the lowest MASE over the last ``windows`` backtest cutoffs
    whose forecast periods all lie at or before ``cutoff`` (no look-ahead).

    A few windows make a per-series score noisy, so it is shrunk towards the candidate's mean
    MASE over all series: score = (1 - shrink) x own MASE + shrink x mean MASE."""
    known = scored[
        (scored["cutoff"] < cutoff) & (scored["date"] <= cutoff) & scored["model"].isin(candidates)
    ]
    done = known.groupby("cutoff")["date"].max()
    usable = sorted(done.index)[-windows:] if windows else []
    known = known[known["cutoff"].isin(usable)]
    choice: dict[str, str] = {}
    if known.empty:
        return choice
    table = summarise(known, ["series_id", "model"]).pivot(
        index="series_id", columns="model", values="mase"
    )
    order = [c for c in candidates if c in table.columns]
    weight = SHRINK if shrink is None else shrink
    table = (1 - weight) * table[order] + weight * table[order].mean(axis=0)
    for sid, row in table.iterrows():
        finite = row.dropna()
        choice[str(sid)] = str(finite.idxmin()) if len(finite) else default
    return choice


def interval_factors(
    scored: pd.DataFrame, cutoff: pd.Timestamp, windows: int
) -> dict[tuple[str, int], float]:
    """Per model and level, how much its interval half-widths had to grow (or could shrink) to
    cover that share of the actuals on the last ``windows`` cutoffs done by ``cutoff``: a
    conformal recalibration that uses past windows only."""
    known = scored[(scored["cutoff"] < cutoff) & (scored["date"] <= cutoff)].dropna(
        subset=["actual"]
    )
    usable = sorted(known.groupby("cutoff")["date"].max().index)[-windows:] if windows else []
    known = known[known["cutoff"].isin(usable)]
    factors: dict[tuple[str, int], float] = {}
    for name, rows in known.groupby("model"):
        actual, mean = rows["actual"].to_numpy(dtype=float), rows["mean"].to_numpy(dtype=float)
        for level in (80, 95):
            lo, hi = (
                rows[f"lo_{level}"].to_numpy(dtype=float),
                rows[f"hi_{level}"].to_numpy(dtype=float),
            )
            half = np.where(actual > mean, hi - mean, mean - lo)
            err = np.abs(actual - mean)
            with np.errstate(divide="ignore", invalid="ignore"):
                need = np.where(
                    half > 0, err / np.where(half > 0, half, 1.0), np.where(err > 0, np.inf, 0.0)
                )
            if len(need) >= 20:
                factors[(str(name), level)] = float(
                    np.clip(np.quantile(need, level / 100), 0.5, 5.0)
                )
    return factors


def rescale_intervals(
    frame: pd.DataFrame, choice: dict[str, str], factors: dict[tuple[str, int], float], default: str
) -> pd.DataFrame:
    """Widen or narrow each series' bounds around the mean by its chosen model's factor."""
    out = frame.copy()
    model = out["series_id"].map(lambda s: choice.get(s, default))
    mean = out["mean"].to_numpy(dtype=float)
    for level in (80, 95):
        f = model.map(lambda m, lv=level: factors.get((m, lv), 1.0)).to_numpy(dtype=float)
        out[f"lo_{level}"] = np.maximum(
            mean - f * (mean - out[f"lo_{level}"].to_numpy(dtype=float)), 0.0
        )
        out[f"hi_{level}"] = mean + f * (out[f"hi_{level}"].to_numpy(dtype=float) - mean)
    return out


def auto_rows(
    scored: pd.DataFrame,
    cutoffs: Sequence[pd.Timestamp],
    windows: int,
    candidates: Sequence[str],
    default: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``auto`` at each cutoff: the rows of the model each series chose from earlier cutoffs."""
    pieces, choices = [], []
    for c in cutoffs:
        choice = select_models(scored, c, windows, candidates, default)
        rows = scored[scored["cutoff"] == c]
        chosen = rows["series_id"].map(lambda s, ch=choice: ch.get(s, default))
        picked = rows[rows["model"] == chosen]
        picked = rescale_intervals(picked, choice, interval_factors(scored, c, windows), default)
        picked = score_rows(
            picked.drop(
                columns=[
                    c
                    for c in picked.columns
                    if c.startswith(("covered_", "winkler_", "abs_scaled", "smape"))
                ]
            )
        )
        pieces.append(picked.assign(model="auto"))
        choices.append(
            pd.DataFrame({"cutoff": c, "series_id": list(choice), "choice": list(choice.values())})
        )
    return pd.concat(pieces, ignore_index=True), pd.concat(choices, ignore_index=True)


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
) -> dict[str, pd.DataFrame]:
    """Backtest every model and ``auto`` on ``n_cutoffs`` evaluation cutoffs.

    ``windows`` extra cutoffs before the first evaluation cutoff only feed ``auto``'s choice.
    Returns ``predictions`` (evaluation cutoffs, every model and auto), ``all_predictions``
    (including warm-up cutoffs), ``choices``, ``summary`` (per series and model) and ``overall``.
    """
    every = cutoff_dates(data["date"].max(), horizon, n_cutoffs + windows, freq)
    frames = []
    for name, factory in factories.items():
        frames.append(model_predictions(name, factory, data, every, horizon))
        if progress:
            progress(f"backtest {name}: {len(every)} cutoffs done")
    raw = pd.concat(frames, ignore_index=True)
    return score_backtest(raw, data, freq, every, windows, list(factories), default)


def score_backtest(
    raw: pd.DataFrame,
    data: pd.DataFrame,
    freq: str,
    every: Sequence[pd.Timestamp],
    windows: int,
    candidates: Sequence[str],
    default: str,
) -> dict[str, pd.DataFrame]:
    """Score raw backtest forecasts of the base models and add ``auto`` (see ``run_backtest``)."""
    evaluation = list(every)[windows:]
    raw = raw.sort_values(["model", "series_id", "cutoff", "date"], kind="stable").reset_index(
        drop=True
    )
    scored = score_rows(attach_scale(raw, data, freq))
    auto, choices = auto_rows(scored, evaluation, windows, candidates, default)
    scored = pd.concat([scored, auto], ignore_index=True)
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
