"""The steps of triage training as plain functions; flows/train_triage.py orchestrates them.

validate -> policy -> proxy scan -> train + calibrate -> evaluate -> fairness -> SHAP ->
model card -> register entry. Each returns plain data; nothing here talks to MLflow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from explain.case import CaseExplainer
from explain.fairness import (
    PRIORITY,
    Justification,
    audit,
    compare_with_human,
    export_table,
    fairness_gate,
    gate_terms,
    threshold_sweep,
)
from explain.fairness_report import fairness_markdown
from explain.governance import Governance
from explain.label_bias import label_bias_findings, label_bias_table, repair_labels
from explain.model_card import build_card, render_markdown
from explain.plots_triage import ShapSample
from explain.register import RegisterError, build_entry
from models.plain_peers import MEASURES, gap_to_best_peer, measure, peer_scores
from models.policy import assert_no_protected, judge, select_features
from models.proxy import blocked_features, proxy_scan
from models.triage import Constraint, TriageClassifier
from models.triage_metrics import calibration_table, class_prior, evaluate, expected_calibration_error
from werkwijzer.contracts import ContractError, FeatureRegistry, Problem
from werkwijzer.i18n import both
from werkwijzer.io import write_csv
from werkwijzer.settings import Settings
from werkwijzer.tracking import fingerprint_frame
from werkwijzer.vocabulary import is_true_word

BACKGROUND_ROWS = 200
# Labels of the simulator's service-oriented targets (a user's own target falls back to its name).
TARGET_LABELS = {
    "effort_class": ("Zwaarte van de zaak (eenvoudig, gemiddeld, complex)", "Effort class of the case"),
    "integrated_approach": ("Integrale aanpak nodig", "Integrated approach needed"),
}
AFTER_INTAKE = ("handling_hours", "decision_date", "decided_within_term", "integrated_approach", "effort_class")
# What ``werkwijzer triage train --out DIR`` promises (the CLI contract); more files may follow.
REPORT_FILES = (
    "metrics.json",
    "features.json",
    "fairness.csv",
    "fairness.md",
    "proxy_scan.csv",
    "shap_importance.csv",
    "model_card.md",
    "model_card.json",
    "algoritmeregister.json",
    "gates.json",
)
LABEL_REPAIRS = ("hours",)


@dataclass
class Prepared:
    cases: pd.DataFrame
    registry: FeatureRegistry
    target: str
    y: pd.Series
    positive: str | None
    features: list[dict[str, Any]]
    excluded: list[dict[str, str]]
    scan: pd.DataFrame
    blocked: dict[str, str]
    label: dict[str, Any]
    historical: pd.Series | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _labels(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"}).astype(object)
    return series.astype("string").str.strip().astype(object)


def prepare(
    cases: pd.DataFrame,
    registry: FeatureRegistry,
    target: str,
    settings: Settings,
    *,
    positive: str | None = None,
    label_repair: str | None = None,
    norms: pd.DataFrame | None = None,
) -> Prepared:
    """Validate the target, run the proxy scan and the feature policy."""
    if target not in cases.columns:
        raise ContractError([Problem("cases", f"a target column named '{target}'", row=1, column=target)])
    if target in registry.protected:
        raise ContractError([Problem("cases", "a target that is not a protected characteristic", column=target)])
    y = _labels(cases[target])
    keep = y.notna() & (y != "")
    cases, y = cases[keep].reset_index(drop=True), y[keep].reset_index(drop=True)
    historical = None
    label: dict[str, Any] = {"source": "historical", "description_nl": f"de vastgelegde waarde van '{target}'."}
    if label_repair is not None:
        if label_repair not in LABEL_REPAIRS or "handling_hours" not in cases.columns:
            raise ContractError(
                [
                    Problem(
                        "cases",
                        "label_repair 'hours' with a handling_hours column",
                        column="handling_hours",
                        value=str(label_repair),
                    )
                ]
            )
        historical = y.copy()
        y = pd.Series(repair_labels(cases.assign(**{target: y}), target, norms), name=target).astype(object)
        label = {
            "source": "repaired from handling_hours and team norms",
            "description_nl": "afgeleid uit de geregistreerde behandeluren en de normuren van het team "
            "(labelherstel: het historische label bleek scheef per groep).",
            "changed_share": float((historical != y).mean()),
        }
    classes = sorted(y.unique().tolist(), key=str)
    if len(classes) < 2:
        raise ContractError([Problem("cases", "a target with at least two different values", column=target)])
    if positive is not None:
        match = {str(c).lower(): c for c in classes}.get(str(positive).lower())
        if match is None:
            raise ContractError(
                [
                    Problem(
                        "cases",
                        f"--positive to be one of {', '.join(map(str, classes))}",
                        column=target,
                        value=str(positive),
                    )
                ]
            )
        positive = str(match)
    elif len(classes) == 2:
        positive = next((c for c in classes if is_true_word(c)), classes[1])
    scan = proxy_scan(cases, registry, settings.proxy_threshold)
    blocked = blocked_features(scan)
    specs = select_features(registry, target=target, available=cases.columns, blocked=blocked)
    names = [s.name for s in specs]
    assert_no_protected(names, registry)
    features = []
    for spec in specs:
        entry: dict[str, Any] = {
            "name": spec.name,
            "kind": spec.kind,
            "label_nl": spec.label("nl"),
            "label_en": spec.label("en"),
            "categories": None,
            "min": None,
            "max": None,
        }
        features.append(entry)
    excluded = []
    for column in cases.columns:
        if column in names or column == target:
            continue
        reason = blocked.get(column) or judge(registry, column, target).reason
        if registry.get(column) is None and column in AFTER_INTAKE:
            reason = "an outcome recorded after intake, not known when advice is given"
        elif registry.get(column) is None and column == "received_date":
            reason = "the intake date (used to split train and test by time), not a feature"
        excluded.append({"feature": column, "reason": reason})
    return Prepared(cases, registry, target, y, positive, features, excluded, scan, blocked, label, historical)


def split(prep: Prepared, test_fraction: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Train on the older cases, test on the newest (as the model will be used)."""
    order = np.argsort(pd.to_datetime(prep.cases["received_date"]).to_numpy(), kind="stable")
    cut = int(len(order) * (1 - test_fraction))
    return order[:cut], order[cut:]


