"""Small trained triage models shared by the explanation tests (trained once per session)."""

from __future__ import annotations

import pandas as pd
import pytest

from models.triage import TriageClassifier
from tests.explain.toy_triage import FEATURES, SCHEMA, toy_cases


@pytest.fixture(scope="session")
def toy() -> pd.DataFrame:
    return toy_cases()


@pytest.fixture(scope="session")
def toy_models(toy: pd.DataFrame) -> dict[tuple[str, str], TriageClassifier]:
    kinds = {f["name"]: f["kind"] for f in SCHEMA["features"]}
    out = {}
    for target in ("integrated", "effort"):
        for model_type in ("glassbox", "boosting"):
            out[(target, model_type)] = TriageClassifier(feature_kinds=kinds, model_type=model_type, max_iter=80).fit(
                toy[FEATURES], toy[target]
            )
    return out
