"""Gather the evidence for a model's system card, and write, check and log the card (``werkwijzer evidence``).

Evidence is read, never assumed: the registered version's training run in MLflow (tags, params,
metrics, the model card, gates, register entry and justification documents kept with it), the
API store (the audit trail, verified now, and the decisions people took on this model's
advice), the latest monitoring pass and the settings. Whatever cannot be read is recorded in
``Evidence.missing`` with the reason, and the questions that needed it stay open.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from explain import evidence as ek
from explain.evidence import Evidence, Fact, Source
from flows.experiments import MONITORING as MONITORING_EXPERIMENT
from werkwijzer.settings import Settings
from werkwijzer.tracking import champion_version

TRIAGE_METRICS = ("roc_auc", "pr_auc", "brier", "balanced_accuracy", "n_train", "n_test")
ARTIFACT_FOLDERS = ("reports", "triage", "forecast")
SYSTEMCARD_FOLDER = "systemcard"


class EvidenceError(LookupError):
    """The model has no registered version to describe; the message says what to do."""


@dataclass(frozen=True)
class Target:
    model_name: str
    version: str
    run_id: str


def target(client: MlflowClient, model_name: str) -> Target:
    """The champion of ``model_name``, else its newest version."""
    version = champion_version(client, model_name)
    if version is None:
        try:
            found = list(client.search_model_versions(f"name='{model_name}'"))
        except MlflowException:
            found = []
        if not found:
            raise EvidenceError(
                f"no registered version of '{model_name}' in {client.tracking_uri}; train it first "
                "('werkwijzer triage' or 'werkwijzer forecast', or 'werkwijzer demo')"
            )
        version = max(found, key=lambda v: int(v.version))
    return Target(model_name, str(version.version), str(version.run_id))


def _artifact(client: MlflowClient, run_id: str, name: str) -> tuple[str, Any] | None:
    """(path, parsed JSON) of the first ``<folder>/<name>`` the run has, else None."""
    for folder in ARTIFACT_FOLDERS:
        path = f"{folder}/{name}"
        if not any(a.path == path for a in client.list_artifacts(run_id, folder)):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            return path, json.loads(Path(client.download_artifacts(run_id, path, tmp)).read_text(encoding="utf-8"))
    return None


def _run_facts(client: MlflowClient, t: Target, facts: dict[str, Fact], missing: dict[str, str]) -> str:
    run = client.get_run(t.run_id)
    tags, params, metrics = run.data.tags, run.data.params, run.data.metrics
    here = f"run {t.run_id} ({t.model_name} versie {t.version})"
    code = tags.get("code_version", "")
    if code and tags.get("data_fingerprint"):
        facts[ek.RUN] = Fact(
            {
                "run_id": t.run_id,
                "version": t.version,
                "code_version": code,
                "data_fingerprint": tags["data_fingerprint"],
                "seed": tags.get("seed", ""),
                "model_type": params.get("model_type", ""),
                "label_source": params.get("label_source", ""),
                "dependencies": {k[4:]: v for k, v in tags.items() if k.startswith("dep.")},
            },
            Source("mlflow-run", here, "tags code_version, data_fingerprint, seed, dep.*"),
        )
    else:
        missing[ek.RUN] = f"{here} legt geen codeversie of vingerafdruk van de gegevens vast"
    if params.get("features"):
        facts[ek.FEATURES] = Fact(
            {"names": params["features"].split(",")}, Source("mlflow-run", here, "param features")
        )
    else:
        missing[ek.FEATURES] = f"{here} legt niet vast welke kenmerken het model gebruikt (param 'features')"
    chosen = {
        k: v
        for k, v in metrics.items()
        if k in TRIAGE_METRICS or (k.count(".") == 1 and k.split(".")[0] in ("mase", "coverage_95"))
    }
    if chosen:
        facts[ek.METRICS] = Fact(chosen, Source("mlflow-run", here, "metrics " + ", ".join(sorted(chosen))))
    else:
        missing[ek.METRICS] = f"{here} heeft geen testmaten"
    version_tags = client.get_model_version(t.model_name, t.version).tags or {}
    gates = {k[5:]: v for k, v in version_tags.items() if k.startswith("gate.") and not k.endswith(".detail")}
    if gates:
        facts[ek.GATES] = Fact(gates, Source("mlflow-run", f"{t.model_name} version {t.version}", "tags gate.*"))
    else:
        missing[ek.GATES] = f"{t.model_name} versie {t.version} heeft geen toetsen (gate.*)"
    return code


def _artifact_facts(client: MlflowClient, t: Target, facts: dict[str, Fact], missing: dict[str, str]) -> None:
    card = _artifact(client, t.run_id, "model_card.json")
    if card is not None and card[1].get("intended_use_nl"):
        path, data = card
        gov = data.get("governance") or {}
        facts[ek.MODEL_CARD] = Fact(
            {
                "intended_use_nl": data.get("intended_use_nl", ""),
                "dpia_link": gov.get("dpia_link", ""),
                "iama_link": gov.get("iama_link", ""),
                "risk_class": (data.get("risk") or {}).get("class", ""),
            },
            Source("mlflow-artifact", f"runs:/{t.run_id}/{path}"),
        )
        gate = (data.get("fairness") or {}).get("gate")
        if isinstance(gate, dict) and "passed" in gate:
            facts[ek.FAIRNESS] = Fact(
                {
                    "passed": bool(gate["passed"]),
                    "reason": str(gate.get("reason", "")),
                    "justified": bool(gate.get("justified")),
                    "priority": list(data["fairness"].get("priority") or []),
                },
                Source(
                    "mlflow-artifact",
                    f"runs:/{t.run_id}/reports/fairness.csv",
                    f"gate in {path}; FPR, FNR, FDR and ratios per group",
                ),
            )
        else:
            missing[ek.FAIRNESS] = f"de modelkaart van run {t.run_id} heeft geen eerlijkheidstoets"
    else:
        missing[ek.MODEL_CARD] = f"run {t.run_id} heeft geen modelkaart (model_card.json) met een doel"
        missing[ek.FAIRNESS] = f"run {t.run_id} heeft geen modelkaart met een eerlijkheidstoets"
    entry = _artifact(client, t.run_id, "algoritmeregister.json")
    if entry is not None and entry[1].get("publication_category"):
        facts[ek.REGISTER] = Fact(
            {"publication_category": entry[1]["publication_category"], "status": str(entry[1].get("status") or "")},
            Source("mlflow-artifact", f"runs:/{t.run_id}/{entry[0]}"),
        )
    else:
        missing[ek.REGISTER] = f"run {t.run_id} heeft geen Algoritmeregister-record met een publicatiecategorie"
    kept = [a.path for a in client.list_artifacts(t.run_id, "justification")]
    if kept:
        facts[ek.JUSTIFICATION] = Fact(
            {"files": kept}, Source("mlflow-artifact", f"runs:/{t.run_id}/justification", ", ".join(kept))
        )
    else:
        missing[ek.JUSTIFICATION] = f"bij run {t.run_id} is geen rechtvaardiging bewaard"


def _store_facts(
    settings: Settings, model_name: str, facts: dict[str, Fact], missing: dict[str, str], now: dt.datetime
) -> None:
    from casework.audit import verify
    from casework.db import read_session
    from casework.frames import ALL_MODELS, StoreNotReady, decisions, open_store, switch_changes
    from werkwijzer.periods import Period

    try:
        engine = open_store(settings)
    except StoreNotReady as exc:
        missing[ek.AUDIT] = missing[ek.DECISIONS] = missing[ek.SWITCHES] = (
            f"de opslag van de API is nog niet in gebruik ({exc})"
        )
        return
    session = read_session(engine)
    try:
        check = verify(session)
        period = Period.of(dt.datetime(2000, 1, 1), now + dt.timedelta(days=1))
        taken = decisions(session, period)
        flips = switch_changes(session, period)
    finally:
        session.close()
        engine.dispose()
    facts[ek.AUDIT] = Fact(
        {
            "valid": check.valid,
            "entries": check.entries,
            "first_seq": check.first_seq,
            "last_seq": check.last_seq,
            "broken_at": check.broken_at,
            "problem": check.problem,
        },
        Source(
            "audit-trail",
            f"entries {check.first_seq}–{check.last_seq} (head {check.head_hash or '-'})",
            f"verified {now:%Y-%m-%d %H:%M} UTC",
        ),
    )
    mine = taken[taken["model_name"] == model_name]
    advised = mine[mine["advised"]]
    first = f"{mine['decided_at'].min():%Y-%m-%d}" if len(mine) else "-"
    last = f"{mine['decided_at'].max():%Y-%m-%d}" if len(mine) else "-"
    facts[ek.DECISIONS] = Fact(
        {
            "decisions": len(mine),
            "advised": len(advised),
            "deviated": int((~advised["followed"]).sum()),
            "first": first,
            "last": last,
        },
        Source(
            "audit-trail", f"decisions on {model_name}, {first} to {last}", "table decisions, each with its audit entry"
        ),
    )
    flips = flips[flips["model_name"].isin([model_name, ALL_MODELS])]
    facts[ek.SWITCHES] = Fact(
        {
            "changes": len(flips),
            "offs": int((~flips["enabled"]).sum()),
            "last": f"{flips['time'].max():%Y-%m-%d}" if len(flips) else "-",
        },
        Source(
            "audit-trail",
            f"switch changes for {model_name} and all models",
            "table switch_changes, each with its audit entry",
        ),
    )


def _monitoring_facts(client: MlflowClient, facts: dict[str, Fact], missing: dict[str, str]) -> None:
    experiment = client.get_experiment_by_name(MONITORING_EXPERIMENT)
    runs = (
        client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1)
        if experiment
        else []
    )
    if not runs:
        missing[ek.MONITORING] = "er is nog geen monitoring gedaan ('werkwijzer monitor --once')"
        return
    tags = runs[0].data.tags
    levels = {k.split(".", 1)[1]: int(v) for k, v in tags.items() if k.startswith("findings.")}
    facts[ek.MONITORING] = Fact(
        {
            "run_id": runs[0].info.run_id,
            "period_start": tags.get("period_start", "")[:10],
            "period_end": tags.get("period_end", "")[:10],
            "findings": sum(levels.values()),
            "levels": "/".join(str(levels.get(k, 0)) for k in ("note", "warn", "stop")),
            "stopped": [s for s in tags.get("stopped_models", "-").split(",") if s != "-"],
        },
        Source("monitoring-run", f"run {runs[0].info.run_id}", "findings.json"),
    )


def gather(settings: Settings, client: MlflowClient, t: Target, now: dt.datetime) -> Evidence:
    """Every fact that exists for version ``t`` (see the module docstring)."""
    facts: dict[str, Fact] = {}
    missing: dict[str, str] = {}
    code = _run_facts(client, t, facts, missing)
    _artifact_facts(client, t, facts, missing)
    _store_facts(settings, t.model_name, facts, missing, now)
    _monitoring_facts(client, facts, missing)
    facts[ek.RETENTION] = Fact(
        {"days": settings.retention_days}, Source("setting", f"WERKWIJZER_RETENTION_DAYS={settings.retention_days}")
    )
    facts[ek.CONTROL_SHARE] = Fact(
        {"share": settings.control_share}, Source("setting", f"WERKWIJZER_CONTROL_SHARE={settings.control_share:g}")
    )
    return Evidence(model_name=t.model_name, facts=facts, missing=missing, code_version=code)


def write_systemcard(
    settings: Settings, model_name: str, out_dir: str | Path, *, log: bool = True, now: dt.datetime | None = None
) -> dict[str, Path]:
    """Gather, build, validate and write ``systemcard.json``, ``.html`` and ``.pdf`` into ``out_dir``;
    with ``log``, keep them with the version's run in MLflow (folder ``systemcard/``).

    A card that breaks the registry's schema is never written (ValueError with every problem).
    """
    from explain.report import render_html, render_pdf
    from explain.systemcard import build_card, facts_for
    from explain.systemcard_render import systemcard_document
    from explain.systemcard_schema import card_problems
    from werkwijzer.io import staged_output
    from werkwijzer.standards.task_registry import load_registry, registry_path
    from werkwijzer.tracking import configure_mlflow

    registry = load_registry(registry_path(settings))
    client = configure_mlflow(settings)
    now = now or dt.datetime.now(dt.UTC)
    t = target(client, model_name)
    evidence = gather(settings, client, t, now)
    description = (
        "Advies aan medewerkers bij een nieuwe zaak; een medewerker beslist."
        if model_name.startswith("werkwijzer-triage-")
        else "Prognose van de instroom per team, voor de planning van teamleiders."
    )
    card = build_card(
        registry=registry,
        evidence=evidence,
        facts=facts_for(model_name),
        description=description,
        version=t.version,
        run_id=t.run_id,
        timestamp=now.isoformat(timespec="seconds"),
    )
    problems = card_problems(card, registry)
    if problems:
        raise ValueError(f"the system card of {model_name} breaks the registry's schema:\n  " + "\n  ".join(problems))
    document = systemcard_document(card)
    with staged_output(out_dir) as stage:
        (stage / "systemcard.json").write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
        (stage / "systemcard.html").write_text(render_html(document), encoding="utf-8")
        render_pdf(document, stage / "systemcard.pdf")
    out = Path(out_dir)
    written = {kind: out / f"systemcard.{kind}" for kind in ("json", "html", "pdf")}
    if log:
        for path in written.values():
            client.log_artifact(t.run_id, str(path), SYSTEMCARD_FOLDER)
    return written