def decision_gate(
    y: np.ndarray,
    proba: np.ndarray,
    classes: np.ndarray,
    groups: pd.DataFrame,
    positive: str | None,
    settings: Settings,
    justification: Justification | None = None,
) -> tuple[pd.DataFrame, Any]:
    """The fairness audit of the decisions (argmax of ``proba``) per group, and its gate."""
    table = audit(y, classes[np.argmax(proba, axis=1)], groups, positive=positive, classes=[str(c) for c in classes])
    gate = fairness_gate(table, justification=justification, **gate_terms(settings))
    return table, gate


def protected_groups(prep: Prepared, rows: np.ndarray) -> pd.DataFrame:
    protected = [p for p in prep.registry.protected if p in prep.cases.columns]
    return prep.cases.loc[rows, protected].reset_index(drop=True)


def gate_constraint(
    prep: Prepared, rows: np.ndarray, settings: Settings, prior_rows: np.ndarray | None = None
) -> Constraint:
    """The gates that depend on the candidate (performance against the prior-only model of the
    training cases, and the fairness audit of its decisions), judged on a candidate's probabilities
    for ``rows`` (out-of-fold ones for the training cases), as :func:`gates` and :func:`assess`
    judge the test cases (ADR 0016).
    Without a justification: a justification accepts a disparity the data forces, not one a more
    accurate candidate adds while a fairer one is at hand. The label audit is left out: it judges
    the label, which every candidate shares."""
    y = prep.y[rows].to_numpy()
    prior_y = prep.y[rows if prior_rows is None else prior_rows].to_numpy()
    classes = np.unique(prior_y)  # the order TriageClassifier.classes_ has
    groups = protected_groups(prep, rows)
    positive = prep.positive if len(classes) == 2 else None
    prior = class_prior(prior_y, classes)

    def judge(proba: np.ndarray) -> tuple[bool, str]:
        performance = performance_gate(evaluate(y, proba, classes, prior, positive))
        _, fairness = decision_gate(y, proba, classes, groups, positive, settings)
        failed = [
            f"{name}: {gate['reason']}"
            for name, gate in (
                ("performance", performance),
                ("fairness", {"passed": fairness.passed, "reason": fairness.reason}),
            )
            if not gate["passed"]
        ]
        return not failed, "; ".join(failed) or "performance and fairness pass on the out-of-fold decisions"

    return judge


