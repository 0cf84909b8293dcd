"""Tokens for the commands that call a running API: from the environment or standard input.

A token given as a command-line argument shows in ``ps`` and in shell history for every user of
the machine, so the documented ways are ``WERKWIJZER_TOKEN`` (per role:
``WERKWIJZER_TOKEN_CASEWORKER``, ``WERKWIJZER_TOKEN_TEAM_LEAD``) and standard input
(``--token-stdin``, or ``--token-file -`` for several roles). The old ``--token`` options still
work, hidden from ``--help``, and warn.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

import click

ENV = "WERKWIJZER_TOKEN"
COMMAND_LINE_WARNING = (
    "warning: a token on the command line is visible to every user of this machine (ps, shell "
    f"history); put it in {ENV} or give it on standard input instead"
)


def role_env(role: str) -> str:
    return f"{ENV}_{role.upper()}"


def warn_command_line() -> None:
    click.echo(COMMAND_LINE_WARNING, err=True)


def read_token(*, stdin: bool, given: str | None = None) -> str:
    """The token from ``--token-stdin`` (first line of standard input), else ``WERKWIJZER_TOKEN``; a token
    ``given`` on the command line (the deprecated option) is used with a warning."""
    if given:
        warn_command_line()
        return given.strip()
    token = sys.stdin.readline().strip() if stdin else os.environ.get(ENV, "").strip()
    if not token:
        where = "standard input was empty" if stdin else f"{ENV} is not set"
        raise click.UsageError(f"no token: {where}; give it in {ENV} or on standard input with --token-stdin")
    return token


def role_tokens_from_env(roles: Iterable[str]) -> dict[str, str]:
    """``WERKWIJZER_TOKEN_<ROLE>`` for each of ``roles`` that is set."""
    return {role: os.environ[role_env(role)].strip() for role in roles if os.environ.get(role_env(role), "").strip()}
