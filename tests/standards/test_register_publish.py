"""``register publish``: the client against a fake register that checks bodies by the official schema,
and the command's refusals (invalid entry, failed or unknown gates, no token)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from cli.main import cli
from explain.register import build_entry
from tests.explain.test_register import card
from werkwijzer.settings import Settings, get_settings
from werkwijzer.standards import algoritmeregister as standard
from werkwijzer.standards.http import ServiceError
from werkwijzer.standards.register_client import RegisterClient, changes, read_record, write_record

URL = "https://register.example/aanleverapi/v1_0"


class FakeRegister:
    """The submission API's algorithm routes, refusing a body that fails AlgorithmIn with a 422 as FastAPI does."""

    def __init__(self, definition: Path, failures: list[int] | None = None):
        self.definition = definition
        self.algorithms: dict[str, dict[str, Any]] = {}
        self.failures = list(failures or [])
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        assert request.headers["Authorization"] == "Bearer t0ken"
        if self.failures:
            return httpx.Response(self.failures.pop(0), json={"detail": "try later"})
        parts = request.url.path.removeprefix("/aanleverapi/v1_0/").split("/")
        if request.method == "GET":
            return httpx.Response(
                200,
                json=[
                    {
                        "lars": k,
                        "source_id": v.get("source_id"),
                        "published": False,
                        "current_version_released": False,
                        "current_version_published": False,
                        "last_update_dt": "2026-12-01T10:00:00",
                    }
                    for k, v in self.algorithms.items()
                ],
            )
        body = json.loads(request.content)
        problems = standard.problems(body, self.definition)
        if problems:
            return httpx.Response(
                422,
                json={
                    "detail": [{"loc": ["body", p.field], "msg": p.message, "type": "value_error"} for p in problems]
                },
            )
        if request.method == "POST":
            lars = f"{len(self.algorithms) + 1:08d}"
            self.algorithms[lars] = body
            return httpx.Response(200, json={"lars_code": lars})
        self.algorithms[parts[3]] = body
        return httpx.Response(200, json={"message": "ok"})


@pytest.fixture(autouse=True)
def _fresh_settings() -> Any:
    yield
    get_settings.cache_clear()


@pytest.fixture
def entry(settings: Settings) -> dict[str, Any]:
    return build_entry(card(settings))


def client(fake: FakeRegister, retries: int = 3) -> RegisterClient:
    return RegisterClient(URL, "t0ken", transport=httpx.MockTransport(fake), retries=retries, sleep=lambda _: None)


def test_creates_then_updates_and_shows_what_changed(entry: dict, tmp_path: Path, register_definition: Path) -> None:
    fake = FakeRegister(register_definition)
    path = tmp_path / "algoritmeregister.json"
    with client(fake) as c:
        first = c.publish("gm0363", entry, None)
        write_record(path, first)
        changed = {**entry, "description_short": "Nieuwe korte omschrijving."}
        assert changes(read_record(path).entry, changed) == [
            f"~ description_short: {json.dumps(entry['description_short'], ensure_ascii=False)[:57]}... -> "
            '"Nieuwe korte omschrijving."'
        ]
        second = c.publish("gm0363", changed, read_record(path))
    assert first.lars == second.lars == "00000001"
    assert fake.algorithms["00000001"]["description_short"] == "Nieuwe korte omschrijving."
    assert fake.calls == [
        "GET /aanleverapi/v1_0/organizations/gm0363/algorithms",
        "POST /aanleverapi/v1_0/organizations/gm0363/algorithms",
        "PUT /aanleverapi/v1_0/organizations/gm0363/algorithms/00000001",
    ]


def test_finds_an_algorithm_registered_before_by_its_source_id(entry: dict, register_definition: Path) -> None:
    fake = FakeRegister(register_definition)
    fake.algorithms["00000042"] = entry
    with client(fake) as c:
        assert c.publish("gm0363", entry, None).lars == "00000042"
    assert fake.calls[-1].startswith("PUT") and len(fake.algorithms) == 1


def test_retries_429_and_5xx_a_bounded_number_of_times(entry: dict, register_definition: Path) -> None:
    fake = FakeRegister(register_definition, failures=[429, 503])
    with client(fake) as c:
        assert c.publish("gm0363", entry, None).lars == "00000001"
    fake = FakeRegister(register_definition, failures=[503] * 10)
    with client(fake, retries=2) as c, pytest.raises(ServiceError, match=r"answered 503.*gave up after 3 attempts"):
        c.publish("gm0363", entry, None)
    assert len(fake.calls) == 3


def test_a_validation_error_is_reported_by_field(entry: dict, register_definition: Path) -> None:
    fake = FakeRegister(register_definition)
    with client(fake) as c, pytest.raises(ServiceError, match=r"422.*body\.standard_version: '1\.0\.0' is not allowed"):
        c.publish("gm0363", {**entry, "standard_version": "1.0.0"}, None)
    assert sum(call.startswith("POST") for call in fake.calls) == 1  # a 422 is not retried


def _write(folder: Path, entry: dict, gates: dict | None) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "algoritmeregister.json"
    path.write_text(json.dumps(entry), encoding="utf-8")
    if gates is not None:
        (folder / "gates.json").write_text(json.dumps(gates), encoding="utf-8")
    return path


PASSED = {"performance": {"passed": True, "reason": "better"}, "fairness": {"passed": True, "reason": "ok"}}


def _publish(path: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    get_settings.cache_clear()  # the command reads the environment of this call
    return CliRunner().invoke(
        cli,
        [
            "register",
            "publish",
            "--entry",
            str(path),
            "--organisation",
            "gm0363",
            "--url",
            "http://127.0.0.1:9/aanleverapi/v1_0",
            *extra,
        ],
        env=env or {},
    )


def test_publish_refuses_a_model_whose_gates_failed(entry: dict, tmp_path: Path) -> None:
    gates = {**PASSED, "fairness": {"passed": False, "reason": "FPR ratio 0.61 for migration_background"}}
    result = _publish(_write(tmp_path / "m", entry, gates), env={"WERKWIJZER_REGISTER_TOKEN": "t0ken"})
    assert result.exit_code == 1
    assert "gates of this model failed" in result.output and "fairness: FPR ratio 0.61" in result.output


def test_publish_refuses_without_a_gate_record_or_a_valid_entry(entry: dict, tmp_path: Path) -> None:
    result = _publish(_write(tmp_path / "a", entry, None))
    assert result.exit_code == 1 and "no gate record" in result.output
    result = _publish(_write(tmp_path / "b", {**entry, "standard_version": "1.0.0"}, PASSED))
    assert result.exit_code == 1 and "'standard_version' (Versie publicatiestandaard)" in result.output


def test_publish_takes_the_token_from_the_environment_only(entry: dict, tmp_path: Path) -> None:
    path = _write(tmp_path / "m", entry, PASSED)
    result = _publish(path, "--dry-run")
    assert result.exit_code == 0 and "first publication" in result.output and "+ name:" in result.output
    result = _publish(path, env={"WERKWIJZER_REGISTER_TOKEN": ""})
    assert result.exit_code == 1 and "set WERKWIJZER_REGISTER_TOKEN" in result.output
    result = _publish(path, env={"WERKWIJZER_REGISTER_TOKEN": "t0ken", "WERKWIJZER_SERVICE_RETRIES": "0"})
    assert result.exit_code == 1 and "cannot be reached" in result.output and "t0ken" not in result.output
    assert not (tmp_path / "m" / "algoritmeregister.published.json").exists()
