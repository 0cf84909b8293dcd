"""The official definitions, read from ``../shared/standards/`` at test time (never a copy of their rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards"
REGISTER_FILE = STANDARDS / "algoritmeregister-aanleverapi-v1_0.openapi.json"
ZAKEN_FILE = STANDARDS / "zgw-zaken-api-1.5.1.openapi.yaml"


def _official(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"the official definition {path.name} is not at {path.parent} (see ../shared/standards/README.md)")
    return path


@pytest.fixture(scope="session")
def register_definition() -> Path:
    return _official(REGISTER_FILE)


@pytest.fixture(scope="session")
def zaken_definition() -> Path:
    return _official(ZAKEN_FILE)
