"""Caseworker pages: *Nieuwe zaken*, a case with its advice and the decision form, objections, the citizen's letter.

What a case page may show is decided in ``case_view``: the frozen suggestion, its reasons,
the model version and the statement, or, for a case without a suggestion, only the neutral
statement. The reason a case has no suggestion (control share or stop button) is not passed
to the templates at all, so no page can give it away. A case of another team is not found (404),
as in the API, and the work list holds only the caseworker's own teams.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from api.core.metrics import count_decision
from api.deps import NowDep, ReadSessionDep, SessionDep, StoreDep
from api.routes.json_body import CheckedRoute
from api.web.charts import ChartText, bar_chart
from api.web.forms import DecisionForm, ObjectionForm
from api.web.guard import CaseworkerPage, CsrfChecked
from api.web.i18n import Lang, effort_label, page_lang, translate
from api.web.render import render, to_form_page
from casework import access, caseload, decisions, explanations, openings
from casework.errors import Conflict, InvalidInput, NotFound
from casework.storage import Advice, Decision
from werkwijzer.formatting import date_time, feature_value, number, percent
from werkwijzer.teams import EFFORT_CLASSES, team_label

router = APIRouter(prefix="/zaken", include_in_schema=False, route_class=CheckedRoute)
AdviceId = Annotated[str, Path(min_length=1, max_length=36)]


def reasons_view(reasons: list[dict[str, Any]], lang: Lang) -> dict[str, Any]:
    """The frozen reasons as a bar chart of contributions and, for reading, a table of the same."""
    label = "label_nl" if lang == "nl" else "label_en"
    rows = [
        {
            "label": r[label],
            "direction": r["direction"],
            "value": team_label(r["value"], lang) if r["feature"] == "team" else feature_value(r["value"], lang),
        }
        for r in reasons
    ]
    text = ChartText(
        title=translate("case.chart_title", lang),
        desc=translate("case.reasons_intro", lang),
        x_axis=translate("case.chart_axis", lang),
        y_axis="",
        legend={"up": translate("case.direction.up", lang), "down": translate("case.direction.down", lang)},
    )
    signed = [(r[label], abs(float(r["contribution"])) * (1 if r["direction"] == "up" else -1)) for r in reasons]
    chart = bar_chart(signed, text, chart_id="redenen", value_label=lambda v: number(v, 2, lang, signed=True))
    return {"chart": Markup(chart), "rows": rows}  # bar_chart escapes every text it writes


def case_view(found: Advice, decision: Decision | None, lang: Lang) -> dict[str, Any]:
    """Everything a case page shows, and nothing else (never ``selection_reason``)."""
    suggestion = found.suggestion
    view: dict[str, Any] = {
        "advice_id": found.id,
        "case_ref": found.case_ref,
        "team": team_label(found.team, lang),
        "received": date_time(found.created_at, lang),
        "statement": found.statement_nl if lang == "nl" else found.statement_en,
        "suggestion": None,
        "decision": None,
    }
    if suggestion is not None:
        probabilities = suggestion["effort_class_probabilities"]
        integrated = suggestion.get("integrated_approach_probability")
        view["suggestion"] = {
            "effort_class": suggestion["suggested_effort_class"],
            "probability": percent(probabilities[suggestion["suggested_effort_class"]], 0, lang),
            "integrated": percent(integrated, 0, lang) if integrated is not None else None,
            "reasons": reasons_view(found.reasons, lang),
            "model_name": found.model_name,
            "model_version": found.model_version,
        }
    if decision is not None:
        view["decision"] = {
            "outcome": decision.outcome,
            "effort_class": decision.final_effort_class,
            "motivation": decision.motivation,
            "at": date_time(decision.decided_at, lang),
        }
    return view


def _not_found(request: Request) -> Response:
    return render(
        request,
        "error.html",
        {"title": "error.not_found.title", "text": "error.not_found.text", "values": {}},
        status_code=404,
    )


def _case_page(
    request: Request,
    found: Advice,
    decision: Decision | None,
    form: DecisionForm,
    *,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    lang = page_lang(request)
    options = [(c, effort_label(c, lang)) for c in EFFORT_CLASSES]
    return render(
        request,
        "case.html",
        {"case": case_view(found, decision, lang), "form": form, "effort_options": options, "notice": notice},
        status_code=status_code,
    )


@router.get("")
def waiting_cases(request: Request, user: CaseworkerPage, session: ReadSessionDep) -> Response:
    lang = page_lang(request)
    waiting = caseload.awaiting_decision(session, teams=access.visible_teams(user))
    rows = [
        {
            "advice_id": c.advice_id,
            "case_ref": c.case_ref,
            "team": team_label(c.team, lang),
            "received": date_time(c.created_at, lang),
        }
        for c in waiting
    ]
    return render(request, "cases.html", {"cases": rows, "limit": caseload.LIST_LIMIT})


@router.get("/{advice_id}")
def case(
    request: Request,
    advice_id: AdviceId,
    user: CaseworkerPage,
    session: ReadSessionDep,
    now: NowDep,
    vastgelegd: int = 0,
    bezwaar: int = 0,
) -> Response:
    try:
        found, decision = access.case(session, user, advice_id)
    except NotFound:
        return _not_found(request)
    openings.note_opening(session, request.app.state.engine, user, found, decision, now)
    notice = "decision.recorded" if vastgelegd and decision else "objection.recorded" if bezwaar else None
    return _case_page(request, found, decision, DecisionForm(advised=found.suggestion is not None), notice=notice)


@router.post("/{advice_id}/besluit", dependencies=[CsrfChecked])
def decide(
    request: Request,
    advice_id: AdviceId,
    user: CaseworkerPage,
    session: SessionDep,
    store: StoreDep,
    now: NowDep,
    outcome: Annotated[str, Form(max_length=20)] = "",
    final_effort_class: Annotated[str, Form(max_length=50)] = "",
    motivation: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Record the decision through the same service call as ``POST /api/v1/advice/{id}/decision``."""
    try:
        found, decision = access.case(session, user, advice_id)
    except NotFound:
        return _not_found(request)
    form = DecisionForm(outcome, final_effort_class, motivation, advised=found.suggestion is not None)
    try:
        decisions.record_decision(session, store, user, advice_id, form.to_body(), now, None, count_decision)
    except (ValidationError, InvalidInput) as exc:
        session.rollback()
        form.refuse(exc, page_lang(request))
        return _case_page(request, found, decision, form, status_code=422)
    except Conflict:
        session.rollback()
        found, decision = access.case(session, user, advice_id)
        return _case_page(request, found, decision, DecisionForm(), status_code=409, notice="decision.conflict")
    return RedirectResponse(f"/zaken/{advice_id}?vastgelegd=1", status_code=303)


