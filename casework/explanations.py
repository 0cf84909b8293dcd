"""The citizen's explanation (responsible-ai item 19): which factors played a role, and that a person decides.

It is written from the reasons frozen with the advice, so it tells what the caseworker saw. A
case without a suggestion gets a plain text that no computer advice was used.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework import access
from casework.modelstore import ModelStore
from casework.security import Principal
from werkwijzer.teams import team_label

NO_ADVICE = {
    "nl": {True: "Bij uw aanvraag is geen advies van een computer gebruikt. Een medewerker van team {team} "
                 "heeft uw aanvraag beoordeeld en het besluit genomen.",
           False: "Bij uw aanvraag is geen advies van een computer gebruikt. Een medewerker van team {team} "
                  "beoordeelt uw aanvraag en neemt het besluit."},
    "en": {True: "No computer advice was used for your application. A staff member of the {team} team "
                 "assessed your application and made the decision.",
           False: "No computer advice was used for your application. A staff member of the {team} team "
                  "assesses your application and makes the decision."},
}


def citizen_text(session: Session, store: ModelStore, user: Principal, advice_id: str,
                 lang: str) -> dict[str, object]:
    advice, decision = access.case(session, user, advice_id)
    decided = decision is not None
    if advice.suggestion is None or not advice.reasons:
        text = NO_ADVICE[lang][decided].format(team=team_label(advice.team, lang))
    else:
        text = store.library.citizen_explanation(advice.reasons, advice.team, decided, lang)
    return {"advice_id": advice.id, "lang": lang, "text": text, "decided_by_person": decided}
