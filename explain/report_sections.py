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
from werkwijzer.formatting import MISSING, number, percent, readable
from werkwijzer.i18n import translate_plural
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
    """Formats numbers and picks the language, so section builders read like the text they make."""

    def __init__(self, lang: str, min_cell: int) -> None:
        if lang not in ("nl", "en"):
            raise ReportError(f"language '{lang}' is not available; use 'nl' or 'en'")
        self.lang, self.min_cell = lang, min_cell

    def t(self, nl: str, en: str) -> str:
        return nl if self.lang == "nl" else en

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
    label = d.period.label
    if n_dec >= w.min_cell:
        followed = w.t(f"consulenten volgden het advies in {w.pct(agree)} van de gevallen",
                       f"caseworkers followed the advice in {w.pct(agree)} of cases")
    else:
        followed = w.t("er waren te weinig beslissingen om te laten zien hoe vaak het advies werd gevolgd",
                       "there were too few decisions to show how often the advice was followed")
    objections = len(d.objections)
    switches = int((~d.stop_events["advice_on"].astype(bool)).sum())
    paragraphs = [
        w.t(f"In {label} kregen {w.count(advised)} zaken een advies; {followed}.",
            f"In {label}, {w.count(advised)} cases received advice; {followed}."),
        w.t(f"{w.count(control)} zaken kregen bewust geen advies (de controlegroep) en {w.count(off)} zaken "
            "kregen geen advies omdat het advies uit stond. Een medewerker beslist altijd zelf.",
            f"{w.count(control)} cases deliberately got no advice (the control group) and {w.count(off)} cases "
            "got none because advice was switched off. A member of staff always decides."),
        w.t(f"Er kwamen {w.count(objections)} bezwaren tegen een advies binnen. Het advies is {switches} keer "
            f"uitgezet. In gebruik: {w.plural(len(d.register_entries), 'model')}.",
            f"{w.count(objections)} objections against advice were received. Advice was switched off "
            f"{w.plural(switches, 'time')}. In use: {w.plural(len(d.register_entries), 'model')}."),
    ]
    outside = len(_fpr_outside(d, band))
    if len(d.fairness):
        if outside:
            paragraphs.append(w.t(
                f"Gelijke behandeling: bij {w.plural(outside, 'group')} week het advies meer af van de referentiegroep "
                "dan de grens toestaat (zie 'Gelijke behandeling van groepen').",
                f"Equal treatment: for {w.plural(outside, 'group')} the advice differed from the reference group by "
                "more than the limit allows (see 'Equal treatment of groups')."))
        else:
            paragraphs.append(w.t(
                "Gelijke behandeling: bij geen enkele groep week het advies meer af van de referentiegroep dan de "
                "grens toestaat.",
                "Equal treatment: for no group did the advice differ from the reference group by more than the "
                "limit allows."))
    return Section("samenvatting", w.t("Samenvatting", "Summary"), paragraphs)


def _intake(d: ReportData, w: Writer) -> Section:
    title = w.t("Instroom: voorspelling en werkelijkheid", "Intake: forecast and actual")
    if d.intake.empty:
        return Section("instroom", title, [w.t("Er zijn geen voorspellingen voor deze periode.",
                                               "There are no forecasts for this period.")])
    err = forecast_error(d.intake)
    total_actual, total_forecast = float(err["actual"].sum()), float(err["forecast"].sum())
    good = int((err["coverage_80"] >= 0.5).sum())
    actual_cells = w.counts(err["actual"].tolist())
    rows = [[w.team(r.team), a, w.num(r.forecast), w.num(r.mae, 1), w.pct(r.coverage_80)]
            for r, a in zip(err.itertuples(), actual_cells, strict=True)]
    table = Table([w.t("Team", "Team"), w.t("Werkelijk", "Actual"), w.t("Voorspeld", "Forecast"),
                   w.t("Gem. afwijking per week", "Mean error per week"),
                   w.t("Weken binnen 80 %-marge", "Weeks inside 80% band")], rows)
    text = w.t(f"Over alle teams kwamen {w.count(total_actual)} zaken binnen; voorspeld waren "
               f"{w.num(total_forecast)}. Bij {good} van de {len(err)} teams lag de werkelijke instroom in de meeste "
               "weken binnen de 80 %-marge van de voorspelling.",
               f"Across all teams {w.count(total_actual)} cases came in; {w.num(total_forecast)} were forecast. "
               f"For {good} of {len(err)} teams actual intake was inside the forecast's 80% band in most weeks.")
    figure = Figure(intake_plot(d.intake, w.lang), w.t("Instroom per week per team: werkelijk en voorspeld",
                                                       "Weekly intake per team: actual and forecast"))
    return Section("instroom", title, [text], [table], [figure])


