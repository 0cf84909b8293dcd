"""Fixtures for the page tests: the API app on SQLite with one user per role, and signed-in browsers.

A page client talks to ``http://127.0.0.1`` because the session cookie is ``Secure`` everywhere
but plain http on the loopback address; it does not follow redirects, so tests see them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casework.config import TRIAGE_EFFORT
from casework.modelstore import ModelStore
from tests.api.conftest import Api, new_case, start_api
from werkwijzer.settings import Settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def page_client(api: Api) -> TestClient:
    return TestClient(api.app, base_url="http://127.0.0.1", follow_redirects=False)


def sign_in(api: Api, role: str) -> TestClient:
    """A client with a session for ``role``, signed in through the form as a person would."""
    client = page_client(api)
    form = client.get("/aanmelden")
    r = client.post("/aanmelden", data={"csrf_token": csrf_of(form.text), "token": api.tokens[role]})
    assert r.status_code == 303, r.text
    return client


@pytest.fixture(scope="session")
def web(api_settings: Settings, model_store: ModelStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    from flows.evidence import write_systemcard

    folder: Path = tmp_path_factory.mktemp("web-db")
    for api in start_api(
        api_settings.model_copy(update={"database_url": f"sqlite:///{folder / 'web.db'}"}), model_store
    ):
        write_systemcard(api.settings, TRIAGE_EFFORT, folder / "systemcard")  # the system card page has one
        yield api


@pytest.fixture(scope="session")
def page_ids(web: Api) -> dict[str, str]:
    """What fills the placeholders of ``tests/api/web/pages.PAGES``: advice with and without a suggestion, and
    the model whose system card the ``web`` fixture wrote."""
    return {
        "advised": make_advice(web, 7001),
        "unadvised": make_advice(web, 7002, advised=False),
        "name": TRIAGE_EFFORT,
    }


def make_advice(api: Api, n: int, *, advised: bool = True, **features: object) -> str:
    """New advice through the API; ``advised=False`` puts it in the control share."""
    api.rng.pinned = 0.99 if advised else 0.0
    try:
        r = api.client.post("/api/v1/advice", json=new_case(n, **features), headers=api.headers("caseworker"))
    finally:
        api.rng.pinned = 0.99
    assert r.status_code == 201, r.text
    assert (r.json()["suggestion"] is not None) == advised
    return r.json()["advice_id"]
