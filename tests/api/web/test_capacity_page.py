"""*Capaciteit*: the page shows the planning service's numbers, redraws for a scenario, refuses bad input in Dutch."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.web.scenario import parse_number
from casework import planning
from casework.modelstore import ModelStore
from tests.api.conftest import Api, start_api
from tests.api.toymodels import TOY_LIBRARY
from tests.api.web.conftest import sign_in
from werkwijzer import formatting as fmt
from werkwijzer.settings import Settings

TEAM = "bijstand_aanvragen"
ROW = re.compile(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", re.S)
CELL = re.compile(r'<td class="num">(.*?)</td>')


@pytest.fixture(scope="module")
def lead(web: Api) -> TestClient:
    return sign_in(web, "team_lead")


def capacity_rows(html: str) -> list[list[str]]:
    """The cells of the capacity table, row by row (week header excluded)."""
    table = html.split('id="capaciteit-tabel"', 1)[1].split("</table>", 1)[0]
    return [CELL.findall(cells) for _, cells in ROW.findall(table)]


def expected_rows(
    store: ModelStore, team: str, demand: float = 0.0, fte: float = 0.0, backlog: float = 0.0
) -> list[list[str]]:
    weeks = planning.capacity(store, team, demand, fte, backlog)["weeks"]
    return [
        [
            fmt.number(w["intake_mean"]),
            fmt.number(w["fte_needed_mean"], 1),
            f"{fmt.number(w['fte_needed_lo_80'], 1)} – {fmt.number(w['fte_needed_hi_80'], 1)}",
            fmt.number(w["fte_available"], 1),
            fmt.number(w["fte_gap"], 1, signed=True),
            fmt.number(w["backlog_hours"]),
            fmt.percent(w["breach_probability"]),
        ]
        for w in weeks
    ]


def test_page_shows_the_services_numbers(lead: TestClient, model_store: ModelStore) -> None:
    r = lead.get(f"/capaciteit?team={TEAM}")
    assert r.status_code == 200, r.text
    assert capacity_rows(r.text) == expected_rows(model_store, TEAM)
    for point in planning.forecast(model_store, TEAM, 26)["forecast"]:
        assert f'<td class="num">{fmt.number(point["mean"])}</td>' in r.text
    assert r.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart') == 3
    assert "U ziet de cijfers zonder scenario" in r.text


def test_weeks_at_risk_are_marked_in_the_table_and_named_in_text(
    lead: TestClient, web: Api, model_store: ModelStore
) -> None:
    weeks = planning.capacity(model_store, TEAM, 0.0, 0.0, 0.0)["weeks"]
    risky = [w for w in weeks if w["breach_probability"] >= web.settings.breach_risk_threshold]
    assert risky, "the toy team is understaffed, so some weeks are at risk"
    html = lead.get(f"/capaciteit?team={TEAM}").text
    assert html.count('<tr class="at-risk">') == len(risky)
    assert f"In {len(risky)} weken is de kans 20\u00a0% of groter" in html
    first, last = (fmt.week_label(dt.date.fromisoformat(w["week"])) for w in (weeks[0], weeks[-1]))
    assert len(risky) == len(weeks) and f"{first} tot en met {last}." in html, "a stretch of weeks is named once"
    calm = lead.get(f"/capaciteit?team={TEAM}&fte=20").text
    assert '<tr class="at-risk">' not in calm and "In geen enkele week" in calm


def test_scenario_changes_the_fte_figures(lead: TestClient, model_store: ModelStore) -> None:
    base = capacity_rows(lead.get(f"/capaciteit?team={TEAM}").text)
    r = lead.get(f"/capaciteit?team={TEAM}&demand=%2B10&fte=2,5&backlog=100")
    assert r.status_code == 200
    rows = capacity_rows(r.text)
    assert rows == expected_rows(model_store, TEAM, 0.10, 2.5, 100.0)
    assert rows != base
    added = [parse_number(row[3]) - parse_number(before[3]) for row, before in zip(rows, base, strict=True)]
    assert all(math.isclose(a, 2.5) for a in added), "available FTE rises by the scenario's 2.5 every week"
    assert "instroom +10,0\u00a0%, bezetting +2,5 FTE, werkvoorraad nu 100 uur" in r.text
    assert "De verandering van de instroom (+10,0\u00a0%) zit in de bezetting hieronder." in r.text
    assert 'value="2,5"' in r.text, "the form shows the scenario as typed"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("demand=veel", "Vul bij instroom een getal in, bijvoorbeeld 10 of -5."),
        ("demand=1000", "De verandering van de instroom moet tussen -90 en 500 procent liggen."),
        ("fte=nan", "Vul bij bezetting een getal in"),
        ("backlog=-5", "De werkvoorraad moet 0 uur of meer zijn"),
        ("team=geen_team", "Kies een team uit de lijst."),
    ],
)
def test_invalid_scenario_gives_a_dutch_error_and_the_base_figures(
    lead: TestClient, model_store: ModelStore, query: str, message: str
) -> None:
    r = lead.get(f"/capaciteit?{query}")
    assert r.status_code == 422
    assert message in r.text and 'class="error-summary"' in r.text and 'aria-invalid="true"' in r.text
    assert "Het scenario is niet doorgerekend" in r.text
    shown = "bijstand_aanvragen"  # the first team with a forecast
    assert capacity_rows(r.text) == expected_rows(model_store, shown)


def test_drivers_are_said_in_plain_words(lead: TestClient) -> None:
    html = lead.get(f"/capaciteit?team={TEAM}").text
    assert "seizoen (week-, jaarpatroon): maakt de verwachting gemiddeld 8,0 zaken per week hoger." in html
    assert "feestdagen en kerst: maakt de verwachting gemiddeld 3,0 zaken per week lager." in html
    assert "deze uitleg komt van het boosting-model" not in html
    other = lead.get("/capaciteit?team=schuldhulp_aanmeldingen").text
    assert "exponentiële afvlakking (ETS)" in other, "a team forecast by another model says so"


def test_english_switch(lead: TestClient) -> None:
    r = lead.get(f"/capaciteit?team={TEAM}&lang=en&fte=1.5")
    assert r.status_code == 200
    assert '<html lang="en">' in r.text and "<h1>Capacity</h1>" in r.text
    assert "staffing +1.5 FTE" in r.text


@pytest.fixture
def empty(api_settings: Settings, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """An app whose model store never loaded a forecast."""
    settings = api_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    yield from start_api(settings, ModelStore(settings, TOY_LIBRARY))


def test_without_a_forecast_the_page_says_so(empty: Api) -> None:
    r = sign_in(empty, "team_lead").get("/capaciteit")
    assert r.status_code == 503
    assert "Er is geen goedgekeurde prognose geladen." in r.text


def test_a_forecast_that_began_weeks_ago_says_so(
    api_settings: Settings, model_store: ModelStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A retraining that stopped leaves an old forecast: "the coming weeks" would be partly past."""
    first = dt.date.fromisoformat(planning.forecast(model_store, TEAM, 26)["forecast"][0]["date"])
    folder = tmp_path_factory.mktemp("stale")
    for days, shown in ((0, None), (8, None), (14, "2 weken"), (35, "5 weken")):
        now = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(12), tzinfo=dt.UTC)
        settings = api_settings.model_copy(update={"database_url": f"sqlite:///{folder / f'{days}.db'}"})
        for api in start_api(settings, model_store, clock=lambda now=now: now):
            lead = sign_in(api, "team_lead")
            page = lead.get(f"/capaciteit?team={TEAM}")
            assert page.status_code == 200, page.text
            if shown is None:
                assert "Let op: deze prognose begint" not in page.text
            else:
                assert f"Dat is {shown} geleden" in page.text and fmt.date_long(first, "nl") in page.text
            if days == 35:
                english = lead.get(f"/capaciteit?team={TEAM}&lang=en")
                assert "Note: this forecast starts in the week of" in english.text and "5 weeks ago" in english.text
