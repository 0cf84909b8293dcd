"""Evidence for the system card: named facts, each with the source a reviewer can open.

A :class:`Fact` is something the system did or recorded, gathered by ``flows.evidence`` from the
MLflow run, the audit trail, the monitoring runs and the settings; its :class:`Source` says where
to look (a run id and artifact path, an audit-trail range, a monitoring run, a setting, a test's
node id). The card's rules (``explain.systemcard_rules``) answer a question only from facts that
are present, so a fact that is missing leaves the question open.

``TESTS`` names the tests in this repository that prove a behaviour the card relies on; a test
(``tests/explain/test_systemcard.py``) checks that every one of them exists, and the card cites
them with the code version of the run, so a reviewer can open exactly that test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Keys of the evidence a card can use (what ``flows.evidence.gather`` fills when it exists).
RUN = "run"  # the model version's training run: ids, code version, data fingerprint, seed
FEATURES = "features"  # the features the model uses
METRICS = "metrics"  # test-set metrics of the run
GATES = "gates"  # the gate.<name> results of the version
FAIRNESS = "fairness"  # the fairness gate and the published per-group table
MODEL_CARD = "model_card"  # intended use, risk class, governance links
REGISTER = "register"  # the run's Algoritmeregister entry
JUSTIFICATION = "justification"  # a model owner's gate justification kept with the run
AUDIT = "audit"  # the audit trail's chain, verified now
DECISIONS = "decisions"  # the decisions people recorded on this model's advice
RETENTION = "retention"  # how long the audit trail is kept
CONTROL_SHARE = "control_share"  # the random share of cases without advice
MONITORING = "monitoring"  # the latest monitoring pass
SWITCHES = "switches"  # the stop button's changes for this model and for all models
KEYS = (
    RUN,
    FEATURES,
    METRICS,
    GATES,
    FAIRNESS,
    MODEL_CARD,
    REGISTER,
    JUSTIFICATION,
    AUDIT,
    DECISIONS,
    RETENTION,
    CONTROL_SHARE,
    MONITORING,
    SWITCHES,
)

# Behaviour -> the test that proves it (pytest node ids, relative to the repository root).
TESTS = {
    "human_decides": "tests/api/test_guarantees.py::test_decisions_are_built_only_from_the_caseworkers_request",
    "advice_is_advice": "tests/api/test_advice.py::test_advice_has_suggestion_reasons_model_and_the_caseworker_decides",
    "stop_button": "tests/api/test_advice.py::test_stop_button_per_model_and_global_keeps_everything_else_working",
    "control_share": "tests/api/test_guarantees.py::test_control_share_holds_over_2000_advices",
    "selection_reason_hidden": "tests/api/test_guarantees.py::test_the_selection_reason_never_leaves_the_server",
    "everything_logged": "tests/api/test_audit.py::test_every_advice_and_decision_is_on_the_record",
    "tamper_evident": "tests/api/test_audit_tampering.py::test_a_decision_changed_and_the_chain_rehashed_is_caught",
    "retention": "tests/api/test_audit.py::test_retention_never_goes_below_six_months",
    "retention_purge": "tests/api/test_audit.py::test_retention_purges_old_records_and_keeps_the_chain_valid",
    "no_protected_features": "tests/models/test_policy.py::test_assert_no_protected_catches_a_leak",
    "deny_list": "tests/models/test_policy.py::test_deny_list_covers_item_8",
    "proxy_gate": "tests/flows/test_triage_gates.py::test_proxy_gate_fails_when_a_blocked_proxy_reaches_the_model",
    "gates_fail_with_reason": "tests/flows/test_triage_gates.py::test_each_gate_fails_with_its_reason",
    "small_cells": "tests/monitor/test_monitoring.py::test_small_cells_are_suppressed",
    "bsn_refused": "tests/api/test_decisions.py::test_unknown_class_and_bsn_in_motivation_are_refused",
    "motivation_required": "tests/api/test_decisions.py::test_inconsistent_decisions_are_422",
    "citizen_explanation": (
        "tests/api/test_decisions.py::test_citizen_explanation_in_dutch_and_english_and_without_advice"
    ),
    "objections": "tests/api/test_decisions.py::test_objections_are_recorded_and_show_up_in_monitoring",
    "automation_bias": "tests/api/test_decisions.py::test_automation_bias_alert_when_everything_is_followed",
    "monitoring_stops": "tests/monitor/test_usage_monitoring.py::test_drift_raises_a_psi_stop_and_switches_advice_off",
}


@dataclass(frozen=True)
class Source:
    """Where a reviewer opens the evidence: ``kind`` (mlflow-run, mlflow-artifact, audit-trail,
    monitoring-run, setting, test) and ``ref`` (run id with path, entry range, setting, node id)."""

    kind: str
    ref: str
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "note": self.note}


@dataclass(frozen=True)
class Fact:
    value: Mapping[str, Any]
    source: Source


@dataclass(frozen=True)
class Evidence:
    """The facts found for one model version; ``missing`` says, per key, why a fact is absent."""

    model_name: str
    facts: Mapping[str, Fact] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)
    code_version: str = ""

    def has(self, *keys: str) -> bool:
        return all(key in self.facts for key in keys)

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        return self.facts[key].value

    def test(self, behaviour: str) -> Source:
        """The test proving ``behaviour``, at the code version the run was trained with."""
        at = f" at {self.code_version}" if self.code_version else ""
        return Source("test", TESTS[behaviour], f"pytest node{at}")
