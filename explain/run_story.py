"""The story of a training run, as a model owner reads it in MLflow's own description fields (issue 18).

A run's description (the ``mlflow.note.content`` tag), its model version's and the registered
model's description are Markdown, Dutch first and English below a rule. They are written from the
run's own facts only (:class:`RunFacts`): what the model is for, who trained it on which data (rows,
period, fingerprint), every gate with its outcome and reason, the fairness headline, what changed
against the champion of that moment, and links to the model card, the register entry and the
pictures. Nothing is typed in by hand, so the description cannot say more than the run did.
``flows.run_story`` gathers the facts and writes the texts to MLflow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explain.fairness import PRIORITY, metric_name
from werkwijzer.formatting import MISSING, date_short, number, readable
from werkwijzer.i18n import LANGS, has_text, translate, translate_plural
from werkwijzer.privacy import MIN_CELL, suppress_small_cells

# MLflow keeps a model or version description in a column of 5,000 characters (a run note may be longer).
DESCRIPTION_LIMIT = 5000


@dataclass(frozen=True)
class Gate:
    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Change:
    """One headline metric of this run next to the champion's (``champion`` None: it has none)."""

    metric: str
    value: float
    champion: float | None


@dataclass(frozen=True)
class Fairness:
    """The fairness headline: comparisons with a group outside the band, of how many, and the widest."""

    outside: int
    compared: int
    suppressed: int
    worst: tuple[str, str, float] | None  # metric, group in words, ratio
    low: float
    high: float


@dataclass(frozen=True)
class RunFacts:
    kind: str  # "triage" or "forecast"
    model_name: str
    target_nl: str
    target_en: str
    trained_by: str
    rows: int
    period: tuple[dt.date, dt.date]
    fingerprint: str
    split: tuple[int, int] | None  # training and test cases (triage)
    series: int | None  # number of series (forecast)
    gates: Sequence[Gate]
    fairness: Fairness | None
    champion: str | None  # the champion's version when the run was made
    changes: Sequence[Change]
    links: dict[str, str] = field(default_factory=dict)  # link name (story.link.<name>) -> target
    version: str | None = None


def fairness_headline(
    table: pd.DataFrame, *, low: float, high: float, min_cell: int = MIN_CELL, lang: str = "nl"
) -> Fairness:
    """Count the priority-metric ratios (every group but the reference, small cells left out) outside
    ``[low, high]`` and name the one furthest from 1; rows with a small cell are only counted as such."""
    shown = suppress_small_cells(table.reset_index(drop=True), min_cell)
    visible = shown[~shown["suppressed"].astype(bool) & (table["group"].to_numpy() != table["reference"].to_numpy())]
    outside, compared, worst = 0, 0, None
    for metric in PRIORITY:
        ratios = visible[f"{metric}_ratio"].astype("Float64")
        for index, ratio in ratios.items():
            if pd.isna(ratio) or not np.isfinite(float(ratio)):
                continue
            compared += 1
            value = float(ratio)
            if not low <= value <= high:
                outside += 1
            distance = abs(np.log(value)) if value > 0 else np.inf
            if worst is None or distance > worst[0]:
                row = table.loc[index]
                group = f"{readable(str(row['attribute']), lang)}: {row['group']}"
                if "class" in table.columns and table["class"].nunique() > 1:
                    group += f" ({row['class']})"
                worst = (distance, metric, group, value)
    return Fairness(
        outside=outside,
        compared=compared,
        suppressed=int(shown["suppressed"].sum()),
        worst=None if worst is None else worst[1:],
        low=low,
        high=high,
    )


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _value(value: float | None, lang: str) -> str:
    if value is None or not np.isfinite(value):
        return MISSING
    return number(value, 4 if abs(value) < 10 else 2, lang)


def _gates(facts: RunFacts, lang: str, reasons: bool) -> list[str]:
    passed = sum(g.passed for g in facts.gates)
    lines = [f"**{translate('story.gates', lang, passed=passed, total=len(facts.gates))}**", ""]
    if reasons:
        heads = (translate(key, lang) for key in ("story.gate", "story.outcome", "story.reason"))
        lines += ["| " + " | ".join(heads) + " |", "|---|---|---|"]
    for gate in facts.gates:
        outcome = translate("story.passed" if gate.passed else "story.failed", lang)
        name = translate(f"story.gate.{gate.name}", lang) if has_text(f"story.gate.{gate.name}") else gate.name
        if reasons:
            lines.append(f"| {name} (`{gate.name}`) | {outcome} | {_cell(gate.reason)} |")
        else:
            lines.append(f"- {name}: {outcome}")
    return lines


