"""Every bad input gets one clear error naming file, row, column, value and expectation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from werkwijzer.contracts import (
    ContractError,
    passes_eleven_test,
    read_cases,
    read_characteristics,
    read_intake,
    read_norms,
    read_registry,
    read_staffing,
)
from werkwijzer.contracts.intake import check_history, check_spacing


def write(tmp_path: Path, text: str | bytes, name: str = "intake.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problem(path: Path, **kwargs) -> ContractError:
    with pytest.raises(ContractError) as info:
        read_intake(path, **kwargs)
    return info.value


GOOD = "series_id,date,value\nwmo,2024-01-01,5\nwmo,2024-01-02,7\nwmo,2024-01-03,\njeugd,2024-01-01,2\n"


def test_long_intake_reads_and_keeps_missing_values(tmp_path: Path) -> None:
    intake = read_intake(write(tmp_path, GOOD))
    assert list(intake.columns) == ["series_id", "date", "value"]
    assert len(intake) == 4
    assert intake["value"].isna().sum() == 1
    assert intake["date"].dtype.kind == "M"


def test_wide_intake_is_melted_with_column_names_as_series(tmp_path: Path) -> None:
    path = write(tmp_path, "datum,wmo,jeugd\n2024-01-01,5,2\n2024-01-02,6,\n")
    intake = read_intake(path)
    assert sorted(intake["series_id"].unique()) == ["jeugd", "wmo"]
    assert intake.loc[intake["series_id"] == "wmo", "value"].tolist() == [5.0, 6.0]


def test_wide_intake_series_selection_ignores_other_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "day,calls,answer_time\n2024-01-01,5,12.5\n2024-01-02,6,9.1\n")
    intake = read_intake(path, date_col="day", series=["calls"])
    assert intake["series_id"].unique().tolist() == ["calls"]


def test_missing_column(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id,datum,value\nwmo,2024-01-01,5\n"), date_col="date")
    assert err.first.file == "intake.csv"
    assert err.first.row == 1
    assert "date" in str(err)


def test_missing_column_in_staffing(tmp_path: Path) -> None:
    path = write(tmp_path, "team,week\nwmo,2024-01-01\n", "staffing.csv")
    with pytest.raises(ContractError) as info:
        read_staffing(path)
    assert info.value.first.column == "fte_available"
    assert "staffing.csv" in str(info.value)


def test_wrong_type(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id,date,value\nwmo,2024-01-01,5\nwmo,2024-01-02,veel\n"))
    p = err.first
    assert (p.row, p.column, p.value) == (3, "value", "veel")
    assert "whole number" in p.expected


def test_unparseable_date(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id,date,value\nwmo,2024-01-01,5\nwmo,31-02-2024,7\n"))
    assert (err.first.row, err.first.column, err.first.value) == (3, "date", "31-02-2024")
    assert "YYYY-MM-DD" in err.first.expected


@pytest.mark.parametrize("value", ["-3", "2.5"])
def test_negative_or_non_integer_count(tmp_path: Path, value: str) -> None:
    err = problem(write(tmp_path, f"series_id,date,value\nwmo,2024-01-01,{value}\n"))
    assert (err.first.row, err.first.column, err.first.value) == (2, "value", value)
    assert ">= 0" in err.first.expected


def test_duplicate_date_within_series(tmp_path: Path) -> None:
    text = "series_id,date,value\nwmo,2024-01-01,5\njeugd,2024-01-01,1\nwmo,2024-01-01,6\n"
    err = problem(write(tmp_path, text))
    assert err.first.row == 4
    assert "one row per series and date" in err.first.expected


def test_long_file_with_another_series_column_name_says_to_rename_it(tmp_path: Path) -> None:
    """A long file whose series column is called ``team`` is read as wide (its ``value`` column is
    the only count column, as the CLI picks it); the repeated dates then say what to rename."""
    text = "date,team,value\n2024-01-01,wmo,5\n2024-01-02,wmo,6\n2024-01-01,jeugd,1\n"
    err = problem(write(tmp_path, text), series=["value"])
    assert (err.first.row, err.first.column) == (4, "date")
    assert "long format series_id,date,value (rename 'team' to series_id)" in err.first.expected


def test_same_date_in_two_series_is_fine(tmp_path: Path) -> None:
    text = "series_id,date,value\nwmo,2024-01-01,5\njeugd,2024-01-01,1\n"
    assert len(read_intake(write(tmp_path, text))) == 2


def test_dates_in_the_future(tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    err = problem(write(tmp_path, f"series_id,date,value\nwmo,2024-01-01,5\nwmo,{future},6\n"))
    assert (err.first.row, err.first.column, err.first.value) == (3, "date", future)
    assert "not after today" in err.first.expected


@pytest.mark.parametrize("text", ["", "   \n", "series_id,date,value\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    err = problem(write(tmp_path, text))
    assert "data row" in str(err) or "non-empty" in str(err)


def test_a_dutch_excel_csv_is_read_as_it_comes(tmp_path: Path) -> None:
    """Excel on a Dutch Windows saves "CSV" with semicolons and in Windows-1252: refused before
    (save it again as CSV UTF-8), read now (ADR 0037). A quoted name may hold a comma."""
    text = '"team, oud";date;value\nstraße café;2024-01-01;5\nwmo;2024-01-01;3\n'
    out = read_intake(write(tmp_path, text.replace("team, oud", "series_id").encode("cp1252")))
    assert sorted(out["series_id"]) == ["straße café", "wmo"] and sorted(out["value"]) == [3, 5]
    err = problem(write(tmp_path, text.encode("cp1252")))  # no series_id: a wide file; its columns as written
    assert err.first.column == "team, oud" and err.first.value == "straße café"


def test_the_separator_is_the_one_every_row_agrees_on(tmp_path: Path) -> None:
    """Excel writes a team named "jeugd, wijk" unquoted in a semicolon file (found from outside:
    such a file was read as comma-separated and refused), and a decimal comma in its rows."""
    from werkwijzer.contracts import read_staffing

    wide = "datum;Wmo meldingen;jeugd, wijk\n2024-01-01;5;3\n2024-01-08;6;4\n"
    out = read_intake(write(tmp_path, wide.encode("cp1252")))
    assert sorted(set(out["series_id"])) == ["Wmo meldingen", "jeugd, wijk"] and out["value"].sum() == 18
    staffing = "team;week;fte, beschikbaar\nwmo;2024-01-01;2,5\n".replace("fte, beschikbaar", "fte_available")
    tricky = "team;week, maandag;fte_available\nwmo;2024-01-01;2,5\n"  # one comma in every row
    assert read_staffing(write(tmp_path, staffing, "staffing.csv"))["fte_available"].tolist() == [2.5]
    with pytest.raises(ContractError) as info:
        read_staffing(write(tmp_path, tricky, "staffing.csv"))
    assert info.value.first.column == "week"  # read with semicolons: the column 'week, maandag' is not 'week'


def test_excel_unicode_text_and_a_staffing_file_with_decimal_commas(tmp_path: Path) -> None:
    from werkwijzer.contracts import read_staffing

    unicode_text = "series_id\tdate\tvalue\nwmo\t2024-01-01\t5\n".encode("utf-16")  # with its BOM
    assert read_intake(write(tmp_path, unicode_text))["value"].tolist() == [5]
    staffing = write(tmp_path, "team;week;fte_available\nwmo;2024-01-01;2,5\n".encode("cp1252"), "staffing.csv")
    assert read_staffing(staffing)["fte_available"].tolist() == [2.5]


def test_a_workbook_or_bytes_that_are_no_text_are_refused(tmp_path: Path) -> None:
    err = problem(write(tmp_path, b"PK\x03\x04\x14\x00\x06\x00 rest of an xlsx"))
    assert "Excel workbook" in err.first.expected
    raw = b"series_id,date,value\nwmo,2024-01-01,5\n" + b"x\x81y,2024-01-01,3\n"
    err = problem(write(tmp_path, raw))
    assert err.first.row == 3 and "UTF-8" in err.first.expected


def test_a_ragged_row_in_a_semicolon_file_names_its_separator(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id;date;value\nwmo;2024-01-01;5\nwmo;2024-01-02;5;9\n"))
    assert err.first.row == 3 and "3 semicolon-separated fields" in err.first.expected


def test_ragged_row(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id,date,value\nwmo,2024-01-01,5\nwmo,2024-01-02,5,9\n"))
    assert err.first.row == 3
    assert "3 comma-separated fields" in err.first.expected


def test_several_problems_are_listed_together(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id,date,value\nwmo,gisteren,5\nwmo,2024-01-02,-1\n"))
    assert {(p.row, p.column) for p in err.problems} == {(2, "date"), (3, "value")}


@pytest.mark.parametrize("bsn", ["111222333", "123456782"])
def test_bsn_is_refused_without_echo(tmp_path: Path, bsn: str) -> None:
    assert passes_eleven_test(bsn)
    text = f"case_id,team,received_date\nWMO-2024-000001,wmo,2024-01-01\n{bsn},wmo,2024-01-02\n"
    path = write(tmp_path, text, "cases.csv")
    with pytest.raises(ContractError) as info:
        read_cases(path)
    assert info.value.first.row == 3
    assert info.value.first.column == "case_id"
    assert bsn not in str(info.value)
    assert "eleven-test" in str(info.value)


def test_every_row_of_a_repeated_bsn_is_found() -> None:
    """Each distinct cell is tested once; the rows found are every row that holds it."""
    from werkwijzer.contracts.bsn import bsn_rows

    cells = pd.Series(["2024-01-01", "111222333", "wmo", "111222333", None, "x 123-456-782", "111222333"])
    assert bsn_rows(cells) == [1, 3, 5, 6]
    assert bsn_rows(pd.Series(["2024-01-01"] * 1000)) == []


def test_eleven_test() -> None:
    assert passes_eleven_test("111222333")
    assert passes_eleven_test("12345672")  # eight digits: a leading zero is implied
    assert not passes_eleven_test("11122233")
    assert not passes_eleven_test("123456789")
    assert not passes_eleven_test("000000000")
    assert not passes_eleven_test("WMO-2024-000001")
    assert not passes_eleven_test("12345")


def test_bsn_inside_an_identifier_or_a_text_cell_is_refused_without_echo(tmp_path: Path) -> None:
    text = (
        "case_id,team,received_date,note\nZAAK-123456782,wmo,2024-01-01,x\n"
        "WMO-2024-000002,wmo,2024-01-02,zaak 3 111222333 belt terug\nWMO-2024-000003,wmo,2024-01-03,123456782\n"
    )
    with pytest.raises(ContractError) as info:
        read_cases(write(tmp_path, text, "cases.csv"))
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "case_id"), (3, "note")}
    assert "123456782" not in str(info.value) and "111222333" not in str(info.value)


def test_bsn_as_a_column_name_is_refused_without_echo(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "date,wmo,123456782\n2024-01-01,5,6\n"))
    assert err.first.row == 1 and "123456782" not in str(err)


def test_bsn_in_long_intake_series_id_is_refused(tmp_path: Path) -> None:
    err = problem(write(tmp_path, "series_id,date,value\n111222333,2024-01-01,5\n"))
    assert err.first.withhold_value
    assert "111222333" not in str(err)


def test_cases_refuse_direct_personal_data(tmp_path: Path) -> None:
    path = write(tmp_path, "case_id,team,received_date,geboortedatum\nA-1,wmo,2024-01-01,1980-01-01\n", "cases.csv")
    with pytest.raises(ContractError) as info:
        read_cases(path)
    assert info.value.first.column == "geboortedatum"


def test_cases_typed_by_registry(sim_dir: Path) -> None:
    registry = read_registry(sim_dir / "feature_registry.yaml")
    cases = read_cases(sim_dir / "cases.csv", registry)
    assert cases["open_debts"].dtype.kind == "f"
    assert str(cases["documents_complete"].dtype) == "boolean"
    assert cases["case_id"].is_unique


def test_cases_decision_before_receipt(tmp_path: Path) -> None:
    text = "case_id,team,received_date,decision_date\nA-1,wmo,2024-02-01,2024-01-01\n"
    with pytest.raises(ContractError) as info:
        read_cases(write(tmp_path, text, "cases.csv"))
    assert (info.value.first.row, info.value.first.column) == (2, "decision_date")


def test_cases_where_no_case_is_decided_yet_are_valid(tmp_path: Path) -> None:
    """A decision_date column without any date (every case still open) was a TypeError, not a valid file."""
    text = "case_id,team,received_date,decision_date\nA-1,wmo,2024-02-01,\nA-2,wmo,2024-02-02,\n"
    cases = read_cases(write(tmp_path, text, "cases.csv"))
    assert cases["decision_date"].isna().all()


def test_norms_shares_must_add_up(tmp_path: Path) -> None:
    text = (
        "team,effort_class,norm_hours,effort_share,productive_hours_per_fte_week,statutory_term_days\n"
        "wmo,eenvoudig,3,0.5,25,42\nwmo,complex,9,0.3,25,42\n"
    )
    with pytest.raises(ContractError) as info:
        read_norms(write(tmp_path, text, "norms.csv"))
    assert info.value.first.column == "effort_share"
    assert "wmo" in (info.value.first.value or "")


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"series_id": ["wmo", "wmo"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]), "value": [3, -1]}
    )
    path = tmp_path / "intake.parquet"
    frame.to_parquet(path)
    err = problem(path)
    assert (err.first.row, err.first.column) == (3, "value")


def test_missing_file(tmp_path: Path) -> None:
    err = problem(tmp_path / "nope.csv")
    assert err.first.file == "nope.csv"


FORECAST_HEADER = "series_id,date,mean,lo_80,hi_80,lo_95,hi_95\n"


def test_forecast_accepts_future_dates_and_nested_bands(tmp_path: Path) -> None:
    from werkwijzer.contracts import read_forecast

    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    frame = read_forecast(write(tmp_path, FORECAST_HEADER + f"wmo,{future},10,8,12,6,15\n", "forecast.csv"))
    assert frame["mean"].tolist() == [10.0]


def test_a_team_named_like_a_formula_reads_back_as_it_was_written(tmp_path: Path) -> None:
    """write_csv guards ``=SUM(A1)`` as ``'=SUM(A1)`` for spreadsheets; capacity reads the forecast
    back and must find the team's norms under its own name."""
    from werkwijzer.contracts import read_forecast
    from werkwijzer.io import write_csv

    names = ["=SUM(A1)", "-jeugd", "@wmo", "'quoted", "-5", "wmo"]
    frame = pd.DataFrame(
        {"series_id": names, "date": "2027-01-04", "mean": 10, "lo_80": 8, "hi_80": 12, "lo_95": 6, "hi_95": 15}
    )
    written = write_csv(frame, tmp_path / "forecast.csv").read_text()
    assert "'=SUM(A1)" in written and "'-jeugd" in written and "\n-5," in written
    assert read_forecast(tmp_path / "forecast.csv")["series_id"].tolist() == names


