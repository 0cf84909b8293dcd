"""The system card of one model version: the Algoritmekader answered from what the system did.

The card follows the format of the government's Algorithm Management Toolkit (MinBZK/amt,
``SystemCard``: ``ai_act_profile``, ``provenance``, ``labels``, ``instruments``,
``requirements``, ``measures``, ``assessments`` with ``contents``), and every requirement and
instrument answer fills the registry's own ``template`` (requirement / question, answer, remarks,
status, timestamp, authors). Werkwijzer adds per entry what a reviewer needs: ``state``
(``evidenced``, ``open``, ``not_applicable``), ``applicability`` with its reason, the
``evidence`` (sources) an answer rests on and, when open, the role it waits for (``open_for``).

Which requirements apply follows from the system's facts (:func:`facts_for`) and each
requirement's ``ai_act_profile`` in the registry, as AMT matches them: a requirement applies when
it always applies, or when one of its profiles admits the system's type, risk group and roles
(an empty list admits everything). No answer is written without the facts its rule needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from explain import evidence as ek
from explain.evidence import Evidence, Source
from explain.systemcard_rules import INSTRUMENT_QUESTIONS, REQUIREMENTS, ROLE_BY_LAW, ROLES, Rule, Unmet
from werkwijzer.i18n import translate
from werkwijzer.standards.task_registry import SOURCE, Instrument, Requirement, TaskRegistry

SCHEMA_VERSION = "0.1a10"  # AMT's SystemCard schema version this card follows
EVIDENCED, OPEN, NOT_APPLICABLE = "evidenced", "open", "not_applicable"


def status_word(state: str, lang: str = "nl") -> str:
    """An entry's state in words (``beantwoord uit bewijs``, ``open``, ``niet van toepassing``)."""
    return translate(f"systemcard.status.{state}", lang)


AUTHOR = {"name": "werkwijzer evidence", "email": "", "role": "geautomatiseerd, uit bewijs van het systeem"}


@dataclass(frozen=True)
class SystemFacts:
    """What the AI Act and the Algoritmekader ask of a system, with the reason for each value."""

    type: str
    risk_group: str
    roles: tuple[str, ...]
    open_source: str
    systemic_risk: str
    transparency_obligations: str
    profiling: bool
    automated_decision: bool
    reasons: Mapping[str, str]
    instruments: Mapping[str, str]  # instrument key -> why it applies

    def profile(self) -> dict[str, Any]:
        """The card's ``ai_act_profile`` (AMT: one value per field, at most two roles)."""
        return {
            "type": self.type,
            "open_source": self.open_source,
            "risk_group": self.risk_group,
            "systemic_risk": self.systemic_risk,
            "transparency_obligations": self.transparency_obligations,
            "role": list(self.roles),
            "conformity_assessment_body": "",
        }

    def values(self, field: str) -> set[str]:
        mapping = {
            "type": {self.type},
            "risk_group": {self.risk_group},
            "role": set(self.roles),
            "open_source": {self.open_source},
            "systemic_risk": {self.systemic_risk},
            "transparency_obligations": {self.transparency_obligations},
        }
        return mapping.get(field, set())


_COMMON = {
    "role": (
        "De gemeente traint het model op eigen gegevens en zet het zelf in: zij is aanbieder en "
        "gebruiksverantwoordelijke."
    ),
    "open_source": "Werkwijzer is open source (EUPL-1.2).",
    "systemic_risk": "Geen AI-model voor algemene doeleinden, dus geen systeemrisico.",
    "transparency_obligations": (
        "Het systeem praat niet zelf met inwoners en maakt geen beelden of teksten die "
        "voor echt kunnen doorgaan (AI-verordening art. 50)."
    ),
}


