"""The forecast benchmark's scale run, small enough to repeat: ``many_series`` of
``benchmarks/forecast_accuracy.py`` (N simulated municipalities x 8 teams, 3 years, weekly) through
``train_forecast`` (backtest 2+2 cutoffs, horizon 13, final fit, SHAP drivers; MLflow off) with the
four base models every tree since issue 15 has, on Prefect's thread runner (the scale run's 2-worker
Dask LocalCluster failed to start its nannies at load 25). Prints one JSON line: wall seconds and
auto's MASE.

It measures the tree it is started from (the current directory), so one copy measures an older
checkout too (issue 21's side-by-side comparison, docs/benchmarks.md)::

    cd OTHER_TREE && .venv/bin/python /path/to/benchmarks/forecast_scale_small.py 1
"""

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from forecast_accuracy import many_series  # noqa: E402

from flows.train_forecast import train_forecast  # noqa: E402
from werkwijzer.settings import Settings  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
data = many_series(n_municipalities=n)
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "intake.csv"
    data.assign(date=data["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    settings = Settings(home=Path(tmp) / "home", dask_local_workers=0, forecast_batches=16)
    start = time.perf_counter()
    result = train_forecast(
        path,
        freq="W",
        horizon=13,
        cutoffs=2,
        settings=settings,
        log=False,
        models=["seasonal_naive", "ets", "glm", "gbm"],
    )
    seconds = time.perf_counter() - start
overall = result["overall"] if isinstance(result, dict) else result.overall
auto = overall.set_index("model").loc["auto"]
print(
    json.dumps(
        {
            "tree": str(ROOT),
            "series": int(data["series_id"].nunique()),
            "seconds": round(seconds, 1),
            "auto_mase": round(float(auto["mase"]), 4),
        }
    )
)
