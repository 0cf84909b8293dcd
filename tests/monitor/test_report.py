"""The accountability report: numbers come from the frames, small cells stay hidden, both languages and the PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from explain.report import ReportData, ReportError, build_document, parse_period, render_html, write_report
from explain.report_sections import Document
from werkwijzer.privacy import small_counts


@pytest.fixture(scope="module")
def doc_nl(report_data: ReportData) -> Document:
    return build_document(report_data, lang="nl")


@pytest.fixture(scope="module")
def html_nl(doc_nl: Document) -> str:
    return render_html(doc_nl)


@pytest.fixture(scope="module")
def html_en(report_data: ReportData) -> str:
    return render_html(build_document(report_data, lang="en"))


def section(doc: Document, sid: str):
    return next(s for s in doc.sections if s.id == sid)


def row_for(doc: Document, sid: str, first: str) -> list[str]:
    return next(r for r in section(doc, sid).tables[0].rows if r[0] == first)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026-q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_parse_period(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.first_day, period.last_day) == (start, end)


@pytest.mark.parametrize("bad", ["2026-Q5", "Q3-2026", "2026-13", "26-Q1", ""])
def test_bad_period_is_refused_clearly(bad: str) -> None:
    with pytest.raises(ReportError, match="quarter \\(2026-Q3\\)"):
        parse_period(bad)


def test_report_data_names_missing_columns_and_rows_outside_the_period(report_data: ReportData) -> None:
    with pytest.raises(ReportError, match="decisions: missing column\\(s\\) followed"):
        dataclasses.replace(report_data, decisions=report_data.decisions.drop(columns="followed"))
    late = report_data.objections.assign(date=pd.Timestamp("2026-10-01"))
    with pytest.raises(ReportError, match="objections: 35 row\\(s\\) fall outside 2026-Q3"):
        dataclasses.replace(report_data, objections=late)


def test_summary_sentence_is_computed_from_the_frames(report_data: ReportData, html_nl: str) -> None:
    advised = int(report_data.advice_use["advised"].sum())
    agree = report_data.decisions["followed"].mean()
    assert (advised, round(100 * agree)) == (1234, 81)
    sentence = "In 2026-Q3 kregen 1.234 zaken een advies; consulenten volgden het advies in 81\u00a0% van de gevallen."
    assert sentence in html_nl


def test_sentence_follows_the_data(make_report) -> None:
    doc = build_document(make_report(advised_scale=2), lang="nl")
    assert "In 2026-Q3 kregen 2.460 zaken een advies" in section(doc, "samenvatting").paragraphs[0]


def test_tables_match_the_frames(report_data: ReportData, doc_nl: Document) -> None:
    intake = report_data.intake[report_data.intake["team"] == "bijstand_aanvragen"]
    row = row_for(doc_nl, "instroom", "Bijstand aanvragen")
    assert intake["actual"].sum() == 278  # 13 x 20 + 3 x (0 + 1 + 2 + 3)
    # forecast 13 x 21.5 = 279.5; MAE (4 x 1.5 + 6 x 0.5 + 3 x 1.5) / 13 = 1.04; 21 and 22 inside 21.5 +- 1: 6/13
    assert row[1:] == ["278", "280", "1,0", "46\u00a0%"]
    agreement = row_for(doc_nl, "afwijken", "Bijstand aanvragen")
    assert agreement[2:] == ["100", "81\u00a0%", "19\u00a0%"]
    capacity = row_for(doc_nl, "capaciteit", "Jeugdhulp")
    assert capacity[1:] == ["12,0", "11,0", "\u22121,0", "200"]  # backlog linspace(100, 200) ends at 200
    stops = section(doc_nl, "stopknop").tables[0].rows
    assert stops[0][:3] == ["10-08-2026 09:00", "werkwijzer-triage-effort_class", "uit"]


def test_small_cells_are_hidden_with_one_more_to_protect_the_total(doc_nl: Document, html_nl: str) -> None:
    objections = {r[0]: r[1] for r in section(doc_nl, "bezwaren").tables[0].rows}
    assert objections == {"Bijstand aanvragen": "< 10", "Jeugdhulp": "< 10", "Wmo meldingen": "20"}
    assert "<td>Jeugdhulp</td><td>&lt; 10</td>" in html_nl
    decisions = row_for(doc_nl, "afwijken", "Jeugdhulp")
    assert decisions[2:] == ["< 10", "–", "–"]
    use = row_for(doc_nl, "gebruik", "Jeugdhulp")
    assert use[1:] == ["< 10", "< 10", "< 10"]


def test_fairness_rows_with_small_cells_show_no_rates(doc_nl: Document) -> None:
    rows = [r for r in section(doc_nl, "gelijkheid").tables[0].rows if r[0] == "advies"]
    by_group = {r[2]: r for r in rows}
    assert by_group["B"][3:] == ["200", "55\u00a0%", "50\u00a0%", "40\u00a0%", "2,50"]
    assert by_group["C"][3:] == ["38", "–", "–", "–", "–"]  # tp 9 < 10: rates hidden; n = 38 itself may show
    assert "Bij 1 groep lag de FPR van het advies buiten" in section(doc_nl, "gelijkheid").paragraphs[1]


def test_small_counts_protects_a_single_small_cell() -> None:
    assert small_counts([3, 12, 20], 10) == [True, True, False]
    assert small_counts([3, 4, 20], 10) == [True, True, False]
    assert small_counts([30, 12, 20], 10) == [False, False, False]


def test_html_is_self_contained_and_dutch(html_nl: str) -> None:
    assert html_nl.startswith('<!DOCTYPE html>\n<html lang="nl">')
    assert "<style>" in html_nl and "<link" not in html_nl and "<script" not in html_nl
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html_nl)
    assert len(images) == 5
    assert "Verantwoording Werkwijzer 2026-Q3" in html_nl


def test_english_renders(html_en: str) -> None:
    assert '<html lang="en">' in html_en
    assert "In 2026-Q3, 1,234 cases received advice; caseworkers followed the advice in 81% of cases." in html_en
    assert "Equal treatment of groups" in html_en
    with pytest.raises(ReportError, match="language 'de'"):
        build_document(make_empty(), lang="de")


def make_empty() -> ReportData:
    from explain.report import COLUMNS

    frames = {name: pd.DataFrame(columns=list(cols)) for name, cols in COLUMNS.items()}
    return ReportData(period=parse_period("2026-Q3"), organization="Gemeente Leeg", **frames)


def test_empty_period_still_renders() -> None:
    doc = build_document(make_empty(), lang="nl")
    text = render_html(doc)
    assert "In 2026-Q3 kregen &lt; 10 zaken een advies" in text
    assert "Er zijn geen voorspellingen voor deze periode." in text


def test_invalid_register_entry_stops_the_report_and_writes_nothing(report_data: ReportData, tmp_path) -> None:
    def validate(entry: dict) -> list[str]:
        return ["risks: required for Hoog-risico AI-systeem"]

    with pytest.raises(ReportError, match="register entry 0 \\(Werkwijzer inschatting werklast\\): risks"):
        write_report(report_data, tmp_path / "out", validate_entry=validate)
    assert not (tmp_path / "out").exists()


def test_a_register_entry_not_marked_in_use_is_flagged_in_both_languages(report_data: ReportData) -> None:
    assert all(e["status"] == "In gebruik" for e in report_data.register_entries)
    assert len(section(build_document(report_data, lang="nl"), "register").paragraphs) == 1
    entries = [{**report_data.register_entries[0], "status": "In ontwikkeling"}, *report_data.register_entries[1:]]
    stale = dataclasses.replace(report_data, register_entries=entries)
    name = entries[0]["name"]
    nl = section(build_document(stale, lang="nl"), "register").paragraphs
    en = section(build_document(stale, lang="en"), "register").paragraphs
    assert nl[1:] == [
        f"Let op: bij {name} staat in de registratie de status 'In ontwikkeling', maar het model "
        "wordt gebruikt. De registratie moet worden bijgewerkt naar 'In gebruik'."
    ]
    assert en[1:] == [
        f"Note: the entry of {name} has the status 'In ontwikkeling', but the model is in use. "
        "The entry must be updated to 'In gebruik'."
    ]


def test_pdf_renders_a_readable_first_page(report_data: ReportData, tmp_path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    paths = write_report(report_data, tmp_path, validate_entry=lambda entry: [])
    assert paths["html"].read_text(encoding="utf-8").count("gecontroleerd tegen de publicatiestandaard") == 1
    pdf = pdfium.PdfDocument(str(paths["pdf"]))
    assert len(pdf) >= 3
    image = pdf[0].render(scale=1).to_pil().convert("L")
    width, height = image.size
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 (595.3 x 841.9 pt) at 72 dpi
    pixels = np.asarray(image)
    ink = (pixels < 200).mean()
    assert 0.01 < ink < 0.5, ink  # text and a plot, not blank, not a black page
    text = pdf[0].get_textpage().get_text_range()
    assert "Verantwoording Werkwijzer 2026-Q3" in text
    assert "1.234 zaken" in text
    pdf.close()


def test_monitoring_signals_are_listed_once(report_data: ReportData, tmp_path) -> None:
    from models.thresholds import evaluate
    from werkwijzer.settings import Settings

    psi = pd.DataFrame(
        {
            "feature": ["open_debts", "channel"],
            "psi": [0.34, 0.12],
            "n": [400, 400],
            "model_name": "werkwijzer-triage-effort_class",
        }
    )
    findings = evaluate(Settings(home=tmp_path, environment="test"), psi=psi)
    doc = build_document(dataclasses.replace(report_data, findings=findings + findings), lang="nl")
    signals = section(doc, "signalen")
    assert signals.paragraphs[0].startswith(
        "De automatische controle gaf in deze periode 1 keer stop, 0 waarschuwingen en 1 melding."
    )
    assert [r[0] for r in signals.tables[0].rows] == ["stop", "melding"]
    assert "PSI 0,34" in signals.tables[0].rows[0][1]


def test_stop_times_in_utc_are_shown_in_dutch_time(report_data: ReportData) -> None:
    utc = report_data.stop_events.assign(time=pd.to_datetime(["2026-08-10 07:00", "2026-08-12 14:30"], utc=True))
    doc = build_document(dataclasses.replace(report_data, stop_events=utc), lang="nl")
    assert [r[0] for r in section(doc, "stopknop").tables[0].rows] == ["10-08-2026 09:00", "12-08-2026 16:30"]


def test_template_holds_no_figures() -> None:
    from explain.report_sections import TEMPLATES

    page = (TEMPLATES / "report.html").read_text(encoding="utf-8")
    body = page.split("</style>", 1)[1]
    text = re.sub(r"{[{%].*?[%}]}|<[^>]+>", "", body, flags=re.S)
    assert not re.search(r"\d", text), text


def test_fairness_band_comes_from_the_caller(report_data: ReportData, tmp_path) -> None:
    paths = write_report(report_data, tmp_path, lang="en", fairness_band=(0.5, 2.0))
    html = paths["html"].read_text(encoding="utf-8")
    assert "For 1 group the advice&#39;s FPR was outside 0.50 to 2.00 times" in html  # B: 2.5


def test_summary_names_the_fairness_result(doc_nl: Document) -> None:
    assert (
        section(doc_nl, "samenvatting")
        .paragraphs[-1]
        .startswith(
            "Gelijke behandeling: bij 1 groep week het advies meer af van de referentiegroep dan de grens toestaat"
        )
    )


def test_summary_says_no_group_in_plain_words_when_none_is_outside(report_data: ReportData) -> None:
    wide = (0.01, 100.0)
    nl = section(build_document(report_data, lang="nl", fairness_band=wide), "samenvatting").paragraphs[-1]
    en = section(build_document(report_data, lang="en", fairness_band=wide), "samenvatting").paragraphs[-1]
    assert nl == (
        "Gelijke behandeling: bij geen enkele groep week het advies meer af van de referentiegroep dan "
        "de grens toestaat."
    )
    assert en == (
        "Equal treatment: for no group did the advice differ from the reference group by more than the limit allows."
    )
