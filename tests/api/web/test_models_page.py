"""*Modellen*: the registry's and monitoring's data on a page, the register download, the stop button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casework import monitoring
from casework.config import FORECAST, TRIAGE_EFFORT
from casework.modelstore import ModelStore
from tests.api.conftest import Api, new_case, start_api
from tests.api.web.conftest import csrf_of, sign_in
from werkwijzer import formatting as fmt
from werkwijzer.settings import Settings


@pytest.fixture(scope="module")
def owner(web: Api) -> TestClient:
    return sign_in(web, "model_owner")


def test_page_lists_each_model_with_version_gates_and_mlflow_links(
    owner: TestClient, web: Api, model_store: ModelStore
) -> None:
    r = owner.get("/modellen")
    assert r.status_code == 200, r.text
    api_view = web.client.get("/api/v1/models", headers=web.headers("model_owner")).json()
    for model in api_view["models"]:
        assert f"<code>{model['name']}</code>" in r.text
        assert f"versie {model['version']}, geladen op" in r.text
        for version in model["versions"]:
            assert f"{web.settings.mlflow_ui_url}/#/runs/{version['run_id']}" in r.text
            assert f"/#/models/{model['name']}/versions/{version['version']}" in r.text
    assert "Eerlijkheid tussen groepen" in r.text and "geslaagd" in r.text
    assert "Een advies, geen besluit." in r.text, "the model card's Markdown is shown"
    assert "<h4>" in r.text and r.text.count("<h1>") == 1, "card headings sit below the page's own"
    assert "Alleen een beheerder kan de stopknop gebruiken." in r.text and "/modellen/stopknop" not in r.text
    assert model_store.forecast is not None and FORECAST in r.text


def test_page_shows_the_version_next_to_plain_models_dutch_first(owner: TestClient) -> None:
    """What plain scikit-learn would have scored (issue 20): the loaded version's card and every version."""
    html = owner.get("/modellen").text
    assert "Vergelijking met eenvoudige modellen" in html
    assert "Logistische regressie (eenvoudig)" in html and '<td class="num">0,823</td>' in html
    assert "Verschil in ROC AUC met het beste eenvoudige model (Logistische regressie (eenvoudig)): \u2212" in html
    assert "Dit model scoort lager dan een eenvoudig model." in html
    assert "0,812 / 0,823 / 0,735" in html, "each version's ROC AUC next to its plain peers"
    english = owner.get("/modellen?lang=en").text
    assert "Compared with plain models" in english and "0.812 / 0.823 / 0.735" in english
    owner.get("/modellen?lang=nl")


def test_page_shows_what_the_gates_cost_the_version(owner: TestClient) -> None:
    """ADR 0016: the most accurate candidate, why it was not taken and what it would have scored."""
    html = owner.get("/modellen").text
    assert "Keuze van het model" in html
    assert (
        "Het nauwkeurigste kandidaatmodel (glassbox:linear:C=0.1) is niet gekozen, omdat het een toets niet "
        "haalt. Gekozen is glassbox:linear:C=0.01."
    ) in html
    assert "had glassbox:linear:C=0.1 een ROC AUC van 0,816 gehaald, het gekozen model 0,812 (verschil +0,003)" in html
    assert '<span lang="en">fairness: 1 ratio(s) outside 0.8-1.25; worst: fnr of sex=man</span>' in html
    assert "0,812 / 0,823 / 0,735 (nauwkeurigste kandidaat, niet gekozen: 0,816)" in html
    english = owner.get("/modellen?lang=en").text
    assert "The most accurate candidate (glassbox:linear:C=0.1) was not taken because it fails a gate" in english
    owner.get("/modellen?lang=nl")


def test_agreement_rates_equal_the_monitoring_service(web: Api, owner: TestClient) -> None:
    for n, outcome in ((8101, "followed"), (8102, "deviated")):
        advice = web.client.post("/api/v1/advice", json=new_case(n), headers=web.headers("caseworker")).json()
        suggested = advice["suggestion"]["suggested_effort_class"]
        final = suggested if outcome == "followed" else next(c for c in ("eenvoudig", "complex") if c != suggested)
        body = {"outcome": outcome, "final_effort_class": final, "motivation": "test van de pagina"}
        r = web.client.post(
            f"/api/v1/advice/{advice['advice_id']}/decision", json=body, headers=web.headers("caseworker")
        )
        assert r.status_code == 201, r.text
    html = owner.get("/modellen").text
    with web.app.state.sessions() as session:
        usage = monitoring.overrides(session, web.settings)
    assert f"Besluiten met advies: {usage['decisions_with_advice']}." in html
    for cell in usage["cells"]:
        row = (
            f'<td class="num">{fmt.number(cell["decisions"])}</td><td class="num">'
            f"{fmt.percent(cell['agreement_rate'])}</td>"
        )
        assert row in html, cell


