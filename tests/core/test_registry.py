from __future__ import annotations

from pathlib import Path

import pytest

from werkwijzer.contracts import ContractError, read_registry

VALID = """\
protected: [sex]
features:
  - name: open_debts
    kind: numeric
    status: approved
    rationale: Needed for debt help.
    label_nl: Aantal schulden
"""


def test_valid_registry(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(VALID)
    registry = read_registry(path)
    assert [f.name for f in registry.approved] == ["open_debts"]
    assert registry.label("open_debts") == "Aantal schulden"
    assert registry.label("open_debts", "en") == "Aantal schulden"  # falls back to Dutch


def test_bad_status_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(VALID.replace("status: approved", "status: ok"))
    with pytest.raises(ContractError) as info:
        read_registry(path)
    p = info.value.first
    assert p.file == "registry.yaml"
    assert p.column == "features.0.status"
    assert p.row == 5  # the line of "status: ok"
    assert p.value == "ok"
    assert "approved" in p.expected


def test_missing_rationale(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(VALID.replace("    rationale: Needed for debt help.\n", ""))
    with pytest.raises(ContractError) as info:
        read_registry(path)
    assert info.value.first.column == "features.0.rationale"
    assert "required" in info.value.first.expected


def test_protected_feature_cannot_be_approved(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(VALID.replace("[sex]", "[open_debts]"))
    with pytest.raises(ContractError, match="protected"):
        read_registry(path)


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text("features: [\n  - name: x\n")
    with pytest.raises(ContractError) as info:
        read_registry(path)
    assert "valid YAML" in str(info.value)


def test_simulated_registry_is_valid(sim_dir: Path) -> None:
    registry = read_registry(sim_dir / "feature_registry.yaml")
    assert set(registry.protected) == {"age_band", "sex", "migration_background"}
    statuses = {f.name: f.status for f in registry.features}
    assert statuses["postcode_district"] == "not_approved"
    assert statuses["household_type"] == "undecided"
    assert all(f.rationale for f in registry.features)
