"""Every page on a really trained home: the real champions from its MLflow registry, as `werkwijzer demo` serves them.

The other page tests run on toy champions; this one opens each page on the session's
``trained_home`` (a small real training run, also used by the notebook tests; it is not trained
again) with the default ``ModelLibrary``, so the real model code, the real feature schema and
the real forecast, norms and staffing are what the pages show. The API database is a file of
this module's own, so the home's registry is only read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from casework.config import FORECAST, TRIAGE_EFFORT
from casework.demo_cases import advice_requests
from casework.modelstore import ModelLibrary, ModelStore
from tests.api.conftest import Api, start_api
from tests.api.web.conftest import sign_in
from tests.api.web.test_capacity_page import capacity_rows, expected_rows
from werkwijzer.settings import Settings
from werkwijzer.tracking import champion_version, configure_mlflow

pytestmark = pytest.mark.slow  # it needs trained_home (about a minute, once per session)
TEAM = "wmo_meldingen"  # one of the two teams the trained home's forecast covers


@pytest.fixture(scope="module")
def trained_web(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    database = tmp_path_factory.mktemp("trained-web") / "api.db"
    settings = Settings(home=trained_home, environment="test", seed=7, database_url=f"sqlite:///{database}")
    store = ModelStore(settings, ModelLibrary())
    results = store.reload()
    assert results[TRIAGE_EFFORT].status == "loaded" and results[FORECAST].status == "loaded", results
    yield from start_api(settings, store)


@pytest.fixture(scope="module")
def champions(trained_web: Api) -> dict[str, str]:
    """The registry's champion version per model, read from MLflow, not from the model store."""
    client = configure_mlflow(trained_web.settings)
    found = {name: champion_version(client, name) for name in (TRIAGE_EFFORT, FORECAST)}
    assert all(found.values()), found
    return {name: str(version.version) for name, version in found.items() if version is not None}


@pytest.fixture(scope="module")
def advised(trained_web: Api) -> dict[str, Any]:
    """One real case from the trained home's data, advised through the API as a case system would."""
    store: ModelStore = trained_web.app.state.store
    effort = store.triage(TRIAGE_EFFORT)
    assert effort is not None
    body = advice_requests(trained_web.settings.data_dir / "cases.csv", [effort.schema], 1)[0]
    r = trained_web.client.post(
        "/api/v1/advice", json=body.model_dump(mode="json"), headers=trained_web.headers("caseworker")
    )
    assert r.status_code == 201, r.text
    assert r.json()["suggestion"] is not None and r.json()["reasons"]
    return r.json()


@pytest.fixture(scope="module")
def caseworker(trained_web: Api) -> TestClient:
    return sign_in(trained_web, "caseworker")


def test_nieuwe_zaken_lists_the_advised_case(caseworker: TestClient, advised: dict[str, Any]) -> None:
    r = caseworker.get("/zaken")
    assert r.status_code == 200 and "<h1>Nieuwe zaken</h1>" in r.text
    assert f'href="/zaken/{advised["advice_id"]}"' in r.text and advised["case_id"] in r.text


def test_case_page_shows_the_champion_version_and_dutch_reasons(
    trained_web: Api, caseworker: TestClient, advised: dict[str, Any], champions: dict[str, str]
) -> None:
    r = caseworker.get(f"/zaken/{advised['advice_id']}")
    assert r.status_code == 200, r.text
    assert f"Model: {TRIAGE_EFFORT}, versie {champions[TRIAGE_EFFORT]}." in r.text
    schema = trained_web.app.state.store.triage(TRIAGE_EFFORT).schema
    dutch = {f["name"]: f["label_nl"] for f in schema["features"]}
    chart = r.text.split('id="redenen"', 1)[1].split("</svg>", 1)[0]
    for reason in advised["reasons"]:
        label = dutch[reason["factor"]]
        assert label == reason["label_nl"] and label != reason["factor"], reason
        assert f">{escape(label)}</text>" in chart, label


def test_citizen_letter_is_the_apis_explanation(
    trained_web: Api, caseworker: TestClient, advised: dict[str, Any]
) -> None:
    r = caseworker.get(f"/zaken/{advised['advice_id']}/uitleg")
    assert r.status_code == 200 and "Uitleg bij uw aanvraag" in r.text
    text = trained_web.client.get(
        f"/api/v1/advice/{advised['advice_id']}/citizen-explanation", headers=trained_web.headers("caseworker")
    ).json()["text"]
    assert text and str(escape(text)) in r.text


def test_capaciteit_with_and_without_a_scenario(trained_web: Api, champions: dict[str, str]) -> None:
    lead = sign_in(trained_web, "team_lead")
    store: ModelStore = trained_web.app.state.store
    assert store.forecast is not None and store.forecast.version == champions[FORECAST]
    base = lead.get(f"/capaciteit?team={TEAM}")
    assert base.status_code == 200, base.text
    assert "U ziet de cijfers zonder scenario" in base.text
    assert capacity_rows(base.text) == expected_rows(store, TEAM)
    scenario = lead.get(f"/capaciteit?team={TEAM}&demand=%2B10&fte=2,5&backlog=100")
    assert scenario.status_code == 200, scenario.text
    assert "U ziet een scenario: instroom +10,0\u00a0%, bezetting +2,5 FTE, werkvoorraad nu 100 uur" in scenario.text
    assert capacity_rows(scenario.text) == expected_rows(store, TEAM, 0.10, 2.5, 100.0)
    assert capacity_rows(scenario.text) != capacity_rows(base.text)


@pytest.mark.parametrize("role", ["model_owner", "admin"])
def test_modellen_shows_the_registry_champions(trained_web: Api, champions: dict[str, str], role: str) -> None:
    r = sign_in(trained_web, role).get("/modellen")
    assert r.status_code == 200, r.text
    for name, version in champions.items():
        assert f"<code>{name}</code>" in r.text
        assert f"versie {version}, geladen op" in r.text, name
    assert re.search(r"<th scope=\"row\">1</th>\s*<td>–</td>", r.text), "the refused biased run is listed, not in use"
    assert ("/modellen/stopknop" in r.text) == (role == "admin")
