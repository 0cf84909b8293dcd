"""The anchoring experiment in words and tables, for the council report and the *Modellen* page.

Does the advice steer the decision? The report section compares, per model and per team, how
often the final decision equals the model's suggestion when it was shown and when it was hidden
(the random control share), with the difference and its interval (``models.anchoring``), and the
time from first opening a case to its decision per arm. Small cells are written as "< 10" and
carry no rate. Texts are the catalogues' ``report.anchoring.*`` (Dutch B1 and English).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.anchoring import anchoring_table, decision_times
from werkwijzer.formatting import MISSING, number, percent
from werkwijzer.i18n import translate
from werkwijzer.teams import team_label

if TYPE_CHECKING:
    from explain.report_data import ReportData
    from explain.report_sections import Section, Writer

SCOPES = (("model_name",), ("model_name", "team"))


def verdict(row: Mapping[str, Any]) -> str:
    """``suppressed``, ``effect`` (the interval lies above zero), ``reverse`` (below) or ``none``."""
    if bool(row["suppressed"]) or pd.isna(row["effect_low"]):
        return "suppressed"
    if row["effect_low"] > 0:
        return "effect"
    if row["effect_high"] < 0:
        return "reverse"
    return "none"


def _points(share: float, lang: str, signed: bool = False) -> str:
    return number(float(share) * 100, 0, lang, signed=signed)


def cells(row: Mapping[str, Any], lang: str, min_cell: int) -> dict[str, str]:
    """One row of the experiment table as text: where, both arms, the difference and the verdict."""
    team = row.get("team")
    where = str(row["model_name"]) + ("" if team is None or pd.isna(team) else f" · {team_label(str(team), lang)}")
    if verdict(row) == "suppressed":
        small = f"< {min_cell}"
        return {"where": where, "shown": small, "hidden": small, "effect": MISSING, "interval": MISSING,
                "verdict": translate("report.anchoring.verdict.suppressed", lang)}  # fmt: skip
    return {
        "where": where,
        "shown": f"{percent(row['rate_shown'], 0, lang)} ({number(row['n_shown'], 0, lang)})",
        "hidden": f"{percent(row['rate_hidden'], 0, lang)} ({number(row['n_hidden'], 0, lang)})",
        "effect": _points(row["effect"], lang, signed=True),
        "interval": translate(
            "report.anchoring.interval",
            lang,
            low=_points(row["effect_low"], lang),
            high=_points(row["effect_high"], lang),
        ),
        "verdict": translate(f"report.anchoring.verdict.{verdict(row)}", lang),
    }


def anchoring_section(d: ReportData, w: Writer) -> Section | None:
    """The section, or None when the report was built without the experiment's frame."""
    from explain.report_sections import Section, Table

    if d.experiment is None:
        return None
    title = w.t("anchoring.title")
    paragraphs = [w.t("anchoring.intro")]
    table = anchoring_table(d.experiment, SCOPES, min_cell=d.min_cell)
    if table.empty or table["suppressed"].all():
        return Section("sturing", title, [*paragraphs, w.t("anchoring.none")])
    rows = [cells(r, w.lang, d.min_cell) for r in table.to_dict("records")]
    overall = [r for r in table.to_dict("records") if r["scope"] == "model_name" and verdict(r) != "suppressed"]
    for r in overall:
        paragraphs.append(
            w.t(
                f"anchoring.summary.{verdict(r)}",
                model=r["model_name"],
                shown=w.pct(r["rate_shown"]),
                hidden=w.pct(r["rate_hidden"]),
                effect=_points(r["effect"], w.lang),
            )
        )
    header = w.header(
        "anchoring.col.where",
        "anchoring.col.shown",
        "anchoring.col.hidden",
        "anchoring.col.effect",
        "anchoring.col.interval",
        "anchoring.col.verdict",
    )
    tables = [
        Table(header, [[c[k] for k in ("where", "shown", "hidden", "effect", "interval", "verdict")] for c in rows])
    ]
    times = decision_times(d.experiment, ("model_name",), d.min_cell)
    medians = {
        (r["model_name"], r["arm"]): r["median_minutes"] for r in times.to_dict("records") if not r["suppressed"]
    }
    for model in sorted({m for m, _ in medians}):
        if (model, "shown") in medians and (model, "hidden") in medians:
            paragraphs.append(
                w.t(
                    "anchoring.times",
                    model=model,
                    shown=w.num(medians[(model, "shown")]),
                    hidden=w.num(medians[(model, "hidden")]),
                )
            )
    return Section("sturing", title, paragraphs, tables)
