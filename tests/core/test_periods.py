"""The one period type (issue 21): store windows in UTC and the report's Dutch calendar days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from werkwijzer.periods import UTC, ZONE, Period


def test_a_store_window_is_naive_utc_and_half_open() -> None:
    aware = dt.datetime(2026, 3, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    period = Period.of(dt.date(2026, 3, 1), aware)
    assert (period.start, period.end, period.zone) == (dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 9, 9), UTC)
    assert period.utc() is period
    inside = period.contains(pd.Series(pd.to_datetime(["2026-03-01 00:00", "2026-03-09 08:59", "2026-03-09 09:00"])))
    assert inside.tolist() == [True, True, False]


def test_calendar_days_count_dutch_days_and_reach_the_store_in_utc() -> None:
    summer = Period.days(dt.date(2026, 7, 1), dt.date(2026, 9, 30), label="2026-Q3")
    assert (summer.first_day, summer.last_day, summer.label, summer.zone) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        "2026-Q3",
        ZONE,
    )
    # Dutch midnight is 22:00 UTC in summer time; the quarter ends on 1 October, 00:00 local
    assert summer.utc() == Period.of(dt.datetime(2026, 6, 30, 22), dt.datetime(2026, 9, 30, 22))
    winter = Period.days(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert winter.utc() == Period.of(dt.datetime(2025, 12, 31, 23), dt.datetime(2026, 1, 31, 23))
    # a UTC moment late on 30 September is 1 October in the Netherlands: outside the quarter
    stamps = pd.Series(pd.to_datetime(["2026-09-30 21:59", "2026-09-30 22:00"]).tz_localize("UTC"))
    assert summer.contains(stamps).tolist() == [True, False]


def test_an_empty_or_reversed_period_or_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="must lie after its start"):
        Period.of(dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    with pytest.raises(ValueError, match="must lie after its start"):
        Period.days(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    with pytest.raises(ValueError, match="zone 'Asia/Tokyo'"):
        Period(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2), zone="Asia/Tokyo")
