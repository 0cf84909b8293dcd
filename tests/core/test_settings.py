from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from werkwijzer.settings import Settings


def test_embedded_defaults_live_under_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "ww")
    assert settings.tracking_uri == f"sqlite:///{tmp_path / 'ww' / 'mlflow.db'}"
    assert settings.database == f"sqlite:///{tmp_path / 'ww' / 'werkwijzer.db'}"
    assert settings.artifact_root.startswith("file://")
    assert settings.data_dir.is_dir()


def test_environment_variables_point_at_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WERKWIJZER_MLFLOW_TRACKING_URI", "http://mlflow.internal:5000")
    monkeypatch.setenv("WERKWIJZER_DATABASE_URL", "postgresql+psycopg://u@db/werkwijzer")
    settings = Settings()
    assert settings.tracking_uri == "http://mlflow.internal:5000"
    assert settings.database == "postgresql+psycopg://u@db/werkwijzer"


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="a-real-secret").environment == "production"


def test_retention_cannot_go_below_six_months() -> None:
    with pytest.raises(ValidationError):
        Settings(retention_days=90)


def test_fairness_band_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        Settings(fairness_ratio_low=1.3, fairness_ratio_high=1.25)
