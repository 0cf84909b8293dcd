"""``werkwijzer import zgw --outcomes-to`` as a user runs it (docs/data.md, "Outcomes of closed zaken").

The fake Zaken API (the recorded zaken, five closed) answers over real HTTP on 127.0.0.1; the advisory API
is a served process (``werkwijzer serve``'s runner with the toy champions, ``tests/api/served.py``) where a
caseworker asked advice for the zaken' case keys and decided three. The command runs as a subprocess in a
folder of its own, with the mapping file, the ZGW client id and secret and the case-system token in the
environment exactly as the docs say, and nothing else of Werkwijzer's settings. Every step has a time limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from casework.db import make_engine, session_factory
from casework.storage import Outcome
from cli.main import cli
from tests.api.served import Target, serving, wait_ready
from tests.standards.closed_zaken import (
    DECIDED,
    OTHERS,
    OUTCOMES,
    UNDECIDED,
    UNKNOWN,
    advise_and_decide,
    close,
    closed_recording,
    outcome_trail,
)
from tests.standards.zaken_fake import CLIENT_ID, SECRET, FakeZakenAPI, mapping_yaml, moved, over_http, recording
from werkwijzer.settings import Settings, get_settings

WERKWIJZER = Path(sys.executable).parent / "werkwijzer"  # the installed command
STEP_SECONDS = 120.0  # per command or request, on a loaded machine
SINCE = "2026-06-22"


@pytest.fixture
def served(
    live_settings: Settings, live_models: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Target]:
    """A served API (its own process, SQLite) with the toy champions, a caseworker and an auditor."""
    folder = tmp_path / "api"
    folder.mkdir()
    with serving("sqlite", live_settings, request, folder) as target:
        wait_ready(target, timeout=STEP_SECONDS)
        yield target


def _fake_zaken(origin: str) -> FakeZakenAPI:
    return FakeZakenAPI(closed_recording(moved(recording(), origin)))


def _set(fake: FakeZakenAPI, ident: str, *values: str) -> str:
    """The case system changes a closed zaak's outcome eigenschappen; its URL."""
    doc = {"api": fake.api, "zaken": fake.zaken, "zaakeigenschappen": fake.eigenschappen}
    return str(close(doc, ident, *values)["url"])


def _case_system_token(target: Target, teams: set[str]) -> str:
    """``werkwijzer users create`` on the served database, as docs/data.md says; the token it printed last."""
    args = ["users", "create", "--name", "zaaksysteem", "--role", "caseworker"]
    get_settings.cache_clear()  # the command reads the environment below
    try:
        created = CliRunner().invoke(
            cli,
            [*args, *(a for team in sorted(teams) for a in ("--team", team))],
            env={"WERKWIJZER_DATABASE_URL": target.settings.database},
        )
    finally:
        get_settings.cache_clear()
    assert created.exit_code == 0, created.output
    return created.output.strip().splitlines()[-1]


def _run(folder: Path, args: list[str], token: str) -> subprocess.CompletedProcess[str]:
    """The command in ``folder`` with only the environment docs/data.md names (no other WERKWIJZER_ variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WERKWIJZER_") and "proxy" not in k.lower()}
    env |= {
        "WERKWIJZER_ZGW_CLIENT_ID": CLIENT_ID,
        "WERKWIJZER_ZGW_SECRET": SECRET,
        "WERKWIJZER_TOKEN_CASEWORKER": token,
    }
    return subprocess.run(
        [str(WERKWIJZER), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=STEP_SECONDS
    )


def _stored(target: Target) -> tuple[list[tuple[str, dict[str, Any]]], int]:
    """The served store's outcome entries on the audit trail, and its number of outcome rows."""
    engine = make_engine(target.settings.database)
    try:
        with session_factory(engine)() as session:
            return outcome_trail(session), session.execute(select(func.count()).select_from(Outcome)).scalar_one()
    finally:
        engine.dispose()


def test_import_zgw_records_outcomes_through_a_served_api_once_and_refuses_a_bad_value(
    served: Target, tmp_path: Path
) -> None:
    with httpx.Client(base_url=served.url, timeout=STEP_SECONDS) as http:
        advise_and_decide(http, served.headers("caseworker"))
    user = tmp_path / "user"
    user.mkdir()
    with over_http(_fake_zaken) as (origin, fake):
        doc = moved(recording(), origin)
        (user / "zgw_mapping.yaml").write_text(mapping_yaml(doc, extra=OUTCOMES), encoding="utf-8")
        args = ["import", "zgw", "--url", f"{origin}/zaken/api/v1", "--since", SINCE]
        args += ["--mapping", "zgw_mapping.yaml", "--out", "data/", "--outcomes-to", served.url]
        teams = {
            doc["teams"][z["zaaktype"]] for z in doc["zaken"] if z["identificatie"] in (*DECIDED, UNDECIDED, UNKNOWN)
        }
        token = _case_system_token(served, teams)  # another user than the caseworker who decided

        bad = _set(fake, "BIJ-2026-000050", "veel", "complex", "misschien")
        refused = _run(user, args, token)
        assert refused.returncode != 0, refused.stdout
        assert bad in refused.stderr and "handling_hours (eigenschap 'bestede_uren')" in refused.stderr
        assert "integrated_approach (eigenschap 'integrale_aanpak'): expected true or false" in refused.stderr
        assert "nothing recorded" in refused.stderr
        assert "wrote data/intake.csv, data/cases.csv" in refused.stdout  # the intake part is done by then
        assert _stored(served) == ([], 0)

        _set(fake, "BIJ-2026-000050", *OTHERS)  # corrected in the case system
        first = _run(user, args, token)
        assert first.returncode == 0, first.stderr
        assert "outcomes of 5 closed zaken: 3 recorded, 0 corrected, 0 unchanged" in first.stdout
        assert "not recorded, no advice in Werkwijzer for the case: 1" in first.stdout
        assert "not recorded, the case has no decision in Werkwijzer yet (tried again next run): 1" in first.stdout
        trail, rows = _stored(served)
        assert [k for k, _ in trail] == ["outcome.recorded"] * 3 and rows == 3
        by_case = {p["case_id"]: p for _, p in trail}
        assert set(by_case) == set(DECIDED) and not {UNDECIDED, UNKNOWN} & set(by_case)
        shv = by_case["SHV-2026-000032"]  # "6,5" hours and "ja" as the case system wrote them
        assert (shv["handling_hours"], shv["effort_class"], shv["integrated_approach"]) == (6.5, "gemiddeld", True)
        bij = by_case["BIJ-2026-000050"]
        assert (bij["handling_hours"], bij["effort_class"], bij["integrated_approach"]) == (12.0, "complex", True)

        again = _run(user, args, token)
        assert again.returncode == 0, again.stderr
        assert "outcomes of 5 closed zaken: 0 recorded, 0 corrected, 3 unchanged" in again.stdout
        assert _stored(served) == (trail, 3)  # nothing new sent
        assert all(r.url.host == "127.0.0.1" for r in fake.requests)

    verify = httpx.get(f"{served.url}/api/v1/audit/verify", headers=served.headers("auditor"), timeout=STEP_SECONDS)
    assert verify.json()["valid"], verify.text
