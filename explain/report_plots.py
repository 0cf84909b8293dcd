"""The report's plots as PNG bytes (matplotlib, no pyplot state), drawn only from already-suppressed values."""

from __future__ import annotations

import io
import math

import pandas as pd
from matplotlib.figure import Figure

from werkwijzer.i18n import translate
from werkwijzer.teams import team_label

COLORS = {"actual": "#1f4e79", "forecast": "#c55a11", "band": "#f4b183", "bar": "#2e75b6", "ref": "#7f7f7f"}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def intake_plot(intake: pd.DataFrame, lang: str) -> bytes:
    """Per team: actual weekly intake (dots) against the forecast (line) and its 80 % band."""
    teams = sorted(intake["team"].unique())
    cols = 2
    rows = max(1, math.ceil(len(teams) / cols))
    fig = Figure(figsize=(8, 2.2 * rows))
    for i, team in enumerate(teams):
        ax = fig.add_subplot(rows, cols, i + 1)
        d = intake[intake["team"] == team].sort_values("date")
        dates = pd.to_datetime(d["date"])
        ax.fill_between(
            dates, d["lo_80"], d["hi_80"], color=COLORS["band"], alpha=0.5, label=translate("plot.intake.band_80", lang)
        )
        ax.plot(dates, d["mean"], color=COLORS["forecast"], label=translate("plot.intake.forecast", lang))
        ax.plot(dates, d["actual"], "o", ms=3, color=COLORS["actual"], label=translate("plot.intake.actual", lang))
        ax.set_title(team_label(team, lang), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_ylim(bottom=0)
        if i == 0:
            ax.legend(fontsize=7, loc="lower left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return _png(fig)


def line_per_team(frame: pd.DataFrame, x: str, y: str, ylabel: str, lang: str) -> bytes:
    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot(1, 1, 1)
    for team, d in frame.sort_values(x).groupby("team", sort=True):
        ax.plot(pd.to_datetime(d[x]), d[y], label=team_label(str(team), lang))
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def share_bars(shares: pd.DataFrame, xlabel: str, *, reference: tuple[float, ...] = ()) -> bytes:
    """Horizontal bars, one per row (index = label), one colour per column; rows with a gap are left out."""
    shares = shares.dropna()
    fig = Figure(figsize=(8, 0.45 * max(len(shares), 2) + 1.0))
    ax = fig.add_subplot(1, 1, 1)
    left = pd.Series(0.0, index=shares.index)
    palette = ["#2e75b6", "#a9d18e", "#bfbfbf", "#c55a11"]
    for color, column in zip(palette, shares.columns, strict=False):
        ax.barh(shares.index, shares[column], left=left, color=color, label=str(column))
        left = left + shares[column]
    for value in reference:
        ax.axvline(value, color=COLORS["ref"], ls="--", lw=1)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.invert_yaxis()
    if len(shares.columns) > 1:
        ax.legend(fontsize=7, loc="lower right")
    return _png(fig)
