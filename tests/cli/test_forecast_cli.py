"""``werkwijzer forecast`` and ``werkwijzer capacity`` as a user runs them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import cli


@pytest.fixture
def wide_daily(tmp_path: Path) -> Path:
    """A wide daily file like the Berlin data: two count columns and a response-time column."""
    rng = np.random.default_rng(2)
    dates = pd.date_range("2024-01-01", periods=220, freq="D")
    frame = pd.DataFrame(
        {
            "mission_created_date": dates.strftime("%Y-%m-%d"),
            "mission_count_fire": rng.poisson(40, len(dates)),
            "mission_count_ems": rng.poisson(900, len(dates)),
            "response_time_mean": rng.normal(600, 40, len(dates)).round(2),
        }
    )
    frame["mission_count_new"] = ""  # a team without any count yet
    closed = rng.poisson(6, len(dates))
    closed[150:] = 0  # a team closed 70 days before the end: left out, not forecast to come back
    frame["mission_count_closed"] = closed
    frame = frame.drop(index=[100]).astype(str)  # a missing day
    frame.loc[50, "mission_count_fire"] = ""  # an outage
    frame.loc[10, "mission_count_fire"] = "5000"  # a typo, far above the rest: named, not changed
    frame.loc[180, "mission_count_ems"] = "90"  # a recording outage: named, skipped by ets, theta and arima (ADR 0040)
    frame.loc[121, "mission_count_ems"] = "0"  # 2024-05-01, a Berlin holiday; ems is open on the others: named
    holidays = ["2024-01-01", "2024-03-08", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09", "2024-05-20"]
    frame.loc[frame["mission_created_date"].isin(holidays), "mission_count_fire"] = "0"  # fire: a desk, closed
    path = tmp_path / "missions.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_forecast_cli_on_a_wide_file(wide_daily: Path, tmp_path: Path, settings, prefect_harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WERKWIJZER_HOME", str(settings.home))
    from werkwijzer.settings import get_settings

    get_settings.cache_clear()
    out = tmp_path / "out"
    out.mkdir()
    (out / "forecast_levels.csv").write_text("level,series_id\nmunicipality,old\n")  # an earlier run's totals
    result = CliRunner().invoke(
        cli,
        [
            "forecast",
            "--data",
            str(wide_daily),
            "--freq",
            "D",
            "--horizon",
            "7",
            "--country",
            "DE",
            "--subdiv",
            "BE",
            "--cutoffs",
            "2",
            "--out",
            str(out),
        ],
    )
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "skipped 1 other columns" in result.output
    # ADR 0019: the gate passed, so the version is a candidate, and the command says how a person approves it
    assert re.search(
        r"werkwijzer-forecast version (\d+) is a candidate — approve with: werkwijzer models approve "
        r"--model werkwijzer-forecast --version \1 --reason TEXT",
        result.output,
    ), result.output
    # not a terminal: the progress bars are plain lines, the last one saying all is done
    done = re.findall(r"^  backtest: (\d+) of (\d+)$", result.output, re.MULTILINE)
    assert done and done[-1][0] == done[-1][1] and "\r" not in result.output, result.output
    assert re.search(r"^  fit: (\d+) of \1$", result.output, re.MULTILINE), result.output
    predictions = pd.read_csv(out / "backtest_predictions.csv")
    assert list(predictions.columns) == [
        "series_id",
        "cutoff",
        "date",
        "actual",
        "model",
        "mean",
        "lo_80",
        "hi_80",
        "lo_95",
        "hi_95",
    ]
    assert {"auto", "seasonal_naive", "ets", "theta", "glm", "arima", "gbm"} == set(predictions["model"])
    summary = pd.read_csv(out / "backtest_summary.csv")
    assert list(summary.columns) == [
        "series_id",
        "model",
        "mase",
        "smape",
        "coverage_80",
        "coverage_95",
    ]
    forecast = pd.read_csv(out / "forecast.csv")
    assert set(forecast["series_id"]) == {"mission_count_fire", "mission_count_ems"}
    assert len(forecast) == 14
    assert (out / "drivers.csv").stat().st_size > 0 and (out / "report.md").read_text().startswith("# ")
    # a team without counts is not forecast, and the output and the report say so (found from outside)
    assert "not forecast, no count at all: mission_count_new" in result.output
    report = (out / "report.md").read_text()
    assert "Geen voorspelling, want het bestand heeft geen aantallen voor: mission count new." in report
    assert "Not forecast, because the file holds no count for them: mission count new." in report
    assert "only 0 counted after the period in brackets" in result.output
    assert "fix the file): mission_count_closed (2024-05-29)" in result.output, result.output
    assert "alleen 0 (tussen haakjes het laatste aantal boven 0): mission count closed (2024-05-29)." in report
    assert (
        "counted only 0 for a while (the last count above 0 in brackets): mission count closed (2024-05-29)." in report
    )
    median = float(pd.read_csv(wide_daily)["mission_count_fire"].median())
    assert (
        f"far above the rest of their series, check the file: mission_count_fire 2024-01-11: 5000 (median {median:.0f})"
        in result.output
    ), result.output
    assert "Controleer of ze kloppen: mission_count_fire 2024-01-11: 5000" in report
    assert "Check that they are right: mission_count_fire 2024-01-11: 5000" in report
    assert "skipped by ets, theta and arima as outages: mission_count_ems 2024-06-29: 90 (median " in result.output
    assert "mission_count_ems 2024-05-01: 0 (median " in result.output  # open on the holidays: an outage there
    # 220 days: every window the bands calibrate on was fitted on less than two years
    assert "the intervals calibrate on 4 backtest windows, 4 of them fitted on less than two years" in result.output
    assert "Bij 4 daarvan waren er nog geen twee jaar aan gegevens" in report
    assert "mission_count_fire 2024-05-0" not in result.output  # closed on every holiday: not named
    assert "Dat lijkt een storing in de registratie, niet minder werk." in report
    assert (
        "That looks like a recording outage, not less work." in report and "mission_count_ems 2024-06-29: 90" in report
    )
    assert not [p for p in os.listdir(out) if p.startswith(".staging")]
    assert not (out / "forecast_levels.csv").exists() and "removed forecast_levels.csv" in result.output
    # the tables are rendered once: the files written are those the MLflow run keeps, byte for byte
    run_id = re.search(r"^MLflow run (\w+),", result.output, re.MULTILINE).group(1)  # type: ignore[union-attr]
    from werkwijzer.tracking import configure_mlflow

    logged = Path(configure_mlflow(settings).download_artifacts(run_id, "forecast", str(tmp_path / "logged")))
    for name in ("backtest_predictions.csv", "backtest_summary.csv", "forecast.csv", "drivers.csv"):
        assert (out / name).read_bytes() == (logged / name).read_bytes(), name


def test_forecast_cli_reports_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("series_id,date,value\nwmo,2024-01-01,-3\n")
    from cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "forecast",
                "--data",
                str(bad),
                "--freq",
                "W",
                "--horizon",
                "4",
                "--out",
                str(tmp_path / "o"),
            ]
        )
    assert exit_info.value.code == 2
    assert not (tmp_path / "o" / "forecast.csv").exists()


def test_capacity_cli(sim_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weeks = pd.date_range("2026-11-23", periods=4, freq="7D")
    forecast = pd.DataFrame(
        {
            "series_id": "wmo_meldingen",
            "date": weeks.strftime("%Y-%m-%d"),
            "mean": 30.0,
            "lo_80": 25.0,
            "hi_80": 35.0,
            "lo_95": 20.0,
            "hi_95": 40.0,
        }
    )
    path = tmp_path / "forecast.csv"
    forecast.to_csv(path, index=False)
    out = tmp_path / "cap"
    args = [
        "capacity",
        "--forecast",
        str(path),
        "--norms",
        str(sim_dir / "norms.csv"),
        "--staffing",
        str(sim_dir / "staffing.csv"),
        "--out",
        str(out),
    ]
    base = CliRunner().invoke(cli, args)
    assert base.exit_code == 0, base.output
    plan = pd.read_csv(out / "capacity.csv")
    assert {
        "team",
        "week",
        "fte_needed_mean",
        "fte_needed_hi_95",
        "fte_available",
        "fte_gap",
        "backlog_hours",
        "breach_probability",
    } <= set(plan.columns)
    more = CliRunner().invoke(cli, [*args[:-2], "--scenario", "wmo_meldingen:+2fte", "--out", str(tmp_path / "c2")])
    assert more.exit_code == 0, more.output
    plan2 = pd.read_csv(tmp_path / "c2" / "capacity.csv")
    assert (plan2["fte_available"] - plan["fte_available"]).round(6).eq(2.0).all()
    wrong = CliRunner().invoke(cli, [*args[:-2], "--scenario", "wmo+2", "--out", str(tmp_path / "c3")])
    assert wrong.exit_code != 0 and "scenario" in wrong.output
    # found from outside: these left the plan unchanged, or impossible, with exit 0 and no word
    for option, text, message in (
        ("--scenario", "wmo_meldngen:+10%", "'wmo_meldngen': expected a team of the plan (wmo_meldingen)"),
        ("--backlog", "wmo:500", "'wmo': expected a team of the plan"),
        ("--scenario", "wmo_meldingen:-150%", "wmo_meldingen:-150%: expected a demand change above -100 %"),
        ("--backlog", "wmo_meldingen:-500", "wmo_meldingen:-500: expected 0 hours or more"),
        ("--scenario", "wmo_meldingen:-500fte", "expected a change that leaves 0 fte or more"),
    ):
        refused = CliRunner().invoke(cli, [*args[:-2], option, text, "--out", str(tmp_path / "c4")])
        assert refused.exit_code == 2, refused.output
        assert message in " ".join(refused.output.split()), refused.output
    assert not (tmp_path / "c4" / "capacity.csv").exists()
    staff = pd.read_csv(sim_dir / "staffing.csv")
    wmo = staff[staff["team"] == "wmo_meldingen"]
    (tmp_path / "staff.csv").write_text(wmo.assign(team="wmo_x").to_csv(index=False))
    from cli.main import main

    with pytest.raises(SystemExit) as exit_info:  # the file and the teams it has (found from outside: neither)
        main([*args[:5], "--staffing", str(tmp_path / "staff.csv"), "--out", str(tmp_path / "c5")])
    assert exit_info.value.code == 2
    assert "staff.csv, column 'team': expected rows for team 'wmo_meldingen' (found teams: wmo_x)" in (
        capsys.readouterr().err
    )
    late = staff[(staff["team"] != "wmo_meldingen") | (pd.to_datetime(staff["week"]) >= "2026-12-07")]
    (tmp_path / "late.csv").write_text(late.to_csv(index=False))  # staffing known from the third week on
    carried = CliRunner().invoke(cli, [*args[:5], "--staffing", str(tmp_path / "late.csv"), "--out", str(out)])
    assert carried.exit_code == 0, carried.output
    first = late.loc[late["team"] == "wmo_meldingen"].sort_values("week").iloc[0]
    assert (
        f"late.csv has no row for wmo_meldingen before 2026-12-07: the 2 forecast weeks from 2026-11-23 "
        f"use its {first['fte_available']:g} fte"
    ) in " ".join(carried.output.split()), carried.output
    assert "has no row for" not in base.output
    extra = pd.concat([forecast, forecast.assign(series_id="mission_count_all")])
    extra.to_csv(path, index=False)
    noted = CliRunner().invoke(cli, args)
    assert noted.exit_code == 0, noted.output
    assert "not planned (no norms in norms.csv): mission_count_all" in noted.output


BERLIN = Path(__file__).resolve().parents[3] / "shared" / "data" / "berlin_fire_brigade" / "BFw_mission_data_daily.csv"


@pytest.mark.shared_data
@pytest.mark.skipif(not BERLIN.is_file(), reason="../shared/data/berlin_fire_brigade is not on this machine")
def test_berlin_csv_as_it_comes_finds_the_eleven_mission_counts() -> None:
    from cli.forecast import count_columns

    date_col, counts, skipped = count_columns(BERLIN, None)
    assert date_col == "mission_created_date"
    assert len(counts) == 11 and all(c.startswith("mission_count") for c in counts)
    assert all(c.startswith("response_time") for c in skipped)


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(not BERLIN.is_file(), reason="../shared/data/berlin_fire_brigade is not on this machine")
def test_forecast_cli_on_the_berlin_csv(tmp_path: Path, settings, prefect_harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The real file, with its missing days and response-time columns, two series to keep it quick."""
    monkeypatch.setenv("WERKWIJZER_HOME", str(settings.home))
    from werkwijzer.settings import get_settings

    get_settings.cache_clear()
    out = tmp_path / "berlin"
    args = [
        "forecast",
        "--data",
        str(BERLIN),
        "--freq",
        "D",
        "--horizon",
        "14",
        "--country",
        "DE",
        "--subdiv",
        "BE",
        "--cutoffs",
        "2",
        "--series",
        "mission_count_fire",
        "--series",
        "mission_count_technical_rescue",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(out / "forecast.csv")
    assert sorted(forecast["series_id"].unique()) == ["mission_count_fire", "mission_count_technical_rescue"]
    assert len(forecast) == 2 * 14
    assert (forecast[["mean", "lo_80", "lo_95"]] >= 0).all().all()


@pytest.mark.parametrize("where", ["under_a_file", "unmakeable"])
def test_forecast_cli_refuses_an_output_folder_it_cannot_write_before_training(tmp_path: Path, where: str) -> None:
    """Found from outside: the run trained, then crashed with a traceback writing its tables."""
    data = tmp_path / "intake.csv"
    data.write_text("series_id,date,value\nwmo,2024-01-01,3\n")
    (tmp_path / "a_file").write_text("")
    out = tmp_path / "a_file" / "out" if where == "under_a_file" else Path("/proc/werkwijzer-out")
    result = CliRunner().invoke(
        cli, ["forecast", "--data", str(data), "--freq", "W", "--horizon", "4", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--out'" in result.output
    assert "expected a folder that can be made and written" in result.output
    assert "Traceback" not in result.output


def test_a_count_column_with_a_typo_is_refused_not_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found from outside: one cell of -3, 2.5 or 1.234 made a team's column 'not a count' and the
    team was left out of the forecast with one line of output; now the cell is refused by row."""
    from cli.forecast import count_columns

    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-06-03", periods=60, freq="7D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"date": dates, "wmo": rng.poisson(40, 60), "jeugd": rng.poisson(20, 60)}).astype(str)
    frame["wait_median"] = [f"{v:.1f}" if i % 4 else f"{v:.0f}" for i, v in enumerate(rng.normal(30, 5, 60))]
    for typo in ("-3", "2.5", "1.234"):
        frame.loc[18, "jeugd"] = typo
        path = tmp_path / "intake.csv"
        frame.to_csv(path, index=False)
        assert count_columns(path, None) == ("date", ["wmo", "jeugd"], ["wait_median"])
    from cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(["forecast", "--data", str(path), "--freq", "W", "--horizon", "4", "--out", str(tmp_path / "o")])
    assert exit_info.value.code == 2
    assert "row 20, column 'jeugd': got '1.234'; expected a whole number >= 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--country", "XX"], "no holiday calendar for country 'XX'"),
        (["--country", "NL", "--subdiv", "ZZ"], "country NL has no subdivision 'ZZ': expected one of Midden, Noord"),
    ],
)
def test_forecast_cli_refuses_an_unknown_holiday_calendar_before_training(
    tmp_path: Path, options: list[str], message: str
) -> None:
    """Found from outside: --country XX trained until its first fit, then ended in a traceback."""
    data = tmp_path / "intake.csv"
    data.write_text("series_id,date,value\nwmo,2024-01-01,3\n")
    args = ["forecast", "--data", str(data), "--freq", "W", "--horizon", "4", "--out", str(tmp_path / "o"), *options]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
