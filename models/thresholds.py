"""Turns monitoring tables into findings at three levels — note, warn, stop — from the settings.

A value at or beyond a level's threshold reaches that level (the highest one reached counts); a
scope with fewer than ``monitoring_min_n`` rows (forecasts: ``forecast_min_weeks`` weeks) gives
no finding, so chance in a handful of cases raises nothing. "stop" means: switch the advice of
that model off through the same switch as the admin button (the caller does that and records it
in the audit trail; docs/monitoring.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from werkwijzer.formatting import number, percent, readable
from werkwijzer.i18n import LANGS, has_text, translate
from werkwijzer.settings import Settings
from werkwijzer.teams import team_label

Level = Literal["note", "warn", "stop"]
LEVELS: tuple[Level, ...] = ("note", "warn", "stop")
SCOPE_COLUMNS = ("model_name", "model_version", "team", "score_band", "feature", "subject", "attribute", "group")


@dataclass(frozen=True)
class Threshold:
    """Thresholds of one metric; ``higher_is_worse`` False for coverage (too few actuals inside the band)."""

    metric: str
    note: float
    warn: float
    stop: float | None
    higher_is_worse: bool = True

    def level(self, value: float) -> Level | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        reached: Level | None = None
        for name in LEVELS:
            limit = getattr(self, name)
            if limit is not None and (value >= limit if self.higher_is_worse else value <= limit):
                reached = name
        return reached


@dataclass(frozen=True)
class Finding:
    metric: str
    scope: Mapping[str, str]
    value: float
    level: Level
    threshold: float
    message_nl: str
    message_en: str
    n: int | None = None
    extra: Mapping[str, float] = field(default_factory=dict)

    def message(self, lang: str = "nl") -> str:
        return self.message_nl if lang == "nl" else self.message_en


def thresholds(settings: Settings) -> dict[str, Threshold]:
    """Every metric's thresholds, read from the one settings object."""
    s = settings
    return {
        "psi": Threshold("psi", s.psi_note, s.psi_warn, s.psi_stop),
        "forecast_smape": Threshold(
            "forecast_smape", s.forecast_smape_note, s.forecast_smape_warn, s.forecast_smape_stop
        ),
        "forecast_coverage95": Threshold(
            "forecast_coverage95",
            s.forecast_coverage95_note,
            s.forecast_coverage95_warn,
            s.forecast_coverage95_stop,
            False,
        ),
        "agreement": Threshold("agreement", s.agreement_note, s.agreement_warn, s.agreement_stop),
        "override_surge": Threshold(
            "override_surge", s.override_surge_note, s.override_surge_warn, s.override_surge_stop
        ),
        "fairness": Threshold("fairness", s.fairness_note_factor, s.fairness_warn_factor, s.fairness_stop_factor),
        "objection_rate": Threshold(
            "objection_rate", s.objection_rate_note, s.objection_rate_warn, s.objection_rate_stop
        ),
        # judged in models.anchoring.anchoring_findings: only where the interval excludes zero
        "anchoring": Threshold("anchoring", s.anchoring_note, s.anchoring_warn, s.anchoring_stop),
    }


def automation_bias(n: int, agreement_rate: float, settings: Settings) -> Level | None:
    """The automation-bias rule: a scope of at least ``monitoring_min_n`` decisions whose agreement with
    the advice reaches ``agreement_note`` (its level: note, warn or stop); ``None`` otherwise. The API's
    override table and the monitoring flow's findings both judge agreement by this rule."""
    return thresholds(settings)["agreement"].level(agreement_rate) if n >= settings.monitoring_min_n else None


def _scope(row: pd.Series) -> dict[str, str]:
    return {c: str(row[c]) for c in SCOPE_COLUMNS if c in row.index and not pd.isna(row[c])}


Labeler = Callable[[str, str], str]  # (name, lang) -> words, e.g. FeatureRegistry.label


def level_name(level: str, lang: str) -> str:
    """``melding`` / ``waarschuwing`` / ``stop`` (``note`` / ``warning`` / ``stop``)."""
    return translate(f"finding.level.{level}", lang)