def _capacity(d: ReportData, w: Writer) -> Section:
    title = w.t("Capaciteit en werkvoorraad", "Capacity and backlog")
    if d.capacity.empty:
        return Section("capaciteit", title, [w.t("Er is geen capaciteitsplanning voor deze periode.",
                                                 "There is no capacity plan for this period.")])
    c = d.capacity.sort_values("week")
    per_team = c.groupby("team", sort=True).agg(needed=("fte_needed_mean", "mean"),
                                                available=("fte_available", "mean"),
                                                backlog=("backlog_hours", "last")).reset_index()
    short = per_team[per_team["needed"] > per_team["available"]]
    rows = [[w.team(r.team), w.num(r.needed, 1), w.num(r.available, 1), w.num(r.available - r.needed, 1),
             w.num(r.backlog)] for r in per_team.itertuples()]
    table = Table([w.t("Team", "Team"), w.t("Nodig (fte)", "Needed (FTE)"), w.t("Beschikbaar (fte)",
                   "Available (FTE)"), w.t("Verschil (fte)", "Difference (FTE)"),
                   w.t("Werkvoorraad eind periode (uren)", "Backlog at end of period (hours)")], rows)
    names = ", ".join(w.team(t) for t in short["team"])
    text = (w.t(f"Bij {len(short)} van de {len(per_team)} teams was gemiddeld meer capaciteit nodig dan er was"
                + (f": {names}." if len(short) else "."),
                f"In {len(short)} of {len(per_team)} teams more capacity was needed on average than was available"
                + (f": {names}." if len(short) else ".")))
    figure = Figure(line_per_team(c, "week", "backlog_hours", w.t("werkvoorraad (uren)", "backlog (hours)"), w.lang),
                    w.t("Werkvoorraad in uren per team per week", "Backlog in hours per team per week"))
    return Section("capaciteit", title, [text], [table], [figure])


def _advice_use(d: ReportData, w: Writer) -> Section:
    title = w.t("Gebruik van het advies", "Use of advice")
    use = d.advice_use.groupby("team", sort=True)[["advised", "control", "switched_off"]].sum().reset_index()
    cells = {c: w.counts(use[c].tolist()) for c in ("advised", "control", "switched_off")}
    hidden = {c: small_counts(use[c].tolist(), w.min_cell) for c in cells}
    rows = [[w.team(t), cells["advised"][i], cells["control"][i], cells["switched_off"][i]]
            for i, t in enumerate(use["team"])]
    table = Table([w.t("Team", "Team"), w.t("Met advies", "With advice"), w.t("Controlegroep", "Control group"),
                   w.t("Advies stond uit", "Advice switched off")], rows)
    total = use[["advised", "control", "switched_off"]].sum(axis=1)
    shares = use[["advised", "control", "switched_off"]].div(total.where(total > 0), axis=0)
    for c in cells:
        shares.loc[hidden[c], c] = float("nan")
    shares.index = [w.team(t) for t in use["team"]]
    shares.columns = [w.t("met advies", "with advice"), w.t("controlegroep", "control group"),
                      w.t("advies uit", "advice off")]
    text = w.t("Een klein, willekeurig deel van de zaken krijgt bewust geen advies. Zo kunnen we vergelijken of het "
               "advies helpt. Teams met kleine aantallen staan niet in de grafiek.",
               "A small random share of cases deliberately gets no advice, so we can compare whether advice helps. "
               "Teams with small numbers are left out of the chart.")
    if shares.isna().any(axis=1).all():  # every team has a hidden count: a chart would be empty
        return Section("gebruik", title, [text], [table])
    figure = Figure(share_bars(shares, w.t("aandeel van de zaken", "share of cases")),
                    w.t("Aandeel zaken met advies, controlegroep en advies uit per team",
                        "Share of cases with advice, control group and advice off per team"))
    return Section("gebruik", title, [text], [table], [figure])


