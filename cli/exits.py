"""The exit codes of every ``werkwijzer`` command, one place (README, "Exit codes").

- 0: done.
- 1: failed; the message says why (an API that refuses a token, a model file that cannot be read).
- 2: bad input or usage: a wrong option, a file that breaks its data contract, refused settings.
- 3: done, but a person must look: ``triage train`` and ``forecast`` trained and registered a model
  that a gate kept from becoming a candidate; ``monitor --once`` found a "stop" (its advice is
  switched off). A candidate that passed its gates ends with 0 and prints how to approve it: a
  model owner decides (ADR 0019).

A scheduler or CI job can branch on 3 without reading the output.
"""

from __future__ import annotations

from typing import NoReturn

import click

OK = 0
FAILED = 1
BAD_INPUT = 2
ATTENTION = 3


def approve_hint(model: str, version: str) -> str:
    """What a command prints for a new candidate: no one is served it until a model owner approves."""
    return (
        f"{model} version {version} is a candidate — approve with: werkwijzer models approve "
        f"--model {model} --version {version} --reason TEXT"
    )


def needs_attention(message: str) -> NoReturn:
    """End a command that did its work with exit code 3, saying why on standard error."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(ATTENTION)
