"""The system card of a loaded model (``werkwijzer evidence``, ADR 0018), for model owners and auditors.

Shown in the site's frame from the card kept with the champion's run, so the page shows the same
words and sources as the card's HTML and PDF; the PDF downloads as stored. Same sign-in as *Modellen*.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.routes.json_body import CheckedRoute
from api.web import systemcards
from api.web.guard import ModelsPage
from api.web.render import SECURITY_HEADERS, render
from casework.config import FORECAST
from casework.modelstore import ModelStore
from explain.systemcard_render import systemcard_document

router = APIRouter(prefix="/modellen", include_in_schema=False, route_class=CheckedRoute)
ModelName = Annotated[str, Path(min_length=1, max_length=200)]


def run_of(store: ModelStore, name: str) -> str | None:
    bundle = store.forecast if name == FORECAST else store.triage(name)
    return bundle.run_id if bundle is not None else None


def _missing(request: Request) -> Response:
    return render(
        request,
        "error.html",
        {"title": "error.not_found.title", "text": "systemcard.missing", "values": {}},
        status_code=404,
    )


@router.get("/{name}/systeemkaart")
def systemcard_page(
    request: Request, name: ModelName, _: ModelsPage, store: StoreDep, settings: SettingsDep
) -> Response:
    card = systemcards.card(settings, run_of(store, name))
    if card is None:
        return _missing(request)
    return render(request, "systemcard.html", {"doc": systemcard_document(card), "name": name})


@router.get("/{name}/systeemkaart.pdf")
def systemcard_pdf(
    request: Request, name: ModelName, _: ModelsPage, store: StoreDep, settings: SettingsDep
) -> Response:
    run_id = run_of(store, name)
    pdf = systemcards.artifact(settings, run_id, "systemcard.pdf")
    if pdf is None:
        return _missing(request)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="systeemkaart-{name}.pdf"'},
    )