def held_out_judge(
    prep: Prepared, train_idx: np.ndarray, test_idx: np.ndarray, settings: Settings
) -> Callable[[TriageClassifier], tuple[bool, str]]:
    """The same candidate-dependent gates as :func:`gate_constraint`, on a fitted candidate's
    decisions for the test cases: what :func:`gates` will decide the champion on (ADR 0016)."""
    names = [f["name"] for f in prep.features]
    X_test, y_test = prep.cases.loc[test_idx, names], prep.y[test_idx].to_numpy()
    judge = gate_constraint(prep, test_idx, settings, prior_rows=train_idx)
    return lambda model: judge(model.predict_proba(X_test)) if len(y_test) else (True, "no test cases")


def train(
    prep: Prepared, train_idx: np.ndarray, settings: Settings, test_idx: np.ndarray | None = None
) -> TriageClassifier:
    """Fit the triage model: the most accurate candidate whose out-of-fold decisions pass the
    candidate-dependent gates (:func:`gate_constraint`) and, given ``test_idx``, whose decisions on
    those cases pass them too (:func:`held_out_judge`; ADR 0016)."""
    names = [f["name"] for f in prep.features]
    kinds = {f["name"]: f["kind"] for f in prep.features}
    model = TriageClassifier(
        feature_kinds=kinds, preference_margin=settings.glassbox_preference_margin, random_state=settings.seed
    )
    X, y = prep.cases.loc[train_idx, names], prep.y[train_idx].to_numpy()
    model.fit(X, y, constraint=gate_constraint(prep, train_idx, settings))
    if test_idx is not None:
        model.settle(X, y, held_out_judge(prep, train_idx, test_idx, settings))
    for f in prep.features:
        if f["kind"] == "numeric" and f["name"] in model.ranges_:
            f["min"], f["max"] = model.ranges_[f["name"]]
        elif f["kind"] != "numeric":
            f["categories"] = model.categories_.get(f["name"])
    return model


def schema(prep: Prepared, model: TriageClassifier, model_name: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "model_name": model_name,
        "target": prep.target,
        "classes": [str(c) for c in model.classes_],
        "positive": prep.positive if len(model.classes_) == 2 else None,
        "features": prep.features,
    }
    assert_no_protected([f["name"] for f in doc["features"]], prep.registry)
    return doc


