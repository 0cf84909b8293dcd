"""The anchoring experiment as the *Modellen* page shows it (issue 17 part 1, ADR 0021).

Business rule: the page shows, per model and per team, how often the final decision equals the
model's suggestion when it was shown and when it was hidden (the control share), the difference
and its interval, over the monitoring window (``settings.monitoring_window_days``) before now.
It reads the same frame and arithmetic as the monitoring flow (``casework.frames.experiment``,
``models.anchoring``); small cells are suppressed, and no case, arm or hidden suggestion is shown
one by one. Protected groups are not shown here: their characteristics live only in the audit
file the monitoring flow reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from casework import frames
from models.anchoring import anchoring_table
from werkwijzer.settings import Settings

SCOPES = (("model_name",), ("model_name", "team"))


def overview(session: Session, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """``rows`` (one per model and per model and team, suppressed ones included) and the counts per arm."""
    end = now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now
    period = frames.Period.of(end - dt.timedelta(days=settings.monitoring_window_days), end)
    trial = frames.experiment(session, period)
    table = anchoring_table(
        trial, SCOPES, confidence=settings.anchoring_confidence, min_cell=settings.fairness_min_cell
    )
    rows = table.to_dict("records")
    return {
        "days": settings.monitoring_window_days,
        "rows": rows,
        "shown": int((trial["arm"] == "shown").sum()),
        "hidden": int((trial["arm"] == "hidden").sum()),
        "note": settings.anchoring_note,
    }
