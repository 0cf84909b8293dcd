"""The pictures a model owner expects of a triage run, with Dutch labels (issue 18 item 3).

SHAP: a beeswarm per explained class (every test case a dot: how far each feature pushed it, coloured
by the feature's value), dependence plots for the top features and waterfall plots for typical cases
(per class, the case whose probability of that class is the median among the cases advised so).
Fairness: the ratio of a priority metric to the reference group per group, with its 95 % interval and
the accepted band shaded; groups with a small cell are not drawn but marked, as in every export.
Calibration per group: predicted against observed per protected group, bins under the small-cell
minimum left out. SHAP values are in the model's raw output space (log-odds), as ``explain.case``
computes them; for two classes they explain the second class and the first reads them negated.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from explain.case import CaseExplainer
from explain.fairness import metric_name, ratio_interval
from explain.figures import BAND, BLUE, GREY, RED, finish, pyplot
from werkwijzer.formatting import feature_value, number, percent, readable
from werkwijzer.i18n import translate, translate_plural
from werkwijzer.privacy import MIN_CELL, suppress_small_cells
from werkwijzer.vocabulary import FALSE_WORDS, TRUE_WORDS, is_true_word

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RATIO_LIMITS = (0.25, 4.0)


@dataclass(frozen=True)
class ShapSample:
    """SHAP contributions of a sample of test cases: ``values`` (n, features, k) and ``base`` (n, k) in
    log-odds, the cases' feature values ``X``, the features' Dutch ``labels`` and ``kinds``, the
    model's ``classes`` and its probabilities ``proba`` (n, classes). k is 1 for two classes."""

    values: np.ndarray
    base: np.ndarray
    X: pd.DataFrame
    labels: list[str]
    kinds: list[str]
    classes: list[str]
    proba: np.ndarray

    @classmethod
    def of(cls, explainer: CaseExplainer, X: pd.DataFrame) -> ShapSample:
        """The contributions ``explainer`` gives for the cases ``X`` (one SHAP call), with their context."""
        base, values = explainer.explain(X)
        kinds = {f["name"]: f.get("kind", "numeric") for f in explainer.schema.get("features", [])}
        return cls(
            values=values,
            base=base,
            X=X[explainer.features].reset_index(drop=True),
            labels=[explainer.labels.get(f, (f, f))[0] for f in explainer.features],
            kinds=[kinds.get(f, "numeric") for f in explainer.features],
            classes=[str(c) for c in explainer.model.classes_],
            proba=explainer.model.predict_proba(X[explainer.features]),
        )

    def explained(self) -> list[str]:
        """The class each of the k columns of ``values`` explains."""
        return self.classes[1:] if self.values.shape[2] == 1 else list(self.classes)

    def for_class(self, cls: str) -> tuple[np.ndarray, np.ndarray]:
        """Contributions (n, features) and base values (n,) for the log-odds of ``cls``."""
        if self.values.shape[2] == 1:
            sign = 1.0 if cls == self.classes[1] else -1.0
            return sign * self.values[:, :, 0], sign * self.base[:, 0]
        k = self.classes.index(cls)
        return self.values[:, :, k], self.base[:, k]

    def order(self) -> np.ndarray:
        """Features by mean |contribution| over cases and classes, most important first."""
        return np.argsort(-np.abs(self.values).mean(axis=(0, 2)), kind="stable")


def _wrap(text: str, width: int = 70) -> str:
    return "\n".join(textwrap.wrap(text, width))


def title(fig: Figure, text: str) -> None:
    """A figure title wrapped to the figure's width (about 10 characters an inch at 12 points)."""
    fig.suptitle(_wrap(text, max(30, int(fig.get_figwidth() * 10))))


def _colour_values(column: pd.Series, kind: str) -> np.ndarray:
    """A feature's values as 0..1 for the colour scale (rank for numbers); NaN (grey) for a category."""
    if kind == "boolean":
        known = column.notna() & column.astype("string").str.strip().str.lower().isin([*TRUE_WORDS, *FALSE_WORDS])
        return np.where(known, column.map(is_true_word).astype(float), np.nan)
    if kind == "numeric":
        return pd.to_numeric(column, errors="coerce").rank(pct=True).to_numpy(dtype=float)
    return np.full(len(column), np.nan)


