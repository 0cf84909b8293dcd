"""Rubber-stamping monitor (responsible-ai items 4 and 25): agreement and override rates.

Agreement is the share of decided, advised cases whose final effort class equals the
suggestion; override is the rest. Rates come from ``models.monitoring.agreement_rates`` (the
same arithmetic the monitoring flow uses) per team, model version and score band (the
suggested class's probability). A cell with at least ``settings.monitoring_min_n`` decisions
raises ``automation_bias`` when agreement reaches ``settings.agreement_note``. Override surges
are judged against a baseline period by the monitoring flow (``models.monitoring.override_surge``),
and rates per protected group need characteristics the API never stores, so both live there.
Objections are counted per cell.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.storage.models import Advice, Decision, Objection
from models.monitoring import agreement_rates, score_band
from werkwijzer.settings import Settings

BY = ("team", "model_version", "score_band")


def overrides(session: Session, settings: Settings, team: str | None = None,
              teams: Collection[str] | None = None) -> dict[str, Any]:
    """The rates of ``team``, or of all ``teams`` (``None``: every team)."""
    objections = dict(session.execute(select(Objection.advice_id, func.count()).group_by(Objection.advice_id)).all())
    query = (select(Advice.id, Advice.team, Advice.model_version, Advice.suggested_class, Advice.top_probability,
                    Decision.final_effort_class).join(Decision, Decision.advice_id == Advice.id))
    if team:
        query = query.where(Advice.team == team)
    if teams is not None:
        query = query.where(Advice.team.in_(sorted(teams)))
    rows = pd.DataFrame(session.execute(query).all(),
                        columns=["advice_id", "team", "model_version", "suggested", "score", "final"])
    advised = rows[rows["suggested"].notna()].copy()
    advised["followed"] = advised["final"] == advised["suggested"]
    advised["model_version"] = advised["model_version"].astype(str)
    advised["objections"] = advised["advice_id"].map(objections).fillna(0).astype(int)
    cells = []
    if not advised.empty:
        advised["score_band"] = score_band(advised["score"].astype(float))
        for by in BY:
            objected = advised.groupby(by)["objections"].sum()
            for _, r in agreement_rates(advised, (by,)).iterrows():
                n, rate = int(r["n"]), float(r["agreement_rate"])
                biased = n >= settings.monitoring_min_n and rate >= settings.agreement_note
                alert = "automation_bias" if biased else None
                cells.append({"by": by, "key": str(r[by]), "decisions": n, "agreement_rate": rate,
                              "override_rate": float(r["override_rate"]), "objections": int(objected.get(r[by], 0)),
                              "alert": alert})
    return {"decisions_with_advice": len(advised), "decisions_without_advice": int(rows["suggested"].isna().sum()),
            "thresholds": {"agreement_note": settings.agreement_note,
                           "min_decisions": float(settings.monitoring_min_n)},
            "cells": cells}

