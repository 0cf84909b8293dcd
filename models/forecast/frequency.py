"""Period arithmetic for daily (D), weekly (W, labelled by Monday) and monthly (M) series.

Every forecaster works on a regular grid: one row per series and period, missing periods as NaN
(an outage is missing data, not a zero). Finer input (daily counts for a weekly forecast) is
summed per period; a period with some missing days is scaled up to a full period when at least
half of its days were observed, and the trailing incomplete period is dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FREQS = ("D", "W", "M")
SEASON = {"D": 7, "W": 52, "M": 12}
PANDAS_FREQ = {"D": "D", "W": "7D", "M": "MS"}
DAYS = {"D": 1, "W": 7, "M": 30}


def check_freq(freq: str) -> str:
    freq = str(freq).upper()
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, got {freq!r}")
    return freq


def season_length(freq: str) -> int:
    return SEASON[check_freq(freq)]


def label(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The period label of each date: the day, the Monday of its week, or the first of its month."""
    index = pd.DatetimeIndex(pd.to_datetime(dates)).normalize()
    freq = check_freq(freq)
    if freq == "W":
        return index - pd.to_timedelta(index.day_of_week, unit="D")
    if freq == "M":
        return index.to_period("M").to_timestamp()
    return index


def periods(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq=PANDAS_FREQ[check_freq(freq)])


def shift(date: pd.Timestamp, steps: int, freq: str) -> pd.Timestamp:
    """``date`` moved by ``steps`` periods (negative: back in time)."""
    freq = check_freq(freq)
    if freq == "M":
        return pd.Timestamp(date) + pd.DateOffset(months=steps)
    return pd.Timestamp(date) + pd.Timedelta(days=steps * (7 if freq == "W" else 1))


def future(last: pd.Timestamp, horizon: int, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(shift(last, 1, freq), periods=horizon, freq=PANDAS_FREQ[check_freq(freq)])


def days_in(labels: pd.DatetimeIndex, freq: str) -> np.ndarray:
    freq = check_freq(freq)
    if freq == "M":
        return labels.days_in_month.to_numpy()
    return np.full(len(labels), 7 if freq == "W" else 1)


def regularize(intake: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Long ``series_id,date,value`` on a full grid per series (first observation .. common end).

    The common end is the last period the data holds, observed or not: a series whose last values
    are missing (a late delivery) ends on the same period as the others, so every series is
    forecast from the same origin, also when it is fitted in a batch of its own.

    Vectorised over series (one grouped sum, one merge): the flow regularises thousands of
    series in every fit, and a loop that selects each series from the whole table grows with
    the square of their number."""
    freq = check_freq(freq)
    frame = intake[["series_id", "date", "value"]].copy()
    frame["series_id"] = frame["series_id"].astype(str)
    frame["label"] = label(frame["date"], freq)
    grouped = frame.groupby(["series_id", "label"])["value"]
    counts = pd.DataFrame(
        {"value": grouped.sum(min_count=1), "observed": grouped.count(), "rows": grouped.size()}
    ).reset_index()
    if (counts["rows"] > 1).any():  # finer input: sum the days of each period
        expected = days_in(pd.DatetimeIndex(counts["label"]), freq)
        ratio = counts["observed"].to_numpy() / expected
        value = counts["value"].to_numpy(dtype=float) / np.where(ratio > 0, ratio, 1.0)
        counts["value"] = np.where(ratio >= 0.5, value, np.nan)
        last = counts["label"].max()
        incomplete = (counts["label"] == last) & (counts["rows"] < expected)
        counts = counts[~incomplete]
    observed = counts.dropna(subset=["value"])
    if observed.empty:
        raise ValueError("no observed values")
    end = counts["label"].max()
    first = observed.groupby("series_id", sort=True)["label"].min()
    grids = [periods(start, end, freq) for start in first]
    grid = pd.DataFrame(
        {
            "series_id": np.repeat(first.index.to_numpy(dtype=object), [len(g) for g in grids]),
            "date": grids[0].append(grids[1:]),
        }
    )
    known = counts[["series_id", "label", "value"]].rename(columns={"label": "date"})
    out = grid.merge(known, on=["series_id", "date"], how="left")
    return out.assign(value=out["value"].to_numpy(dtype=float))


def to_series(data: pd.DataFrame) -> dict[str, pd.Series]:
    """Regular long data as one date-indexed float Series per series id."""
    return {
        str(sid): pd.Series(rows["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(rows["date"]))
        for sid, rows in data.groupby("series_id", sort=True)
    }
