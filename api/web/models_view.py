"""What the *Modellen* page shows: the data of ``GET /api/v1/models`` and ``/monitoring/overrides``
turned into words a model owner, an auditor or an administrator can act on.

The page reads the same service functions as the API (``registry.models``,
``monitoring.overrides``, ``switches.current``), so what a person sees equals what a program
gets. Gate reasons come from the training flow in English technical terms; they are shown as
recorded (marked ``lang="en"``) next to a Dutch sentence that says what the gate checks.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache, partial
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt

from api.web.i18n import Lang, has_text, translate
from casework.config import FORECAST, SWITCH_SCOPES
from explain.report_anchoring import cells
from werkwijzer import formatting as fmt
from werkwijzer.formatting import readable
from werkwijzer.teams import team_label

FAIRNESS_RATES = ("selection_rate", "fpr", "fnr")
_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # raw HTML in a card is shown as text, never run
_HEADING = re.compile(r"<(/?)h([1-6])>")


def label(prefix: str, key: str, lang: Lang) -> str:
    """The catalogue's word for ``prefix.key``; an unknown key (a municipality's own gate) as written."""
    found = f"{prefix}.{key}"
    return translate(found, lang) if has_text(found) else key.replace("_", " ")


def gate_rows(gates: dict[str, Any], lang: Lang) -> list[dict[str, Any]]:
    """One row per gate: passed or not, what it checks, and the reason the training run recorded."""
    found = gates.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    rows = []
    for name, value in sorted((k, v) for k, v in gates.items() if k != "details"):
        text = str(value)
        one = details.get(name)
        detail: dict[str, Any] = one if isinstance(one, dict) else {}
        passed = bool(detail["passed"]) if "passed" in detail else text.startswith("passed")
        reason = str(detail.get("reason") or text.removeprefix("failed:").strip())
        rows.append(
            {
                "name": name,
                "label": label("gate", name, lang),
                "passed": passed,
                "checks": label("gate.checks", name, lang) if has_text(f"gate.checks.{name}") else "",
                "reason": "" if reason == "passed" else reason,
            }
        )
    return rows


def card_html(card: dict[str, Any]) -> str | None:
    """The model card's Markdown as HTML, its headings moved below the page's own (h4 and down)."""
    text = card.get("markdown")
    return _render_card(str(text)) if text else None


@lru_cache(maxsize=16)
def _render_card(text: str) -> str:
    """A loaded version's card never changes: render it once, not on every page view."""
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 3, 6)}>", _MARKDOWN.render(text))


def fairness_view(card: dict[str, Any], table: list[dict[str, Any]], lang: Lang) -> dict[str, Any] | None:
    """The fairness gate's verdict and the published per-group rates (small groups stay suppressed)."""
    gate = (card.get("fairness") or {}).get("gate") or {}
    if not gate and not table:
        return None
    rows = []
    for row in table:
        suppressed = bool(row.get("suppressed"))
        rows.append(
            {
                "attribute": readable(str(row.get("attribute") or ""), lang),
                "group": str(row.get("group") or "").replace("_", " "),
                "class": label("effort", str(row["class"]), lang) if row.get("class") is not None else None,
                "n": fmt.number(row.get("n"), 0, lang) if row.get("n") is not None else fmt.MISSING,
                "rates": [
                    fmt.MISSING if suppressed else fmt.percent(_float(row.get(r)), 1, lang) for r in FAIRNESS_RATES
                ],
                "suppressed": suppressed,
            }
        )
    return {
        "passed": gate.get("passed"),
        "violations": len(gate.get("violations") or []),
        "not_assessable": len(gate.get("not_assessable") or []),
        "rows": rows,
        "by_class": any(r["class"] for r in rows),
        "rates": [translate(f"models.fairness.{r}", lang) for r in FAIRNESS_RATES],
    }


COMPARED = ("model", "logistic_regression", "hist_gradient_boosting")  # flows.triage_steps.comparison_tags


def comparison_view(comparison: dict[str, Any] | None, lang: Lang) -> dict[str, Any] | None:
    """The loaded version next to the plain scikit-learn peers on the same test cases (model card)."""
    if not comparison:
        return None
    models = [("model", comparison.get("model") or {}), *(comparison.get("peers") or {}).items()]
    rows = [
        {
            "label": label("models.peer", name, lang),
            "model": name == "model",
            "cells": [fmt.number(_float(scores.get(m)), 3, lang) for m in ("roc_auc", "pr_auc", "brier", "ece")],
        }
        for name, scores in models
    ]
    gap = _float(comparison.get("roc_auc_gap"))
    return {
        "rows": rows,
        "gap": fmt.number(gap, 3, lang, signed=True),
        "best": label("models.peer", str(comparison.get("best_peer")), lang),
        "behind": gap is not None and gap < 0,
    }


