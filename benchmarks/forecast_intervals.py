"""Coverage and Winkler scores of the conformal intervals under other interval methods, from the
raw backtest forecasts that ``forecast_accuracy.py --cache`` left behind (no model is refitted).

    .venv/bin/python benchmarks/forecast_intervals.py --cache DIR
        [--only sim,berlin,berlin_weekly,nhs,berlin_calls,nhs_admissions] [--variants mase:0,level:0,...] [--out FILE]

A variant is ``SCALE:EXTRA[:CALIBRATE[:WINDOWS[:MIN[:DECAY]]]]``: ``SCALE`` is what a conformal score is
divided by at its origin (``models.forecast.combine.SCALES``), ``EXTRA`` the number of backtest cutoffs before the two
weight windows that only calibrate the intervals (the cache must hold them: fill it with
``forecast_accuracy.py --extra-cutoffs``), ``CALIBRATE`` which errors of ``auto``'s combination
calibrate its intervals: ``held_out`` (weights learned without the window, the product since
ADR 0029) or ``in_sample`` (the weights learned on the window itself, before ADR 0029),
``WINDOWS`` the number of latest backtest windows whose errors calibrate (``combine.CALIBRATION``;
they also give the target of ``auto``'s weights, so its MASE may move), ``MIN`` the conformal
scores a horizon step pools with its neighbours until reached (``combine.MIN_SCORES``) and
``DECAY`` the weight of a window's scores per window it is older than the newest (``combine.DECAY``). Every
Werkwijzer model and ``auto`` is scored on the same evaluation cutoffs as ``forecast_accuracy.py``;
the last table has, per variant and set, the largest distance of any model's 80 % and 95 %
coverage from nominal. ``cov80_band`` and ``cov95_band`` are 95 % bootstrap intervals of each
coverage, resampling whole cutoffs (the misses of one window are shared by its series and steps:
a storm, a shift), so a gap can be read against its noise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.forecast_accuracy import DATASETS, WINDOWS, cached_raw, markdown, more_cutoffs  # noqa: E402
from models.forecast import BASE_MODELS, combine  # noqa: E402
from models.forecast.backtest import cutoff_dates, score_backtest  # noqa: E402


def score_variant(
    raw: pd.DataFrame,
    data: pd.DataFrame,
    key: str,
    scale: str,
    extra: int,
    calibrate: str = combine.CALIBRATE,
    windows: int = combine.CALIBRATION,
    min_scores: int = combine.MIN_SCORES,
    decay: float = combine.DECAY,
) -> pd.DataFrame:
    d = DATASETS[key]
    names = [n for n in BASE_MODELS if n in set(raw["model"])]
    every = cutoff_dates(data["date"].max(), d.horizon, d.cutoffs + WINDOWS + extra, d.freq)
    used = raw[raw["cutoff"].isin(every)]
    product = combine.SCALE, combine.CALIBRATE, combine.CALIBRATION, combine.MIN_SCORES, combine.DECAY
    combine.SCALE, combine.CALIBRATE, combine.CALIBRATION, combine.MIN_SCORES = scale, calibrate, windows, min_scores
    combine.DECAY = decay
    try:
        result = score_backtest(used, data, d.freq, every[extra:], WINDOWS, names, names[0])
    finally:
        combine.SCALE, combine.CALIBRATE, combine.CALIBRATION, combine.MIN_SCORES, combine.DECAY = product
    table = result["overall"][["model", "mase", "coverage_80", "coverage_95", "winkler_80", "winkler_95"]]
    table = table.merge(coverage_bands(result["predictions"]), on="model", how="left")
    return table.assign(dataset=key, variant=f"{scale}:{extra}:{calibrate}:{windows}:{min_scores}:{decay}")


def coverage_bands(predictions: pd.DataFrame, draws: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per model, 2.5 % and 97.5 % quantiles of the pooled 80 % and 95 % coverage when the
    evaluation cutoffs are drawn with replacement (a block bootstrap with one block per cutoff)."""
    valid = predictions[np.isfinite(predictions["actual"])]
    rng = np.random.default_rng(seed)
    rows = []
    for model, rows_m in valid.groupby("model"):
        per = rows_m.groupby("cutoff")[["covered_80", "covered_95"]].agg(["sum", "count"])
        picks = rng.integers(0, len(per), size=(draws, len(per)))
        row = {"model": model}
        for level in (80, 95):
            hits, counts = (per[(f"covered_{level}", k)].to_numpy(dtype=float) for k in ("sum", "count"))
            coverage = hits[picks].sum(axis=1) / counts[picks].sum(axis=1)
            low, high = np.quantile(coverage, [0.025, 0.975])
            row[f"cov{level}_band"] = f"{low:.3f}–{high:.3f}"
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--only", default="sim,berlin,berlin_weekly,nhs,berlin_calls,nhs_admissions")
    parser.add_argument("--variants", default="mase:0,level:0")
    parser.add_argument("--out", default=None)
    parser.add_argument("--cutoffs", default="", help="as forecast_accuracy.py --cutoffs (set:count,...)")
    args = parser.parse_args()
    more_cutoffs(args.cutoffs)
    tables = []
    for key in args.only.split(","):
        data = DATASETS[key].load()
        raw = cached_raw(Path(args.cache) / key)
        for variant in args.variants.split(","):
            scale, extra, *rest = variant.split(":")
            calibrate = rest[0] if rest else combine.CALIBRATE
            windows = int(rest[1]) if len(rest) > 1 else combine.CALIBRATION
            min_scores = int(rest[2]) if len(rest) > 2 else combine.MIN_SCORES
            decay = float(rest[3]) if len(rest) > 3 else combine.DECAY
            table = score_variant(raw, data, key, scale, int(extra), calibrate, windows, min_scores, decay)
            table = table.assign(variant=variant)
            print(table.round(3).to_string(index=False), flush=True)
            tables.append(table)
    every = pd.concat(tables, ignore_index=True)
    every["worst_gap_pp"] = 100 * pd.concat(
        [(every["coverage_80"] - 0.80).abs(), (every["coverage_95"] - 0.95).abs()], axis=1
    ).max(axis=1)
    worst = every.pivot_table(index="variant", columns="dataset", values="worst_gap_pp", aggfunc="max")
    winkler = every[every["model"] == "auto"].pivot_table(index="variant", columns="dataset", values="winkler_80")
    text = markdown(every.round(4))
    text += "\nLargest coverage gap of any model (percentage points), per variant and set:\n\n"
    text += markdown(worst.reset_index())
    text += "\n`auto`'s Winkler 80 per variant and set:\n\n" + markdown(winkler.reset_index())
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
