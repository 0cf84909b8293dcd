"""The stop button (responsible-ai item 6, owk-02): advice off per model or for all models.

Each flip is a row of its own and an audit entry; the current state of a scope is its latest
row, and a scope that was never switched is on. Switching advice off touches nothing else:
forecasts, decisions, objections and the audit trail keep working.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit
from casework.config import SWITCH_SCOPES
from casework.errors import InvalidInput, Problem
from casework.security import Principal
from casework.storage import SwitchChange


def current(session: Session) -> dict[str, bool]:
    """Each scope's latest flip (on when never flipped). Read once per advice batch: columns, not objects."""
    state = dict.fromkeys(SWITCH_SCOPES, True)
    for scope, enabled in session.execute(select(SwitchChange.scope, SwitchChange.enabled).order_by(SwitchChange.id)):
        state[scope] = enabled
    return state


def advice_enabled(state: dict[str, bool], model_name: str) -> bool:
    return state.get("global", True) and state.get(model_name, True)


def flip(session: Session, user: Principal, scope: str, enabled: bool, reason: str, now: dt.datetime) -> SwitchChange:
    if scope not in SWITCH_SCOPES:
        raise InvalidInput(
            [Problem(("body", "scope"), f"must be one of: {', '.join(SWITCH_SCOPES)}", "value_error.scope")]
        )
    change = SwitchChange(
        scope=scope, enabled=enabled, reason=reason, changed_by=user.id, changed_at=now.replace(tzinfo=None)
    )
    session.add(change)
    audit.record(
        session,
        kind="advice_switch.changed",
        actor=user.id,
        subject=scope,
        payload={"scope": scope, "enabled": enabled, "reason": reason},
        at=now,
    )
    return change
