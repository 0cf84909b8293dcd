"""Accuracy of point forecasts and intervals: MASE, sMAPE, coverage and the Winkler score."""

from __future__ import annotations

import numpy as np
import pandas as pd


def mase_scale(history: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive (lag ``season``) on ``history``; lag 1 when too short."""
    values = np.asarray(history, dtype=float)
    seasonal_pairs = np.isfinite(values[season:] - values[:-season]).sum() if len(values) > season else 0
    lag = season if seasonal_pairs >= 2 else 1
    if len(values) <= lag:
        return float("nan")
    diffs = np.abs(values[lag:] - values[:-lag])
    diffs = diffs[np.isfinite(diffs)]
    if not len(diffs) or diffs.mean() == 0:
        return float("nan")
    return float(diffs.mean())


def smape(actual: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Symmetric absolute percentage error per point, in percent (0 when both are 0)."""
    denom = np.abs(actual) + np.abs(mean)
    return np.where(denom > 0, 200.0 * np.abs(actual - mean) / np.where(denom > 0, denom, 1.0), 0.0)


def winkler(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: int) -> np.ndarray:
    alpha = 1 - level / 100
    width = hi - lo
    below = np.where(actual < lo, 2 / alpha * (lo - actual), 0.0)
    above = np.where(actual > hi, 2 / alpha * (actual - hi), 0.0)
    return width + below + above


def score_rows(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per-row errors; ``predictions`` needs actual, mean, bounds and the MASE ``scale`` column."""
    out = predictions.copy()
    actual = out["actual"].to_numpy(dtype=float)
    mean = out["mean"].to_numpy(dtype=float)
    out["abs_scaled_error"] = np.abs(actual - mean) / out["scale"].to_numpy(dtype=float)
    out["smape"] = smape(actual, mean)
    for level in (80, 95):
        lo = out[f"lo_{level}"].to_numpy(dtype=float)
        hi = out[f"hi_{level}"].to_numpy(dtype=float)
        out[f"covered_{level}"] = ((actual >= lo) & (actual <= hi)).astype(float)
        out[f"winkler_{level}"] = winkler(actual, lo, hi, level) / out["scale"].to_numpy(dtype=float)
    return out


def summarise(scored: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: MASE (mean over cutoffs), sMAPE, coverage and scaled Winkler score."""
    valid = scored[np.isfinite(scored["actual"]) & np.isfinite(scored["scale"])]
    per_cutoff = valid.groupby([*by, "cutoff"], sort=True).agg(
        mase=("abs_scaled_error", "mean"),
        smape=("smape", "mean"),
        coverage_80=("covered_80", "mean"),
        coverage_95=("covered_95", "mean"),
        winkler_80=("winkler_80", "mean"),
        winkler_95=("winkler_95", "mean"),
        n=("actual", "size"),
    )
    weights = per_cutoff["n"]
    grouped = per_cutoff.groupby(level=list(range(len(by))), sort=True)
    out = grouped[["mase", "smape", "winkler_80", "winkler_95"]].mean()
    for column in ("coverage_80", "coverage_95"):
        out[column] = (per_cutoff[column] * weights).groupby(level=list(range(len(by)))).sum() / weights.groupby(
            level=list(range(len(by)))
        ).sum()
    return out.reset_index()[[*by, "mase", "smape", "coverage_80", "coverage_95", "winkler_80", "winkler_95"]]
