"""The stop: advice of a model switched off by the monitoring flow, through the admin button's switch.

The flow acts as the system user ``monitor`` (role admin, inactive: it has no usable token and
cannot log in), so the switch change and its audit entry name who switched and why, exactly as
for a person pressing the button (responsible-ai items 6 and 23). Only the triage models have a
switch; a stop finding of another model (the forecast) is reported but switches nothing.
Switching advice back on is a person's decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine, select

from casework import switches
from casework.config import SWITCH_SCOPES
from casework.db import session_factory
from casework.security import Principal
from casework.storage import User
from casework.users import create_user
from models.thresholds import Finding, models_to_stop

SYSTEM_USER = "monitor"


def system_user(engine: Engine, now: dt.datetime) -> Principal:
    """The ``monitor`` user, created (inactive) the first time the flow needs it."""
    with session_factory(engine)() as session:
        user = (
            session.execute(
                select(User).where(User.name == SYSTEM_USER, User.role == "admin").order_by(User.created_at)
            )
            .scalars()
            .first()
        )
        if user is None:
            user, _token = create_user(session, SYSTEM_USER, "admin", now)  # the token is dropped unseen
            user.active = False
            session.commit()
        return Principal(user.id, user.name, user.role)


def stop(engine: Engine, findings: Sequence[Finding], now: dt.datetime) -> list[str]:
    """Switch off every switchable model with a stop finding whose advice is still on; returns them.

    The reason is the worst finding's Dutch message (findings come worst first), plus how many
    stop findings there were, so the audit trail says why without a lookup elsewhere.
    """
    wanted = sorted(m for m in models_to_stop(list(findings)) if m in SWITCH_SCOPES and m != "global")
    if not wanted:
        return []
    actor = system_user(engine, now)
    stopped = []
    with session_factory(engine)() as session:
        state = switches.current(session)
        for model in wanted:
            if not state.get(model, True):
                continue  # already off: a second entry would say nothing new
            reasons = [f for f in findings if f.level == "stop" and f.scope.get("model_name") == model]
            more = f" (en {len(reasons) - 1} andere stopsignalen)" if len(reasons) > 1 else ""
            switches.flip(session, actor, model, False, f"Monitoring: {reasons[0].message_nl}{more}", now)
            stopped.append(model)
        session.commit()
    return stopped
