from __future__ import annotations

from pathlib import Path

import pytest

from werkwijzer.io import atomic_write_text, staged_output


def test_staged_output_moves_files_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_output(out) as stage:
        (stage / "a.csv").write_text("1")
        (stage / "sub").mkdir()
        (stage / "sub" / "b.csv").write_text("2")
    assert (out / "a.csv").read_text() == "1"
    assert (out / "sub" / "b.csv").read_text() == "2"
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_staged_output_leaves_nothing_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old")
    with pytest.raises(ValueError), staged_output(out) as stage:
        (stage / "a.csv").write_text("new")
        raise ValueError("boom")
    assert (out / "a.csv").read_text() == "old"
    assert [p.name for p in out.iterdir()] == ["a.csv"]


def test_atomic_write_text(tmp_path: Path) -> None:
    path = atomic_write_text(tmp_path / "x" / "report.md", "hallo")
    assert path.read_text() == "hallo"
    assert [p.name for p in path.parent.iterdir()] == ["report.md"]
