"""Does the advice anchor the caseworker? The control share read as a randomised experiment (ADR 0021).

A random share of cases gets no advice (``settings.control_share``); for those the model's
suggestion is frozen but hidden. Comparing both arms answers what agreement rates alone cannot:
how often does the final decision equal the model's suggestion when the caseworker **saw** it,
and how often when they did **not**? The second rate is how often caseworkers and model agree on
their own; the difference is what seeing the advice adds — the anchoring effect. Because the arm
is drawn at random per case, the difference is causal, not a correlation.

Plain functions on frames (one row per decision, as ``casework.frames.experiment`` reads them):

- :func:`wilson` — Wilson score interval of one proportion.
- :func:`newcombe` — Newcombe's hybrid score interval (method 10, Newcombe 1998) for the
  difference of two independent proportions, built from the two Wilson intervals.
- :func:`anchoring_table` — per scope (model, team, model version, score band, protected group):
  both arms' counts and agreement rates, the effect and its interval. The intervals are
  simultaneous over all scopes of one table (Bonferroni), so that looking in many places does not
  by itself raise an alarm. A scope where either arm has fewer than ``min_cell`` decisions, or
  where an agreement count or its complement is under ``min_cell``, is suppressed.
- :func:`decision_times` — minutes from a case's first opening to its decision, per arm: a
  decision taken much faster when advice is shown hints at rubber-stamping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from models.thresholds import LEVELS, SCOPE_COLUMNS, Finding, Labeler, level_name, thresholds, where_words
from werkwijzer.formatting import number, percent, readable
from werkwijzer.i18n import LANGS, translate
from werkwijzer.privacy import MIN_CELL
from werkwijzer.settings import Settings

ARMS = ("shown", "hidden")
TABLE_COLUMNS = (
    "scope",
    "n_shown",
    "agree_shown",
    "n_hidden",
    "agree_hidden",
    "rate_shown",
    "rate_hidden",
    "effect",
    "effect_low",
    "effect_high",
    "suppressed",
)
TIME_COLUMNS = ("scope", "arm", "n", "median_minutes", "p25_minutes", "p75_minutes", "suppressed")


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of ``successes`` of ``n`` at normal quantile ``z`` (``(nan, nan)`` for n = 0)."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float) -> tuple[float, float, float]:
    """Difference ``x1/n1 - x2/n2`` with Newcombe's hybrid score interval: ``(difference, low, high)``."""
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def z_for(confidence: float, comparisons: int = 1) -> float:
    """The two-sided normal quantile for ``confidence``, Bonferroni-corrected over ``comparisons``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    alpha = (1 - confidence) / max(1, comparisons)
    return float(norm.ppf(1 - alpha / 2))


def _counts(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    shown = (frame["arm"] == "shown").to_numpy(dtype=bool)
    hidden = (frame["arm"] == "hidden").to_numpy(dtype=bool)
    agrees = frame["agrees"].to_numpy(dtype=bool)
    cells = pd.DataFrame(
        {
            "n_shown": shown.astype(int),
            "agree_shown": (shown & agrees).astype(int),
            "n_hidden": hidden.astype(int),
            "agree_hidden": (hidden & agrees).astype(int),
        },
        index=frame.index,
    )
    keys = [frame[c] for c in by]
    return cells.groupby(keys, sort=True, observed=True, dropna=True).sum().reset_index()


def anchoring_table(
    frame: pd.DataFrame,
    scopes: Sequence[Sequence[str]],
    *,
    confidence: float = 0.95,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Agreement with the model's suggestion per arm and scope, the anchoring effect and its interval.

    ``frame`` has one row per decision with ``arm`` ("shown"/"hidden"), ``agrees`` (final class ==
    the model's suggestion, shown or hidden) and the scope columns. ``scopes`` lists the column sets
    to split by, e.g. ``[("model_name",), ("model_name", "team")]``; each output row names its set in
    ``scope`` ("model_name+team") and carries the columns' values. ``effect = rate_shown -
    rate_hidden``; ``effect_low``/``effect_high`` is the Newcombe interval at ``confidence``,
    simultaneous over the table's unsuppressed rows (Bonferroni).
    """
    parts = []
    for by in scopes:
        if frame.empty:
            continue
        counts = _counts(frame, by)
        counts.insert(0, "scope", "+".join(by))
        parts.append(counts)
    if not parts:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    table = pd.concat(parts, ignore_index=True)
    cells = table[["n_shown", "n_hidden", "agree_shown", "agree_hidden"]].to_numpy()
    n_s, n_h, a_s, a_h = cells.T
    table["suppressed"] = (
        (n_s < min_cell) | (n_h < min_cell) | (a_s < min_cell) | (a_h < min_cell) | (n_s - a_s < min_cell)
    ) | (n_h - a_h < min_cell)
    table["suppressed"] = table["suppressed"].astype(bool)
    z = z_for(confidence, int((~table["suppressed"]).sum()))
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate_shown"] = a_s / n_s
        table["rate_hidden"] = a_h / n_h
    arms = zip(a_s, n_s, a_h, n_h, strict=True)
    intervals = [newcombe(int(x1), int(m1), int(x2), int(m2), z) for x1, m1, x2, m2 in arms]
    table["effect"], table["effect_low"], table["effect_high"] = (
        [i[0] for i in intervals],
        [i[1] for i in intervals],
        [i[2] for i in intervals],
    )
    hidden = ["n_shown", "agree_shown", "n_hidden", "agree_hidden", "rate_shown", "rate_hidden"]
    hidden += ["effect", "effect_low", "effect_high"]
    table[hidden] = table[hidden].astype(float)
    table.loc[table["suppressed"], hidden] = math.nan  # no count or rate of a small cell leaves
    scope_columns = [c for c in table.columns if c not in TABLE_COLUMNS]
    return table[["scope", *scope_columns, *TABLE_COLUMNS[1:]]]


