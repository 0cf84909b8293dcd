"""The publish client and the import against Prism mock servers started from the official definitions.

Prism (``--errors``) refuses any request its definition does not allow, so a 200 here means our
request conforms; its answers are what the definition allows — example values, foreign ``next``
links, random data with optional fields left out (``Prefer: dynamic=true``) and every error status
the definition lists (``Prefer: code=…``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from cli.main import cli
from explain.register import build_entry
from tests.explain.test_register import card
from werkwijzer.contracts import read_cases, read_intake
from werkwijzer.settings import Settings, get_settings
from werkwijzer.standards.http import ServiceError
from werkwijzer.standards.register_client import RegisterClient
from werkwijzer.standards.zgw import ZakenClient
from werkwijzer.standards.zgw_import import load_mapping, run_import

GATES = {"performance": {"passed": True, "reason": "better"}, "fairness": {"passed": True, "reason": "ok"}}


class Prefer(httpx.HTTPTransport):
    """Adds Prism's ``Prefer`` header to every request and counts them."""

    def __init__(self, prefer: str):
        super().__init__()
        self.prefer = prefer
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        request.headers["Prefer"] = self.prefer
        return super().handle_request(request)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Any:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# -- the Algoritmeregister submission API --------------------------------------------------------------


def _entry_folder(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "algoritmeregister.json").write_text(json.dumps(build_entry(card(settings))), encoding="utf-8")
    (folder / "gates.json").write_text(json.dumps(GATES), encoding="utf-8")
    return folder / "algoritmeregister.json"


def _publish(entry: Path, url: str) -> Any:
    get_settings.cache_clear()
    return CliRunner().invoke(
        cli,
        ["register", "publish", "--entry", str(entry), "--organisation", "gm0363", "--url", url],
        env={"WERKWIJZER_REGISTER_TOKEN": "t0ken"},
    )


def test_publish_creates_then_updates_against_the_mock(register_mock: Any, settings: Settings, tmp_path: Path) -> None:
    entry = _entry_folder(tmp_path, settings)
    first = _publish(entry, register_mock.url)
    assert first.exit_code == 0, first.output
    assert "first publication" in first.output and "sent to the register as algorithm string" in first.output
    record = json.loads((entry.parent / "algoritmeregister.published.json").read_text(encoding="utf-8"))
    assert record["lars"] == "string"  # the definition's example lars_code
    changed = {**record["entry"], "description_short": "Een nieuwe korte omschrijving."}
    entry.write_text(json.dumps(changed), encoding="utf-8")
    second = _publish(entry, register_mock.url)
    assert second.exit_code == 0, second.output
    assert "~ description_short:" in second.output and "+ " not in second.output
    assert any("put /organizations/gm0363/algorithms/string" in line for line in register_mock.log)


@pytest.mark.parametrize(
    ("code", "attempts", "message"),
    [
        ("422", 1, r"answered 422 to POST .*: string: string"),
        ("429", 3, r"answered 429 .*gave up after 3 attempts"),
        ("401", 1, r"answered 401 to POST"),
    ],
)
def test_publish_reports_the_errors_the_definition_lists(
    register_mock: Any, settings: Settings, code: str, attempts: int, message: str
) -> None:
    transport = Prefer(f"code={code}")
    with (
        RegisterClient(register_mock.url, "t0ken", transport=transport, retries=2, sleep=lambda _: None) as client,
        pytest.raises(ServiceError, match=message),
    ):
        client.create("gm0363", build_entry(card(settings)))
    assert transport.sent == attempts


def test_publish_takes_random_answers_with_optional_fields_absent(register_mock: Any, settings: Settings) -> None:
    with RegisterClient(register_mock.url, "t0ken", transport=Prefer("dynamic=true"), sleep=lambda _: None) as client:
        for _ in range(3):
            publication = client.publish("gm0363", build_entry(card(settings)), None)
            assert isinstance(publication.lars, str) and publication.lars


# -- the Zaken API ----------------------------------------------------------------------------------------


