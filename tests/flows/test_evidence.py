"""``werkwijzer evidence``: a schema-valid system card for each demo model, kept with its run, every answer
citing a source a reviewer can open, and questions open where the evidence is missing."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from casework.config import FORECAST, TRIAGE_EFFORT, TRIAGE_INTEGRATED
from cli.main import cli
from explain.evidence import AUDIT, DECISIONS, MONITORING
from explain.systemcard_schema import card_problems
from flows.evidence import EvidenceError, gather, target, write_systemcard
from tests.api.toymodels import register_toy_models
from werkwijzer.settings import Settings
from werkwijzer.standards.task_registry import RegistryError, load_registry, registry_path
from werkwijzer.tracking import configure_mlflow

ROOT = Path(__file__).resolve().parents[2]
MODELS = (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST)


@pytest.fixture(scope="module")
def toy_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The three demo models as the API tests register them (toy runs: few facts, no store, no monitoring)."""
    settings = Settings(home=tmp_path_factory.mktemp("evidence-home"), environment="test", seed=7)
    register_toy_models(settings)
    return settings


def answered(card: dict) -> list[dict]:
    return [
        e
        for e in [*card["requirements"], *(c for a in card["assessments"] for c in a["contents"])]
        if e["state"] == "evidenced"
    ]


def assert_opens(source: dict, client: object, settings: Settings) -> None:
    """A reviewer can open ``source``: the run, artifact, setting or test it names exists."""
    kind, ref = source["kind"], source["ref"]
    if kind == "mlflow-artifact":
        run_id, _, path = ref.removeprefix("runs:/").partition("/")
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        listed = {a.path for a in client.list_artifacts(run_id, parent)}  # type: ignore[attr-defined]
        assert path in listed or any(p.startswith(path + "/") for p in listed), ref
    elif kind == "mlflow-run":
        if ref.startswith("run "):
            assert client.get_run(ref.split()[1]).info.run_id == ref.split()[1]  # type: ignore[attr-defined]
        else:
            name, _, version = ref.partition(" version ")
            assert client.get_model_version(name, version)  # type: ignore[attr-defined]
    elif kind == "setting":
        name, _, value = ref.partition("=")
        field = name.removeprefix("WERKWIJZER_").lower()
        assert str(getattr(settings, field)) == value or f"{getattr(settings, field):g}" == value, ref
    elif kind == "test":
        path, _, name = ref.partition("::")
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        assert name in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, ref
    else:
        assert kind in ("audit-trail", "monitoring-run"), kind


@pytest.mark.parametrize("name", MODELS)
def test_each_demo_model_gets_a_schema_valid_card_kept_with_its_run(
    toy_settings: Settings, name: str, tmp_path: Path
) -> None:
    written = write_systemcard(toy_settings, name, tmp_path)
    card = json.loads(written["json"].read_text(encoding="utf-8"))
    assert card_problems(card, load_registry(registry_path(toy_settings))) == []
    assert written["pdf"].read_bytes()[:5] == b"%PDF-" and "Systeemkaart" in written["html"].read_text("utf-8")
    client = configure_mlflow(toy_settings)
    run_id = target(client, name).run_id
    kept = {a.path for a in client.list_artifacts(run_id, "systemcard")}
    assert kept == {f"systemcard/systemcard.{k}" for k in ("json", "html", "pdf")}
    assert card["labels"][1] == {"name": "run_id", "value": run_id}
    for entry in answered(card):
        assert entry["evidence"], entry["urn"]
        for source in entry["evidence"]:
            assert_opens(source, client, toy_settings)


def test_missing_store_and_monitoring_leave_their_questions_open_and_say_why(toy_settings: Settings) -> None:
    client = configure_mlflow(toy_settings)
    evidence = gather(toy_settings, client, target(client, TRIAGE_EFFORT), dt.datetime.now(dt.UTC))
    assert not evidence.has(AUDIT) and "no tables yet" in evidence.missing[DECISIONS]
    assert "nog geen monitoring" in evidence.missing[MONITORING]


def test_the_command_writes_the_card_and_refuses_an_unknown_model(
    toy_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WERKWIJZER_HOME", str(toy_settings.home))
    monkeypatch.setenv("WERKWIJZER_ENVIRONMENT", "test")
    from werkwijzer.settings import get_settings

    get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(cli, ["evidence", "--model", FORECAST, "--out", str(tmp_path / "card"), "--no-log"])
        assert ok.exit_code == 0, ok.output
        assert "requirements:" in ok.output and (tmp_path / "card" / "systemcard.pdf").is_file()
        bad = runner.invoke(cli, ["evidence", "--model", "werkwijzer-unknown", "--out", str(tmp_path / "x")])
        assert bad.exit_code == 1 and "no registered version of 'werkwijzer-unknown'" in bad.output
        assert not (tmp_path / "x" / "systemcard.json").exists()
    finally:
        get_settings.cache_clear()


def test_a_registry_path_that_does_not_exist_stops_the_card(toy_settings: Settings, tmp_path: Path) -> None:
    settings = toy_settings.model_copy(update={"task_registry_path": tmp_path / "absent"})
    with pytest.raises(RegistryError, match="absent: the task registry folder does not exist"):
        write_systemcard(settings, FORECAST, tmp_path / "out")
    with pytest.raises(EvidenceError, match="no registered version"):
        write_systemcard(toy_settings, "werkwijzer-unknown", tmp_path / "out")
    assert not (tmp_path / "out" / "systemcard.json").exists()
