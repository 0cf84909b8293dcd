"""The SVG charts are well-formed, accessible and show what they are given, in Dutch formats."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from api.web.charts import (
    BandPoint,
    ChartText,
    Point,
    bar_chart,
    capacity_chart,
    forecast_chart,
    nice_ticks,
    runs,
)
from werkwijzer import formatting

SVG = "{http://www.w3.org/2000/svg}"
MONDAYS = [dt.date(2026, 11, 2) + dt.timedelta(weeks=i) for i in range(12)]
TEXT = ChartText(
    title="Instroom <Wmo> & prognose",
    desc="Verwacht: 1.234 zaken.",
    x_axis="week",
    y_axis="zaken per week",
    legend={
        "history": "gerealiseerd",
        "forecast": "verwachting",
        "band_80": "80 %-band",
        "band_95": "95 %-band",
        "needed": "nodig",
        "available": "beschikbaar",
        "risk": "risico op termijnoverschrijding",
        "up": "hoger",
        "down": "lager",
    },
)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def forecast_points() -> tuple[list[Point], list[BandPoint]]:
    history = [Point(d, 1000.0 + 10 * i) for i, d in enumerate(MONDAYS[:8])]
    history[3] = Point(MONDAYS[3], None)
    ahead = [BandPoint(d, 1100.0, 1000.0, 1200.0, 950.0, 1250.5) for d in MONDAYS[8:]]
    return history, ahead


def test_forecast_chart_is_accessible_svg_with_both_bands_and_labels() -> None:
    history, ahead = forecast_points()
    root = parse(forecast_chart(history, ahead, TEXT, chart_id="fc-wmo"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Instroom <Wmo> & prognose"
    assert root.find(f"{SVG}title").text == "Instroom <Wmo> & prognose"
    assert root.find(f"{SVG}desc").text == "Verwacht: 1.234 zaken."
    assert root.get("aria-describedby") == "fc-wmo-desc"
    assert len(by_class(root, "band-80")) == 1 and len(by_class(root, "band-95")) == 1
    assert len(by_class(root, "forecast")) == 1
    assert len(by_class(root, "history")) == 2, "a missing week breaks the history line instead of bridging it"
    words = texts(root)
    assert {"week", "zaken per week", "gerealiseerd", "verwachting", "80 %-band", "95 %-band"} <= set(words)
    assert "1.500" in words, "y ticks are formatted the Dutch way (thousands with a dot)"
    assert "2026" in words and any("nov." in w for w in words)


def test_band_polygon_spans_the_interval() -> None:
    _, ahead = forecast_points()
    root = parse(forecast_chart([], ahead, TEXT, chart_id="c"))
    ys = [
        float(pair.split(",")[1])
        for pair in by_class(root, "band-95")[0].get("d").replace("M", "").replace("L", "").replace("Z", "").split()
    ]
    ys80 = [
        float(pair.split(",")[1])
        for pair in by_class(root, "band-80")[0].get("d").replace("M", "").replace("L", "").replace("Z", "").split()
    ]
    assert min(ys) < min(ys80) and max(ys) > max(ys80), "the 95 % band lies around the 80 % band"


def test_capacity_chart_marks_the_weeks_at_risk() -> None:
    needed = [BandPoint(d, 5.0 + i, 4.0 + i, 6.0 + i, 3.5 + i, 7.0 + i) for i, d in enumerate(MONDAYS)]
    risk = [i == 2 or i >= 9 for i in range(len(MONDAYS))]
    root = parse(capacity_chart(needed, [8.0] * len(MONDAYS), risk, TEXT, chart_id="cap"))
    assert len(by_class(root, "risk")) == 2, "one column per stretch of weeks at risk"
    assert by_class(root, "available")[0].get("stroke-dasharray"), "available FTE is dashed, not only coloured"
    assert "risico op termijnoverschrijding" in texts(root)
    calm = parse(capacity_chart(needed, [20.0] * len(MONDAYS), [False] * len(MONDAYS), TEXT, chart_id="cap"))
    assert not by_class(calm, "risk") and "risico op termijnoverschrijding" not in texts(calm)


def test_capacity_chart_refuses_series_of_different_length() -> None:
    needed = [BandPoint(d, 1, 1, 1, 1, 1) for d in MONDAYS]
    with pytest.raises(ValueError, match="one value per week"):
        capacity_chart(needed, [1.0], [False] * len(MONDAYS), TEXT, chart_id="x")


def test_bar_chart_shows_direction_by_side_and_signed_value() -> None:
    items = [("seizoen", 4.26), ("feestdagen en kerst", -2.0)]
    root = parse(bar_chart(items, TEXT, chart_id="drv", value_label=lambda v: formatting.number(v, 1, signed=True)))
    up, down = by_class(root, "up"), by_class(root, "down")
    assert len(up) == 1 and len(down) == 1
    assert float(down[0].get("x")) + float(down[0].get("width")) <= float(up[0].get("x")) + 0.1
    words = texts(root)
    assert "+4,3" in words and "\u22122,0" in words and "seizoen" in words and "hoger" in words


def test_runs_group_consecutive_flags() -> None:
    assert runs([False, True, True, False, True]) == [(1, 2), (4, 4)]
    assert runs([]) == [] and runs([False]) == []


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    ticks = nice_ticks(0.0, 3.2)
    assert ticks[0] <= 0 and ticks[-1] >= 3.2
    with pytest.raises(ValueError):
        nice_ticks(0, float("nan"))


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (1234.56, "nl", "1.234,6"),
        (1234.56, "en", "1,234.6"),
        (-0.04, "nl", "0,0"),
        (-3.0, "nl", "\u22123,0"),
        (None, "nl", "–"),
        (float("inf"), "nl", "–"),
    ],
)
def test_numbers(value: float | None, lang: str, expected: str) -> None:
    assert formatting.number(value, 1, lang) == expected


def test_percent_and_dates() -> None:
    assert formatting.percent(0.125, 1) == "12,5\u00a0%"
    assert formatting.percent(0.125, 1, "en") == "12.5%"
    assert formatting.date_short(dt.date(2026, 12, 7)) == "7\u00a0dec.\u00a02026"
    assert formatting.date_long(dt.date(2026, 3, 2), "en") == "2 March 2026"
    assert formatting.week_label(dt.date(2026, 12, 7)) == "week 50 (7\u00a0dec.\u00a02026)"
