"""The system card from plain evidence: applicability from the facts, answers only from evidence that
exists, open questions for a named role otherwise, and a card that keeps to the registry's schemas."""

from __future__ import annotations

import ast
import filecmp
import shutil
from pathlib import Path

import pytest
import yaml

from explain import evidence as ek
from explain.evidence import Evidence, Fact, Source
from explain.systemcard import EVIDENCED, NOT_APPLICABLE, OPEN, applicability, build_card, facts_for
from explain.systemcard_render import systemcard_document
from explain.systemcard_rules import INSTRUMENT_QUESTIONS, REQUIREMENTS
from explain.systemcard_schema import card_problems
from werkwijzer.standards.task_registry import SHARED, VENDORED, RegistryError, TaskRegistry, load_registry

ROOT = Path(__file__).resolve().parents[2]
TRIAGE, FORECAST = "werkwijzer-triage-effort_class", "werkwijzer-forecast"
NOW = "2026-12-01T12:00:00+00:00"


@pytest.fixture(scope="module")
def registry() -> TaskRegistry:
    return load_registry(VENDORED)


def full_evidence(model_name: str = TRIAGE, **changes: dict) -> Evidence:
    """Every fact present and sound, as a trained, used and monitored model leaves them."""
    values = {
        ek.RUN: {
            "run_id": "r1",
            "version": "2",
            "code_version": "abc123",
            "data_fingerprint": "f" * 64,
            "seed": "7",
            "model_type": "ebm",
            "label_source": "hours",
            "dependencies": {"mlflow": "3.17.0"},
        },
        ek.FEATURES: {"names": ["team", "open_debts"]},
        ek.METRICS: {"roc_auc": 0.8, "n_train": 800.0, "n_test": 200.0},
        ek.GATES: {
            "performance": "passed",
            "proxy": "passed",
            "fairness": "passed",
            "registry": "passed",
            "shap_additivity": "passed",
        },
        ek.FAIRNESS: {
            "passed": True,
            "reason": "no significant ratio",
            "justified": False,
            "priority": ["fpr", "fnr", "fdr"],
        },
        ek.MODEL_CARD: {
            "intended_use_nl": "Advies bij een nieuwe zaak.",
            "dpia_link": "https://x.nl/dpia",
            "iama_link": "https://x.nl/iama",
            "risk_class": "hoog risico",
        },
        ek.REGISTER: {"publication_category": "Hoog-risico AI-systeem", "status": "In ontwikkeling"},
        ek.JUSTIFICATION: {"files": ["justification/j.yaml"]},
        ek.AUDIT: {"valid": True, "entries": 40, "first_seq": 1, "last_seq": 40, "broken_at": None, "problem": None},
        ek.DECISIONS: {"decisions": 30, "advised": 28, "deviated": 5, "first": "2026-10-01", "last": "2026-11-30"},
        ek.RETENTION: {"days": 400},
        ek.CONTROL_SHARE: {"share": 0.05},
        ek.SWITCHES: {"changes": 2, "offs": 1, "last": "2026-11-20"},
        ek.MONITORING: {
            "run_id": "m1",
            "period_start": "2026-11-01",
            "period_end": "2026-11-29",
            "findings": 1,
            "levels": "1/0/0",
            "stopped": [],
        },
    }
    for key, change in changes.items():
        values[key] = {**values[key], **change}
    facts = {key: Fact(value, Source("mlflow-run", f"ref-{key}")) for key, value in values.items()}
    return Evidence(model_name=model_name, facts=facts, code_version="abc123")


def without(evidence: Evidence, key: str) -> Evidence:
    facts = {k: v for k, v in evidence.facts.items() if k != key}
    return Evidence(evidence.model_name, facts, {key: f"no {key} in this test"}, evidence.code_version)


def card_of(registry: TaskRegistry, evidence: Evidence) -> dict:
    return build_card(
        registry=registry,
        evidence=evidence,
        facts=facts_for(evidence.model_name),
        description="test",
        version="2",
        run_id="r1",
        timestamp=NOW,
    )


def entries(card: dict) -> dict[str, dict]:
    found = {e["urn"].removeprefix("urn:nl:ak:ver:"): e for e in card["requirements"]}
    found.update({c["urn"].removeprefix("urn:nl:aivt:tr:"): c for a in card["assessments"] for c in a["contents"]})
    return found