def decision_times(frame: pd.DataFrame, by: Sequence[str] = ("model_name",), min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Minutes from first opening to decision per arm and scope: ``n, median, p25, p75``.

    Only decisions whose case was opened first (``minutes_to_decision`` present) count. A cell of
    fewer than ``min_cell`` decisions is suppressed. A shown arm that decides in a fraction of the
    hidden arm's time, with agreement up, is the rubber-stamping signal.
    """
    timed = frame[frame["minutes_to_decision"].notna()]
    if timed.empty:
        return pd.DataFrame(columns=[*by, *TIME_COLUMNS])
    grouped = timed.groupby([*by, "arm"], sort=True, observed=True)["minutes_to_decision"]
    out = grouped.agg(
        n="size",
        median_minutes="median",
        p25_minutes=lambda s: s.quantile(0.25),
        p75_minutes=lambda s: s.quantile(0.75),
    ).reset_index()
    out.insert(0, "scope", "+".join(by))
    out["suppressed"] = out["n"] < min_cell
    out["n"] = out["n"].astype(float)
    out.loc[out["suppressed"], ["n", "median_minutes", "p25_minutes", "p75_minutes"]] = math.nan
    return out[["scope", *by, *TIME_COLUMNS[1:]]]


def anchoring_findings(table: pd.DataFrame, settings: Settings, label: Labeler = readable) -> list[Finding]:
    """Note / warn / stop findings from :func:`anchoring_table` rows (suppressed rows give none).

    A scope reaches a level when its effect is at or above the level's threshold (``anchoring_note``,
    ``anchoring_warn``, ``anchoring_stop``) **and** its interval lies wholly above zero: without
    the second condition chance alone in the small hidden arm would raise alarms.
    """
    threshold = thresholds(settings)["anchoring"]
    found = []
    for _, row in table.iterrows():
        if bool(row["suppressed"]) or pd.isna(row["effect_low"]) or row["effect_low"] <= 0:
            continue
        level = threshold.level(float(row["effect"]))
        if level is None:
            continue
        limit = float(getattr(threshold, level))
        scope = {c: str(row[c]) for c in SCOPE_COLUMNS if c in row.index and not pd.isna(row[c])}
        messages = []
        for lang in LANGS:
            text = translate(
                "finding.anchoring",
                lang,
                value=_points(row["effect"], lang),
                low=_points(row["effect_low"], lang),
                high=_points(row["effect_high"], lang),
                shown=percent(row["rate_shown"], 0, lang),
                hidden=percent(row["rate_hidden"], 0, lang),
                limit=_points(limit, lang),
            )
            where = where_words(scope, lang, label)
            messages.append(f"{level_name(level, lang).capitalize()}: {text}" + (f" ({where})." if where else "."))
        n = int(row["n_shown"] + row["n_hidden"])
        extra = {k: float(row[k]) for k in ("effect_low", "effect_high", "rate_shown", "rate_hidden", "n_hidden")}
        found.append(
            Finding("anchoring", scope, float(row["effect"]), level, limit, messages[0], messages[1], n, extra)
        )
    return sorted(found, key=lambda f: -LEVELS.index(f.level))


def _points(share: float, lang: str) -> str:
    """A difference of shares in percentage points, e.g. ``12`` (the sentence names the unit)."""
    return number(float(share) * 100, 0, lang, signed=False)
