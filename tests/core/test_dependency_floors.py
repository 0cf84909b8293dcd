"""The dependency floors in pyproject.toml admit no version with a published advisory we know of."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# package: the first version past the advisories (see the comment in pyproject.toml)
FLOORS = {"starlette": "0.49.1", "python-multipart": "0.0.18"}


def _requirements() -> dict[str, Requirement]:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    return {r.name: r for r in map(Requirement, deps)}


@pytest.mark.parametrize(("name", "floor"), FLOORS.items())
def test_the_floor_admits_no_version_before_the_fix(name: str, floor: str) -> None:
    requirement = _requirements()[name]
    fixed = Version(floor)
    older = Version(f"{fixed.major}.{fixed.minor}.{max(fixed.micro - 1, 0)}") if fixed.micro else Version(
        f"{fixed.major}.{fixed.minor - 1}.99")
    assert not requirement.specifier.contains(older), f"{requirement} admits {older}"
    assert requirement.specifier.contains(version(name)), "the installed version must satisfy it"
