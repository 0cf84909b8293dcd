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
    "decision.error.motivation_own": {"nl": "Schrijf op waarom u voor deze zwaarte kiest. Dat is verplicht.",
                                      "en": "Write down why you choose this effort. This is required."},
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
    "case.objection": {"nl": "Bezwaar of klacht van de inwoner vastleggen", "en": "Record the resident's objection "
                                                                                 "or complaint"},
    "objection.title": {"nl": "Bezwaar of klacht vastleggen", "en": "Record an objection or complaint"},
    "objection.intro": {"nl": "Leg vast waar de inwoner bezwaar tegen maakt of over klaagt. Het telt mee in de "
                              "controle op het model.",
                        "en": "Record what the resident objects to or complains about. It counts in the checks on "
                              "the model."},
    "objection.kind": {"nl": "Wat is het?", "en": "What is it?"},
    "objection.kind.objection": {"nl": "Bezwaar", "en": "Objection"},
    "objection.kind.complaint": {"nl": "Klacht", "en": "Complaint"},
    "objection.summary": {"nl": "Waar gaat het over?", "en": "What is it about?"},
    "objection.summary_hint": {"nl": "Kort en zakelijk. Schrijf geen BSN, naam of adres op.",
                               "en": "Brief and factual. Do not write a BSN, name or address."},
    "objection.submit": {"nl": "Vastleggen", "en": "Record"},
    "objection.recorded": {"nl": "Het bezwaar of de klacht is vastgelegd.",
                           "en": "The objection or complaint has been recorded."},
    "objection.errors": {"nl": "Het is nog niet vastgelegd", "en": "It has not been recorded yet"},
    "objection.error.kind": {"nl": "Kies of het een bezwaar of een klacht is.",
                             "en": "Choose whether it is an objection or a complaint."},
    "objection.error.summary": {"nl": "Schrijf op waar het over gaat.", "en": "Write down what it is about."},
    "objection.error.summary_long": {"nl": "De tekst is te lang (meer dan 2000 tekens).",
                                     "en": "The text is too long (more than 2000 characters)."},
    "objection.error.bsn": {"nl": "De tekst lijkt een BSN te bevatten. Laat dat weg.",
                            "en": "The text seems to contain a BSN. Leave it out."},
    "letter.title": {"nl": "Uitleg bij uw aanvraag", "en": "Explanation of your application"},
    "letter.back": {"nl": "Terug naar de zaak", "en": "Back to the case"},
    "letter.print_hint": {"nl": "Druk deze uitleg af met de afdrukknop van uw browser (Ctrl+P).",
                          "en": "Print this explanation with your browser's print button (Ctrl+P)."},
    "letter.case": {"nl": "Zaaknummer", "en": "Case number"},
    # Capaciteit (pages/capacity.py, capacity_view.py, scenario.py): the team lead's forecast and scenario
    "nav.capacity": {"nl": "Capaciteit", "en": "Capacity"},
    "capacity.title": {"nl": "Capaciteit", "en": "Capacity"},
    "capacity.intro": {"nl": "Hoeveel zaken komen er de komende weken binnen, en hebt u daar genoeg mensen voor? "
                             "Reken zelf uit wat er verandert als er meer zaken komen of als de bezetting verandert.",
                       "en": "How many cases will come in over the coming weeks, and do you have enough people for "
                             "them? Work out what changes when more cases come in or when staffing changes."},
    "capacity.unavailable": {"nl": "Er is geen goedgekeurde prognose geladen. Vraag de modeleigenaar om een prognose "
                                   "te laten goedkeuren.",
                             "en": "No approved forecast is loaded. Ask the model owner to have a forecast approved."},
    "capacity.no_teams": {"nl": "Er zijn nog geen teams aan u gekoppeld. Vraag de beheerder om uw teams toe te voegen.",
                          "en": "No teams have been assigned to you yet. Ask the administrator to add your teams."},
    "capacity.model": {"nl": "Prognosemodel: {name}, versie {version}.", "en": "Forecast model: {name}, version "
                                                                             "{version}."},
    "capacity.axis.week": {"nl": "week (maandag)", "en": "week (Monday)"},
    "capacity.axis.cases": {"nl": "zaken per week", "en": "cases per week"},
    "capacity.axis.fte": {"nl": "FTE", "en": "FTE"},
    "capacity.legend.history": {"nl": "werkelijke instroom", "en": "actual intake"},
    "capacity.legend.forecast": {"nl": "verwachting", "en": "forecast"},
    "capacity.legend.band_80": {"nl": "80 %-bandbreedte", "en": "80% interval"},
    "capacity.legend.band_95": {"nl": "95 %-bandbreedte", "en": "95% interval"},
    "capacity.legend.needed": {"nl": "FTE nodig", "en": "FTE needed"},
    "capacity.legend.available": {"nl": "FTE beschikbaar", "en": "FTE available"},
    "capacity.legend.risk": {"nl": "week met risico", "en": "week at risk"},
    "capacity.forecast.heading": {"nl": "Instroom: wat er verwacht wordt", "en": "Intake: what is expected"},
    "capacity.forecast.title": {"nl": "Instroom van {team}: werkelijk en verwacht",
                                "en": "Intake of {team}: actual and expected"},
    "capacity.forecast.desc": {"nl": "In de afgelopen {past} weken kwamen er gemiddeld {past_mean} zaken per week "
                                     "binnen bij {team}. Voor de komende {weeks} weken verwachten we gemiddeld {mean} "
                                     "zaken per week. In 80 van de 100 gevallen ligt het aantal tussen {lo} en {hi}.",
                               "en": "Over the past {past} weeks, {team} received on average {past_mean} cases a "
                                     "week. For the next {weeks} weeks we expect on average {mean} cases a week. In "
                                     "80 out of 100 cases the number lies between {lo} and {hi}."},
    "capacity.forecast.scenario_note": {"nl": "Deze grafiek toont de verwachting van het model, zonder scenario. De "
                                              "verandering van de instroom ({demand}) zit in de bezetting hieronder.",
                                        "en": "This chart shows the model's forecast, without the scenario. The "
                                              "change in intake ({demand}) is in the staffing below."},
    "capacity.forecast.caption": {"nl": "Verwachte instroom per week (aantal zaken)",
                                  "en": "Expected intake per week (number of cases)"},
    "capacity.table.show": {"nl": "Toon de cijfers als tabel", "en": "Show the figures as a table"},
    "capacity.col.week": {"nl": "Week", "en": "Week"},
    "capacity.col.expected": {"nl": "Verwacht", "en": "Expected"},
    "capacity.col.intake": {"nl": "Instroom (zaken)", "en": "Intake (cases)"},
    "capacity.col.needed": {"nl": "FTE nodig", "en": "FTE needed"},
    "capacity.col.band_80": {"nl": "FTE nodig, 80 %-bandbreedte", "en": "FTE needed, 80% interval"},
    "capacity.col.available": {"nl": "FTE beschikbaar", "en": "FTE available"},
    "capacity.col.gap": {"nl": "Tekort (+) of over (−)", "en": "Short (+) or spare (−)"},
    "capacity.col.backlog": {"nl": "Werkvoorraad (uren)", "en": "Backlog (hours)"},
    "capacity.col.breach": {"nl": "Kans op te laat", "en": "Chance of being late"},
    "capacity.fte.heading": {"nl": "Bezetting: nodig en beschikbaar", "en": "Staffing: needed and available"},
    "capacity.fte.title": {"nl": "FTE nodig en beschikbaar bij {team}", "en": "FTE needed and available at {team}"},
    "capacity.fte.desc": {"nl": "Gemiddeld zijn er {needed} FTE per week nodig; er zijn gemiddeld {available} FTE "
                                "beschikbaar. Weken met risico op te late besluiten: {risky}.",
                          "en": "On average {needed} FTE a week are needed; on average {available} FTE are "
                                "available. Weeks at risk of late decisions: {risky}."},
    "capacity.fte.caption": {"nl": "Bezetting, werkvoorraad en kans op te late besluiten per week",
                             "en": "Staffing, backlog and chance of late decisions per week"},
    "capacity.no_norms": {"nl": "Voor dit team zijn geen normtijden of formatie bekend. Daarom is de bezetting niet "
                                "uit te rekenen; de verwachte instroom staat hierboven.",
                          "en": "No norm times or staffing are known for this team, so staffing cannot be worked "
                                "out; the expected intake is shown above."},
    "capacity.risk.label": {"nl": "Let op:", "en": "Note:"},
    "capacity.risk.short": {"nl": "risico", "en": "at risk"},
    "capacity.risk.some": {"nl": "In {n} weken is de kans {threshold} of groter dat een zaak niet op tijd een besluit "
                                 "krijgt ({term}): {weeks}.",
                           "en": "In {n} weeks the chance that a case does not get a decision in time ({term}) is "
                                 "{threshold} or more: {weeks}."},
    "capacity.risk.stretch": {"nl": "{first} tot en met {last}", "en": "{first} to {last}"},
    "capacity.risk.none": {"nl": "In geen enkele week is de kans {threshold} of groter dat een zaak niet op tijd een "
                                 "besluit krijgt ({term}).",
                           "en": "In no week is the chance that a case does not get a decision in time ({term}) "
                                 "{threshold} or more."},
    "capacity.risk.no_term": {"nl": "Voor dit team geldt geen wettelijke termijn ({basis}).",
                              "en": "No statutory term applies to this team ({basis})."},
    "capacity.backlog.none": {"nl": "Er blijft geen werk liggen: elke week is er genoeg tijd voor de nieuwe zaken.",
                              "en": "No work is left over: every week there is enough time for the new cases."},
    "capacity.backlog.some": {"nl": "Er blijft werk liggen. Aan het eind van {end} is de werkvoorraad naar "
                                    "verwachting {hours} uur. Het hoogst is die in {peak_week}: {peak} uur.",
                              "en": "Work is left over. At the end of {end} the backlog is expected to be {hours} "
                                    "hours. It is highest in {peak_week}: {peak} hours."},
    "capacity.drivers.heading": {"nl": "Waardoor de verwachting zo is", "en": "What drives the forecast"},
    "capacity.drivers.intro": {"nl": "Het model rekent uit hoeveel elke factor de verwachting hoger of lager maakt. "
                                     "Hieronder het gemiddelde over de komende {weeks} weken.",
                               "en": "The model works out how much each factor makes the forecast higher or lower. "
                                     "Below is the average over the next {weeks} weeks."},
    "capacity.drivers.up": {"nl": "{driver}: maakt de verwachting gemiddeld {n} zaken per week hoger.",
                            "en": "{driver}: makes the forecast on average {n} cases a week higher."},
    "capacity.drivers.down": {"nl": "{driver}: maakt de verwachting gemiddeld {n} zaken per week lager.",
                              "en": "{driver}: makes the forecast on average {n} cases a week lower."},
    "capacity.drivers.small": {"nl": "{driver}: heeft bijna geen invloed.", "en": "{driver}: has almost no influence."},
    "capacity.drivers.title": {"nl": "Invloed van elke factor op de verwachting",
                               "en": "Influence of each factor on the forecast"},
    "capacity.drivers.axis": {"nl": "invloed (zaken per week)", "en": "influence (cases per week)"},
    "capacity.drivers.legend_up": {"nl": "hoger →", "en": "higher →"},
    "capacity.drivers.legend_down": {"nl": "← lager", "en": "← lower"},
    "capacity.drivers.other_model": {"nl": "Let op: deze uitleg komt van het boosting-model. Voor dit team gebruikt de "
                                           "verwachting een ander model ({model}). De factoren geven dus een indruk, "
                                           "geen exacte verdeling.",
                                     "en": "Note: this explanation comes from the boosting model. For this team the "
                                           "forecast uses another model ({model}), so the factors give an "
                                           "impression, not an exact breakdown."},
    "capacity.drivers.none": {"nl": "Bij deze prognose is geen uitleg per factor opgeslagen.",
                              "en": "This forecast has no explanation per factor stored."},
    "forecast_model.gbm": {"nl": "boosting-model (gradient boosting)", "en": "boosting model (gradient boosting)"},
    "forecast_model.ets": {"nl": "exponentiële afvlakking (ETS)", "en": "exponential smoothing (ETS)"},
    "forecast_model.glm": {"nl": "telmodel (Poisson-regressie)", "en": "count model (Poisson regression)"},
    "forecast_model.seasonal_naive": {"nl": "zelfde week vorig jaar", "en": "same week last year"},
    "scenario.legend": {"nl": "Scenario", "en": "Scenario"},
    "scenario.hint": {"nl": "Laat een veld leeg als er niets verandert.", "en": "Leave a field empty if nothing "
                                                                            "changes."},
    "scenario.team": {"nl": "Team", "en": "Team"},
    "scenario.demand": {"nl": "Verandering instroom (%)", "en": "Change in intake (%)"},
    "scenario.demand.hint": {"nl": "Bijvoorbeeld 10 voor 10 % meer zaken, of -5 voor 5 % minder.",
                             "en": "For example 10 for 10% more cases, or -5 for 5% fewer."},
    "scenario.fte": {"nl": "Verandering bezetting (FTE)", "en": "Change in staffing (FTE)"},
    "scenario.fte.hint": {"nl": "Bijvoorbeeld 2 voor twee volledige banen erbij, of -1,5.",
                          "en": "For example 2 for two full-time jobs more, or -1.5."},
    "scenario.backlog": {"nl": "Werkvoorraad nu (uren)", "en": "Backlog now (hours)"},
    "scenario.backlog.hint": {"nl": "De uren werk die nu al openstaan. Leeg is 0.",
                              "en": "The hours of work already open now. Empty is 0."},
    "scenario.submit": {"nl": "Reken door", "en": "Calculate"},
    "scenario.reset": {"nl": "Terug naar de cijfers zonder scenario", "en": "Back to the figures without a scenario"},
    "scenario.base": {"nl": "U ziet de cijfers zonder scenario: de verwachting en de bezetting zoals ze zijn.",
                      "en": "You see the figures without a scenario: the forecast and staffing as they are."},
    "scenario.active": {"nl": "U ziet een scenario: instroom {demand}, bezetting {fte} FTE, werkvoorraad nu {backlog} "
                              "uur.",
                        "en": "You see a scenario: intake {demand}, staffing {fte} FTE, backlog now {backlog} "
                              "hours."},
    "scenario.not_applied": {"nl": "Het scenario is niet doorgerekend. U ziet de cijfers zonder scenario. Verbeter "
                                   "de velden hierboven.",
                             "en": "The scenario was not calculated. You see the figures without a scenario. Correct "
                                   "the fields above."},
    "scenario.errors": {"nl": "Het scenario is nog niet doorgerekend", "en": "The scenario has not been calculated "
                                                                             "yet"},
    "scenario.error.team": {"nl": "Kies een team uit de lijst.", "en": "Choose a team from the list."},
    "scenario.error.demand.number": {"nl": "Vul bij instroom een getal in, bijvoorbeeld 10 of -5.",
                                     "en": "Enter a number for intake, for example 10 or -5."},
    "scenario.error.demand.range": {"nl": "De verandering van de instroom moet tussen -90 en 500 procent liggen.",
                                    "en": "The change in intake must be between -90 and 500 percent."},
    "scenario.error.fte.number": {"nl": "Vul bij bezetting een getal in, bijvoorbeeld 2 of -1,5.",
                                  "en": "Enter a number for staffing, for example 2 or -1.5."},
    "scenario.error.fte.range": {"nl": "De verandering van de bezetting moet tussen -500 en 500 FTE liggen.",
                                 "en": "The change in staffing must be between -500 and 500 FTE."},
    "scenario.error.backlog.number": {"nl": "Vul bij werkvoorraad een getal in, bijvoorbeeld 120.",
                                      "en": "Enter a number for backlog, for example 120."},
    "scenario.error.backlog.range": {"nl": "De werkvoorraad moet 0 uur of meer zijn (en kleiner dan 10 miljoen).",
                                     "en": "The backlog must be 0 hours or more (and less than 10 million)."},
    # Modellen (pages/models.py, models_view.py, forms.SwitchForm): model owner, auditor, administrator
    "nav.models": {"nl": "Modellen", "en": "Models"},
    "models.title": {"nl": "Modellen", "en": "Models"},
    "models.intro": {"nl": "Welke modellen in gebruik zijn, of ze door alle controles kwamen, hoe eerlijk ze zijn, "
                           "en hoe vaak medewerkers het advies volgen.",
                     "en": "Which models are in use, whether they passed every check, how fair they are, and how "
                           "often caseworkers follow the advice."},
    "models.contents": {"nl": "Op deze pagina", "en": "On this page"},
    "models.name.werkwijzer-triage-effort_class": {"nl": "Advies over de zwaarte van een zaak",
                                                   "en": "Advice on the effort of a case"},
    "models.name.werkwijzer-triage-integrated_approach": {"nl": "Advies over een integrale aanpak",
                                                          "en": "Advice on an integrated approach"},
    "models.name.werkwijzer-forecast": {"nl": "Prognose van de instroom", "en": "Intake forecast"},
    "models.registered_name": {"nl": "Naam in het register", "en": "Registered name"},
    "models.version": {"nl": "Versie", "en": "Version"},
    "models.version_loaded": {"nl": "versie {version}, geladen op {at}", "en": "version {version}, loaded on {at}"},
    "models.not_loaded": {"nl": "geen goedgekeurde versie geladen", "en": "no approved version loaded"},
    "models.advice": {"nl": "Advies aan medewerkers", "en": "Advice to caseworkers"},
    "models.advice.on": {"nl": "aan", "en": "on"},
    "models.advice.off": {"nl": "uit (stopknop)", "en": "off (stop button)"},
    "models.risk": {"nl": "Risicoklasse", "en": "Risk class"},
    "models.mlflow": {"nl": "In MLflow", "en": "In MLflow"},
    "models.mlflow.run": {"nl": "trainingsrun van versie {version}", "en": "training run of version {version}"},
    "models.mlflow.version": {"nl": "versie {version} in het register", "en": "version {version} in the registry"},
    "models.gates": {"nl": "Controles voor goedkeuring", "en": "Approval checks"},
    "models.gates.intro": {"nl": "Een versie wordt alleen gebruikt als ze door elke controle komt. De reden staat "
                                 "erbij zoals de training die vastlegde (in het Engels).",
                           "en": "A version is used only when it passes every check. The reason is shown as the "
                                 "training recorded it."},
    "models.gates.caption": {"nl": "Controles van versie {version}", "en": "Checks of version {version}"},
    "models.gates.gate": {"nl": "Controle", "en": "Check"},
    "models.gates.result": {"nl": "Uitkomst", "en": "Result"},
    "models.gates.why": {"nl": "Waarom", "en": "Why"},
    "models.gates.passed": {"nl": "geslaagd", "en": "passed"},
    "models.gates.failed": {"nl": "niet geslaagd", "en": "failed"},
    "gate.performance": {"nl": "Beter dan raden", "en": "Better than guessing"},
    "gate.proxy": {"nl": "Geen verkapte persoonskenmerken", "en": "No hidden personal characteristics"},
    "gate.fairness": {"nl": "Eerlijkheid tussen groepen", "en": "Fairness between groups"},
    "gate.registry": {"nl": "Algoritmeregister compleet", "en": "Algorithm register complete"},
    "gate.shap_additivity": {"nl": "Uitleg klopt met het model", "en": "Explanation matches the model"},
    "gate.beats_seasonal_naive": {"nl": "Beter dan 'zelfde week vorig jaar'", "en": "Better than 'same week last "
                                                                                    "year'"},
    "gate.backtest": {"nl": "Terugtoets", "en": "Backtest"},
    "gate.checks.backtest": {"nl": "Voorspelde het model het verleden goed genoeg?",
                             "en": "Did the model forecast the past well enough?"},
    "gate.checks.performance": {"nl": "Voorspelt het model beter dan alleen het gemiddelde?",
                                "en": "Does the model predict better than the average alone?"},
    "gate.checks.proxy": {"nl": "Gebruikt het model geen kenmerk dat een beschermd kenmerk verraadt?",
                          "en": "Does the model use no feature that gives away a protected characteristic?"},
    "gate.checks.fairness": {"nl": "Maakt het model niet vaker fouten bij de ene groep dan bij de andere?",
                             "en": "Does the model not make more errors for one group than for another?"},
    "gate.checks.registry": {"nl": "Is de tekst voor het Algoritmeregister volledig en geldig?",
                             "en": "Is the Algorithm register entry complete and valid?"},
    "gate.checks.shap_additivity": {"nl": "Tellen de redenen precies op tot de uitkomst van het model?",
                                    "en": "Do the reasons add up exactly to the model's output?"},
    "gate.checks.beats_seasonal_naive": {"nl": "Voorspelde het model in het verleden beter dan dezelfde week een jaar "
                                               "eerder?",
                                         "en": "Did the model forecast the past better than the same week a year "
                                               "earlier?"},
    "models.fairness": {"nl": "Eerlijkheid", "en": "Fairness"},
    "models.fairness.passed": {"nl": "De eerlijkheidscontrole is geslaagd.", "en": "The fairness check passed."},
    "models.fairness.failed": {"nl": "De eerlijkheidscontrole is niet geslaagd.", "en": "The fairness check failed."},
    "models.fairness.counts": {"nl": "Verschillen buiten de grens: {violations}. Niet te beoordelen (te weinig zaken): "
                                     "{not_assessable}.",
                               "en": "Differences outside the band: {violations}. Not assessable (too few cases): "
                                     "{not_assessable}."},
    "models.fairness.caption": {"nl": "Uitkomsten per groep (testgegevens)", "en": "Outcomes per group (test data)"},
    "models.fairness.class": {"nl": "Advies", "en": "Advice"},
    "models.fairness.attribute": {"nl": "Kenmerk", "en": "Characteristic"},
    "models.fairness.group": {"nl": "Groep", "en": "Group"},
    "models.fairness.n": {"nl": "Zaken", "en": "Cases"},
    "models.fairness.selection_rate": {"nl": "Aandeel geselecteerd", "en": "Selection rate"},
    "models.fairness.fpr": {"nl": "Onterecht geselecteerd (FPR)", "en": "False positive rate"},
    "models.fairness.fnr": {"nl": "Onterecht gemist (FNR)", "en": "False negative rate"},
    "models.fairness.suppressed": {"nl": "Een streepje betekent: minder dan 10 zaken in een cel, dus niet getoond.",
                                   "en": "A dash means: fewer than 10 cases in a cell, so not shown."},
    "models.card": {"nl": "Modelkaart", "en": "Model card"},
    "models.register.download": {"nl": "Download de tekst voor het Algoritmeregister (JSON, versie {version})",
                                 "en": "Download the Algorithm register entry (JSON, version {version})"},
    "models.register.missing": {"nl": "Voor dit model is geen tekst voor het Algoritmeregister geladen.",
                                "en": "No Algorithm register entry is loaded for this model."},
    "models.versions": {"nl": "Alle versies", "en": "All versions"},
    "models.versions.caption": {"nl": "Geregistreerde versies, nieuwste eerst", "en": "Registered versions, newest "
                                                                                      "first"},
    "models.versions.status": {"nl": "In gebruik", "en": "In use"},
    "models.versions.champion": {"nl": "ja (champion)", "en": "yes (champion)"},
    "models.versions.gates": {"nl": "Controles", "en": "Checks"},
    "models.overrides.heading": {"nl": "Volgen medewerkers het advies?", "en": "Do caseworkers follow the advice?"},
    "models.overrides.intro": {"nl": "Volgen medewerkers het advies bijna altijd, dan kijken ze misschien niet meer "
                                     "zelf. Vanaf {agreement} gevolgd en minstens {min} besluiten geven we een "
                                     "signaal.",
                               "en": "When caseworkers almost always follow the advice, they may no longer judge for "
                                     "themselves. From {agreement} followed and at least {min} decisions we give a "
                                     "signal."},
    "models.overrides.totals": {"nl": "Besluiten met advies: {advised}. Besluiten zonder advies: {unadvised}.",
                                "en": "Decisions with advice: {advised}. Decisions without advice: {unadvised}."},
    "models.overrides.none": {"nl": "Er zijn nog geen besluiten over zaken met advies.",
                              "en": "There are no decisions yet on cases with advice."},
    "models.overrides.by.team": {"nl": "Per team", "en": "Per team"},
    "models.overrides.by.model_version": {"nl": "Per modelversie", "en": "Per model version"},
    "models.overrides.by.score_band": {"nl": "Per zekerheid van het advies (kans)", "en": "Per certainty of the "
                                                                                      "advice (probability)"},
    "models.overrides.key.team": {"nl": "Team", "en": "Team"},
    "models.overrides.key.model_version": {"nl": "Versie", "en": "Version"},
    "models.overrides.key.score_band": {"nl": "Kans", "en": "Probability"},
    "models.overrides.decisions": {"nl": "Besluiten", "en": "Decisions"},
    "models.overrides.agreement": {"nl": "Gevolgd", "en": "Followed"},
    "models.overrides.override": {"nl": "Afgeweken", "en": "Deviated"},
    "models.overrides.objections": {"nl": "Bezwaren", "en": "Objections"},
    "models.overrides.signal": {"nl": "Signaal", "en": "Signal"},
    "models.overrides.alert": {"nl": "advies wordt mogelijk blind gevolgd", "en": "advice may be followed blindly"},
    "models.switch.heading": {"nl": "Stopknop", "en": "Stop button"},
    "models.switch.intro": {"nl": "Met de stopknop zet u het advies uit, voor één model of voor alle modellen. "
                                  "Medewerkers krijgen dan geen advies meer; al het andere werkt gewoon door.",
                            "en": "The stop button switches advice off, for one model or for all models. "
                                  "Caseworkers then get no advice; everything else keeps working."},
    "models.switch.caption": {"nl": "Staat van het advies nu", "en": "State of the advice now"},
    "models.switch.scope": {"nl": "Voor", "en": "For"},
    "models.switch.state": {"nl": "Advies", "en": "Advice"},
    "models.switch.global": {"nl": "Alle modellen", "en": "All models"},
    "models.switch.what": {"nl": "Wat wilt u doen?", "en": "What do you want to do?"},
    "models.switch.enabled.false": {"nl": "Advies uitzetten", "en": "Switch advice off"},
    "models.switch.enabled.true": {"nl": "Advies weer aanzetten", "en": "Switch advice back on"},
    "models.switch.reason": {"nl": "Reden", "en": "Reason"},
    "models.switch.reason_hint": {"nl": "Verplicht. De reden komt in het logboek (audit trail).",
                                  "en": "Required. The reason goes into the audit trail."},
    "models.switch.submit": {"nl": "Vastleggen", "en": "Record"},
    "models.switch.done": {"nl": "De stopknop is omgezet en in het logboek vastgelegd.",
                           "en": "The stop button was switched and recorded in the audit trail."},
    "models.switch.admin_only": {"nl": "Alleen een beheerder kan de stopknop gebruiken.",
                                 "en": "Only an administrator can use the stop button."},
    "models.switch.errors": {"nl": "De stopknop is niet omgezet", "en": "The stop button was not switched"},
    "models.switch.error.scope": {"nl": "Kies voor welk model u het advies aan- of uitzet.",
                                  "en": "Choose for which model you switch advice on or off."},
    "models.switch.error.enabled": {"nl": "Kies of u het advies uit- of aanzet.",
                                    "en": "Choose whether you switch advice off or on."},
    "models.switch.error.reason": {"nl": "Schrijf op waarom u de stopknop gebruikt (hooguit 2000 tekens). Dat is "
                                         "verplicht.",
                                   "en": "Write down why you use the stop button (at most 2000 characters). This is "
                                         "required."},
    # Errors
    "error.forbidden.title": {"nl": "Geen toegang", "en": "No access"},
    "error.forbidden.text": {"nl": "Deze pagina is niet voor uw rol ({role}). Ga terug naar uw startpagina.",
                             "en": "This page is not for your role ({role}). Go back to your start page."},
    "error.csrf.title": {"nl": "Formulier verlopen", "en": "Form expired"},
    "error.csrf.text": {"nl": "Het formulier is verlopen of kwam niet van deze site. Er is niets opgeslagen. Open de "
                              "pagina opnieuw en probeer het nog een keer.",
                        "en": "The form expired or did not come from this site. Nothing was saved. Open the page "
                              "again and try once more."},
    "error.plain_http.title": {"nl": "Aanmelden lukt niet op dit adres",
                               "en": "Signing in does not work at this address"},
    "error.plain_http.text": {"nl": "Dit adres begint met http:// en niet met https://. Uw browser bewaart uw "
                                    "aanmelding dan niet, om die te beschermen. Er is niets opgeslagen. Gebruik het "
                                    "https-adres. Of open op de computer waarop Werkwijzer draait: {local}",
                              "en": "This address starts with http://, not https://. Your browser then does not "
                                    "keep your sign-in, to protect it. Nothing was saved. Use the https address, or "
                                    "on the computer that runs Werkwijzer open: {local}"},
    "error.busy.title": {"nl": "Even te druk", "en": "Too busy for a moment"},
    "error.busy.text": {"nl": "Werkwijzer kon uw verzoek nu niet afmaken. Er is niets opgeslagen. Probeer het over "
                              "een paar seconden opnieuw.",
                        "en": "Werkwijzer could not finish your request just now. Nothing was saved. Please try "
                              "again in a few seconds."},
    "error.not_found.title": {"nl": "Niet gevonden", "en": "Not found"},
    "error.not_found.text": {"nl": "Deze zaak bestaat niet (meer).", "en": "This case does not exist (any more)."},
    "error.page_not_found.text": {"nl": "Deze pagina bestaat niet. Controleer het adres of ga naar de startpagina.",
                                  "en": "This page does not exist. Check the address or go to the start page."},
    "error.back_home": {"nl": "Naar de startpagina", "en": "To the start page"},
    # Modellen: the model next to plain scikit-learn peers (issue 20; models_view.comparison_view)
    "models.peers": {"nl": "Vergelijking met eenvoudige modellen", "en": "Compared with plain models"},
    "models.peers.intro": {"nl": "Wat zouden eenvoudige modellen zonder afstemming hebben gescoord, met dezelfde "
                                 "kenmerken en dezelfde testzaken (de nieuwste 25 %)? Hoger is beter voor ROC AUC en "
                                 "PR AUC, lager voor Brier en de kalibratiefout (ECE).",
                           "en": "What would plain, untuned models have scored with the same features on the same "
                                 "test cases (the newest 25 %)? Higher is better for ROC AUC and PR AUC, lower for "
                                 "Brier and the calibration error (ECE)."},
    "models.peers.caption": {"nl": "Versie {version} naast eenvoudige modellen (scikit-learn)",
                             "en": "Version {version} next to plain models (scikit-learn)"},
    "models.peers.model": {"nl": "Model", "en": "Model"},
    "models.peers.gap": {"nl": "Verschil in ROC AUC met het beste eenvoudige model ({best}): {gap}.",
                         "en": "ROC AUC difference with the best plain model ({best}): {gap}."},
    "models.peers.behind": {"nl": "Dit model scoort lager dan een eenvoudig model. Bekijk of dat verschil te "
                                  "verantwoorden is.",
                            "en": "This model scores lower than a plain model. Check whether the difference is "
                                  "justified."},
    "models.peer.model": {"nl": "Dit model", "en": "This model"},
    "models.peer.logistic_regression": {"nl": "Logistische regressie (eenvoudig)",
                                        "en": "Logistic regression (plain)"},
    "models.peer.hist_gradient_boosting": {"nl": "Gradient boosting (eenvoudig)", "en": "Gradient boosting (plain)"},
    "models.versions.peers": {"nl": "ROC AUC: dit model / logistische regressie / gradient boosting",
                              "en": "ROC AUC: this model / logistic regression / gradient boosting"},
    # Modellen: what the gates cost (issue 20, ADR 0016; models_view.selection_view)
    "models.choice": {"nl": "Keuze van het model", "en": "Choice of the model"},
    "models.choice.no_cost": {"nl": "Het nauwkeurigste kandidaatmodel ({candidate}) haalt de toetsen. De toetsen "
                                    "kostten dus geen nauwkeurigheid.",
                              "en": "The most accurate candidate ({candidate}) passes the gates, so the gates cost "
                                    "no accuracy."},
    "models.choice.none_passes": {"nl": "Geen kandidaatmodel haalt de toetsen. Het nauwkeurigste ({candidate}) is "
                                        "vastgelegd; de toetsen houden het tegen.",
                                  "en": "No candidate passes the gates. The most accurate one ({candidate}) is "
                                        "registered; the gates refuse it."},
    "models.choice.cost": {"nl": "Het nauwkeurigste kandidaatmodel ({best}) is niet gekozen, omdat het een toets niet "
                                 "haalt. Gekozen is {kept}. Op de testzaken had {best} een ROC AUC van {auc} gehaald, "
                                 "het gekozen model {chosen} (verschil {cost}). {test}",
                           "en": "The most accurate candidate ({best}) was not taken because it fails a gate; "
                                 "{kept} was. On the test cases {best} would have reached ROC AUC {auc}, the chosen "
                                 "model {chosen} (difference {cost}). {test}"},
    "models.choice.test_passed": {"nl": "Op de testzaken zou het de eerlijkheidstoets wel halen.",
                                  "en": "On the test cases it would pass the fairness gate."},
    "models.choice.test_failed": {"nl": "Ook op de testzaken haalt het de eerlijkheidstoets niet.",
                                  "en": "On the test cases it fails the fairness gate too."},
    "models.choice.reason": {"nl": "Reden:", "en": "Reason:"},
    "models.versions.most_accurate": {"nl": "(nauwkeurigste kandidaat, niet gekozen: {auc})",
                                      "en": "(most accurate candidate, not taken: {auc})"},
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
