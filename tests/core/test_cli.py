from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli, main
from werkwijzer.simulation import FILES


def test_simulate_writes_every_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "simulate",
            "--out",
            str(tmp_path),
            "--inhabitants",
            "20000",
            "--years",
            "1",
            "--seed",
            "5",
            "--end",
            "2026-11-22",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    assert "wrote" in result.output


def test_validate_ok_prints_summary(sim_dir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            str(sim_dir / "cases.csv"),
            "--kind",
            "cases",
            "--registry",
            str(sim_dir / "feature_registry.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cases OK" in result.output


@pytest.mark.parametrize("kind", ["intake", "staffing", "norms"])
def test_validate_every_kind(sim_dir: Path, kind: str) -> None:
    name = {"intake": "intake_weekly.csv", "staffing": "staffing.csv", "norms": "norms.csv"}[kind]
    result = CliRunner().invoke(cli, ["validate", str(sim_dir / name), "--kind", kind])
    assert result.exit_code == 0, result.output


def test_validate_bad_file_exits_2_with_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "intake.csv"
    path.write_text("series_id,date,value\nwmo,2024-01-01,-4\n")
    with pytest.raises(SystemExit) as info:
        main(["validate", str(path), "--kind", "intake"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "intake.csv, row 2, column 'value'" in err
    assert "Traceback" not in err


def test_validate_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "x.csv"), "--kind", "foo"])
    assert result.exit_code == 2
    assert "intake" in result.output


def test_refused_settings_end_with_a_plain_reason_and_no_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from werkwijzer.settings import get_settings

    monkeypatch.setenv("WERKWIJZER_HOME", str(tmp_path))
    monkeypatch.setenv("WERKWIJZER_ENVIRONMENT", "production")
    monkeypatch.setenv("WERKWIJZER_SECRET_KEY", "too-short-but-secret")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_:
            main(["serve"])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "WERKWIJZER_SECRET_KEY must be set in production" in err
    assert "too-short-but-secret" not in err and "Traceback" not in err


def test_simulate_usage_refuses_an_outcome_drift_group_without_a_group() -> None:
    """``--outcome-drift-group`` is CHARACTERISTIC=GROUP, checked before anything is sent (issue 17 part 2)."""
    result = CliRunner().invoke(cli, ["simulate-usage", "--weeks", "1", "--outcome-drift-group", "sexvrouw"])
    assert result.exit_code == 2 and "CHARACTERISTIC=GROUP" in result.output
    helped = CliRunner().invoke(cli, ["simulate-usage", "--help"])
    assert "--outcome-drift" in helped.output and "--no-outcomes" in helped.output


@pytest.mark.parametrize("kind", ["intake", "staffing", "norms", "cases"])
def test_every_kind_saved_by_a_dutch_excel_validates_and_reads_the_same(
    sim_dir: Path, tmp_path: Path, kind: str
) -> None:
    """The simulated municipality's files as Excel on a Dutch Windows saves them ("CSV"):
    semicolons, decimal commas, Windows-1252 (ADR 0037). They were refused; now they read the same."""
    import pandas as pd

    from werkwijzer.contracts import read_cases, read_intake, read_norms, read_registry, read_staffing

    name = {"intake": "intake_weekly.csv", "staffing": "staffing.csv", "norms": "norms.csv", "cases": "cases.csv"}[kind]
    dutch = tmp_path / name
    pd.read_csv(sim_dir / name, dtype=str, keep_default_na=False).map(
        lambda v: v.replace(".", ",") if v.replace(".", "", 1).lstrip("-").isdigit() and "." in v else v
    ).to_csv(dutch, sep=";", index=False, encoding="cp1252")
    assert ";" in dutch.read_text(encoding="cp1252").splitlines()[0]
    registry = ["--registry", str(sim_dir / "feature_registry.yaml")] if kind == "cases" else []
    result = CliRunner().invoke(cli, ["validate", str(dutch), "--kind", kind, *registry])
    assert result.exit_code == 0, result.output
    if kind == "cases":
        reg = read_registry(sim_dir / "feature_registry.yaml")
        pd.testing.assert_frame_equal(read_cases(dutch, reg), read_cases(sim_dir / name, reg))
    else:
        read = {"intake": read_intake, "staffing": read_staffing, "norms": read_norms}[kind]
        pd.testing.assert_frame_equal(read(dutch), read(sim_dir / name))
