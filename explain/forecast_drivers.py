"""Why a forecast is what it is: SHAP drivers of the gradient-boosted model, components of the
statistical models, and the plots a team lead reads.

The gradient-boosted model predicts the count divided by the series' scale; SHAP values are
computed in that space (base value + SHAP values = the model's raw output) and multiplied by
the scale, so each driver reads as "this many more or fewer cases". Features are grouped into
drivers with Dutch labels first (seizoen, feestdag, schoolvakantie, recent niveau, trend ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.forecast.gbm import GlobalGBMForecaster
from werkwijzer.i18n import translate
from werkwijzer.teams import team_label

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw
    from matplotlib.figure import Figure

DRIVERS: dict[str, tuple[str, str]] = {
    "seizoen": ("seizoen (week-, jaarpatroon)", "season (weekly and yearly pattern)"),
    "feestdag": ("feestdagen en kerst", "public holidays and Christmas"),
    "schoolvakantie": ("schoolvakantie", "school holidays"),
    "recent_niveau": ("recent niveau", "recent level"),
    "trend": ("trend", "trend"),
    "werkdagen": ("aantal werkdagen", "number of working days"),
    "vooruitblik": ("hoe ver vooruit", "steps ahead"),
    "omvang": ("omvang van de reeks", "size of the series"),
}
FEATURE_DRIVER = {
    "step": "vooruitblik",
    "log_scale": "omvang",
    "recent_short": "recent_niveau",
    "last_value": "recent_niveau",
    "volatility": "recent_niveau",
    "trend": "trend",
    "season_lag": "seizoen",
    "weekday_mean": "seizoen",
    "year_lag": "seizoen",
    "year_lag_mean": "seizoen",
    "weekday": "seizoen",
    "month": "seizoen",
    "public_holiday": "feestdag",
    "christmas": "feestdag",
    "new_year_eve": "feestdag",
    "new_year": "feestdag",
    "lag_public_holiday": "feestdag",
    "school_holiday": "schoolvakantie",
    "workdays": "werkdagen",
}


DRIVER_COLUMNS = [
    "series_id",
    "date",
    "feature",
    "driver",
    "feature_value",
    "shap_value",
    "contribution",
    "base_value",
    "label_nl",
    "label_en",
]


def driver_of(feature: str) -> str:
    return "seizoen" if feature.startswith("year_") and feature not in FEATURE_DRIVER else FEATURE_DRIVER[feature]


def gbm_shap(model: GlobalGBMForecaster, horizon: int | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """SHAP values of every forecast row, long: one row per series, date and feature."""
    import shap

    if model.model_ is None:  # too short a history: the model fell back to the seasonal naive
        return pd.DataFrame(columns=DRIVER_COLUMNS), {}
    X, scale, s_idx, dates = model.future_rows(int(horizon or model.horizon))
    explainer = shap.TreeExplainer(model.model_)
    values = np.asarray(explainer.shap_values(X))
    base = float(np.ravel(explainer.expected_value)[0])
    steps = model.panel_.rows(np.array([model.panel_.T]), np.arange(1, len(X) // max(len(set(s_idx)), 1) + 1))
    dates = model.panel_.dates[model.panel_.T + steps[0]["step"].to_numpy(dtype=int)]
    sids = np.asarray(model.panel_.series_ids)[s_idx]
    n, k = values.shape
    features = np.tile(np.asarray(X.columns), n)
    long = pd.DataFrame(
        {
            "series_id": np.repeat(sids, k),
            "date": np.repeat(dates, k),
            "feature": features,
            "driver": [driver_of(f) for f in features],
            "feature_value": X.to_numpy(dtype=float).ravel(),
            "shap_value": values.ravel(),
            "contribution": (values * scale[:, None]).ravel(),
            "base_value": np.repeat(base * scale, k),
        }
    )
    long["label_nl"] = long["driver"].map(lambda d: DRIVERS[d][0])
    long["label_en"] = long["driver"].map(lambda d: DRIVERS[d][1])
    raw = {"values": values, "base": base, "X": X, "scale": scale, "series_id": sids}
    return long, raw


def by_driver(drivers: pd.DataFrame) -> pd.DataFrame:
    """Contributions summed per series, date and driver, with the labels."""
    out = drivers.groupby(["series_id", "date", "driver", "label_nl", "label_en"], as_index=False)["contribution"].sum()
    return out.sort_values(["series_id", "date", "driver"]).reset_index(drop=True)


def statistical_components(models: dict[str, Any]) -> pd.DataFrame:
    """Level, trend and season of ETS series and the GLM's regressor terms (log scale) at the
    first forecast period: the components that explain the statistical forecasts."""
    rows = []
    ets = models.get("ets")
    if ets is not None:
        comp = ets.components().melt(id_vars="series_id", var_name="component", value_name="value")
        rows.append(comp.assign(model="ets", scale="sqrt"))
    glm = models.get("glm")
    if glm is not None:
        from models.forecast.frequency import future

        first = future(glm.last_date_, 1, glm.freq)
        for sid in glm.series_ids_:
            terms = glm.contributions(sid, first).iloc[0]
            rows.append(
                pd.DataFrame(
                    {
                        "series_id": sid,
                        "component": terms.index,
                        "value": terms.to_numpy(),
                        "model": "glm",
                        "scale": "log",
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=["series_id", "model", "component", "value", "scale"])
    return pd.concat(rows, ignore_index=True)[["series_id", "model", "component", "value", "scale"]]


def shap_summary_figure(drivers: pd.DataFrame, lang: str = "nl") -> Figure:
    """Bar chart: mean absolute contribution (cases per period) of each driver, over all series."""
    import matplotlib.pyplot as plt

    label = "label_nl" if lang == "nl" else "label_en"
    per_row = drivers.groupby(["series_id", "date", label])["contribution"].sum().abs()
    mean = per_row.groupby(level=label).mean().sort_values()
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(mean) + 1.5))
    ax.barh(mean.index, mean.to_numpy(), color="#1f6fb2")
    ax.set_xlabel(translate("plot.drivers.axis", lang))
    ax.set_title(translate("plot.drivers.title", lang))
    fig.tight_layout()
    return fig


def team_figure(history: pd.DataFrame, forecast: pd.DataFrame, series_id: str, lang: str = "nl") -> Figure:
    """History, forecast and its 80 % and 95 % bands for one team."""
    import matplotlib.pyplot as plt

    past = history[history["series_id"] == series_id].tail(156)
    ahead = forecast[forecast["series_id"] == series_id]
    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(
        past["date"],
        past["value"],
        color="#444444",
        lw=1,
        label=translate("plot.team.actual", lang),
    )
    ax.fill_between(
        ahead["date"],
        ahead["lo_95"],
        ahead["hi_95"],
        color="#1f6fb2",
        alpha=0.15,
        label="95 %-interval",
    )
    ax.fill_between(
        ahead["date"],
        ahead["lo_80"],
        ahead["hi_80"],
        color="#1f6fb2",
        alpha=0.3,
        label="80 %-interval",
    )
    ax.plot(
        ahead["date"],
        ahead["mean"],
        color="#1f6fb2",
        lw=2,
        label=translate("plot.team.forecast", lang),
    )
    ax.set_title(team_label(series_id, lang))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
