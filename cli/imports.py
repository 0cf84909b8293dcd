"""Commands that read data from a municipality's systems: ``import zgw`` (a ZGW Zaken API)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from werkwijzer.standards.zgw import ZakenClient
    from werkwijzer.standards.zgw_import import Mapping

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
@click.option(
    "--outcomes-to",
    "outcomes_to",
    default=None,
    metavar="API_URL",
    help="Also record the outcomes of closed zaken (the mapping's 'outcomes' section) through this Werkwijzer "
    "API, e.g. http://127.0.0.1:8000, with the case-system token in WERKWIJZER_TOKEN_CASEWORKER.",
)
def zgw(
    url: str, since: dt.datetime, until: dt.datetime | None, mapping_path: Path, out: Path, outcomes_to: str | None
) -> None:
    """Count zaken per team and day (registratiedatum) and write their cases, from a Zaken API 1.5.

    ZGW JWT credentials come from WERKWIJZER_ZGW_CLIENT_ID and WERKWIJZER_ZGW_SECRET. A second run into
    the same folder reads only what was registered since the last counted day. With --outcomes-to, the
    outcomes of zaken closed since --since (then since the last run) are recorded as well.
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
    if outcomes_to:
        try:
            with ZakenClient(url, settings.zgw_client_id, settings.zgw_secret, retries=settings.service_retries) as api:
                _outcomes(api, outcomes_to, url, mapping, out, since.date())
        except (ZGWImportError, ServiceError) as exc:
            raise click.ClickException(str(exc)) from None


def _outcomes(api: ZakenClient, api_url: str, url: str, mapping: Mapping, out: Path, since: dt.date) -> None:
    """Record the outcomes of closed zaken through the Werkwijzer API and say what happened."""
    from cli.tokens import role_tokens_from_env
    from werkwijzer.client import ApiError, WerkwijzerClient
    from werkwijzer.standards.zgw_outcomes import import_outcomes

    tokens = role_tokens_from_env(["caseworker"])
    if not tokens:
        raise click.ClickException(
            "set WERKWIJZER_TOKEN_CASEWORKER to the case-system user's token (never on the command line)"
        )
    try:
        with WerkwijzerClient(api_url, tokens) as client:
            r = import_outcomes(
                api.closed_zaken, api.eigenschappen, client, url=url, mapping=mapping, out=out, since=since
            )
    except ApiError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"outcomes of {r.closed} closed zaken: {r.recorded} recorded, {r.corrected} corrected, {r.unchanged} unchanged"
    )
    for count, what in (
        (r.not_in_werkwijzer, "no advice in Werkwijzer for the case"),
        (r.not_decided, "the case has no decision in Werkwijzer yet (tried again next run)"),
        (r.recorded_elsewhere, "an outcome was already recorded by someone else (correct it by hand if needed)"),
    ):
        if count:
            click.echo(f"  not recorded, {what}: {count}")


COMMANDS = (import_,)
