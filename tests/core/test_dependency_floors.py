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
    older = (
        Version(f"{fixed.major}.{fixed.minor}.{max(fixed.micro - 1, 0)}")
        if fixed.micro
        else Version(f"{fixed.major}.{fixed.minor - 1}.99")
    )
    assert not requirement.specifier.contains(older), f"{requirement} admits {older}"
    assert requirement.specifier.contains(version(name)), "the installed version must satisfy it"


LOCK = PYPROJECT.parent / "requirements.lock"


def _pins() -> dict[str, str]:
    lines = [line.split("#", 1)[0].strip() for line in LOCK.read_text(encoding="utf-8").splitlines()]
    pins = [Requirement(line) for line in lines if line]
    assert all(len(p.specifier) == 1 and next(iter(p.specifier)).operator == "==" for p in pins), "only == pins"
    return {p.name.lower().replace("_", "-"): next(iter(p.specifier)).version for p in pins}


def test_the_lock_file_pins_every_dependency_within_its_range() -> None:
    """CI installs the tested set (``pip install -c requirements.lock '.[test]'``): each direct
    dependency, test extras included, has a pin there, and the pin is inside pyproject's range."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(d) for d in project["dependencies"] + project["optional-dependencies"]["test"]]
    pins = _pins()
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} vs {requirement}"
    for name, floor in FLOORS.items():
        assert Version(pins[name]) >= Version(floor), f"the lock pins {name} below its advisory fix"
