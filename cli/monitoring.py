"""``werkwijzer simulate-usage`` (live data through a running API) and ``werkwijzer monitor``."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from werkwijzer.vocabulary import TRIAGE_TARGETS

if TYPE_CHECKING:  # only for the hints; the commands import what they run (ADR 0002)
    from casework.modelstore import ModelStore
    from flows.monitor import MonitorRun
    from werkwijzer.settings import Settings
    from werkwijzer.usage import UsageSummary

LOCAL_ROLES = ("caseworker", "team_lead")


def _tokens(token_file: Path | None, tokens: tuple[str, ...], settings: Settings) -> dict[str, str]:
    """Tokens from WERKWIJZER_TOKEN_<ROLE>, --token-file (``-``: standard input) and the deprecated
    --token ROLE=TOKEN; without any, new users in the local store.

    The local users (``simulatie-caseworker``, ``simulatie-team_lead``) are created through the
    API's own user service in ``settings.database``, so they only work against an API serving that
    store (the embedded home of ``werkwijzer demo``). Their tokens are used and forgotten.
    """
    from cli.tokens import role_tokens_from_env, warn_command_line
    from werkwijzer.client import ApiError, read_token_file

    found = role_tokens_from_env(LOCAL_ROLES)
    if token_file:
        found |= read_token_file(token_file)
    if tokens:
        warn_command_line()
    for item in tokens:
        role, sep, token = item.partition("=")
        if not sep or not token:
            raise ApiError(f"--token expects ROLE=TOKEN, got {item!r}")
        found[role.strip()] = token.strip()
    if found:
        return found
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.users import create_local_users

    # simulated staff work for every team: the simulation covers them all
    with store_session(settings.database) as session:
        found.update(create_local_users(session, "simulatie", LOCAL_ROLES, utc_now()))
    click.echo(f"created users {', '.join('simulatie-' + r for r in LOCAL_ROLES)} in {settings.database}")
    return found


def _step_line(text: str) -> None:
    """A step of the use, one line each; the count of cases is the progress bar's."""
    if not text.startswith("cases:"):
        click.echo(f"  {text}")


def _first_new_day(settings: Settings, weeks: int) -> dt.date:
    """The day after the training data's last day, else the Monday ``weeks`` weeks back."""
    from werkwijzer.contracts.tables import read_table

    daily = settings.data_dir / "intake_daily.csv"
    if daily.is_file():
        last = max(dt.date.fromisoformat(d) for d in read_table(daily)["date"] if d)
        return last + dt.timedelta(days=1)
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday() + 7 * weeks)


def _group(_ctx: click.Context, _param: click.Parameter, text: str) -> tuple[str, str]:
    attribute, sep, group = text.partition("=")
    if not sep or not attribute.strip() or not group.strip():
        raise click.BadParameter(f"expected CHARACTERISTIC=GROUP, got {text!r}", param_hint="--outcome-drift-group")
    return attribute.strip(), group.strip()


