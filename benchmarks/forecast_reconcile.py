"""Coherent totals (ADR 0024): accuracy per level of `auto` before (`base`) and after each
reconciliation method, on a simulated hierarchy and on NHS England A&E attendances.

    nice -n 5 .venv/bin/python benchmarks/forecast_reconcile.py [--only sim,nhs]
        [--candidates seasonal_naive,theta,glm] [--out DIR]
    nice -n 5 .venv/bin/python benchmarks/forecast_reconcile.py --only scale

Data sets:
- sim: 12 simulated municipalities (10,000 to 250,000 inhabitants, each its own seed) x 8 teams,
  in 3 regions, weekly, 3 years; horizon 13, 4 evaluation cutoffs (+2 warm-up for `auto`).
- nhs: NHS A&E attendances (../shared/data/nhs_ae_attendances), the 281 provider x department
  type series that cover all 36 months; type -> provider -> England; monthly, horizon 6,
  3 evaluation cutoffs (+2 warm-up). The file has no region column.
- scale: the seconds to reconcile one 13-week forecast of 342 municipalities x 10 teams
  (12 regions), per method, on synthetic numbers.

Every node (team, municipality, region, total) is forecast by the candidates and `auto` exactly
as the flow does (`models.forecast.backtest.score_backtest`), then reconciled at every
evaluation cutoff (`models.forecast.reconcile.backtest`). MASE per level = mean over the level's
series of the per-series MASE; coverage pooled over forecast points. The chosen method is the
one `choose` picks on these same windows (the flow picks it the same way for the published
forecast, which lies after all of them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from models.forecast import make_forecaster  # noqa: E402
from models.forecast import reconcile as R  # noqa: E402
from models.forecast.backtest import cutoff_dates, model_predictions, score_backtest  # noqa: E402
from models.forecast.frequency import regularize  # noqa: E402
from werkwijzer.contracts import read_intake  # noqa: E402
from werkwijzer.io import write_csv  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
WINDOWS = 2


def simulated() -> tuple[pd.DataFrame, pd.DataFrame]:
    from werkwijzer.simulation import simulation_window
    from werkwijzer.simulation.intake import simulate_intake, weekly

    days = simulation_window(3, pd.Timestamp("2026-11-22").date())
    rng = np.random.default_rng(2026)
    pieces, rows = [], []
    for i in range(12):
        name, region = f"gemeente_{i:02d}", f"regio_{i % 3}"
        counts = weekly(simulate_intake(days, int(rng.integers(10_000, 250_000)), np.random.default_rng(i)))
        long = counts.rename_axis("date").reset_index().melt(id_vars="date", var_name="team", value_name="value")
        long["series_id"] = name + "/" + long["team"]
        pieces.append(long[["series_id", "date", "value"]])
        rows += [(s, name, region) for s in long["series_id"].unique()]
    table = pd.DataFrame(rows, columns=["series_id", "municipality", "region"])
    return pd.concat(pieces, ignore_index=True), table


def nhs() -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(SHARED / "nhs_ae_attendances" / "ae_attendances.csv", dtype=str)
    raw["series_id"] = raw["org_code"] + "/" + raw["type"]
    complete = raw.groupby("series_id")["period"].transform("nunique") == raw["period"].nunique()
    raw = raw[complete]
    long = pd.DataFrame({"series_id": raw["series_id"], "date": raw["period"], "value": raw["attendances"]})
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(long, Path(tmp) / "nhs.csv")
        data = regularize(read_intake(Path(tmp) / "nhs.csv"), "M")
    table = raw[["series_id", "org_code"]].drop_duplicates().rename(columns={"org_code": "municipality"})
    return data, table


SETS = {
    "sim": ("Simulated: 12 municipalities x 8 teams, 3 regions, weekly", simulated, "W", 13, 4, {"country": "NL"}),
    "nhs": (
        "NHS A&E: type -> provider -> England, monthly",
        nhs,
        "M",
        6,
        3,
        {"country": "GB", "subdiv": "ENG", "school_region": None},
    ),
}


def run(key: str, candidates: list[str]) -> pd.DataFrame:
    title, load, freq, horizon, k, calendar = SETS[key]
    teams, table = load()
    hierarchy = R.build(table)
    data = pd.concat([teams, R.aggregate(teams, hierarchy)], ignore_index=True)
    data = data.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)
    print(f"== {title}: {len(hierarchy.bottom)} teams, {len(hierarchy.aggregates)} aggregates", flush=True)
    every = cutoff_dates(data["date"].max(), horizon, k + WINDOWS, freq)
    start = time.perf_counter()
    raw = [
        model_predictions(
            name, lambda name=name: make_forecaster(name, freq=freq, horizon=horizon, **calendar), data, every, horizon
        )
        for name in candidates
    ]
    result = score_backtest(pd.concat(raw, ignore_index=True), data, freq, every, WINDOWS, candidates, candidates[0])
    base_seconds = time.perf_counter() - start
    auto = result["predictions"][result["predictions"]["model"] == "auto"]
    start = time.perf_counter()
    scored = R.backtest(auto, hierarchy)
    seconds = time.perf_counter() - start
    accuracy = R.level_accuracy(scored)
    chosen, score = R.choose(scored, data["date"].max() + pd.Timedelta(days=1))
    print(f"backtest {base_seconds:.0f} s, reconciliation of {k} cutoffs x 4 methods {seconds:.1f} s", flush=True)
    print(f"MASE summed over levels: {score.round(4).to_dict()}; chosen: {chosen}", flush=True)
    accuracy["chosen"] = np.where(accuracy["method"] == chosen, "yes", "")
    accuracy.insert(0, "dataset", title)
    return accuracy


def scale() -> pd.DataFrame:
    """Seconds to reconcile one 13-week forecast of 342 municipalities x 10 teams in 12 regions
    (synthetic numbers; MinT with 52 error rows), per method: the cost the flow adds at scale."""
    rows = [(f"g{i:03d}/t{j}", f"g{i:03d}", f"r{i % 12}") for i in range(342) for j in range(10)]
    hierarchy = R.build(pd.DataFrame(rows, columns=["series_id", "municipality", "region"]))
    rng = np.random.default_rng(0)
    dates = pd.date_range("2027-01-04", periods=13, freq="7D")
    n = len(hierarchy.ids)
    means = rng.gamma(2, 20, size=(n, 13)).ravel()
    forecast = pd.DataFrame({"series_id": np.repeat(hierarchy.ids, 13), "date": np.tile(dates, n), "mean": means})
    for lv in (80, 95):
        forecast[f"lo_{lv}"], forecast[f"hi_{lv}"] = means * 0.7, means * 1.3
    errors = rng.normal(size=(52, n))
    out = []
    for method in R.METHODS:
        start = time.perf_counter()
        R.apply(forecast, hierarchy, method, errors)
        out.append({"teams": len(hierarchy.bottom), "aggregates": len(hierarchy.aggregates), "method": method})
        out[-1]["seconds"] = time.perf_counter() - start
    return pd.DataFrame(out)


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="sim,nhs")
    parser.add_argument("--candidates", default="seasonal_naive,theta,glm")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    keys = args.only.split(",")
    if "scale" in keys:
        keys.remove("scale")
        timing = scale()
        (out / "forecast_reconcile_scale.md").write_text(markdown(timing))
        print(markdown(timing))
    if not keys:
        return
    tables = [run(key, args.candidates.split(",")) for key in keys]
    combined = pd.concat(tables, ignore_index=True)
    write_csv(combined, out / "forecast_reconcile.csv")
    columns = ["dataset", "level", "series", "method", "chosen", "mase", "coverage_80", "coverage_95", "winkler_95"]
    text = markdown(combined[columns])
    (out / "forecast_reconcile.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