def test_counts_far_above_their_series_are_named_largest_first() -> None:
    from werkwijzer.contracts.intake import FAR_SHOWN, far_above_usual

    dates = pd.date_range("2026-01-05", periods=20, freq="W-MON")
    usual = pd.DataFrame({"series_id": "wmo", "date": dates, "value": 30.0})
    usual.loc[3, "value"], usual.loc[7, "value"], usual.loc[9, "value"] = 10_000_000, 1_600, np.nan
    sparse = pd.DataFrame({"series_id": "jeugd", "date": dates, "value": 0.0})
    sparse.loc[5, "value"] = 999  # under the minimum: a sparse series' spike is not named
    surge = pd.DataFrame({"series_id": "klantcontact", "date": dates, "value": 2_000.0})
    surge.loc[4, "value"] = 90_000  # 45 times the median: a surge, not named
    found = far_above_usual(pd.concat([usual, sparse, surge], ignore_index=True))
    assert found == ["wmo 2026-01-26: 10000000 (median 30)", "wmo 2026-02-23: 1600 (median 30)"]
    usual.loc[7, "value"] = 1_400  # under 50 times the median
    assert far_above_usual(usual) == ["wmo 2026-01-26: 10000000 (median 30)"]
    many = pd.DataFrame({"series_id": "wmo", "date": dates, "value": [5.0] * 5 + [5_000.0 + i for i in range(15)]})
    assert far_above_usual(many) == []  # most counts high: the median is high, nothing stands out
    longer = pd.date_range("2026-01-05", periods=40, freq="W-MON")
    typos = pd.DataFrame({"series_id": "wmo", "date": longer, "value": [1.0] * 25 + [5_000.0 + i for i in range(15)]})
    shown = far_above_usual(typos)
    assert len(shown) == FAR_SHOWN and shown[0].endswith(": 5014 (median 1)")  # the largest first, at most ten