def version_comparison(tags: dict[str, Any], lang: Lang) -> str | None:
    """ROC AUC of a version and of its plain peers, from the version's ``comparison.*`` tags; when the
    gates kept a more accurate candidate out, also that candidate's ROC AUC (ADR 0016)."""
    if not tags:
        return None
    text = " / ".join(fmt.number(_float(tags.get(name)), 3, lang) for name in COMPARED)
    if tags.get("most_accurate"):
        text += " " + translate(
            "models.versions.most_accurate", lang, auc=fmt.number(_float(tags["most_accurate"]), 3, lang)
        )
    return text


def selection_view(selection: dict[str, Any] | None, lang: Lang) -> dict[str, Any] | None:
    """What the gates cost the loaded version (model card ``selection``): the most accurate candidate,
    whether it was taken, and if not what it would have scored and why it was refused."""
    if not selection:
        return None
    best, kept = selection["most_accurate"], selection["chosen"]
    if best == kept:
        key = "models.choice.none_passes" if selection.get("none_admissible") else "models.choice.no_cost"
        return {"text": translate(key, lang, candidate=best), "reason": None}
    refused: dict[str, Any] = next((c for c in selection["candidates"] if c["name"] == best), {})
    fair = selection.get("most_accurate_test_fairness") or {}
    text = translate(
        "models.choice.cost",
        lang,
        best=best,
        kept=kept,
        auc=fmt.number(_float(selection["most_accurate_test"]["roc_auc"]), 3, lang),
        chosen=fmt.number(_float(selection["chosen_test"]["roc_auc"]), 3, lang),
        cost=fmt.number(_float(selection["cost_test_roc_auc"]), 3, lang, signed=True),
        test=translate("models.choice.test_passed" if fair.get("passed") else "models.choice.test_failed", lang),
    )
    return {"text": text, "reason": refused.get("reason")}


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def model_view(model: dict[str, Any], bundle: Any, mlflow_url: str, lang: Lang) -> dict[str, Any]:
    """One registered model from ``registry.models``: state, gates, versions with MLflow links, card."""
    name = model["name"]
    base = mlflow_url.rstrip("/")
    loaded_at = dt.datetime.fromisoformat(model["loaded_at"]) if model["loaded_at"] else None
    card = model["model_card"]
    return {
        "name": name,
        "title": label("models.name", name, lang),
        "anchor": re.sub(r"[^a-z0-9]+", "-", name.lower()),
        "loaded": model["loaded"],
        "version": model["version"],
        "advice_enabled": model["advice_enabled"],
        "loaded_at": fmt.date_time(loaded_at, lang) if loaded_at else None,
        "gates": gate_rows(model["gates"], lang),
        "run_url": f"{base}/#/runs/{quote(bundle.run_id)}" if bundle is not None else None,
        "versions": [
            {
                "version": v["version"],
                "champion": v["champion"],
                "candidate": "candidate" in (v.get("aliases") or []),
                "decision": decision_text(v.get("approval") or {}, lang),
                "passed": all(str(g).startswith("passed") for g in v["gates"].values()) if v["gates"] else None,
                "failed": [g for g in gate_rows(v["gates"], lang) if not g["passed"]],
                "comparison": version_comparison(v.get("comparison") or {}, lang),
                "run_url": f"{base}/#/runs/{quote(v['run_id'])}",
                "version_url": f"{base}/#/models/{quote(name)}/versions/{quote(v['version'])}",
            }
            for v in model["versions"]
        ],
        "card_html": card_html(card),
        "comparison": comparison_view(card.get("comparison"), lang),
        "choice": selection_view(card.get("selection"), lang),
        "intended_use": card.get(f"intended_use_{lang}") or card.get("intended_use_nl") or card.get("intended_use"),
        "risk": (card.get("risk") or {}).get("class" if lang == "nl" else "class_en"),
        "fairness": fairness_view(card, getattr(bundle, "fairness", []), lang) if name != FORECAST else None,
        "register": bool(model["register_entry"]),
    }


def override_tables(data: dict[str, Any], lang: Lang) -> list[dict[str, Any]]:
    """Agreement and override rates per team, model version and score band (``monitoring.overrides``)."""
    tables = []
    for by in ("team", "model_version", "score_band"):
        cells = [c for c in data["cells"] if c["by"] == by]
        if not cells:
            continue
        rows = [
            {
                "key": _override_key(by, c["key"], lang),
                "decisions": fmt.number(c["decisions"], 0, lang),
                "agreement": fmt.percent(c["agreement_rate"], 0, lang),
                "override": fmt.percent(c["override_rate"], 0, lang),
                "objections": fmt.number(c["objections"], 0, lang),
                "alert": translate("models.overrides.alert", lang) if c["alert"] else "",
            }
            for c in cells
        ]
        tables.append({"by": by, "caption": translate(f"models.overrides.by.{by}", lang), "rows": rows})
    return tables


