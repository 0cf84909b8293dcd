"""The pages' language: Dutch (B1) by default, English on request, every string in one catalog.

The language comes from ``?lang=nl|en`` (which the page then remembers in a cookie), else from
that cookie, else Dutch. Templates call ``t("key")``; a key missing from the catalog is a bug,
so ``translate`` raises instead of showing the key to a caseworker. Keys are grouped per page;
add a page's strings as a block of its own.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "nl"
LANG_COOKIE = "ww_lang"

CATALOG: dict[str, dict[Lang, str]] = {
    # Frame (base.html): every page
    "app.name": {"nl": "Werkwijzer", "en": "Werkwijzer"},
    "app.skip": {"nl": "Direct naar de inhoud", "en": "Skip to content"},
    "app.footer": {"nl": "Het model adviseert, een mens beslist.", "en": "The model advises, a person decides."},
    "app.nav": {"nl": "Hoofdmenu", "en": "Main menu"},
    "app.language": {"nl": "Taal", "en": "Language"},
    "app.signed_in_as": {"nl": "Aangemeld als {name} ({role})", "en": "Signed in as {name} ({role})"},
    "app.sign_out": {"nl": "Afmelden", "en": "Sign out"},
    "role.caseworker": {"nl": "consulent", "en": "caseworker"},
    "role.team_lead": {"nl": "teamleider", "en": "team lead"},
    "role.model_owner": {"nl": "modeleigenaar", "en": "model owner"},
    "role.auditor": {"nl": "auditor", "en": "auditor"},
    "role.admin": {"nl": "beheerder", "en": "administrator"},
    "nav.home": {"nl": "Start", "en": "Start"},
    "nav.cases": {"nl": "Nieuwe zaken", "en": "New cases"},
    # Sign-in and sign-out (session.py)
    "signin.title": {"nl": "Aanmelden", "en": "Sign in"},
    "signin.intro": {"nl": "Meld u aan met uw persoonlijke code (token). U krijgt die van de beheerder.",
                     "en": "Sign in with your personal code (token). The administrator gives it to you."},
    "signin.token": {"nl": "Uw code", "en": "Your code"},
    "signin.token_hint": {"nl": "De code begint met ww_.", "en": "The code starts with ww_."},
    "signin.submit": {"nl": "Aanmelden", "en": "Sign in"},
    "signin.unknown": {"nl": "Deze code kennen we niet, of hij is ingetrokken. Controleer de code en probeer het "
                                 "opnieuw.",
                       "en": "We do not know this code, or it was revoked. Check the code and try again."},
    "signin.empty": {"nl": "Vul uw code in.", "en": "Enter your code."},
    "signout.done": {"nl": "U bent afgemeld.", "en": "You are signed out."},
    # Start page (pages.py)
    "home.title": {"nl": "Welkom, {name}", "en": "Welcome, {name}"},
    "home.intro": {"nl": "Dit zijn de pagina's voor uw rol als {role}.", "en": "These are the pages for your role "
                                                                             "as {role}."},
    "home.none": {"nl": "Voor uw rol zijn er geen pagina's in de browser. U werkt met de API; de documentatie staat "
                        "op /docs.",
                  "en": "There are no browser pages for your role. You work with the API; its documentation is at "
                        "/docs."},
    # Nieuwe zaken (pages/cases.py): the caseworker's list, a case, the decision, the citizen's letter
    "cases.title": {"nl": "Nieuwe zaken", "en": "New cases"},
    "cases.intro": {"nl": "Deze zaken wachten op uw besluit. De nieuwste staat bovenaan.",
                    "en": "These cases wait for your decision. The newest is at the top."},
    "cases.caption": {"nl": "{n} zaken wachten op een besluit.", "en": "{n} cases wait for a decision."},
    "cases.limited": {"nl": "U ziet de nieuwste {n}.", "en": "You see the newest {n}."},
    "cases.empty": {"nl": "Er wachten geen zaken op een besluit.", "en": "No cases are waiting for a decision."},
    "cases.case": {"nl": "Zaak", "en": "Case"},
    "cases.team": {"nl": "Team", "en": "Team"},
    "cases.received": {"nl": "Binnengekomen", "en": "Received"},
    "case.title": {"nl": "Zaak {case}", "en": "Case {case}"},
    "case.back": {"nl": "Terug naar Nieuwe zaken", "en": "Back to New cases"},
    "case.advice": {"nl": "Advies", "en": "Advice"},
    "case.suggested": {"nl": "Het model schat de zwaarte van deze zaak in als {effort} (kans {p}).",
                       "en": "The model estimates the effort of this case as {effort} (probability {p})."},
    "case.integrated": {"nl": "Kans dat een integrale aanpak met andere teams nodig is: {p}.",
                        "en": "Probability that an integrated approach with other teams is needed: {p}."},
    "case.reasons": {"nl": "Belangrijkste redenen", "en": "Main reasons"},
    "case.reasons_intro": {"nl": "Een balk naar rechts maakt dit advies waarschijnlijker, een balk naar links "
                                 "minder waarschijnlijk. Hoe langer de balk, hoe groter de invloed.",
                           "en": "A bar to the right makes this advice more likely, a bar to the left less likely. "
                                 "The longer the bar, the larger the influence."},
    "case.reasons_caption": {"nl": "Redenen voor het advies, met hun invloed",
                             "en": "Reasons for the advice, with their influence"},
    "case.chart_title": {"nl": "Invloed van de belangrijkste redenen op het advies",
                         "en": "Influence of the main reasons on the advice"},
    "case.chart_axis": {"nl": "bijdrage aan het advies", "en": "contribution to the advice"},
    "case.reason": {"nl": "Reden", "en": "Reason"},
    "case.value": {"nl": "Waarde bij deze zaak", "en": "Value for this case"},
    "case.influence": {"nl": "Invloed op het advies", "en": "Influence on the advice"},
    "case.direction.up": {"nl": "maakt het advies waarschijnlijker", "en": "makes the advice more likely"},
    "case.direction.down": {"nl": "maakt het advies minder waarschijnlijk", "en": "makes the advice less likely"},
    "case.model": {"nl": "Model: {name}, versie {version}.", "en": "Model: {name}, version {version}."},
    "case.decision": {"nl": "Uw besluit", "en": "Your decision"},
    "case.letter": {"nl": "Uitleg voor de inwoner (afdrukken)", "en": "Explanation for the resident (print)"},
    "effort.eenvoudig": {"nl": "eenvoudig", "en": "simple"},
    "effort.gemiddeld": {"nl": "gemiddeld", "en": "average"},
    "effort.complex": {"nl": "complex", "en": "complex"},
    "decision.outcome": {"nl": "Volgt u het advies?", "en": "Do you follow the advice?"},
    "decision.outcome.followed": {"nl": "Advies gevolgd", "en": "Advice followed"},
    "decision.outcome.deviated": {"nl": "Eigen keuze (afgeweken of geen advies)",
                                  "en": "Own choice (deviated or no advice)"},
    "decision.choice.followed": {"nl": "Ja, ik volg het advies", "en": "Yes, I follow the advice"},
    "decision.choice.deviated": {"nl": "Nee, ik wijk af van het advies", "en": "No, I deviate from the advice"},
    "decision.final_effort_class": {"nl": "Zwaarte van de zaak volgens u", "en": "Effort of the case in your view"},
    "decision.choose": {"nl": "Kies een zwaarte", "en": "Choose an effort"},
    "decision.motivation": {"nl": "Toelichting", "en": "Motivation"},
    "decision.motivation_hint": {"nl": "Verplicht als u afwijkt van het advies. Schrijf geen BSN, naam of adres op.",
                                 "en": "Required when you deviate from the advice. Do not write a BSN, name or "
                                       "address."},
    "decision.motivation_hint_own": {"nl": "Verplicht. Schrijf kort op waarom u voor deze zwaarte kiest. Schrijf "
                                           "geen BSN, naam of adres op.",
                                     "en": "Required. Briefly write why you choose this effort. Do not write a BSN, "
                                           "name or address."},
    "decision.submit": {"nl": "Besluit vastleggen", "en": "Record decision"},
    "decision.at": {"nl": "Vastgelegd op", "en": "Recorded on"},
    "decision.recorded": {"nl": "Uw besluit is vastgelegd.", "en": "Your decision has been recorded."},
    "decision.conflict": {"nl": "Voor deze zaak is al een besluit vastgelegd. Er is niets veranderd.",
                          "en": "A decision was already recorded for this case. Nothing was changed."},
    "decision.errors": {"nl": "Het besluit is nog niet vastgelegd", "en": "The decision has not been recorded yet"},
    "decision.error.outcome": {"nl": "Kies of u het advies volgt of ervan afwijkt.",
                               "en": "Choose whether you follow the advice or deviate from it."},
    "decision.error.final_effort_class": {"nl": "Kies de zwaarte van de zaak.", "en": "Choose the effort of the case."},
    "decision.error.motivation_required": {"nl": "Schrijf op waarom u afwijkt. Dat is verplicht.",
                                           "en": "Write down why you deviate. This is required."},
    "decision.error.motivation_long": {"nl": "De toelichting is te lang (meer dan 4000 tekens).",
                                       "en": "The motivation is too long (more than 4000 characters)."},
    "decision.error.bsn": {"nl": "De toelichting lijkt een BSN te bevatten. Laat dat weg.",
                           "en": "The motivation seems to contain a BSN. Leave it out."},
    "decision.error.nothing_to_follow": {"nl": "Er is geen advies om te volgen. Kies zelf een zwaarte.",
                                         "en": "There is no advice to follow. Choose an effort yourself."},
    "decision.error.differs_from_suggestion": {"nl": "U volgt het advies, maar kiest een andere zwaarte. Kies de "
                                                     "zwaarte van het advies, of kies dat u afwijkt.",
                                               "en": "You follow the advice but chose another effort. Choose the "
                                                     "advised effort, or choose to deviate."},
    "decision.error.equals_suggestion": {"nl": "U wijkt af, maar kiest dezelfde zwaarte als het advies. Kies een "
                                               "andere zwaarte, of kies dat u het advies volgt.",
                                         "en": "You deviate but chose the advised effort. Choose another effort, or "
                                               "choose to follow the advice."},
    "letter.title": {"nl": "Uitleg bij uw aanvraag", "en": "Explanation of your application"},
    "letter.back": {"nl": "Terug naar de zaak", "en": "Back to the case"},
    "letter.print_hint": {"nl": "Druk deze uitleg af met de afdrukknop van uw browser (Ctrl+P).",
                          "en": "Print this explanation with your browser's print button (Ctrl+P)."},
    "letter.case": {"nl": "Zaaknummer", "en": "Case number"},
    # Errors
    "error.forbidden.title": {"nl": "Geen toegang", "en": "No access"},
    "error.forbidden.text": {"nl": "Deze pagina is niet voor uw rol ({role}). Ga terug naar uw startpagina.",
                             "en": "This page is not for your role ({role}). Go back to your start page."},
    "error.csrf.title": {"nl": "Formulier verlopen", "en": "Form expired"},
    "error.csrf.text": {"nl": "Het formulier is verlopen of kwam niet van deze site. Er is niets opgeslagen. Open de "
                              "pagina opnieuw en probeer het nog een keer.",
                        "en": "The form expired or did not come from this site. Nothing was saved. Open the page "
                              "again and try once more."},
    "error.not_found.title": {"nl": "Niet gevonden", "en": "Not found"},
    "error.not_found.text": {"nl": "Deze zaak bestaat niet (meer).", "en": "This case does not exist (any more)."},
    "error.back_home": {"nl": "Naar de startpagina", "en": "To the start page"},
}


def translate(key: str, lang: Lang, **values: object) -> str:
    """The catalog text for ``key`` in ``lang``, with ``{name}`` placeholders filled in."""
    text = CATALOG[key][lang]
    return text.format(**values) if values else text


def requested_lang(request: Request) -> Lang | None:
    """The language asked for in this request's query string, if it is one we have."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGS else None  # type: ignore[return-value]


def page_lang(request: Request) -> Lang:
    """Query string first (a switch), then the remembered choice, then Dutch."""
    remembered = request.cookies.get(LANG_COOKIE)
    return requested_lang(request) or (remembered if remembered in LANGS else DEFAULT_LANG)  # type: ignore[return-value]


def effort_label(effort_class: str, lang: Lang) -> str:
    """The catalog's word for an effort class; a municipality's own class name is shown as given."""
    key = f"effort.{effort_class}"
    return translate(key, lang) if key in CATALOG else effort_class.replace("_", " ")
