"""The model card of a triage model version (item 20): JSON for machines, Markdown for people.

It states intended use and users, what is out of scope (fraud scoring, automated decisions),
data, features and excluded features with the reason, metrics overall and per group, fairness
and its metric priority, limitations, human oversight, monitoring and the AI Act risk class with
its reason (item 21). Governance values that still come from defaults are listed under
``defaults_to_replace`` so nobody publishes a placeholder by accident.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

from explain.fairness import metric_name
from explain.governance import Governance
from werkwijzer.formatting import MISSING
from werkwijzer.i18n import both, both_paragraphs, translate
from werkwijzer.privacy import MIN_CELL


def risk() -> dict[str, str]:
    """The AI Act risk class with its reason (item 21), as the card and the register entry state it."""
    return {
        "class": translate("card.risk.class", "nl"),
        "class_en": translate("card.risk.class", "en"),
        "reason": translate("card.risk.reason", "nl"),
        "publication_category": translate("card.risk.publication_category", "nl"),
    }


def build_card(
    *,
    model_name: str,
    target: str,
    target_label_nl: str,
    target_label_en: str,
    classes: list[str],
    positive: str | None,
    model: dict[str, Any],
    features: list[dict[str, Any]],
    excluded: list[dict[str, str]],
    metrics: dict[str, float],
    metrics_by_group: list[dict[str, Any]],
    fairness: dict[str, Any],
    governance: Governance,
    data: dict[str, Any],
    label: dict[str, Any],
    comparison: dict[str, Any] | None = None,
    selection: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the model card as a JSON-serialisable dict. ``comparison``: the model next to the
    plain scikit-learn peers on the same split (``flows.triage_steps.compare_with_plain_peers``);
    ``selection``: the candidates and what the gates cost (``flows.triage_steps.constraint_cost``)."""
    gov = governance.model_dump(mode="json")
    return {
        "model_name": model_name,
        "target": target,
        "target_label_nl": target_label_nl,
        "target_label_en": target_label_en,
        "classes": classes,
        "positive": positive,
        "intended_use_nl": translate("card.intended_use.text", "nl", target=target_label_nl.lower()),
        "intended_use_en": translate("card.intended_use.text", "en", target=target_label_en.lower()),
        "users": [both_in_brackets(f"card.user.{user}") for user in ("caseworkers", "team_leads", "owner")],
        "out_of_scope": [both_in_brackets(f"card.out_of_scope.{x}") for x in ("fraud", "automated", "unreviewed")],
        "model": model,
        "data": data,
        "label": label,
        "features": features,
        "excluded_features": excluded,
        "metrics": metrics,
        "metrics_by_group": metrics_by_group,
        "comparison": comparison,
        "selection": selection,
        "fairness": fairness,
        "limitations_nl": [
            translate("card.limitation.learned", "nl"),
            translate("card.limitation.small_groups", "nl", min_cell=MIN_CELL),
            translate("card.limitation.chance", "nl"),
        ],
        "human_oversight": gov["human_intervention"],
        "monitoring": gov["monitoring"],
        "risk": risk(),
        "governance": gov,
        "defaults_to_replace": list(governance.defaults),
    }


def _pct(value: object) -> str:
    try:
        return f"{float(value):.3f}" if isinstance(value, SupportsFloat | str) else MISSING
    except (TypeError, ValueError):
        return MISSING


def both_in_brackets(key: str) -> str:
    """Dutch with the English term in brackets: ``consulenten en klantmanagers (caseworkers)``."""
    return f"{translate(key, 'nl')} ({translate(key, 'en')})"


def _heading(key: str) -> str:
    return f"## {both(key)}"


PEER_LABELS = {"logistic_regression": "LogisticRegression", "hist_gradient_boosting": "HistGradientBoostingClassifier"}


def _comparison_lines(comparison: dict[str, Any] | None) -> list[str]:
    """What the simplest alternatives scored on the same split (absent on cards of older versions)."""
    if not comparison:
        return []
    rows = [(both("card.peers.this_model"), comparison["model"])]
    rows += [(PEER_LABELS.get(name, name), scores) for name, scores in comparison["peers"].items()]
    peer = PEER_LABELS.get(comparison["best_peer"], comparison["best_peer"])
    return [
        _heading("card.peers"),
        both("card.peers.text"),
        "",
        "| model | ROC AUC | PR AUC | Brier | ECE |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {_pct(s.get('roc_auc'))} | {_pct(s.get('pr_auc'))} | {_pct(s.get('brier'))} | "
            f"{_pct(s.get('ece'))} |"
            for name, s in rows
        ],
        "",
        both("card.peers.gap", peer=peer, gap=f"{comparison['roc_auc_gap']:+.3f}"),
        "",
    ]