def _mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "teams:\n  http://example.com: wmo_meldingen\nfeatures:\n  household_type: {eigenschap: string}\n"
        "  decision_date: {attribute: einddatum}\n",
        encoding="utf-8",
    )
    return path


def test_the_import_refuses_a_next_page_on_another_host_and_writes_nothing(zaken_mock: Any, tmp_path: Path) -> None:
    """The definition's example page links to http://api.example.org/…: the token is not sent there."""
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "zgw",
            "--url",
            zaken_mock.url,
            "--since",
            "2019-08-01",
            "--until",
            "2019-08-31",
            "--mapping",
            str(_mapping(tmp_path)),
            "--out",
            str(out),
        ],
        env={"WERKWIJZER_ZGW_CLIENT_ID": "werkwijzer", "WERKWIJZER_ZGW_SECRET": "s" * 32},
    )
    assert result.exit_code == 1, result.output
    assert "pointed to api.example.org" in result.output and "Nothing was written" in result.output
    assert not list(out.glob("*.csv")) and not (out / "zgw_import_state.json").exists()


def test_a_page_of_the_mock_becomes_valid_intake_and_cases(zaken_mock: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with ZakenClient(zaken_mock.url, "werkwijzer", "s" * 32, sleep=lambda _: None) as api:
        result = run_import(
            lambda after: itertools.islice(api.zaken(after), 1),
            api.eigenschappen,
            url=zaken_mock.url,
            mapping=load_mapping(_mapping(tmp_path)),
            out=out,
            since=dt.date(2019, 8, 1),
            until=dt.date(2019, 8, 31),
            today=dt.date(2026, 7, 1),
        )
    assert result.cases == 1
    intake = read_intake(out / "intake.csv", today=dt.date(2026, 7, 1))
    assert len(intake) == 31 and intake["value"].sum() == 1
    cases = read_cases(out / "cases.csv")
    assert list(cases.columns) == ["case_id", "team", "received_date", "household_type", "decision_date"]
    assert str(cases["received_date"].iloc[0].date()) == "2019-08-24"


@pytest.mark.parametrize(("code", "attempts"), [("500", 3), ("429", 3), ("403", 1)])
def test_the_import_reports_the_errors_the_definition_lists(
    zaken_mock: Any, tmp_path: Path, code: str, attempts: int
) -> None:
    transport = Prefer(f"code={code}")
    with (
        ZakenClient(
            zaken_mock.url, "werkwijzer", "s" * 32, transport=transport, retries=2, sleep=lambda _: None
        ) as api,
        pytest.raises(ServiceError, match=f"Zaken API answered {code}"),
    ):
        run_import(
            api.zaken,
            api.eigenschappen,
            url=zaken_mock.url,
            mapping=load_mapping(_mapping(tmp_path)),
            out=tmp_path / "out",
            since=dt.date(2026, 6, 1),
            today=dt.date(2026, 7, 1),
        )
    assert transport.sent == attempts and not list((tmp_path / "out").glob("*.csv"))


def test_the_import_takes_random_zaken_and_reports_what_it_cannot_place(zaken_mock_random: Any, tmp_path: Path) -> None:
    """Random zaken (optional fields absent, zaaktypen no mapping knows, any date): counted, reported,
    never put in a team; the intake is still written and valid."""
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "zgw",
            "--url",
            zaken_mock_random.url,
            "--since",
            "1900-01-01",
            "--until",
            "1999-12-31",
            "--mapping",
            str(_mapping(tmp_path)),
            "--out",
            str(out),
        ],
        env={"WERKWIJZER_ZGW_CLIENT_ID": "werkwijzer", "WERKWIJZER_ZGW_SECRET": "s" * 32},
    )
    assert result.exit_code == 0, result.output
    assert "0 cases of known zaaktypes" in result.output and "not counted, unknown zaaktype" in result.output
    intake = read_intake(out / "intake.csv", today=dt.date(2026, 7, 1))
    assert set(intake["series_id"]) == {"wmo_meldingen"} and intake["value"].sum() == 0
    assert not (out / "cases.csv").exists()