def assess(
    prep: Prepared,
    model: TriageClassifier,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    settings: Settings,
    justification: Justification | None,
    norms: pd.DataFrame | None,
    human_col: str | None = None,
) -> dict[str, Any]:
    """Metrics, calibration, per-group metrics, fairness audit and its gate, label audit."""
    names = [f["name"] for f in prep.features]
    X_test = prep.cases.loc[test_idx, names]
    y_test = prep.y[test_idx].to_numpy()
    proba = model.predict_proba(X_test)
    classes = model.classes_
    positive = prep.positive if len(classes) == 2 else None
    prior = class_prior(prep.y[train_idx].to_numpy(), classes)
    metrics: dict[str, Any] = dict(evaluate(y_test, proba, classes, prior, positive))
    metrics.update({"n_train": len(train_idx), "n_test": len(test_idx), "model_type": model.model_type_})
    calib = calibration_table(y_test, proba, classes)
    metrics["ece"] = expected_calibration_error(calib)
    protected = [p for p in prep.registry.protected if p in prep.cases.columns]
    groups = protected_groups(prep, test_idx)
    table, gate = decision_gate(y_test, proba, classes, groups, positive, settings, justification)
    per_group = []
    for attribute in protected:
        for group, idx in groups.groupby(attribute).groups.items():
            rows = np.asarray(list(idx))
            if len(rows) < settings.fairness_min_cell:
                continue
            scores = evaluate(y_test[rows], proba[rows], classes, prior, positive)
            per_group.append(
                {
                    "attribute": attribute,
                    "group": str(group),
                    "n": len(rows),
                    "roc_auc": scores["roc_auc"],
                    "brier": scores["brier"],
                }
            )
    train_pred = classes[np.argmax(model.predict_proba(prep.cases.loc[train_idx, names]), axis=1)]
    train_table = audit(
        prep.y[train_idx].to_numpy(),
        train_pred,
        prep.cases.loc[train_idx, protected].reset_index(drop=True),
        positive=positive,
        classes=[str(c) for c in classes],
    )
    stages = pd.concat(
        [
            export_table(train_table, settings.fairness_min_cell).assign(stage="train"),
            export_table(table, settings.fairness_min_cell).assign(stage="test"),
        ],
        ignore_index=True,
    )
    # Label audit: does the label agree with the recorded hours equally for every group?
    label_table, findings, note, human = None, [], "", None
    if "handling_hours" in prep.cases.columns and prep.target == "effort_class":
        source = prep.historical if prep.historical is not None else prep.y
        label_table = label_bias_table(
            prep.cases.assign(**{prep.target: source}),
            prep.target,
            protected,
            norms,
            min_cell=settings.fairness_min_cell,
        )
        findings = label_bias_findings(label_table, settings.fairness_ratio_low, settings.fairness_ratio_high)
        if prep.historical is not None:
            note = (
                "Het historische label is vergeleken met de behandeluren. Het model is getraind op het "
                "herstelde label (uit uren en normen); hieronder de bevindingen over het historische label. "
                "/ The model was trained on the label repaired from hours; findings on the historical label:"
            )
            human = compare_with_human(
                table,
                audit(
                    y_test,
                    prep.historical[test_idx].to_numpy(),
                    groups,
                    positive=positive,
                    classes=[str(c) for c in classes],
                ),
                settings.fairness_min_cell,
            )
        else:
            note = both("mlflow.label.checked")
            if findings and justification is None:
                gate.passed = False
                gate.reason = (
                    "the training label is biased: "
                    + findings[0].split(" / ")[-1]
                    + " — retrain with label repair (label_repair='hours') or supply a justification; "
                    + gate.reason
                )
            elif findings and justification is not None:
                gate.justified = True
                gate.reason = (
                    f"the training label is biased ({findings[0].split(' / ')[-1]}); accepted with "
                    f"the justification in {justification.source}; " + gate.reason
                )
    if human_col and human_col in prep.cases.columns:
        human = compare_with_human(
            table,
            audit(
                y_test,
                _labels(prep.cases.loc[test_idx, human_col]).to_numpy(),
                groups,
                positive=positive,
                classes=[str(c) for c in classes],
            ),
            settings.fairness_min_cell,
        )
    sweep_classes = [positive] if positive is not None else [str(c) for c in classes]
    sweeps = []
    for cls in sweep_classes:
        k = int(np.flatnonzero(classes == cls)[0])
        part = threshold_sweep(y_test == cls, proba[:, k], groups, min_cell=settings.fairness_min_cell)
        part.insert(0, "class", cls)
        sweeps.append(part)
    md = fairness_markdown(
        table,
        gate,
        priority=PRIORITY,
        title=prep.target,
        human=human,
        label_bias=label_table,
        label_findings=findings,
        label_note=note,
        **gate_terms(settings),
    )
    return {
        "metrics": metrics,
        "calibration": calib,
        "per_group": per_group,
        "table": table,
        "gate": gate,
        "sweep": pd.concat(sweeps, ignore_index=True),
        "markdown": md,
        "label_table": label_table,
        "label_findings": findings,
        "proba": proba,
        "stages": stages,
    }


