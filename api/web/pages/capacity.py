"""Team lead page *Capaciteit*: intake forecast, FTE needed against available, and a scenario.

The scenario form is a GET form (``/capaciteit?team=...&demand=10&fte=-2``), so a scenario is
a link that can be bookmarked or shared, and the page redraws on the server without script.
Only the team lead's own teams are offered; another team in the address is refused like an unknown one.
Input the form refuses comes back in words next to the field, with status 422 and the figures
without a scenario, never a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.routes.json_body import CheckedRoute
from api.web import capacity_view
from api.web.guard import TeamLeadPage
from api.web.i18n import Lang, page_lang, translate
from api.web.render import render
from api.web.scenario import Scenario, ScenarioForm
from casework.errors import Unavailable
from werkwijzer import formatting as fmt

router = APIRouter(prefix="/capaciteit", include_in_schema=False, route_class=CheckedRoute)


def scenario_text(scenario: Scenario, lang: Lang) -> str:
    """The scenario in one sentence, so the figures below are never read as the plain forecast."""
    if scenario.is_base:
        return translate("scenario.base", lang)
    return translate(
        "scenario.active",
        lang,
        demand=fmt.percent(scenario.demand_change, 1, lang, signed=True),
        fte=fmt.number(scenario.fte_change, 1, lang, signed=True),
        backlog=fmt.number(scenario.backlog_start, 0, lang),
    )


@router.get("")
def capacity_page(
    request: Request,
    user: TeamLeadPage,
    store: StoreDep,
    settings: SettingsDep,
    team: str = "",
    demand: str = "",
    fte: str = "",
    backlog: str = "",
) -> Response:
    lang = page_lang(request)
    if not user.sees_all_teams and not user.teams:
        return render(request, "capacity.html", {"unavailable": translate("capacity.no_teams", lang)}, status_code=403)
    teams = [t for t in capacity_view.team_choices(store, lang) if user.works_for(t["id"])]
    if not teams:
        return render(
            request, "capacity.html", {"unavailable": translate("capacity.unavailable", lang)}, status_code=503
        )
    ids = [choice["id"] for choice in teams]
    form = ScenarioForm(team or ids[0], demand, fte, backlog)
    scenario = form.validate(ids, lang)
    shown = form.team if form.team in ids else ids[0]
    context: dict[str, Any] = {
        "teams": teams,
        "team": shown,
        "form": form,
        "scenario_is_base": scenario is None or scenario.is_base,
    }
    scenario = scenario or Scenario()
    try:
        context |= {
            "forecast": capacity_view.forecast_part(store, shown, lang, request.app.state.clock().date()),
            "capacity": capacity_view.capacity_part(store, shown, scenario, lang, settings.breach_risk_threshold),
            "drivers": capacity_view.drivers_part(store, shown, lang),
        }
    except Unavailable:  # the champion went away between the two reads
        return render(
            request, "capacity.html", {"unavailable": translate("capacity.unavailable", lang)}, status_code=503
        )
    context["scenario_text"] = translate("scenario.not_applied", lang) if form.errors else scenario_text(scenario, lang)
    context["demand_note"] = (
        fmt.percent(scenario.demand_change, 1, lang, signed=True) if scenario.demand_change else None
    )
    return render(request, "capacity.html", context, status_code=422 if form.errors else 200)