def test_every_cited_test_exists_in_this_repository() -> None:
    for behaviour, node in ek.TESTS.items():
        path, _, name = node.partition("::")
        file = ROOT / path
        assert file.is_file(), f"{behaviour}: {path} does not exist"
        defined = {
            n.name for n in ast.walk(ast.parse(file.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)
        }
        assert name in defined, f"{behaviour}: {node} is not a test in {path}"


def test_every_rule_names_known_evidence_tests_and_registry_entries(registry: TaskRegistry) -> None:
    urns = {r.urn.removeprefix("urn:nl:ak:ver:") for r in registry.requirements}
    tasks = {t.urn.removeprefix("urn:nl:aivt:tr:") for i in registry.instruments for t in i.tasks}
    assert set(REQUIREMENTS) <= urns and set(INSTRUMENT_QUESTIONS) <= tasks
    for rule in [*REQUIREMENTS.values(), *INSTRUMENT_QUESTIONS.values()]:
        assert set(rule.needs) | set(rule.cites) <= set(ek.KEYS) and set(rule.tests) <= set(ek.TESTS)
        assert rule.needs, "a cited test is never the only evidence of an answer"


def test_the_packaged_registry_is_the_shared_one_unchanged() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/standards/task-registry is absent here")
    for folder in ("requirements", "instruments", "schemas"):
        compared = filecmp.dircmp(SHARED / folder, VENDORED / folder)
        assert not (compared.left_only or compared.right_only or compared.diff_files), folder
        assert all(
            filecmp.cmp(SHARED / folder / f, VENDORED / folder / f, shallow=False) for f in compared.common_files
        )
    assert filecmp.cmp(SHARED / "LICENSE", VENDORED / "LICENSE", shallow=False)


def test_an_absent_or_broken_registry_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(tmp_path / "nowhere")
    copy = tmp_path / "registry"
    shutil.copytree(VENDORED, copy)
    broken = copy / "requirements" / "aia-09-menselijk-toezicht.yaml"
    data = yaml.safe_load(broken.read_text(encoding="utf-8"))
    data["urn"] = "not-an-urn"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"aia-09-menselijk-toezicht\.yaml: field urn: 'not-an-urn' does not match"):
        load_registry(copy)
    broken.write_text("urn: [unclosed", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"aia-09-menselijk-toezicht\.yaml: not a readable YAML"):
        load_registry(copy)


def test_applicability_follows_the_facts_and_says_why(registry: TaskRegistry) -> None:
    by_key = {r.urn.rsplit(":", 1)[-1]: r for r in registry.requirements}
    triage, forecast = facts_for(TRIAGE), facts_for(FORECAST)
    assert applicability(by_key["aia-09"], triage)[0]  # human oversight of high-risk AI
    applies, why = applicability(by_key["aia-09"], forecast)
    assert not applies and "hoog-risico AI" in why and "geen hoog-risico AI" in why
    assert applicability(by_key["aia-02"], forecast)[0] and not applicability(by_key["aia-02"], triage)[0]
    assert not applicability(by_key["aia-00"], triage)[0]  # prohibited AI: not this system
    assert all(
        applicability(by_key["avg-10"], f) == (True, applicability(by_key["avg-10"], f)[1]) for f in (triage, forecast)
    )
    assert "bijlage III" in triage.reasons["risk_group"] and not triage.automated_decision


def test_full_evidence_answers_with_sources_and_the_card_is_schema_valid(registry: TaskRegistry) -> None:
    card = card_of(registry, full_evidence())
    assert card_problems(card, registry) == []
    assert card["status"] == "In ontwikkeling", "the status the register entry of the run states"
    found = entries(card)
    for key in [*REQUIREMENTS, *INSTRUMENT_QUESTIONS]:
        if key in found and found[key]["state"] != NOT_APPLICABLE:
            assert found[key]["state"] == EVIDENCED, (key, found[key]["remarks"])
    oversight = found["aia-09"]
    refs = [s["ref"] for s in oversight["evidence"]]
    assert "ref-decisions" in refs and ek.TESTS["human_decides"] in refs
    assert "30 beslissingen" in oversight["answer"] and "bij 18\u00a0% van de adviezen week" in oversight["answer"]
    assert any(s["ref"] == "ref-justification" for s in found["grw-02"]["evidence"]), "the justification is cited"
    for entry in found.values():
        if entry["state"] == EVIDENCED:
            assert entry["answer"] and entry["evidence"] and entry["authors"]
        if entry["state"] == OPEN:
            assert entry["open_for"]["label_nl"] and not entry["answer"]


@pytest.mark.parametrize("key", [k for k in ek.KEYS if k != ek.JUSTIFICATION])
def test_without_a_fact_every_question_that_needs_it_is_open(registry: TaskRegistry, key: str) -> None:
    found = entries(card_of(registry, without(full_evidence(), key)))
    needing = [q for q, rule in [*REQUIREMENTS.items(), *INSTRUMENT_QUESTIONS.items()] if key in rule.needs]
    assert needing, f"no rule uses {key}"
    for question in needing:
        entry = found.get(question)
        if entry is None or entry["state"] == NOT_APPLICABLE:
            continue
        assert entry["state"] == OPEN and f"no {key} in this test" in entry["remarks"], question
        assert entry["open_for"]["role"]


