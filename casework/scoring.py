"""Scoring advice requests that arrive together in one model call (micro-batching).

For one case most of the cost of scoring is per call, not per row: the pandas and scikit-learn
overhead of ``predict_proba`` and of the SHAP explainer on a one-row frame. Rows are plain dicts;
an explainer with ``score_records`` (``explain.case.CaseExplainer``) scores them without pandas,
any other gets a frame. The advice queue (``casework.advice_queue``) hands every row it holds to
:func:`_run`, which scores them in one call per champion pair; a lone request is scored at once
(there is no waiting window), so a single client's latency does not grow. Rows are independent in
the models and the explainer, so each row gets the answer it would get alone. When a batch fails,
its rows are scored one by one, so one bad row cannot fail another request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from casework.modelstore import TriageBundle


@dataclass(frozen=True)
class Scored:
    proba: np.ndarray  # the effort model's class probabilities for the row
    integrated: np.ndarray | None  # the integrated-approach model's, when it is loaded
    reasons: list[Any]  # the effort explainer's reasons for the row


@dataclass(eq=False)
class _Job:
    effort: TriageBundle
    integrated: TriageBundle | None
    row: dict[str, Any]
    top: int
    done: bool = False
    result: Scored | None = None
    error: BaseException | None = None
    key: tuple[int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.key = (id(self.effort), id(self.integrated), self.top)


def _names(bundle: TriageBundle) -> list[str]:
    return [f["name"] for f in bundle.features]


def score_rows(
    effort: TriageBundle, integrated: TriageBundle | None, records: list[dict[str, Any]], top: int
) -> list[Scored]:
    fast = getattr(effort.explainer, "score_records", None)
    if fast is not None and (integrated is None or hasattr(integrated.explainer, "proba_records")):
        proba, reasons = fast(records, top=top)
        other = integrated.explainer.proba_records(records) if integrated is not None else None
        return [Scored(proba[i], other[i] if other is not None else None, reasons[i]) for i in range(len(records))]
    rows = pd.DataFrame(records)
    effort_rows = rows[_names(effort)]
    proba = np.asarray(effort.model.predict_proba(effort_rows))
    many = getattr(effort.explainer, "reasons_many", None)
    if many is not None:
        reasons = many(effort_rows, top=top, proba=proba)
    else:  # an explainer with only the one-row method
        reasons = [effort.explainer.reasons(effort_rows.iloc[[i]], top=top) for i in range(len(rows))]
    other = np.asarray(integrated.model.predict_proba(rows[_names(integrated)])) if integrated is not None else None
    return [Scored(proba[i], other[i] if other is not None else None, reasons[i]) for i in range(len(rows))]


def _run(jobs: list[_Job], score: Callable[..., list[Scored]]) -> None:
    groups: dict[tuple[int, int, int], list[_Job]] = {}
    for job in jobs:
        groups.setdefault(job.key, []).append(job)
    for group in groups.values():
        first = group[0]
        try:
            rows = [j.row for j in group]
            for job, result in zip(group, score(first.effort, first.integrated, rows, first.top), strict=True):
                job.result = result
        except Exception:
            for job in group:
                try:
                    job.result = score(job.effort, job.integrated, [job.row], job.top)[0]
                except Exception as exc:  # reported to that request only
                    job.error = exc
        for job in group:
            job.done = True
