"""Who ran a training reaches MLflow's "Created by", and every experiment says it is model training (ADR 0020)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from mlflow import MlflowClient

from werkwijzer.settings import Settings
from werkwijzer.tracking import EXPERIMENT_KIND, MODEL_TRAINING, ensure_experiment, run_user


def test_the_named_person_first_then_mlflows_user_then_the_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "mlflow-gebruiker")
    assert run_user(" modeleigenaar-7 ") == "modeleigenaar-7"
    assert run_user() == "mlflow-gebruiker"
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.setattr("getpass.getuser", lambda: "inlognaam")
    assert run_user(None) == run_user("  ") == "inlognaam"


def test_a_bsn_is_never_recorded_as_the_user() -> None:
    with pytest.raises(ValueError, match="BSN"):
        run_user("111222333")


def test_the_command_refuses_a_bsn_as_by(tmp_path: Path) -> None:
    from cli.main import cli

    files = ["--cases", str(tmp_path / "c.csv"), "--registry", str(tmp_path / "r.yaml"), "--out", str(tmp_path)]
    out = CliRunner().invoke(cli, ["triage", "train", *files, "--target", "t", "--by", "111222333"])
    assert out.exit_code == 2 and "--by" in out.output and "never a BSN" in out.output
    assert "111222333" not in out.output.replace("'111222333'", "")


def test_experiments_open_as_model_training_also_an_old_one(settings: Settings, tmp_path: Path) -> None:
    """On the session's store (making a new MLflow database takes seconds); names of this test only."""
    client = MlflowClient(settings.tracking_uri, settings.tracking_uri)
    old = client.create_experiment(f"van-vroeger-{tmp_path.name}", artifact_location=str(tmp_path / "a"))
    assert ensure_experiment(client, f"van-vroeger-{tmp_path.name}", settings) == old
    new = ensure_experiment(client, f"nieuw-{tmp_path.name}", settings)
    for experiment_id in (old, new):
        assert client.get_experiment(experiment_id).tags[EXPERIMENT_KIND] == MODEL_TRAINING
