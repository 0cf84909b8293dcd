"""Commands that make and check data: ``simulate`` and ``validate``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from werkwijzer.contracts import KINDS, summarise


@click.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the simulated municipality into.",
)
@click.option("--inhabitants", type=click.IntRange(min=5_000), default=100_000, show_default=True)
@click.option("--years", type=click.IntRange(1, 20), default=6, show_default=True)
@click.option("--seed", type=int, default=None, help="Random seed (default: the settings' seed).")
@click.option(
    "--end",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day (default: the Sunday ending the last full week).",
)
@click.option(
    "--municipality",
    default=None,
    help="Name the municipality in a column of the intake files: its teams' forecasts then add up "
    "exactly to the municipal total (docs/forecasting.md, coherent totals).",
)
def simulate(
    out: Path, inhabitants: int, years: int, seed: int | None, end: dt.datetime | None, municipality: str | None
) -> None:
    """Write a simulated municipality: intake, cases, staffing, norms and the feature registry."""
    from werkwijzer.settings import get_settings
    from werkwijzer.simulation import simulate_municipality

    settings = get_settings()
    written = simulate_municipality(
        out,
        inhabitants=inhabitants,
        years=years,
        seed=settings.seed if seed is None else seed,
        end=end.date() if end else None,
        municipality=municipality,
    )
    for path in written:
        click.echo(f"wrote {path}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option(
    "--registry",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Feature registry that types the case columns (cases only).",
)
@click.option("--date-col", default=None, help="Date column of a wide intake file.")
def validate(file: Path, kind: str, registry: Path | None, date_col: str | None) -> None:
    """Check FILE against its data contract; exits non-zero with the row and column that is wrong."""
    click.echo(summarise(file, kind, registry=registry, date_col=date_col))


COMMANDS = (simulate, validate)
