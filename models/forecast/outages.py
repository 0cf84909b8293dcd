"""Days on which a count collapsed for a moment: a recording outage, not demand (ADR 0040).

A registration system that is down for a day, or an export that holds half a day, leaves a count
far below what the same weekday brought in the weeks around it. A model that carries its last
level forward (``ets``, ``theta``, ``arima``) reads such a day at the end of the history as a
collapse of demand and forecasts it for weeks. Those models treat an outage as a missing day instead
(``arima`` not on the holidays among its regressors where the series closes on them: a closed
desk's 0 there is real, and its holiday coefficients learn it; see ``low_when_closed``).

A day is an outage when it is below ``FRACTION`` of the median of the same weekday in the
``WEEKS`` weeks before and after it (those that exist), that median rests on at least two days,
the shortfall is more than ``SIGMAS`` Poisson standard deviations (so small counts never qualify)
and at most ``MAX_RUN`` days in a row qualify (a drop that lasts is real, whatever its cause).
An outage seldom starts or ends at midnight: the day just before and the day just after such a run
hold part of it, and are outage days too when below ``EDGE`` of their median by more than
``SIGMAS`` standard deviations (on the held-out calls a system down for a day left 55 % and 60 %
of the usual count on the days around it).
Only daily data: in a weekly or monthly total a day's outage is a dip like any other.

A run names the outage days it found for a person to check. On the public holidays, Christmas days
and bridge days of its calendar (``closed_days``) a desk that closes counts little, and that is no
outage; a service that never closes (112, a fire brigade) counts as usual, and a collapse there is
one. So each series' own share of the usual weekday count on its closed days is learned from the
file (``closed_share``, the median over them): a closed day is named only when it is below ``EDGE``
of that share of its weekday's median, by more than ``SIGMAS`` standard deviations. A series with
fewer than ``MIN_CLOSED`` such days is taken to close on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.forecast.features import calendar_features

FRACTION = 0.5
WEEKS = 3
SIGMAS = 4.0
MAX_RUN = 3
EDGE = 0.75  # the day before and after an outage run: part of it when below this share of its median
SHOWN = 10  # outage days a run names at most
MIN_CLOSED = 3  # closed days with a usual count a series needs before its share on them is learned
HOLIDAYS = ("public_holiday", "christmas")  # calendar days whose low counts are a closed desk, not an outage


def usual(values: np.ndarray) -> np.ndarray:
    """Per day, the median of the same weekday in the ``WEEKS`` weeks before and after it (NaN
    where fewer than two of those days have a count)."""
    n = len(values)
    refs = np.full((2 * WEEKS, n), np.nan)
    for k in range(1, WEEKS + 1):
        lag = 7 * k
        if lag < n:
            refs[2 * k - 2, lag:] = values[:-lag]
            refs[2 * k - 1, :-lag] = values[lag:]
    enough = np.isfinite(refs).sum(axis=0) >= 2
    reference = np.full(n, np.nan)
    reference[enough] = np.nanmedian(refs[:, enough], axis=0)
    return reference


def outage_mask(values: np.ndarray, freq: str) -> np.ndarray:
    """True for every day of ``values`` (consecutive days, NaN = missing) that is an outage."""
    return _outages(np.asarray(values, dtype=float), freq)[0]


def outage_counts(values: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray | None]:
    """``outage_mask`` and, when some day is an outage, the usual count of every day (``usual``)."""
    mask, reference = _outages(np.asarray(values, dtype=float), freq)
    return mask, reference if mask.any() else None


def _outages(values: np.ndarray, freq: str) -> tuple[np.ndarray, np.ndarray | None]:
    """``outage_mask`` and the ``usual`` it compared with (None where it did not need it)."""
    n = len(values)
    mask = np.zeros(n, dtype=bool)
    if freq.upper() != "D" or n < 15:
        return mask, None
    reference = usual(values)
    with np.errstate(invalid="ignore"):
        short = reference - values > SIGMAS * np.sqrt(np.maximum(reference, 0.0))
        low = (values < FRACTION * reference) & short
    if not low.any():  # the usual case: every fit of ets, theta and arima on daily data asks
        return mask, reference
    with np.errstate(invalid="ignore"):
        edge = (values < EDGE * reference) & short
    start = 0
    while start < n:  # keep only runs of at most MAX_RUN days
        if not low[start]:
            start += 1
            continue
        end = start
        while end < n and low[end]:
            end += 1
        if end - start <= MAX_RUN:
            mask[start:end] = True
            for side in (start - 1, end):  # the partial days around it
                if 0 <= side < n and edge[side]:
                    mask[side] = True
        start = end
    return mask, reference


def outage_days(regular: pd.DataFrame, freq: str, country: str = "NL", subdiv: str | None = None) -> list[str]:
    """The outage days of every series of ``regular`` (long, on its regular grid) as
    ``series date: count (median m)``, ``m`` the median of that weekday around it, latest first,
    at most ``SHOWN``: a run names them so that a person can check the file. A day a desk may be
    closed by the calendar of ``country`` (``subdiv``) (``closed_days``) is named only when it is
    low for what the series counts on such days (``closed_share``)."""
    found = []
    for sid, rows in regular.sort_values("date").groupby("series_id", sort=True):
        values = rows["value"].to_numpy(dtype=float)
        mask, reference = _outages(values, freq)
        if not mask.any() or reference is None:
            continue
        dates = pd.DatetimeIndex(rows["date"])
        closed = closed_days(dates, country, subdiv)
        if (mask & closed).any():
            mask &= ~closed | low_when_closed(values, reference, closed)
        found += [(dates[i], str(sid), values[i], reference[i]) for i in np.flatnonzero(mask)]
    found.sort(key=lambda f: (f[0], f[1]), reverse=True)
    return [
        f"{sid} {pd.Timestamp(date):%Y-%m-%d}: {value:.0f} (median {ref:.0f})"
        for date, sid, value, ref in found[:SHOWN]
    ]


def low_when_closed(values: np.ndarray, reference: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """True for the ``closed`` days that are low for what the series counts on such days: below
    ``EDGE`` of its ``closed_share`` of the usual count (``reference``), by more than ``SIGMAS``
    standard deviations. Never for a desk that closes on them."""
    expected = closed_share(values, reference, closed) * reference
    with np.errstate(invalid="ignore"):
        short = expected - values > SIGMAS * np.sqrt(np.maximum(expected, 0.0))
        return np.asarray(closed & (values < EDGE * expected) & short, dtype=bool)


def closed_share(values: np.ndarray, reference: np.ndarray, closed: np.ndarray) -> float:
    """The median share of its weekday's usual count (``reference``) a series has on its
    ``closed`` days: about 0 for a desk that closes on them, about 1 for a service that never
    does; 0 (closed) when fewer than ``MIN_CLOSED`` of them have a count and a usual count."""
    known = closed & np.isfinite(values) & np.isfinite(reference) & (reference > 0)
    if known.sum() < MIN_CLOSED:
        return 0.0
    return float(np.median(values[known] / reference[known]))


def closed_days(dates: pd.DatetimeIndex, country: str = "NL", subdiv: str | None = None) -> np.ndarray:
    """True for the days of ``dates`` on which a desk may be closed by the calendar: a public
    holiday or Christmas day (``HOLIDAYS``), and a bridge day, a weekday between such a day and
    the weekend (the Friday after Ascension Day), which many municipalities close too."""
    days = pd.date_range(dates.min() - pd.Timedelta(days=1), dates.max() + pd.Timedelta(days=1), freq="D")
    calendar = calendar_features(days, "D", country, subdiv)
    holiday = np.asarray(calendar[list(HOLIDAYS)].to_numpy().any(axis=1), dtype=bool)
    off = holiday | (days.day_of_week >= 5)
    bridge = np.zeros(len(days), dtype=bool)
    bridge[1:-1] = ~off[1:-1] & off[:-2] & off[2:] & (holiday[:-2] | holiday[2:])
    return np.asarray(pd.Series(holiday | bridge, index=days).reindex(dates).to_numpy(), dtype=bool)