def _swarm(x: np.ndarray, width: float = 0.4, bins: int = 60) -> np.ndarray:
    """Vertical offsets that pile dots with nearly the same x beside each other (a beeswarm)."""
    if len(x) == 0:
        return np.zeros(0)
    span = float(np.ptp(x)) or 1.0
    cell = np.round((x - x.min()) / span * bins).astype(int)
    offsets = np.zeros(len(x))
    for value in np.unique(cell):
        idx = np.flatnonzero(cell == value)
        k = np.arange(len(idx))
        offsets[idx] = np.where(k % 2 == 0, k // 2, -(k // 2 + 1))
    return offsets * width / max(float(np.abs(offsets).max()), 1.0)


def beeswarm_figure(sample: ShapSample, cls: str, lang: str = "nl", top: int = 10) -> Figure:
    """Every case a dot per feature: its SHAP contribution to the log-odds of ``cls``, coloured by value."""
    plt = pyplot()
    values, _ = sample.for_class(cls)
    order = sample.order()[:top][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(order) + 1.8), layout="constrained")
    cmap = plt.get_cmap("coolwarm")
    scatter = None
    for row, f in enumerate(order):
        colour = _colour_values(sample.X.iloc[:, f], sample.kinds[f])
        y = row + _swarm(values[:, f])
        grey = np.isnan(colour)
        ax.scatter(values[grey, f], y[grey], s=6, color="#b0b0b0", linewidths=0)
        scatter = ax.scatter(values[~grey, f], y[~grey], s=6, c=colour[~grey], cmap=cmap, vmin=0, vmax=1, linewidths=0)
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_yticks(range(len(order)), [sample.labels[f] for f in order])
    ax.set_xlabel(translate("plot.review.shap_axis", lang, cls=cls))
    title(fig, translate("plot.review.beeswarm.title", lang, cls=cls))
    if scatter is not None:
        bar = fig.colorbar(scatter, ax=ax, ticks=[0, 1], aspect=30, pad=0.01)
        bar.ax.set_yticklabels([translate("plot.review.value_low", lang), translate("plot.review.value_high", lang)])
        bar.set_label(translate("plot.review.value", lang))
    return finish(fig, lang)


def dependence_figure(sample: ShapSample, feature: int, lang: str = "nl") -> Figure:
    """The contribution of one feature against its value, one panel per explained class."""
    plt = pyplot()
    explained = sample.explained()
    fig, axes = plt.subplots(
        1,
        len(explained),
        figsize=(max(3.6 * len(explained) + 1, 6.0), 3.6),
        layout="constrained",
        sharey=True,
        squeeze=False,
    )
    column = sample.X.iloc[:, feature]
    numeric = sample.kinds[feature] == "numeric"
    if numeric:
        x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        ticks: list[str] = []
    else:
        names = sorted(column.astype("string").fillna("–").unique().tolist())
        ticks = [feature_value(_plain(v), lang) for v in names]
        rng = np.random.default_rng(0)
        x = column.astype("string").fillna("–").map(names.index).to_numpy(dtype=float)
        x = x + rng.uniform(-0.2, 0.2, len(x))
    for ax, cls in zip(axes[0], explained, strict=True):
        values, _ = sample.for_class(cls)
        ax.scatter(x, values[:, feature], s=7, color=BLUE, alpha=0.6, linewidths=0)
        ax.axhline(0, color=GREY, lw=0.8)
        ax.set_title(translate("plot.review.class", lang, cls=cls))
        ax.set_xlabel(_wrap(sample.labels[feature], 40))
        if not numeric:
            ax.set_xticks(range(len(ticks)), ticks, rotation=30 if len(ticks) > 3 else 0, ha="right")
    axes[0][0].set_ylabel(translate("plot.review.contribution", lang))
    title(fig, translate("plot.review.dependence.title", lang, feature=sample.labels[feature]))
    return finish(fig, lang)


