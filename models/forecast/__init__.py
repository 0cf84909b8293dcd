"""Forecasters of intake per team and period, their backtest and the ``auto`` choice.

``make_forecaster(name, ...)`` builds any of MODELS with the shared parameters; each model
ignores the calendar parameters it does not use.
"""

from __future__ import annotations

from typing import Any

from models.forecast.arima import ARIMAForecaster
from models.forecast.auto import AutoForecaster
from models.forecast.autoets import AutoETSForecaster
from models.forecast.base import OUTPUT, BaseForecaster
from models.forecast.ets import ETSForecaster
from models.forecast.gbm import GlobalGBMForecaster
from models.forecast.glm import CountGLMForecaster
from models.forecast.mstl import MSTLForecaster
from models.forecast.naive import SeasonalNaiveForecaster
from models.forecast.theta import ThetaForecaster

MODELS: dict[str, type[BaseForecaster]] = {
    "seasonal_naive": SeasonalNaiveForecaster,
    "ets": ETSForecaster,
    "autoets": AutoETSForecaster,
    "theta": ThetaForecaster,
    "mstl": MSTLForecaster,
    "arima": ARIMAForecaster,
    "glm": CountGLMForecaster,
    "gbm": GlobalGBMForecaster,
    "auto": AutoForecaster,
}
BASE_MODELS = ("seasonal_naive", "ets", "theta", "glm", "arima", "gbm")


def make_forecaster(name: str, **params: Any) -> BaseForecaster:
    """A forecaster by name, given only the parameters its constructor accepts."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODELS)}") from None
    accepted = cls._get_param_names()
    return cls(**{k: v for k, v in params.items() if k in accepted})


__all__ = [
    "BASE_MODELS",
    "MODELS",
    "OUTPUT",
    "ARIMAForecaster",
    "AutoETSForecaster",
    "AutoForecaster",
    "BaseForecaster",
    "CountGLMForecaster",
    "ETSForecaster",
    "GlobalGBMForecaster",
    "SeasonalNaiveForecaster",
    "ThetaForecaster",
    "make_forecaster",
]
