"""``auto``: per series, a combination of the candidate models weighted by how well they forecast
on the most recent backtest windows before the training data ends, with conformal intervals per
horizon step from the combination's errors on those windows (``models.forecast.combine``). It
only ever sees data up to the end of the training data, so a backtest of ``auto`` is free of
look-ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from sklearn.utils.validation import check_is_fitted

from models.forecast import combine
from models.forecast.backtest import attach_scale, cutoff_dates, model_predictions
from models.forecast.base import BaseForecaster
from models.forecast.metrics import score_rows

DEFAULT_CANDIDATES = ("seasonal_naive", "ets", "theta", "glm", "arima", "gbm")


class AutoForecaster(BaseForecaster):
    """Combines ``candidates`` per series, weighted by MASE over ``windows`` inner backtest
    cutoffs; conformal intervals from ``calibration`` inner cutoffs."""

    def __init__(
        self,
        freq: str = "W",
        horizon: int = 13,
        candidates: Sequence[str] = DEFAULT_CANDIDATES,
        windows: int = 2,
        calibration: int = combine.CALIBRATION,
        default: str = "seasonal_naive",
        country: str = "NL",
        subdiv: str | None = None,
        school_region: str | None = "Midden",
        random_state: int = 0,
    ):
        self.freq = freq
        self.horizon = horizon
        self.candidates = candidates
        self.windows = windows
        self.calibration = calibration
        self.default = default
        self.country = country
        self.subdiv = subdiv
        self.school_region = school_region
        self.random_state = random_state

    def _factory(self, name: str) -> Callable[[], BaseForecaster]:
        from models.forecast import make_forecaster

        return lambda: make_forecaster(
            name,
            freq=self.freq,
            horizon=self.horizon,
            country=self.country,
            subdiv=self.subdiv,
            school_region=self.school_region,
            random_state=self.random_state,
        )

    def choose(self, data: pd.DataFrame) -> combine.Combination:
        """Weights (last ``windows``) and conformal radii (last ``calibration``) from inner
        backtest windows ending with ``data``."""
        last = data["date"].max()
        inner = max(int(self.windows), int(self.calibration))
        cutoffs = cutoff_dates(last, int(self.horizon), inner, self.freq)
        frames = [model_predictions(n, self._factory(n), data, cutoffs, int(self.horizon)) for n in self.candidates]
        scored = score_rows(attach_scale(pd.concat(frames, ignore_index=True), data, self.freq))
        after = last + pd.Timedelta(days=1)
        return combine.plan(
            scored,
            after,
            int(self.windows),
            list(self.candidates),
            int(self.horizon),
            int(self.calibration),
        )

    def _fit_all(self, data: pd.DataFrame) -> None:
        given = getattr(self, "_given_combination", None)
        combination = given if given is not None else self.choose(data)
        self.combination_ = combination.covering(self.series_ids_, self.default)
        self.choice_ = {sid: self.combination_.main_model(sid, self.default) for sid in self.series_ids_}
        self.scale_ = combine.series_scales(data, self.season_length_)
        self.models_: dict[str, Any] = {}
        for name in self.combination_.models():
            used = [s for s, w in self.combination_.weights.items() if name in w]
            subset = data if name == "gbm" else data[data["series_id"].isin(used)]
            self.models_[name] = self._factory(name)().fit(subset[["series_id", "date"]], subset["value"].to_numpy())

    def fit_with_combination(self, X: pd.DataFrame, y: Any, combination: combine.Combination) -> AutoForecaster:
        """Fit with weights and radii learned elsewhere (a backtest that scored the same windows)."""
        self._given_combination = combination
        try:
            return self.fit(X, y)
        finally:
            del self._given_combination

    def _forecast_all(self, horizon: int) -> pd.DataFrame:
        check_is_fitted(self, "models_")
        frames = [model.forecast(horizon).assign(model=n) for n, model in self.models_.items()]
        return combine.publish(pd.concat(frames, ignore_index=True), self.combination_, self.scale_)
