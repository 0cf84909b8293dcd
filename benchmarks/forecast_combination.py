"""``auto``'s MASE and coverage under other combination settings, from the raw backtest forecasts
that ``forecast_accuracy.py --cache`` left behind (no model is refitted).

    .venv/bin/python benchmarks/forecast_combination.py --cache DIR
        [--only sim,berlin,berlin_weekly,nhs] [--variants 2:0.10:0.5,3:0.10:0.5] [--out FILE]

A variant is ``WINDOWS:KEEP:EQUAL[:nofloor]``: the number of earlier backtest windows whose errors
give the weights (``run_backtest(windows=...)``), the band around the best shrunk score within
which candidates are combined (``combine.KEEP``) and the shrinkage of the weights towards equal
(``combine.EQUAL``); ``nofloor`` leaves the seasonal naive forecast out of the candidates (it is
still scored, and its intervals made conformal). The product runs ``2:0.10:0.5``. Every variant is scored on the same
evaluation cutoffs as ``forecast_accuracy.py`` (the cache must hold ``WINDOWS`` cutoffs before
them: fill it with ``forecast_accuracy.py --extra-cutoffs``); the table gives ``auto``'s MASE
beside the best single candidate's and ``auto``'s 80 % and 95 % coverage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from benchmarks.forecast_accuracy import DATASETS, cached_raw, markdown  # noqa: E402
from models.forecast import BASE_MODELS, combine  # noqa: E402
from models.forecast.backtest import cutoff_dates, overall, score_backtest  # noqa: E402


def peer_keys(folder: Path) -> pd.DataFrame | None:
    """The series and cutoffs statsforecast's seasonal naive forecast, if it is cached: the tables of
    ``forecast_accuracy.py`` score every model on exactly those (NHS has series statsforecast skips)."""
    path = folder / "sf_seasonal_naive.csv"
    if not path.exists():
        return None
    keys = pd.read_csv(path, usecols=["series_id", "cutoff"], parse_dates=["cutoff"], dtype={"series_id": str})
    return keys.drop_duplicates()


def score_variant(
    raw: pd.DataFrame,
    keys: pd.DataFrame | None,
    data: pd.DataFrame,
    key: str,
    windows: int,
    keep: float,
    equal: float,
    floor: bool = True,
) -> dict:
    d = DATASETS[key]
    names = [n for n in BASE_MODELS if n in set(raw["model"]) and (floor or n != "seasonal_naive")]
    every = cutoff_dates(data["date"].max(), d.horizon, d.cutoffs + windows, d.freq)
    if not set(every) <= set(raw["cutoff"]):
        raise SystemExit(f"{key}: the cache lacks cutoffs for {windows} weight windows (fill it with --extra-cutoffs)")
    saved = combine.KEEP, combine.EQUAL
    combine.KEEP, combine.EQUAL = keep, equal
    try:
        predictions = score_backtest(raw[raw["cutoff"].isin(every)], data, d.freq, every, windows, names, names[0])[
            "predictions"
        ]
    finally:
        combine.KEEP, combine.EQUAL = saved
    if keys is not None:
        predictions = predictions.merge(keys, on=["series_id", "cutoff"])
    table = overall(predictions).set_index("model")
    candidates = table.drop(index="auto")["mase"]
    return {
        "dataset": key,
        "variant": f"{windows}:{keep:.2f}:{equal}" + ("" if floor else ":nofloor"),
        "auto_mase": table.loc["auto", "mase"],
        "best_candidate": candidates.idxmin(),
        "best_candidate_mase": candidates.min(),
        "auto_coverage_80": table.loc["auto", "coverage_80"],
        "auto_coverage_95": table.loc["auto", "coverage_95"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--only", default="sim,berlin,berlin_weekly,nhs")
    parser.add_argument("--variants", default="2:0.10:0.5,3:0.10:0.5,4:0.10:0.5,4:0.25:0.5")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = []
    for key in args.only.split(","):
        data = DATASETS[key].load()
        folder = Path(args.cache) / key
        raw, keys = cached_raw(folder), peer_keys(folder)
        for variant in args.variants.split(","):
            windows, keep, equal, *flags = variant.split(":")
            floor = "nofloor" not in flags
            rows.append(score_variant(raw, keys, data, key, int(windows), float(keep), float(equal), floor))
            print(rows[-1], flush=True)
    text = markdown(pd.DataFrame(rows).round(4))
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
