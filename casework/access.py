"""Team-bound access: caseworkers and team leads see and act on their own teams only.

Business rules (docs/api.md, "Roles and teams"):
- Model owners, auditors and administrators see every team; a caseworker or team lead only the
  teams assigned to them (``users.teams``), and with none assigned, nothing.
- Asking advice for another team, or its forecast, capacity, intake or override rates: refused
  (``Forbidden``, 403). Which teams exist is no secret.
- A case (an advice) of another team is answered as if it did not exist (``NotFound``, 404), so a
  caseworker cannot learn which case keys other teams work on.
- Lists (the work list, the teams, override rates) hold only the user's teams.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework import advice as advice_service
from casework.errors import Forbidden
from casework.security import Principal
from casework.storage import Advice, Decision


def require_team(user: Principal, team: str) -> None:
    if not user.works_for(team):
        raise Forbidden("this team is not one of your teams")  # the team as sent is not repeated


def visible_teams(user: Principal) -> frozenset[str] | None:
    """The teams this user's lists are limited to; ``None``: all teams."""
    return None if user.sees_all_teams else user.teams


def case(session: Session, user: Principal, advice_id: str) -> tuple[Advice, Decision | None]:
    """The advice and its decision, if the user may see this case; otherwise the same 404 as an unknown id."""
    found, decision = advice_service.load(session, advice_id)
    if not user.works_for(found.team):
        raise advice_service.not_found()
    return found, decision
