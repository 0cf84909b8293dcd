"""``werkwijzer demo``: the whole chain on the embedded defaults, from a fresh clone.

simulate -> train forecasts -> train triage aids -> one demo user per role, and the demo's model
owner approves the candidates that passed their gates (nothing is served before a person approves
it, ADR 0019) -> advice for a
dozen new cases (so the caseworker's pages have work on them) -> [with ``--usage-weeks N``: N
weeks of simulated use through the API and one monitoring pass] -> serve. Every step
writes under ``WERKWIJZER_HOME``; the tokens are printed once (they are stored only as hashes).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # only for the hints; the commands import what they run (ADR 0002)
    from werkwijzer.settings import Settings

ROLES = ("caseworker", "team_lead", "model_owner", "auditor", "admin")
FORECAST_HORIZON_WEEKS = 13
DEMO_CASES = 12
STEPS = 6


def _step(number: int, text: str) -> float:
    click.echo(f"[{number}/{STEPS}] {text}")
    return time.perf_counter()


def _done(start: float, detail: str) -> None:
    click.echo(f"      {detail} ({time.perf_counter() - start:.0f} s)")


@click.command()
@click.option("--no-serve", is_flag=True, help="Stop after training and creating the demo users.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--inhabitants", type=click.IntRange(min=5_000), default=100_000, show_default=True)
@click.option("--years", type=click.IntRange(2, 20), default=6, show_default=True)
@click.option(
    "--usage-weeks",
    type=click.IntRange(0, 26),
    default=0,
    show_default=True,
    help="Also feed this many weeks of use through the API and run one monitoring pass "
    "(the simulated history then ends that many weeks earlier).",
)
def demo(no_serve: bool, host: str, port: int, inhabitants: int, years: int, usage_weeks: int) -> None:
    """Run everything on a simulated municipality and serve the advisory API."""
    import datetime as dt

    from cli.terminal import where_the_details_are
    from werkwijzer.settings import get_settings
    from werkwijzer.simulation import last_full_week_end, simulate_municipality

    settings = get_settings()
    data = settings.data_dir
    began = time.perf_counter()
    history_end = last_full_week_end() - dt.timedelta(weeks=usage_weeks)

    start = _step(1, f"Simulating a municipality of {inhabitants:,} inhabitants over {years} years")
    simulate_municipality(data, inhabitants=inhabitants, years=years, seed=settings.seed, end=history_end)
    _done(start, f"data in {data}")

    start = _step(2, "Training workload forecasts per team (backtest, fit, SHAP drivers, MLflow)")
    from cli.terminal import ProgressBars
    from flows.train_forecast import train_forecast
    from werkwijzer.progress import reporting

    with ProgressBars() as bars, reporting(bars.advance):
        forecast = train_forecast(
            data / "intake_weekly.csv",
            freq="W",
            horizon=FORECAST_HORIZON_WEEKS,
            norms=data / "norms.csv",
            staffing=data / "staffing.csv",
            settings=settings,
        )
    _done(
        start,
        f"werkwijzer-forecast version {forecast.model_version}: "
        f"{'candidate' if forecast.candidate else 'not a candidate'} ({forecast.gate})",
    )

    start = _step(3, "Training triage aids with their gates (policy, proxy scan, fairness, SHAP, model card)")
    from flows.train_triage import train_triage

    reports = settings.home_dir / "reports"
    runs = [
        ("integrated_approach", {"positive": "true"}),
        # The historical effort label is biased: this run shows the fairness gate refusing it ...
        ("effort_class", {}),
        # ... and this one trains on the effort implied by recorded hours and norms (label repair).
        ("effort_class", {"label_repair": "hours", "norms_path": str(data / "norms.csv")}),
    ]
    for target, options in runs:
        suffix = "-label_repair" if options.get("label_repair") else ""
        run = train_triage(
            str(data / "cases.csv"),
            str(data / "feature_registry.yaml"),
            target,
            out_dir=str(reports / f"{target}{suffix}"),
            settings=settings,
            **options,
        )
        failed = [name for name, gate in run.gates.items() if not gate.get("passed")]
        verdict = "candidate" if run.candidate else "not a candidate: gate " + ", ".join(failed)
        click.echo(f"      {run.model_name} version {run.version}{' (label repair)' if suffix else ''}: {verdict}")
    _done(start, f"reports in {reports}")

    start = _step(4, "Creating one demo user per role; the demo model owner approves the candidates")
    tokens = _create_users(settings)
    for line in _approve_as_model_owner(settings, tokens["model_owner"]):
        click.echo(f"      {line}")
    _done(start, "tokens below are shown once; they are stored only as hashes")
    for role, token in tokens.items():
        click.echo(f"      {role:12s} {token}")
    click.echo("      (the demo caseworker and team lead work for every team, so they see every demo case)")

    start = _step(5, f"Asking advice for the {DEMO_CASES} newest cases, as a case system would")
    waiting = _seed_cases(settings, data / "cases.csv", tokens["caseworker"])
    _done(start, f"{waiting} cases wait for a caseworker's decision")

    if usage_weeks:
        click.echo(f"[+] Feeding {usage_weeks} weeks of use through the API, then one monitoring pass")
        start = time.perf_counter()
        from cli.monitoring import simulate_use_in_process

        usage, checked = simulate_use_in_process(
            settings, tokens, usage_weeks, history_end + dt.timedelta(days=1), inhabitants=inhabitants, years=years
        )
        levels = {level: sum(f.level == level for f in checked.findings) for level in ("note", "warn", "stop")}
        _done(
            start,
            f"{usage.advice} cases, {usage.decisions} decisions, {usage.objections} objections; "
            f"monitoring: {levels['note']} notes, {levels['warn']} warnings, {levels['stop']} stops"
            + (f", advice switched off for {', '.join(checked.stopped)}" if checked.stopped else ""),
        )

    click.echo(f"Training finished in {time.perf_counter() - began:.0f} s.")
    _where(settings, host, port)
    where_the_details_are()
    if no_serve:
        return
    _step(6, f"Serving the pages and the API on http://{host}:{port}/ (Ctrl+C stops)")
    from cli.service import run_api

    run_api(host, port)


def _create_users(settings: Settings) -> dict[str, str]:
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.users import create_local_users

    with store_session(settings.database) as session:
        # the demo caseworker and team lead work for every team, so they see every demo case
        return create_local_users(session, "demo", ROLES, utc_now())


def _approve_as_model_owner(settings: Settings, token: str) -> list[str]:
    """The demo's model owner (a named user) approves every candidate, as a person must before a
    version is served (ADR 0019); one line per approval, saying who did it."""
    from casework import approvals, users
    from casework.clock import utc_now
    from casework.db import store_session

    with store_session(settings.database, migrated=False) as session:  # _create_users migrated it
        owner = users.by_token(session, token, utc_now(), settings.token_ttl_days)
    if owner is None:
        raise click.ClickException("the demo model owner's token was not found; was the database reset?")
    approver = approvals.Approver(name=owner.name, actor=owner.id, via="demo", named_by="demo_user")
    reason = "Demo: de modeleigenaar van de demo keurt de kandidaat goed na de poorten (geen echte beoordeling)."
    done = approvals.approve_candidates(settings, approver, reason, utc_now())
    return [f"{o.model} version {o.version} approved by {owner.name} (the demo's model owner)" for o in done]


def _seed_cases(settings: Settings, cases_csv: Path, caseworker_token: str) -> int:
    from casework import demo_cases, users
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.modelstore import ModelStore

    store = ModelStore(settings)
    store.reload()
    with store_session(settings.database, migrated=False) as session:  # _create_users migrated it
        caseworker = users.by_token(session, caseworker_token, utc_now(), settings.token_ttl_days)
        if caseworker is None:
            raise click.ClickException("the demo caseworker's token was not found; was the database reset?")
        return demo_cases.seed(session, store, settings, caseworker, cases_csv, utc_now(), DEMO_CASES)


def _where(settings: Settings, host: str, port: int) -> None:
    home = settings.home_dir
    click.echo("Where to look:")
    click.echo(
        f"  Pages:      http://{host}:{port}/   (sign in with a token above; the caseworker finds "
        f"{DEMO_CASES} cases under Nieuwe zaken)"
    )
    click.echo(f"  API docs:   http://{host}:{port}/docs   (Authorization: Bearer <token>)")
    click.echo(f"  MLflow UI:  mlflow ui --backend-store-uri {settings.tracking_uri} --port 5000")
    click.echo(f"  Prefect UI: PREFECT_HOME={Path(home) / 'prefect'} prefect server start")


COMMANDS = (demo,)
