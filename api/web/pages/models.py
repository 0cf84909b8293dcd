"""Model owner page *Modellen*: models, gates, fairness, cards, register entries, use, and the stop button.

Model owners and auditors read; only an administrator sees and may post the stop button, which
goes through ``switches.flip`` exactly as ``PUT /api/v1/admin/advice-switch`` does (same row,
same audit entry). The Algoritmeregister entry downloads as the JSON file the training run
stored, from a page route behind the same sign-in.

A version waiting for approval (the ``candidate``) is shown next to the champion; only a model
owner sees and may post the approve and reject buttons, which go through ``casework.approvals``
as ``werkwijzer models approve|reject`` does (ADR 0019). After an approval this worker loads the
new champion at once (``refresh.refresh_once``); the others follow at their next refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep, StoreDep
from api.routes.json_body import CheckedRoute
from api.web import models_view, systemcards
from api.web.forms import SwitchForm
from api.web.guard import AdminPage, CsrfChecked, ModelOwnerPage, ModelsPage
from api.web.i18n import page_lang, translate
from api.web.render import SECURITY_HEADERS, render, to_form_page
from casework import anchoring, approvals, monitoring, outcomes, refresh, registry, switches
from casework.clock import utc_now
from casework.config import FORECAST, MODEL_NAMES
from casework.errors import Forbidden, InvalidInput, NotFound, ServiceError
from casework.modelstore import ModelStore
from casework.security import Principal
from werkwijzer import formatting as fmt
from werkwijzer.settings import Settings

router = APIRouter(prefix="/modellen", include_in_schema=False, route_class=CheckedRoute)
ModelName = Annotated[str, Path(min_length=1, max_length=200)]


def _page(
    request: Request,
    user: Principal,
    session: Session,
    store: ModelStore,
    settings: Settings,
    form: SwitchForm,
    *,
    status_code: int = 200,
    notice: str | None = None,
    decision: DecisionState | None = None,
) -> Response:
    lang = page_lang(request)
    band = (settings.fairness_ratio_low, settings.fairness_ratio_high)
    pending = approvals.pending(settings)
    data = registry.models(store, switches.current(session))
    usage = monitoring.overrides(session, settings)
    bundles = {FORECAST: store.forecast, **{n: store.triage(n) for n in MODEL_NAMES if n != FORECAST}}
    context: dict[str, Any] = {
        "models": [
            models_view.model_view(m, bundles.get(m["name"]), settings.mlflow_ui_url, lang) for m in data["models"]
        ],
        "overrides": usage,
        "override_tables": models_view.override_tables(usage, lang),
        "agreement_note": fmt.percent(settings.agreement_note, 0, lang),
        "min_decisions": settings.monitoring_min_n,
        "switches": models_view.switch_rows(switches.current(session), lang),
        "outcome_rows": models_view.outcome_rows(outcomes.error_summary(session, store, utc_now()), lang),
        "can_switch": user.role == "admin",
        "switch_form": form,
        "notice": notice,
        "systemcards": systemcards.summaries(settings, {n: b.run_id if b else None for n, b in bundles.items()}),
        "anchoring": models_view.anchoring_view(
            anchoring.overview(session, settings, request.app.state.clock()), lang, settings.fairness_min_cell
        ),
        "candidates": {n: models_view.candidate_view(n, d, band, lang) for n, d in pending.items()},
        "can_approve": user.role == "model_owner",
        "decision": decision or DecisionState(),
    }
    return render(request, "models.html", context, status_code=status_code)


@dataclass
class DecisionState:
    """A refused approve/reject form: for which model, what was typed, and the message (page language)."""

    model: str = ""
    reason: str = ""
    error: str = ""
    detail: str = ""  # the service's own words (English), shown next to the message


@router.get("")
def models_page(
    request: Request,
    user: ModelsPage,
    session: ReadSessionDep,
    store: StoreDep,
    settings: SettingsDep,
    gewijzigd: str = "",
    besluit: str = "",
) -> Response:
    lang = page_lang(request)
    notice = translate("models.switch.done", lang) if gewijzigd else None
    if besluit in ("approved", "rejected"):
        notice = translate(f"models.approval.done.{besluit}", lang)
    return _page(request, user, session, store, settings, SwitchForm(), notice=notice)


@router.get("/{name}/besluit")
def decision_address(request: Request, name: ModelName, _: ModelsPage) -> Response:
    """The approve/reject form's address as a page: *Modellen*, at the model's form."""
    return to_form_page(request, "/modellen", f"besluit-{name}")


@router.post("/{name}/besluit", dependencies=[CsrfChecked])
def decide(
    request: Request,
    name: ModelName,
    user: ModelOwnerPage,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A model owner approves or rejects a version, with a reason: the same service as the CLI."""
    lang = page_lang(request)
    approver = approvals.Approver(name=user.name, actor=user.id, via="page", named_by="signed_in")
    state = DecisionState(model=name, reason=reason)
    if decision not in ("approve", "reject") or not version.isdigit():
        state.error = translate("models.approval.error.form", lang)
        return _page(request, user, session, store, settings, SwitchForm(), status_code=422, decision=state)
    chosen: approvals.Decision = "approved" if decision == "approve" else "rejected"
    try:
        outcome = approvals.decide(session, settings, name, version, chosen, approver, reason, now)
    except InvalidInput as exc:
        fields = {str(p.loc[-1]) for p in exc.problems}
        key = "reason" if "reason" in fields else "form"
        state.error = translate(f"models.approval.error.{key}", lang)
        status = 422
    except ServiceError as exc:
        key = {Forbidden: "four_eyes", NotFound: "not_found"}.get(type(exc), "refused")
        state.error, state.detail, status = translate(f"models.approval.error.{key}", lang), exc.detail, exc.status_code
    else:
        session.commit()
        refresh.refresh_once(store, request.app.state.sessions, now)  # this worker serves the new champion now
        return RedirectResponse(f"/modellen?besluit={outcome.decision}#besluit-{name}", status_code=303)
    session.rollback()
    return _page(request, user, session, store, settings, SwitchForm(), status_code=status, decision=state)


