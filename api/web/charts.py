"""Server-rendered SVG charts: pure functions from numbers to an SVG string, no JavaScript.

Why SVG from the server: municipal networks block CDNs and scripts, pages must print, and a
screen reader must be able to tell what a chart says. Every chart therefore is an
``<svg role="img">`` with an ``aria-label``, a ``<title>`` and a ``<desc>`` written by the
caller in plain words, labelled axes, and numbers formatted the Dutch way by
:mod:`werkwijzer.formatting`. The page shows the same numbers in a table next to the chart
(WCAG 1.1.1), so the chart never has to carry information on its own.

The functions know nothing of services or requests: the caller passes the points and the
texts (from the i18n catalogue), so the same numbers render identically in tests, pages and
benchmarks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from werkwijzer.formatting import day_month, number

WIDTH, HEIGHT = 760, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 40, 36, 56
INK = "#1a1a1a"
GRID = "#d0d0d0"
HISTORY = "#3d3d3d"
FORECAST = "#154273"  # Rijkshuisstijl dark blue: 10:1 on white
BAND_80 = "#8fb8de"
BAND_95 = "#cfe0f1"
AVAILABLE = "#8a4b08"  # brown: tells apart from the blue without relying on hue alone (dashed)
RISK = "#b8261b"
RISK_FILL = "#f7d9d6"
UP = "#b8261b"
DOWN = "#1f6b36"


class Point(NamedTuple):
    day: dt.date
    value: float | None


class BandPoint(NamedTuple):
    """A forecast point: the mean and the 80 % and 95 % intervals."""

    day: dt.date
    mean: float
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float


@dataclass(frozen=True)
class ChartText:
    """Everything a chart says in words; ``legend`` maps a series key to its label."""

    title: str
    desc: str
    x_axis: str
    y_axis: str
    legend: Mapping[str, str] = field(default_factory=dict)


# -- scales and ticks ----------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``low``..``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"tick range must be finite, got {low}..{high}")
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


@dataclass(frozen=True)
class _Frame:
    """Maps dates and values to pixel positions inside the plot area."""

    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, day: dt.date) -> float:
        span = self.x1 - self.x0 or 1
        return MARGIN_LEFT + (day.toordinal() - self.x0) / span * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)

    def y(self, value: float) -> float:
        span = self.y1 - self.y0 or 1
        return HEIGHT - MARGIN_BOTTOM - (value - self.y0) / span * (HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)


def _frame(days: Sequence[dt.date], values: Sequence[float]) -> tuple[_Frame, list[float]]:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    ticks = nice_ticks(min(0.0, *finite) if finite else 0.0, max(finite) if finite else 1.0)
    ordinals = [d.toordinal() for d in days] or [dt.date.today().toordinal()]
    return _Frame(min(ordinals), max(ordinals), ticks[0], ticks[-1]), ticks


def _date_ticks(days: Sequence[dt.date], count: int = 7) -> list[dt.date]:
    """At most ``count`` dates at an even step, so tick spacing is regular."""
    step = max(1, math.ceil((len(days) - 1) / max(count - 1, 1)))
    return list(days[::step])


def runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """(first, last) index of each stretch of consecutive true flags: ``[F, T, T, F, T]`` -> ``[(1, 2), (4, 4)]``."""
    out: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


# -- SVG pieces ----------------------------------------------------------------------------


def _f(value: float) -> str:
    return f"{value:.1f}"


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_f(x)},{_f(y)}" for i, (x, y) in enumerate(points))


def _segments(frame: _Frame, points: Sequence[Point]) -> list[list[tuple[float, float]]]:
    """A line broken where a value is missing, so a gap is never drawn as a straight bridge."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p.value is None or not math.isfinite(p.value):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((frame.x(p.day), frame.y(p.value)))
    return [r for r in runs if r]


def _area(frame: _Frame, days: Sequence[dt.date], low: Sequence[float], high: Sequence[float]) -> str:
    upper = [(frame.x(d), frame.y(h)) for d, h in zip(days, high, strict=True)]
    lower = [(frame.x(d), frame.y(lo)) for d, lo in zip(reversed(days), reversed(low), strict=True)]
    return _path(upper + lower) + " Z"


def _bands(frame: _Frame, points: Sequence[BandPoint], opacity: float = 1.0) -> list[str]:
    """The 95 % band, then the 80 % band on top of it."""
    days = [p.day for p in points]
    out = []
    for name, color, low, high in (("band-95", BAND_95, "lo_95", "hi_95"), ("band-80", BAND_80, "lo_80", "hi_80")):
        shape = _area(frame, days, [getattr(p, low) for p in points], [getattr(p, high) for p in points])
        out.append(f'<path class="{name}" d="{shape}" fill="{color}" stroke="none" fill-opacity="{opacity}"/>')
    return out


