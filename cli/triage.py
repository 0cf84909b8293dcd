"""Commands for triage models and audits: ``triage train``, ``audit`` (and ``audit verify``).

Heavy packages (models, explain, flows) are imported inside the commands (ADR 0002).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.audit_trail import verify_trail
from cli.exits import approve_hint, needs_attention
from cli.options import by_option, writable_folder
from cli.terminal import where_the_details_are

_FILE = click.Path(dir_okay=False, exists=False, path_type=Path)
_DIR = click.Path(file_okay=False, path_type=Path)


@click.group()
def triage() -> None:
    """Train advisory triage models behind the responsible-use gates."""


@triage.command("train")
@click.option("--cases", "cases", type=_FILE, required=True, help="Case file (CSV or Parquet).")
@click.option("--target", required=True, help="Column to predict (binary or multi-class).")
@click.option("--positive", default=None, help="The positive value of a binary target (e.g. yes).")
@click.option("--registry", "registry", type=_FILE, required=True, help="Feature registry (YAML).")
@click.option(
    "--governance",
    "governance",
    type=_FILE,
    default=None,
    help="governance.yaml with organisation facts (defaults from the settings otherwise).",
)
@click.option(
    "--justification",
    "justification",
    type=_FILE,
    default=None,
    help="YAML answering item 17's five questions; lets a found disparity pass, on the record.",
)
@click.option(
    "--label-repair",
    type=click.Choice(["hours"]),
    default=None,
    help="Train on the class implied by handling_hours and the team norms instead of the "
    "historical label (when the label audit finds the label biased).",
)
@click.option("--norms", "norms", type=_FILE, default=None, help="norms.csv for the label audit and repair.")
@click.option("--human", "human", default=None, help="Column with the existing human process's outcome.")
@click.option("--out", "out", type=_DIR, required=True, callback=writable_folder, help="Folder for the reports.")
@by_option
def train(
    cases: Path,
    target: str,
    positive: str | None,
    registry: Path,
    governance: Path | None,
    justification: Path | None,
    label_repair: str | None,
    norms: Path | None,
    human: str | None,
    out: Path,
    by: str | None,
) -> None:
    """Train, audit, explain and register a triage model; writes every report into OUT."""
    from cli.terminal import ProgressBars
    from flows.train_triage import TRAINING_STEPS, train_triage
    from models.policy import FeaturePolicyError
    from werkwijzer.progress import reporting
    from werkwijzer.settings import get_settings

    click.echo(f"training {target} on {cases}: {', '.join(TRAINING_STEPS)} (a minute or more)")
    try:
        with ProgressBars() as bars, reporting(bars.advance):
            run = train_triage(
                str(cases),
                str(registry),
                target,
                positive=positive,
                governance_path=str(governance) if governance else None,
                justification_path=str(justification) if justification else None,
                label_repair=label_repair,
                norms_path=str(norms) if norms else None,
                human_col=human,
                out_dir=str(out),
                settings=get_settings(),
                trained_by=by,
            )
    except FeaturePolicyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote reports to {out}")
    click.echo(f"MLflow run: {run.run_url}")
    from werkwijzer.tracking import ui_link

    ui = get_settings().mlflow_ui_url.rstrip("/")
    click.echo(f"open it in MLflow: {ui}/{ui_link(run.experiment_id, run.run_id)}")
    click.echo(f"registered {run.model_name} version {run.version}; candidate: {'yes' if run.candidate else 'no'}")
    for name, gate in run.gates.items():
        click.echo(f"  gate {name}: {'passed' if gate['passed'] else 'FAILED'} - {gate['reason']}")
    where_the_details_are()
    if run.candidate:
        click.echo(approve_hint(run.model_name, run.version))
    else:
        failed = ", ".join(name for name, gate in run.gates.items() if not gate["passed"]) or "none failed"
        needs_attention(
            f"not a candidate: {run.model_name} version {run.version} is registered, failed its gates "
            f"({failed}) and can never be approved; exit code 3"
        )


@click.group(invoke_without_command=True, subcommand_metavar="[verify ...]")
@click.option("--data", "data", type=_FILE, help="File with one row per case.  [required]")
@click.option("--label", help="Column with the true outcome.  [required]")
@click.option("--prediction", help="Column with the decision or model output audited.  [required]")
@click.option("--group", "groups", multiple=True, help="Protected characteristic column (repeat).  [required]")
@click.option("--reference", "references", multiple=True, help="COL=VALUE reference group (default: largest).")
@click.option("--positive", default=None, help="Positive value (default: true/yes/ja, or one-vs-rest).")
@click.option("--out", "out", type=_DIR, help="Folder for fairness.csv and fairness.md.  [required]")
@click.pass_context
def audit(
    ctx: click.Context,
    data: Path | None,
    label: str | None,
    prediction: str | None,
    groups: tuple[str, ...],
    references: tuple[str, ...],
    positive: str | None,
    out: Path | None,
) -> None:
    """Audit an existing process or model from a file of outcomes: fairness.csv and fairness.md.

    `werkwijzer audit verify` checks the advisory service's audit trail instead (see its --help).
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [
        name
        for name, value in (
            ("--data", data),
            ("--label", label),
            ("--prediction", prediction),
            ("--group", groups),
            ("--out", out),
        )
        if not value
    ]
    if missing:
        raise click.UsageError(f"Missing option(s) {', '.join(missing)} for the fairness audit.", ctx=ctx)
    assert data is not None and label is not None and prediction is not None and out is not None
    _fairness_audit(data, label, prediction, groups, references, positive, out)


audit.add_command(verify_trail)


def _fairness_audit(
    data: Path,
    label: str,
    prediction: str,
    groups: tuple[str, ...],
    references: tuple[str, ...],
    positive: str | None,
    out: Path,
) -> None:
    from explain.fairness import PRIORITY, export_table, fairness_gate, gate_terms
    from explain.fairness import audit as run_audit
    from explain.fairness_report import fairness_markdown, parse_references, read_outcomes
    from werkwijzer.io import staged_output, write_csv
    from werkwijzer.settings import get_settings

    settings = get_settings()
    try:
        reference = parse_references(references)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--reference") from None
    frame = read_outcomes(data, label, prediction, groups)
    try:
        table = run_audit(frame[label], frame[prediction], frame[list(groups)], positive=positive, reference=reference)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if table["class"].nunique() == 1:
        table = table.drop(columns="class")
    gate = fairness_gate(table, **gate_terms(settings))
    with staged_output(out) as stage:
        write_csv(export_table(table, settings.fairness_min_cell), stage / "fairness.csv")
        (stage / "fairness.md").write_text(
            fairness_markdown(
                table,
                gate,
                priority=PRIORITY,
                title=f"{prediction} vs {label}",
                **gate_terms(settings),
            ),
            encoding="utf-8",
        )
    click.echo(f"wrote {out / 'fairness.csv'} and {out / 'fairness.md'}")
    click.echo(f"gate: {'passed' if gate.passed else 'FAILED'} - {gate.reason}")


COMMANDS = (triage, audit)
