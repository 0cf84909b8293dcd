"""Command ``evidence``: the system card of a registered model, answered from what the system did (ADR 0018).

The work happens in ``flows.evidence``, imported inside the command (ADR 0002).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click


@click.command()
@click.option(
    "--model",
    "model_name",
    required=True,
    help="Registered model, e.g. werkwijzer-triage-effort_class or werkwijzer-forecast.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for systemcard.json, .html and .pdf.",
)
@click.option("--no-log", is_flag=True, help="Do not keep the card with the model's run in MLflow.")
def evidence(model_name: str, out: Path, no_log: bool) -> None:
    """Write the system card of MODEL: each Algoritmekader requirement and instrument question either
    answered from live evidence with its source, open for a named role, or not applicable with the reason."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    from flows.evidence import EvidenceError, write_systemcard
    from werkwijzer.settings import get_settings
    from werkwijzer.standards.task_registry import RegistryError

    try:
        written = write_systemcard(get_settings(), model_name, out, log=not no_log)
    except (EvidenceError, RegistryError, ValueError) as exc:
        raise click.ClickException(f"no system card written: {exc}") from None
    summary = json.loads(written["json"].read_text(encoding="utf-8"))["summary"]
    for what, counted in summary.items():
        click.echo(
            f"{what}: {counted['evidenced']} evidenced, {counted['open']} open, "
            f"{counted['not_applicable']} not applicable"
        )
    for path in written.values():
        click.echo(f"wrote {path}")


COMMANDS = (evidence,)
