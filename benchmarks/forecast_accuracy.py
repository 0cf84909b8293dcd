"""Forecast accuracy and speed of every Werkwijzer model against statsforecast, on the same cutoffs.

    /work/venv/bin/python benchmarks/forecast_accuracy.py [--only berlin,nhs,sim,scale] [--out DIR]

Data sets: Berlin Fire Brigade daily missions (11 count series, holidays DE/BE, horizon 14,
8 cutoffs), NHS England A&E attendances monthly (horizon 6, 3 cutoffs), the simulated
municipality weekly (100,000 inhabitants, 6 years, horizon 13, 8 cutoffs), and a scale run:
1,000 simulated weekly series through the whole flow (backtest + fit + drivers) on a
2-worker Dask LocalCluster. statsforecast needs pandas < 3, so it runs in its own virtualenv
(benchmarks/.venv-statsforecast, created on first use) via subprocess on the same cutoffs.
MASE = mean over series of the per-series MASE (each cutoff scaled by the in-sample seasonal
naive MAE before it); coverage pooled over all forecast points with an actual value.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from models.forecast import BASE_MODELS, make_forecaster  # noqa: E402
from models.forecast.backtest import (  # noqa: E402
    attach_scale,
    cutoff_dates,
    model_predictions,
    overall,
    score_backtest,
)
from models.forecast.frequency import regularize, season_length  # noqa: E402
from models.forecast.metrics import score_rows  # noqa: E402
from werkwijzer.contracts import read_intake  # noqa: E402
from werkwijzer.io import write_csv  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
VENV = ROOT / "benchmarks" / ".venv-statsforecast"
BERLIN_SERIES = [
    "mission_count_all",
    "mission_count_ems",
    "mission_count_ems_critical",
    "mission_count_ems_critical_cpr",
    "mission_count_fire",
    "mission_count_technical_rescue",
    "mission_count_rd1",
    "mission_count_rd2",
    "mission_count_rd3",
    "mission_count_rd4",
    "mission_count_rd5",
]
WINDOWS = 2


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "statsforecast", "pandas<3"], check=True
        )
    return python


def run_werkwijzer(
    data: pd.DataFrame, freq: str, horizon: int, k: int, calendar: dict
) -> tuple[dict, dict]:
    every = cutoff_dates(data["date"].max(), horizon, k + WINDOWS, freq)
    raws, timings = [], {}
    for name in BASE_MODELS:
        start = time.perf_counter()
        raws.append(
            model_predictions(
                name,
                lambda n=name: make_forecaster(n, freq=freq, horizon=horizon, **calendar),
                data,
                every,
                horizon,
            )
        )
        timings[name] = time.perf_counter() - start
        print(f"werkwijzer {name}: {timings[name]:.1f} s", flush=True)
    result = score_backtest(
        pd.concat(raws, ignore_index=True),
        data,
        freq,
        every,
        WINDOWS,
        list(BASE_MODELS),
        "seasonal_naive",
    )
    timings["auto"] = sum(timings.values())  # auto needs every candidate's backtest
    return result, timings


def run_statsforecast(
    data: pd.DataFrame, freq: str, horizon: int, cutoffs: list, mstl: bool
) -> tuple[pd.DataFrame, dict]:
    python = ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_csv(data, tmp_path / "data.csv")
        spec = {
            "data": str(tmp_path / "data.csv"),
            "out": str(tmp_path / "out.csv"),
            "timings": str(tmp_path / "timings.json"),
            "freq": freq,
            "season": season_length(freq),
            "horizon": horizon,
            "cutoffs": [c.strftime("%Y-%m-%d") for c in cutoffs],
            "mstl": mstl,
        }
        (tmp_path / "spec.json").write_text(json.dumps(spec))
        subprocess.run(
            [
                str(python),
                str(ROOT / "benchmarks" / "statsforecast_runner.py"),
                str(tmp_path / "spec.json"),
            ],
            check=True,
        )
        frame = pd.read_csv(
            tmp_path / "out.csv", parse_dates=["cutoff", "date"], dtype={"series_id": str}
        )
        timings = json.loads((tmp_path / "timings.json").read_text())
    actual = data.rename(columns={"value": "actual"})
    frame = frame.merge(actual, on=["series_id", "date"], how="left")
    return frame, timings


def compare(
    name: str,
    data: pd.DataFrame,
    freq: str,
    horizon: int,
    k: int,
    calendar: dict,
    mstl: bool = False,
) -> pd.DataFrame:
    print(
        f"== {name}: {data['series_id'].nunique()} series, freq {freq}, "
        f"horizon {horizon}, {k} cutoffs",
        flush=True,
    )
    ours, our_time = run_werkwijzer(data, freq, horizon, k, calendar)
    evaluation = sorted(ours["predictions"]["cutoff"].unique())
    sf, sf_time = run_statsforecast(
        data, freq, horizon, [pd.Timestamp(c) for c in evaluation], mstl
    )
    sf_scored = score_rows(attach_scale(sf, data, freq))
    keys = sf_scored[["series_id", "cutoff"]].drop_duplicates()
    ours_same = ours["predictions"].merge(
        keys, on=["series_id", "cutoff"]
    )  # the same series and cutoffs
    table = overall(pd.concat([ours_same, sf_scored], ignore_index=True))
    table["seconds"] = table["model"].map({**our_time, **sf_time})
    table.insert(0, "dataset", name)
    return table


def berlin() -> pd.DataFrame:
    path = SHARED / "berlin_fire_brigade" / "BFw_mission_data_daily.csv"
    data = regularize(read_intake(path, date_col="mission_created_date", series=BERLIN_SERIES), "D")
    return compare(
        "Berlin fire brigade, daily",
        data,
        "D",
        14,
        8,
        {"country": "DE", "subdiv": "BE", "school_region": "BE"},
        mstl=True,
    )


def nhs() -> pd.DataFrame:
    raw = pd.read_csv(SHARED / "nhs_ae_attendances" / "ae_attendances.csv", dtype=str)
    long = pd.DataFrame(
        {
            "series_id": raw["org_code"] + "/" + raw["type"],
            "date": raw["period"],
            "value": raw["attendances"],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(long, Path(tmp) / "nhs.csv")
        data = regularize(read_intake(Path(tmp) / "nhs.csv"), "M")
    return compare(
        "NHS A&E attendances, monthly",
        data,
        "M",
        6,
        3,
        {"country": "GB", "subdiv": "ENG", "school_region": None},
    )


def simulated() -> pd.DataFrame:
    from werkwijzer.simulation import simulate_municipality

    with tempfile.TemporaryDirectory() as tmp:
        simulate_municipality(
            tmp, inhabitants=100_000, years=6, seed=11, end=pd.Timestamp("2026-11-22").date()
        )
        data = regularize(read_intake(Path(tmp) / "intake_weekly.csv"), "W")
    return compare("Simulated municipality, weekly", data, "W", 13, 8, {"country": "NL"})


def many_series(n_municipalities: int = 125, years: int = 3) -> pd.DataFrame:
    """n x 8 weekly series: municipalities of 10,000 to 250,000 inhabitants, each its own seed."""
    from werkwijzer.simulation import simulation_window
    from werkwijzer.simulation.intake import simulate_intake, weekly

    days = simulation_window(years, pd.Timestamp("2026-11-22").date())
    rng = np.random.default_rng(2026)
    pieces = []
    for i in range(n_municipalities):
        counts = weekly(
            simulate_intake(days, int(rng.integers(10_000, 250_000)), np.random.default_rng(i))
        )
        long = (
            counts.rename_axis("date")
            .reset_index()
            .melt(id_vars="date", var_name="team", value_name="value")
        )
        long["series_id"] = f"gemeente_{i:03d}/" + long["team"]
        pieces.append(long[["series_id", "date", "value"]])
    return pd.concat(pieces, ignore_index=True)


def scale(workers: int = 2) -> pd.DataFrame:
    from flows.train_forecast import train_forecast
    from werkwijzer.settings import Settings

    data = many_series()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "intake_1000.csv"
        write_csv(data.assign(date=data["date"].dt.strftime("%Y-%m-%d")), path)
        settings = Settings(
            home=Path(tmp) / "home", dask_local_workers=workers, forecast_batches=16
        )
        start = time.perf_counter()
        result = train_forecast(path, freq="W", horizon=13, cutoffs=2, settings=settings, log=False)
        seconds = time.perf_counter() - start
    table = result.overall.assign(seconds=np.nan)
    table.loc[table["model"] == "auto", "seconds"] = seconds
    table.insert(
        0,
        "dataset",
        f"Scale: {data['series_id'].nunique()} simulated weekly series, flow on "
        f"{workers}-worker Dask LocalCluster (backtest 2+2 cutoffs, fit, drivers)",
    )
    print(f"scale run: {seconds:.0f} s", flush=True)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="berlin,sim,nhs,scale")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    runs = {"berlin": berlin, "nhs": nhs, "sim": simulated, "scale": scale}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = []
    for key in args.only.split(","):
        table = runs[key]()
        tables.append(table)
        write_csv(table, out / f"forecast_accuracy_{key}.csv")
        print(table.round(3).to_string(index=False), flush=True)
    combined = pd.concat(tables, ignore_index=True)
    cols = ["dataset", "model", "mase", "smape", "coverage_80", "coverage_95", "seconds"]
    (out / "forecast_accuracy.md").write_text(markdown(combined[cols]))


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
