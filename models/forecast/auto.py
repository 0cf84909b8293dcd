"""``auto``: per series, the candidate model that forecast best on the most recent backtest
windows before the training data ends. Its choice only ever sees data up to the end of the
training data, so a backtest of ``auto`` is free of look-ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from sklearn.utils.validation import check_is_fitted

from models.forecast.backtest import (
    attach_scale,
    cutoff_dates,
    interval_factors,
    model_predictions,
    rescale_intervals,
    select_models,
)
from models.forecast.base import BaseForecaster
from models.forecast.metrics import score_rows

DEFAULT_CANDIDATES = ("seasonal_naive", "ets", "glm", "gbm")


class AutoForecaster(BaseForecaster):
    """Chooses per series among ``candidates`` by MASE over ``windows`` inner backtest cutoffs."""

    def __init__(
        self,
        freq: str = "W",
        horizon: int = 13,
        candidates: Sequence[str] = DEFAULT_CANDIDATES,
        windows: int = 2,
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

    def choose(self, data: pd.DataFrame) -> tuple[dict[str, str], dict[tuple[str, int], float]]:
        """Per-series choice and interval factors from inner windows ending with ``data``."""
        last = data["date"].max()
        cutoffs = cutoff_dates(last, int(self.horizon), int(self.windows), self.freq)
        frames = [
            model_predictions(n, self._factory(n), data, cutoffs, int(self.horizon))
            for n in self.candidates
        ]
        scored = score_rows(attach_scale(pd.concat(frames, ignore_index=True), data, self.freq))
        after = last + pd.Timedelta(days=1)
        return (
            select_models(scored, after, int(self.windows), list(self.candidates), self.default),
            interval_factors(scored, after, int(self.windows)),
        )

    def _fit_all(self, data: pd.DataFrame) -> None:
        given = getattr(self, "_given_choice", None)
        choice, factors = given if given is not None else self.choose(data)
        self.choice_, self.factors_ = dict(choice), dict(factors)
        for sid in self.series_ids_:
            self.choice_.setdefault(sid, self.default)
        self.models_: dict[str, Any] = {}
        for name in sorted(set(self.choice_.values())):
            chosen = [s for s, c in self.choice_.items() if c == name]
            subset = data if name == "gbm" else data[data["series_id"].isin(chosen)]
            self.models_[name] = self._factory(name)().fit(
                subset[["series_id", "date"]], subset["value"].to_numpy()
            )

    def fit_with_choice(
        self, X: pd.DataFrame, y: Any, choice: dict[str, str], factors: dict[tuple[str, int], float]
    ) -> AutoForecaster:
        """Fit with a choice made elsewhere (a backtest that already scored the same windows)."""
        self._given_choice = (choice, factors)
        try:
            return self.fit(X, y)
        finally:
            del self._given_choice

    def _forecast_all(self, horizon: int) -> pd.DataFrame:
        check_is_fitted(self, "models_")
        pieces = []
        for name, model in self.models_.items():
            frame = model.forecast(horizon)
            chosen = [s for s, c in self.choice_.items() if c == name]
            pieces.append(frame[frame["series_id"].isin(chosen)])
        frame = (
            pd.concat(pieces, ignore_index=True)
            .sort_values(["series_id", "date"])
            .reset_index(drop=True)
        )
        return rescale_intervals(frame, self.choice_, self.factors_, self.default)