def test_forecast_keeps_an_optional_horizon_correlation_between_0_and_1(tmp_path: Path) -> None:
    from werkwijzer.contracts import read_forecast

    header = FORECAST_HEADER.rstrip("\n") + ",horizon_correlation\n"
    frame = read_forecast(write(tmp_path, header + "wmo,2027-01-04,10,8,12,6,15,0.2\njeugd,2027-01-04,3,2,4,1,5,\n"))
    assert frame["horizon_correlation"].tolist()[0] == 0.2 and np.isnan(frame["horizon_correlation"].tolist()[1])
    assert "horizon_correlation" not in read_forecast(
        write(tmp_path, FORECAST_HEADER + "wmo,2027-01-04,10,8,12,6,15\n")
    )
    with pytest.raises(ContractError) as info:
        read_forecast(write(tmp_path, header + "wmo,2027-01-04,10,8,12,6,15,1.5\n"))
    assert (info.value.first.row, info.value.first.column) == (2, "horizon_correlation")


def test_forecast_refuses_bands_that_are_not_nested(tmp_path: Path) -> None:
    from werkwijzer.contracts import read_forecast

    path = write(
        tmp_path, FORECAST_HEADER + "wmo,2027-01-04,10,8,12,6,15\nwmo,2027-01-11,10,11,12,6,15\n", "forecast.csv"
    )
    with pytest.raises(ContractError) as info:
        read_forecast(path)
    assert (info.value.first.row, info.value.first.column) == (3, "mean")
    assert "nested" in info.value.first.expected


