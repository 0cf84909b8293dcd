"""Time: the database holds naive UTC; responses say UTC explicitly."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_iso(value: dt.datetime) -> str:
    return value.replace(tzinfo=dt.UTC).isoformat()
