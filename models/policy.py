"""The feature policy: the one place that decides which columns may reach a triage model.

Responsible-ai items 7-11. A feature reaches a model only when the feature registry marks it
``approved``, it is not a protected characteristic or an identifier, its name is not on the
deny-list of item 8 (nationality, origin, ethnicity, religion, sex/gender, health, literacy,
postcode/district, number of children, type of contact, reason for appointment, subjective
judgements, free text) and it is not derived from earlier model advice (item 11). Every refusal
names the feature and the reason, so a model owner can fix the registry rather than guess.

Protected characteristics are used only by the fairness audit (``explain.fairness``);
:func:`assert_no_protected` is the check the flow and the tests run on a trained artifact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from werkwijzer.contracts import FeatureRegistry, FeatureSpec
from werkwijzer.vocabulary import never_feature_reason


class FeaturePolicyError(ValueError):
    """A feature was refused; ``feature`` and ``reason`` say which and why."""

    def __init__(self, feature: str, reason: str):
        self.feature = feature
        self.reason = reason
        super().__init__(f"feature '{feature}' is refused: {reason}")


@dataclass(frozen=True)
class Decision:
    feature: str
    allowed: bool
    reason: str


def deny_reason(name: str) -> str | None:
    """Why ``name`` is on the deny-list of item 8, or None (``werkwijzer.vocabulary.never_feature_reason``)."""
    return never_feature_reason(name)


def judge(registry: FeatureRegistry, name: str, target: str | None = None) -> Decision:
    """Whether ``name`` may be a model feature under ``registry``, and why (not)."""
    if name in registry.protected:
        return Decision(name, False, "a protected characteristic; it is used only in the fairness audit")
    if name in registry.identifiers:
        return Decision(name, False, "an identifier (key), never a feature")
    if target is not None and name == target:
        return Decision(name, False, "the target itself")
    reason = deny_reason(name)
    if reason:
        return Decision(name, False, reason)
    spec = registry.get(name)
    if spec is None:
        return Decision(name, False, "not in the feature registry; add it with a status and rationale")
    if spec.status != "approved":
        status = spec.status.replace("_", " ")
        return Decision(name, False, f"its registry status is '{status}', not 'approved' ({spec.rationale})")
    return Decision(name, True, "approved in the feature registry")


def select_features(
    registry: FeatureRegistry,
    *,
    target: str,
    available: Iterable[str],
    requested: Sequence[str] | None = None,
    blocked: dict[str, str] | None = None,
) -> list[FeatureSpec]:
    """The model features: ``requested`` (all approved features when None) after the policy.

    Raises :class:`FeaturePolicyError` for the first refused feature: a feature that is not
    approved, protected, an identifier or on the deny-list (an approved feature on the deny-list
    too: the registry contradicts item 8), and an explicitly requested feature that a proxy block
    (``blocked``: name -> reason, from the proxy scan) rules out. Without ``requested``, blocked
    features and approved features absent from ``available`` are left out silently; the proxy
    gate reports the blocked ones.
    """
    columns = set(available)
    blocked = blocked or {}
    names = list(requested) if requested is not None else [f.name for f in registry.approved]
    chosen: list[FeatureSpec] = []
    for name in names:
        decision = judge(registry, name, target)
        if not decision.allowed:
            raise FeaturePolicyError(name, decision.reason)
        if name in blocked:
            if requested is not None:
                raise FeaturePolicyError(name, blocked[name])
            continue
        if name not in columns:
            if requested is not None:
                raise FeaturePolicyError(name, "it is not a column of the case file")
            continue
        spec = registry.get(name)
        assert spec is not None, name  # judge() allowed it, so the registry knows it
        chosen.append(spec)
    if not chosen:
        raise FeaturePolicyError("(none)", "no approved feature is present in the case file")
    return chosen


def assert_no_protected(names: Iterable[str], registry: FeatureRegistry) -> None:
    """Raise when any of ``names`` is a protected characteristic or on the deny-list."""
    for name in names:
        if name in registry.protected:
            raise FeaturePolicyError(name, "a protected characteristic reached a model input")
        reason = deny_reason(name)
        if reason:
            raise FeaturePolicyError(name, reason)
