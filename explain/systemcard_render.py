"""The system card for the model owner, as the report's neutral :class:`Document` (HTML and PDF).

Dutch first (B1), with the registry's own terms; the same words and sources as the JSON card.
"""

from __future__ import annotations

from typing import Any

from explain.report_sections import Document, Section, Table
from explain.systemcard import EVIDENCED, NOT_APPLICABLE, OPEN, status_word
from werkwijzer.i18n import translate

# The AI Act profile's facts in the order the card shows them; their words: ``systemcard.profile.<key>``.
PROFILE = (
    "type",
    "risk_group",
    "profiling",
    "automated_decision",
    "role",
    "open_source",
    "systemic_risk",
    "transparency_obligations",
)


def _sources(entry: dict[str, Any]) -> str:
    return "; ".join(f"{s['kind']}: {s['ref']}" + (f" ({s['note']})" if s["note"] else "") for s in entry["evidence"])


def _row(label: str, entry: dict[str, Any], lang: str) -> list[str]:
    state = entry["state"]
    if state == EVIDENCED:
        text = entry["answer"]
    elif state == OPEN:
        role = entry["open_for"].get(f"label_{lang}") or entry["open_for"]["label_nl"]
        text = translate("systemcard.doc.open_for", lang, role=role, remarks=entry["remarks"]).rstrip()
    else:
        text = entry["applicability"]["reason"]
    return [label, status_word(state, lang), text, _sources(entry)]


def _counts(summary: dict[str, int], lang: str) -> str:
    return translate(
        "systemcard.doc.counts",
        lang,
        evidenced=summary[EVIDENCED],
        open=summary[OPEN],
        not_applicable=summary[NOT_APPLICABLE],
    )


def systemcard_document(card: dict[str, Any], lang: str = "nl") -> Document:
    """The card as a document in ``lang`` (Dutch unless asked); texts: the catalogue's ``systemcard.*``."""

    def t(key: str, **values: object) -> str:
        return translate(f"systemcard.doc.{key}", lang, **values)

    profile = card["ai_act_profile"]
    reasons = card["ai_act_profile_reasons"]
    yes, no = translate("value.yes", lang), translate("value.no", lang)
    values = {**profile, **{k: yes if v else no for k, v in card["system_facts"].items()}}
    facts = [
        [
            translate(f"systemcard.profile.{key}", lang) if key in PROFILE else key,
            ", ".join(values[key]) if isinstance(values[key], list) else str(values[key]),
            reasons[key],
        ]
        for key in [*PROFILE, *(k for k in reasons if k not in PROFILE)]
        if key in reasons
    ]
    header = [t("requirement"), t("status"), t("answer_or_reason"), t("source")]
    labels = ", ".join(f"{x['name']} {x['value']}" for x in card["labels"])
    requirements = sorted(card["requirements"], key=lambda e: (e["state"] != OPEN, e["state"] != EVIDENCED, e["urn"]))
    sections = [
        Section(
            "samenvatting",
            t("summary"),
            [
                t("describes", name=card["name"], labels=labels),
                t("requirements_count", counts=_counts(card["summary"]["requirements"], lang)),
                t("questions_count", counts=_counts(card["summary"]["questions"], lang)),
                t("evidence_note"),
            ],
        ),
        Section("feiten", t("facts"), [t("facts_text")], [Table([t("fact"), t("value"), t("why")], facts)]),
        Section(
            "vereisten",
            t("requirements"),
            [],
            [Table(header, [_row(f"{e['urn'].rsplit(':', 1)[-1]} {e['requirement']}", e, lang) for e in requirements])],
        ),
    ]
    for a in card["assessments"]:
        rows = [_row(f"{c['urn'].rsplit(':', 1)[-1]} {c['question']}", c, lang) for c in a["contents"]]
        sections.append(
            Section(
                a["urn"].split(":")[4],
                a["name"],
                [a["reason"]],
                [Table([t("question"), t("status"), t("answer"), t("source")], rows)],
            )
        )
    registry = next(x["value"] for x in card["labels"] if x["name"] == "task_registry")
    return Document(
        lang=lang,
        title=t("title", name=card["name"]),
        subtitle=t("subtitle", timestamp=card["provenance"]["timestamp"], uri=card["provenance"]["uri"]),
        sections=sections,
        footer=t("footer", registry=registry),
    )
