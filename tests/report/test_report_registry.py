"""Model changes come from the champion history that set_champion leaves on the versions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from explain.report_data import parse_period
from flows.report_registry import finding_from_record, model_changes, model_versions
from werkwijzer.settings import Settings
from werkwijzer.tracking import CHAMPION_UNTIL, champion_version, configure_mlflow, set_champion


def test_two_promotions_give_three_changes_in_the_period_and_none_outside(tmp_path: Path) -> None:
    client = configure_mlflow(Settings(home=tmp_path, environment="test"))
    name = "werkwijzer-triage-effort_class"
    client.create_registered_model(name)
    for _ in range(2):
        client.create_model_version(name, source=str(tmp_path / "model"))
    set_champion(client, name, 1)
    set_champion(client, name, 2, decided_by="modeleigenaar", reason="beter gekalibreerd")
    set_champion(client, name, 2)  # the flow re-pointing at the same version is no change of its own
    assert str(champion_version(client, name).version) == "2"
    assert CHAMPION_UNTIL in client.get_model_version(name, "1").tags
    since = client.get_model_version(name, "2").tags["champion_since"]

    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam"))  # the report counts Dutch days
    changes = model_changes(model_versions(client, name), parse_period(f"{today:%Y-%m}"))
    by_version = changes.groupby("version")["change_nl"].apply(sorted).to_dict()
    assert by_version["1"] == [
        "in gebruik genomen na het doorstaan van alle controles",
        "vervangen door een nieuwe versie",
    ]
    assert by_version["2"] == ["in gebruik genomen door modeleigenaar: beter gekalibreerd"]
    assert changes["change_en"].str.len().gt(0).all()
    set_champion(client, name, 1)  # a roll-back: version 1 is in use again, version 2 is not
    assert CHAMPION_UNTIL not in client.get_model_version(name, "1").tags
    assert client.get_model_version(name, "2").tags["champion_since"] == since
    assert model_changes(model_versions(client, name), parse_period(f"{today.year - 1}")).empty


def test_a_findings_record_becomes_a_finding() -> None:
    record = {
        "metric": "psi",
        "scope": {"model_name": "m", "feature": "open_debts"},
        "value": 0.34,
        "level": "stop",
        "threshold": 0.3,
        "n": 120,
        "message_nl": "Stop: verschoven.",
        "message_en": "Stop.",
    }
    finding = finding_from_record(record)
    assert (finding.level, finding.n, finding.message("nl"), finding.scope["feature"]) == (
        "stop",
        120,
        "Stop: verschoven.",
        "open_debts",
    )