@pytest.mark.parametrize("name", [TRIAGE_EFFORT, FORECAST])
def test_register_entry_downloads_as_the_stored_json(owner: TestClient, model_store: ModelStore, name: str) -> None:
    bundle = model_store.forecast if name == FORECAST else model_store.triage(name)
    assert bundle is not None and bundle.register_entry
    r = owner.get(f"/modellen/{name}/algoritmeregister.json")
    assert r.status_code == 200
    assert r.json() == bundle.register_entry
    assert r.headers["content-disposition"] == (
        f'attachment; filename="algoritmeregister-{name}-v{bundle.version}.json"'
    )


def test_register_entry_of_an_unknown_model_is_not_found(owner: TestClient) -> None:
    missing = owner.get("/modellen/werkwijzer-onbekend/algoritmeregister.json")
    assert missing.status_code == 404 and "geen tekst voor het Algoritmeregister" in missing.text


def test_register_download_needs_a_model_role(web: Api) -> None:
    assert sign_in(web, "auditor").get(f"/modellen/{TRIAGE_EFFORT}/algoritmeregister.json").status_code == 200
    assert sign_in(web, "caseworker").get(f"/modellen/{TRIAGE_EFFORT}/algoritmeregister.json").status_code == 403


@pytest.fixture
def own(api_settings: Settings, model_store: ModelStore, tmp_path: Path) -> Iterator[Api]:
    """An app of its own: the stop button must not switch advice off for the other page tests."""
    settings = api_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'stop.db'}"})
    yield from start_api(settings, model_store)


def post_switch(client: TestClient, **fields: str) -> object:
    csrf = csrf_of(client.get("/modellen").text)
    return client.post("/modellen/stopknop", data={"csrf_token": csrf, **fields})


def test_stop_button_switches_advice_off_and_is_audited(own: Api) -> None:
    admin = sign_in(own, "admin")
    page = admin.get("/modellen").text
    assert 'action="/modellen/stopknop"' in page
    r = post_switch(admin, scope="global", enabled="false", reason="Drift boven de stopgrens")
    assert r.status_code == 303 and r.headers["location"].startswith("/modellen?gewijzigd=1")
    assert "De stopknop is omgezet" in admin.get(r.headers["location"]).text
    advice = own.client.post("/api/v1/advice", json=new_case(9001), headers=own.headers("caseworker"))
    assert advice.status_code == 201 and advice.json()["suggestion"] is None
    events = own.client.get("/api/v1/audit/events?subject=global", headers=own.headers("auditor")).json()["events"]
    assert [e["payload"] for e in events if e["kind"] == "advice_switch.changed"] == [
        {"scope": "global", "enabled": False, "reason": "Drift boven de stopgrens"}
    ]
    assert events[-1]["actor"] == own.user_ids["admin"]


def test_stop_button_needs_a_reason(own: Api) -> None:
    admin = sign_in(own, "admin")
    r = post_switch(admin, scope="global", enabled="false", reason="   ")
    assert r.status_code == 422
    assert "Schrijf op waarom u de stopknop gebruikt" in r.text
    models = own.client.get("/api/v1/models", headers=own.headers("model_owner")).json()
    assert models["advice_enabled_globally"] is True, "nothing was switched"


def test_stop_button_refuses_an_unknown_scope(own: Api) -> None:
    r = post_switch(sign_in(own, "admin"), scope="werkwijzer-iets-anders", enabled="false", reason="test")
    assert r.status_code == 422 and "Kies voor welk model" in r.text
    assert 'name="scope" aria-describedby="switch-scope-error" aria-invalid="true"' in r.text


def test_stop_button_without_a_choice_links_the_error_to_the_choice(own: Api) -> None:
    r = post_switch(sign_in(own, "admin"), scope="global", reason="test")
    assert r.status_code == 422
    assert 'id="switch-enabled" aria-describedby="switch-enabled-error"' in r.text
    assert '<p class="field-error" id="switch-enabled-error">' in r.text and 'href="#switch-enabled"' in r.text


@pytest.mark.parametrize("role", ["model_owner", "auditor", "team_lead"])
def test_only_an_admin_may_post_the_stop_button(own: Api, role: str) -> None:
    client = sign_in(own, role)
    csrf = csrf_of(client.get("/").text) if role == "team_lead" else csrf_of(client.get("/modellen").text)
    r = client.post(
        "/modellen/stopknop",
        data={"csrf_token": csrf, "scope": "global", "enabled": "false", "reason": "niet mijn knop"},
    )
    assert r.status_code == 403
    models = own.client.get("/api/v1/models", headers=own.headers("model_owner")).json()
    assert models["advice_enabled_globally"] is True


def test_stop_button_without_csrf_token_does_nothing(own: Api) -> None:
    admin = sign_in(own, "admin")
    r = admin.post("/modellen/stopknop", data={"scope": "global", "enabled": "false", "reason": "geen token"})
    assert r.status_code == 403
    models = own.client.get("/api/v1/models", headers=own.headers("model_owner")).json()
    assert models["advice_enabled_globally"] is True


def test_english_switch(owner: TestClient) -> None:
    r = owner.get("/modellen?lang=en")
    assert r.status_code == 200
    assert '<html lang="en">' in r.text and "<h1>Models</h1>" in r.text
    assert "Fairness between groups" in r.text and "Only an administrator can use the stop button." in r.text
    owner.get("/modellen?lang=nl")  # the choice is remembered in a cookie: switch back for the other tests
