"""`werkwijzer demo`, the README's main command, end to end on a small municipality (the server it
starts at the end is replaced by a recorder: the test checks what would be served, and how)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli.main import cli

pytestmark = pytest.mark.slow


def test_demo_trains_everything_and_prints_one_token_per_role(tmp_path, monkeypatch, prefect_harness) -> None:
    monkeypatch.setenv("WERKWIJZER_HOME", str(tmp_path / "home"))
    from werkwijzer.settings import get_settings

    get_settings.cache_clear()
    from cli import service

    served: list[tuple] = []
    monkeypatch.setattr(service, "run_api", lambda *args, **kwargs: served.append((args, kwargs)))
    try:
        result = CliRunner().invoke(cli, ["demo", "--inhabitants", "20000", "--years", "2"])
        settings = get_settings()
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output + repr(result.exception)
    out = result.output
    assert re.search(r"werkwijzer-forecast version \d+: candidate", out)
    # ADR 0019: nothing is served before a person approves it; the demo's named model owner does, and says so
    said = r"^\s+(\S+) version (\d+) approved by demo-model_owner \(the demo's model owner\)$"
    approved = re.findall(said, out, re.MULTILINE)
    assert {name for name, _ in approved} == {
        "werkwijzer-forecast",
        "werkwijzer-triage-effort_class",
        "werkwijzer-triage-integrated_approach",
    }, out
    assert re.search(r"^  backtest: (\d+) of \1$", out, re.MULTILINE), out  # the bars, as plain lines off a terminal
    assert "werkwijzer-triage-effort_class version" in out
    for role in ("caseworker", "team_lead", "model_owner", "auditor", "admin"):
        assert re.search(rf"^\s+{role}\s+\S{{20,}}$", out, re.MULTILINE), role
    assert "mlflow ui --backend-store-uri" in out and "/docs" in out
    assert "12 cases wait for a caseworker's decision" in out
    assert "the demo caseworker and team lead work for every team" in out
    assert "Pages:      http://127.0.0.1:8000/" in out
    assert served == [(("127.0.0.1", 8000), {})]  # through serve's runner: no access log (ADR 0009)

    from werkwijzer.tracking import champion_version, configure_mlflow

    client = configure_mlflow(settings)
    assert champion_version(client, "werkwijzer-forecast") is not None
    effort = champion_version(client, "werkwijzer-triage-effort_class")
    assert effort is not None and effort.tags.get("gate.fairness", "").startswith("passed")
    assert effort.tags["approval.by"] == effort.tags["champion_by"] == "demo-model_owner"
    assert effort.tags["approval.decision"] == "approved" and effort.tags["approval.reason"]
    from casework import audit
    from casework.db import store_session

    with store_session(settings.database) as session:
        entries = [e for e in audit.page(session, 0, 1000)["events"] if e["kind"] == "model.approved"]
    assert {(e["subject"], e["payload"]["by"], e["payload"]["via"]) for e in entries} == {
        (name, "demo-model_owner", "demo") for name, _ in approved
    }
    versions = client.search_model_versions("name='werkwijzer-triage-effort_class'")
    refused = [v for v in versions if v.tags.get("gate.fairness", "").startswith("failed")]
    assert refused, "the biased historical label must be refused by the fairness gate"
