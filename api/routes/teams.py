"""Team lead: teams, intake forecasts and capacity scenarios."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import NowDep, SessionDep, StoreDep, TeamLeadDep
from api.routes.errors import AUTH, INVALID, NOT_FOUND, UNAVAILABLE
from api.routes.json_body import CheckedRoute
from api.schemas.planning import CapacityPublic, ForecastPublic, IntakeRecorded, IntakeReport, TeamPublic
from casework import access, intake, planning

router = APIRouter(prefix="/teams", tags=["planning"], route_class=CheckedRoute)
TeamPath = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("", response_model=list[TeamPublic], responses=AUTH)
def list_teams(user: TeamLeadDep, store: StoreDep) -> list[dict[str, Any]]:
    """The user's teams, their statutory terms and whether a forecast is loaded."""
    return [t for t in planning.teams(store) if user.works_for(t["id"])]


@router.get("/{team}/forecast", response_model=ForecastPublic, responses={**AUTH, **NOT_FOUND, **UNAVAILABLE})
def team_forecast(
    team: TeamPath, user: TeamLeadDep, store: StoreDep, history_weeks: Annotated[int, Query(ge=0, le=520)] = 26
) -> dict[str, Any]:
    """Weekly intake forecast with 80 % and 95 % intervals, and the recent history (one's own teams)."""
    access.require_team(user, team)
    return planning.forecast(store, team, history_weeks)


@router.get("/{team}/capacity", response_model=CapacityPublic, responses={**AUTH, **NOT_FOUND, **UNAVAILABLE})
def team_capacity(
    team: TeamPath,
    user: TeamLeadDep,
    store: StoreDep,
    demand_change: Annotated[float, Query(ge=-0.9, le=5.0, description="+0.10 for +10 % intake")] = 0.0,
    fte_change: Annotated[float, Query(ge=-500, le=500, description="FTE added (+) or removed")] = 0.0,
    backlog_start: Annotated[float, Query(ge=0, le=1e7, description="Open work in hours now")] = 0.0,
) -> dict[str, Any]:
    """FTE needed against FTE available per week, backlog and the chance of breaching the term (one's own teams)."""
    access.require_team(user, team)
    return planning.capacity(store, team, demand_change, fte_change, backlog_start)


@router.put("/{team}/intake", response_model=IntakeRecorded, responses={**AUTH, **INVALID})
def record_intake(
    team: TeamPath, body: IntakeReport, user: TeamLeadDep, session: SessionDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """Actual intake per day (new cases or contacts); a day reported again is corrected. Monitoring
    compares these with the forecast. Only for one's own teams."""
    access.require_team(user, team)
    known = [t["id"] for t in planning.teams(store)]
    records = [(r.date, r.count) for r in body.records]
    return {"team": team, "recorded": intake.record(session, user, team, records, now, known)}
