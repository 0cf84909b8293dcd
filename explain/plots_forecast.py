"""The pictures a model owner expects of a forecast run, with Dutch labels (issue 18 item 3).

Backtest error per team and horizon: how far off the published forecast (``auto``) was, as sMAPE,
for each team and each number of periods ahead, averaged over the backtest's cutoffs; with more
than ``MAX_TEAMS`` teams, the ``MAX_TEAMS`` with the largest mean error (every team's figures are in
``backtest_summary.csv``). SHAP drivers
per horizon: how much each driver of the gradient-boosted model moves the forecast, in cases per
period, for each number of periods ahead (``explain.forecast_drivers``).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from explain.figures import finish, pyplot
from werkwijzer.i18n import translate
from werkwijzer.teams import team_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PUBLISHED = "auto"  # the combination that is published as the forecast (ADR 0015)
MAX_TEAMS = 40  # rows of the error picture; a picture of 3,420 teams is neither readable nor quick


def horizon_steps(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """1 for the first period after its cutoff, 2 for the next, ... (rank of ``date`` within ``by``)."""
    return frame.groupby(by)["date"].rank(method="dense").astype(int)


def backtest_error(predictions: pd.DataFrame, model: str = PUBLISHED) -> pd.DataFrame:
    """sMAPE (%) of ``model`` per team (rows) and periods ahead (columns), averaged over cutoffs."""
    part = predictions[predictions["model"] == model].copy()
    if part.empty:
        part = predictions[predictions["model"] == predictions["model"].iloc[0]].copy()
    part["date"] = pd.to_datetime(part["date"])
    part["step"] = horizon_steps(part, ["series_id", "cutoff"])
    actual, mean = part["actual"].to_numpy(dtype=float), part["mean"].to_numpy(dtype=float)
    denominator = np.abs(actual) + np.abs(mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        part["smape"] = np.where(denominator == 0, 0.0, 200 * np.abs(actual - mean) / denominator)
    return part.pivot_table(index="series_id", columns="step", values="smape", aggfunc="mean").sort_index()


def drivers_by_horizon(drivers: pd.DataFrame, lang: str = "nl") -> pd.DataFrame:
    """Mean |contribution| (cases per period) per driver (rows, labelled) and periods ahead (columns)."""
    label = "label_nl" if lang == "nl" else "label_en"
    frame = drivers.groupby(["series_id", "date", label], as_index=False)["contribution"].sum()
    frame["date"] = pd.to_datetime(frame["date"])
    frame["step"] = horizon_steps(frame, ["series_id"])
    frame["size"] = frame["contribution"].abs()
    table = frame.pivot_table(index=label, columns="step", values="size", aggfunc="mean")
    return table.loc[table.mean(axis=1).sort_values(ascending=False).index]


def _heatmap(table: pd.DataFrame, rows: list[str], title: str, colour: str, lang: str) -> Figure:
    plt = pyplot()
    fig, ax = plt.subplots(
        figsize=(min(0.32 * table.shape[1], 14) + 4.5, max(0.38 * len(rows) + 2.0, 3.6)), layout="constrained"
    )
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="Oranges", interpolation="nearest")
    ax.set_yticks(range(len(rows)), rows)
    steps = list(table.columns)
    every = max(1, int(np.ceil(len(steps) / 13)))
    ax.set_xticks(range(0, len(steps), every), [str(s) for s in steps[::every]])
    ax.set_xlabel(translate("plot.review.forecast.horizon", lang))
    ax.set_title("\n".join(textwrap.wrap(title, 60)))
    bar = fig.colorbar(image, ax=ax, aspect=25, pad=0.01)
    bar.set_label("\n".join(textwrap.wrap(colour, 30)))
    return finish(fig, lang)


def backtest_error_figure(predictions: pd.DataFrame, lang: str = "nl", model: str = PUBLISHED) -> Figure:
    table = backtest_error(predictions, model)
    title = translate("plot.review.forecast.error.title", lang, model=model)
    if len(table) > MAX_TEAMS:
        title = translate(
            "plot.review.forecast.error.title_worst", lang, model=model, shown=MAX_TEAMS, teams=len(table)
        )
        table = table.loc[table.mean(axis=1).sort_values(ascending=False, kind="stable").index[:MAX_TEAMS]]
    rows = [team_label(str(s), lang) for s in table.index]
    return _heatmap(table, rows, title, translate("plot.review.forecast.error.colour", lang), lang)


def drivers_by_horizon_figure(drivers: pd.DataFrame, lang: str = "nl") -> Figure:
    table = drivers_by_horizon(drivers, lang)
    title = translate("plot.review.forecast.drivers.title", lang)
    return _heatmap(
        table, [str(r) for r in table.index], title, translate("plot.review.forecast.drivers.colour", lang), lang
    )
