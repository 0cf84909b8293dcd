"""Every Algoritmeregister entry Werkwijzer writes passes ``AlgorithmIn`` of the official submission API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from explain.governance import load_governance
from explain.register import build_entry, build_forecast_entry, validate_entry
from tests.explain.test_register import card
from werkwijzer.settings import Settings
from werkwijzer.standards import algoritmeregister as standard


def test_the_shipped_definition_is_the_published_one(register_definition: Path) -> None:
    assert standard.DEFINITION.read_bytes() == register_definition.read_bytes()


def test_every_entry_the_project_writes_passes_the_official_schema(
    settings: Settings, tmp_path: Path, register_definition: Path
) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "governance.md").read_text(encoding="utf-8")
    example = tmp_path / "governance.yaml"
    example.write_text(doc.split("```yaml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    governance = load_governance(None, settings).model_dump()
    entries = [
        build_entry(card(settings)),
        build_entry(card(settings, example)),
        build_forecast_entry(governance, ["wmo_meldingen", "jeugdhulp"], "werkwijzer-forecast"),
    ]
    for entry in entries:
        assert standard.problems(entry, register_definition) == []
        assert validate_entry(entry, register_definition) == []
        assert entry["standard_version"] == "1.0"


def test_the_old_standard_version_is_the_violation_it_was(settings: Settings, register_definition: Path) -> None:
    entry = {**build_entry(card(settings)), "standard_version": "1.0.0"}
    assert [str(p) for p in standard.problems(entry, register_definition)] == [
        "'standard_version' (Versie publicatiestandaard): '1.0.0' is not allowed; allowed: 1.0"
    ]


def test_references_into_the_definition_are_followed(register_definition: Path) -> None:
    """Enums and grouping items live behind $refs (v1_0__EnumStatus, v1_0__ObjectLawfulBasisGrouping)."""
    found = {
        p.field: p.message
        for p in standard.problems(
            {
                "status": "Klaar",
                "lawful_basis_grouping": [{"title": "t" * 101}],
                "category": ["Werk", "Sport"],
                "impacttoetsen_grouping": [{"title": "DPIA"}],
            },
            register_definition,
        )
    }
    assert "allowed: In ontwikkeling" in found["status"]
    assert found["lawful_basis_grouping[0].link"] == "is required"
    assert "at most 100" in found["lawful_basis_grouping[0].title"]
    assert "'Sport' is not allowed" in found["category[1]"]
    assert "impacttoetsen_grouping[0].link" not in found  # optional in ObjectImpacttoetsenGrouping
    assert {"name", "organization", "contact_email", "lang", "publication_category"} <= set(found)


def test_limits_come_from_the_definition(register_definition: Path) -> None:
    assert standard.max_length("description_short", definition=register_definition) == 400
    assert standard.max_length("lawful_basis_grouping", "title", definition=register_definition) == 100
    assert standard.max_length("status", definition=register_definition) is None


@pytest.mark.parametrize("version", ["1.0", "1.0.0"])
def test_register_validate_reports_by_field(
    settings: Settings, tmp_path: Path, register_definition: Path, version: str
) -> None:
    path = tmp_path / "algoritmeregister.json"
    path.write_text(json.dumps({**build_entry(card(settings)), "standard_version": version}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["register", "validate", str(path), "--definition", str(register_definition)])
    if version == "1.0":
        assert result.exit_code == 0, result.output
        assert "valid Algoritmeregister entry, standard 1.0" in result.output
    else:
        assert result.exit_code == 1
        assert "'standard_version' (Versie publicatiestandaard): '1.0.0' is not allowed" in result.output
