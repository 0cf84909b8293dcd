"""One period type for every reader of time spans: the store's windows and the report's calendar periods.

A :class:`Period` is a half-open stretch ``[start, end)`` of wall-clock time in one zone, held as
naive datetimes. The store keeps naive UTC, so monitoring and the store readers use UTC periods
(:meth:`Period.of`); the council report counts whole Dutch days (:meth:`Period.days`, with a label
such as ``2026-Q3``) and asks the store for the same stretch in UTC (:meth:`Period.utc`).
Issue 21: this was two classes, one per reader, each with its own idea of where a period ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from werkwijzer.formatting import LOCAL

if TYPE_CHECKING:
    import pandas as pd

UTC = "UTC"
ZONE = str(LOCAL)  # the zone the people who read the report live in


def _naive(moment: dt.date | dt.datetime, zone: str) -> dt.datetime:
    """A date as its midnight; an aware datetime as wall-clock time in ``zone``; a naive one as is."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC if zone == UTC else LOCAL).replace(tzinfo=None)
        return moment
    return dt.datetime.combine(moment, dt.time())


def wall_clock(values: pd.Series, zone: str = ZONE) -> pd.Series:
    """Timestamps as wall-clock time in ``zone`` without a zone; naive ones are taken to be in ``zone`` already."""
    import pandas as pd

    d = pd.to_datetime(values)
    if isinstance(d.dtype, pd.DatetimeTZDtype):
        d = d.dt.tz_convert(zone).dt.tz_localize(None)
    return d


@dataclass(frozen=True)
class Period:
    """Half-open ``[start, end)`` in naive wall-clock time of ``zone``; ``label`` names a calendar period."""

    start: dt.datetime
    end: dt.datetime
    zone: str = UTC
    label: str = ""

    def __post_init__(self) -> None:
        if self.zone not in (UTC, ZONE):
            raise ValueError(f"period zone {self.zone!r} is not one of {UTC}, {ZONE}")
        if self.end <= self.start:
            raise ValueError(f"period end {self.end} must lie after its start {self.start}")

    @classmethod
    def of(cls, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> Period:
        """A window of the store: dates are UTC midnights, aware datetimes are converted to naive UTC."""
        return cls(_naive(start, UTC), _naive(end, UTC))

    @classmethod
    def days(cls, first: dt.date, last: dt.date, label: str = "", zone: str = ZONE) -> Period:
        """Whole days ``first`` to ``last`` (both included) as people in ``zone`` count them."""
        return cls(_naive(first, zone), _naive(last + dt.timedelta(days=1), zone), zone, label)

    @property
    def first_day(self) -> dt.date:
        return self.start.date()

    @property
    def last_day(self) -> dt.date:
        """The last day the period touches (included)."""
        return (self.end - dt.timedelta(microseconds=1)).date()

    def utc(self) -> Period:
        """The same stretch of time in naive UTC, as the store keeps it."""
        if self.zone == UTC:
            return self
        start, end = (moment.replace(tzinfo=LOCAL).astimezone(dt.UTC) for moment in (self.start, self.end))
        return Period.of(start, end)

    def contains(self, values: pd.Series) -> pd.Series:
        """Which timestamps fall in the period (aware ones are converted to the period's zone)."""
        import pandas as pd

        d = wall_clock(values, self.zone)
        return (d >= pd.Timestamp(self.start)) & (d < pd.Timestamp(self.end))
