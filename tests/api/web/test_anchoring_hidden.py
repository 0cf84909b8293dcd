"""Issue 17 part 1: a control case's suggestion is frozen on the server and leaves it nowhere;
the first opening of a case page is noted once, for the time to decision.

Proven as the selection reason is (tests/api/test_guarantees.py): the stored value is there, and
no response, page, letter, export, audit-trail view or API schema a person sees carries it.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from sqlalchemy import select

from casework.modelstore import ModelStore
from casework.storage import Advice, AuditEvent, CaseOpening
from tests.api.conftest import Api, new_case, start_api
from tests.api.test_limits import _hold_writer
from tests.api.web.conftest import make_advice, sign_in
from werkwijzer.formatting import percent
from werkwijzer.settings import Settings
from werkwijzer.teams import EFFORT_CLASSES

HIDDEN_WORDS = ("hidden_suggested_class", "hidden_top_probability", "hidden_")


def _stored(web: Api, advice_id: str) -> Advice:
    with web.app.state.sessions() as s:
        found = s.get(Advice, advice_id)
        assert found is not None
        s.expunge(found)
        return found


def _same_case_advised(web: Api, n: int) -> dict:
    """The same case advised, to know what the hidden suggestion must be."""
    web.rng.pinned = 0.99
    r = web.client.post("/api/v1/advice", json=new_case(n), headers=web.headers("caseworker"))
    assert r.status_code == 201
    return r.json()


def test_a_control_case_keeps_the_models_suggestion_on_the_server_only(web: Api) -> None:
    control = make_advice(web, 9101, advised=False)
    shown = _same_case_advised(web, 9101)
    stored = _stored(web, control)
    # frozen: the same suggestion the model gives the same case when it is shown
    assert stored.selection_reason == "control" and stored.suggestion is None and stored.suggested_class is None
    assert stored.hidden_suggested_class == shown["suggestion"]["suggested_effort_class"]
    top = max(shown["suggestion"]["effort_class_probabilities"].values())
    assert stored.hidden_top_probability == top
    advised = _stored(web, shown["advice_id"])
    assert advised.hidden_suggested_class is None and advised.hidden_top_probability is None  # only control cases

    cw = web.headers("caseworker")
    own = [  # this case's own answers, pages and letter
        web.client.get(f"/api/v1/advice/{control}", headers=cw).text,
        web.client.get(f"/api/v1/advice/{control}/citizen-explanation", headers=cw).text,
    ]
    browser = sign_in(web, "caseworker")
    for page in (f"/zaken/{control}", f"/zaken/{control}/uitleg", f"/zaken/{control}/bezwaar"):
        own += [browser.get(page).text, browser.get(f"{page}?lang=en").text]
    with web.app.state.sessions() as s:
        own += [e.payload for e in s.execute(select(AuditEvent).where(AuditEvent.subject == control)).scalars()]
    shared = [json.dumps(web.client.get("/openapi.json").json()), browser.get("/zaken").text]
    for role in ("caseworker", "team_lead", "model_owner", "auditor", "admin"):
        for path in ("/api/v1/audit/events?limit=500", "/api/v1/models", "/api/v1/monitoring/overrides"):
            r = web.client.get(path, headers=web.headers(role))
            if r.status_code == 200:
                shared.append(r.text)
    for role in ("model_owner", "auditor"):
        shared.append(sign_in(web, role).get("/modellen").text)
    assert not [w for t in own + shared for w in HIDDEN_WORDS if w in t]
    numbers = {repr(top), f"{top:.4f}", percent(top, 0, "nl"), percent(top, 0, "en")}
    assert not [n for t in own for n in numbers if n in t]
    assert json.loads(own[-1])["suggestion"] is None  # the audit entry holds what was shown: nothing


def test_the_first_opening_of_an_undecided_case_is_noted_once(web: Api) -> None:
    advice_id = make_advice(web, 9201)
    web.client.get(f"/api/v1/advice/{advice_id}", headers=web.headers("auditor"))  # not a caseworker: no note
    browser = sign_in(web, "caseworker")

    def opening() -> tuple | None:
        with web.app.state.sessions() as s:
            row = s.get(CaseOpening, advice_id)
            return (row.opened_at, row.opened_by) if row else None

    assert opening() is None
    assert browser.get(f"/zaken/{advice_id}").status_code == 200
    first = opening()
    assert first is not None and first[1] == web.user_ids["caseworker"]
    assert browser.get(f"/zaken/{advice_id}").status_code == 200
    web.client.get(f"/api/v1/advice/{advice_id}", headers=web.headers("caseworker"))
    assert opening() == first  # later openings change nothing
    other = make_advice(web, 9202)
    assert web.client.get(f"/api/v1/advice/{other}", headers=web.headers("caseworker")).status_code == 200
    with web.app.state.sessions() as s:
        assert s.get(CaseOpening, other) is not None  # a case system opening it for the caseworker counts too


def test_the_models_page_explains_the_experiment_per_model_and_team(
    api_settings: Settings, model_store: ModelStore, tmp_path: Path
) -> None:
    settings = api_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'api.db'}"})
    for api in start_api(settings, model_store):
        cw = api.headers("caseworker")
        for n in range(48):  # 24 shown, 24 hidden; in each arm half the decisions equal the model's suggestion
            advice_id = make_advice(api, 9300 + n, advised=n % 2 == 0)
            with api.app.state.sessions() as s:
                row = s.get(Advice, advice_id)
                model_class = row.suggested_class or row.hidden_suggested_class
            other = next(c for c in EFFORT_CLASSES if c != model_class)
            same = (n // 2) % 2 == 0
            if n % 2 == 0:
                body = {"outcome": "followed", "final_effort_class": model_class} if same else {
                    "outcome": "deviated", "final_effort_class": other, "motivation": "Eigen oordeel."}  # fmt: skip
            else:
                body = {"outcome": "deviated", "final_effort_class": model_class if same else other,
                        "motivation": "Geen advies."}  # fmt: skip
            r = api.client.post(f"/api/v1/advice/{advice_id}/decision", json=body, headers=cw)
            assert r.status_code == 201, r.text
        for lang, title, verdict in (
            ("nl", "Stuurt het advies de beslissing?", "kan toeval zijn"),
            ("en", "Does the advice steer the decision?", "may be chance"),
        ):
            page = sign_in(api, "model_owner").get(f"/modellen?lang={lang}").text
            section = page[page.index('id="sturing"') :]
            assert title in section and verdict in section
            # both arms with their counts, for the model and for its one team
            assert section.count(f"{percent(0.5, 0, lang)} (24)") == 4
            assert not [w for w in HIDDEN_WORDS if w in page]


def test_a_held_database_skips_the_note_at_once_and_the_next_opening_makes_it(
    api_settings: Settings, model_store: ModelStore, tmp_path: Path
) -> None:
    settings = api_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'api.db'}", "db_wait_seconds": 2.0}
    )
    for api in start_api(settings, model_store):
        advice_id = make_advice(api, 9401)
        held, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=_hold_writer, args=(settings.database, held, release), daemon=True)
        holder.start()
        assert held.wait(timeout=30)
        try:
            started = time.monotonic()
            r = api.client.get(f"/api/v1/advice/{advice_id}", headers=api.headers("caseworker"))
            assert r.status_code == 200 and time.monotonic() - started < 1.0  # never waits for the writer
        finally:
            release.set()
            holder.join(timeout=30)
        with api.app.state.sessions() as s:
            assert s.get(CaseOpening, advice_id) is None  # skipped, not waited for
        assert api.client.get(f"/api/v1/advice/{advice_id}", headers=api.headers("caseworker")).status_code == 200
        with api.app.state.sessions() as s:
            assert s.get(CaseOpening, advice_id) is not None
