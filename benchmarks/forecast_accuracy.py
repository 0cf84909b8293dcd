"""Forecast accuracy and speed of every Werkwijzer model against statsforecast, on the same cutoffs.

    .venv/bin/python benchmarks/forecast_accuracy.py
        [--only berlin,berlin_weekly,nhs,berlin_calls,nhs_admissions,sim,scale] [--out DIR]
        [--cache DIR] [--stage sf,ours] [--peers sf_...] [--candidates a,b,...]
        [--extra-cutoffs N] [--cutoffs berlin:20,...]

--cache keeps every model's raw backtest forecasts (one CSV per data set and model) and reuses
them (delete it after changing a base model), so `auto` can be re-scored without refitting; --stage sf fills the
cache with the statsforecast peers only, --stage ours then scores Werkwijzer with whatever peers
are cached. --extra-cutoffs N backtests N more cutoffs before the weight windows, whose errors
only calibrate the conformal intervals (a cache filled with N keeps serving runs with fewer).
The last table in forecast_accuracy.md is MASE relative to seasonal naive per set with the
geometric mean over the real sets.

Data sets: Berlin Fire Brigade daily missions (11 count series, holidays DE/BE, horizon 14,
8 cutoffs), the same brigade's call centre daily (4 series, a held-out set: nothing is tuned on
it, ADR 0030), NHS England A&E attendances monthly (horizon 6, 3 cutoffs), the same type 1
departments' emergency admissions (140 series, a second held-out set), the simulated
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
from collections.abc import Callable
from dataclasses import dataclass, replace
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
from models.forecast.combine import CALIBRATION  # noqa: E402
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
EXTRA = [0]  # --extra-cutoffs: cutoffs before the weight windows, for the intervals only
SF_MODELS = ["sf_seasonal_naive", "sf_autoets", "sf_autotheta", "sf_dotheta", "sf_autoarima", "sf_mstl"]
STAGES = ["sf", "ours"]
CANDIDATES = list(BASE_MODELS)


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "statsforecast", "pandas<3"], check=True)
    return python


def cached_raw(folder: Path) -> pd.DataFrame:
    """The raw backtest forecasts ``--cache`` kept for one data set, of every base model found there."""
    return pd.concat(
        [
            pd.read_csv(folder / f"{name}.csv", parse_dates=["cutoff", "date"], dtype={"series_id": str})
            for name in BASE_MODELS
            if (folder / f"{name}.csv").exists()
        ],
        ignore_index=True,
    )


def cached(path: Path | None, compute, parse_dates=("cutoff", "date")):  # type: ignore[no-untyped-def]
    """``compute()`` -> (frame, seconds), or the frame and seconds stored in ``path`` by an
    earlier run (--cache): a base model's backtest does not change when only ``auto`` does."""
    if path is not None and path.exists():
        frame = pd.read_csv(path, parse_dates=list(parse_dates), dtype={"series_id": str})
        return frame, float(json.loads(path.with_suffix(".json").read_text())["seconds"])
    frame, seconds = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
        path.with_suffix(".json").write_text(json.dumps({"seconds": seconds}))
    return frame, seconds


def run_werkwijzer(
    data: pd.DataFrame, freq: str, horizon: int, k: int, calendar: dict, cache: Path | None
) -> tuple[dict, dict]:
    extra = EXTRA[0]
    every = cutoff_dates(data["date"].max(), horizon, k + WINDOWS + extra, freq)
    raws, timings = [], {}
    for name in CANDIDATES:

        def compute(name: str = name) -> tuple[pd.DataFrame, float]:
            start = time.perf_counter()
            frame = model_predictions(
                name,
                lambda: make_forecaster(name, freq=freq, horizon=horizon, **calendar),
                data,
                every,
                horizon,
            )
            return frame, time.perf_counter() - start

        frame, timings[name] = cached(cache / f"{name}.csv" if cache else None, compute)
        raws.append(frame[frame["cutoff"].isin(every)])  # a cache may hold more (earlier) cutoffs
        print(f"werkwijzer {name}: {timings[name]:.1f} s", flush=True)
    result = score_backtest(
        pd.concat(raws, ignore_index=True),
        data,
        freq,
        every[extra:],
        WINDOWS,
        list(CANDIDATES),
        CANDIDATES[0],
    )
    timings["auto"] = sum(timings.values())  # auto needs every candidate's backtest
    return result, timings


