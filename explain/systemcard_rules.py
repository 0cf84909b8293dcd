"""Which Algoritmekader questions the system can answer from its own evidence, and how.

A :class:`Rule` names the facts it needs (``explain.evidence`` keys) and the tests that prove
the behaviour it describes, and writes the answer (Dutch, B1) from those facts alone. When a
needed fact is missing the question stays open for the rule's role; when the facts show the
requirement is not met (a broken audit chain, a failed gate, monitoring that stopped the advice)
the rule raises :class:`Unmet` and the question stays open with that finding. Questions without a
rule are open for the role the registry suggests. Nothing here is an answer on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explain import evidence as ek
from explain.evidence import Evidence
from werkwijzer.formatting import percent

# Werkwijzer role -> (Dutch label, English label, the registry's role for it).
ROLES = {
    "model_owner": ("modeleigenaar", "model owner", "gemandateerd verantwoordelijke(n)"),
    "privacy_officer": ("privacy officer (FG)", "privacy officer", "privacy-officer"),
    "ciso": ("CISO (informatiebeveiliging)", "CISO", "security officer"),
    "legal": ("jurist", "legal counsel", "jurist"),
    "archivist": ("archiefdeskundige", "records manager", "archiefdeskundige"),
    "process_owner": ("proceseigenaar", "process owner", "proceseigenaar"),
}
# Who answers an open requirement, by its law (the urn's prefix).
ROLE_BY_LAW = {
    "aia": "model_owner",
    "avg": "privacy_officer",
    "bio": "ciso",
    "awb": "legal",
    "grw": "legal",
    "arc": "archivist",
    "woo": "legal",
    "aut": "legal",
    "dat": "legal",
    "bzk": "model_owner",
}


class Unmet(Exception):
    """The evidence shows the requirement is not (yet) met; the message says what it shows."""


@dataclass(frozen=True)
class Rule:
    needs: tuple[str, ...]
    write: Callable[[Evidence], str]
    tests: tuple[str, ...] = ()
    role: str = "model_owner"
    cites: tuple[str, ...] = ()  # facts cited when present, never needed


def _pct(share: float) -> str:
    return percent(share, 0, "nl")


def _passed(ev: Evidence, gate: str) -> str:
    if gate not in ev[ek.GATES]:
        raise Unmet(f"deze versie heeft geen toets '{gate}'")
    value = str(ev[ek.GATES][gate])
    if not value.startswith("passed"):
        raise Unmet(f"de toets '{gate}' van deze versie is niet geslaagd: {value}")
    return f"de toets '{gate}' is geslaagd"


def _features(ev: Evidence) -> str:
    names = list(ev[ek.FEATURES]["names"])
    return f"{len(names)} kenmerken ({', '.join(names)})"


def _decisions(ev: Evidence) -> str:
    d = ev[ek.DECISIONS]
    if not d["decisions"]:
        raise Unmet("er is nog geen beslissing van een medewerker op dit advies vastgelegd")
    deviated = (
        f"; bij {_pct(d['deviated'] / d['advised'])} van de adviezen week de medewerker af" if d["advised"] else ""
    )
    return f"{d['decisions']} beslissingen van medewerkers vastgelegd ({d['first']} tot {d['last']}){deviated}"


def _audit(ev: Evidence) -> str:
    a = ev[ek.AUDIT]
    if not a["valid"]:
        raise Unmet(f"de controle van het logboek faalt bij regel {a['broken_at']}: {a['problem']}")
    return (
        f"het logboek (audit trail) is nu gecontroleerd: {a['entries']} regels ({a['first_seq']}–{a['last_seq']}), "
        "de keten van hashes klopt"
    )


def _monitoring(ev: Evidence) -> str:
    m = ev[ek.MONITORING]
    text = (
        f"de laatste monitoring liep over {m['period_start']} tot {m['period_end']}: "
        f"{m['findings']} signalen (opmerking/waarschuwing/stop: {m['levels']})"
    )
    if ev.model_name in m["stopped"]:
        raise Unmet(text + "; het advies van dit model is daarbij uitgezet")
    return text


def _metrics(ev: Evidence) -> str:
    m = ev[ek.METRICS]
    shown = ", ".join(f"{k} {float(v):.3f}" for k, v in m.items() if k not in ("n_train", "n_test"))
    size = (
        f" op {int(m['n_test'])} testzaken (getraind op {int(m['n_train'])})"
        if "n_test" in m and "n_train" in m
        else ""
    )
    return f"gemeten{size}: {shown}"


def _fairness(ev: Evidence) -> str:
    f = ev[ek.FAIRNESS]
    if not f["passed"]:
        raise Unmet(f"de eerlijkheidstoets is niet geslaagd: {f['reason']}")
    justified = " Een rechtvaardiging van de modeleigenaar is bij de run bewaard." if f.get("justified") else ""
    return (
        f"Eerlijkheidstoets geslaagd ({f['reason']}); maten in volgorde van belang: {', '.join(f['priority'])}; "
        f"per groep FPR, FNR en FDR met hun ratio's in fairness.csv (kleine cellen onderdrukt).{justified}"
    )


def _control(ev: Evidence) -> str:
    share = float(ev[ek.CONTROL_SHARE]["share"])
    if share <= 0:
        raise Unmet("er is geen controlegroep ingesteld (control_share is 0)")
    return f"een willekeurig deel van {_pct(share)} van de zaken krijgt bewust geen advies, als controle"


def _retention(ev: Evidence) -> str:
    days = int(ev[ek.RETENTION]["days"])
    if days < 183:
        raise Unmet(f"het logboek wordt maar {days} dagen bewaard, minder dan zes maanden")
    return (
        f"het logboek wordt {days} dagen bewaard (minstens zes maanden) en daarna met een vastgelegde "
        "opschoning verwijderd"
    )


def _switches(ev: Evidence) -> str:
    sw = ev[ek.SWITCHES]
    used = (
        f"de stopknop is {sw['changes']} keer gebruikt ({sw['offs']} keer uit), laatst op {sw['last']}"
        if sw["changes"]
        else "de stopknop is nog niet gebruikt"
    )
    return "advies kan per model of helemaal worden uitgezet (stopknop); " + used


def _card(ev: Evidence, key: str) -> str:
    return str(ev[ek.MODEL_CARD].get(key) or "")


def _link(ev: Evidence, key: str, what: str) -> str:
    link = _card(ev, key)
    if not link or link.startswith("TE VERVANGEN"):
        raise Unmet(f"de link naar de {what} is nog een standaardtekst in governance.yaml")
    return f"De {what} staat op {link}."


def _join(*parts: str) -> str:
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] + "."


REQUIREMENTS: dict[str, Rule] = {
    "aia-02": Rule(
        (ek.REGISTER,),
        lambda ev: (
            "Beoordeeld als geen hoog-risico-AI-systeem: publicatiecategorie "
            f"'{ev[ek.REGISTER]['publication_category']}' "
            "in het Algoritmeregister-record van de run; het systeem voorspelt werk per team, niet over personen."
        ),
    ),
    "aia-05": Rule(
        (ek.RUN, ek.FEATURES, ek.METRICS),
        lambda ev: _join(
            f"trainingsgegevens vastgelegd met vingerafdruk {ev[ek.RUN]['data_fingerprint'][:16]}",
            _features(ev),
            "alleen goedgekeurde kenmerken, nooit beschermde kenmerken",
            _metrics(ev),
        ),
        ("no_protected_features", "deny_list", "proxy_gate"),
    ),
    "aia-06": Rule(
        (ek.RUN, ek.MODEL_CARD, ek.METRICS),
        lambda ev: _join(
            f"modelkaart en technische gegevens bij run {ev[ek.RUN]['run_id']} (versie {ev[ek.RUN]['version']})",
            "de vragen van bijlage IV staan in deze systeemkaart, beantwoord of open",
            _metrics(ev),
        ),
    ),
    "aia-07": Rule(
        (ek.AUDIT, ek.DECISIONS), lambda ev: _join(_audit(ev), _decisions(ev)), ("everything_logged", "tamper_evident")
    ),
    "aia-09": Rule(
        (ek.DECISIONS, ek.CONTROL_SHARE),
        lambda ev: _join(
            "het systeem geeft alleen advies; een medewerker beslist en kan altijd afwijken",
            _decisions(ev),
            _control(ev),
            "advies kan per model of helemaal worden uitgezet (stopknop)",
        ),
        ("human_decides", "advice_is_advice", "stop_button", "control_share"),
        cites=(ek.SWITCHES,),
    ),
    "aia-18": Rule(
        (ek.SWITCHES, ek.MONITORING),
        lambda ev: _join(
            _switches(ev), _monitoring(ev), "bij een stopdrempel zet de monitoring het advies vanzelf uit"
        ),
        ("stop_button", "monitoring_stops"),
    ),
    "aia-10": Rule((ek.METRICS, ek.GATES), lambda ev: _join(_metrics(ev), _passed(ev, "performance"))),
    "aia-13": Rule(
        (ek.RETENTION, ek.AUDIT), lambda ev: _join(_retention(ev), _audit(ev)), ("retention", "retention_purge")
    ),
    "aia-21": Rule(
        (ek.DECISIONS,),
        lambda ev: _join(_decisions(ev), "een afwijking vraagt altijd een motivering"),
        ("human_decides", "motivation_required", "automation_bias"),
    ),
    "aia-22": Rule(
        (ek.MONITORING,),
        lambda ev: _join(_monitoring(ev), "bij een stopdrempel gaat het advies vanzelf uit"),
        ("automation_bias", "small_cells", "monitoring_stops"),
    ),
    "aia-23": Rule(
        (ek.RETENTION, ek.AUDIT),
        lambda ev: _join(_retention(ev), _audit(ev)),
        ("retention", "retention_purge", "tamper_evident"),
    ),
    "aia-26": Rule(
        (ek.GATES, ek.DECISIONS),
        lambda ev: _join(
            "elk advies heeft zijn belangrijkste redenen in gewone taal (SHAP)",
            _passed(ev, "shap_additivity"),
            "een inwoner krijgt op verzoek een uitleg welke factoren meewogen en dat een mens besliste",
            _decisions(ev),
        ),
        ("advice_is_advice", "citizen_explanation"),
    ),
    "aia-34": Rule((ek.MONITORING,), lambda ev: _join(_monitoring(ev)), ("small_cells",)),
    "aia-38": Rule(
        (ek.METRICS, ek.GATES),
        lambda ev: _join(_metrics(ev), *(_passed(ev, g) for g in sorted(ev[ek.GATES]))),
        ("gates_fail_with_reason",),
    ),
    "avg-02": Rule(
        (ek.RETENTION,), lambda ev: _join(_retention(ev)), ("retention", "retention_purge"), "privacy_officer"
    ),
    "avg-03": Rule(
        (ek.FEATURES, ek.GATES),
        lambda ev: _join(
            _features(ev), "geen naam, adres, BSN of geboortedatum; zaaksleutels zijn pseudoniem", _passed(ev, "proxy")
        ),
        ("deny_list", "bsn_refused", "proxy_gate"),
        "privacy_officer",
    ),
    "avg-08": Rule(
        (ek.FEATURES, ek.FAIRNESS),
        lambda ev: _join(
            _features(ev),
            "beschermde kenmerken komen nooit in het model; ze staan in een apart bestand en "
            "dienen alleen om eerlijkheid te controleren",
        ),
        ("no_protected_features",),
        "privacy_officer",
    ),
    "avg-10": Rule(
        (ek.DECISIONS,),
        lambda ev: _join(
            "geen besluit is volledig geautomatiseerd: het model adviseert, een medewerker beslist", _decisions(ev)
        ),
        ("human_decides", "advice_is_advice"),
        "privacy_officer",
    ),
    "avg-13": Rule((ek.MODEL_CARD,), lambda ev: _link(ev, "dpia_link", "DPIA"), (), "privacy_officer"),
    "aia-27": Rule((ek.MODEL_CARD,), lambda ev: _link(ev, "iama_link", "IAMA (grondrechtenbeoordeling)")),
    "awb-02": Rule(
        (ek.DECISIONS, ek.GATES),
        lambda ev: _join(
            "bij elk advies staan de belangrijkste redenen; wie afwijkt, moet dat motiveren",
            _decisions(ev),
            _passed(ev, "shap_additivity"),
        ),
        ("motivation_required", "citizen_explanation"),
        "legal",
    ),
    "grw-02": Rule(
        (ek.FAIRNESS, ek.FEATURES),
        lambda ev: _fairness(ev),
        ("no_protected_features", "small_cells"),
        "legal",
        (ek.JUSTIFICATION, ek.MONITORING),
    ),
    "bzk-01": Rule(
        (ek.REGISTER, ek.GATES),
        lambda ev: _join(
            "een Algoritmeregister-record "
            f"(categorie '{ev[ek.REGISTER]['publication_category']}') is bij de run gemaakt "
            "en gecontroleerd tegen de aanleverstandaard",
            _passed(ev, "registry"),
        ),
    ),
}

INSTRUMENT_QUESTIONS: dict[str, Rule] = {
    "td:1.0:1.a.1": Rule((ek.MODEL_CARD,), lambda ev: _card(ev, "intended_use_nl") or _missing("doel")),
    "td:1.0:1.a.3": Rule(
        (ek.RUN,),
        lambda ev: (
            f"Versie {ev[ek.RUN]['version']} van {ev.model_name}, run {ev[ek.RUN]['run_id']}, "
            f"code {ev[ek.RUN]['code_version']}; "
            "eerdere versies en hun toetsen staan in het MLflow-register."
        ),
    ),
    "td:1.0:1.c": Rule(
        (ek.RUN,),
        lambda ev: (
            "Softwareversies van de run: "
            + ", ".join(f"{k} {v}" for k, v in sorted(ev[ek.RUN]["dependencies"].items()))
            + "."
        ),
    ),
    "td:1.0:2.d": Rule(
        (ek.RUN, ek.METRICS, ek.FEATURES),
        lambda ev: _join(
            f"label: {ev[ek.RUN]['label_source'] or 'niet vastgelegd'}",
            _features(ev),
            _metrics(ev),
            f"vingerafdruk van de gegevens {ev[ek.RUN]['data_fingerprint'][:16]}",
        ),
    ),
    "td:1.0:2.e": Rule(
        (ek.DECISIONS, ek.CONTROL_SHARE), lambda ev: REQUIREMENTS["aia-09"].write(ev), REQUIREMENTS["aia-09"].tests
    ),
    "td:1.0:2.g.1": Rule(
        (ek.METRICS, ek.GATES), lambda ev: REQUIREMENTS["aia-38"].write(ev), ("gates_fail_with_reason",)
    ),
    "td:1.0:2.g.2": Rule((ek.METRICS, ek.FAIRNESS), lambda ev: _join(_metrics(ev)) + " " + _fairness(ev)),
    "td:1.0:3": Rule((ek.MONITORING,), lambda ev: _join(_monitoring(ev))),
    "iama:1.0:2A.1.1": Rule(
        (ek.RUN,),
        lambda ev: (
            f"Een lerend model ({ev[ek.RUN]['model_type']}) dat advies geeft; "
            "het past zich niet vanzelf aan (elke nieuwe versie wordt getoetst)."
        ),
        ("gates_fail_with_reason",),
    ),
    "iama:1.0:2A.2.1": Rule(
        (ek.FEATURES,), lambda ev: _join(_features(ev), "uit de zaakgegevens waarop de run is getraind")
    ),
    "iama:1.0:2B.3.1": Rule((ek.METRICS,), lambda ev: _join(_metrics(ev))),
    "iama:1.0:2B.3.6": Rule((ek.FAIRNESS, ek.METRICS), lambda ev: _join(_metrics(ev)) + " " + _fairness(ev)),
    "iama:1.0:3.2.1": Rule(
        (ek.DECISIONS, ek.CONTROL_SHARE), lambda ev: REQUIREMENTS["aia-09"].write(ev), REQUIREMENTS["aia-09"].tests
    ),
    "iama:1.0:3.7.1": Rule(
        (ek.AUDIT, ek.MONITORING), lambda ev: _join(_audit(ev), _monitoring(ev)), ("tamper_evident",)
    ),
}


def _missing(what: str) -> str:
    raise Unmet(f"de modelkaart noemt geen {what}")
