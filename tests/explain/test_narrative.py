from __future__ import annotations

import pytest

from explain.case import Reason
from explain.narrative import caseworker_summary, citizen_explanation

REASONS = [
    Reason("open_debts", "Aantal openstaande schulden", "Number of open debts", 4.0, "up", 0.8),
    Reason("documents_complete", "Documenten compleet", "Documents complete", False, "down", -0.3),
    Reason("requested_provision", "Gevraagde voorziening", "Requested provision", "woningaanpassing", "up", 0.2),
]


def test_caseworker_summary_names_factors_and_direction_in_dutch() -> None:
    text = caseworker_summary(REASONS, "complex")
    assert text.startswith("Advies: complex.")
    assert "u beslist zelf" in text
    assert "Aantal openstaande schulden: 4 (maakt dit advies waarschijnlijker)" in text
    assert "Documenten compleet: nee (maakt dit advies minder waarschijnlijk)" in text
    assert "open_debts" not in text and "documents_complete" not in text  # no raw column names


def test_caseworker_summary_in_english_and_without_reasons() -> None:
    assert "Number of open debts: 4 (makes this suggestion more likely)" in caseworker_summary(REASONS, "x", "en")
    assert "No factor clearly drives" in caseworker_summary([], "x", "en")


def test_citizen_text_is_short_plain_and_says_a_person_decides() -> None:
    text = citizen_explanation(REASONS, "wmo_meldingen", decided_by_person=True)
    assert "team Wmo meldingen" in text
    assert "Een medewerker heeft over uw aanvraag beslist." in text
    assert "Het programma beslist niet." in text
    assert "aantal openstaande schulden (4)" in text and "woningaanpassing" in text
    sentences = [s for s in text.split(". ") if s]
    assert max(len(s.split()) for s in sentences) <= 25  # B1: short sentences
    assert "_" not in text
    future = citizen_explanation([], "wmo_meldingen", decided_by_person=False, lang="en")
    assert "A staff member will decide" in future


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        caseworker_summary(REASONS, "x", lang="de")
