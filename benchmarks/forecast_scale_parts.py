"""CPU seconds of the parts of the forecast flow that issue 19 item 6 changed, in one process, for
the code of ``--tree`` (this checkout, or an older one to compare with).

    nice -n 10 .venv/bin/python benchmarks/forecast_scale_parts.py --tree DIR [--series 500]
        [--models 20] [--threads one|default]

- ``regularize``: the intake of N series (``many_series``, 10 teams) put on its weekly grid, as
  every fit does for its batch;
- ``score``: ``score_backtest`` and the final ``combine.plan`` on a synthetic backtest of N series
  (the seasonal naive's forecasts at 4 cutoffs, copied with noise as five candidates);
- ``fit <model>``: fit and forecast of each base model at the last cutoff on ``--models`` series,
  with BLAS and OpenMP on one thread (``--threads one``, what the flow's tasks do now) or as the
  libraries start (``--threads default``, before).

An older checkout needs this branch's ``benchmarks/forecast_accuracy.py`` (``many_series`` with
``teams``) copied into it. Process CPU time (``time.process_time``: every thread of the
process), so a busy machine slows the wall clock but not these figures much. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", required=True)
    parser.add_argument("--series", type=int, default=500)
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--threads", choices=["one", "default"], default="one")
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    sys.path[:0] = [str(tree), str(tree / "benchmarks")]  # the tree's own forecast_accuracy (many_series)

    import numpy as np
    import pandas as pd
    from forecast_accuracy import many_series
    from threadpoolctl import threadpool_limits

    from models.forecast import BASE_MODELS, OUTPUT, combine, make_forecaster
    from models.forecast.backtest import cutoff_dates, forecast_at, model_predictions, score_backtest
    from models.forecast.frequency import regularize

    out: dict[str, object] = {"tree": args.tree, "series": args.series, "threads": args.threads}
    raw_intake = many_series(n_municipalities=-(-args.series // 10), teams=10)

    def timed(key: str, work):  # type: ignore[no-untyped-def]
        start = time.process_time()
        result = work()
        out[key] = round(time.process_time() - start, 2)
        return result

    data = timed("regularize_s", lambda: regularize(raw_intake, "W"))
    every = cutoff_dates(data["date"].max(), 13, 4, "W")
    naive = model_predictions(
        "seasonal_naive", lambda: make_forecaster("seasonal_naive", freq="W", horizon=13), data, every, 13
    )
    rng = np.random.default_rng(0)
    raw = pd.concat(
        [
            naive.assign(model=name, **{c: naive[c] * rng.lognormal(0, 0.1, len(naive)) for c in OUTPUT})
            for name in BASE_MODELS
        ],
        ignore_index=True,
    )
    after = data["date"].max() + pd.Timedelta(days=1)

    def score() -> None:
        result = score_backtest(raw, data, "W", every, 2, list(BASE_MODELS), "seasonal_naive")
        combine.plan(result["all_predictions"], after, 2, list(BASE_MODELS), 13)

    timed("score_s", score)
    few = data[data["series_id"].isin(sorted(data["series_id"].unique())[: args.models])]
    params = {"freq": "W", "horizon": 13, "country": "NL", "school_region": "Midden", "random_state": 0}
    out["code"] = str(Path(sys.modules[regularize.__module__].__file__ or "").parents[2])
    for name in BASE_MODELS:
        limit = threadpool_limits(limits=1) if args.threads == "one" else contextlib.nullcontext()
        with limit:
            timed(f"fit_{name}_s", lambda n=name: forecast_at(lambda: make_forecaster(n, **params), few, every[-1], 13))
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