def compare_with_plain_peers(
    prep: Prepared, train_idx: np.ndarray, test_idx: np.ndarray, metrics: dict[str, Any], seed: int
) -> dict[str, Any]:
    """The chosen model next to scikit-learn's untuned peers on the same split (models.plain_peers):
    what the simplest alternative would have scored, so nobody has to check it from outside."""
    names = [f["name"] for f in prep.features]
    kinds = {f["name"]: f["kind"] for f in prep.features}
    peers = peer_scores(
        prep.cases.loc[train_idx, names],
        prep.y[train_idx],
        prep.cases.loc[test_idx, names],
        prep.y[test_idx],
        kinds,
        prep.positive,
        random_state=seed,
    )
    chosen = {m: float(metrics[m]) for m in MEASURES}
    return {"model": chosen, "peers": peers, **gap_to_best_peer(chosen, peers)}


def constraint_cost(
    prep: Prepared,
    model: TriageClassifier,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    chosen: dict[str, Any],
    settings: Settings,
) -> dict[str, Any]:
    """What the gates cost (ADR 0016): every candidate's out-of-fold verdict and, when the most
    accurate candidate was not taken, what it would have scored on the same test cases and whether
    it would have passed the fairness gate there (measured only, never used to choose)."""
    out = model.selection()
    out["chosen_test"] = {m: float(chosen[m]) for m in MEASURES}
    if out["most_accurate"] == out["chosen"]:
        return out
    names = [f["name"] for f in prep.features]
    other = model.candidate_model(out["most_accurate"], prep.cases.loc[train_idx, names], prep.y[train_idx])
    proba = other.predict_proba(model.prepared(prep.cases.loc[test_idx, names]))
    y_test = prep.y[test_idx].to_numpy()
    positive = prep.positive if len(model.classes_) == 2 else None
    _, gate = decision_gate(y_test, proba, model.classes_, protected_groups(prep, test_idx), positive, settings)
    out["most_accurate_test"] = measure(y_test, proba, model.classes_, positive)
    out["most_accurate_test_fairness"] = {"passed": bool(gate.passed), "reason": gate.reason}
    out["cost_test_roc_auc"] = out["most_accurate_test"]["roc_auc"] - out["chosen_test"]["roc_auc"]
    return out


def selection_metrics(selection: dict[str, Any]) -> dict[str, float]:
    """The cost of the gates as run metrics (``selection.*``; the test cost only when it was paid)."""
    out = {
        "selection.cost_cv_roc_auc": float(selection["cost_cv_roc_auc"]),
        "selection.cost_cv_log_loss": float(selection["cost_cv_log_loss"]),
    }
    if "cost_test_roc_auc" in selection:
        out["selection.cost_test_roc_auc"] = float(selection["cost_test_roc_auc"])
        out["selection.most_accurate.roc_auc"] = float(selection["most_accurate_test"]["roc_auc"])
    return out


