"""``werkwijzer models approve|reject``: a named model owner puts a candidate into use, or keeps it out.

The same rules and records as the *Modellen* page (``casework.approvals``, ADR 0019): a reason is
required, a version that failed a gate is never approved, with four eyes on the person who trained a
version may not approve it, and the decision lands in the audit trail and on the MLflow version.
``--by`` names who decides; without it the operating system's user is recorded, and marked so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.exits import BAD_INPUT

if TYPE_CHECKING:  # only for the hints (ADR 0002)
    from casework.approvals import Decision

_MODEL = click.option("--model", "model", required=True, help="Registered model name, e.g. werkwijzer-forecast.")
_VERSION = click.option("--version", "version", required=True, type=click.IntRange(min=1), help="Model version.")
_REASON = click.option("--reason", required=True, help="Why; recorded on the version and in the audit trail.")
_BY = click.option(
    "--by",
    "by",
    default=None,
    help="Name of the person who decides (default: the operating system's user, recorded as such).",
)


@click.group()
def models() -> None:
    """A model owner's decision on a model version: approve (put into use) or reject."""


@models.command("approve")
@_MODEL
@_VERSION
@_REASON
@_BY
def approve(model: str, version: int, reason: str, by: str | None) -> None:
    """Make VERSION of MODEL the champion that the service loads: the candidate, or an earlier version
    that was in use before (a roll-back)."""
    _decide("approved", model, version, reason, by)


@models.command("reject")
@_MODEL
@_VERSION
@_REASON
@_BY
def reject(model: str, version: int, reason: str, by: str | None) -> None:
    """Keep VERSION of MODEL out of use; the candidate alias is cleared."""
    _decide("rejected", model, version, reason, by)


def _decide(decision: Decision, model: str, version: int, reason: str, by: str | None) -> None:
    from casework import approvals
    from casework.clock import utc_now
    from casework.db import store_session
    from casework.errors import InvalidInput, ServiceError
    from werkwijzer.settings import get_settings
    from werkwijzer.tracking import run_user

    settings = get_settings()
    name = by if by is not None else run_user()
    approver = approvals.Approver(
        name=name, actor=f"cli:{name}", via="cli", named_by="option" if by is not None else "environment"
    )
    try:
        with store_session(settings.database) as session:
            outcome = approvals.decide(session, settings, model, version, decision, approver, reason, utc_now())
            session.commit()
    except InvalidInput as exc:
        problems = "; ".join(f"{p.loc[-1]}: {p.msg}" for p in exc.problems)
        click.echo(f"Error: {problems}", err=True)
        raise click.exceptions.Exit(BAD_INPUT) from None
    except ServiceError as exc:
        raise click.ClickException(exc.detail) from None
    if outcome.decision == "approved":
        click.echo(
            f"{model} version {version} approved by {name}: it is the champion now"
            + (f" (was version {outcome.previous_champion})" if outcome.previous_champion else "")
            + "; a running service loads it at its next refresh (or: werkwijzer reload)."
        )
    else:
        click.echo(
            f"{model} version {version} rejected by {name}; the champion stays "
            + (f"version {outcome.champion}." if outcome.champion else "unset.")
        )


COMMANDS = (models,)
