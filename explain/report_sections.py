"""Builds the report's content — sentences, tables, plots — from :class:`ReportData`, and renders it as HTML.

The content is a small neutral document (:class:`Document`), so the HTML and the PDF show the
same words and numbers. Every figure in a sentence or table is computed here from the frames;
counts below the minimum cell size are written as "< 10".
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from explain.report_data import ReportData, ReportError, local_time
from explain.report_plots import intake_plot, line_per_team, share_bars
from models.monitoring import agreement_rates, forecast_error
from models.thresholds import level_name
from werkwijzer.formatting import MISSING, number, percent, readable
from werkwijzer.i18n import LANGS, translate, translate_plural
from werkwijzer.privacy import small_counts, suppress_small_cells
from werkwijzer.teams import team_label

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Figure:
    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str]
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    footer: str


class Writer:
    """Formats numbers and picks the language's texts, so section builders read like the text they make."""

    def __init__(self, lang: str, min_cell: int) -> None:
        if lang not in LANGS:
            raise ReportError(f"language '{lang}' is not available; use 'nl' or 'en'")
        self.lang, self.min_cell = lang, min_cell

    def t(self, key: str, **values: object) -> str:
        """The catalogue's ``report.<key>`` text in the report's language."""
        return translate(f"report.{key}", self.lang, **values)

    def num(self, value: float, decimals: int = 0) -> str:
        return number(value, decimals, self.lang)

    def pct(self, share: float) -> str:
        return percent(share, 0, self.lang)

    def count(self, value: float, hidden: bool | None = None) -> str:
        hide = small_counts([value], self.min_cell)[0] if hidden is None else hidden
        return f"< {self.min_cell}" if hide else self.num(value)

    def counts(self, values: Sequence[float]) -> list[str]:
        return [self.count(v, h) for v, h in zip(values, small_counts(values, self.min_cell), strict=True)]

    def team(self, team: str) -> str:
        return team_label(team, self.lang)

    def plural(self, n: int, word: str) -> str:
        """``1 groep`` / ``3 groepen`` (``1 group`` / ``3 groups``): the catalogue's ``report.count.<word>``."""
        return translate_plural(f"report.count.{word}", n, self.lang)

    def attribute(self, name: str) -> str:
        return readable(name, self.lang)

    def header(self, *keys: str) -> list[str]:
        return [self.t(k) for k in keys]


def _fpr_outside(d: ReportData, band: tuple[float, float]) -> pd.DataFrame:
    """Advice rows, not suppressed, whose FPR ratio to the reference group leaves the band."""
    table = suppress_small_cells(d.fairness, d.min_cell) if len(d.fairness) else d.fairness.assign(suppressed=[])
    advice = table[(table["subject"] == "advice") & ~table["suppressed"].astype(bool)]
    return advice[(advice["fpr_ratio"] < band[0]) | (advice["fpr_ratio"] > band[1])]


def _summary(d: ReportData, w: Writer, band: tuple[float, float]) -> Section:
    advised = int(d.advice_use["advised"].sum())
    control = int(d.advice_use["control"].sum())
    off = int(d.advice_use["switched_off"].sum())
    n_dec = len(d.decisions)
    agree = float(d.decisions["followed"].astype(bool).mean()) if n_dec else float("nan")
    followed = w.t("summary.followed", share=w.pct(agree)) if n_dec >= w.min_cell else w.t("summary.followed_too_few")
    switches = int((~d.stop_events["advice_on"].astype(bool)).sum())
    paragraphs = [
        w.t("summary.advised", period=d.period.label, advised=w.count(advised), followed=followed),
        w.t("summary.control", control=w.count(control), off=w.count(off)),
        w.t(
            "summary.objections",
            objections=w.count(len(d.objections)),
            times=w.plural(switches, "time"),
            models=w.plural(len(d.register_entries), "model"),
        ),
    ]
    outside = len(_fpr_outside(d, band))
    if len(d.fairness):
        paragraphs.append(
            w.t("summary.fairness_outside", groups=w.plural(outside, "group"))
            if outside
            else w.t("summary.fairness_none")
        )
    return Section("samenvatting", w.t("summary.title"), paragraphs)


