"""A global gradient-boosted model over all series (scikit-learn HistGradientBoostingRegressor).

Direct multi-step: one model learns every step ahead at once from (series, origin, step) rows
(see ``gbm_features``). Intervals are split-conformal: a second model trained on data that ends
``calibration`` periods earlier is scored on those last periods, and the per-series quantiles of
its scaled errors become the interval offsets of the final model. Bounds are clipped at zero.

``intervals=False`` leaves the second model out and the bounds empty (NaN): the flow's backtest
replaces every model's bounds with conformal ones from earlier windows, so there the second model
was about half of each fit's cost for bounds nobody read (ADR 0039).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from models.forecast.base import LEVELS, BaseForecaster
from models.forecast.gbm_features import LONG, Panel
from models.forecast.naive import SeasonalNaiveForecaster

HISTORY = {"D": 3 * 365, "W": 4 * 52, "M": 120}
CALIBRATION = {"D": 42, "W": 13, "M": 6}
MIN_ROWS = 50


class GlobalGBMForecaster(BaseForecaster):
    """One HistGradientBoostingRegressor for all series, with split-conformal intervals."""

    def __init__(
        self,
        freq: str = "W",
        horizon: int = 13,
        country: str = "NL",
        subdiv: str | None = None,
        school_region: str | None = "Midden",
        max_iter: int = 250,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 31,
        max_rows: int = 250_000,
        calibration: int | None = None,
        intervals: bool = True,
        random_state: int = 0,
    ):
        self.freq = freq
        self.horizon = horizon
        self.country = country
        self.subdiv = subdiv
        self.school_region = school_region
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.max_rows = max_rows
        self.calibration = calibration
        self.intervals = intervals
        self.random_state = random_state

    def _regressor(self) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=self.random_state,
        )

    def _fit_regressor(self, X: pd.DataFrame, y: np.ndarray) -> HistGradientBoostingRegressor:
        """Fit on the columns that vary (scikit-learn's binning cannot take a constant column).

        OpenMP runs single-threaded: parallelism comes from the flow's tasks, and on a busy
        machine OpenMP's per-split synchronisation makes small fits many times slower."""
        varying = [c for c in X.columns if X[c].nunique(dropna=True) > 1]
        with threadpool_limits(limits=1, user_api="openmp"):
            return self._regressor().fit(X[varying], y)

    def _training_rows(
        self, panel: Panel, last_target: int, rng: np.random.Generator
    ) -> tuple[pd.DataFrame, np.ndarray]:
        H = int(self.horizon)
        first = max(LONG[self.freq], last_target - HISTORY[self.freq])
        S, origins, steps = panel.grid(np.arange(first, last_target), np.arange(1, H + 1))
        y = panel.target_ratio(S, origins, steps)
        keep = np.flatnonzero(np.isfinite(y) & (origins + steps <= last_target))
        if len(keep) > self.max_rows:  # the features are built for the rows kept only
            keep = keep[np.sort(rng.choice(len(keep), self.max_rows, replace=False))]
        X, y, _, _, _ = panel.rows_at(S[keep], origins[keep], steps[keep])
        return X.reset_index(drop=True), y

    def _fit_all(self, data: pd.DataFrame) -> None:
        panel = Panel(self.history_, self.freq, int(self.horizon), self._calendar())
        # the final model's rows and the calibration model's rows are sampled from streams of their
        # own, so that the final model is the same with or without intervals
        final_rng, calibration_rng = (np.random.default_rng([self.random_state, k]) for k in (0, 1))
        H = int(self.horizon)
        C = int(self.calibration or CALIBRATION[self.freq])
        cut = panel.T - H - C
        self.offsets_: dict[str, Any] | None = None
        if self.intervals and cut > LONG[self.freq] + H:
            X_cal, y_cal = self._training_rows(panel, cut, calibration_rng)
            if len(y_cal) > 50:
                calibrator = self._fit_regressor(X_cal, y_cal)
                origins = np.arange(cut, panel.T - H + 1)
                X_ev, y_ev, _, s_idx, _ = panel.rows(origins, np.arange(1, H + 1))
                errors = y_ev - calibrator.predict(X_ev[calibrator.feature_names_in_])
                self.offsets_ = self._offsets(panel, errors, s_idx)
        X, y = self._training_rows(panel, panel.T, final_rng)
        self.panel_ = panel
        if len(y) < MIN_ROWS:  # too little history for a learned model: the seasonal naive floor
            self.model_ = None
            self.fallback_ = SeasonalNaiveForecaster(freq=self.freq, horizon=self.horizon).fit(
                data[["series_id", "date"]], data["value"].to_numpy()
            )
            self.feature_names_ = []
            return
        self.model_ = self._fit_regressor(X, y)
        # too short to calibrate: in-sample errors (narrower than they should be)
        if self.offsets_ is None and self.intervals:
            sids = {sid: i for i, sid in enumerate(panel.series_ids)}
            origins = np.arange(LONG[self.freq], panel.T)
            X_in, y_in, _, s_in, target = panel.rows(origins, np.arange(1, H + 1))
            inside = target <= panel.T
            errors = np.where(inside, y_in - self.model_.predict(X_in[self.model_.feature_names_in_]), np.nan)
            self.offsets_ = self._offsets(panel, errors, s_in) if sids else {}
        self.feature_names_ = list(self.model_.feature_names_in_)

    def _offsets(self, panel: Panel, errors: np.ndarray, s_idx: np.ndarray) -> dict[str, Any]:
        """Per-series quantiles of calibration errors; few errors: use all series' errors."""
        ok = np.isfinite(errors)
        pooled = errors[ok]
        out: dict[str, Any] = {}
        for i, sid in enumerate(panel.series_ids):
            own = errors[ok & (s_idx == i)]
            sample = own if len(own) >= 20 else pooled
            out[sid] = {}
            for level in LEVELS:
                tail = (1 - level / 100) / 2
                if len(sample) == 0:
                    out[sid][level] = (0.0, 0.0)
                    continue
                out[sid][level] = (
                    float(np.quantile(sample, tail)),
                    float(np.quantile(sample, 1 - tail)),
                )
        return out

    def _calendar(self) -> dict:
        return {"country": self.country, "subdiv": self.subdiv, "school_region": self.school_region}

    def future_rows(self, horizon: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DatetimeIndex]:
        """Features, scale, series index and date of the forecast rows (origin = last period)."""
        horizon = min(horizon, int(self.horizon))
        X, _, scale, s_idx, target = self.panel_.rows(np.array([self.panel_.T]), np.arange(1, horizon + 1))
        return X[self.feature_names_], scale, s_idx, self.panel_.dates[target]

    def _forecast_all(self, horizon: int) -> pd.DataFrame:
        if horizon > int(self.horizon):
            raise ValueError(f"this model was trained for at most {self.horizon} steps ahead")
        if self.model_ is None:
            return self.fallback_.forecast(horizon)
        X, scale, s_idx, dates = self.future_rows(horizon)
        ratio = self.model_.predict(X)
        sids = np.asarray(self.panel_.series_ids)[s_idx]
        out = {"series_id": sids, "date": dates, "mean": np.maximum(ratio, 0.0) * scale}
        if self.offsets_ is None:  # intervals=False: no bounds
            return pd.DataFrame(out | {f"{side}_{level}": np.nan for level in LEVELS for side in ("lo", "hi")})
        offsets = self.offsets_
        for level in LEVELS:
            lo = np.array([offsets[s][level][0] for s in sids])
            hi = np.array([offsets[s][level][1] for s in sids])
            out[f"lo_{level}"] = np.maximum(ratio + lo, 0.0) * scale
            out[f"hi_{level}"] = np.maximum(ratio + hi, 0.0) * scale
        return pd.DataFrame(out)
