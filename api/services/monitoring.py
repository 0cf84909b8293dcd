"""Rubber-stamping monitor (responsible-ai items 4 and 25): agreement and override rates.

Agreement is the share of decided, advised cases whose final effort class equals the
suggestion; override is the rest. Rates are given per team, per model version and per score
band (the suggested class's probability). A cell with at least ``monitoring_min_decisions``
decisions raises ``automation_bias`` when agreement is above ``agreement_alert`` and
``override_surge`` when overrides are above ``override_alert``. Objections are counted per
cell. Protected characteristics are not in the API's store, so rates per group are computed
by the monitoring flow, which has them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.storage.models import Advice, Decision, Objection
from werkwijzer.settings import Settings

BANDS = ((0.85, "0.85-1.00"), (0.70, "0.70-0.85"), (0.50, "0.50-0.70"), (0.0, "0.00-0.50"))


def score_band(probability: float) -> str:
    return next(label for low, label in BANDS if probability >= low)


def overrides(session: Session, settings: Settings, team: str | None = None) -> dict[str, Any]:
    objections = dict(session.execute(select(Objection.advice_id, func.count()).group_by(Objection.advice_id)).all())
    query = (select(Advice.id, Advice.team, Advice.model_version, Advice.suggested_class, Advice.top_probability,
                    Decision.final_effort_class).join(Decision, Decision.advice_id == Advice.id))
    if team:
        query = query.where(Advice.team == team)
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # decisions, agreed, objections
    without = 0
    for advice_id, team_id, version, suggested, top, final in session.execute(query):
        if suggested is None:
            without += 1
            continue
        for by, key in (("team", team_id), ("model_version", str(version)), ("score_band", score_band(top or 0.0))):
            cell = cells[(by, key)]
            cell[0] += 1
            cell[1] += int(final == suggested)
            cell[2] += int(objections.get(advice_id, 0))
    out = []
    for (by, key), (n, agreed, objected) in sorted(cells.items()):
        rate = agreed / n
        alert = None
        if n >= settings.monitoring_min_decisions:
            if rate > settings.agreement_alert:
                alert = "automation_bias"
            elif 1 - rate > settings.override_alert:
                alert = "override_surge"
        out.append({"by": by, "key": key, "decisions": n, "agreement_rate": rate, "override_rate": 1 - rate,
                    "objections": objected, "alert": alert})
    return {"decisions_with_advice": sum(c["decisions"] for c in out if c["by"] == "team"),
            "decisions_without_advice": without,
            "thresholds": {"agreement_alert": settings.agreement_alert, "override_alert": settings.override_alert,
                           "min_decisions": float(settings.monitoring_min_decisions)},
            "cells": out}
