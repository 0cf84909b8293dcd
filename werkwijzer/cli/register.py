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
@click.option("--definition", type=_FILE, default=None,
              help="The submission API's OpenAPI definition (default: the copy shipped with Werkwijzer).")
def validate_register(file: Path, definition: Path | None) -> None:
    """Check FILE against AlgorithmIn of the Algoritmeregister submission API; exits 1 with every problem,
    by field and with the field's title in the standard."""
    from explain.register import RegisterError, validate_file

    try:
        entry = validate_file(file, definition)
    except RegisterError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{file.name}: valid Algoritmeregister entry, standard {entry.get('standard_version') or '1.0'} "
               f"('{entry['name']}')")


COMMANDS = (register,)