def test_forecast_refuses_negative_values(tmp_path: Path) -> None:
    from werkwijzer.contracts import read_forecast

    with pytest.raises(ContractError) as info:
        read_forecast(write(tmp_path, FORECAST_HEADER + "wmo,2027-01-04,10,8,12,-1,15\n", "forecast.csv"))
    assert (info.value.first.row, info.value.first.column, info.value.first.value) == (2, "lo_95", "-1")


PROTECTED = ["age_band", "sex", "migration_background"]


def test_characteristics_file_reads_groups_with_unknowns(tmp_path: Path) -> None:
    path = write(
        tmp_path, "case_id,age_band,sex,migration_background\nC-1,27-44,v,geen\nC-2,67+,m,\n", "characteristics.csv"
    )
    frame = read_characteristics(path, PROTECTED)
    assert frame["case_id"].tolist() == ["C-1", "C-2"]
    assert frame.loc[1, "age_band"] == "67+" and pd.isna(frame.loc[1, "migration_background"])


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("case_id,age_band,sex\nC-1,27-44,v\n", 1, "migration_background"),  # a column missing
        ("case_id,age_band,sex,migration_background,postcode\nC-1,27-44,v,geen,1234\n", 1, "postcode"),  # not protected
        ("case_id,age_band,sex,migration_background\nC-1,27-44,v,geen\nC-1,18-26,m,geen\n", 3, "case_id"),  # repeated
        ("case_id,age_band,sex,migration_background\n,27-44,v,geen\n", 2, "case_id"),  # empty key
    ],
)
def test_characteristics_file_problems_name_row_and_column(tmp_path: Path, text: str, row: int, column: str) -> None:
    with pytest.raises(ContractError) as info:
        read_characteristics(write(tmp_path, text, "characteristics.csv"), PROTECTED)
    assert (info.value.first.row, info.value.first.column) == (row, column)
    assert "characteristics.csv" in str(info.value)


