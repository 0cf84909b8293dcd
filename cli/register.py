"""Commands for the Algoritmeregister: ``register validate`` and ``register publish``.

Entries are checked against ``AlgorithmIn`` of the official submission API definition
(``werkwijzer.standards.algoritmeregister``); ``explain`` is imported inside the commands (ADR 0002).
"""

from __future__ import annotations

from pathlib import Path

import click

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def register() -> None:
    """Algoritmeregister entries (publication standard 1.0, submission API v1_0)."""


@register.command("validate")
@click.argument("file", type=_FILE)
@click.option(
    "--definition",
    type=_FILE,
    default=None,
    help="The submission API's OpenAPI definition (default: the copy shipped with Werkwijzer).",
)
def validate_register(file: Path, definition: Path | None) -> None:
    """Check FILE against AlgorithmIn of the Algoritmeregister submission API; exits 1 with every problem,
    by field and with the field's title in the standard."""
    from explain.register import RegisterError, validate_file

    try:
        entry = validate_file(file, definition)
    except RegisterError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{file.name}: valid Algoritmeregister entry, standard {entry.get('standard_version') or '1.0'} "
        f"('{entry['name']}')"
    )


@register.command("publish")
@click.option("--entry", "entry_path", type=_FILE, required=True, help="The entry (algoritmeregister.json).")
@click.option("--organisation", required=True, help="The organisation's id in the register (its TOOI code).")
@click.option("--url", required=True, help="The submission API, e.g. https://HOST/aanleverapi/v1_0.")
@click.option(
    "--gates", "gates_path", type=_FILE, default=None, help="The model's gates.json (default: beside the entry)."
)
@click.option("--dry-run", is_flag=True, help="Validate and show the changes; send nothing.")
def publish(entry_path: Path, organisation: str, url: str, gates_path: Path | None, dry_run: bool) -> None:
    """Create or update the algorithm (in development, not released) through the submission API.

    The OAuth2 bearer token comes from WERKWIJZER_REGISTER_TOKEN. Refused when the entry is not valid
    or when a gate of its model failed; shows what changed since the last publication.
    """
    from explain.register import RegisterError, failed_gates, validate_file
    from werkwijzer.settings import get_settings
    from werkwijzer.standards.http import ServiceError
    from werkwijzer.standards.register_client import RegisterClient, changes, read_record, write_record

    try:
        entry = validate_file(entry_path)
        failed = failed_gates(entry_path, gates_path)
    except RegisterError as exc:
        raise click.ClickException(str(exc)) from None
    if failed:
        raise click.ClickException("not published: gates of this model failed:\n" + "\n".join(f"- {f}" for f in failed))
    previous = read_record(entry_path)
    lines = changes(previous.entry if previous else None, entry)
    click.echo(
        f"changes since the publication of {previous.published_at} (lars {previous.lars}):"
        if previous
        else "first publication from this entry file:"
    )
    click.echo("\n".join(f"  {line}" for line in lines) if lines else "  none")
    if dry_run:
        return
    settings = get_settings()
    if not settings.register_token:
        raise click.ClickException(
            "set WERKWIJZER_REGISTER_TOKEN to the OAuth2 bearer token of the register (never on the command line)"
        )
    try:
        with RegisterClient(url, settings.register_token, retries=settings.service_retries) as client:
            publication = client.publish(organisation, entry, previous)
    except ServiceError as exc:
        raise click.ClickException(f"not published: {exc}") from None
    record = write_record(entry_path, publication)
    click.echo(f"sent to the register as algorithm {publication.lars} (in development, not released); record: {record}")


COMMANDS = (register,)
