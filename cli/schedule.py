"""``werkwijzer schedule deploy`` and ``schedule list``: the scheduled flows on a Prefect work pool (ADR 0017).

``deploy`` is idempotent: it makes the process work pool when missing and creates or updates the
deployments of the monitoring pass and the weekly forecast retraining with their cron schedules
(time zone Europe/Amsterdam by default). ``prefect worker start --pool NAME`` runs them.
"""

from __future__ import annotations

import re

import click

from werkwijzer.scheduling import MONITOR_CRON, POOL, RETRAIN_CRON, TIMEZONE

_CRON = re.compile(r"^\S+(\s+\S+){4}$")


def _cron(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not _CRON.match(value.strip()):
        raise click.BadParameter(f"expects five fields (minute hour day month weekday), got {value!r}")
    return value.strip()


def _timezone(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{value!r} is not an IANA time zone such as Europe/Amsterdam") from None
    return value


@click.group()
def schedule() -> None:
    """Monitoring and retraining on a schedule, run by a Prefect worker (needs PREFECT_API_URL)."""


@schedule.command("deploy")
@click.option("--pool", default=POOL, show_default=True, help="Prefect work pool (made when missing).")
@click.option(
    "--monitor-cron", default=MONITOR_CRON, show_default=True, callback=_cron, help="When the monitoring pass runs."
)
@click.option(
    "--retrain-cron", default=RETRAIN_CRON, show_default=True, callback=_cron, help="When the forecasts are retrained."
)
@click.option(
    "--timezone", default=TIMEZONE, show_default=True, callback=_timezone, help="Time zone of the cron expressions."
)
def deploy(pool: str, monitor_cron: str, retrain_cron: str, timezone: str) -> None:
    """Create or update the work pool and the scheduled deployments (safe to run again)."""
    from flows.deployments import NoPrefectServer, Plan, api_url
    from flows.deployments import deploy as deploy_plan
    from werkwijzer.settings import get_settings

    settings = get_settings()
    try:
        names = _run(deploy_plan(Plan(pool, monitor_cron, retrain_cron, timezone), settings))
        url = api_url()
    except NoPrefectServer as exc:
        raise click.ClickException(str(exc)) from exc
    for name, cron in zip(names, (retrain_cron, monitor_cron), strict=True):
        click.echo(f"deployed {name}: cron {cron!r} ({timezone}) on pool {pool!r}")
    click.echo(f"on {url}; runs start when a worker polls the pool: prefect worker start --pool {pool}")
    click.echo(f"the runs use the home {settings.home_dir} and the worker's WERKWIJZER_* settings for the stores")


@schedule.command("list")
@click.option("--pool", default=POOL, show_default=True, help="Prefect work pool.")
def list_(pool: str) -> None:
    """The deployments on the pool: schedule, next run and the last run's state."""
    from prefect.exceptions import ObjectNotFound

    from flows.deployments import NoPrefectServer, listing

    try:
        found = _run(listing(pool))
    except NoPrefectServer as exc:
        raise click.ClickException(str(exc)) from exc
    except ObjectNotFound:
        raise click.ClickException(
            f"no work pool {pool!r} on the Prefect server: run 'werkwijzer schedule deploy'"
        ) from None
    if not found:
        click.echo(f"no deployments on pool {pool!r}: run 'werkwijzer schedule deploy'")
    for item in found:
        upcoming = f"{item.next_run:%Y-%m-%d %H:%M %Z}" if item.next_run else "none scheduled"
        click.echo(
            f"{item.name}: {', '.join(item.schedules) or 'no schedule'}; next {upcoming}; "
            f"last run {item.last_state or 'none yet'}"
        )


def _run(coroutine):
    import asyncio

    return asyncio.run(coroutine)


COMMANDS = (schedule,)