def facts_for(model_name: str) -> SystemFacts:
    """The facts of a Werkwijzer model: triage advice is high-risk, the intake forecast is not."""
    common: dict[str, Any] = {
        "roles": ("aanbieder", "gebruiksverantwoordelijke"),
        "open_source": "open-source",
        "systemic_risk": "geen systeemrisico",
        "transparency_obligations": "geen transparantieverplichting",
    }
    if model_name.startswith("werkwijzer-triage-"):
        return SystemFacts(
            type="AI-systeem",
            risk_group="hoog-risico AI",
            profiling=True,
            automated_decision=False,
            **common,
            reasons={
                **_COMMON,
                "type": ("Een lerend model dat uit gegevens van een zaak een advies afleidt (AI-verordening art. 3)."),
                "risk_group": (
                    "Het advies gaat over de toegang tot essentiële publieke diensten en uitkeringen "
                    "(bijlage III, punt 5a). Het beoordeelt persoonlijke omstandigheden (profilering), "
                    "dus de uitzondering van art. 6 lid 3 geldt niet."
                ),
                "profiling": "Ja: het advies schat in hoeveel hulp iemand nodig heeft (AVG art. 4 lid 4).",
                "automated_decision": (
                    "Nee: het model adviseert, een medewerker beslist en kan altijd afwijken (AVG art. 22)."
                ),
            },
            instruments={
                "iama": "Hoog-risico en impactvol: de grondrechtenbeoordeling (AI-verordening art. 27) "
                "doet de gemeente met het IAMA.",
                "aiia": "Een AI-systeem: de AI Impact Assessment van de Rijksoverheid helpt de afweging.",
                "td": "Aanbieder van een hoog-risico-AI-systeem: technische documentatie (bijlage IV).",
                "ca": "Aanbieder van een hoog-risico-AI-systeem: conformiteitsbeoordeling (art. 43).",
            },
        )
    return SystemFacts(
        type="AI-systeem",
        risk_group="geen hoog-risico AI",
        profiling=False,
        automated_decision=False,
        **common,
        reasons={
            **_COMMON,
            "type": "Een lerend model (onder meer gradient boosting) dat de instroom per team voorspelt.",
            "risk_group": (
                "Het voorspelt werk per team voor de planning, niet iets over personen; het valt "
                "onder geen enkel punt van bijlage III."
            ),
            "profiling": "Nee: het gebruikt alleen aantallen per team en week, geen gegevens over personen.",
            "automated_decision": "Nee: teamleiders gebruiken de prognose voor hun planning.",
        },
        instruments={"aiia": "Een AI-systeem: de AI Impact Assessment van de Rijksoverheid helpt de afweging."},
    )


def applicability(requirement: Requirement, facts: SystemFacts) -> tuple[bool, str]:
    """Whether ``requirement`` applies to a system with ``facts``, and why (Dutch)."""
    if requirement.always_applicable:
        return True, "Geldt voor elk algoritme (always_applicable in het Algoritmekader)."
    misses = []
    for profile in requirement.ai_act_profile:
        miss = [
            f"{field}: vereist {' of '.join(allowed)}, dit systeem is {', '.join(sorted(facts.values(field)))}"
            for field, allowed in profile.items()
            if allowed and field in ("type", "risk_group", "role") and not set(allowed) & facts.values(field)
        ]
        if not miss:
            shown = "; ".join(f"{f} {', '.join(v)}" for f, v in profile.items() if v) or "geen voorwaarden"
            return True, f"Het AI-verordeningsprofiel van de vereiste past bij dit systeem ({shown})."
        misses.append("; ".join(miss))
    return False, "Niet van toepassing: " + " | ".join(misses) + "."


def _role(key: str) -> dict[str, str]:
    nl, en, registry_role = ROLES[key]
    return {"role": registry_role, "label_nl": nl, "label_en": en}


def _answer(rule: Rule | None, evidence: Evidence) -> tuple[str, str, list[Source], str]:
    """(state, answer, sources, remarks) of one question from its rule and the evidence."""
    if rule is None:
        return OPEN, "", [], "Geen bewijs in het systeem dat deze vraag beantwoordt; een mens vult dit in."
    missing = [key for key in rule.needs if not evidence.has(key)]
    if missing:
        reasons: dict[str, list[str]] = {}
        for key in missing:
            reasons.setdefault(evidence.missing.get(key, "niet gevonden"), []).append(key)
        why = "; ".join(f"{', '.join(keys)}: {reason}" for reason, keys in reasons.items())
        return OPEN, "", [], f"Ontbrekend bewijs — {why}."
    try:
        text = rule.write(evidence)
    except Unmet as finding:
        sources = [evidence.facts[key].source for key in rule.needs]
        return OPEN, "", sources, f"Het bewijs laat zien dat dit nog niet in orde is: {finding}."
    sources = [evidence.facts[key].source for key in (*rule.needs, *rule.cites) if evidence.has(key)]
    sources += [evidence.test(name) for name in rule.tests]
    return EVIDENCED, text, sources, ""


