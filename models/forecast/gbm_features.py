"""Features of the global gradient-boosted model, built for all series at once.

Every row is one (series, forecast origin t, step h): what was known at t (recent level, last
value, the value one season before the target, trend, volatility) divided by the series' scale
(its recent mean + 1), so one model serves series of any size; plus the calendar of the target
period. The target is the count at t + h divided by the same scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.forecast.features import calendar_features, school_region_for
from models.forecast.frequency import future, periods

SHORT = {"D": 7, "W": 4, "M": 3}
LONG = {"D": 28, "W": 13, "M": 12}
YEAR = {"D": 364, "W": 52, "M": 12}


def window_mean(values: np.ndarray, width: int) -> np.ndarray:
    """Mean of the last ``width`` observed values up to and including each column (NaN-aware)."""
    filled = np.nan_to_num(values, nan=0.0)
    observed = (~np.isnan(values)).astype(float)
    csum = np.cumsum(filled, axis=1)
    ccount = np.cumsum(observed, axis=1)
    csum[:, width:] = csum[:, width:] - csum[:, :-width]
    ccount[:, width:] = ccount[:, width:] - ccount[:, :-width]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ccount >= max(1, width // 2), csum / np.maximum(ccount, 1), np.nan)


def window_std(values: np.ndarray, width: int) -> np.ndarray:
    mean = window_mean(values, width)
    mean_sq = window_mean(values**2, width)
    return np.sqrt(np.maximum(mean_sq - mean**2, 0.0))


class Panel:
    """All series on one date grid (history plus ``horizon`` future periods), NaN where unknown."""

    def __init__(self, history: dict[str, pd.Series], freq: str, horizon: int, calendar: dict):
        self.freq = freq
        self.horizon = horizon
        self.series_ids = sorted(history)
        first = min(s.index[0] for s in history.values())
        self.last = max(s.index[-1] for s in history.values())
        self.history_dates = periods(first, self.last, freq)
        self.dates = self.history_dates.append(future(self.last, horizon, freq))
        self.T = len(self.history_dates) - 1
        self.values = np.full((len(self.series_ids), len(self.dates)), np.nan)
        for i, sid in enumerate(self.series_ids):
            self.values[i, : self.T + 1] = history[sid].reindex(self.history_dates).to_numpy(dtype=float)
        country = str(calendar.get("country", "NL"))
        subdiv = calendar.get("subdiv")
        region = school_region_for(country, subdiv, calendar.get("school_region", "Midden"))
        self.calendar = calendar_features(self.dates, freq, country, subdiv, region)
        self.level_long = window_mean(self.values, LONG[freq])
        self.level_short = window_mean(self.values, SHORT[freq])
        self.std_long = window_std(self.values, LONG[freq])
        overall = _nanmean0(self.values[:, : self.T + 1].T)[:, None]
        level = np.where(np.isnan(self.level_long), np.nan_to_num(overall, nan=0.0), self.level_long)
        self.scale = level + 1.0

    def rows(
        self, origins: np.ndarray, steps: np.ndarray, series: np.ndarray | None = None
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Feature frame, target ratio, scale, series index and target column for every
        (series, origin, step) combination."""
        return self.rows_at(*self.grid(origins, steps, series))

    def grid(
        self, origins: np.ndarray, steps: np.ndarray, series: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Series index, origin and step of every combination, in the order of ``rows``."""
        s_idx = np.arange(len(self.series_ids)) if series is None else series
        S, Og, H = np.meshgrid(s_idx, origins, steps, indexing="ij")
        return S.ravel(), Og.ravel(), H.ravel()

    def target_ratio(self, S: np.ndarray, Og: np.ndarray, H: np.ndarray) -> np.ndarray:
        """The target of ``rows_at`` alone (cheap: no features), to choose rows before building them."""
        return _take(self.values, S, Og + H) / self.scale[S, Og]

    def rows_at(
        self, S: np.ndarray, Og: np.ndarray, H: np.ndarray
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``rows`` for the given (series index, origin, step) triples only."""
        target = Og + H
        v = self.values
        width = LONG[self.freq]
        scale = self.scale[S, Og]
        m = YEAR[self.freq] if self.freq != "D" else 7
        k = np.ceil(H / m).astype(int)
        lag_col = target - m * k
        features = {
            "step": H.astype(float),
            "log_scale": np.log(scale),
            "recent_short": self.level_short[S, Og] / scale,
            "last_value": v[S, Og] / scale,
            "season_lag": _take(v, S, lag_col) / scale,
            "trend": _ratio(self.level_long[S, Og], _take(self.level_long, S, Og - width)),
            "volatility": self.std_long[S, Og] / scale,
        }
        if self.freq == "D":
            weeks = np.stack([_take(v, S, lag_col - 7 * j) for j in range(4)])
            features["weekday_mean"] = _nanmean0(weeks) / scale
            features["year_lag"] = _take(v, S, target - YEAR["D"]) / scale
        else:
            around = np.stack([_take(v, S, target - YEAR[self.freq] + j) for j in (-1, 0, 1)])
            features["year_lag_mean"] = _nanmean0(around) / scale
        cal = self.calendar.to_numpy(dtype=float)
        for j, name in enumerate(self.calendar.columns):
            features[name] = cal[target, j]
        public = self.calendar["public_holiday"].to_numpy(dtype=float)
        features["lag_public_holiday"] = np.where(lag_col >= 0, public[np.clip(lag_col, 0, None)], np.nan)
        frame = pd.DataFrame(features).replace([np.inf, -np.inf], np.nan)
        y = _take(v, S, target) / scale
        return frame, y, scale, S, target


def _take(values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    ok = (cols >= 0) & (cols < values.shape[1])
    out = np.full(len(rows), np.nan)
    out[ok] = values[rows[ok], cols[ok]]
    return out


def _nanmean0(stack: np.ndarray) -> np.ndarray:
    count = np.sum(~np.isnan(stack), axis=0)
    total = np.nansum(stack, axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
