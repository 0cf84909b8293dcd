"""The readable fairness report (fairness.md): the gate, the metric priority and the tables.

Only suppressed (exportable) tables are rendered, so the report can be published as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from explain.fairness import QUESTIONS, FairnessGate, export_table, question
from werkwijzer.formatting import MISSING
from werkwijzer.i18n import both, both_paragraphs


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return f"({both('mlflow.fairness.none')})"
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = [MISSING if pd.isna(v) else (f"{v:.3f}" if isinstance(v, float) else str(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fairness_markdown(
    table: pd.DataFrame,
    gate: FairnessGate,
    *,
    priority: Sequence[str],
    low: float,
    high: float,
    min_cell: int,
    title: str,
    human: pd.DataFrame | None = None,
    label_bias: pd.DataFrame | None = None,
    label_findings: Sequence[str] = (),
    label_note: str = "",
    min_difference: float = 0.05,
) -> str:
    """Markdown: verdict first, then priority, per-group table(s), human comparison, label audit."""
    verdict = both("mlflow.gate.passed" if gate.passed else "mlflow.gate.failed")
    lines = [
        f"# {both('mlflow.fairness.title')} — {title}",
        "",
        f"**{both('mlflow.fairness.gate')}: {verdict}.** {gate.reason}",
        "",
    ]
    if gate.justified:
        lines += [
            *both_paragraphs(
                "mlflow.fairness.justified", questions=lambda lang: ", ".join(question(q, lang) for q in QUESTIONS)
            ),
            "",
        ]
    band = {"low": f"{low:g}", "high": f"{high:g}", "min_difference": f"{min_difference:g}", "min_cell": min_cell}
    lines += [
        f"## {both('mlflow.fairness.priority')}",
        *[f"{i + 1}. {both(f'metric.{p}')}" for i, p in enumerate(priority)],
        "",
        *both_paragraphs("mlflow.fairness.band", missing=MISSING, **band),
        "",
    ]
    if gate.violations:
        lines += [f"## {both('mlflow.fairness.violations')}", _table(pd.DataFrame(gate.violations)), ""]
    if gate.within_noise:
        lines += [f"## {both('mlflow.fairness.within_noise')}", _table(pd.DataFrame(gate.within_noise)), ""]
    exported = export_table(table, min_cell)
    if "class" in table.columns:
        for cls, part in exported.groupby(table["class"].reindex(exported.index), sort=True):
            lines += [
                f"## {both('mlflow.fairness.class')}: {cls}",
                _table(part.drop(columns=["class"], errors="ignore")),
                "",
            ]
    else:
        lines += [f"## {both('mlflow.fairness.per_group')}", _table(exported), ""]
    if human is not None:
        lines += [f"## {both('mlflow.fairness.human')}", _table(human), ""]
    if label_bias is not None:
        lines += [
            f"## {both('mlflow.fairness.label_audit')}",
            label_note,
            "",
            *[f"- {x}" for x in label_findings],
            "",
            _table(label_bias),
            "",
        ]
    return "\n".join(lines)


def read_outcomes(path: str | Path, label: str, prediction: str, groups: Sequence[str]) -> pd.DataFrame:
    """A file of outcomes for ``werkwijzer audit``, read through the data contracts.

    Every named column must exist; label and prediction must be filled on every row (the
    ContractError names the row); group values may be empty (reported as '<onbekend>').
    """
    from werkwijzer.contracts.checks import Checker
    from werkwijzer.contracts.tables import read_table

    frame = read_table(path)
    check = Checker(frame, Path(path).name)
    if not check.require([label, prediction, *groups]):
        check.raise_if_any()
    out = pd.DataFrame({label: check.text(label), prediction: check.text(prediction)})
    for group in groups:
        out[group] = check.text(group, allow_missing=True).replace("", pd.NA)
    check.raise_if_any()
    return out


def parse_references(items: Sequence[str]) -> dict[str, str]:
    """``["sex=vrouw", ...]`` -> ``{"sex": "vrouw"}``; raises ValueError on a malformed item."""
    out = {}
    for item in items:
        column, sep, value = item.partition("=")
        if not sep or not column.strip() or not value.strip():
            raise ValueError(f"--reference expects COL=VALUE, got {item!r}")
        out[column.strip()] = value.strip()
    return out