@router.get("/{name}/algoritmeregister.json")
def register_entry(request: Request, name: ModelName, _: ModelsPage, store: StoreDep) -> Response:
    """The stored Algoritmeregister entry of the loaded version, as a file to save."""
    bundle = store.forecast if name == FORECAST else store.triage(name)
    if bundle is None or not bundle.register_entry:
        return render(
            request,
            "error.html",
            {"title": "error.not_found.title", "text": "models.register.missing", "values": {}},
            status_code=404,
        )
    filename = f"algoritmeregister-{name}-v{bundle.version}.json"
    return JSONResponse(
        bundle.register_entry, headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/stopknop")
def switch_address(request: Request, _: ModelsPage) -> Response:
    """The stop button's address as a page (e.g. *English* on a refused switch): *Modellen*, at the button."""
    return to_form_page(request, "/modellen", "stopknop")


@router.post("/stopknop", dependencies=[CsrfChecked])
def advice_switch(
    request: Request,
    user: AdminPage,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
    scope: Annotated[str, Form()] = "",
    enabled: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The stop button: the same service call and audit entry as ``PUT /api/v1/admin/advice-switch``."""
    lang = page_lang(request)
    form = SwitchForm(scope, enabled, reason)
    try:
        body = form.to_body()
        switches.flip(session, user, body.scope, body.enabled, body.reason, now)
    except (ValidationError, InvalidInput) as exc:
        form.refuse(exc, lang)
    else:
        session.commit()
        return RedirectResponse("/modellen?gewijzigd=1#stopknop", status_code=303)
    session.rollback()
    return _page(request, user, session, store, settings, form, status_code=422)