def _where(scope: Mapping[str, str], lang: str, label: Labeler) -> str:
    """The scope in words: teams, features and characteristics by their labels, never as column names;
    a score band with the language's decimal sign."""
    words = {
        "team": lambda v: team_label(v, lang),
        "feature": lambda v: label(v, lang),
        "attribute": lambda v: readable(v, lang),
        "group": lambda v: v.replace("_", " "),
        "subject": lambda v: translate(f"finding.subject.{v}", lang) if has_text(f"finding.subject.{v}") else v,
        "score_band": lambda v: v.replace(".", ",") if lang == "nl" else v,
    }
    return ", ".join(f"{translate(f'finding.scope.{k}', lang)} {words.get(k, str)(v)}" for k, v in scope.items())


where_words = _where  # the scope in words, for findings built outside this module (models.anchoring)

# Per metric the sentence is the catalogue's ``finding.<metric>`` (Dutch B1 and English); {value} and {limit}
# are formatted for the language, {rate} is ``finding.rate.<rate>``.
SHARE_METRICS = {"forecast_coverage95", "agreement", "override_surge", "objection_rate", "forecast_smape"}


def _finding(
    metric: str,
    row: pd.Series,
    value: float,
    threshold: Threshold,
    n: int | None,
    label: Labeler,
    shown: float | None = None,
    rate: str = "",
) -> Finding | None:
    level = threshold.level(value)
    if level is None:
        return None
    limit = float(getattr(threshold, level))
    scope = _scope(row)
    messages = []
    for lang in LANGS:
        if metric in SHARE_METRICS:
            val, lim = percent(value, 0, lang), percent(limit, 0, lang)
        else:
            val = number(value if shown is None else shown, 2, lang)
            lim = number(limit, 2, lang)
            if metric == "fairness":
                lim = f"{number(1 / limit, 2, lang)}–{lim}"
        text = translate(
            f"finding.{metric}",
            lang,
            value=val,
            limit=lim,
            rate=translate(f"finding.rate.{rate}", lang) if rate else "",
        )
        where = _where(scope, lang, label)
        messages.append(f"{level_name(level, lang).capitalize()}: {text}" + (f" ({where})." if where else "."))
    if rate:
        scope["rate"] = rate  # after the messages: they name the rate in words
    return Finding(metric, scope, float(value if shown is None else shown), level, limit, messages[0], messages[1], n)


def _rows(table: pd.DataFrame | None, n_columns: tuple[str, ...], min_n: int):
    if table is None:
        return
    for _, row in table.iterrows():
        counts = [row[c] for c in n_columns if c in row.index]
        if any(pd.isna(c) or c < min_n for c in counts):
            continue
        yield row, (int(counts[0]) if counts else None)


def evaluate(
    settings: Settings,
    *,
    psi: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    agreement: pd.DataFrame | None = None,
    surge: pd.DataFrame | None = None,
    fairness: pd.DataFrame | None = None,
    objections: pd.DataFrame | None = None,
    label: Labeler = readable,
) -> list[Finding]:
    """Findings from the tables of ``models.monitoring`` (each optional), worst first.

    ``psi`` from ``psi_table``, ``forecast`` from ``forecast_error``, ``agreement`` from
    ``agreement_rates``, ``surge`` from ``override_surge``, ``fairness`` from ``live_fairness``
    (suppressed rows and rates give no finding), ``objections`` from ``objection_counts`` with advice.
    Extra scope columns such as ``model_name`` are carried into each finding's scope. ``label``
    names features and characteristics in the messages (pass the feature registry's ``label``).
    """
    t = thresholds(settings)
    min_n = settings.monitoring_min_n
    found: list[Finding | None] = []
    for row, n in _rows(psi, ("n",), min_n):
        found.append(_finding("psi", row, row["psi"], t["psi"], n, label))
    for row, n in _rows(forecast, ("n",), settings.forecast_min_weeks):
        found.append(_finding("forecast_smape", row, row["smape"], t["forecast_smape"], n, label))
        found.append(_finding("forecast_coverage95", row, row["coverage_95"], t["forecast_coverage95"], n, label))
    for row, n in _rows(agreement, ("n",), min_n):
        if automation_bias(n, row["agreement_rate"], settings):
            found.append(_finding("agreement", row, row["agreement_rate"], t["agreement"], n, label))
    for row, n in _rows(surge, ("n", "n_baseline"), min_n):
        found.append(_finding("override_surge", row, row["surge"], t["override_surge"], n, label))
    for row, n in _rows(fairness, ("n",), settings.fairness_min_cell):
        if "suppressed" in row.index and bool(row["suppressed"]):
            continue
        for rate in ("fpr", "fnr"):
            ratio = row.get(f"{rate}_ratio")
            if ratio is None or pd.isna(ratio) or ratio <= 0 or math.isinf(ratio):
                continue
            distance = max(ratio, 1.0 / ratio)
            found.append(_finding("fairness", row, distance, t["fairness"], n, label, shown=float(ratio), rate=rate))
    for row, n in _rows(objections, ("advice",), min_n):
        found.append(_finding("objection_rate", row, row["objection_rate"], t["objection_rate"], n, label))
    findings = [f for f in found if f is not None]
    return sorted(findings, key=lambda f: -LEVELS.index(f.level))