def _fairness(fair: Fairness | None, lang: str) -> list[str]:
    if fair is None:
        return [f"**{translate('story.fairness', lang)}** {translate('story.fairness.none', lang)}"]
    band = f"{number(fair.low, 2, lang)}–{number(fair.high, 2, lang)}"
    text = translate_plural("story.fairness.outside", fair.outside, lang, compared=fair.compared, band=band)
    if fair.worst is not None:
        metric, group, ratio = fair.worst
        text += " " + translate(
            "story.fairness.worst", lang, metric=metric_name(metric, lang), group=group, ratio=number(ratio, 2, lang)
        )
    if fair.suppressed:
        text += " " + translate_plural("story.fairness.suppressed", fair.suppressed, lang, min_cell=MIN_CELL)
    return [f"**{translate('story.fairness', lang)}** {text}"]


def _changes(facts: RunFacts, lang: str) -> list[str]:
    if facts.champion is None:
        return [f"**{translate('story.changes', lang)}** {translate('story.changes.none', lang)}"]
    lines = [
        f"**{translate('story.changes', lang)}** {translate('story.changes.champion', lang, version=facts.champion)}",
        "",
        f"| {translate('story.metric', lang)} | {translate('story.this_run', lang)} | "
        f"{translate('story.champion', lang)} | {translate('story.difference', lang)} |",
        "|---|---:|---:|---:|",
    ]
    for change in facts.changes:
        old = change.champion
        diff = MISSING if old is None else number(change.value - old, 4, lang, signed=True)
        lines.append(f"| `{change.metric}` | {_value(change.value, lang)} | {_value(old, lang)} | {diff} |")
    return lines


def render(facts: RunFacts, lang: str, *, reasons: bool = True) -> str:
    """The description in one language (Markdown); ``reasons`` False leaves the gates' reasons out."""
    target = facts.target_nl if lang == "nl" else facts.target_en
    head = translate(f"story.title.{facts.kind}", lang, target=target)
    if facts.version is not None:
        head += " · " + translate("story.version", lang, version=facts.version)
    first, last = facts.period
    data = translate_plural(
        f"story.data.{facts.kind}",
        facts.rows,
        lang,
        n=number(facts.rows, 0, lang),
        series=facts.series or 0,
        first=date_short(first, lang),
        last=date_short(last, lang),
    )
    if facts.split is not None:
        data += " " + translate(
            "story.data.split", lang, train=number(facts.split[0], 0, lang), test=number(facts.split[1], 0, lang)
        )
    lines = [
        f"### {head}",
        "",
        translate(f"story.purpose.{facts.kind}", lang, target=target),
        "",
        f"- **{translate('story.trained_by', lang)}** {_cell(facts.trained_by)}",
        f"- **{translate('story.data', lang)}** {data}",
        f"- **{translate('story.fingerprint', lang)}** `{facts.fingerprint}`",
        "",
        *_gates(facts, lang, reasons),
        "",
        *_fairness(facts.fairness, lang),
        "",
        *_changes(facts, lang),
    ]
    if facts.links:
        links = " · ".join(
            f"[{translate(f'story.link.{name}', lang)}]({target})" for name, target in facts.links.items()
        )
        lines += ["", f"**{translate('story.links', lang)}** {links}"]
    return "\n".join(lines)


def describe(facts: RunFacts, limit: int | None = None) -> str:
    """Dutch, a rule, English. With ``limit`` (a version's description field), the gates' reasons are
    left out when the whole does not fit, and then the text is cut with a note that it was."""

    def whole(reasons: bool) -> str:
        return "\n\n---\n\n".join(render(facts, lang, reasons=reasons) for lang in LANGS)

    text = whole(True)
    if limit is None or len(text) <= limit:
        return text
    text = whole(False)
    if len(text) <= limit:
        return text
    note = "\n\n" + translate("story.cut", "nl") + " / " + translate("story.cut", "en")
    return text[: limit - len(note)] + note


def model_description(kind: str, model_name: str, target_nl: str, target_en: str, experiment_link: str) -> str:
    """The registered model's description: what it is for and how a version comes into use."""
    parts = []
    for lang in LANGS:
        target = target_nl if lang == "nl" else target_en
        parts.append(
            "\n".join(
                [
                    f"### {translate(f'story.title.{kind}', lang, target=target)}",
                    "",
                    translate(f"story.purpose.{kind}", lang, target=target),
                    "",
                    translate(f"story.model.versions.{kind}", lang, name=model_name),
                    "",
                    f"[{translate('story.link.experiment', lang)}]({experiment_link})",
                ]
            )
        )
    return "\n\n---\n\n".join(parts)
