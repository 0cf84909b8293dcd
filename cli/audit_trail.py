"""``werkwijzer audit verify``: the audit trail's verification, offline, for an auditor (ADR 0012).

The auditor holds a copy of the database, the checkpoint file and the audit key, and runs the
same checks as ``GET /api/v1/audit/verify`` without the service: read-only, nothing migrated.
The API is imported inside the command (ADR 0002).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

_IN = click.Path(dir_okay=False, exists=True, path_type=Path)


@click.command("verify")
@click.option(
    "--database",
    "database",
    default=None,
    help="Database URL of the copy (default: WERKWIJZER_DATABASE_URL or the home's SQLite file).",
)
@click.option(
    "--checkpoints",
    "checkpoints",
    type=_IN,
    default=None,
    help="The checkpoint file (default: WERKWIJZER_AUDIT_CHECKPOINT_PATH or <home>/audit_checkpoints.jsonl).",
)
@click.option(
    "--key-file",
    "key_file",
    type=_IN,
    default=None,
    help="File holding the audit key, when WERKWIJZER_AUDIT_KEY is not set (default: <home>/audit_key).",
)
@click.option("--anchor-seq", type=click.IntRange(min=1), default=None, help="last_seq of a head you kept.")
@click.option("--anchor-hash", default=None, help="head_hash of that head.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def verify_trail(
    database: str | None,
    checkpoints: Path | None,
    key_file: Path | None,
    anchor_seq: int | None,
    anchor_hash: str | None,
    as_json: bool,
) -> None:
    """Verify the advisory service's audit trail on a copy: chain, signed checkpoints, rows; exit 1 when not valid."""
    from casework.audit_check import Anchor
    from casework.audit_check import verify_trail as check
    from casework.db import make_engine, reading
    from werkwijzer.keys import KeyFileError, read_kept_key
    from werkwijzer.settings import get_settings

    if (anchor_seq is None) != (anchor_hash is None):
        raise click.UsageError("give --anchor-seq and --anchor-hash together")
    settings = get_settings()
    try:
        key = settings.audit_key or read_kept_key(key_file or settings.home.expanduser() / "audit_key")
    except KeyFileError as exc:
        raise click.ClickException(f"no audit key: set WERKWIJZER_AUDIT_KEY or pass --key-file ({exc})") from None
    engine = make_engine(database or settings.database)
    try:
        report = check(
            lambda: reading(engine, snapshot=True),
            checkpoints or settings.audit_checkpoint_file,
            key.encode("utf-8"),
            Anchor(anchor_seq, anchor_hash) if anchor_seq and anchor_hash else None,
        )
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(vars(report), indent=2))
    else:
        click.echo(f"audit trail: {'valid' if report.valid else 'NOT VALID'}")
        click.echo(
            f"entries: {report.entries} ({report.first_seq}..{report.last_seq}), purged up to "
            f"{report.anchor_seq}; head hash {report.head_hash}"
        )
        click.echo(f"checkpoints: {report.checkpoints} signed lines, the newest names entry {report.checkpoint_seq}")
        click.echo(f"rows compared with their entries: {report.records_checked}")
        if report.auditor_anchor:
            click.echo(f"your kept head: {report.auditor_anchor.replace('_', ' ')}")
        for problem in report.problems:
            click.echo(f"problem: {problem}")
    if not report.valid:
        raise click.exceptions.Exit(1)