def _override_key(by: str, key: str, lang: Lang) -> str:
    return team_label(key, lang) if by == "team" else key


def switch_rows(state: dict[str, bool], lang: Lang) -> list[dict[str, Any]]:
    """The stop button's scopes (all models, then each triage model) with their current state."""
    t = partial(translate, lang=lang)
    return [
        {
            "scope": scope,
            "label": t("models.switch.global") if scope == "global" else label("models.name", scope, lang),
            "enabled": state.get(scope, True),
        }
        for scope in SWITCH_SCOPES
    ]


def anchoring_view(data: dict[str, Any], lang: Lang, min_cell: int) -> dict[str, Any]:
    """The anchoring experiment (``casework.anchoring.overview``) as the page's rows of text."""
    return {
        "days": data["days"],
        "shown": fmt.number(data["shown"], 0, lang),
        "hidden": fmt.number(data["hidden"], 0, lang),
        "note": fmt.number(data["note"] * 100, 0, lang),
        "rows": [cells(r, lang, min_cell) for r in data["rows"]],
    }


def outcome_rows(summary: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """How often the shown advice turned out wrong, per served model and class (``outcomes.error_summary``):
    each rate as a percentage with its 95 % interval; suppressed rows as the missing-value dash."""

    def shown(value: tuple[float, float, float] | None) -> str:
        if value is None:
            return fmt.MISSING
        rate, low, high = value
        return f"{fmt.percent(rate, 0, lang)} ({fmt.percent(low, 0, lang)}–{fmt.percent(high, 0, lang)})"

    return [
        {
            "model": r["model_name"],
            "class": r["class"],
            "n": fmt.number(r["n"], 0, lang),
            "fpr": shown(r["fpr"]),
            "fnr": shown(r["fnr"]),
            "fdr": shown(r["fdr"]),
            "suppressed": r["suppressed"],
        }
        for r in summary
    ]


SIDES = ("champion", "candidate")


def candidate_view(
    name: str, data: dict[str, Any] | None, band: tuple[float, float], lang: Lang
) -> dict[str, Any] | None:
    """The version waiting for a model owner's approval next to the champion (``approvals.pending``):
    metrics under MLflow's names, fairness ratios per group, and the features whose share moved most."""
    if not data:
        return None
    low, high = band

    def ratio(value: Any) -> dict[str, Any]:
        number = _float(value)
        outside = number is not None and not low <= number <= high
        return {"text": fmt.number(number, 2, lang), "outside": outside}

    metrics = [
        {
            "name": m["name"],
            "champion": fmt.number(_float(m["champion"]), 3, lang),
            "candidate": fmt.number(_float(m["candidate"]), 3, lang),
            "change": fmt.number(_difference(m["candidate"], m["champion"]), 3, lang, signed=True),
        }
        for m in data["metrics"]
    ]
    fairness = [
        {
            "class": label("effort", str(r["class"]), lang) if r.get("class") else None,
            "attribute": readable(r["attribute"], lang),
            "group": r["group"].replace("_", " "),
            "cells": [ratio(r.get(f"{side}.{m}")) for m in ("fpr_ratio", "fnr_ratio") for side in SIDES],
        }
        for r in data["fairness"]
    ]
    features = [
        {
            "label": f["label_nl"] if lang == "nl" else f["label_en"],
            "champion": fmt.percent(_float(f["champion"]), 1, lang),
            "candidate": fmt.percent(_float(f["candidate"]), 1, lang),
            "change": fmt.number(100 * f["change"], 1, lang, signed=True),
        }
        for f in data["features"]
    ]
    return {
        "model": name,
        "version": data["version"],
        "champion": data["champion"],
        "trained_by": data.get("trained_by"),
        "gates_passed": bool(data["gates"]) and all(data["gates"].values()),
        "metrics": metrics,
        "fairness": fairness,
        "by_class": any(r["class"] for r in fairness),
        "features": features,
        "band": f"{fmt.number(low, 2, lang)}–{fmt.number(high, 2, lang)}",
    }


def decision_text(approval: dict[str, Any], lang: Lang) -> str | None:
    """A version's last decision from its ``approval.*`` tags: who approved or rejected it, and when."""
    decision = approval.get("decision")
    if decision not in ("approved", "rejected"):
        return None
    try:
        at = fmt.date_time(dt.datetime.fromisoformat(str(approval.get("at"))), lang)
    except ValueError:
        at = fmt.MISSING
    return translate(f"models.versions.{decision}", lang, name=str(approval.get("by") or fmt.MISSING), at=at)


def _difference(new: Any, old: Any) -> float | None:
    a, b = _float(new), _float(old)
    return None if a is None or b is None else a - b
