"""What one monitoring pass leaves behind: an MLflow run (metrics over time, findings, plots) and a
Dutch summary as a Prefect markdown artifact.

Metrics carry the period's end as timestamp and its day number as step, so successive passes
form a time series per metric in the MLflow UI. Only aggregates are logged: no case keys, no
feature values, and fairness rows only when not suppressed (responsible-ai item 14).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from mlflow.entities import Metric

from flows import monitor_anchoring
from flows.experiments import MONITORING
from flows.monitor_outcomes import error_rate_metrics
from models.thresholds import LEVELS, Finding, level_name
from werkwijzer.i18n import both, translate, translate_plural
from werkwijzer.periods import Period
from werkwijzer.settings import Settings
from werkwijzer.tracking import configure_mlflow, ensure_experiment, reproducibility_tags


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "metric": finding.metric,
        "scope": dict(finding.scope),
        "value": finding.value,
        "level": finding.level,
        "threshold": finding.threshold,
        "n": finding.n,
        "message_nl": finding.message_nl,
        "message_en": finding.message_en,
    }


def level_counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {level: sum(f.level == level for f in findings) for level in LEVELS}


def _name(*parts: object) -> str:
    """An MLflow-safe metric name ('67+' becomes '67plus'; other odd characters '_')."""
    text = ".".join(str(p).replace("+", "plus") for p in parts if str(p))
    return re.sub(r"[^A-Za-z0-9_.\- /]", "_", text)


def table_metrics(tables: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """The tables' headline values as named metrics (one per scope)."""
    values: dict[str, float] = {}

    def put(name: str, value: Any) -> None:
        if value is not None and not pd.isna(value):
            values[name] = float(value)

    for _, r in tables["psi"].iterrows():
        put(_name("psi", r["model_name"], r["feature"]), r["psi"])
    for _, r in tables["forecast"].iterrows():
        put(_name("forecast.smape", r["team"]), r["smape"])
        put(_name("forecast.coverage_95", r["team"]), r["coverage_95"])
    for _, r in tables["agreement"].iterrows():
        scope = next(
            c for c in ("team", "model_version", "score_band", "attribute") if c in r.index and not pd.isna(r[c])
        )
        key = (scope, r[scope]) if scope != "attribute" else (r["attribute"], r["group"])
        put(_name("agreement", r["model_name"], *key), r["agreement_rate"])
    for _, r in tables["surge"].iterrows():
        put(_name("override_surge", r["model_name"], r["team"]), r["surge"])
    for _, r in tables["fairness"].iterrows():
        if not bool(r.get("suppressed", False)):
            for rate in ("fpr_ratio", "fnr_ratio"):
                put(_name("fairness", r["subject"], r["attribute"], r["group"], rate), r.get(rate))
    for _, r in tables["objections"].iterrows():
        put(_name("objection_rate", r["model_name"], r["team"]), r["objection_rate"])
    for name, value in monitor_anchoring.metrics(tables).items():
        put(_name(name), value)
    values.update(error_rate_metrics(tables.get("error_rates"), _name))
    return values


def _levels(note: float, warn: float, stop: float | None) -> list[tuple[float, str]]:
    return [(note, "gold"), (warn, "orange")] + ([(stop, "red")] if stop is not None else [])