def _agreement(d: ReportData, w: Writer) -> Section:
    title = w.t("Advies gevolgd of afgeweken", "Advice followed or overridden")
    if d.decisions.empty:
        return Section("afwijken", title, [w.t("Er zijn geen beslissingen in deze periode.",
                                               "There are no decisions in this period.")])
    rates = agreement_rates(d.decisions, ("team", "model_name", "model_version"))
    hidden = small_counts(rates["n"].tolist(), w.min_cell)
    rows = [[w.team(r.team), f"{r.model_name} v{r.model_version}", w.count(r.n, h),
             MISSING if h else w.pct(r.agreement_rate), MISSING if h else w.pct(r.override_rate)]
            for r, h in zip(rates.itertuples(), hidden, strict=True)]
    table = Table([w.t("Team", "Team"), w.t("Model en versie", "Model and version"), w.t("Beslissingen", "Decisions"),
                   w.t("Advies gevolgd", "Advice followed"), w.t("Afgeweken", "Overridden")], rows)
    per_team = agreement_rates(d.decisions, ("team",))
    shown = per_team[~pd.Series(small_counts(per_team["n"].tolist(), w.min_cell))]
    paragraphs = [w.t("Een consulent mag altijd afwijken van het advies, en moet dan uitleggen waarom. Volgt een team "
                      "het advies bijna altijd, dan kijken we of medewerkers nog zelf genoeg afwegen.",
                      "A caseworker may always deviate from the advice and then explains why. When a team almost "
                      "always follows the advice, we check whether staff still weigh cases themselves.")]
    if len(shown):
        top = shown.sort_values("agreement_rate", ascending=False).iloc[0]
        paragraphs.append(w.t(f"Het vaakst gevolgd werd het advies bij {w.team(top['team'])}: in "
                              f"{w.pct(top['agreement_rate'])} van {w.num(top['n'])} beslissingen.",
                              f"Advice was followed most often in {w.team(top['team'])}: in "
                              f"{w.pct(top['agreement_rate'])} of {w.num(top['n'])} decisions."))
    bars = pd.DataFrame({w.t("gevolgd", "followed"): shown["agreement_rate"].to_numpy(),
                         w.t("afgeweken", "overridden"): shown["override_rate"].to_numpy()},
                        index=[w.team(t) for t in shown["team"]])
    figure = Figure(share_bars(bars, w.t("aandeel van de beslissingen", "share of decisions")),
                    w.t("Aandeel beslissingen waarin het advies werd gevolgd, per team",
                        "Share of decisions that followed the advice, per team"))
    return Section("afwijken", title, paragraphs, [table], [figure])


