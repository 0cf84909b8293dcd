"""The service on the real model code, once the triage and forecast branches are merged.

Skipped (with the reason) while ``models.triage``, ``explain.case``, ``explain.narrative`` or
``models.capacity`` are absent. It registers small champions in ADR 0003's layout whose
``model.skops`` is a real ``models.triage.TriageClassifier``, and runs the default
``ModelLibrary`` (lazy imports of the real modules) end to end through the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from casework.modelstore import ModelLibrary, ModelStore
from tests.api.conftest import Api, new_case, start_api
from tests.api.toymodels import register_toy_models
from werkwijzer.settings import Settings

pytestmark = pytest.mark.slow


def train_real(X: pd.DataFrame, y: pd.Series, schema: dict[str, Any], path: Path) -> None:
    triage = pytest.importorskip("models.triage", reason="models.triage arrives with the triage branch")
    y = y.astype(bool) if set(y) <= {True, False} else y.astype(str)
    kinds = {f["name"]: f["kind"] for f in schema["features"]}
    triage.save_model(triage.TriageClassifier(feature_kinds=kinds).fit(X, y), path)


@pytest.fixture(scope="module")
def real_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    for module in ("models.triage", "explain.case", "explain.narrative"):
        pytest.importorskip(module, reason=f"{module} arrives with the triage branch")
    home = tmp_path_factory.mktemp("real-home")
    settings = Settings(home=home, environment="test", database_url=f"sqlite:///{home / 'api.db'}")
    register_toy_models(settings, trainer=train_real)
    store = ModelStore(settings, ModelLibrary())
    results = store.reload()
    assert all(r.status == "loaded" for r in results.values()), results
    yield from start_api(settings, store)


def test_real_triage_model_advises_with_reasons_and_citizen_text(real_api: Api) -> None:
    r = real_api.client.post("/api/v1/advice", json=new_case(1), headers=real_api.headers("caseworker"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["suggestion"]["suggested_effort_class"] in {"eenvoudig", "gemiddeld", "complex"}
    assert body["reasons"] and all(x["label_nl"] for x in body["reasons"])
    text = real_api.client.get(
        f"/api/v1/advice/{body['advice_id']}/citizen-explanation", headers=real_api.headers("caseworker")
    )
    assert text.status_code == 200 and text.json()["text"]


def test_real_capacity_planning(real_api: Api) -> None:
    pytest.importorskip("models.capacity", reason="models.capacity arrives with the forecast branch")
    r = real_api.client.get(
        "/api/v1/teams/wmo_meldingen/capacity?demand_change=0.1", headers=real_api.headers("team_lead")
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["weeks"]) == 13