def _open(text: ChartText, chart_id: str) -> list[str]:
    title, desc = escape(text.title), escape(text.desc)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-label="{title}" aria-describedby="{escape(chart_id)}-desc" '
        f'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{escape(chart_id)}-title">{title}</title>',
        f'<desc id="{escape(chart_id)}-desc">{desc}</desc>',
    ]


def _axes(
    frame: _Frame, ticks: Sequence[float], days: Sequence[dt.date], text: ChartText, lang: str, decimals: int
) -> list[str]:
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    bottom = HEIGHT - MARGIN_BOTTOM
    out = ['<g class="axes" aria-hidden="true">']
    for tick in ticks:
        y = _f(frame.y(tick))
        out.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
        out.append(
            f'<text x="{left - 6}" y="{y}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{INK}">{escape(number(tick, decimals, lang))}</text>'
        )
    shown_year: int | None = None
    for day in _date_ticks(days):
        x = _f(frame.x(day))
        label = day_month(day, lang)
        out.append(f'<line x1="{x}" x2="{x}" y1="{bottom}" y2="{bottom + 5}" stroke="{INK}"/>')
        out.append(f'<text x="{x}" y="{bottom + 18}" text-anchor="middle" fill="{INK}">{escape(label)}</text>')
        if day.year != shown_year:
            out.append(f'<text x="{x}" y="{bottom + 33}" text-anchor="middle" fill="{INK}">{day.year}</text>')
            shown_year = day.year
    out.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{INK}"/>')
    out.append(
        f'<text x="{(left + right) / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" fill="{INK}" '
        f'class="axis-label">{escape(text.x_axis)}</text>'
    )
    out.append(
        f'<text x="14" y="{(MARGIN_TOP + bottom) / 2:.1f}" text-anchor="middle" fill="{INK}" '
        f'class="axis-label" transform="rotate(-90 14 {(MARGIN_TOP + bottom) / 2:.1f})">'
        f"{escape(text.y_axis)}</text>"
    )
    out.append("</g>")
    return out


def _legend(items: Sequence[tuple[str, str, str]]) -> list[str]:
    """Swatches above the plot; kind is ``line``, ``dash`` or ``box``."""
    out = ['<g class="legend" aria-hidden="true">']
    x = float(MARGIN_LEFT)
    for label, color, kind in items:
        if kind == "box":
            out.append(
                f'<rect x="{_f(x)}" y="10" width="18" height="12" fill="{color}" stroke="{INK}" stroke-width="0.5"/>'
            )
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            out.append(
                f'<line x1="{_f(x)}" x2="{_f(x + 18)}" y1="16" y2="16" stroke="{color}" stroke-width="3"{dash}/>'
            )
        out.append(f'<text x="{_f(x + 24)}" y="16" dominant-baseline="middle" fill="{INK}">{escape(label)}</text>')
        x += 24 + 7.2 * len(label) + 18
    out.append("</g>")
    return out


# -- charts --------------------------------------------------------------------------------


def forecast_chart(
    history: Sequence[Point],
    forecast: Sequence[BandPoint],
    text: ChartText,
    *,
    chart_id: str,
    lang: str = "nl",
    decimals: int = 0,
) -> str:
    """Intake history as a grey line, the forecast as a blue line in its 95 % and 80 % bands.

    ``text.legend`` keys: ``history``, ``forecast``, ``band_80``, ``band_95``.
    """
    days = sorted({p.day for p in history} | {p.day for p in forecast})
    values = (
        [p.value for p in history if p.value is not None] + [p.hi_95 for p in forecast] + [p.lo_95 for p in forecast]
    )
    frame, ticks = _frame(days, values)
    out = _open(text, chart_id)
    out += _axes(frame, ticks, days, text, lang, decimals)
    if forecast:
        out += _bands(frame, forecast)
        mean = [Point(p.day, p.mean) for p in forecast]
        if history and history[-1].value is not None:
            mean.insert(0, history[-1])  # the forecast continues from the last observed week
        for run in _segments(frame, mean):
            out.append(f'<path class="forecast" d="{_path(run)}" fill="none" stroke="{FORECAST}" stroke-width="2.5"/>')
    for run in _segments(frame, history):
        out.append(f'<path class="history" d="{_path(run)}" fill="none" stroke="{HISTORY}" stroke-width="1.5"/>')
    legend = text.legend
    out += _legend(
        [
            (legend.get("history", "history"), HISTORY, "line"),
            (legend.get("forecast", "forecast"), FORECAST, "line"),
            (legend.get("band_80", "80 %"), BAND_80, "box"),
            (legend.get("band_95", "95 %"), BAND_95, "box"),
        ]
    )
    out.append("</svg>")
    return "\n".join(out)


