"""``import zgw`` on the recorded set of simulated zaken: the simulator's own counts and features, nothing
personal, incremental runs, refusals and an API in trouble (httpx MockTransport, no network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.standards.zaken_fake import CLIENT_ID, SECRET, FakeZakenAPI, mapping_yaml, recording, unb64
from werkwijzer.contracts import read_cases, read_intake
from werkwijzer.settings import get_settings
from werkwijzer.standards.http import ServiceError
from werkwijzer.standards.zgw import ZakenClient, zgw_token
from werkwijzer.standards.zgw_import import ZGWImportError, case_key, load_mapping, local_date, run_import

DATA = Path(__file__).resolve().parent / "data"
START, END = dt.date(2026, 6, 22), dt.date(2026, 6, 28)
TODAY = dt.date(2026, 7, 1)


@pytest.fixture
def doc() -> dict[str, Any]:
    return recording()


def _mapping(tmp_path: Path, doc: dict[str, Any], extra: str = "") -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(doc, extra=extra), encoding="utf-8")
    return path


def _run(
    fake: FakeZakenAPI, mapping: Path, out: Path, *, until: dt.date = END, since: dt.date = START, retries: int = 3
) -> Any:
    with ZakenClient(
        fake.api, CLIENT_ID, SECRET, transport=httpx.MockTransport(fake), retries=retries, sleep=lambda _: None
    ) as api:
        return run_import(
            api.zaken,
            api.eigenschappen,
            url=fake.api,
            mapping=load_mapping(mapping),
            out=out,
            since=since,
            until=until,
            today=TODAY,
        )


def _read(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_csv(out / "intake.csv", dtype=str, keep_default_na=False),
        pd.read_csv(out / "cases.csv", dtype=str, keep_default_na=False).sort_values("case_id", ignore_index=True),
    )


def test_the_import_gives_the_simulators_own_counts_and_features(doc: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(FakeZakenAPI(doc), _mapping(tmp_path, doc), out)
    intake, cases = _read(out)
    expected_intake = pd.read_csv(DATA / "expected_intake.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(
        intake.sort_values(["series_id", "date"], ignore_index=True),
        expected_intake.sort_values(["series_id", "date"], ignore_index=True),
    )
    expected = pd.read_csv(DATA / "expected_cases.csv", dtype=str, keep_default_na=False)
    expected["decision_date"] = expected["decision_date"].where(expected["decision_date"] <= END.isoformat(), "")
    pd.testing.assert_frame_equal(cases, expected.sort_values("case_id", ignore_index=True)[cases.columns])
    assert result.unknown == {doc["unknown_zaaktype"]: 2} and result.zaken == 18 and result.cases == 16
    read_intake(out / "intake.csv", today=TODAY)  # what `werkwijzer validate` checks
    read_cases(out / "cases.csv")
    written = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    for personal in ("Vries", "Dorpsstraat", "06-12345678", "5.1214", "rollen", "Aanvraag"):
        assert personal not in written


def test_follows_every_page_and_signs_each_request(doc: dict, tmp_path: Path) -> None:
    fake = FakeZakenAPI(doc, page_size=4)
    _run(fake, _mapping(tmp_path, doc), tmp_path / "out")
    pages = [r for r in fake.requests if r.url.path.endswith("/zaken")]
    assert len(pages) == 5 and pages[0].url.params["registratiedatum__gt"] == "2026-06-21"
    assert all(r.headers["Authorization"].startswith("Bearer ey") for r in fake.requests)


def test_a_second_run_adds_what_changed_and_a_recounted_day_replaces_its_count(doc: dict, tmp_path: Path) -> None:
    out, mapping = tmp_path / "out", _mapping(tmp_path, doc)
    late = next(z for z in doc["zaken"] if z["registratiedatum"] == "2026-06-25" and z["zaaktype"] in doc["teams"])
    first = FakeZakenAPI(doc)
    first.zaken = [z for z in doc["zaken"] if z["registratiedatum"] <= "2026-06-25" and z is not late]
    _run(first, mapping, out, until=dt.date(2026, 6, 25))
    day = doc["teams"][late["zaaktype"]], "2026-06-25"
    before = _read(out)[0].set_index(["series_id", "date"])["value"]
    second = FakeZakenAPI(doc)
    _run(second, mapping, out)
    assert second.requests[0].url.params["registratiedatum__gt"] == "2026-06-24"  # the last day is counted again
    intake, cases = _read(out)
    assert int(intake.set_index(["series_id", "date"])["value"][day]) == int(before[day]) + 1
    full = tmp_path / "full"
    _run(FakeZakenAPI(doc), mapping, full)
    pd.testing.assert_frame_equal(intake, _read(full)[0])
    pd.testing.assert_frame_equal(cases, _read(full)[1])


def test_a_bsn_anywhere_it_would_leave_refuses_the_import(doc: dict, tmp_path: Path) -> None:
    zaak = next(z for z in doc["zaken"] if z["zaaktype"] in doc["teams"])
    doc["zaakeigenschappen"][zaak["uuid"]][0]["waarde"] = "belt 111222333 terug"
    out = tmp_path / "out"
    with pytest.raises(ZGWImportError, match=r"'channel' of zaak .* looks like a citizen service number") as info:
        _run(FakeZakenAPI(doc), _mapping(tmp_path, doc), out)
    assert "111222333" not in str(info.value)
    assert not (out / "cases.csv").exists() and not (out / "intake.csv").exists()


def test_an_api_in_trouble_is_retried_then_refused_with_nothing_half_written(doc: dict, tmp_path: Path) -> None:
    out, mapping = tmp_path / "out", _mapping(tmp_path, doc)
    _run(FakeZakenAPI(doc, failures=[429, 502]), mapping, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = FakeZakenAPI(doc, failures=[503] * 10)
    with pytest.raises(ServiceError, match=r"Zaken API answered 503 .*gave up after 3 attempts"):
        _run(broken, mapping, out, retries=2)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("  note: {attribute: toelichting}\n", "'toelichting' is never imported (free text)"),
        ("  who: {attribute: rollen}\n", "'rollen' is never imported (betrokkenen (persons))"),
        ("  team: {eigenschap: team}\n", "team is filled by the import itself"),
    ],
)
def test_a_mapping_asking_for_personal_data_is_refused(doc: dict, tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ZGWImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_mapping(_mapping(tmp_path, doc, extra))


def test_the_documented_mapping_example_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "zgw_mapping.yaml"
    mapping = load_mapping(example)
    assert len(mapping.teams) == 6 and mapping.needs_eigenschappen and mapping.case_id == "hash"
    assert mapping.outcomes == {
        "handling_hours": "bestede_uren",
        "effort_class": "zwaarte",
        "integrated_approach": "integrale_aanpak",
    }


def test_dates_are_read_in_europe_amsterdam() -> None:
    assert local_date("2026-06-28") == dt.date(2026, 6, 28)
    assert local_date("2026-06-28T22:30:00Z") == dt.date(2026, 6, 29)  # 00:30 summer time
    assert local_date("2026-01-15T23:30:00+00:00") == dt.date(2026, 1, 16)  # 00:30 winter time
    assert local_date("2026-06-28T23:30:00") == dt.date(2026, 6, 28)  # no zone: already local
    assert local_date(None) is None and local_date("gisteren") is None


def test_the_case_key_is_letters_only_and_stable(doc: dict, tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(doc).replace("case_id: identificatie", "case_id: hash"), encoding="utf-8")
    mapping = load_mapping(path)
    keys = {case_key(z, mapping) for z in doc["zaken"]}
    assert len(keys) == len(doc["zaken"]) and not any(c.isdigit() for k in keys for c in k)


def test_the_zgw_token_is_an_hs256_jwt_of_the_client() -> None:
    header, payload, _ = zgw_token(CLIENT_ID, SECRET, issued_at=1_780_000_000).split(".")
    assert json.loads(unb64(header)) == {"alg": "HS256", "typ": "JWT"}
    claims = json.loads(unb64(payload))
    assert claims["iss"] == claims["client_id"] == CLIENT_ID and claims["iat"] == 1_780_000_000


def test_the_command_takes_credentials_from_the_environment_only(doc: dict, tmp_path: Path) -> None:
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli,
            [
                "import",
                "zgw",
                "--url",
                doc["api"],
                "--since",
                "2026-06-22",
                "--mapping",
                str(_mapping(tmp_path, doc)),
                "--out",
                str(tmp_path / "o"),
            ],
            env={"WERKWIJZER_ZGW_CLIENT_ID": "", "WERKWIJZER_ZGW_SECRET": ""},
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "set WERKWIJZER_ZGW_CLIENT_ID and WERKWIJZER_ZGW_SECRET" in result.output
    assert not (tmp_path / "o").exists()


def test_werkwijzer_validate_accepts_what_the_import_wrote(doc: dict, tmp_path: Path, sim_dir: Path) -> None:
    out = tmp_path / "out"
    _run(FakeZakenAPI(doc), _mapping(tmp_path, doc), out)
    runner = CliRunner()
    intake = runner.invoke(cli, ["validate", str(out / "intake.csv"), "--kind", "intake"])
    cases = runner.invoke(
        cli,
        ["validate", str(out / "cases.csv"), "--kind", "cases", "--registry", str(sim_dir / "feature_registry.yaml")],
    )
    assert intake.exit_code == 0 and "intake OK" in intake.output, intake.output
    assert cases.exit_code == 0 and "16 cases, 5 teams" in cases.output, cases.output
