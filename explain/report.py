"""The accountability report for council and co-governments (raad en college), as HTML and PDF.

Responsible-ai items 4, 14, 20-25 and the VNG strategy's data-driven accountability: what the
models advised, how people used that advice, whether groups were treated alike, objections,
stop-button events, model changes and the Algoritmeregister entries of the models in use.

Everything the reader sees is computed from :class:`ReportData` (built from the API store and
the monitoring flow); no template holds a number. Dutch at B1 level by default, English on
request. Counts below ``min_cell`` (10) are shown as "< 10" everywhere, with one extra cell
hidden when a single one would otherwise follow from the total.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from explain.report_data import COLUMNS, Period, ReportData, ReportError, parse_period
from explain.report_pdf import render_pdf
from explain.report_sections import Document, build_document, render_html
from werkwijzer.io import staged_output

__all__ = [
    "COLUMNS",
    "Document",
    "Period",
    "ReportData",
    "ReportError",
    "build_document",
    "parse_period",
    "render_html",
    "render_pdf",
    "write_report",
]


def write_report(
    data: ReportData,
    out_dir: str | Path,
    *,
    lang: str = "nl",
    fairness_band: tuple[float, float] = (0.8, 1.25),
    validate_entry: Callable[[dict[str, Any]], list[str]] | None = None,
) -> dict[str, Path]:
    """Write ``report-<period>.<lang>.html`` and ``.pdf`` into ``out_dir``; nothing is written on failure.

    ``validate_entry`` (e.g. ``explain.register.validate_entry``) checks each register entry;
    any problem stops the report, and the report says the entries were checked. ``fairness_band``:
    pass ``(settings.fairness_ratio_low, settings.fairness_ratio_high)``.
    """
    document = build_document(data, lang=lang, fairness_band=fairness_band, validate_entry=validate_entry)
    stem = f"report-{data.period.label}.{lang}"
    with staged_output(out_dir) as staging:
        (staging / f"{stem}.html").write_text(render_html(document), encoding="utf-8")
        render_pdf(document, staging / f"{stem}.pdf")
    out = Path(out_dir)
    return {"html": out / f"{stem}.html", "pdf": out / f"{stem}.pdf"}
