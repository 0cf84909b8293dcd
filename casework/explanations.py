"""The citizen's explanation (responsible-ai item 19): which factors played a role, and that a person decides.

It is written from the reasons frozen with the advice, so it tells what the caseworker saw. A
case without a suggestion gets a plain text that no computer advice was used.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework import access
from casework.modelstore import ModelStore
from casework.security import Principal
from explain.narrative import citizen_without_advice


def citizen_text(session: Session, store: ModelStore, user: Principal, advice_id: str, lang: str) -> dict[str, object]:
    advice, decision = access.case(session, user, advice_id)
    decided = decision is not None
    if advice.suggestion is None or not advice.reasons:
        text = citizen_without_advice(advice.team, decided, lang)
    else:
        text = store.library.citizen_explanation(advice.reasons, advice.team, decided, lang)
    return {"advice_id": advice.id, "lang": lang, "text": text, "decided_by_person": decided}