def _intake(d: ReportData, w: Writer) -> Section:
    title = w.t("intake.title")
    if d.intake.empty:
        return Section("instroom", title, [w.t("intake.none")])
    err = forecast_error(d.intake)
    total_actual, total_forecast = float(err["actual"].sum()), float(err["forecast"].sum())
    good = int((err["coverage_80"] >= 0.5).sum())
    actual_cells = w.counts(err["actual"].tolist())
    rows = [
        [w.team(r.team), a, w.num(r.forecast), w.num(r.mae, 1), w.pct(r.coverage_80)]
        for r, a in zip(err.itertuples(), actual_cells, strict=True)
    ]
    table = Table(w.header("column.team", "intake.actual", "intake.forecast", "intake.mae", "intake.coverage"), rows)
    text = w.t("intake.text", actual=w.count(total_actual), forecast=w.num(total_forecast), good=good, teams=len(err))
    figure = Figure(intake_plot(d.intake, w.lang), w.t("intake.figure"))
    return Section("instroom", title, [text], [table], [figure])


def _capacity(d: ReportData, w: Writer) -> Section:
    title = w.t("capacity.title")
    if d.capacity.empty:
        return Section("capaciteit", title, [w.t("capacity.none")])
    c = d.capacity.sort_values("week")
    per_team = (
        c.groupby("team", sort=True)
        .agg(needed=("fte_needed_mean", "mean"), available=("fte_available", "mean"), backlog=("backlog_hours", "last"))
        .reset_index()
    )
    short = per_team[per_team["needed"] > per_team["available"]]
    rows = [
        [w.team(r.team), w.num(r.needed, 1), w.num(r.available, 1), w.num(r.available - r.needed, 1), w.num(r.backlog)]
        for r in per_team.itertuples()
    ]
    table = Table(
        w.header("column.team", "capacity.needed", "capacity.available", "capacity.difference", "capacity.backlog"),
        rows,
    )
    names = ", ".join(w.team(t) for t in short["team"])
    text = (
        w.t("capacity.short_named", short=len(short), teams=len(per_team), names=names)
        if len(short)
        else w.t("capacity.short", short=len(short), teams=len(per_team))
    )
    figure = Figure(line_per_team(c, "week", "backlog_hours", w.t("capacity.axis"), w.lang), w.t("capacity.figure"))
    return Section("capaciteit", title, [text], [table], [figure])


def _advice_use(d: ReportData, w: Writer) -> Section:
    title = w.t("use.title")
    kinds = ("advised", "control", "switched_off")
    use = d.advice_use.groupby("team", sort=True)[list(kinds)].sum().reset_index()
    cells = {c: w.counts(use[c].tolist()) for c in kinds}
    hidden = {c: small_counts(use[c].tolist(), w.min_cell) for c in cells}
    rows = [
        [w.team(t), cells["advised"][i], cells["control"][i], cells["switched_off"][i]]
        for i, t in enumerate(use["team"])
    ]
    table = Table(w.header("column.team", *(f"use.{c}" for c in kinds)), rows)
    total = use[list(kinds)].sum(axis=1)
    shares = use[list(kinds)].div(total.where(total > 0), axis=0)
    for c in cells:
        shares.loc[hidden[c], c] = float("nan")
    shares.index = [w.team(t) for t in use["team"]]
    shares.columns = w.header(*(f"use.bar.{c}" for c in kinds))
    text = w.t("use.text")
    if shares.isna().any(axis=1).all():  # every team has a hidden count: a chart would be empty
        return Section("gebruik", title, [text], [table])
    figure = Figure(share_bars(shares, w.t("use.axis")), w.t("use.figure"))
    return Section("gebruik", title, [text], [table], [figure])


def _agreement(d: ReportData, w: Writer) -> Section:
    title = w.t("agreement.title")
    if d.decisions.empty:
        return Section("afwijken", title, [w.t("agreement.none")])
    rates = agreement_rates(d.decisions, ("team", "model_name", "model_version"))
    hidden = small_counts(rates["n"].tolist(), w.min_cell)
    rows = [
        [
            w.team(r.team),
            f"{r.model_name} v{r.model_version}",
            w.count(r.n, h),
            MISSING if h else w.pct(r.agreement_rate),
            MISSING if h else w.pct(r.override_rate),
        ]
        for r, h in zip(rates.itertuples(), hidden, strict=True)
    ]
    table = Table(
        w.header("column.team", "agreement.model", "agreement.decisions", "agreement.followed", "agreement.overridden"),
        rows,
    )
    per_team = agreement_rates(d.decisions, ("team",))
    shown = per_team[~pd.Series(small_counts(per_team["n"].tolist(), w.min_cell))]
    paragraphs = [w.t("agreement.intro")]
    if len(shown):
        top = shown.sort_values("agreement_rate", ascending=False).iloc[0]
        paragraphs.append(
            w.t("agreement.top", team=w.team(top["team"]), share=w.pct(top["agreement_rate"]), n=w.num(top["n"]))
        )
    bars = pd.DataFrame(
        {
            w.t("agreement.bar.followed"): shown["agreement_rate"].to_numpy(),
            w.t("agreement.bar.overridden"): shown["override_rate"].to_numpy(),
        },
        index=[w.team(t) for t in shown["team"]],
    )
    figure = Figure(share_bars(bars, w.t("agreement.axis")), w.t("agreement.figure"))
    return Section("afwijken", title, paragraphs, [table], [figure])