def _plain(value: object) -> bool | int | float | str | None:
    """A value as :func:`werkwijzer.formatting.feature_value` reads it ('true' from a file is ja, a numpy
    true/false or number as the Python one)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value if isinstance(value, bool | int | float | str) else None


def typical_cases(sample: ShapSample) -> list[tuple[int, str]]:
    """Per class, the case whose probability of that class is the median among the cases advised that
    class (the case a caseworker most often sees for it); classes nobody is advised are left out."""
    advised = np.asarray(sample.classes, dtype=object)[np.argmax(sample.proba, axis=1)]
    out = []
    for k, cls in enumerate(sample.classes):
        rows = np.flatnonzero(advised == cls)
        if len(rows):
            p = sample.proba[rows, k]
            out.append((int(rows[np.argsort(p, kind="stable")[len(rows) // 2]]), cls))
    return out


def waterfall_figure(sample: ShapSample, row: int, cls: str, lang: str = "nl", top: int = 8) -> Figure:
    """From the average log-odds of ``cls`` to this case's, one bar per feature (the rest in one bar)."""
    plt = pyplot()
    values, base = sample.for_class(cls)
    contrib = values[row]
    order = np.argsort(-np.abs(contrib), kind="stable")
    shown, rest = order[:top], order[top:]
    steps = [
        (float(contrib[f]), f"{sample.labels[f]} = {feature_value(_plain(sample.X.iloc[row, f]), lang)}") for f in shown
    ]
    if len(rest):
        steps.append((float(contrib[rest].sum()), translate_plural("plot.review.waterfall.rest", len(rest), lang)))
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(steps) + 1.9), layout="constrained")
    start = float(base[row])
    labels = []
    for i, (value, label) in enumerate(reversed(steps)):  # the largest on top
        left = start + sum(v for v, _ in steps[: len(steps) - 1 - i])
        ax.barh(i, value, left=left, color=RED if value > 0 else BLUE, height=0.6)
        labels.append(f"{label}  ({number(value, 2, lang, signed=True)})")
    ax.set_yticks(range(len(steps)), labels)
    ax.axvline(start, color=GREY, lw=0.8, ls="--")
    ax.axvline(start + sum(v for v, _ in steps), color="black", lw=0.8)
    ends = start + np.concatenate([[0.0], np.cumsum([v for v, _ in steps])])
    pad = 0.08 * (float(np.ptp(ends)) or 1.0)
    ax.set_xlim(float(ends.min()) - pad, float(ends.max()) + pad)
    k = sample.classes.index(cls)
    title(fig, translate("plot.review.waterfall.title", lang, cls=cls, p=percent(float(sample.proba[row, k]), 0, lang)))
    fig.supxlabel(
        _wrap(
            translate(
                "plot.review.waterfall.axis",
                lang,
                cls=cls,
                base=number(start, 2, lang),
                value=number(start + float(contrib.sum()), 2, lang),
            ),
            100,
        ),
        fontsize=10,
    )
    return finish(fig, lang)


def _group_label(row: pd.Series, lang: str) -> str:
    label = f"{readable(str(row['attribute']), lang)}: {row['group']}"
    return translate("plot.review.fairness.reference", lang, group=label) if row["group"] == row["reference"] else label


