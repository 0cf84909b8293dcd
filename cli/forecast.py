"""Commands ``forecast`` (train, backtest and forecast intake) and ``capacity`` (plan FTE)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.options import by_option, writable_folder

if TYPE_CHECKING:
    import pandas as pd

COUNT = re.compile(r"^\s*(\d+(\.0+)?)?\s*$")
COUNT_SHARE = 0.95  # Berlin's response-time medians are whole seconds on up to 82 % of days


def _count_share(column: pd.Series) -> float:
    """The share of a column's filled cells that are whole numbers (1.0 for an empty column)."""
    filled = column[column.str.strip() != ""]
    return float(filled.map(lambda v: bool(COUNT.match(v))).mean()) if len(filled) else 1.0


def count_columns(path: Path, date_col: str | None) -> tuple[str | None, list[str], list[str]]:
    """For a wide file without ``--series``: the date column, the count columns and the skipped
    columns (anything else, such as response times). A count column holds whole numbers or empty
    cells, save a few: a column of which at least ``COUNT_SHARE`` of the filled cells are whole
    numbers is a count column with typos (-3, 2.5, 1.234), and the intake contract refuses those
    cells with their rows; skipping it would drop a team from the forecast over one cell."""
    from werkwijzer.contracts.intake import LONG_COLUMNS, find_date_column
    from werkwijzer.contracts.tables import read_table

    frame = read_table(path)
    if date_col is None and set(LONG_COLUMNS) <= set(frame.columns):
        return None, [], []
    if date_col is None:
        date_col = find_date_column(frame.columns)
    others = [c for c in frame.columns if c != date_col]
    counts = [c for c in others if _count_share(frame[c]) >= COUNT_SHARE]
    return date_col, counts, [c for c in others if c not in counts]


@click.command()
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Intake file: long (series_id,date,value) or wide (a date column, one column per series).",
)
@click.option("--freq", type=click.Choice(["D", "W", "M"], case_sensitive=False), required=True)
@click.option("--horizon", type=click.IntRange(min=1), required=True, help="Periods to forecast.")
@click.option("--date-col", default=None, help="Date column of a wide file.")
@click.option(
    "--series",
    "series",
    multiple=True,
    help="Count column of a wide file (repeatable; default: every whole-number column).",
)
@click.option("--country", default=None, help="Holiday calendar country (default: settings, NL).")
@click.option("--subdiv", default=None, help="Holiday subdivision, e.g. BE for Berlin.")
@click.option(
    "--cutoffs",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Backtest cutoffs (rolling origin, spaced by the horizon).",
)
@click.option(
    "--norms",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Norms file, stored with the model so capacity can be computed from the champion.",
)
@click.option(
    "--staffing",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Staffing file, stored with the model.",
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True, callback=writable_folder)
@by_option
def forecast(
    data: Path,
    freq: str,
    horizon: int,
    date_col: str | None,
    series: tuple[str, ...],
    country: str | None,
    subdiv: str | None,
    cutoffs: int,
    norms: Path | None,
    staffing: Path | None,
    out: Path,
    by: str | None,
) -> None:
    """Backtest every model, forecast with `auto`, explain and register it in MLflow."""
    from cli.terminal import ProgressBars, where_the_details_are
    from flows.forecast_report import LEVEL_TABLES
    from flows.forecast_report import tables as report_tables
    from flows.train_forecast import train_forecast
    from werkwijzer.contracts import read_norms, read_staffing
    from werkwijzer.io import staged_output
    from werkwijzer.progress import reporting
    from werkwijzer.settings import get_settings

    for path in (norms, staffing):  # fail on a bad planning file before hours of training
        if path is not None:
            (read_norms if path == norms else read_staffing)(path)
    from werkwijzer.calendar import check_calendar

    try:  # and on a holiday calendar that does not exist
        settings = get_settings()
        check_calendar(country or settings.country, subdiv if subdiv is not None else settings.subdiv)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--country/--subdiv") from None
    selected = list(series) or None
    if selected is None:
        found_date, counts, skipped = count_columns(data, date_col)
        if counts and found_date is not None:  # without a date column the contract says what to pass
            date_col, selected = found_date, counts
            if skipped:
                click.echo(
                    f"using {len(counts)} count columns; skipped {len(skipped)} other columns "
                    f"({', '.join(skipped[:3])}{' ...' if len(skipped) > 3 else ''}); "
                    "choose with --series"
                )
    tables = Path(tempfile.mkdtemp(prefix="werkwijzer-tables-"))  # the run's tables, rendered once
    try:
        with ProgressBars() as bars, reporting(bars.advance):
            result = train_forecast(
                data,
                freq=freq.upper(),
                horizon=horizon,
                cutoffs=cutoffs,
                date_col=date_col,
                series=selected,
                country=country,
                subdiv=subdiv,
                norms=norms,
                staffing=staffing,
                settings=get_settings(),
                verbose=True,
                trained_by=by,
                tables_to=tables,
            )
        written = [name for name, _ in report_tables(result)]
        with staged_output(out) as stage:
            for name in written:
                shutil.move(tables / name, stage / name)
            (stage / "report.md").write_text(result.report, encoding="utf-8")
    finally:
        shutil.rmtree(tables, ignore_errors=True)
    stale = [name for name in LEVEL_TABLES if name not in written and (out / name).exists()]
    for name in stale:  # an earlier run's totals would read as this run's
        (out / name).unlink()
    click.echo(
        f"MLflow run {result.run_id}, model version {result.model_version} "
        f"({'candidate' if result.candidate else 'not a candidate'}: {result.gate})"
    )
    click.echo(f"wrote {out}/{', '.join([*written, 'report.md'])}")
    if stale:
        click.echo(f"removed {', '.join(stale)}: an earlier run's, this run has no municipality column")
    where_the_details_are()
    if result.candidate:
        from cli.exits import approve_hint
        from werkwijzer.vocabulary import FORECAST

        click.echo(approve_hint(FORECAST, str(result.model_version)))
    else:
        from cli.exits import needs_attention

        needs_attention(
            f"not a candidate: model version {result.model_version} is registered, failed its gate "
            f"({result.gate}) and can never be approved; exit code 3"
        )


