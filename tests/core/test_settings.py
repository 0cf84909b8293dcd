from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from werkwijzer.keys import KeyFileError, kept_key, read_kept_key
from werkwijzer.settings import PUBLISHED_SECRET, Settings


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


REAL_SECRET = "k3Jd9-a-real-secret-of-forty-characters-x"


def test_production_refuses_a_missing_or_short_secret() -> None:
    with pytest.raises(ValidationError, match="WERKWIJZER_SECRET_KEY must be set in production"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(environment="production", secret_key="a-real-secret")
    assert Settings(environment="production", secret_key=REAL_SECRET).session_secret == REAL_SECRET


def test_the_published_development_secret_is_refused_everywhere() -> None:
    for environment in ("development", "test", "production"):
        with pytest.raises(ValidationError, match="published in the source"):
            Settings(environment=environment, secret_key=PUBLISHED_SECRET)


def test_without_a_secret_a_random_key_is_kept_in_the_home(tmp_path: Path) -> None:
    key = Settings(home=tmp_path / "ww").session_secret
    kept = tmp_path / "ww" / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(key) >= 32 and key != PUBLISHED_SECRET
    assert kept_key(kept) == key == Settings(home=tmp_path / "ww").session_secret  # reused, not made again
    assert Settings(home=tmp_path / "other").session_secret != key
    assert Settings(home=tmp_path / "ww").audit_signing_key != key.encode()  # a key of its own


def test_processes_starting_together_keep_one_key(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        keys = pool.map(kept_key, [path] * 8)
    assert len(set(keys)) == 1 and keys[0] == read_kept_key(path)
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left behind


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit_key"
    kept_key(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        read_kept_key(path)


def test_a_short_audit_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="WERKWIJZER_AUDIT_KEY"):
        Settings(audit_key="short")


def test_retention_cannot_go_below_six_months() -> None:
    with pytest.raises(ValidationError):
        Settings(retention_days=90)


def test_fairness_band_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        Settings(fairness_ratio_low=1.3, fairness_ratio_high=1.25)
