"""Is a change in a model's MASE beyond noise? A paired comparison of two benchmark caches.

    .venv/bin/python benchmarks/forecast_paired.py --set sim --before DIR --after DIR
        [--candidates-before a,b,...] [--candidates-after a,b,...] [--model auto,theta] [--cutoffs berlin:24]
    .venv/bin/python benchmarks/forecast_paired.py --set sim --before DIR --against gbm,glm [--model auto]

Both caches hold raw backtest forecasts written by ``forecast_accuracy.py --cache`` for the same
data set; each is scored with its own candidate list (``auto`` is rebuilt from the cached
candidates). Prints per series the MASE before and after, the mean difference, and a 95 %
bootstrap interval of the mean difference over series (10,000 resamples of the series with
replacement: a series' cutoffs move together, so the series is the unit). With ``--against`` one
cache is read and ``--model`` is compared with each of those models on the same series ("before"
is the other model, "after" the model): is ``auto`` behind its best candidate beyond noise?
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import forecast_accuracy as fa  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from models.forecast.backtest import cutoff_dates, score_backtest  # noqa: E402
from models.forecast.metrics import summarise  # noqa: E402


def per_series(cache: Path, candidates: list[str], data: pd.DataFrame, d: fa.Dataset) -> pd.DataFrame:
    every = cutoff_dates(data["date"].max(), d.horizon, d.cutoffs + fa.WINDOWS, d.freq)
    raw = pd.concat(
        [pd.read_csv(cache / f"{n}.csv", parse_dates=["cutoff", "date"], dtype={"series_id": str}) for n in candidates],
        ignore_index=True,
    )
    raw = raw[raw["cutoff"].isin(every)]
    result = score_backtest(raw, data, d.freq, every, fa.WINDOWS, candidates, candidates[0])
    table = summarise(result["predictions"], ["series_id", "model"])
    return table.pivot(index="series_id", columns="model", values="mase")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", required=True, choices=sorted(fa.DATASETS))
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", help="the cache after the change (not with --against)")
    parser.add_argument("--against", default="", help="models of --before's cache to compare --model with")
    parser.add_argument("--candidates-before", default=",".join(fa.CANDIDATES))
    parser.add_argument("--candidates-after", default=",".join(fa.CANDIDATES))
    parser.add_argument("--model", default="auto", help="one model or several (a,b,...)")
    parser.add_argument("--cutoffs", default="", help="as forecast_accuracy.py --cutoffs (set:count,...)")
    args = parser.parse_args()
    fa.more_cutoffs(args.cutoffs)
    d = fa.DATASETS[args.set]
    data = d.load()
    before = per_series(Path(args.before), args.candidates_before.split(","), data, d)
    if args.against:
        for model in args.model.split(","):
            for other in args.against.split(","):
                compare(f"{model} - {other}", before[other], before[model])
        return
    if not args.after:
        parser.error("--after or --against is required")
    after = per_series(Path(args.after), args.candidates_after.split(","), data, d)
    for model in args.model.split(","):
        compare(model, before[model], after[model])


def compare(model: str, before: pd.Series, after: pd.Series) -> None:
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    both["difference"] = both["after"] - both["before"]
    print(both.round(4).to_string())
    diff = both["difference"].to_numpy()
    rng = np.random.default_rng(0)
    means = diff[rng.integers(0, len(diff), size=(10_000, len(diff)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    print(
        f"{model}: MASE {both['before'].mean():.4f} -> {both['after'].mean():.4f}, "
        f"difference {diff.mean():+.4f} (95 % bootstrap over {len(diff)} series: {low:+.4f} .. {high:+.4f}), "
        f"better on {int((diff < 0).sum())}"
    )


if __name__ == "__main__":
    main()