@click.command()
@click.option(
    "--forecast",
    "forecast_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Weekly forecast.csv (series_id,date,mean,lo_80,hi_80,lo_95,hi_95).",
)
@click.option("--norms", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--staffing", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    help="What-if, repeatable: TEAM:+10% (demand) or TEAM:+2fte (staffing).",
)
@click.option("--backlog", "backlogs", multiple=True, help="Starting backlog, repeatable: TEAM:HOURS.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True, callback=writable_folder)
def capacity(
    forecast_path: Path,
    norms: Path,
    staffing: Path,
    scenarios: tuple[str, ...],
    backlogs: tuple[str, ...],
    out: Path,
) -> None:
    """Hours and FTE needed per team and week against FTE available, backlog and breach risk."""
    import pandas as pd

    from models.capacity import parse_scenario, plan_capacity
    from werkwijzer.contracts import read_forecast, read_norms, read_staffing
    from werkwijzer.io import staged_output, write_csv

    demand: dict[str, float] = {}
    fte: dict[str, float] = {}
    backlog: dict[str, float] = {}
    for text in scenarios:
        try:
            kind, team, value = parse_scenario(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--scenario") from None
        (demand if kind == "demand" else fte)[team] = value
    for text in backlogs:
        team, _, hours = text.partition(":")
        try:
            backlog[team] = float(hours)
        except ValueError:
            raise click.BadParameter(f"{text!r}: expected TEAM:HOURS", param_hint="--backlog") from None
    frame = read_forecast(forecast_path)
    norm_rows = read_norms(norms)
    planned = _planned_teams(frame, norm_rows, demand, fte, backlog)
    staff = read_staffing(staffing)
    missing = [team for team in planned if team not in set(staff["team"].astype(str))]
    if missing:
        from werkwijzer.contracts.problems import ContractError, Problem

        found = ", ".join(sorted(set(staff["team"].astype(str)))[:10])
        expected = "rows for team '{}' (found teams: {})"
        raise ContractError([Problem(staffing.name, expected.format(t, found), column="team") for t in missing])
    _say_staffing_carried_back(frame, staff, planned, staffing.name)
    for team, change in fte.items():  # a staffing what-if that removes more FTE than the team has
        least = float(staff.loc[staff["team"] == team, "fte_available"].min())
        if least + change < 0:
            raise click.BadParameter(
                f"{team}:{change:+g}fte leaves {least + change:.1f} fte where {staffing.name} has {least:g}: "
                "expected a change that leaves 0 fte or more",
                param_hint="--scenario",
            )
    try:
        plan = plan_capacity(
            frame,
            norm_rows,
            staff,
            demand_change=demand,
            fte_change=fte,
            backlog_start=backlog,
        )
    except ValueError as exc:
        if type(exc) is not ValueError:
            raise
        raise click.ClickException(str(exc)) from None
    with staged_output(out) as stage:
        write_csv(plan, stage / "capacity.csv")
    unplanned = sorted(set(frame["series_id"].astype(str)) - set(planned))
    if unplanned:
        shown = ", ".join(unplanned[:5]) + (f" and {len(unplanned) - 5} more" if len(unplanned) > 5 else "")
        click.echo(f"not planned (no norms in {norms.name}): {shown}")
    short = plan.groupby("team").agg(
        fte_needed=("fte_needed_mean", "mean"),
        fte_available=("fte_available", "mean"),
        max_breach=("breach_probability", "max"),
    )
    for team, row in short.iterrows():
        risk = "" if pd.isna(row["max_breach"]) else f", max kans op termijnoverschrijding {row['max_breach']:.0%}"
        click.echo(f"{team}: nodig {row['fte_needed']:.1f} fte, beschikbaar {row['fte_available']:.1f} fte{risk}")
    click.echo(f"wrote {out}/capacity.csv")


def _say_staffing_carried_back(forecast: pd.DataFrame, staff: pd.DataFrame, planned: list[str], name: str) -> None:
    """Forecast weeks before a team's first staffing row get that row's FTE (``staffing_for``):
    say so, so that nobody reads an assumed number as a known one."""
    from werkwijzer.contracts.planning import monday

    for team in planned:
        rows = staff[staff["team"] == team].sort_values("week")
        start = rows["week"].iloc[0]
        weeks = sorted({monday(d) for d in forecast.loc[forecast["series_id"] == team, "date"]})
        before = [w for w in weeks if w < start]
        if before:
            click.echo(
                f"{name} has no row for {team} before {start:%Y-%m-%d}: the {len(before)} forecast weeks "
                f"from {before[0]:%Y-%m-%d} use its {rows['fte_available'].iloc[0]:g} fte"
            )


def _planned_teams(
    forecast: pd.DataFrame,
    norms: pd.DataFrame,
    demand: dict[str, float],
    fte: dict[str, float],
    backlog: dict[str, float],
) -> list[str]:
    """The teams capacity plans (forecast series with norms); a what-if for any other team, a demand
    change of -100 % or less or a negative backlog is a typo that would leave the plan unchanged
    or impossible without a word, and is refused."""
    planned = sorted(set(forecast["series_id"].astype(str)) & set(norms["team"].astype(str)))
    teams = ", ".join(planned[:10]) + (" ..." if len(planned) > 10 else "")
    for hint, named in (("--scenario", [*demand, *fte]), ("--backlog", list(backlog))):
        for team in named:
            if team not in planned:
                raise click.BadParameter(f"{team!r}: expected a team of the plan ({teams})", param_hint=hint)
    for team, change in demand.items():
        if change <= -1.0:
            raise click.BadParameter(
                f"{team}:{change:+.0%}: expected a demand change above -100 %", param_hint="--scenario"
            )
    for team, hours in backlog.items():
        if not hours >= 0:
            raise click.BadParameter(f"{team}:{hours:g}: expected 0 hours or more", param_hint="--backlog")
    return planned


COMMANDS = (forecast, capacity)
