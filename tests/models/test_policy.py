from __future__ import annotations

import pytest

from models.policy import FeaturePolicyError, assert_no_protected, deny_reason, judge, select_features
from werkwijzer.contracts import FeatureRegistry


def _registry(**extra: dict) -> FeatureRegistry:
    features = [
        {"name": "open_debts", "kind": "numeric", "status": "approved", "rationale": "core"},
        {"name": "team", "kind": "categorical", "status": "approved", "rationale": "work differs"},
        {"name": "household_type", "kind": "categorical", "status": "undecided", "rationale": "pending"},
        {"name": "channel", "kind": "categorical", "status": "not_approved", "rationale": "type of contact"},
        {"name": "previous_requests", "kind": "numeric", "status": "not_approved", "rationale": "poor quality"},
        *extra.get("features", []),
    ]
    return FeatureRegistry.model_validate(
        {"protected": ["sex", "migration_background"], "identifiers": ["case_id"], "features": features}
    )


COLUMNS = [
    "case_id",
    "open_debts",
    "team",
    "household_type",
    "channel",
    "previous_requests",
    "sex",
    "migration_background",
]


def test_default_selection_is_the_approved_features_present() -> None:
    chosen = select_features(_registry(), target="effort_class", available=COLUMNS)
    assert [s.name for s in chosen] == ["open_debts", "team"]


@pytest.mark.parametrize(
    ("feature", "why"),
    [
        ("previous_requests", "not approved"),
        ("channel", "deny-list"),
        ("household_type", "undecided"),
        ("sex", "protected characteristic"),
        ("migration_background", "protected characteristic"),
        ("case_id", "identifier"),
        ("unknown_column", "not in the feature registry"),
        ("effort_class", "the target itself"),
    ],
)
def test_refusals_name_the_feature_and_the_reason(feature: str, why: str) -> None:
    with pytest.raises(FeaturePolicyError) as info:
        select_features(
            _registry(),
            target="effort_class",
            available=[*COLUMNS, "unknown_column"],
            requested=["open_debts", feature],
        )
    assert info.value.feature == feature
    assert why in str(info.value)
    assert f"'{feature}'" in str(info.value)


def test_an_approved_feature_on_the_deny_list_is_still_refused() -> None:
    registry = _registry(
        features=[
            {
                "name": "postcode_district",
                "kind": "categorical",
                "status": "approved",
                "rationale": "someone approved it",
            }
        ]
    )
    with pytest.raises(FeaturePolicyError, match=r"postcode_district.*deny-list.*postcode or district"):
        select_features(registry, target="y", available=[*COLUMNS, "postcode_district"])


def test_proxy_blocked_feature_is_left_out_by_default_and_refused_on_request() -> None:
    blocked = {"team": "a strong proxy for 'age_band'"}
    chosen = select_features(_registry(), target="y", available=COLUMNS, blocked=blocked)
    assert [s.name for s in chosen] == ["open_debts"]
    with pytest.raises(FeaturePolicyError, match="strong proxy"):
        select_features(_registry(), target="y", available=COLUMNS, requested=["team"], blocked=blocked)


@pytest.mark.parametrize(
    "name",
    [
        "nationaliteit",
        "aantal_kinderen",
        "geslacht",
        "ggz_indicatie",
        "wijk",
        "contact_channel",
        "vrije_tekst",
        "opmerkingen",
        "religie",
        "laaggeletterd",
        "model_score",
    ],
)
def test_deny_list_covers_item_8(name: str) -> None:
    assert deny_reason(name) is not None


@pytest.mark.parametrize(
    "name",
    [
        "open_debts",
        "team",
        "months_on_benefit",
        "prior_contacts_12m",
        "requested_provision",
        "documents_complete",
        "income_source",
    ],
)
def test_deny_list_leaves_legitimate_features_alone(name: str) -> None:
    assert deny_reason(name) is None
    assert judge(
        _registry(
            features=[
                {"name": n, "kind": "numeric", "status": "approved", "rationale": "r"}
                for n in [name]
                if n not in ("open_debts", "team")
            ]
        ),
        name,
    ).allowed


def test_assert_no_protected_catches_a_leak() -> None:
    assert_no_protected(["open_debts", "team"], _registry())
    with pytest.raises(FeaturePolicyError, match="protected"):
        assert_no_protected(["open_debts", "sex"], _registry())


def test_nothing_approved_present_is_an_error() -> None:
    with pytest.raises(FeaturePolicyError, match="no approved feature"):
        select_features(_registry(), target="y", available=["case_id", "sex"])