def _with(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows that have ``column`` (agreement stacks its scopes; each row has one of them)."""
    return table[table[column].notna()] if column in table else table.iloc[0:0]


def _fairness_long(fairness: pd.DataFrame) -> pd.DataFrame:
    """Unsuppressed advice rows, one bar per group and rate (FPR and FNR ratio)."""
    rows = _with(fairness, "fpr_ratio")
    if rows.empty:
        return pd.DataFrame(columns=["label", "ratio"])
    rows = rows[(rows["subject"] == "advice") & ~rows["suppressed"].astype(bool)]
    parts = [
        rows.assign(label=rows["attribute"] + "=" + rows["group"] + f" {rate.upper()}", ratio=rows[f"{rate}_ratio"])
        for rate in ("fpr", "fnr")
    ]
    return pd.concat(parts, ignore_index=True)


def plots(folder: Path, tables: Mapping[str, pd.DataFrame], settings: Settings) -> list[Path]:
    """Drift per feature, agreement per team and the advice's fairness ratios, each with its thresholds."""
    s = settings
    specs = [
        (
            "drift.png",
            tables["psi"],
            "feature",
            "psi",
            _levels(s.psi_note, s.psi_warn, s.psi_stop),
            both("mlflow.plot.psi"),
        ),
        (
            "agreement.png",
            _with(tables["agreement"], "team"),
            "team",
            "agreement_rate",
            _levels(s.agreement_note, s.agreement_warn, s.agreement_stop),
            both("mlflow.plot.agreement"),
        ),
        (
            "fairness.png",
            _fairness_long(tables["fairness"]),
            "label",
            "ratio",
            [
                (1.0, "grey"),
                *[
                    (x, c)
                    for f, c in _levels(s.fairness_note_factor, s.fairness_warn_factor, s.fairness_stop_factor)
                    for x in (f, 1 / f)
                ],
            ],
            both("mlflow.plot.fairness_ratio"),
        ),
    ]
    written = []
    for file, table, label, value, lines, xlabel in specs:
        if table.empty or value not in table:
            continue
        fig, ax = plt.subplots(figsize=(7, max(2.5, 0.3 * len(table) + 1)))
        ax.barh(table[label].astype(str).tolist(), table[value].astype(float).fillna(0).tolist(), color="#4a7ab5")
        for x, colour in lines:
            ax.axvline(x, color=colour, linestyle="--", linewidth=1)
        ax.set_xlabel(xlabel)
        fig.tight_layout()
        fig.savefig(folder / file, dpi=100)
        plt.close(fig)
        written.append(folder / file)
    return written


SEEN = ("advice", "decisions", "objections")  # what a pass counts, in the order the summary names them


def log_run(
    settings: Settings,
    period: Period,
    findings: Sequence[Finding],
    tables: Mapping[str, pd.DataFrame],
    counts: Mapping[str, int],
    stopped: Sequence[str],
    fingerprint: str,
    extra_tags: Mapping[str, str] | None = None,
) -> str:
    """One MLflow run in the monitoring experiment; returns its id. ``fingerprint`` identifies the
    store rows the pass read (responsible-ai item 24)."""
    client = configure_mlflow(settings)
    experiment = ensure_experiment(client, MONITORING, settings)
    per_level = level_counts(findings)
    tags = {
        **reproducibility_tags(fingerprint, settings.seed),
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "stopped_models": ",".join(stopped) or "-",
        **{f"findings.{level}": str(n) for level, n in per_level.items()},
        **(extra_tags or {}),
    }
    run = client.create_run(experiment, tags=tags, run_name=f"monitor-{period.end:%Y-%m-%d}")
    run_id = run.info.run_id
    try:
        at = int(pd.Timestamp(period.end).tz_localize("UTC").timestamp() * 1000)
        step = int(at // 86_400_000)
        values = {
            **table_metrics(tables),
            **{f"findings.{k}": float(v) for k, v in per_level.items()},
            **{f"count.{k}": float(v) for k, v in counts.items()},
        }
        metrics = [Metric(k, v, at, step) for k, v in values.items()]
        for start in range(0, len(metrics), 1000):
            client.log_batch(run_id, metrics=metrics[start : start + 1000])
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "findings.json").write_text(
                json.dumps([finding_record(f) for f in findings], indent=2, ensure_ascii=False), encoding="utf-8"
            )
            client.log_artifact(run_id, str(folder / "findings.json"))
            rates = tables.get("error_rates")
            if rates is not None and not rates.empty:  # published: small cells suppressed, no case keys
                rates.to_csv(folder / "error_rates.csv", index=False)
                client.log_artifact(run_id, str(folder / "error_rates.csv"))
            plot_dir = folder / "plots"
            plot_dir.mkdir()
            if plots(plot_dir, tables, settings):
                client.log_artifacts(run_id, str(plot_dir), "plots")
    except BaseException:
        client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id, status="FINISHED")
    return run_id


def markdown(
    period: Period,
    findings: Sequence[Finding],
    counts: Mapping[str, int],
    stopped: Sequence[str],
    notes: Sequence[str],
    lang: str = "nl",
) -> str:
    """The pass in plain language (B1, Dutch unless asked) for the Prefect UI: what was looked at, what was
    found, what was switched off. Texts: the catalogue's ``monitor.summary.*``."""
    per_level = level_counts(findings)
    seen = {kind: translate_plural(f"monitor.summary.{kind}", counts.get(kind, 0), lang) for kind in SEEN}
    lines = [
        "# " + translate("monitor.summary.title", lang, start=f"{period.start:%d-%m-%Y}", end=f"{period.end:%d-%m-%Y}"),
        "",
        translate("monitor.summary.seen", lang, **seen),
        "",
        f"| {translate('monitor.summary.level', lang)} | {translate('monitor.summary.count', lang)} |",
        "|---|---|",
    ]
    lines += [f"| {level_name(level, lang)} | {per_level[level]} |" for level in LEVELS]
    lines.append("")
    if stopped:
        lines += [translate("monitor.summary.stopped", lang, models=", ".join(stopped)), ""]
    if findings:
        lines += ["## " + translate("monitor.summary.findings", lang), ""]
        lines += [f"- {f.message(lang)}" for f in findings]
    else:
        lines.append(translate("monitor.summary.no_findings", lang))
    if notes:
        lines += ["", "## " + translate("monitor.summary.not_measured", lang), ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"