def test_characteristics_file_refuses_bsn_and_personal_data_without_echo(tmp_path: Path) -> None:
    path = write(tmp_path, "case_id,age_band\n111222333,27-44\n", "characteristics.csv")
    with pytest.raises(ContractError) as info:
        read_characteristics(path)
    assert info.value.first.row == 2 and "111222333" not in str(info.value)
    with pytest.raises(ContractError) as info:
        read_characteristics(write(tmp_path, "case_id,naam\nC-1,Jansen\n", "characteristics.csv"))
    assert info.value.first.column == "naam"


@pytest.mark.parametrize(
    ("freq", "step", "refused", "advice"),
    [
        ("D", "7D", True, "--freq W or M"),
        ("W", "MS", True, "--freq M"),
        ("D", "MS", True, "--freq M"),
        ("W", "D", False, ""),
        ("M", "7D", True, "weeks do not add up to months (a week can lie in two months): choose --freq W"),
        ("M", "D", False, ""),
        ("D", "D", False, ""),
        ("W", "7D", False, ""),
    ],
)
def test_a_frequency_finer_than_the_file_is_refused(freq: str, step: str, refused: bool, advice: str) -> None:
    """Weekly dates forecast per day would leave six of seven days missing; coarser is summed where
    periods add up, and weeks do not add up to months (that crashed the run: no observed values)."""
    dates = pd.date_range("2024-01-01", periods=30, freq=step)
    intake = pd.DataFrame({"series_id": "wmo", "date": dates, "value": 5.0})
    if not refused:
        check_spacing(intake, freq, "intake.csv")
        return
    with pytest.raises(ContractError) as info:
        check_spacing(intake, freq, "intake.csv")
    first = info.value.first
    assert (first.file, first.column, first.value) == (
        "intake.csv",
        "date",
        "2024-01-01, " + dates[1].strftime("%Y-%m-%d") + ", " + dates[2].strftime("%Y-%m-%d"),
    )
    assert f"for --freq {freq}" in first.expected or f"one period of --freq {freq} apart" in first.expected
    assert advice in first.expected


