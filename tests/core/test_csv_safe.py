"""Every CSV the project writes is safe to open in a spreadsheet (``werkwijzer.io.write_csv``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from werkwijzer.io import csv_text, safe_cell, write_csv


def test_text_a_spreadsheet_would_run_gets_an_apostrophe_numbers_do_not() -> None:
    for value in ("=1+1", "+cmd", "-x", "@SUM(A1)", "\tcmd", "\rcmd", "-2+3"):
        assert safe_cell(value) == "'" + value
    for value in ("-2.5", "+10", "1e-3", "wmo", "", -3, 2.5, None):
        assert safe_cell(value) == value


def test_cells_and_column_names_are_neutralised_and_numbers_kept(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "group": ["=cmd()", "gewoon"],
            "=naam": ["a", "b"],
            "delta": [-1.5, 2.0],
            "team": pd.Series(["@x", "y"], dtype="category"),
        }
    )
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back.columns) == ["group", "'=naam", "delta", "team"]
    assert back["group"].tolist() == ["'=cmd()", "gewoon"] and back["delta"].tolist() == [-1.5, 2.0]
    assert back["team"].tolist() == ["'@x", "y"]
    assert csv_text(frame.iloc[:, :1]) == "group\n'=cmd()\ngewoon\n"
    assert frame["group"].tolist() == ["=cmd()", "gewoon"]  # the caller's frame is left as it was


def test_every_row_of_a_repeated_formula_is_neutralised_and_other_cells_kept() -> None:
    """Only cells that start like a formula are looked at; each of them, however often it repeats."""
    frame = pd.DataFrame(
        {"team": pd.Series(["=x", "wmo", "=x", None, "-2.5", "=x"], dtype=object), "n": [1, 2, 3, 4, 5, 6]}
    )
    assert csv_text(frame) == "team,n\n'=x,1\nwmo,2\n'=x,3\n,4\n-2.5,5\n'=x,6\n"
    mixed = pd.DataFrame({"value": pd.Series([-3, "=a", 2.5, True, "@b"], dtype=object)})
    assert csv_text(mixed) == "value\n-3\n'=a\n2.5\nTrue\n'@b\n"
