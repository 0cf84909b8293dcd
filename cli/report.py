"""Command ``report``: the accountability report for council and co-governments (HTML and PDF).

The work happens in ``flows.report``, imported inside the command (ADR 0002).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click


@click.command()
@click.option("--period", required=True, help="Quarter (2026-Q3), half year (2026-H1), month (2026-07) or year (2026).")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for report-<period>.<lang>.html and .pdf.",
)
@click.option(
    "--lang",
    "languages",
    type=click.Choice(["nl", "en"]),
    multiple=True,
    help="Language (repeatable); default: Dutch and English.",
)
def report(period: str, out: Path, languages: tuple[str, ...]) -> None:
    """Write the accountability report of PERIOD from the API store, MLflow and the audit file."""
    # An unreachable MLflow server should fail in seconds, not after minutes of retries.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # it reads many small artifacts
    from explain.report_data import ReportError, parse_period
    from flows.report import LANGUAGES, write_reports
    from werkwijzer.settings import get_settings

    try:
        parse_period(period)
    except ReportError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    began = time.perf_counter()
    try:
        written = write_reports(get_settings(), period, out, languages or LANGUAGES)
    except ReportError as exc:
        raise click.ClickException(f"no report written: {exc}") from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"done in {time.perf_counter() - began:.1f} s")


COMMANDS = (report,)