def run_statsforecast(
    data: pd.DataFrame,
    freq: str,
    horizon: int,
    cutoffs: list,
    mstl: bool,
    cache: Path | None,
    cached_only: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """Every statsforecast peer on ``cutoffs``, one subprocess per model (each cached alone);
    ``cached_only``: only the peers an earlier run left in the cache."""
    names = [n for n in SF_MODELS if mstl or n != "sf_mstl"]
    if cached_only:
        names = [n for n in names if cache is not None and (cache / f"{n}.csv").exists()]
    if not names:
        return pd.DataFrame(), {}
    frames, timings = [], {}
    for name in names:
        frame, timings[name] = cached(
            cache / f"{name}.csv" if cache else None,
            lambda name=name: _statsforecast_model(data, freq, horizon, cutoffs, name),
        )
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    actual = data.rename(columns={"value": "actual"})
    frame = frame.merge(actual, on=["series_id", "date"], how="left")
    return frame, timings


def _statsforecast_model(
    data: pd.DataFrame, freq: str, horizon: int, cutoffs: list, name: str
) -> tuple[pd.DataFrame, float]:
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
            "models": [name],
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
        frame = pd.read_csv(tmp_path / "out.csv", parse_dates=["cutoff", "date"], dtype={"series_id": str})
        timings = json.loads((tmp_path / "timings.json").read_text())
    return frame, float(timings[name])


def compare(
    name: str,
    data: pd.DataFrame,
    freq: str,
    horizon: int,
    k: int,
    calendar: dict,
    mstl: bool = False,
    cache: Path | None = None,
) -> pd.DataFrame:
    print(
        f"== {name}: {data['series_id'].nunique()} series, freq {freq}, horizon {horizon}, {k} cutoffs",
        flush=True,
    )
    evaluation = cutoff_dates(data["date"].max(), horizon, k + WINDOWS, freq)[WINDOWS:]
    parts = set(STAGES)
    sf, sf_time = run_statsforecast(data, freq, horizon, evaluation, mstl, cache, cached_only="sf" not in parts)
    if "ours" not in parts:
        return pd.DataFrame()
    ours, our_time = run_werkwijzer(data, freq, horizon, k, calendar, cache)
    if sf.empty:
        table = overall(ours["predictions"])
    else:
        sf_scored = score_rows(attach_scale(sf, data, freq))
        keys = sf_scored[["series_id", "cutoff"]].drop_duplicates()
        ours_same = ours["predictions"].merge(keys, on=["series_id", "cutoff"])  # the same series and cutoffs
        table = overall(pd.concat([ours_same, sf_scored], ignore_index=True))
    table["seconds"] = table["model"].map({**our_time, **sf_time})
    table.insert(0, "dataset", name)
    return table


def berlin_data(freq: str = "D") -> pd.DataFrame:
    path = SHARED / "berlin_fire_brigade" / "BFw_mission_data_daily.csv"
    return regularize(read_intake(path, date_col="mission_created_date", series=BERLIN_SERIES), freq)


CALL_SERIES = {  # calls offered (answered + not answered) and calls answered, per line
    "calls_offered_all": ("call_count", "call_count_not_answered"),
    "calls_offered_112": ("call_count_112", "call_count_112_not_answered"),
    "calls_answered_112": ("call_count_112",),
    "calls_answered_other": ("call_count", "-call_count_112"),
}


def berlin_calls_data() -> pd.DataFrame:
    """The Berlin fire brigade's call centre, daily (2024-01 to 2026-08): a held-out set. Its series
    were fixed before any model ran on it, and no setting is tuned on it (docs/benchmarks.md)."""
    raw = pd.read_csv(SHARED / "berlin_fire_brigade" / "BFw_call_data_daily.csv")
    wide = pd.DataFrame({"date": raw["calls_received_day"]})
    for name, parts in CALL_SERIES.items():
        terms = [-raw[p[1:]] if p.startswith("-") else raw[p] for p in parts]
        wide[name] = sum(terms[1:], terms[0])  # a day missing in the source stays missing
    long = wide.melt(id_vars="date", var_name="series_id", value_name="value").dropna(subset=["value"])
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(long.assign(value=long["value"].astype(int)), Path(tmp) / "calls.csv")
        return regularize(read_intake(Path(tmp) / "calls.csv"), "D")


def nhs_data(measure: str = "attendances", types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One series per provider and department type (``types``: only those; every type by default)."""
    raw = pd.read_csv(SHARED / "nhs_ae_attendances" / "ae_attendances.csv", dtype=str)
    if types is not None:
        raw = raw[raw["type"].isin(types)]
    long = pd.DataFrame(
        {
            "series_id": raw["org_code"] + "/" + raw["type"],
            "date": raw["period"],
            "value": raw[measure],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(long, Path(tmp) / "nhs.csv")
        return regularize(read_intake(Path(tmp) / "nhs.csv"), "M")


def nhs_admissions_data() -> pd.DataFrame:
    """Emergency admissions through the major (type 1) A&E departments, monthly: a second held-out
    set (2026-12-03). Fixed before any model ran on it: type 1 only, where admissions are demand for
    a hospital bed (types 2 and other admit almost nobody: median 6 and 0 a month), the same
    horizon and cutoffs as the attendances. The providers are the attendances' own, so it is
    held out in its target, not in its places; nothing is tuned on it (docs/benchmarks.md)."""
    return nhs_data("admissions", ("1",))


def simulated_data() -> pd.DataFrame:
    from werkwijzer.simulation import simulate_municipality

    with tempfile.TemporaryDirectory() as tmp:
        simulate_municipality(tmp, inhabitants=100_000, years=6, seed=11, end=pd.Timestamp("2026-11-22").date())
        return regularize(read_intake(Path(tmp) / "intake_weekly.csv"), "W")


@dataclass(frozen=True)
class Dataset:
    name: str
    load: Callable[[], pd.DataFrame]
    freq: str
    horizon: int
    cutoffs: int
    calendar: dict
    mstl: bool = False
    real: bool = True


BERLIN_CALENDAR = {"country": "DE", "subdiv": "BE", "school_region": "BE"}
DATASETS = {
    "berlin": Dataset("Berlin fire brigade, daily", berlin_data, "D", 14, 8, BERLIN_CALENDAR, mstl=True),
    "berlin_calls": Dataset(
        "Berlin fire brigade calls, daily (held out)", berlin_calls_data, "D", 14, 8, BERLIN_CALENDAR, mstl=True
    ),
    "berlin_weekly": Dataset("Berlin fire brigade, weekly", lambda: berlin_data("W"), "W", 13, 8, BERLIN_CALENDAR),
    "nhs": Dataset(
        "NHS A&E attendances, monthly",
        nhs_data,
        "M",
        6,
        3,
        {"country": "GB", "subdiv": "ENG", "school_region": None},
    ),
    "nhs_admissions": Dataset(
        "NHS type 1 A&E admissions, monthly (held out)",
        nhs_admissions_data,
        "M",
        6,
        3,
        {"country": "GB", "subdiv": "ENG", "school_region": None},
    ),
    "sim": Dataset("Simulated municipality, weekly", simulated_data, "W", 13, 8, {"country": "NL"}, real=False),
}


def more_cutoffs(spec: str) -> None:
    """``--cutoffs berlin:20,berlin_weekly:20``: more evaluation cutoffs on those sets. Eight cutoffs
    know a coverage to about ±5 to ±9 points; issue 19's ±3 needs more (docs/benchmarks.md). The
    extra cutoffs lie before the usual ones, so a cache filled with more serves runs with fewer."""
    for item in filter(None, spec.split(",")):
        key, _, count = item.partition(":")
        if key not in DATASETS or not count.isdigit() or int(count) < 1:
            raise SystemExit(f"--cutoffs: expected set:count with a set of {sorted(DATASETS)}, got {item!r}")
        DATASETS[key] = replace(DATASETS[key], cutoffs=int(count))


def run_dataset(key: str, cache: Path | None) -> pd.DataFrame:
    d = DATASETS[key]
    return compare(d.name, d.load(), d.freq, d.horizon, d.cutoffs, d.calendar, d.mstl, cache)


def relative_to_naive(tables: pd.DataFrame) -> pd.DataFrame:
    """Per model: MASE / seasonal naive's MASE on each data set, and the geometric mean over the
    real sets (a model missing on a set is left out of that set's column and of the mean)."""
    naive = tables[tables["model"] == "seasonal_naive"].set_index("dataset")["mase"]
    frame = tables.assign(relative=tables["mase"] / tables["dataset"].map(naive))
    wide = frame.pivot(index="model", columns="dataset", values="relative")
    real = [DATASETS[k].name for k in DATASETS if DATASETS[k].real and DATASETS[k].name in wide]
    wide["geomean_real"] = np.exp(np.log(wide[real]).mean(axis=1, skipna=False))
    return wide.reset_index().sort_values("geomean_real")


def many_series(n_municipalities: int = 125, years: int = 3, teams: int = 8) -> pd.DataFrame:
    """n x ``teams`` weekly series: municipalities of 10,000 to 250,000 inhabitants, each its own
    seed. The simulator has 8 teams; teams 9 and up are the first teams again, drawn from a second,
    independent simulation of the same municipality (named ``<team>_b``)."""
    from werkwijzer.simulation import simulation_window
    from werkwijzer.simulation.intake import simulate_intake, weekly

    days = simulation_window(years, pd.Timestamp("2026-11-22").date())
    rng = np.random.default_rng(2026)
    pieces = []
    for i in range(n_municipalities):
        inhabitants = int(rng.integers(10_000, 250_000))
        counts = weekly(simulate_intake(days, inhabitants, np.random.default_rng(i)))
        if teams > counts.shape[1]:
            more = weekly(simulate_intake(days, inhabitants, np.random.default_rng((i, 1))))
            counts = pd.concat([counts, more.iloc[:, : teams - counts.shape[1]].add_suffix("_b")], axis=1)
        counts = counts.iloc[:, :teams]
        long = counts.rename_axis("date").reset_index().melt(id_vars="date", var_name="team", value_name="value")
        long["series_id"] = f"gemeente_{i:03d}/" + long["team"]
        pieces.append(long[["series_id", "date", "value"]])
    return pd.concat(pieces, ignore_index=True)


def scale(cache: Path | None = None, workers: int = 2) -> pd.DataFrame:
    from flows.train_forecast import train_forecast
    from werkwijzer.settings import Settings

    data = many_series()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "intake_1000.csv"
        write_csv(data.assign(date=data["date"].dt.strftime("%Y-%m-%d")), path)
        settings = Settings(home=Path(tmp) / "home", dask_local_workers=workers, forecast_batches=16)
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="berlin,sim,nhs,berlin_calls,nhs_admissions,scale")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument(
        "--cache",
        default=None,
        help="directory for each model's raw backtest forecasts; reused when present",
    )
    parser.add_argument("--stage", default="sf,ours", help="sf (statsforecast peers), ours (Werkwijzer) or both")
    parser.add_argument(
        "--peers",
        default=",".join(SF_MODELS),
        help="statsforecast models to run (sf_mstl only on daily data)",
    )
    parser.add_argument(
        "--candidates",
        default=",".join(BASE_MODELS),
        help="Werkwijzer models to backtest (and auto's candidates); seasonal_naive first",
    )
    parser.add_argument(
        "--extra-cutoffs",
        type=int,
        default=EXTRA[0],
        help="backtest cutoffs before the weight windows whose errors only calibrate the intervals "
        f"({CALIBRATION - WINDOWS} gives every evaluation cutoff as many windows as the published forecast; "
        "docs/benchmarks.md, issue 19 items 3 and 5: not the default, it made Berlin daily worse)",
    )
    parser.add_argument(
        "--cutoffs",
        default="",
        help="more evaluation cutoffs on some sets, as set:count,... (berlin:20); the others keep theirs",
    )
    args = parser.parse_args()
    more_cutoffs(args.cutoffs)
    EXTRA[0] = args.extra_cutoffs
    STAGES[:] = args.stage.split(",")
    CANDIDATES[:] = args.candidates.split(",")
    SF_MODELS[:] = args.peers.split(",")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = []
    for key in args.only.split(","):
        run = scale if key == "scale" else (lambda c, key=key: run_dataset(key, c))
        table = run(Path(args.cache) / key if args.cache else None)
        if table.empty:
            continue
        tables.append(table)
        write_csv(table, out / f"forecast_accuracy_{key}.csv")
        print(table.round(3).to_string(index=False), flush=True)
    if not tables:  # --stage sf only fills the cache
        return
    combined = pd.concat(tables, ignore_index=True)
    cols = ["dataset", "model", "mase", "smape", "coverage_80", "coverage_95", "seconds"]
    cols += [c for c in ("winkler_80", "winkler_95") if c in combined]
    text = markdown(combined[cols])
    accuracy = combined[~combined["dataset"].str.startswith("Scale")]
    if len(accuracy):
        text += "\nMASE relative to seasonal naive per data set, geometric mean over real sets:\n\n"
        text += markdown(relative_to_naive(accuracy))
    (out / "forecast_accuracy.md").write_text(text)


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