def _entry(state: str, answer: str, sources: Sequence[Source], remarks: str, timestamp: str) -> dict[str, Any]:
    return {
        "answer": answer,
        "remarks": remarks,
        "status": status_word(state),
        "state": state,
        "timestamp": timestamp,
        "authors": [AUTHOR] if state == EVIDENCED else [],
        "evidence": [s.as_dict() for s in sources],
    }


def requirement_entries(
    registry: TaskRegistry, facts: SystemFacts, evidence: Evidence, timestamp: str
) -> list[dict[str, Any]]:
    entries = []
    for requirement in registry.requirements:
        key = requirement.urn.rsplit(":", 1)[-1]
        applies, reason = applicability(requirement, facts)
        rule = REQUIREMENTS.get(key)
        if applies:
            state, answer, sources, remarks = _answer(rule, evidence)
        else:
            state, answer, sources, remarks = NOT_APPLICABLE, "", [], ""
        entry = {
            "urn": requirement.urn,
            "version": requirement.version,
            "requirement": requirement.name,
            "url": requirement.url,
            "applicability": {"applicable": applies, "reason": reason},
            **_entry(state, answer, sources, remarks, timestamp),
        }
        if state == OPEN:
            entry["open_for"] = _role(rule.role if rule else ROLE_BY_LAW.get(key.split("-")[0], "model_owner"))
        entries.append(entry)
    return entries


def assessment(instrument: Instrument, reason: str, evidence: Evidence, timestamp: str) -> dict[str, Any]:
    contents = []
    for task in instrument.tasks:
        rule = INSTRUMENT_QUESTIONS.get(task.urn.removeprefix("urn:nl:aivt:tr:"))
        state, answer, sources, remarks = _answer(rule, evidence)
        content = {
            "question": task.question,
            "urn": task.urn,
            "topic": task.topic,
            **_entry(state, answer, sources, remarks, timestamp),
        }
        if state == OPEN:
            suggested = task.suggested_roles[0] if task.suggested_roles else "Projectleider"
            content["open_for"] = (
                _role(rule.role)
                if rule
                else {"role": suggested.lower(), "label_nl": suggested.lower(), "label_en": suggested}
            )
        contents.append(content)
    return {"name": instrument.name, "urn": instrument.urn, "date": timestamp, "reason": reason, "contents": contents}


def counts(entries: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {state: sum(e["state"] == state for e in entries) for state in (EVIDENCED, OPEN, NOT_APPLICABLE)}


def build_card(
    *,
    registry: TaskRegistry,
    evidence: Evidence,
    facts: SystemFacts,
    description: str,
    version: str,
    run_id: str,
    timestamp: str,
) -> dict[str, Any]:
    """The system card as a JSON-serialisable dict (see the module docstring)."""
    requirements = requirement_entries(registry, facts, evidence, timestamp)
    assessments = [
        assessment(registry.instrument(key), reason, evidence, timestamp) for key, reason in facts.instruments.items()
    ]
    questions = [c for a in assessments for c in a["contents"]]
    return {
        "schema_version": SCHEMA_VERSION,
        "name": evidence.model_name,
        "description": description,
        "status": evidence[ek.REGISTER].get("status", "") if evidence.has(ek.REGISTER) else "",
        "ai_act_profile": facts.profile(),
        "ai_act_profile_reasons": dict(facts.reasons),
        "system_facts": {"profiling": facts.profiling, "automated_decision": facts.automated_decision},
        "provenance": {
            "git_commit_hash": evidence.code_version,
            "timestamp": timestamp,
            "uri": f"runs:/{run_id}",
            "author": AUTHOR["name"],
        },
        "labels": [
            {"name": "model_version", "value": version},
            {"name": "run_id", "value": run_id},
            {"name": "task_registry", "value": SOURCE},
        ],
        "instruments": [
            {"urn": registry.instrument(key).urn, "version": registry.instrument(key).version}
            for key in facts.instruments
        ],
        "requirements": requirements,
        "measures": [],
        "assessments": assessments,
        "summary": {"requirements": counts(requirements), "questions": counts(questions)},
    }