def test_dates_with_a_utc_offset_keep_their_local_day(tmp_path: Path) -> None:
    """An export in local time writes +01:00 in winter and +02:00 in summer (and a UTC one Z):
    the column is read, and each row keeps the calendar day as written, not the UTC day before."""
    path = tmp_path / "intake.csv"
    path.write_text(
        "date,wmo\n"
        "2024-03-30T00:00:00+01:00,3\n"
        "2024-03-31T00:00:00+02:00,4\n"  # the day summer time starts
        "2024-04-01T00:00:00Z,5\n"
        "2024-04-02 00:00:00+0200,6\n"
        "2024-04-03,7\n"
    )
    intake = read_intake(path, today=dt.date(2024, 12, 1))
    assert intake["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-30",
        "2024-03-31",
        "2024-04-01",
        "2024-04-02",
        "2024-04-03",
    ]
    assert intake["value"].tolist() == [3.0, 4.0, 5.0, 6.0, 7.0]
    path.write_text("date,wmo\n2024-03-30T00:00:00+01:00,3\n2024-03-31+02:00,4\n")
    with pytest.raises(ContractError) as info:  # an offset without a time of day is not a date
        read_intake(path, today=dt.date(2024, 12, 1))
    assert (info.value.first.row, info.value.first.column) == (3, "date")


@pytest.mark.parametrize(("weeks", "horizon", "refused"), [(130, 131, True), (14, 13, True), (15, 13, False)])
def test_a_horizon_the_history_cannot_backtest_is_refused(weeks: int, horizon: int, refused: bool) -> None:
    dates = pd.date_range("2024-06-03", periods=weeks, freq="7D")
    intake = pd.DataFrame({"series_id": "wmo", "date": dates, "value": 5.0})
    if not refused:
        check_history(intake, "W", horizon, "intake.csv")
        return
    with pytest.raises(ContractError) as info:
        check_history(intake, "W", horizon, "intake.csv")
    first = info.value.first
    assert (first.file, first.column) == ("intake.csv", "date")
    assert first.value == f"{weeks} weeks, 2024-06-03 .. {dates[-1]:%Y-%m-%d}"
    assert f"at least {horizon + 2} weeks of history for --horizon {horizon}" in first.expected
    assert f"choose --horizon {weeks - 2} or less" in first.expected


def test_a_repeated_column_name_is_refused_as_written(tmp_path: Path) -> None:
    """Found from outside: date,team1,team2,team1 was forecast as team1 and 'team1.1' (pandas' name)."""
    path = tmp_path / "intake.csv"
    path.write_text("date,team1,team2, team1\n2024-01-01,1,2,3\n")
    with pytest.raises(ContractError) as info:
        read_intake(path, today=dt.date(2024, 12, 1))
    assert (info.value.first.row, info.value.first.column, info.value.first.expected) == (
        1,
        "team1",
        "unique column names",
    )