def fairness_figure(
    table: pd.DataFrame,
    metric: str = "fpr",
    *,
    low: float = 0.8,
    high: float = 1.25,
    min_cell: int = MIN_CELL,
    lang: str = "nl",
) -> Figure:
    """Per class a panel: each group's ratio of ``metric`` to its reference with the 95 % interval, the
    accepted band ``[low, high]`` shaded; a group with a small cell is marked, not drawn."""
    plt = pyplot()
    full = table.reset_index(drop=True)
    if "class" not in full.columns:
        full = full.assign(**{"class": ""})
    hidden = suppress_small_cells(full, min_cell)["suppressed"].to_numpy(dtype=bool)
    interval = ratio_interval(full, metric)
    classes = list(dict.fromkeys(full["class"].astype(str)))
    first = full[full["class"].astype(str) == classes[0]]
    names = [_group_label(r, lang) for _, r in first.iterrows()]
    fig, axes = plt.subplots(
        1,
        len(classes),
        figsize=(2.9 * len(classes) + 3.2, 0.33 * len(names) + 2.4),
        layout="constrained",
        sharey=True,
        squeeze=False,
    )
    for ax, cls in zip(axes[0], classes, strict=True):
        ax.axvspan(low, high, color=BAND, zorder=0)
        ax.axvline(1.0, color=GREY, lw=0.8)
        rows = np.flatnonzero(full["class"].astype(str) == cls)
        for y, i in enumerate(rows):
            if hidden[i] or not np.isfinite(interval.loc[i, "ratio"]):
                ax.plot([1.0], [y], marker="x", color=GREY, ls="none")
                continue
            r, lo, hi = (float(np.clip(interval.loc[i, c], *RATIO_LIMITS)) for c in ("ratio", "low", "high"))
            outside = not low <= float(interval.loc[i, "ratio"]) <= high
            ax.errorbar([r], [y], xerr=[[r - lo], [hi - r]], fmt="o", color=RED if outside else BLUE, ms=4, capsize=2)
        ax.set_xscale("log")
        ax.set_xlim(*RATIO_LIMITS)
        ax.set_xticks(
            [0.25, 0.5, low, 1.0, high, 2.0, 4.0],
            ["0,25", "0,5", number(low, 2, lang), "1", number(high, 2, lang), "2", "4"],
        )
        ax.minorticks_off()
        ax.tick_params(axis="x", labelsize=7)
        if cls:
            ax.set_title(translate("plot.review.class", lang, cls=cls))
        ax.set_ylim(len(rows) - 0.5, -0.5)
    axes[0][0].set_yticks(range(len(names)), names)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(
            color=BAND,
            label=translate("plot.review.fairness.band", lang, low=number(low, 2, lang), high=number(high, 2, lang)),
        ),
        Line2D([], [], marker="o", color=BLUE, ls="none", label=translate("plot.review.fairness.interval", lang)),
        Line2D(
            [],
            [],
            marker="x",
            color=GREY,
            ls="none",
            label=translate("plot.review.fairness.suppressed", lang, n=min_cell),
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=1, fontsize=8, frameon=False)
    title(fig, translate("plot.review.fairness.title", lang, metric=metric_name(metric, lang)))
    return finish(fig, lang)


def calibration_figure(
    y: np.ndarray,
    proba: np.ndarray,
    classes: list[str],
    groups: pd.DataFrame,
    *,
    min_cell: int = MIN_CELL,
    bins: int = 5,
    lang: str = "nl",
) -> Figure:
    """Predicted probability against the observed share, per protected group (a panel per attribute and
    explained class); a bin with fewer than ``min_cell`` cases of a group is left out."""
    plt = pyplot()
    truth = np.asarray(y, dtype=object).astype(str)
    explained = classes[1:] if len(classes) == 2 else list(classes)
    attributes = list(groups.columns)
    fig, axes = plt.subplots(
        len(explained),
        len(attributes),
        figsize=(3.3 * len(attributes) + 0.6, 3.0 * len(explained) + 1.2),
        layout="constrained",
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    edges = np.linspace(0, 1, bins + 1)
    for r, cls in enumerate(explained):
        k = classes.index(cls)
        which = np.clip(np.digitize(proba[:, k], edges[1:-1]), 0, bins - 1)
        for c, attribute in enumerate(attributes):
            ax = axes[r][c]
            ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=0.8)
            values = groups[attribute].astype("string").fillna("–").to_numpy(dtype=object)
            for group in sorted(set(values), key=str):
                points = [
                    (proba[m, k].mean(), (truth[m] == cls).mean())
                    for b in range(bins)
                    if (m := (values == group) & (which == b)).sum() >= min_cell
                ]
                if points:
                    px, py = zip(*points, strict=True)
                    ax.plot(px, py, marker="o", ms=3, lw=1, label=str(group))
            if r == 0:
                ax.set_title(readable(attribute, lang), fontsize=10)
                ax.legend(fontsize=7, loc="upper left", frameon=False)
            if c == 0:
                ax.set_ylabel(_wrap(translate("plot.review.calibration.y", lang, cls=cls), 30), fontsize=9)
            if r == len(explained) - 1:
                ax.set_xlabel(translate("plot.review.calibration.x", lang), fontsize=9)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
    title(fig, translate("plot.review.calibration.title", lang, n=min_cell))
    return finish(fig, lang)