def _fairness(d: ReportData, w: Writer, band: tuple[float, float]) -> Section:
    title = w.t("Gelijke behandeling van groepen", "Equal treatment of groups")
    if d.fairness.empty:
        return Section("gelijkheid", title, [w.t("Er zijn geen gegevens over groepen voor deze periode.",
                                                 "There are no group data for this period.")])
    table = suppress_small_cells(d.fairness, d.min_cell)
    subjects = {"advice": w.t("advies", "advice"), "decision": w.t("beslissing", "decision")}

    def rate(value: Any) -> str:
        return MISSING if pd.isna(value) else w.pct(float(value))

    def ratio(value: Any) -> str:
        return MISSING if pd.isna(value) else w.num(float(value), 2)

    rows = [[subjects.get(r.subject, str(r.subject)), w.attribute(str(r.attribute)), str(r.group).replace("_", " "),
             w.count(0, True) if pd.isna(r.n) else w.num(r.n), rate(r.selection_rate), rate(r.fpr), rate(r.fnr),
             ratio(r.fpr_ratio)] for r in table.itertuples()]
    out = Table([w.t("Onderwerp", "Subject"), w.t("Kenmerk", "Characteristic"), w.t("Groep", "Group"),
                 w.t("Zaken", "Cases"), w.t("Geselecteerd", "Selected"), w.t("Onterecht geselecteerd (FPR)",
                 "False positive rate"), w.t("Onterecht niet geselecteerd (FNR)", "False negative rate"),
                 w.t("FPR t.o.v. referentie", "FPR vs reference")], rows)
    advice = table[(table["subject"] == "advice") & ~table["suppressed"]]
    outside = _fpr_outside(d, band)
    n_hidden = int(table["suppressed"].sum())
    firsts = table.drop_duplicates("attribute")
    references = ", ".join(f"{w.attribute(str(a))}: {str(r).replace('_', ' ')}"
                           for a, r in zip(firsts["attribute"], firsts["reference"], strict=True))
    paragraphs = [
        w.t("Kenmerken als nationaliteit of leeftijdsgroep gebruikt het model niet. We gebruiken ze alleen hier, om te "
            "controleren of groepen gelijk worden behandeld. De FPR is het deel van de zaken waarvoor het advies een "
            "zwaardere aanpak aanraadde, terwijl dat niet nodig bleek. Die fout weegt voor ons het zwaarst.",
            "The model does not use characteristics such as nationality or age group. We use them only here, to check "
            "that groups are treated alike. The FPR is the share of cases for which the advice suggested a heavier "
            "approach that turned out not to be needed. We weigh that error most."),
        w.t(f"Bij {w.plural(len(outside), 'group')} lag de FPR van het advies buiten de grens van "
            f"{w.num(band[0], 2)} tot {w.num(band[1], 2)} keer die van de referentiegroep ({references}). "
            f"Bij {w.plural(n_hidden, 'row')} waren er te weinig zaken "
            f"(minder dan {d.min_cell}) om cijfers te laten zien.",
            f"For {w.plural(len(outside), 'group')} the advice's FPR was outside {w.num(band[0], 2)} to "
            f"{w.num(band[1], 2)} times the reference group's ({references}). {w.plural(n_hidden, 'row')} had too "
            f"few cases (fewer than {d.min_cell}) to show "
            "figures."),
    ]
    ratios = advice["fpr_ratio"].astype(float).to_numpy()
    bars = pd.DataFrame({w.t("FPR t.o.v. referentie", "FPR vs reference"): ratios},
                        index=[f"{w.attribute(a)}: {g}".replace("_", " ")
                               for a, g in zip(advice["attribute"], advice["group"], strict=True)])
    if bars.dropna().empty:  # every group suppressed or without a ratio: no empty chart
        return Section("gelijkheid", title, paragraphs, [out])
    figure = Figure(share_bars(bars, w.t("FPR van het advies t.o.v. de referentiegroep", "advice FPR vs reference"),
                               reference=(band[0], 1.0, band[1])),
                    w.t("Verhouding van de FPR van het advies per groep", "Ratio of the advice's FPR per group"))
    return Section("gelijkheid", title, paragraphs, [out], [figure])


def _objections(d: ReportData, w: Writer) -> Section:
    title = w.t("Bezwaren tegen een advies", "Objections against advice")
    counts = d.objections.groupby("team", sort=True).size()
    rows = [[w.team(t), c] for t, c in zip(counts.index, w.counts(counts.tolist()), strict=True)]
    text = w.t(f"Inwoners en medewerkers dienden {w.count(len(d.objections))} bezwaren in tegen een advies. Elk "
               "bezwaar wordt bekeken en telt mee in de controle van het model.",
               f"Residents and staff filed {w.count(len(d.objections))} objections against advice. Each objection "
               "is reviewed and counts in the model's monitoring.")
    return Section("bezwaren", title, [text],
                   [Table([w.t("Team", "Team"), w.t("Bezwaren", "Objections")], rows)] if rows else [])


