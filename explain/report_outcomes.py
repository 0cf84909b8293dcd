"""Live error rates from outcomes in words and tables, for the council report (issue 17 part 2).

What the closed cases turned out to be, against what the advice said: per served model (the effort
class one class against the rest, the integrated approach for its positive class) and per protected
group, FPR, FNR and FDR with their 95 % interval beside the figure the gate approved on the test set,
the number of outcomes, and how many of the period's decided cases have an outcome at all. The table
arrives publishable (``flows.monitor_outcomes.error_rate_table``: small cells suppressed by the one
rule); a suppressed row is written as "< 10" without rates. Texts are the catalogues'
``report.outcomes.*`` (Dutch B1 and English).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from werkwijzer.formatting import MISSING
from werkwijzer.vocabulary import TRIAGE_INTEGRATED

if TYPE_CHECKING:
    from explain.report_data import ReportData
    from explain.report_sections import Section, Writer

RATES = ("fpr", "fnr", "fdr")


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def where(row: Mapping[str, Any], w: Writer) -> str:
    """The model, and for a multi-class model the class the row is about."""
    model = str(row["model_name"])
    return model if model == TRIAGE_INTEGRATED else w.t("outcomes.model_class", model=model, cls=row["class"])


def rate_cell(row: Mapping[str, Any], rate: str, w: Writer) -> str:
    """``live (low–high); test set X``, a dash for what is not known."""
    if bool(row["suppressed"]) or _missing(row[rate]):
        return MISSING
    test: Any = row.get(f"{rate}_test")
    return w.t(
        "outcomes.rate",
        live=w.pct(float(row[rate])),
        low=w.pct(float(row[f"{rate}_low"])),
        high=w.pct(float(row[f"{rate}_high"])),
        test=MISSING if _missing(test) else w.pct(float(test)),
    )


def row_cells(row: Mapping[str, Any], w: Writer) -> list[str]:
    hidden = bool(row["suppressed"]) or _missing(row["n"])
    return [
        where(row, w),
        w.attribute(str(row["attribute"])),
        str(row["group"]).replace("_", " "),
        w.count(0, True) if hidden else w.num(float(row["n"])),
        *(rate_cell(row, rate, w) for rate in RATES),
    ]


def rises(table: pd.DataFrame, w: Writer) -> list[str]:
    """One sentence per significant rise above the test-set figure."""
    out = []
    for row in table.to_dict("records"):
        if bool(row["suppressed"]):
            continue
        for rate in RATES:
            if bool(row.get(f"{rate}_significant", False)):
                out.append(
                    w.t(
                        "outcomes.rise",
                        model=where(row, w),
                        attribute=w.attribute(str(row["attribute"])),
                        group=str(row["group"]).replace("_", " "),
                        rate=w.t(f"outcomes.rate_name.{rate}"),
                        test=w.pct(float(row[f"{rate}_test"])),
                        live=w.pct(float(row[rate])),
                    )
                )
    return out


def coverage(d: ReportData, w: Writer) -> str:
    assert d.outcomes is not None
    decided, known = d.outcomes.decided, d.outcomes.with_outcome
    hidden = decided < w.min_cell or known < w.min_cell
    share = MISSING if hidden or not decided else w.pct(known / decided)
    return w.t("outcomes.coverage", decided=w.count(decided), known=w.count(known), share=share)


def outcomes_section(d: ReportData, w: Writer) -> Section | None:
    """The section, or None when the report was built without outcome figures."""
    from explain.report_sections import Section, Table

    if d.outcomes is None:
        return None
    title = w.t("outcomes.title")
    paragraphs = [w.t("outcomes.intro"), coverage(d, w)]
    table = d.outcomes.table
    if d.outcomes.outcomes == 0 or table.empty:
        key = "outcomes.none" if d.outcomes.outcomes == 0 else "outcomes.no_groups"
        return Section("uitkomsten", title, [*paragraphs, w.t(key)])
    for model in d.outcomes.models:
        if not (table["model_name"] == model).any():
            paragraphs.append(w.t("outcomes.model_none", model=model))
    found = rises(table, w)
    paragraphs += found or [w.t("outcomes.no_rise")]
    paragraphs.append(w.t("outcomes.meaning"))
    hidden = int(table["suppressed"].astype(bool).sum())
    if hidden:
        paragraphs.append(w.t("outcomes.suppressed", rows=w.plural(hidden, "row"), min_cell=w.min_cell))
    header = w.header(
        "outcomes.col.model",
        "outcomes.col.attribute",
        "outcomes.col.group",
        "outcomes.col.n",
        "outcomes.col.fpr",
        "outcomes.col.fnr",
        "outcomes.col.fdr",
    )
    rows = [row_cells(r, w) for r in table.to_dict("records")]
    return Section("uitkomsten", title, paragraphs, [Table(header, rows, caption=w.t("outcomes.caption"))])
