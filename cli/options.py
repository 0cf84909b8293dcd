"""Options that several commands share."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click


def _person(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from werkwijzer.privacy import contains_bsn

    if value is not None and (not value.strip() or contains_bsn(value)):
        raise click.BadParameter("expected a user name or pseudonymous id (not empty, never a BSN)")
    return value.strip() if value else None


by_option = click.option(
    "--by",
    "by",
    default=None,
    callback=_person,
    help="Who runs the training, as MLflow's 'Created by' (default: MLFLOW_TRACKING_USERNAME, else your login).",
)


def writable_folder(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """An output folder that exists or can be made, and can be written, checked before any work
    starts: a forecast should not train for an hour and then find it cannot write its tables."""
    if value is None:
        return None
    try:
        value.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=value, prefix=".werkwijzer-write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise click.BadParameter(f"{value}: expected a folder that can be made and written ({reason})") from None
    return value