@click.command("simulate-usage")
@click.option("--weeks", type=click.IntRange(1, 104), required=True, help="Weeks of use to simulate.")
@click.option(
    "--drift",
    type=click.FloatRange(0, 10),
    default=0.0,
    show_default=True,
    help="Shift the model input: numbers grow by 1+F, complete documents get rarer.",
)
@click.option("--fairness-breach", is_flag=True, help="Caseworkers judge one group harsher than the advice.")
@click.option("--rubber-stamp", is_flag=True, help="Caseworkers follow every advice.")
@click.option(
    "--anchoring",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Caseworkers follow shown advice more: where their own judgement differs, they take the advice "
    "with this chance (the control share, which sees none, shows the effect).",
)
@click.option(
    "--outcome-drift",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of one group's cases that turn out lighter than advised while caseworkers keep agreeing "
    "(only outcomes show it).",
)
@click.option(
    "--outcome-drift-group",
    default="migration_background=buiten_europa",
    show_default=True,
    metavar="CHARACTERISTIC=GROUP",
    callback=_group,
    help="The group whose outcomes drift.",
)
@click.option(
    "--outcome-drift-target",
    type=click.Choice(["both", *TRIAGE_TARGETS]),
    default="both",
    show_default=True,
    help="Which served model's truth drifts: the effort class turns out lightest, the integrated approach "
    "turns out not needed, or both.",
)
@click.option(
    "--outcomes/--no-outcomes", default=True, show_default=True, help="Report the outcome of each closed case."
)
@click.option("--seed", type=int, default=None, help="Random seed (default: the settings' seed).")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The running API.")
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Lines '<role> <token>' (caseworker and team_lead); '-' reads them from standard input. "
    "Or set WERKWIJZER_TOKEN_CASEWORKER and WERKWIJZER_TOKEN_TEAM_LEAD.",
)
@click.option(
    "--token",
    "tokens",
    multiple=True,
    metavar="ROLE=TOKEN",
    hidden=True,
    help="Deprecated: visible in ps; use the environment or --token-file.",
)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day of use (default: the day after the training data).",
)
@click.option(
    "--inhabitants",
    type=click.IntRange(min=5_000),
    default=100_000,
    show_default=True,
    help="As given to 'werkwijzer demo'.",
)
@click.option(
    "--years", type=click.IntRange(2, 20), default=6, show_default=True, help="As given to 'werkwijzer demo'."
)
def simulate_usage(
    weeks: int,
    drift: float,
    fairness_breach: bool,
    rubber_stamp: bool,
    anchoring: float,
    outcome_drift: float,
    outcome_drift_group: tuple[str, str],
    outcome_drift_target: str,
    outcomes: bool,
    seed: int | None,
    url: str,
    token_file: Path | None,
    tokens: tuple[str, ...],
    start: dt.datetime | None,
    inhabitants: int,
    years: int,
) -> None:
    """Feed new weeks of intake, cases, decisions and objections through the running API.

    Protected characteristics of the simulated cases go only to the audit file
    (Settings.characteristics_file), never to the API.
    """
    from cli.terminal import ProgressBars, where_the_details_are
    from werkwijzer.client import ApiError, WerkwijzerClient
    from werkwijzer.settings import get_settings
    from werkwijzer.simulation.usage import Behaviour, simulate_weeks
    from werkwijzer.usage import champion_schema, feed_usage

    settings = get_settings()
    seed = settings.seed if seed is None else seed
    began = time.perf_counter()
    try:
        schema = champion_schema(settings)
        with WerkwijzerClient(url, _tokens(token_file, tokens, settings)) as client:
            client.check()
            first = start.date() if start else _first_new_day(settings, weeks)
            usage = simulate_weeks(first, weeks, inhabitants=inhabitants, years=years, seed=seed)
            behaviour = Behaviour(
                rubber_stamp=rubber_stamp,
                fairness_breach=fairness_breach,
                anchoring=anchoring,
                outcome_drift=outcome_drift,
                outcome_drift_group=outcome_drift_group,
                outcome_drift_target=outcome_drift_target,
            )
            with ProgressBars() as bars:
                summary = feed_usage(
                    client,
                    usage,
                    schema,
                    settings,
                    behaviour=behaviour,
                    drift=drift,
                    outcomes=outcomes,
                    seed=seed,
                    progress=_step_line,
                    on_case=lambda done, total: bars.advance("cases through the API", done, total),
                )
    except (ApiError, LookupError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"simulated {summary.start} to {summary.end}: {summary.advice} cases, {summary.advised} with advice, "
        f"{summary.followed} of {summary.decisions} decisions followed the advice, "
        f"{summary.objections} objections, {summary.outcomes} outcomes of closed cases; "
        f"intake for {summary.intake_days} team-days"
        + (f" ({summary.skipped_future_days} future team-days not sent)" if summary.skipped_future_days else "")
    )
    click.echo(f"characteristics (audit file only): {summary.characteristics_file}")
    click.echo(f"took {time.perf_counter() - began:.0f} s")
    where_the_details_are()


