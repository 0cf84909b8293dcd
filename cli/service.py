"""Commands that run the advisory service: ``serve``, ``users create|revoke|rotate|teams``, ``purge``, ``reload``."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from werkwijzer.vocabulary import API_PREFIX

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from werkwijzer.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request (client address, method, path, status) to standard output. Off by "
    "default: the audit trail is the record of who did what, and a log file is out of reach "
    "of the retention purge (ADR 0009).",
)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the API; it loads the champion models from MLflow at start-up."""
    from casework.db import store_session
    from casework.modelstore import limit_mlflow_waits
    from werkwijzer.settings import get_settings
    from werkwijzer.tracking import configure_mlflow

    settings = get_settings()
    with store_session(settings.database):
        pass  # migrate once, before the workers start
    limit_mlflow_waits(settings)  # a registry that does not answer delays start-up by seconds, not minutes
    try:  # an embedded MLflow store is created here, not by several workers at once
        configure_mlflow(settings).search_registered_models(max_results=1)
    except Exception as exc:  # the workers report and retry on reload; serving starts anyway
        click.echo(f"warning: MLflow registry not reachable yet: {exc}", err=True)
    click.echo(f"Pages:    http://{host}:{port}/  (sign in with a token from `werkwijzer users create`)")
    click.echo(f"API docs: http://{host}:{port}/docs")
    run_api(host, port, workers=workers, access_log=access_log)


def _share_metrics() -> None:
    """Several workers count into one folder (``PROMETHEUS_MULTIPROC_DIR``, default ``<home>/metrics``,
    emptied here), so a scrape of any of them answers for all; set before the workers import the app."""
    import os
    import shutil

    from werkwijzer.settings import get_settings

    folder = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(get_settings().home_dir / "metrics"))
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)


WORKER_HEALTHCHECK_SECONDS = 60  # see run_api


def run_api(
    host: str,
    port: int,
    *,
    workers: int = 1,
    access_log: bool = False,
    app: str = "api.main:create_app",
    sock: socket.socket | None = None,
) -> None:
    """Serve the app with uvicorn until stopped: ``serve`` and ``demo`` both start it here, so both
    write no access log unless asked (ADR 0009), and both stop within ``settings.shutdown_seconds``
    of a SIGTERM: new connections are refused at once, requests under way get that long to finish.
    ``app`` names the factory and ``sock`` is an already listening socket (the reliability tests
    serve toy models on one they made)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from werkwijzer.settings import get_settings

    # uvicorn's supervisor kills a worker that does not answer its health ping within 5 s by default; a
    # worker importing the model stack and loading champions on a busy two-core machine can take longer,
    # and was then killed and started again over and over. Workers answer the ping on a thread of their
    # own, so a longer wait only delays noticing a worker that really hangs.
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        timeout_graceful_shutdown=get_settings().shutdown_seconds,  # type: ignore[arg-type]  # seconds as a float: uvicorn waits with asyncio, its hint says int
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    listening = sock or config.bind_socket()
    if workers > 1:
        _share_metrics()
        from cli.supervisor import notice_dead_workers_at_once

        notice_dead_workers_at_once()
        Multiprocess(config, sockets=[listening]).run()
    else:
        uvicorn.Server(config).run(sockets=[listening])


@click.group()
def users() -> None:
    """Manage API users."""


TEAM_OPTION = click.option(
    "--team",
    "teams",
    multiple=True,
    metavar="TEAM",
    help="A team the user works for (repeatable; werkwijzer/teams.py). Caseworkers and "
    "team leads need at least one; other roles see all teams.",
)
T = TypeVar("T")


def _change_users(change: Callable[[Session, dt.datetime], T]) -> tuple[Settings, T]:
    """Run ``change(session, now)`` on the migrated database; a refusal (unknown user, bad teams) is the
    command's error message."""
    from casework.clock import utc_now
    from casework.db import store_session
    from werkwijzer.settings import get_settings

    settings = get_settings()
    try:
        with store_session(settings.database) as session:
            return settings, change(session, utc_now())
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