def test_empty_rows_at_the_end_of_a_spreadsheet_export_are_not_data(tmp_path: Path) -> None:
    """Found from outside: two rows of ',,,' after the data were refused as empty dates that repeat."""
    path = tmp_path / "intake.csv"
    path.write_text("date,wmo,jeugd\n2024-01-01,1,2\n2024-01-08,,3\n,,\n,,\n")
    intake = read_intake(path, today=dt.date(2024, 12, 1))
    assert len(intake) == 4 and intake["value"].isna().sum() == 1
    path.write_text("date,wmo,jeugd\n2024-01-01,1,2\n,,\n2024-01-15,x,3\n")  # an empty row inside is still refused
    with pytest.raises(ContractError) as info:
        read_intake(path, today=dt.date(2024, 12, 1))
    assert {(p.row, p.column) for p in info.value.problems} >= {(3, "date"), (4, "wmo")}


def test_a_dutch_thousand_is_not_read_as_one(tmp_path: Path) -> None:
    """Found from outside: a count of 1.000 (a thousand, written the Dutch way) was read as 1."""
    path = tmp_path / "intake.csv"
    path.write_text("series_id,date,value\nwmo,2024-01-01,1.000\nwmo,2024-01-08,12.0\nwmo,2024-01-15,7\n")
    with pytest.raises(ContractError) as info:
        read_intake(path, today=dt.date(2024, 12, 1))
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(2, "value", "1.000")]
    assert "'1.000' is 1000 in Dutch and 1 in a CSV file" in info.value.first.expected


def test_a_forecast_whose_bands_are_out_of_order_names_the_column(tmp_path: Path) -> None:
    """Found from outside: hi_80 below the mean was reported as a problem of column 'mean'."""
    from werkwijzer.contracts import read_forecast

    path = tmp_path / "forecast.csv"
    path.write_text(
        "series_id,date,mean,lo_80,hi_80,lo_95,hi_95\n"
        "wmo,2026-11-30,30,25,35,20,40\n"
        "wmo,2026-12-07,30,25,28,20,40\n"  # hi_80 below the mean
        "wmo,2026-12-14,30,25,35,26,40\n"  # lo_95 above lo_80
    )
    with pytest.raises(ContractError) as info:
        read_forecast(path)
    found = {(p.row, p.column, p.value) for p in info.value.problems}
    assert found == {(3, "hi_80", "28"), (4, "lo_80", "25")}
    assert "(hi_80 < mean)" in str(info.value) and "(lo_80 < lo_95)" in str(info.value)


def test_a_series_that_stopped_counting_is_found_and_a_sparse_one_is_not() -> None:
    from werkwijzer.contracts.intake import stopped_counting, stopped_text

    dates = pd.date_range("2025-01-06", periods=60, freq="W-MON")

    def series(sid: str, values: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"series_id": sid, "date": dates, "value": values})

    closed = [5.0] * 45 + [0.0] * 15  # closed 15 weeks ago
    gappy = [5.0] * 30 + [0.0, np.nan] * 14 + [0.0, 0.0]  # 16 zeros among missing weeks: still only 0
    dip = [5.0] * 52 + [0.0] * 8  # 8 weeks of 0, horizon 13: too short to call
    sparse = [0.0, 0.0, 1.0, 0.0] * 12 + [0.0] * 12  # median 0: runs of 0 are what it does
    late = [5.0] * 45 + [np.nan] * 15  # a late delivery, not a stop
    frame = pd.concat(
        [
            series("closed", closed),
            series("gappy", gappy),
            series("dip", dip),
            series("sparse", sparse),
            series("late", late),
        ]
    )
    found = stopped_counting(frame, "W", horizon=13)
    assert found == {"closed": dates[44], "gappy": dates[29]}
    assert stopped_text(found) == [f"closed ({dates[44]:%Y-%m-%d})", f"gappy ({dates[29]:%Y-%m-%d})"]
    assert stopped_counting(frame, "W", horizon=4) == {**found, "dip": dates[51]}  # 8 weeks is enough for 4


def test_the_report_names_a_stopped_team_as_its_reader_knows_it() -> None:
    """The report named a stopped team by its raw id (wmo_meldingen), the sentence before it by label."""
    from functools import partial

    from werkwijzer.contracts.intake import stopped_text
    from werkwijzer.teams import team_label

    stopped = {"wmo_meldingen": "2026-05-04", "eigen_team": pd.Timestamp("2026-06-01")}
    assert stopped_text(stopped, partial(team_label, lang="nl")) == [
        "eigen team (2026-06-01)",
        "Wmo meldingen (2026-05-04)",
    ]
    assert stopped_text(stopped, partial(team_label, lang="en"))[1] == "Social support (Wmo) reports (2026-05-04)"
