from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explain.case import CaseExplainer, Reason
from models.triage import TriageClassifier
from tests.explain.toy_triage import FEATURES, SCHEMA

KEYS = [(t, m) for t in ("integrated", "effort") for m in ("glassbox", "boosting")]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: "-".join(k))
def test_base_value_plus_contributions_equals_the_raw_output(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier], key: tuple[str, str]
) -> None:
    model = toy_models[key]
    explainer = CaseExplainer(model, toy[FEATURES].head(100), SCHEMA)
    rows = toy[FEATURES].iloc[200:260]
    base, contrib = explainer.explain(rows)
    raw = model.raw_output(rows)
    raw = raw[:, None] if raw.ndim == 1 else raw
    np.testing.assert_allclose(base + contrib.sum(axis=1), raw, atol=1e-6)
    assert contrib.shape[1] == len(FEATURES)  # one-hot and spline columns are folded back
    assert explainer.additivity_error(rows) < 1e-6


@pytest.mark.parametrize("key", KEYS, ids=lambda k: "-".join(k))
def test_reasons_are_named_factors_for_the_suggested_class(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier], key: tuple[str, str]
) -> None:
    model = toy_models[key]
    explainer = CaseExplainer(model, toy[FEATURES].head(100), SCHEMA)
    row = toy[FEATURES].iloc[[300]]
    reasons = explainer.reasons(row, top=2)
    assert 1 <= len(reasons) <= 2
    assert all(isinstance(r, Reason) for r in reasons)
    labels = {f["name"]: f["label_nl"] for f in SCHEMA["features"]}
    for reason in reasons:
        assert reason.label_nl == labels[reason.feature]
        assert reason.direction == ("up" if reason.contribution > 0 else "down")
        assert reason.value == row[reason.feature].iloc[0]
    assert abs(reasons[0].contribution) >= abs(reasons[-1].contribution)


@pytest.mark.parametrize("key", KEYS, ids=lambda k: "-".join(k))
def test_reasons_for_many_rows_equal_the_reasons_of_each_row_alone(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier], key: tuple[str, str]
) -> None:
    """The API scores concurrent requests in one call (casework/scoring.py); each row's answer must not change."""
    explainer = CaseExplainer(toy_models[key], toy[FEATURES].head(100), SCHEMA)
    rows = toy[FEATURES].iloc[300:312]
    many = explainer.reasons_many(rows, top=3, proba=toy_models[key].predict_proba(rows))
    alone = [explainer.reasons(rows.iloc[[i]], top=3) for i in range(len(rows))]
    assert [[(r.feature, r.direction, r.value) for r in case] for case in many] == [
        [(r.feature, r.direction, r.value) for r in case] for case in alone
    ]
    np.testing.assert_allclose(
        [r.contribution for case in many for r in case],
        [r.contribution for case in alone for r in case],
        rtol=1e-9,
        atol=1e-12,
    )


def test_binary_reasons_flip_sign_for_the_first_class(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier]
) -> None:
    model = toy_models[("integrated", "glassbox")]
    explainer = CaseExplainer(model, toy[FEATURES].head(100), SCHEMA)
    proba = model.predict_proba(toy[FEATURES])
    first = int(np.flatnonzero(proba[:, 0] > 0.5)[0])  # a case whose suggestion is classes_[0]
    row = toy[FEATURES].iloc[[first]]
    _, contrib = explainer.explain(row)
    reason = explainer.reasons(row, top=1)[0]
    assert reason.contribution == pytest.approx(-contrib[0, FEATURES.index(reason.feature), 0])


def test_global_importance_ranks_the_driving_feature_first(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier]
) -> None:
    explainer = CaseExplainer(toy_models[("effort", "glassbox")], toy[FEATURES].head(100), SCHEMA)
    table = explainer.importance(toy[FEATURES].iloc[500:800])
    assert list(table.columns) == ["feature", "label_nl", "label_en", "mean_abs_shap"]
    assert table["feature"].iloc[0] == "open_debts"
    assert table["mean_abs_shap"].is_monotonic_decreasing


@pytest.mark.parametrize("key", KEYS, ids=lambda k: "-".join(k))
def test_records_get_the_probabilities_and_reasons_of_the_frame_path(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier], key: tuple[str, str]
) -> None:
    """The API's path (plain dicts, cached encodings, one SHAP call) gives what the pandas path gives."""
    model = toy_models[key]
    explainer = CaseExplainer(model, toy[FEATURES].head(100), SCHEMA)
    rows = toy[FEATURES].iloc[400:440].reset_index(drop=True)
    records = [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows.to_dict("records")]
    for _ in range(2):  # first through the pipeline, then from the cache of seen values
        proba, reasons = explainer.score_records(records, top=3)
        np.testing.assert_allclose(proba, model.predict_proba(rows), rtol=1e-12, atol=1e-12)
        expected = explainer.reasons_many(rows, top=3)
        assert [[(r.feature, r.direction, r.value) for r in case] for case in reasons] == [
            [(r.feature, r.direction, r.value) for r in case] for case in expected
        ]
        np.testing.assert_allclose(
            [r.contribution for case in reasons for r in case],
            [r.contribution for case in expected for r in case],
            rtol=1e-9,
            atol=1e-12,
        )
    np.testing.assert_allclose(explainer.proba_records(records), model.predict_proba(rows), rtol=1e-12, atol=1e-12)


def test_the_explainer_encodes_likely_values_ahead_of_the_first_case(
    toy: pd.DataFrame, toy_models: dict[tuple[str, str], TriageClassifier]
) -> None:
    explainer = CaseExplainer(toy_models[("effort", "glassbox")], toy[FEATURES].head(100), SCHEMA)
    blocks = explainer.scorer._blocks[explainer.scorer.features.index("documents_complete")]
    assert (bool, True) in blocks and (bool, False) in blocks