def capacity_chart(
    needed: Sequence[BandPoint],
    available: Sequence[float],
    at_risk: Sequence[bool],
    text: ChartText,
    *,
    chart_id: str,
    lang: str = "nl",
    decimals: int = 1,
) -> str:
    """FTE needed (line with 80 % and 95 % bands) against FTE available (dashed), per week.

    Weeks at risk of breaching the statutory term get a red background column, so they stand
    out; the page names them in text as well. ``text.legend`` keys: ``needed``, ``available``,
    ``band_80``, ``band_95``, ``risk``.
    """
    if not (len(needed) == len(available) == len(at_risk)):
        raise ValueError(
            f"capacity_chart needs one value per week: {len(needed)} weeks, "
            f"{len(available)} available, {len(at_risk)} risk flags"
        )
    days = [p.day for p in needed]
    frame, ticks = _frame(days, [p.hi_95 for p in needed] + list(available))
    out = _open(text, chart_id)
    half = (frame.x(days[1]) - frame.x(days[0])) / 2 if len(days) > 1 else 10.0
    for first, last in runs(at_risk):  # one column per stretch of weeks, no seams between weeks
        left = max(frame.x(days[first]) - half, MARGIN_LEFT)
        right = min(frame.x(days[last]) + half, WIDTH - MARGIN_RIGHT)
        out.append(
            f'<rect class="risk" x="{_f(left)}" y="{MARGIN_TOP}" width="{_f(right - left)}" '
            f'height="{HEIGHT - MARGIN_TOP - MARGIN_BOTTOM}" fill="{RISK_FILL}"/>'
        )
    out += _axes(frame, ticks, days, text, lang, decimals)
    if needed:
        out += _bands(frame, needed, opacity=0.8)
        mean = _path([(frame.x(p.day), frame.y(p.mean)) for p in needed])
        out.append(f'<path class="needed" d="{mean}" fill="none" stroke="{FORECAST}" stroke-width="2.5"/>')
        staff = _path([(frame.x(d), frame.y(a)) for d, a in zip(days, available, strict=True)])
        out.append(
            f'<path class="available" d="{staff}" fill="none" stroke="{AVAILABLE}" stroke-width="2.5" '
            f'stroke-dasharray="6 4"/>'
        )
    legend = text.legend
    items = [
        (legend.get("needed", "needed"), FORECAST, "line"),
        (legend.get("available", "available"), AVAILABLE, "dash"),
        (legend.get("band_80", "80 %"), BAND_80, "box"),
        (legend.get("band_95", "95 %"), BAND_95, "box"),
    ]
    if any(at_risk):
        items.append((legend.get("risk", "risk"), RISK_FILL, "box"))
    out += _legend(items)
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    items: Sequence[tuple[str, float]], text: ChartText, *, chart_id: str, value_label: Callable[[float], str]
) -> str:
    """Horizontal bars around zero, one per labelled value: contributions that push up or down.

    Direction is shown three ways (side of the zero line, colour, and the signed value printed
    at the bar), so it never depends on colour alone (WCAG 1.4.1). ``text.x_axis`` names the
    quantity above the bars; ``text.legend`` keys ``down`` and ``up`` label the two sides.
    """
    row, label_width, value_width = 28, 260, 90
    height = MARGIN_TOP + row * max(len(items), 1) + 36
    limit = max((abs(v) for _, v in items), default=1.0) or 1.0
    plot_left, plot_right = label_width, WIDTH - value_width
    zero = (plot_left + plot_right) / 2
    scale = (plot_right - plot_left) / 2 / limit
    title, desc = escape(text.title), escape(text.desc)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{title}" '
        f'aria-describedby="{escape(chart_id)}-desc" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{escape(chart_id)}-title">{title}</title>',
        f'<desc id="{escape(chart_id)}-desc">{desc}</desc>',
        f'<text x="{zero:.1f}" y="20" text-anchor="middle" fill="{INK}" class="axis-label">'
        f"{escape(text.x_axis)}</text>",
    ]
    for i, (label, value) in enumerate(items):
        y = MARGIN_TOP + i * row
        width = abs(value) * scale
        x = zero if value >= 0 else zero - width
        color = UP if value >= 0 else DOWN
        out.append(
            f'<text x="{label_width - 8}" y="{y + row / 2:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        out.append(
            f'<rect class="bar {"up" if value >= 0 else "down"}" x="{_f(x)}" y="{y + 5}" '
            f'width="{_f(max(width, 1.0))}" height="{row - 10}" fill="{color}"/>'
        )
        anchor, at = ("start", x + width + 6) if value >= 0 else ("end", x - 6)
        out.append(
            f'<text x="{_f(at)}" y="{y + row / 2:.1f}" text-anchor="{anchor}" dominant-baseline="middle" '
            f'fill="{INK}">{escape(value_label(value))}</text>'
        )
    bottom = MARGIN_TOP + row * max(len(items), 1)
    out.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{MARGIN_TOP - 4}" y2="{bottom + 4}" stroke="{INK}"/>')
    for key, anchor, at in (("down", "end", zero - 8), ("up", "start", zero + 8)):
        if key in text.legend:
            out.append(
                f'<text x="{at:.1f}" y="{bottom + 22}" text-anchor="{anchor}" fill="{INK}" '
                f'class="axis-label">{escape(text.legend[key])}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)