def _selection_lines(selection: dict[str, Any] | None) -> list[str]:
    """The candidates, which one was kept, and what the gates cost (ADR 0016; absent on older cards)."""
    if not selection:
        return []
    verdict = {True: both("value.yes"), False: f"**{both('value.no')}**", None: MISSING}
    timed = both("card.choice.time")
    lines = [
        _heading("card.choice"),
        *both_paragraphs("card.choice.rule"),
        "",
        f"| {both('card.choice.candidate')} | ROC AUC ({timed}) | log loss ({timed}) | {both('card.choice.gates_cv')} "
        f"| {both('card.choice.gates_test')} | {both('card.choice.reason')} |",
        "|---|---|---|---|---|---|",
    ]
    for c in selection["candidates"]:
        kept = f" ({both('card.choice.chosen')})" if c["name"] == selection["chosen"] else ""
        lines.append(
            f"| {c['name']}{kept} | {c['cv_roc_auc']:.3f} | {c['cv_log_loss']:.4f} | "
            f"{verdict[c['admissible']]} | {verdict[c.get('held_out')]} | {c['reason']} |"
        )
    lines.append("")
    best, kept = selection["most_accurate"], selection["chosen"]
    if selection.get("none_admissible") or selection.get("none_passes_held_out"):
        lines += [*both_paragraphs("card.choice.none_passes"), ""]
    elif best == kept:
        lines += [both("card.choice.no_cost"), ""]
    if best != kept and "most_accurate_test" in selection:
        reason = next(c["reason"] for c in selection["candidates"] if c["name"] == best)
        fair = selection["most_accurate_test_fairness"]
        cost = {
            "auc": f"{selection['most_accurate_test']['roc_auc']:.3f}",
            "chosen": f"{selection['chosen_test']['roc_auc']:.3f}",
            "cost_test": f"{selection['cost_test_roc_auc']:+.3f}",
            "cost_cv": f"{selection['cost_cv_roc_auc']:+.3f}",
            "reason": fair["reason"],
        }
        lines += [
            f"{both('card.choice.not_taken')}: **{best}** — {reason}.",
            "",
            *both_paragraphs("card.choice.cost", outcome=lambda lang: _gate_word(fair["passed"], lang), **cost),
            "",
        ]
    return lines


def _gate_word(passed: bool, lang: str) -> str:
    return translate("card.gate.passed" if passed else "card.gate.failed", lang)


def render_markdown(card: dict[str, Any]) -> str:
    """The model card for people (Dutch first, key terms in English; texts: the catalogue's ``card.*``)."""
    m = card["metrics"]
    fair = card["fairness"]
    gov = card["governance"]
    target = f"**{both('card.target')}:** {card['target_label_nl']} (`{card['target']}`), {both('card.classes')}: "
    target += ", ".join(card["classes"]) + (
        f", {both('card.positive')}: {card['positive']}" if card["positive"] else ""
    )
    model = card["model"]
    data = card["data"]
    passed = fair["gate"]["passed"]
    lines = [
        f"# {both('card.title')} — {card['model_name']}",
        "",
        target,
        "",
        _heading("card.intended_use"),
        card["intended_use_nl"],
        "",
        card["intended_use_en"],
        "",
        f"{both('card.users')}: " + "; ".join(card["users"]),
        "",
        _heading("card.out_of_scope"),
        *[f"- {x}" for x in card["out_of_scope"]],
        "",
        _heading("card.model"),
        f"{model['description_nl']} "
        + both("card.model.chosen", model_type=model["model_type"], auc=model["validation_auc"]),
        "",
        _heading("card.data"),
        translate(
            "card.data.text", "nl", n_train=data["n_train"], n_test=data["n_test"], fingerprint=data["fingerprint"][:16]
        ),
        "",
        f"{both('card.label')}: {card['label']['description_nl']}",
        "",
        _heading("card.features"),
        *[f"- {f['label_nl']} ({f['name']}, {f['kind']})" for f in card["features"]],
        "",
        f"{both('card.excluded')}:",
        *[f"- {e['feature']}: {e['reason']}" for e in card["excluded_features"]],
        "",
        _heading("card.metrics"),
        f"| {both('card.metrics.measure')} | model | {both('card.metrics.prior_only')} |",
        "|---|---|---|",
        *[
            f"| {k} | {_pct(m.get(k))} | {_pct(m.get('baseline_' + k))} |"
            for k in ("roc_auc", "pr_auc", "brier", "log_loss")
        ],
        f"| accuracy | {_pct(m.get('accuracy'))} | |",
        "",
        *_comparison_lines(card.get("comparison")),
        *_selection_lines(card.get("selection")),
        _heading("card.fairness"),
        f"{both('card.fairness.priority')}: "
        + ", ".join(f"{i + 1}. {metric_name(p, 'nl')}" for i, p in enumerate(fair["priority"])),
        "",
        f"{both('card.fairness.gate')}: **{_gate_word(passed, 'nl')}** — {fair['gate']['reason']}",
    ]
    if fair.get("label_findings"):
        lines += ["", f"{both('card.label_audit')}:", *[f"- {x}" for x in fair["label_findings"]]]
    lines += [
        "",
        translate("card.per_group", "nl"),
        "",
        _heading("card.limitations"),
        *[f"- {x}" for x in card["limitations_nl"]],
        "",
        _heading("card.oversight"),
        card["human_oversight"],
        "",
        _heading("card.monitoring"),
        card["monitoring"],
        "",
        _heading("card.risk"),
        f"{card['risk']['class']} — {card['risk']['class_en']}. {card['risk']['reason']}",
        "",
        _heading("card.governance"),
        translate(
            "card.governance.text",
            "nl",
            organization=gov["organization"],
            contact=gov["contact_email"],
            lawful_basis=gov["lawful_basis"],
            dpia=gov["dpia_link"],
            iama=gov["iama_link"],
        ),
        "",
    ]
    if card["defaults_to_replace"]:
        lines += [f"**{both('card.defaults')} (governance.yaml):** " + ", ".join(card["defaults_to_replace"]), ""]
    return "\n".join(lines)