def models_to_stop(findings: list[Finding]) -> set[str]:
    """The model names whose advice must be switched off (findings at "stop" that name a model)."""
    return {f.scope["model_name"] for f in findings if f.level == "stop" and "model_name" in f.scope}


ERROR_RISE_RATES = ("fpr", "fnr", "fdr")


def evaluate_error_rise(settings: Settings, table: pd.DataFrame | None, label: Labeler = readable) -> list[Finding]:
    """Findings from live error rates against the approved test-set figures (``explain.outcome_errors.compare``),
    worst first.

    Per model, class, attribute, group and rate (FPR, FNR, FDR): the rise ``<rate>_rise`` (live minus
    test set, in shares) reaches ``error_rise_note`` / ``_warn`` / ``_stop``, and only when the live rate
    is significantly higher than the test-set one (``<rate>_significant``, Bonferroni-corrected) — a rise
    within sampling noise is no signal — and the row is not suppressed (small cells give no finding). A
    row without an approved figure gives none either: there is nothing to compare with.
    """
    if table is None or table.empty:
        return []
    threshold = Threshold("error_rise", settings.error_rise_note, settings.error_rise_warn, settings.error_rise_stop)
    classes = table.groupby("model_name")["class"].nunique().to_dict() if {"model_name", "class"} <= set(table) else {}
    found = []
    for _, row in table.iterrows():
        if bool(row.get("suppressed", False)):
            continue
        for rate in ERROR_RISE_RATES:
            rise = row.get(f"{rate}_rise")
            if rise is None or pd.isna(rise) or not bool(row.get(f"{rate}_significant", False)):
                continue
            level = threshold.level(float(rise))
            if level is None:
                continue
            limit = float(getattr(threshold, level))
            scope = _scope(row)
            if "class" in row.index and not pd.isna(row["class"]) and classes.get(row.get("model_name"), 1) > 1:
                scope["class"] = str(row["class"])  # a multi-class model: one class against the rest
            messages = []
            for lang in LANGS:
                text = translate(
                    "finding.error_rise",
                    lang,
                    rate=translate(f"finding.rate.{rate}", lang),
                    value=percent(float(row[rate]), 0, lang),
                    test=percent(float(row[f"{rate}_test"]), 0, lang),
                    low=percent(float(row[f"{rate}_low"]), 0, lang),
                    high=percent(float(row[f"{rate}_high"]), 0, lang),
                    limit=percent(limit, 0, lang),
                )
                where = _where(scope, lang, label)
                messages.append(f"{level_name(level, lang).capitalize()}: {text}" + (f" ({where})." if where else "."))
            scope["rate"] = rate
            found.append(
                Finding(
                    "error_rise",
                    scope,
                    float(rise),
                    level,
                    limit,
                    messages[0],
                    messages[1],
                    int(row["n"]) if "n" in row.index and not pd.isna(row["n"]) else None,
                    {"live": float(row[rate]), "test": float(row[f"{rate}_test"])},
                )
            )
    return sorted(found, key=lambda f: -LEVELS.index(f.level))
