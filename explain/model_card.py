"""The model card of a triage model version (item 20): JSON for machines, Markdown for people.

It states intended use and users, what is out of scope (fraud scoring, automated decisions),
data, features and excluded features with the reason, metrics overall and per group, fairness
and its metric priority, limitations, human oversight, monitoring and the AI Act risk class with
its reason (item 21). Governance values that still come from defaults are listed under
``defaults_to_replace`` so nobody publishes a placeholder by accident.
"""

from __future__ import annotations

from typing import Any

from explain.fairness import metric_name
from explain.governance import Governance
from werkwijzer.formatting import MISSING

RISK = {
    "class": "hoog risico (AI-verordening bijlage III, punt 5a)",
    "class_en": "high-risk (AI Act Annex III, point 5(a))",
    "reason": (
        "Het advies gaat over de toegang tot essentiële publieke diensten en uitkeringen "
        "(bijstand, Wmo, jeugdhulp, schuldhulp). Ook als advies valt dit onder hoog risico; "
        "daarom: DPIA, IAMA, menselijk toezicht, logging en monitoring."
    ),
    "publication_category": "Hoog-risico AI-systeem",
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
        "intended_use_nl": (
            f"Medewerkers krijgen bij een nieuwe zaak een advies over "
            f"{target_label_nl.lower()}, met de belangrijkste redenen in gewone taal. "
            "Zo komt een zaak sneller bij de juiste aanpak. De medewerker beslist."
        ),
        "intended_use_en": (
            f"Caseworkers get advice on {target_label_en.lower()} for a new case, with its "
            "main reasons in plain language. The caseworker decides."
        ),
        "users": [
            "consulenten en klantmanagers (caseworkers)",
            "teamleiders (team leads)",
            "modeleigenaar (model owner)",
        ],
        "out_of_scope": [
            "fraudescores of 'onderzoekswaardigheid' (fraud or investigation scoring)",
            "geautomatiseerde besluiten of het vooraf invullen van een besluit "
            "(automated decisions, pre-filled decisions)",
            "beslissingen over personen zonder menselijke beoordeling",
        ],
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
            "Het model leert van vroegere beslissingen en uren; fouten of vooroordelen daarin kan het overnemen.",
            "Kleine groepen (minder dan 10 zaken in een cel) zijn niet apart te beoordelen.",
            "Het advies is een kans, geen zekerheid; de medewerker weegt alle feiten.",
        ],
        "human_oversight": gov["human_intervention"],
        "monitoring": gov["monitoring"],
        "risk": RISK,
        "governance": gov,
        "defaults_to_replace": list(governance.defaults),
    }


def _pct(value: object) -> str:
    try:
        return f"{float(value):.3f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING


PEER_LABELS = {"logistic_regression": "LogisticRegression", "hist_gradient_boosting": "HistGradientBoostingClassifier"}


def _comparison_lines(comparison: dict[str, Any] | None) -> list[str]:
    """What the simplest alternatives scored on the same split (absent on cards of older versions)."""
    if not comparison:
        return []
    rows = [("dit model / this model", comparison["model"])]
    rows += [(PEER_LABELS.get(name, name), scores) for name, scores in comparison["peers"].items()]
    gap = comparison["roc_auc_gap"]
    return [
        "## Vergelijking met eenvoudige modellen / plain peers (test)",
        "scikit-learn met standaardinstellingen: dezelfde kenmerken en dezelfde splitsing in de tijd, zonder "
        "afstemming of kalibratie. / scikit-learn defaults: same features, same time split, no tuning or "
        "calibration.",
        "",
        "| model | ROC AUC | PR AUC | Brier | ECE |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {_pct(s.get('roc_auc'))} | {_pct(s.get('pr_auc'))} | {_pct(s.get('brier'))} | "
            f"{_pct(s.get('ece'))} |"
            for name, s in rows
        ],
        "",
        f"Verschil in ROC AUC met het beste eenvoudige model / ROC AUC gap to the best plain peer "
        f"({PEER_LABELS.get(comparison['best_peer'], comparison['best_peer'])}): {gap:+.3f}.",
        "",
    ]