def selection_tags(selection: dict[str, Any]) -> dict[str, str]:
    """Which candidate was kept and, when it is not the most accurate, which one was refused, why,
    and its ROC AUC on the test cases (``comparison.most_accurate``, shown on the Modellen page)."""
    tags = {"selection.chosen": selection["chosen"], "selection.most_accurate": selection["most_accurate"]}
    if selection["most_accurate"] != selection["chosen"]:
        refused = next(c for c in selection["candidates"] if c["name"] == selection["most_accurate"])
        tags["selection.refused"] = refused["reason"]
        tags["comparison.most_accurate"] = f"{selection['most_accurate_test']['roc_auc']:.4f}"
    elif selection["none_admissible"]:
        tags["selection.refused"] = "no candidate passes the gates on the out-of-fold decisions"
    return tags


def comparison_tags(comparison: dict[str, Any]) -> dict[str, str]:
    """ROC AUC of the model and of each plain peer as model-version tags (``comparison.<name>``)."""
    tags = {"comparison.model": f"{comparison['model']['roc_auc']:.4f}"}
    tags.update({f"comparison.{name}": f"{scores['roc_auc']:.4f}" for name, scores in comparison["peers"].items()})
    return tags


def explain_model(
    prep: Prepared, model: TriageClassifier, train_idx: np.ndarray, test_idx: np.ndarray, doc: dict[str, Any], seed: int
) -> dict[str, Any]:
    names = [f["name"] for f in prep.features]
    rng = np.random.default_rng(seed)
    bg_idx = rng.choice(train_idx, size=min(BACKGROUND_ROWS, len(train_idx)), replace=False)
    background = prep.cases.loc[np.sort(bg_idx), names].reset_index(drop=True)
    explainer = CaseExplainer(model, background, doc)
    sample = prep.cases.loc[test_idx[: min(300, len(test_idx))], names]
    error = explainer.additivity_error(sample)
    importance = explainer.importance(sample)
    example = explainer.reasons(prep.cases.loc[test_idx[:1], names])
    return {
        "background": background,
        "additivity_error": error,
        "importance": importance,
        "example_reasons": example,
        "sample": ShapSample.of(explainer, sample),  # for the review pictures (explain.plots_triage)
    }


def performance_gate(metrics: dict[str, Any]) -> dict[str, Any]:
    """ROC AUC more than 0.02 above the prior-only model's and a lower Brier score."""
    better = metrics["roc_auc"] > metrics["baseline_roc_auc"] + 0.02 and metrics["brier"] < metrics["baseline_brier"]
    return {
        "passed": bool(better),
        "reason": (
            f"ROC AUC {metrics['roc_auc']:.3f} vs prior-only {metrics['baseline_roc_auc']:.3f}; Brier "
            f"{metrics['brier']:.4f} vs {metrics['baseline_brier']:.4f}"
            + ("" if better else " — not better than the prior-only baseline")
        ),
    }


