"""Rubber-stamping monitor (responsible-ai items 4 and 25): agreement and override rates.

Agreement is the share of decided, advised cases whose final effort class equals the
suggestion, as the caseworker states it (``casework.frames.decisions``: the one definition of
"followed", which the monitoring flow and the report read too); override is the rest. Rates come
from ``models.monitoring.agreement_rates`` (the same arithmetic the monitoring flow uses) per team,
model version and score band (the suggested class's probability). A cell raises ``automation_bias``
by ``models.thresholds.automation_bias``, the rule the monitoring flow's findings follow too. Override
surges are judged against a baseline period by the monitoring flow (``models.monitoring.override_surge``),
and rates per protected group need characteristics the API never stores, so both live there.
Objections are counted per cell. What leaves the service has small cells suppressed
(``werkwijzer.privacy``, setting ``fairness_min_cell``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import frames
from casework.storage import Objection
from models.monitoring import agreement_rates
from models.thresholds import automation_bias
from werkwijzer.privacy import small_counts, suppress_small_cells
from werkwijzer.settings import Settings

BY = ("team", "model_version", "score_band")


def overrides(
    session: Session, settings: Settings, team: str | None = None, teams: Collection[str] | None = None
) -> dict[str, Any]:
    """The rates of ``team``, or of all ``teams`` (``None``: every team)."""
    objections = dict(session.execute(select(Objection.advice_id, func.count()).group_by(Objection.advice_id)).all())
    if team:
        teams = [t for t in teams if t == team] if teams is not None else [team]
    decided = frames.decisions(session, None, teams)
    advised = decided[decided["advised"]].copy()
    advised["objections"] = advised["advice_id"].map(objections).fillna(0).astype(int)
    cells = []
    if not advised.empty:
        for by in BY:
            objected = advised.groupby(by)["objections"].sum()
            for _, r in agreement_rates(advised, (by,)).iterrows():
                n, rate = int(r["n"]), float(r["agreement_rate"])
                alert = "automation_bias" if automation_bias(n, rate, settings) else None
                followed = round(n * rate)
                cells.append(
                    {
                        "by": by,
                        "key": str(r[by]),
                        "n": n,
                        "followed": followed,
                        "overridden": n - followed,
                        "agreement_rate": rate,
                        "override_rate": float(r["override_rate"]),
                        "objections": int(objected.get(r[by], 0)),
                        "alert": alert,
                    }
                )
    totals = [len(advised), int((~decided["advised"]).sum())]
    hidden = small_counts(totals, settings.fairness_min_cell)
    with_advice, without_advice = (None if hide else total for total, hide in zip(totals, hidden, strict=True))
    return {
        "decisions_with_advice": with_advice,
        "decisions_without_advice": without_advice,
        "thresholds": {"agreement_note": settings.agreement_note, "min_decisions": float(settings.monitoring_min_n)},
        "cells": _published(cells, settings.fairness_min_cell),
    }


def _published(cells: list[dict[str, Any]], min_cell: int) -> list[dict[str, Any]]:
    """The cells with small cells suppressed (``werkwijzer.privacy``): a cell with fewer than ``min_cell``
    followed or overridden decisions loses its rates; small counts of decisions and objections are hidden.
    The automation-bias alert stays: it needs at least ``monitoring_min_n`` decisions."""
    if not cells:
        return []
    table = suppress_small_cells(pd.DataFrame(cells), min_cell, counts=("objections",))
    return [
        {
            "by": c["by"],
            "key": c["key"],
            "decisions": _count(c["n"]),
            "agreement_rate": _share(c["agreement_rate"]),
            "override_rate": _share(c["override_rate"]),
            "objections": _count(c["objections"]),
            "alert": c["alert"],
            "suppressed": bool(c["suppressed"]),
        }
        for c in table.to_dict("records")
    ]


def _count(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _share(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)