def _selection_lines(selection: dict[str, Any] | None) -> list[str]:
    """The candidates, which one was kept, and what the gates cost (ADR 0016; absent on older cards)."""
    if not selection:
        return []
    verdict = {True: "ja / yes", False: "**nee / no**", None: "—"}
    lines = [
        "## Keuze van het model / model choice",
        "Gekozen wordt het nauwkeurigste kandidaatmodel dat de toetsen haalt (prestatie en eerlijkheid): "
        "eerst op voorspellingen voor trainingszaken die het model niet zelf zag (kruisvalidatie, kv), dan "
        "op de testzaken. Nauwkeurigheid: log loss in tijdsvolgorde (tijd): elke zaak voorspeld door een "
        "model van alleen oudere zaken, zoals het model later werkt. / The most accurate candidate (by "
        "time-ordered log loss: every case predicted by a model of older cases only, as the model is used) "
        "whose decisions pass the performance and fairness gates, first on out-of-fold predictions for the "
        "training cases, then on the test cases.",
        "",
        "| kandidaat / candidate | ROC AUC (tijd / time-ordered) | log loss (tijd / time-ordered) "
        "| toetsen kv / gates cv | toetsen test / gates test | reden / reason |",
        "|---|---|---|---|---|---|",
    ]
    for c in selection["candidates"]:
        kept = " (gekozen / chosen)" if c["name"] == selection["chosen"] else ""
        lines.append(
            f"| {c['name']}{kept} | {c['cv_roc_auc']:.3f} | {c['cv_log_loss']:.4f} | "
            f"{verdict[c['admissible']]} | {verdict[c.get('held_out')]} | {c['reason']} |"
        )
    lines.append("")
    best, kept = selection["most_accurate"], selection["chosen"]
    if selection.get("none_admissible") or selection.get("none_passes_held_out"):
        lines += [
            "Geen kandidaat haalt de toetsen; het nauwkeurigste dat de kruisvalidatie haalde (of anders het "
            "nauwkeurigste) is geregistreerd en de toetsen houden het tegen. / No candidate passes; the gates "
            "refuse the one registered.",
            "",
        ]
    elif best == kept:
        lines += [
            "Het nauwkeurigste kandidaatmodel haalt de toetsen: de toetsen kostten geen nauwkeurigheid. / "
            "The most accurate candidate passes: the gates cost no accuracy.",
            "",
        ]
    if best != kept and "most_accurate_test" in selection:
        reason = next(c["reason"] for c in selection["candidates"] if c["name"] == best)
        fair = selection["most_accurate_test_fairness"]
        outcome = "geslaagd / passed" if fair["passed"] else "niet geslaagd / failed"
        lines += [
            f"Niet gekozen / not taken: **{best}** — {reason}. Op de testzaken zou het ROC AUC "
            f"{selection['most_accurate_test']['roc_auc']:.3f} hebben gehaald, tegen "
            f"{selection['chosen_test']['roc_auc']:.3f} voor het gekozen model (kosten van de toetsen / "
            f"cost of the gates: {selection['cost_test_roc_auc']:+.3f} ROC AUC; bij kruisvalidatie / "
            f"cross-validated {selection['cost_cv_roc_auc']:+.3f}). Eerlijkheidstoets op de testzaken / "
            f"fairness gate on the test cases: {outcome} — {fair['reason']}.",
            "",
        ]
    return lines


def render_markdown(card: dict[str, Any]) -> str:
    """The model card for people (Dutch first, key terms in English)."""
    m = card["metrics"]
    fair = card["fairness"]
    lines = [
        f"# Modelkaart — {card['model_name']}",
        "",
        f"**Doel / target:** {card['target_label_nl']} (`{card['target']}`), klassen: "
        f"{', '.join(card['classes'])}" + (f", positief: {card['positive']}" if card["positive"] else ""),
        "",
        "## Bedoeld gebruik / intended use",
        card["intended_use_nl"],
        "",
        card["intended_use_en"],
        "",
        "Gebruikers / users: " + "; ".join(card["users"]),
        "",
        "## Buiten bereik / out of scope",
        *[f"- {x}" for x in card["out_of_scope"]],
        "",
        "## Model",
        f"{card['model']['description_nl']} Gekozen / chosen: **{card['model']['model_type']}** "
        f"(kruisvalidatie / cross-validated ROC AUC: {card['model']['validation_auc']}).",
        "",
        "## Gegevens / data",
        f"{card['data']['n_train']} trainingszaken, {card['data']['n_test']} testzaken "
        f"(vingerafdruk / fingerprint `{card['data']['fingerprint'][:16]}`).",
        "",
        f"Label: {card['label']['description_nl']}",
        "",
        "## Kenmerken / features",
        *[f"- {f['label_nl']} ({f['name']}, {f['kind']})" for f in card["features"]],
        "",
        "Niet gebruikt / excluded:",
        *[f"- {e['feature']}: {e['reason']}" for e in card["excluded_features"]],
        "",
        "## Prestaties / metrics (test)",
        "| maat | model | alleen-verdeling (prior-only) |",
        "|---|---|---|",
        *[
            f"| {k} | {_pct(m.get(k))} | {_pct(m.get('baseline_' + k))} |"
            for k in ("roc_auc", "pr_auc", "brier", "log_loss")
        ],
        f"| accuracy | {_pct(m.get('accuracy'))} | |",
        "",
        *_comparison_lines(card.get("comparison")),
        *_selection_lines(card.get("selection")),
        "## Eerlijkheid / fairness",
        "Prioriteit / metric priority: "
        + ", ".join(f"{i + 1}. {metric_name(p, 'nl')}" for i, p in enumerate(fair["priority"])),
        "",
        f"Toets / gate: **{'geslaagd' if fair['gate']['passed'] else 'niet geslaagd'}** — {fair['gate']['reason']}",
    ]
    if fair.get("label_findings"):
        lines += ["", "Label-onderzoek / label audit:", *[f"- {x}" for x in fair["label_findings"]]]
    lines += [
        "",
        "Per groep: zie fairness.md en fairness.csv (kleine cellen onderdrukt).",
        "",
        "## Beperkingen / limitations",
        *[f"- {x}" for x in card["limitations_nl"]],
        "",
        "## Menselijk toezicht / human oversight",
        card["human_oversight"],
        "",
        "## Monitoring",
        card["monitoring"],
        "",
        "## Risicoklasse / risk class",
        f"{card['risk']['class']} — {card['risk']['class_en']}. {card['risk']['reason']}",
        "",
        "## Organisatie / governance",
        f"Organisatie: {card['governance']['organization']}; contact: {card['governance']['contact_email']}; "
        f"grondslag: {card['governance']['lawful_basis']}; DPIA: {card['governance']['dpia_link']}; "
        f"IAMA: {card['governance']['iama_link']}.",
        "",
    ]
    if card["defaults_to_replace"]:
        lines += [
            "**Standaardwaarden die de gemeente nog moet vervangen / defaults to replace "
            "(governance.yaml):** " + ", ".join(card["defaults_to_replace"]),
            "",
        ]
    return "\n".join(lines)
