"""Outcomes of closed zaken from the recorded Zaken API, recorded through the running Werkwijzer API (issue 17).

The recorded set has no closed zaken yet; the test closes five of them (einddatum, resultaat and the three
outcome eigenschappen) in its copy. Three have decided advice in Werkwijzer, one advice without a
decision, one no advice at all. The outcomes go through ``POST /cases/{case_id}/outcome`` of an
in-process API (toy champions), so the audit trail, the API's validation and its corrections are the
real ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from casework.storage import Outcome
from tests.monitor.live import LiveApi, start_live_api
from tests.standards.closed_zaken import (
    DECIDED,
    OUTCOMES,
    VALUES,
    advise_and_decide,
    close,
    closed_recording,
    outcome_trail,
)
from tests.standards.zaken_fake import CLIENT_ID, SECRET, FakeZakenAPI, mapping_yaml, recording
from werkwijzer.client import WerkwijzerClient
from werkwijzer.standards.zgw import ZakenClient
from werkwijzer.standards.zgw_import import ZGWImportError, load_mapping
from werkwijzer.standards.zgw_outcomes import CORRECTION, OutcomeResult, import_outcomes

SINCE = dt.date(2026, 6, 22)


@pytest.fixture
def closed() -> dict[str, Any]:
    return closed_recording()


@pytest.fixture
def werkwijzer(live_settings: Any, live_models: Any, tmp_path: Path) -> Iterator[LiveApi]:
    """The API with advice for the closed zaken' case keys (the mapping's case_id is the identificatie)."""
    for api in start_live_api(live_settings, live_models, tmp_path, dt.datetime(2026, 6, 24, 9, tzinfo=dt.UTC)):
        api.rng.pinned = 0.99  # never the control share
        advise_and_decide(api.client, api.headers("caseworker"))
        yield api


def _import(doc: dict[str, Any], api: LiveApi, tmp_path: Path, mapping: str = OUTCOMES) -> OutcomeResult:
    fake = FakeZakenAPI(doc)
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(doc, extra=mapping), encoding="utf-8")
    client = WerkwijzerClient("http://testserver", {"caseworker": api.tokens["caseworker"]}, http=api.client)
    with ZakenClient(fake.api, CLIENT_ID, SECRET, transport=httpx.MockTransport(fake), sleep=lambda _: None) as zgw:
        return import_outcomes(
            zgw.closed_zaken,
            zgw.eigenschappen,
            client,
            url=fake.api,
            mapping=load_mapping(path),
            out=tmp_path / "out",
            since=SINCE,
        )


def _trail(api: LiveApi) -> list[tuple[str, dict[str, Any]]]:
    with api.app.state.sessions() as session:
        return outcome_trail(session)


def test_closed_zaken_give_outcomes_on_the_audit_trail_once(
    closed: dict[str, Any], werkwijzer: LiveApi, tmp_path: Path
) -> None:
    first = _import(closed, werkwijzer, tmp_path)
    assert (first.closed, first.recorded, first.not_decided, first.not_in_werkwijzer) == (5, 3, 1, 1)
    trail = _trail(werkwijzer)
    assert [k for k, _ in trail] == ["outcome.recorded"] * 3
    by_case = {p["case_id"]: p for _, p in trail}
    assert set(by_case) == set(DECIDED)
    shv = by_case["SHV-2026-000032"]  # "6,5" hours, "ja": read as the API expects them
    assert (shv["handling_hours"], shv["effort_class"], shv["integrated_approach"]) == (6.5, "gemiddeld", True)
    assert by_case["WMO-2026-000176"]["integrated_approach"] is False

    again = _import(closed, werkwijzer, tmp_path)  # re-import: nothing new
    assert (again.recorded, again.corrected, again.unchanged) == (0, 0, 3)
    assert len(_trail(werkwijzer)) == 3

    close(closed, "WMO-2026-000176", "3", "gemiddeld", "false")  # the case system changed its outcome
    changed = _import(closed, werkwijzer, tmp_path)
    assert (changed.recorded, changed.corrected, changed.unchanged) == (0, 1, 2)
    kind, payload = _trail(werkwijzer)[-1]
    assert kind == "outcome.corrected" and payload["reason"] == CORRECTION and payload["revision"] == 2
    with werkwijzer.app.state.sessions() as session:
        assert len(session.execute(select(Outcome)).scalars().all()) == 4  # every revision stays on record

    close(closed, "WMO-2026-000176", *VALUES["WMO-2026-000176"])  # changed back: the first values again
    back = _import(closed, werkwijzer, tmp_path)
    assert (back.corrected, back.not_decided, back.unchanged) == (1, 1, 2)  # a correction, not the first key again
    kind, payload = _trail(werkwijzer)[-1]
    assert kind == "outcome.corrected" and payload["revision"] == 3 and payload["handling_hours"] == 2.0


def test_a_wrong_value_names_zaak_field_and_expectation_and_records_nothing(
    closed: dict[str, Any], werkwijzer: LiveApi, tmp_path: Path
) -> None:
    zaak = close(closed, "BIJ-2026-000050", "veel", "complex", "misschien")
    with pytest.raises(ZGWImportError) as refused:
        _import(closed, werkwijzer, tmp_path)
    text = str(refused.value)
    assert zaak["url"] in text and "handling_hours (eigenschap 'bestede_uren')" in text
    assert "expected a number of hours above 0" in text and "'veel'" in text
    assert "integrated_approach (eigenschap 'integrale_aanpak'): expected true or false" in text
    assert "nothing recorded" in text and _trail(werkwijzer) == []


def test_an_unknown_effort_class_is_refused_by_the_api_with_the_zaak_named(
    closed: dict[str, Any], werkwijzer: LiveApi, tmp_path: Path
) -> None:
    zaak = close(closed, "BIJ-2026-000050", "4", "reuzenzaak", "nee")
    with pytest.raises(ZGWImportError, match="effort_class") as refused:
        _import(closed, werkwijzer, tmp_path)
    assert zaak["url"] in str(refused.value)


def test_the_outcomes_mapping_needs_all_three_eigenschappen(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(recording(), extra="outcomes:\n  effort_class: {eigenschap: zwaarte}\n"), "utf-8")
    with pytest.raises(ZGWImportError, match="'outcomes': expected exactly handling_hours, effort_class"):
        load_mapping(path)
    bad = OUTCOMES.replace("{eigenschap: zwaarte}", "{attribute: resultaat}")
    path.write_text(mapping_yaml(recording(), extra=bad), "utf-8")
    with pytest.raises(ZGWImportError, match=r"'outcomes.effort_class': expected \{eigenschap: NAAM\}"):
        load_mapping(path)