def _stops(d: ReportData, w: Writer) -> Section:
    title = w.t("Stopknop: advies uit- en aangezet", "Stop button: advice switched off and on")
    events = d.stop_events.assign(time=local_time(d.stop_events["time"])).sort_values("time")
    rows = [[pd.Timestamp(r.time).strftime("%d-%m-%Y %H:%M"), w.t("alle modellen", "all models")
             if r.model_name == "*" else str(r.model_name), w.t("aan", "on") if r.advice_on else w.t("uit", "off"),
             str(r.actor), str(r.reason)] for r in events.itertuples()]
    off = int((~events["advice_on"].astype(bool)).sum())
    text = w.t(f"Het advies is in deze periode {off} keer uitgezet. Staat het advies uit, dan werkt de rest van "
               "Werkwijzer gewoon door en beslissen medewerkers zonder advies.",
               f"Advice was switched off {w.plural(off, 'time')} in this period. While advice is off, the rest of "
               "Werkwijzer keeps working and staff decide without advice.")
    header = [w.t("Moment", "When"), w.t("Model", "Model"), w.t("Advies", "Advice"), w.t("Door", "By"),
              w.t("Reden", "Reason")]
    return Section("stopknop", title, [text], [Table(header, rows)] if rows else [])


def _changes(d: ReportData, w: Writer) -> Section:
    title = w.t("Wijzigingen in modellen", "Model changes")
    changes = d.model_changes.sort_values("date")
    rows = [[pd.Timestamp(r.date).strftime("%d-%m-%Y"), str(r.model_name), str(r.version), str(r.change)]
            for r in changes.itertuples()]
    text = w.t(f"In deze periode is {len(rows)} keer een model gewijzigd. Een nieuw model wordt pas gebruikt als "
               "het alle controles heeft doorstaan, ook die op gelijke behandeling.",
               f"Models changed {w.plural(len(rows), 'time')} in this period. A new model is used only after it "
               "passed every check, including equal treatment.")
    header = [w.t("Datum", "Date"), w.t("Model", "Model"), w.t("Versie", "Version"), w.t("Wijziging", "Change")]
    return Section("wijzigingen", title, [text], [Table(header, rows)] if rows else [])


def _signals(d: ReportData, w: Writer) -> Section:
    title = w.t("Signalen uit de controle", "Monitoring signals")
    levels = {"stop": w.t("stop", "stop"), "warn": w.t("waarschuwing", "warning"), "note": w.t("melding", "note")}
    seen: dict[str, str] = {}
    for f in sorted(d.findings, key=lambda f: list(levels).index(f.level)):
        seen.setdefault(f.message(w.lang), f.level)
    count = {level: sum(1 for lv in seen.values() if lv == level) for level in levels}
    said = ", ".join(w.plural(count[level], level) for level in ("stop", "warn")) + w.t(" en ", " and ")
    text = w.t(f"De automatische controle gaf in deze periode {said}{w.plural(count['note'], 'note')}. Bij stop "
               "gaat het advies van dat model uit tot een medewerker het weer aanzet.",
               f"Automatic monitoring gave {said}{w.plural(count['note'], 'note')} in this period. At stop, that "
               "model's advice is switched off until a person switches it on.")
    rows = [[levels[level], message] for message, level in seen.items()]
    header = [w.t("Niveau", "Level"), w.t("Signaal", "Signal")]
    return Section("signalen", title, [text], [Table(header, rows)] if rows else [])