def gates(
    prep: Prepared,
    metrics: dict[str, Any],
    fairness: Any,
    additivity: float,
    entry_error: str | None,
    model_features: list[str],
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {"performance": performance_gate(metrics)}
    leaked = sorted(set(model_features) & set(prep.blocked))
    left_out = ", ".join(f"{k} ({v})" for k, v in sorted(prep.blocked.items()))
    out["proxy"] = {
        "passed": not leaked,
        "reason": (
            f"model uses unjustified strong proxies: {', '.join(leaked)}"
            if leaked
            else "no model feature is an unjustified strong proxy" + (f"; left out: {left_out}" if left_out else "")
        ),
    }
    out["fairness"] = {"passed": bool(fairness.passed), "reason": fairness.reason}
    out["registry"] = {
        "passed": entry_error is None,
        "reason": entry_error or "Algoritmeregister entry valid (AlgorithmIn of the submission API)",
    }
    ok = additivity < 1e-6
    out["shap_additivity"] = {"passed": ok, "reason": f"max |base + contributions - raw output| = {additivity:.2e}"}
    return out


def card_and_entry(
    prep: Prepared,
    model: TriageClassifier,
    model_name: str,
    result: dict[str, Any],
    governance: Governance,
    doc: dict[str, Any],
) -> tuple[dict[str, Any], dict | None, str | None]:
    spec = prep.registry.get(prep.target)
    fallback = TARGET_LABELS.get(prep.target, (prep.target.replace("_", " "),) * 2)
    label_nl = spec.label("nl") if spec else fallback[0]
    label_en = spec.label("en") if spec else fallback[1]
    numbers = "getallen als splines" if ":spline:" in model.candidate_ else "genormaliseerde kenmerken"
    description = (
        f"Logistische regressie op {numbers} (glass-box); elke bijdrage is te lezen."
        if model.model_type_ == "glassbox"
        else "Gradient boosting (beslisbomen) met expliciet gecodeerde categorieën; bijdragen via SHAP."
    )
    card = build_card(
        model_name=model_name,
        target=prep.target,
        target_label_nl=label_nl,
        target_label_en=label_en,
        classes=[str(c) for c in model.classes_],
        positive=doc["positive"],
        model={
            "model_type": model.model_type_,
            "description_nl": description + " Kansen zijn gekalibreerd.",
            "validation_auc": {k: round(v, 4) for k, v in model.validation_auc_.items()},
            "candidate": model.candidate_,
        },
        features=doc["features"],
        excluded=prep.excluded,
        metrics={k: v for k, v in result["metrics"].items() if isinstance(v, int | float)},
        metrics_by_group=result["per_group"],
        comparison=result.get("comparison"),
        selection=result.get("selection"),
        fairness={
            "priority": list(PRIORITY),
            "gate": result["gate"].as_dict(),
            "label_findings": result["label_findings"],
        },
        governance=governance,
        data={
            "n_train": result["metrics"]["n_train"],
            "n_test": result["metrics"]["n_test"],
            "fingerprint": fingerprint_frame(prep.cases),
        },
        label=prep.label,
    )
    try:
        entry, error = build_entry(card), None
    except RegisterError as exc:
        entry, error = None, str(exc)
    return card, entry, error


def write_reports(
    out: Path,
    *,
    prep: Prepared,
    result: dict[str, Any],
    shap_out: dict[str, Any],
    card: dict[str, Any],
    entry: dict | None,
    gate_results: dict[str, Any],
    settings: Settings,
) -> None:
    """Every report the CLI promises, into ``out`` (a staging folder)."""
    metrics = {k: v for k, v in result["metrics"].items()}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=float), encoding="utf-8")
    (out / "features.json").write_text(json.dumps([f["name"] for f in prep.features], indent=2), encoding="utf-8")
    fairness = export_table(result["table"], settings.fairness_min_cell)
    write_csv(fairness, out / "fairness.csv")
    (out / "fairness.md").write_text(result["markdown"], encoding="utf-8")
    write_csv(prep.scan, out / "proxy_scan.csv")
    write_csv(shap_out["importance"], out / "shap_importance.csv")
    (out / "model_card.md").write_text(render_markdown(card), encoding="utf-8")
    (out / "model_card.json").write_text(json.dumps(card, indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    (out / "algoritmeregister.json").write_text(json.dumps(entry or {}, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "gates.json").write_text(json.dumps(gate_results, indent=2), encoding="utf-8")
    if result.get("comparison") is not None:
        (out / "plain_peers.json").write_text(json.dumps(result["comparison"], indent=2), encoding="utf-8")
    if result.get("selection") is not None:
        (out / "selection.json").write_text(json.dumps(result["selection"], indent=2), encoding="utf-8")
    write_csv(result["calibration"], out / "calibration.csv")
    write_csv(result["sweep"], out / "threshold_sweep.csv")
    write_csv(result["stages"], out / "fairness_by_stage.csv")
    write_csv(pd.DataFrame(result["per_group"]), out / "metrics_by_group.csv")
    if result["label_table"] is not None:
        write_csv(result["label_table"], out / "label_audit.csv")