def test_no_evidence_at_all_answers_nothing_and_names_who_answers(registry: TaskRegistry) -> None:
    card = card_of(registry, Evidence(model_name=TRIAGE))
    assert card_problems(card, registry) == []
    assert card["summary"]["requirements"]["evidenced"] == 0 and card["summary"]["questions"]["evidenced"] == 0
    roles = {e["open_for"]["label_nl"] for e in card["requirements"] if e["state"] == OPEN}
    assert {"modeleigenaar", "privacy officer (FG)", "CISO (informatiebeveiliging)", "jurist"} <= roles


@pytest.mark.parametrize(
    ("changes", "question", "finding"),
    [
        ({ek.AUDIT: {"valid": False, "broken_at": 12, "problem": "the link does not match"}}, "aia-07", "regel 12"),
        ({ek.DECISIONS: {"decisions": 0, "advised": 0}}, "aia-09", "nog geen beslissing"),
        ({ek.CONTROL_SHARE: {"share": 0.0}}, "aia-09", "geen controlegroep"),
        ({ek.FAIRNESS: {"passed": False, "reason": "fpr ratio 2.1"}}, "grw-02", "fpr ratio 2.1"),
        ({ek.MONITORING: {"stopped": [TRIAGE]}}, "aia-22", "uitgezet"),
        ({ek.GATES: {"proxy": "failed: strong proxy"}}, "avg-03", "strong proxy"),
        ({ek.MODEL_CARD: {"dpia_link": "TE VERVANGEN: link naar de DPIA"}}, "avg-13", "standaardtekst"),
    ],
)
def test_evidence_that_shows_a_gap_leaves_the_question_open_with_the_finding(
    registry: TaskRegistry, changes: dict, question: str, finding: str
) -> None:
    entry = entries(card_of(registry, full_evidence(**changes)))[question]
    assert entry["state"] == OPEN and finding in entry["remarks"] and entry["evidence"]


def test_the_schema_refuses_an_answer_without_evidence_and_unknown_values(registry: TaskRegistry) -> None:
    card = card_of(registry, full_evidence())
    answered = next(e for e in card["requirements"] if e["state"] == EVIDENCED)
    answered["evidence"] = []
    card["ai_act_profile"]["risk_group"] = "laag risico"
    card["requirements"][0]["urn"] = "urn:nl:ak:xyz"
    problems = "\n".join(card_problems(card, registry))
    assert "should be non-empty" in problems and "'laag risico' is not one of" in problems
    assert "does not match" in problems


def test_the_forecast_card_has_no_high_risk_instruments(registry: TaskRegistry) -> None:
    card = card_of(registry, full_evidence(FORECAST, **{ek.REGISTER: {"publication_category": "Overige algoritmes"}}))
    assert card_problems(card, registry) == []
    assert [a["urn"] for a in card["assessments"]] == ["urn:nl:aivt:tr:aiia:1.0"]
    found = entries(card)
    assert found["aia-09"]["state"] == NOT_APPLICABLE and found["aia-02"]["state"] == EVIDENCED
    assert "Overige algoritmes" in found["aia-02"]["answer"]


def test_the_document_shows_every_entry_with_its_source(registry: TaskRegistry) -> None:
    card = card_of(registry, full_evidence())
    document = systemcard_document(card)
    cells = [c for s in document.sections for t in s.tables for row in t.rows for c in row]
    rows = sum(len(t.rows) for s in document.sections for t in s.tables)
    questions = sum(len(a["contents"]) for a in card["assessments"])
    assert rows == questions + len(card["requirements"]) + len(card["ai_act_profile_reasons"])
    assert any(ek.TESTS["human_decides"] in c for c in cells) and document.lang == "nl"


def test_the_document_takes_its_words_from_the_catalogue_in_either_language(registry: TaskRegistry) -> None:
    card = card_of(registry, full_evidence())
    nl, en = systemcard_document(card), systemcard_document(card, lang="en")
    assert nl.title.startswith("Systeemkaart — ") and en.title.startswith("System card — ") and en.lang == "en"
    assert [len(s.tables) for s in nl.sections] == [len(s.tables) for s in en.sections]
    statuses = {row[1] for s in en.sections for t in s.tables[:1] for row in t.rows if len(row) == 4}
    assert statuses and statuses <= {"answered from evidence", "open", "not applicable"}
    assert {e["status"] for e in card["requirements"]} <= {"beantwoord uit bewijs", "open", "niet van toepassing"}
