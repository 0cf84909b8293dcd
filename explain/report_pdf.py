"""The report as PDF with reportlab (pure Python, no system packages), from the same :class:`Document` as the HTML.

Text is set in DejaVu Sans, the font matplotlib ships, so Dutch and typographic characters
(é, –, ≥) print correctly without any font installed on the machine.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from explain.report_sections import Document

FONT, BOLD = "WerkwijzerSans", "WerkwijzerSans-Bold"


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    return FONT, BOLD


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=22, textColor=colors.HexColor("#1f4e79")),
        "subtitle": ParagraphStyle("subtitle", fontName=regular, fontSize=10, leading=13, textColor=colors.grey),
        "h2": ParagraphStyle(
            "h2",
            fontName=bold,
            fontSize=13,
            leading=16,
            spaceBefore=14,
            spaceAfter=6,
            textColor=colors.HexColor("#1f4e79"),
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, spaceAfter=6),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8, leading=10),
        "caption": ParagraphStyle("caption", fontName=bold, fontSize=9, leading=12, spaceBefore=6),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=10, textColor=colors.grey),
    }


def _image(png: bytes, width: float) -> Image:
    with PILImage.open(io.BytesIO(png)) as im:
        w, h = im.size
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def _widths(header: list[str], rows: list[list[str]], width: float) -> list[float]:
    """Columns as wide as their longest word or cell needs (within limits), scaled to the page width."""
    need = [
        3 + max([min(len(c), 40) for c in col] + [max(len(w) for w in h.split()) if h.split() else 1, 6])
        for h, col in zip(header, zip(*rows, strict=True) if rows else [[] for _ in header], strict=True)
    ]
    total = sum(need)
    return [width * n / total for n in need]


def render_pdf(document: Document, path: str | Path) -> Path:
    """Write the document as an A4 PDF at ``path``."""
    st = _styles()
    width = A4[0] - 4 * cm
    story: list = [
        Paragraph(escape(document.title), st["title"]),
        Spacer(1, 4),
        Paragraph(escape(document.subtitle), st["subtitle"]),
    ]
    for section in document.sections:
        story.append(Paragraph(escape(section.title), st["h2"]))
        story += [Paragraph(escape(p), st["body"]) for p in section.paragraphs]
        story += [_image(f.png, width) for f in section.figures]
        for table in section.tables:
            if table.caption:
                story.append(Paragraph(escape(table.caption), st["caption"]))
            cells = [[Paragraph(escape(h), st["head"]) for h in table.header]]
            cells += [[Paragraph(escape(c), st["cell"]) for c in row] for row in table.rows]
            t = Table(cells, repeatRows=1, colWidths=_widths(table.header, table.rows, width))
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [Spacer(1, 4), t, Spacer(1, 6)]
    story += [Spacer(1, 12), Paragraph(escape(document.footer), st["small"])]
    out = Path(path)
    SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=document.title,
        lang=document.lang,
    ).build(story)
    return out