def _fairness(d: ReportData, w: Writer, band: tuple[float, float]) -> Section:
    title = w.t("fairness.title")
    if d.fairness.empty:
        return Section("gelijkheid", title, [w.t("fairness.none")])
    table = suppress_small_cells(d.fairness, d.min_cell)
    subjects = {s: w.t(f"fairness.subject.{s}") for s in ("advice", "decision")}

    def rate(value: Any) -> str:
        return MISSING if pd.isna(value) else w.pct(float(value))

    def ratio(value: Any) -> str:
        return MISSING if pd.isna(value) else w.num(float(value), 2)

    rows = [
        [
            subjects.get(r.subject, str(r.subject)),
            w.attribute(str(r.attribute)),
            str(r.group).replace("_", " "),
            w.count(0, True) if pd.isna(r.n) else w.num(r.n),
            rate(r.selection_rate),
            rate(r.fpr),
            rate(r.fnr),
            ratio(r.fpr_ratio),
        ]
        for r in table.itertuples()
    ]
    out = Table(
        w.header(
            *(f"fairness.{k}" for k in ("subject", "attribute", "group", "n", "selected", "fpr", "fnr", "fpr_ratio"))
        ),
        rows,
    )
    advice = table[(table["subject"] == "advice") & ~table["suppressed"]]
    outside = _fpr_outside(d, band)
    n_hidden = int(table["suppressed"].sum())
    firsts = table.drop_duplicates("attribute")
    references = ", ".join(
        f"{w.attribute(str(a))}: {str(r).replace('_', ' ')}"
        for a, r in zip(firsts["attribute"], firsts["reference"], strict=True)
    )
    paragraphs = [
        w.t("fairness.intro"),
        w.t(
            "fairness.result",
            groups=w.plural(len(outside), "group"),
            low=w.num(band[0], 2),
            high=w.num(band[1], 2),
            references=references,
            rows=w.plural(n_hidden, "row"),
            min_cell=d.min_cell,
        ),
    ]
    ratios = advice["fpr_ratio"].astype(float).to_numpy()
    bars = pd.DataFrame(
        {w.t("fairness.fpr_ratio"): ratios},
        index=[
            f"{w.attribute(a)}: {g}".replace("_", " ")
            for a, g in zip(advice["attribute"], advice["group"], strict=True)
        ],
    )
    if bars.dropna().empty:  # every group suppressed or without a ratio: no empty chart
        return Section("gelijkheid", title, paragraphs, [out])
    figure = Figure(share_bars(bars, w.t("fairness.axis"), reference=(band[0], 1.0, band[1])), w.t("fairness.figure"))
    return Section("gelijkheid", title, paragraphs, [out], [figure])


def _objections(d: ReportData, w: Writer) -> Section:
    counts = d.objections.groupby("team", sort=True).size()
    rows = [[w.team(t), c] for t, c in zip(counts.index, w.counts(counts.tolist()), strict=True)]
    text = w.t("objections.text", count=w.count(len(d.objections)))
    return Section(
        "bezwaren",
        w.t("objections.title"),
        [text],
        [Table(w.header("column.team", "objections.column"), rows)] if rows else [],
    )


def _stops(d: ReportData, w: Writer) -> Section:
    events = d.stop_events.assign(time=local_time(d.stop_events["time"])).sort_values("time")
    rows = [
        [
            pd.Timestamp(r.time).strftime("%d-%m-%Y %H:%M"),
            w.t("stops.all_models") if r.model_name == "*" else str(r.model_name),
            w.t("stops.on") if r.advice_on else w.t("stops.off"),
            str(r.actor),
            str(r.reason),
        ]
        for r in events.itertuples()
    ]
    off = int((~events["advice_on"].astype(bool)).sum())
    text = w.t("stops.text", times=w.plural(off, "time"))
    header = w.header("stops.when", "column.model", "stops.advice", "stops.by", "stops.reason")
    return Section("stopknop", w.t("stops.title"), [text], [Table(header, rows)] if rows else [])


