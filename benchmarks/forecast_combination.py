"""``auto``'s MASE and coverage under other combination settings, from the raw backtest forecasts
that ``forecast_accuracy.py --cache`` left behind (no model is refitted).

    .venv/bin/python benchmarks/forecast_combination.py --cache DIR
        [--only sim,berlin,berlin_weekly,nhs] [--variants 2:0.10:0.5,3:0.10:0.5] [--out FILE]

A variant is ``WINDOWS:KEEP:EQUAL[:nofloor][:setS]``: the number of earlier backtest windows whose errors
give the weights (``run_backtest(windows=...)``), the band around the best shrunk score within
which candidates are combined (``combine.KEEP``) and the shrinkage of the weights towards equal
(``combine.EQUAL``); ``nofloor`` leaves the seasonal naive forecast out of the candidates (it is
still scored, and its intervals made conformal); ``setS`` (say ``set0.10``) first drops, at each
cutoff, the candidates whose mean score over all series is more than S above the best mean (a
band that follows how far apart the candidates are on the set); ``targetcal`` shrinks each series'
score towards the candidate's mean over the last ``combine.CALIBRATION`` windows, ``targetwin``
towards its mean over the weight windows (``combine.TARGET``; without either, the product's);
``switchN`` uses a candidate alone where it beat the held-out combination on each of the last
``combine.CALIBRATION`` windows, at least N of them (``combine.SWITCH``; 0 never). The
product runs ``2:0.20:0.5`` with ``targetcal`` (ADR 0035; ``2:0.10:0.5:targetwin`` before).
Every variant is scored on the same evaluation cutoffs as ``forecast_accuracy.py`` (the cache
must hold ``WINDOWS`` cutoffs before them: fill it with ``forecast_accuracy.py --extra-cutoffs``);
the table gives ``auto``'s MASE beside the best single candidate's, ``auto``'s 80 % and 95 %
coverage, and its MASE against the set's first variant paired per series (mean difference, 95 %
bootstrap interval over series, the series where the variant is better).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.forecast_accuracy import DATASETS, cached_raw, markdown, more_cutoffs  # noqa: E402
from models.forecast import BASE_MODELS, combine  # noqa: E402
from models.forecast.backtest import cutoff_dates, overall, score_backtest  # noqa: E402
from models.forecast.metrics import summarise  # noqa: E402


def peer_keys(folder: Path) -> pd.DataFrame | None:
    """The series and cutoffs statsforecast's seasonal naive forecast, if it is cached: the tables of
    ``forecast_accuracy.py`` score every model on exactly those (NHS has series statsforecast skips)."""
    path = folder / "sf_seasonal_naive.csv"
    if not path.exists():
        return None
    keys = pd.read_csv(path, usecols=["series_id", "cutoff"], parse_dates=["cutoff"], dtype={"series_id": str})
    return keys.drop_duplicates()


def set_filtered(weights, set_keep: float):  # type: ignore[no-untyped-def]
    """``candidate_weights`` over only the candidates whose mean score over the series is within
    ``set_keep`` of the best mean (the table holds earlier windows only: no look-ahead)."""

    def filtered(table: pd.DataFrame, target: pd.Series | None = None) -> dict[str, dict[str, float]]:
        means = table.mean(axis=0)
        best = means[means > 0].min()
        return (
            weights(table.loc[:, means <= best * (1 + set_keep)], target) if pd.notna(best) else weights(table, target)
        )

    return filtered


def score_variant(
    raw: pd.DataFrame,
    keys: pd.DataFrame | None,
    data: pd.DataFrame,
    key: str,
    windows: int,
    keep: float,
    equal: float,
    floor: bool = True,
    set_keep: float | None = None,
    target: str | None = None,
    set_share: float | None = None,
    switch: int | None = None,
) -> dict:
    d = DATASETS[key]
    names = [n for n in BASE_MODELS if n in set(raw["model"]) and (floor or n != "seasonal_naive")]
    every = cutoff_dates(data["date"].max(), d.horizon, d.cutoffs + windows, d.freq)
    if not set(every) <= set(raw["cutoff"]):
        raise SystemExit(f"{key}: the cache lacks cutoffs for {windows} weight windows (fill it with --extra-cutoffs)")
    saved = combine.KEEP, combine.EQUAL, combine.candidate_weights
    saved_target, saved_share, saved_switch = combine.TARGET, combine.SET_SHARE, combine.SWITCH
    combine.KEEP, combine.EQUAL = keep, equal
    combine.TARGET = target or saved_target
    combine.SET_SHARE = saved_share if set_share is None else set_share
    combine.SWITCH = saved_switch if switch is None else switch
    if set_keep is not None:
        combine.candidate_weights = set_filtered(saved[2], set_keep)
    try:
        predictions = score_backtest(raw[raw["cutoff"].isin(every)], data, d.freq, every, windows, names, names[0])[
            "predictions"
        ]
    finally:
        combine.KEEP, combine.EQUAL, combine.candidate_weights = saved
        combine.TARGET, combine.SET_SHARE, combine.SWITCH = saved_target, saved_share, saved_switch
    if keys is not None:
        predictions = predictions.merge(keys, on=["series_id", "cutoff"])
    table = overall(predictions).set_index("model")
    candidates = table.drop(index="auto")["mase"]
    per_series = summarise(predictions[predictions["model"] == "auto"], ["series_id"]).set_index("series_id")["mase"]
    return {
        "per_series": per_series,
        "dataset": key,
        "variant": f"{windows}:{keep:.2f}:{equal}"
        + ("" if floor else ":nofloor")
        + ("" if set_keep is None else f":set{set_keep:.2f}")
        + ("" if target is None else {"calibration": ":targetcal", "windows": ":targetwin"}[target])
        + ("" if set_share is None else f":setw{set_share:.2f}")
        + ("" if switch is None else f":switch{switch}"),
        "auto_mase": table.loc["auto", "mase"],
        "best_candidate": candidates.idxmin(),
        "best_candidate_mase": candidates.min(),
        "auto_coverage_80": table.loc["auto", "coverage_80"],
        "auto_coverage_95": table.loc["auto", "coverage_95"],
    }


def paired(variant: pd.Series, first: pd.Series | None, rounds: int = 2000) -> dict:
    """``auto``'s MASE against the set's first variant, paired per series: the mean difference, its
    95 % bootstrap interval over series, and on how many series the variant is better."""
    if first is None:
        return {"vs_first": 0.0, "vs_first_lo": 0.0, "vs_first_hi": 0.0, "better_on": ""}
    diff = (variant - first).dropna().to_numpy()
    draws = np.random.default_rng(0).choice(diff, size=(rounds, len(diff))).mean(axis=1)
    return {
        "vs_first": float(diff.mean()),
        "vs_first_lo": float(np.quantile(draws, 0.025)),
        "vs_first_hi": float(np.quantile(draws, 0.975)),
        "better_on": f"{int((diff < 0).sum())} of {len(diff)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--only", default="sim,berlin,berlin_weekly,nhs")
    parser.add_argument("--variants", default="2:0.10:0.5,3:0.10:0.5,4:0.10:0.5,4:0.25:0.5")
    parser.add_argument("--out", default=None)
    parser.add_argument("--cutoffs", default="", help="as forecast_accuracy.py --cutoffs (set:count,...)")
    args = parser.parse_args()
    more_cutoffs(args.cutoffs)
    rows: list[dict] = []
    for key in args.only.split(","):
        data = DATASETS[key].load()
        folder = Path(args.cache) / key
        raw, keys = cached_raw(folder), peer_keys(folder)
        for variant in args.variants.split(","):
            windows, keep, equal, *flags = variant.split(":")
            floor = "nofloor" not in flags
            set_keep = next((float(f[3:]) for f in flags if f.startswith("set") and not f.startswith("setw")), None)
            set_share = next((float(f[4:]) for f in flags if f.startswith("setw")), None)
            switch = next((int(f[6:]) for f in flags if f.startswith("switch")), None)
            target = "calibration" if "targetcal" in flags else "windows" if "targetwin" in flags else None
            row = score_variant(
                raw,
                keys,
                data,
                key,
                int(windows),
                float(keep),
                float(equal),
                floor,
                set_keep,
                target,
                set_share,
                switch,
            )
            first = next((r["per_series"] for r in rows if r["dataset"] == key), None)
            row.update(paired(row["per_series"], first))
            rows.append(row)
            print({k: v for k, v in row.items() if k != "per_series"}, flush=True)
    text = markdown(pd.DataFrame(rows).drop(columns="per_series").round(4))
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
