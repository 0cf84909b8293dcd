"""Commands that read data from a municipality's systems: ``import zgw`` (a ZGW Zaken API)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group("import")
def import_() -> None:
    """Read case data from a municipality's systems into Werkwijzer's files."""


@import_.command("zgw")
@click.option("--url", required=True, help="The Zaken API, e.g. https://HOST/zaken/api/v1.")
@click.option("--since", type=_DATE, required=True, help="First registratiedatum to count (YYYY-MM-DD).")
@click.option("--until", type=_DATE, default=None, help="Last day to count (default: today in Europe/Amsterdam).")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Mapping file (YAML): zaaktype -> team, features.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for intake.csv, cases.csv and the import's state.",
)
def zgw(url: str, since: dt.datetime, until: dt.datetime | None, mapping_path: Path, out: Path) -> None:
    """Count zaken per team and day (registratiedatum) and write their cases, from a Zaken API 1.5.

    ZGW JWT credentials come from WERKWIJZER_ZGW_CLIENT_ID and WERKWIJZER_ZGW_SECRET. A second run into
    the same folder reads only what was registered since the last counted day.
    """
    from werkwijzer.settings import get_settings
    from werkwijzer.standards.http import ServiceError
    from werkwijzer.standards.zgw import ZakenClient
    from werkwijzer.standards.zgw_import import ZGWImportError, load_mapping, run_import

    settings = get_settings()
    if not settings.zgw_client_id or not settings.zgw_secret:
        raise click.ClickException(
            "set WERKWIJZER_ZGW_CLIENT_ID and WERKWIJZER_ZGW_SECRET (the ZGW client id and "
            "secret; never on the command line)"
        )
    try:
        mapping = load_mapping(mapping_path)
        with ZakenClient(url, settings.zgw_client_id, settings.zgw_secret, retries=settings.service_retries) as api:
            result = run_import(
                api.zaken,
                api.eigenschappen,
                url=url,
                mapping=mapping,
                out=out,
                since=since.date(),
                until=until.date() if until else None,
            )
    except (ZGWImportError, ServiceError) as exc:
        raise click.ClickException(f"{exc}\nNothing was written.") from None
    click.echo(
        f"read {result.zaken} zaken registered {result.start} .. {result.until}; {result.cases} cases "
        f"of known zaaktypes"
    )
    for zaaktype, count in result.unknown.items():
        click.echo(f"  not counted, unknown zaaktype ({count}): {zaaktype} - add it to the mapping")
    if result.undated:
        click.echo(f"  not counted, no registratiedatum: {result.undated}")
    if result.later:
        click.echo(f"  not counted yet, registered after {result.until}: {result.later}")
    click.echo("wrote " + ", ".join(str(p) for p in result.files))


COMMANDS = (import_,)
