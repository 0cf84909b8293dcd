"""``werkwijzer users create`` and ``werkwijzer purge`` on the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from casework.config import MODEL_NAMES
from casework.db import make_engine, session_factory
from casework.security import hash_token
from casework.storage import AuditEvent, User
from cli.main import cli
from werkwijzer.settings import get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WERKWIJZER_HOME", str(tmp_path))
    monkeypatch.delenv("WERKWIJZER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_users_create_prints_the_token_last_and_stores_only_its_hash(home: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "users",
            "create",
            "--name",
            "Team Noord",
            "--role",
            "caseworker",
            "--team",
            "wmo_meldingen",
            "--team",
            "jeugdhulp",
        ],
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("ww_") and len(token) > 40
    engine = make_engine(f"sqlite:///{home / 'werkwijzer.db'}")
    with session_factory(engine)() as s:
        user = s.execute(select(User)).scalar_one()
        assert user.role == "caseworker" and user.token_hash == hash_token(token)
        assert user.teams == ["jeugdhulp", "wmo_meldingen"]
        assert token not in str([(c.name, getattr(user, c.name)) for c in User.__table__.columns])
        assert s.execute(select(AuditEvent.kind)).scalars().all() == ["user.created"]
    engine.dispose()


def test_users_revoke_deactivates_the_user_and_records_it(home: Path) -> None:
    created = CliRunner().invoke(
        cli, ["users", "create", "--name", "Team Zuid", "--role", "caseworker", "--team", "jeugdhulp"]
    )
    user_id = created.output.split()[2]
    result = CliRunner().invoke(cli, ["users", "revoke", user_id])
    assert result.exit_code == 0, result.output
    assert "within 5 s" in result.output
    engine = make_engine(f"sqlite:///{home / 'werkwijzer.db'}")
    with session_factory(engine)() as s:
        assert s.get(User, user_id).active is False
        assert s.execute(select(AuditEvent.kind)).scalars().all() == ["user.created", "user.revoked"]
    engine.dispose()
    unknown = CliRunner().invoke(cli, ["users", "revoke", "u-nobody"])
    assert unknown.exit_code != 0 and "u-nobody" in unknown.output


def test_users_create_refuses_an_unknown_role(home: Path) -> None:
    result = CliRunner().invoke(cli, ["users", "create", "--name", "x", "--role", "boss"])
    assert result.exit_code != 0 and "boss" in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "caseworker"], "needs at least one team"),
        (["--role", "team_lead", "--team", "brandweer"], "unknown team(s) brandweer"),
        (["--role", "auditor", "--team", "jeugdhulp"], "sees all teams"),
        (["--role", "caseworker", "--team", "jeugdhulp", "--name", "zaak 123456782"], "BSN"),
    ],
)
def test_users_create_refuses_missing_unknown_or_needless_teams_and_bsn_names(
    home: Path, args: list[str], says: str
) -> None:
    result = CliRunner().invoke(cli, ["users", "create", "--name", "x", *args])
    assert result.exit_code != 0 and says in result.output and "123456782" not in result.output


def test_users_teams_replaces_the_teams_and_rotate_replaces_the_token(home: Path) -> None:
    created = CliRunner().invoke(
        cli, ["users", "create", "--name", "Lead", "--role", "team_lead", "--team", "jeugdhulp"]
    )
    user_id, old = created.output.split()[2], created.output.strip().splitlines()[-1]
    result = CliRunner().invoke(cli, ["users", "teams", user_id, "--team", "wmo_meldingen", "--team", "jeugdhulp"])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["users", "teams", user_id]).exit_code != 0  # a team lead keeps at least one
    rotated = CliRunner().invoke(cli, ["users", "rotate", user_id])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip().splitlines()[-1]
    engine = make_engine(f"sqlite:///{home / 'werkwijzer.db'}")
    with session_factory(engine)() as s:
        user = s.get(User, user_id)
        assert user.teams == ["jeugdhulp", "wmo_meldingen"] and user.token_hash == hash_token(new) != hash_token(old)
        assert s.execute(select(AuditEvent.kind)).scalars().all() == [
            "user.created",
            "user.teams_changed",
            "user.token_rotated",
        ]
    engine.dispose()


def test_reload_reads_its_token_from_the_environment_or_standard_input_not_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    sent: list[str] = []

    def fake_post(url: str, headers: dict[str, str], timeout: float) -> httpx.Response:
        sent.append(headers["Authorization"])
        return httpx.Response(200, json={"results": {}})

    monkeypatch.setattr(httpx, "post", fake_post)
    monkeypatch.delenv("WERKWIJZER_TOKEN", raising=False)
    assert CliRunner().invoke(cli, ["reload"]).exit_code == 2  # no token anywhere: a usage error
    assert CliRunner().invoke(cli, ["reload"], env={"WERKWIJZER_TOKEN": "ww_env"}).exit_code == 0
    assert CliRunner().invoke(cli, ["reload", "--token-stdin"], input="ww_stdin\n").exit_code == 0
    legacy = CliRunner().invoke(cli, ["reload", "--token", "ww_argv"])
    assert legacy.exit_code == 0 and "visible to every user of this machine" in legacy.output
    assert sent == ["Bearer ww_env", "Bearer ww_stdin", "Bearer ww_argv"]
    assert "--token " not in CliRunner().invoke(cli, ["reload", "--help"]).output  # not offered any more


def test_purge_reports_what_it_removed(home: Path) -> None:
    result = CliRunner().invoke(cli, ["purge"])
    assert result.exit_code == 0, result.output
    assert "retention 400 days: advice 0" in result.output


@pytest.mark.slow
def test_serve_starts_the_api(tmp_path: Path) -> None:
    """``serve`` on a fresh home: starts, answers /health, /ready says which models have no champion;
    ``reload`` reaches it."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "WERKWIJZER_HOME": str(tmp_path), "PYTHONPATH": str(root), "WERKWIJZER_ENVIRONMENT": "test"}
    env.pop("WERKWIJZER_DATABASE_URL", None)
    get_settings.cache_clear()
    token = (
        CliRunner(env={"WERKWIJZER_HOME": str(tmp_path)})
        .invoke(cli, ["users", "create", "--name", "ops", "--role", "admin"])
        .output.strip()
        .splitlines()[-1]
    )
    get_settings.cache_clear()
    proc = subprocess.Popen(
        [sys.executable, "-m", "werkwijzer", "serve", "--port", str(port)],
        cwd=root,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stderr:  # blocks until uvicorn reports; no sleeping
            if "Application startup complete" in line or "error" in line.lower():
                break
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=30).json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/ready", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        # nothing approved yet is a decision, not a fault: ready, and it says which models have no champion
        assert ready.status_code == 200 and ready.json()["reasons"] == [], ready.text
        assert set(ready.json()["without_champion"]) == set(MODEL_NAMES) and set(ready.json()["models"].values()) == {
            None
        }
        reload = CliRunner().invoke(
            cli, ["reload", "--url", f"http://127.0.0.1:{port}"], env={"WERKWIJZER_TOKEN": token}
        )
        assert reload.exit_code == 0 and "werkwijzer-forecast: absent" in reload.output, reload.output
        refused = CliRunner().invoke(
            cli, ["reload", "--url", f"http://127.0.0.1:{port}", "--token-stdin"], input="ww_wrong\n"
        )
        assert refused.exit_code != 0 and "401" in refused.output
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()


def test_serve_logs_requests_only_when_asked(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No access log by default (the audit trail is the record; a log file is beyond the purge), and a
    bounded graceful shutdown (a SIGTERM ends the worker within ``shutdown_seconds``)."""
    import uvicorn

    calls: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Config, "bind_socket", lambda self: None)
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: calls.append(self.config))
    for extra in ([], ["--access-log"]):
        result = CliRunner().invoke(cli, ["serve", "--port", "8123", *extra])
        assert result.exit_code == 0, result.output
    from cli.service import run_api

    run_api("127.0.0.1", 8124)  # what `demo` calls to serve
    assert [c.access_log for c in calls] == [False, True, False]
    assert calls[0].port == 8123 and calls[0].factory is True
    assert all(c.timeout_graceful_shutdown == get_settings().shutdown_seconds for c in calls)
    assert all(c.timeout_worker_healthcheck >= 30 for c in calls)  # a worker loading models is not 'hung'