def _changes(d: ReportData, w: Writer) -> Section:
    changes = d.model_changes.sort_values("date")
    rows = [
        [pd.Timestamp(r.date).strftime("%d-%m-%Y"), str(r.model_name), str(r.version), str(r.change)]
        for r in changes.itertuples()
    ]
    text = w.t("changes.text", times=w.plural(len(rows), "time"))
    header = w.header("changes.date", "column.model", "changes.version", "changes.change")
    return Section("wijzigingen", w.t("changes.title"), [text], [Table(header, rows)] if rows else [])


def _signals(d: ReportData, w: Writer) -> Section:
    levels = {level: level_name(level, w.lang) for level in ("stop", "warn", "note")}
    seen: dict[str, str] = {}
    for f in sorted(d.findings, key=lambda f: list(levels).index(f.level)):
        seen.setdefault(f.message(w.lang), f.level)
    count = {level: sum(1 for lv in seen.values() if lv == level) for level in levels}
    text = w.t(
        "signals.text",
        stops=w.plural(count["stop"], "stop"),
        warnings=w.plural(count["warn"], "warn"),
        notes=w.plural(count["note"], "note"),
    )
    rows = [[levels[level], message] for message, level in seen.items()]
    header = w.header("signals.level", "signals.signal")
    return Section("signalen", w.t("signals.title"), [text], [Table(header, rows)] if rows else [])


IN_USE = "In gebruik"  # the publication standard's status of a model in use
REGISTER_FIELDS = (
    "name",
    "description_short",
    "status",
    "publication_category",
    "goal",
    "human_intervention",
    "risks",
    "methods_and_models",
    "contact_email",
    "standard_version",
)


def _register(d: ReportData, w: Writer, validate_entry: Callable[[dict[str, Any]], list[str]] | None) -> Section:
    tables = []
    for i, entry in enumerate(d.register_entries):
        if validate_entry is not None:
            problems = validate_entry(entry)
            if problems:
                raise ReportError(f"register entry {i} ({entry.get('name', '?')}): " + "; ".join(problems))
        rows = [[w.t(f"register.field.{k}"), str(entry[k])] for k in REGISTER_FIELDS if entry.get(k)]
        tables.append(Table(w.header("register.field", "register.content"), rows, caption=str(entry.get("name", ""))))
    text = translate_plural("report.register.intro", len(tables), w.lang)
    paragraphs = [f"{text} {w.t('register.checked')}" if validate_entry else text]
    for entry in d.register_entries:  # the report lists models in use: a register that says otherwise is stale
        status = entry.get("status")
        if status and status != IN_USE:
            paragraphs.append(w.t("register.stale", name=entry.get("name", "?"), status=status, in_use=IN_USE))
    return Section("register", w.t("register.title"), paragraphs, tables)


def build_document(
    data: ReportData,
    *,
    lang: str = "nl",
    fairness_band: tuple[float, float] = (0.8, 1.25),
    validate_entry: Callable[[dict[str, Any]], list[str]] | None = None,
) -> Document:
    """All sections of the report in one language (``nl`` or ``en``)."""
    from explain.report_anchoring import anchoring_section
    from explain.report_outcomes import outcomes_section

    w = Writer(lang, data.min_cell)
    p = data.period
    dates = w.t("dates", start=f"{p.first_day:%d-%m-%Y}", end=f"{p.last_day:%d-%m-%Y}")
    sections = [
        _summary(data, w, fairness_band),
        _intake(data, w),
        _capacity(data, w),
        _advice_use(data, w),
        _agreement(data, w),
        *[s for s in (anchoring_section(data, w),) if s is not None],
        _fairness(data, w, fairness_band),
        *[s for s in (outcomes_section(data, w),) if s is not None],
        _objections(data, w),
        _signals(data, w),
        _stops(data, w),
        _changes(data, w),
        _register(data, w, validate_entry),
    ]
    return Document(
        lang=lang,
        title=w.t("title", period=p.label),
        subtitle=w.t("subtitle", organization=data.organization, dates=dates),
        sections=sections,
        footer=w.t("footer", min_cell=data.min_cell),
    )


def render_html(document: Document) -> str:
    """One self-contained HTML page: CSS inline, plots embedded as base64 PNG."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(doc=document)