def simulate_use_in_process(
    settings: Settings,
    tokens: dict[str, str],
    weeks: int,
    first_day: dt.date,
    *,
    inhabitants: int,
    years: int,
    store: ModelStore | None = None,
) -> tuple[UsageSummary, MonitorRun]:
    """``werkwijzer demo --usage-weeks``: serve the API on a free loopback port for as long as it
    takes to feed ``weeks`` of use over HTTP, then run one monitoring pass. Returns both summaries."""
    import socket
    import threading

    import uvicorn

    from api.main import create_app
    from flows.monitor import monitor as monitor_flow
    from werkwijzer.client import WerkwijzerClient
    from werkwijzer.simulation.usage import simulate_weeks
    from werkwijzer.usage import champion_schema, feed_usage

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="werkwijzer-usage-api", daemon=True)
    thread.start()
    try:
        for _ in range(600):
            if server.started or not thread.is_alive():
                break
            time.sleep(0.05)
        if not server.started:
            raise click.ClickException("the API for the simulated use did not start")
        usage = simulate_weeks(first_day, weeks, inhabitants=inhabitants, years=years, seed=settings.seed)
        with WerkwijzerClient(f"http://127.0.0.1:{port}", tokens) as client:
            client.check()
            summary = feed_usage(client, usage, champion_schema(settings), settings, seed=settings.seed)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    return summary, monitor_flow(settings=settings)


_CRON = re.compile(r"^\S+(\s+\S+){4}$")


@click.command()
@click.option("--once", is_flag=True, help="Run one monitoring pass now.")
@click.option("--cron", default=None, metavar="EXPR", help='Serve the flow on a schedule, e.g. "0 6 * * 1".')
@click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    default=None,
    help="With --once: end of the window (UTC; default now).",
)
def monitor(once: bool, cron: str | None, end: dt.datetime | None) -> None:
    """Monitoring: forecast error, drift, live fairness, agreement, objections; stop switches advice off."""
    if once == (cron is not None):
        raise click.UsageError("give exactly one of --once or --cron")
    if cron is not None:
        if not _CRON.match(cron.strip()):
            raise click.UsageError(f"--cron expects five fields (minute hour day month weekday), got {cron!r}")
        from prefect.settings import get_current_settings

        from flows.monitor import serve

        if not get_current_settings().api.url:  # an ephemeral server runs no scheduler
            click.echo(
                "note: schedules fire only with a Prefect server: start one with 'prefect server start' "
                "(same PREFECT_HOME) and set PREFECT_API_URL=http://127.0.0.1:4200/api",
                err=True,
            )
        click.echo(f"serving the monitoring flow with cron {cron!r} (Ctrl+C stops)")
        serve(cron)
        return
    from casework.frames import StoreNotReady, open_store
    from cli.terminal import where_the_details_are
    from flows.monitor import monitor as monitor_flow
    from models.thresholds import level_name
    from werkwijzer.settings import get_settings

    began = time.perf_counter()
    try:
        open_store(get_settings()).dispose()  # refuse a store the API never started on, before the flow
    except StoreNotReady as exc:
        raise click.ClickException(str(exc)) from exc
    run = monitor_flow(end=end)
    click.echo(
        f"period {run.period.start:%Y-%m-%d %H:%M} to {run.period.end:%Y-%m-%d %H:%M} UTC: "
        f"{run.counts.get('advice', 0)} advice, {run.counts.get('decisions', 0)} decisions"
    )
    for finding in run.findings:
        click.echo(f"  [{level_name(finding.level, 'en')}] {finding.message_nl}")
    for note in run.notes:
        click.echo(f"  (niet gemeten) {note}")
    if run.stopped:
        click.echo(f"advice switched OFF for: {', '.join(run.stopped)} (see the audit trail)")
    click.echo(f"MLflow run {run.run_id} ({time.perf_counter() - began:.0f} s)")
    where_the_details_are()
    stops = sum(finding.level == "stop" for finding in run.findings)
    if stops:
        from cli.exits import needs_attention

        needs_attention(f"{stops} stop finding(s): a person must look before advice is switched on again; exit code 3")


COMMANDS = (simulate_usage, monitor)