@router.get("/{advice_id}/besluit")
def decision_address(request: Request, advice_id: AdviceId, _: CaseworkerPage) -> Response:
    """The decision form's address as a page (e.g. *English* on a refused decision): the case, at its form."""
    return to_form_page(request, f"/zaken/{quote(advice_id, safe='')}", "besluit")


def _objection_page(request: Request, found: Advice, form: ObjectionForm, status_code: int = 200) -> Response:
    return render(
        request,
        "objection.html",
        {"advice_id": found.id, "case_ref": found.case_ref, "form": form},
        status_code=status_code,
    )


@router.get("/{advice_id}/bezwaar")
def objection_form(request: Request, advice_id: AdviceId, user: CaseworkerPage, session: ReadSessionDep) -> Response:
    try:
        found, _decision = access.case(session, user, advice_id)
    except NotFound:
        return _not_found(request)
    return _objection_page(request, found, ObjectionForm())


@router.post("/{advice_id}/bezwaar", dependencies=[CsrfChecked])
def record_objection(
    request: Request,
    advice_id: AdviceId,
    user: CaseworkerPage,
    session: SessionDep,
    now: NowDep,
    kind: Annotated[str, Form(max_length=20)] = "",
    summary: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record a citizen's objection or complaint through the API's service; it shows up in monitoring."""
    try:
        found, _decision = access.case(session, user, advice_id)
    except NotFound:
        return _not_found(request)
    form = ObjectionForm(kind, summary)
    try:
        decisions.record_objection(session, user, advice_id, form.to_body(), now, None)
    except (ValidationError, InvalidInput) as exc:
        session.rollback()
        form.refuse(exc, page_lang(request))
        return _objection_page(request, found, form, status_code=422)
    return RedirectResponse(f"/zaken/{advice_id}?bezwaar=1", status_code=303)


@router.get("/{advice_id}/uitleg")
def citizen_letter(
    request: Request, advice_id: AdviceId, user: CaseworkerPage, session: ReadSessionDep, store: StoreDep
) -> Response:
    """The citizen's explanation on a page of its own, laid out for printing."""
    lang = page_lang(request)
    try:
        found, _decision = access.case(session, user, advice_id)
        letter = explanations.citizen_text(session, store, user, advice_id, lang)
    except NotFound:
        return _not_found(request)
    return render(
        request,
        "citizen_letter.html",
        {
            "case_ref": found.case_ref,
            "advice_id": found.id,
            "team": team_label(found.team, lang),
            "text": letter["text"],
        },
    )
