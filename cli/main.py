"""Entry point of the ``werkwijzer`` command.

Command modules import the heavy packages (models, flows, api) inside their functions, so
``werkwijzer --help`` stays fast and the core does not depend on the outer packages.
"""

from __future__ import annotations

import os
import sys

import click
from pydantic import ValidationError

from cli import (
    data,
    demo,
    evidence,
    forecast,
    imports,
    models,
    monitoring,
    register,
    report,
    schedule,
    service,
    triage,
)
from werkwijzer import __version__
from werkwijzer.contracts import ContractError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="werkwijzer")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    envvar="WERKWIJZER_VERBOSE",
    help="Show the libraries' logs (Prefect, MLflow, warnings) here, not in <home>/logs/werkwijzer.log.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Werkwijzer: workload forecasts and advisory triage for municipal teams. The model advises; a person decides."""
    if not verbose and ctx.invoked_subcommand != "serve":  # a service logs where its manager collects it
        from cli.terminal import quiet_libraries
        from werkwijzer.home import prepare_home
        from werkwijzer.settings import get_settings

        ctx.call_on_close(quiet_libraries(prepare_home(get_settings())))


COMMAND_MODULES = (data, forecast, triage, models, register, imports, service, demo, report, monitoring, evidence)
for module in (*COMMAND_MODULES, schedule):
    for command in module.COMMANDS:
        cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a broken data contract or refused settings end with their message and exit code 2
    (every exit code: ``cli.exits``),
    no traceback (a traceback of the settings would also print the values, a short secret key among them)."""
    try:
        _quiet_and_local()
    except ValidationError as exc:
        reasons = "\n".join(f"  {error['msg'].removeprefix('Value error, ')}" for error in exc.errors())
        click.echo(f"Error: the settings (WERKWIJZER_*) are refused:\n{reasons}", err=True)
        sys.exit(2)
    try:
        code = cli.main(args=argv, prog_name="werkwijzer", standalone_mode=False)
    except ContractError as exc:
        click.echo(f"Error: invalid input\n{exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    if isinstance(code, int) and code:  # ctx.exit(N) inside a command: exit codes in cli.exits
        sys.exit(code)


def _quiet_and_local() -> None:
    """No telemetry (these machines have no network), and the home prepared, Prefect's state in it,
    before any command touches Prefect or MLflow (a home that does not exist yet is made here)."""
    from werkwijzer.home import prepare_home
    from werkwijzer.settings import get_settings

    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    prepare_home(get_settings())
