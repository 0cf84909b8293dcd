"""Options that several commands share."""

from __future__ import annotations

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
