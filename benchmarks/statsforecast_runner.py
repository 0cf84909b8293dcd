"""Run statsforecast's models on given cutoffs; executed inside benchmarks/.venv-statsforecast.

Usage: python statsforecast_runner.py SPEC.json
SPEC: {"data": csv (series_id,date,value on a regular grid, NaN = missing), "out": csv,
       "timings": json, "freq": "D"|"W"|"M", "season": int, "horizon": int,
       "cutoffs": ["YYYY-MM-DD", ...], "models": [names of MODELS to run]}
Missing values are linearly interpolated per series (statsforecast needs gap-free series).
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import (
    MSTL,
    AutoARIMA,
    AutoETS,
    AutoTheta,
    DynamicOptimizedTheta,
    SeasonalNaive,
)

SF_FREQ = {"D": "D", "W": "W-MON", "M": "MS"}


def models(season: int, names: list[str]) -> dict:
    every = {
        "sf_seasonal_naive": lambda: SeasonalNaive(season_length=season, alias="sf_seasonal_naive"),
        "sf_autoets": lambda: AutoETS(season_length=season, alias="sf_autoets"),
        "sf_autotheta": lambda: AutoTheta(season_length=season, alias="sf_autotheta"),
        "sf_dotheta": lambda: DynamicOptimizedTheta(season_length=season, alias="sf_dotheta"),
        "sf_autoarima": lambda: AutoARIMA(season_length=season, alias="sf_autoarima"),
        "sf_mstl": lambda: MSTL(season_length=[7, 365], trend_forecaster=AutoETS(model="ZZN"), alias="sf_mstl"),
    }
    return {name: every[name]() for name in names}


def main(spec_path: str) -> None:
    with open(spec_path) as handle:
        spec = json.load(handle)
    data = pd.read_csv(spec["data"], parse_dates=["date"])
    data = data.rename(columns={"series_id": "unique_id", "date": "ds", "value": "y"})
    data["y"] = data.groupby("unique_id")["y"].transform(lambda s: s.interpolate(limit_direction="both"))
    data = data.dropna(subset=["y"])
    h, season = int(spec["horizon"]), int(spec["season"])
    frames, timings = [], {}
    for name, model in models(season, list(spec["models"])).items():
        start = time.perf_counter()
        for cutoff in pd.to_datetime(spec["cutoffs"]):
            train = data[data["ds"] <= cutoff]
            sizes = train.groupby("unique_id")["y"].size()
            minimum = 2 * 365 + 1 if name == "sf_mstl" else 12  # AutoETS refuses tiny series
            train = train[train["unique_id"].isin(sizes[sizes >= minimum].index)]
            fc = StatsForecast(models=[model], freq=SF_FREQ[spec["freq"]], n_jobs=1).forecast(
                df=train, h=h, level=[80, 95]
            )
            fc = fc.reset_index() if "unique_id" not in fc.columns else fc
            frames.append(
                pd.DataFrame(
                    {
                        "series_id": fc["unique_id"],
                        "cutoff": cutoff,
                        "date": fc["ds"],
                        "model": name,
                        "mean": fc[name],
                        "lo_80": fc[f"{name}-lo-80"],
                        "hi_80": fc[f"{name}-hi-80"],
                        "lo_95": fc[f"{name}-lo-95"],
                        "hi_95": fc[f"{name}-hi-95"],
                    }
                )
            )
        timings[name] = time.perf_counter() - start
        print(f"statsforecast {name}: {timings[name]:.1f} s", flush=True)
    pd.concat(frames, ignore_index=True).to_csv(spec["out"], index=False)
    with open(spec["timings"], "w") as handle:
        json.dump(timings, handle)


if __name__ == "__main__":
    main(sys.argv[1])