@users.command("create")
@click.option("--name", required=True, help="A name people recognise; not a citizen's name.")
@click.option(
    "--role", required=True, type=click.Choice(["caseworker", "team_lead", "model_owner", "auditor", "admin"])
)
@TEAM_OPTION
def users_create(name: str, role: str, teams: tuple[str, ...]) -> None:
    """Create a user; the token is printed once, on the last line, and stored only as a hash."""
    from casework.users import create_user

    settings, (user, token) = _change_users(lambda session, now: create_user(session, name, role, now, teams))
    click.echo(
        f"created user {user.id} ({name}, {role}{', ' + ' '.join(user.teams) if user.teams else ''}); "
        f"the token expires in {settings.token_ttl_days} days (WERKWIJZER_TOKEN_TTL_DAYS); "
        "keep it, it is not shown again:"
    )
    click.echo(token)


@users.command("revoke")
@click.argument("user_id")
def users_revoke(user_id: str) -> None:
    """Revoke a user's token (the user id is what `users create` printed and the audit trail shows)."""
    from casework.users import revoke

    settings, _ = _change_users(lambda session, now: revoke(session, user_id, now))
    click.echo(
        f"revoked {user_id}; new requests with its token are refused, by a running API within "
        f"{settings.token_cache_seconds:g} s (WERKWIJZER_TOKEN_CACHE_SECONDS)"
    )


@users.command("rotate")
@click.argument("user_id")
def users_rotate(user_id: str) -> None:
    """Give a user a new token (the old one stops working); printed once, on the last line."""
    from casework.users import rotate

    settings, (_, token) = _change_users(lambda session, now: rotate(session, user_id, now))
    click.echo(
        f"new token for {user_id}; the old one is refused, by a running API within "
        f"{settings.token_cache_seconds:g} s; this one expires in {settings.token_ttl_days} days "
        "(WERKWIJZER_TOKEN_TTL_DAYS); keep it, it is not shown again:"
    )
    click.echo(token)


@users.command("teams")
@click.argument("user_id")
@TEAM_OPTION
def users_teams(user_id: str, teams: tuple[str, ...]) -> None:
    """Set the teams of a caseworker or team lead (replaces the teams it had)."""
    from casework.users import set_teams

    settings, user = _change_users(lambda session, now: set_teams(session, user_id, teams, now))
    click.echo(
        f"{user_id} now works for {', '.join(user.teams)}; pages at once, a running API within "
        f"{settings.token_cache_seconds:g} s"
    )


@click.command()
def purge() -> None:
    """Delete advice, decisions and audit entries older than the retention period (at least 183 days)."""
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.retention import purge as purge_old
    from werkwijzer.settings import get_settings

    settings = get_settings()
    with store_session(settings.database) as session:
        counts = purge_old(session, settings, utc_now())
    click.echo(f"retention {settings.retention_days} days: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command()
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The running API.")
@click.option("--token-stdin", is_flag=True, help="Read the admin token from standard input (else WERKWIJZER_TOKEN).")
@click.option("--token", hidden=True, help="Deprecated: visible in ps; use WERKWIJZER_TOKEN or --token-stdin.")
def reload(url: str, token_stdin: bool, token: str | None) -> None:
    """Ask a running API to load newly approved champions now (other workers follow within a minute).

    The admin token comes from WERKWIJZER_TOKEN or, with --token-stdin, from standard input."""
    import httpx

    from cli.tokens import read_token

    token = read_token(stdin=token_stdin, given=token)

    response = httpx.post(
        f"{url.rstrip('/')}{API_PREFIX}/admin/reload", headers={"Authorization": f"Bearer {token}"}, timeout=300
    )
    if response.status_code != 200:
        raise click.ClickException(f"reload failed: {response.status_code} {response.text}")
    for name, result in response.json()["results"].items():
        click.echo(f"{name}: {result['status']} ({result['message']})")


COMMANDS = (serve, users, purge, reload)