IN_USE = "In gebruik"  # the publication standard's status of a model in use
REGISTER_FIELDS = {"name": ("Naam", "Name"), "description_short": ("Korte beschrijving", "Short description"),
                   "status": ("Status", "Status"), "publication_category": ("Categorie", "Category"),
                   "goal": ("Doel", "Goal"), "human_intervention": ("Menselijke tussenkomst", "Human intervention"),
                   "risks": ("Risico's", "Risks"), "methods_and_models": ("Werking", "Methods and models"),
                   "contact_email": ("Contact", "Contact"), "standard_version": ("Standaard", "Standard")}


def _register(d: ReportData, w: Writer, validate_entry: Callable[[dict[str, Any]], list[str]] | None) -> Section:
    title = w.t("Algoritmeregister", "Algorithm register")
    tables = []
    for i, entry in enumerate(d.register_entries):
        if validate_entry is not None:
            problems = validate_entry(entry)
            if problems:
                raise ReportError(f"register entry {i} ({entry.get('name', '?')}): " + "; ".join(problems))
        rows = [[w.t(*REGISTER_FIELDS[k]), str(entry[k])]
                for k in REGISTER_FIELDS if entry.get(k)]
        tables.append(Table([w.t("Veld", "Field"), w.t("Inhoud", "Content")], rows, caption=str(entry.get("name", ""))))
    checked = w.t(" Elke registratie is gecontroleerd tegen de publicatiestandaard.",
                  " Each entry was checked against the publication standard.") if validate_entry else ""
    n = len(tables)
    text = w.t("De gemeente publiceert elk model in het Algoritmeregister. Hieronder "
               + ("staat de registratie van het model" if n == 1 else f"staan de {n} registraties van de modellen")
               + f" in gebruik.{checked}",
               "The municipality publishes each model in the Algorithm Register. Below "
               + ("is the entry of the model" if n == 1 else f"are the {n} entries of the models")
               + f" in use.{checked}")
    paragraphs = [text]
    for entry in d.register_entries:  # the report lists models in use: a register that says otherwise is stale
        status = entry.get("status")
        if status and status != IN_USE:
            name = entry.get("name", "?")
            paragraphs.append(w.t(
                f"Let op: bij {name} staat in de registratie de status '{status}', maar het model wordt "
                f"gebruikt. De registratie moet worden bijgewerkt naar '{IN_USE}'.",
                f"Note: the entry of {name} has the status '{status}', but the model is in use. The entry "
                f"must be updated to '{IN_USE}'."))
    return Section("register", title, paragraphs, tables)


def build_document(data: ReportData, *, lang: str = "nl", fairness_band: tuple[float, float] = (0.8, 1.25),
                   validate_entry: Callable[[dict[str, Any]], list[str]] | None = None) -> Document:
    """All sections of the report in one language (``nl`` or ``en``)."""
    w = Writer(lang, data.min_cell)
    p = data.period
    dates = f"{p.start:%d-%m-%Y} {w.t('t/m', 'to')} {p.end:%d-%m-%Y}"
    sections = [_summary(data, w, fairness_band), _intake(data, w), _capacity(data, w), _advice_use(data, w),
                _agreement(data, w), _fairness(data, w, fairness_band), _objections(data, w), _signals(data, w),
                _stops(data, w), _changes(data, w),
                _register(data, w, validate_entry)]
    return Document(
        lang=lang,
        title=w.t(f"Verantwoording Werkwijzer {p.label}", f"Werkwijzer accountability report {p.label}"),
        subtitle=w.t(f"{data.organization} · voor raad en college · {dates}",
                     f"{data.organization} · for council and executive · {dates}"),
        sections=sections,
        footer=w.t(f"Aantallen kleiner dan {data.min_cell} staan er als '< {data.min_cell}'. Het model geeft advies; "
                   "een medewerker beslist.",
                   f"Counts below {data.min_cell} are shown as '< {data.min_cell}'. The model advises; a person "
                   "decides."),
    )


def render_html(document: Document) -> str:
    """One self-contained HTML page: CSS inline, plots embedded as base64 PNG."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(doc=document)
