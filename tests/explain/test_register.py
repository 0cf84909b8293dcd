from __future__ import annotations

import json
from pathlib import Path

import pytest

from explain.governance import load_governance
from explain.model_card import build_card, render_markdown
from explain.register import (
    RegisterError,
    build_entry,
    build_forecast_entry,
    check_entry,
    validate_entry,
    validate_file,
)
from werkwijzer.contracts import ContractError
from werkwijzer.settings import Settings


def card(settings: Settings, governance_path: Path | None = None) -> dict:
    governance = load_governance(governance_path, settings)
    return build_card(
        model_name="werkwijzer-triage-integrated_approach",
        target="integrated_approach",
        target_label_nl="Integrale aanpak nodig",
        target_label_en="Integrated approach needed",
        classes=["false", "true"],
        positive="true",
        model={"model_type": "glassbox", "description_nl": "Logistische regressie.", "validation_auc": {}},
        features=[
            {
                "name": "open_debts",
                "kind": "numeric",
                "label_nl": "Aantal openstaande schulden",
                "label_en": "Number of open debts",
            }
        ],
        excluded=[{"feature": "postcode_district", "reason": "on the deny-list"}],
        metrics={"roc_auc": 0.74, "baseline_roc_auc": 0.5, "brier": 0.1, "baseline_brier": 0.12},
        metrics_by_group=[],
        fairness={"priority": ["fpr", "fnr"], "gate": {"passed": True, "reason": "ok"}, "label_findings": []},
        governance=governance,
        data={"n_train": 100, "n_test": 30, "fingerprint": "abc" * 10},
        label={"source": "historical", "description_nl": "vastgelegd"},
    )


def test_without_governance_defaults_fill_a_valid_entry_and_are_listed(settings: Settings) -> None:
    c = card(settings)
    entry = build_entry(c)
    assert validate_entry(entry) == []
    assert entry["organization"] == settings.organization
    assert entry["publication_category"] == "Hoog-risico AI-systeem"
    assert entry["standard_version"] == "1.0" and entry["lang"] == "nld"
    assert {"organization", "lawful_basis", "dpia_link", "iama_link"} <= set(c["defaults_to_replace"])
    md = render_markdown(c)
    assert "defaults to replace" in md and "lawful_basis" in md
    assert "fraude" in md and "hoog risico" in md


def test_governance_yaml_replaces_defaults(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "governance.yaml"
    path.write_text(
        "organization: Gemeente Testdam\ncontact_email: algoritmes@testdam.nl\n"
        "lawful_basis: Participatiewet art. 7\nbegin_date: 2026-12\n",
        encoding="utf-8",
    )
    c = card(settings, path)
    assert "organization" not in c["defaults_to_replace"] and "lawful_basis" not in c["defaults_to_replace"]
    entry = build_entry(c)
    assert entry["organization"] == "Gemeente Testdam" and entry["begin_date"] == "2026-12"


def test_governance_with_an_unknown_key_is_a_contract_error(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "governance.yaml"
    path.write_text("organisation: typo\n", encoding="utf-8")
    with pytest.raises(ContractError, match="organisation"):
        load_governance(path, settings)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "'name' (Naam): must be of type string"),
        ({"name": "x" * 101}, "'name' (Naam): has 101 characters without HTML; at most 100"),
        ({"description_short": "y" * 401}, "at most 400"),
        ({"status": "Actief"}, "allowed: In ontwikkeling, In gebruik, Buiten gebruik"),
        ({"publication_category": "Laag"}, "'publication_category' (Publicatiecategorie)"),
        ({"lang": "eng"}, "allowed: nld"),
        ({"begin_date": "2026-13"}, "expected yyyy-mm"),
        ({"category": ["Verkeer", "Vrije tijd"]}, "'category[1]' (Thema): 'Vrije tijd' is not allowed"),
        ({"contact_email": "not-an-email"}, "not an e-mail address"),
        ({"lawful_basis_grouping": [{"title": "t" * 101, "link": "x"}]}, "'lawful_basis_grouping[0].title'"),
        (
            {"lawful_basis_grouping": [{"title": "t"}]},
            "'lawful_basis_grouping[0].link' (Verwijzingen wettelijke basis): is required",
        ),
        ({"methods_and_models": "m" * 5001}, "at most 5000"),
        ({"goal": "<script>x</script>"}, "'goal' (Doel en impact): uses HTML tags script"),
        ({"unknown": 1}, "'unknown': unknown field"),
        (
            {"standard_version": "1.0.0"},
            "'standard_version' (Versie publicatiestandaard): '1.0.0' is not allowed; allowed: 1.0",
        ),
    ],
)
def test_validation_names_each_problem(settings: Settings, change: dict, message: str) -> None:
    entry = {**build_entry(card(settings)), **change}
    problems = validate_entry(entry)
    assert any(message in p for p in problems), problems
    with pytest.raises(RegisterError, match=r"not a valid Algoritmeregister 1\.0 entry"):
        check_entry(entry)


def test_validate_file_reads_json_and_reports_bad_json(settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "entry.json"
    good.write_text(json.dumps(build_entry(card(settings))), encoding="utf-8")
    assert validate_file(good)["name"].startswith("Werkwijzer")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"(?s)bad\.json.*cannot read it as JSON"):
        validate_file(bad)


def test_the_documented_example_governance_yaml_is_valid(settings: Settings, tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "governance.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "governance.yaml"
    path.write_text(example, encoding="utf-8")
    c = card(settings, path)
    assert not {"organization", "lawful_basis", "dpia_link", "iama_link", "owner"} & set(c["defaults_to_replace"])
    assert validate_entry(build_entry(c)) == []


def test_the_forecast_entry_is_valid_and_not_high_risk(settings: Settings) -> None:
    governance = load_governance(None, settings).model_dump()
    entry = build_forecast_entry(governance, ["wmo_meldingen", "jeugdhulp"], "werkwijzer-forecast")
    assert validate_entry(entry) == []
    assert entry["publication_category"] == "Overige algoritmes"  # item 21: capacity forecasting is not high-risk
    assert entry["organization"] == governance["organization"] and "Wmo meldingen" in entry["goal"]
