"""Issue 17 part 1 in the council report: the experiment's section, its numbers from the frame, both languages."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from explain.report import build_document, render_html
from models.monitoring import score_band
from tests.monitor.test_report import make_empty

MODEL = "werkwijzer-triage-effort_class"


def trial(shown_agree: int, shown: int, hidden_agree: int, hidden: int, team: str = "wmo_meldingen") -> pd.DataFrame:
    arm = ["shown"] * shown + ["hidden"] * hidden
    agrees = [i < shown_agree for i in range(shown)] + [i < hidden_agree for i in range(hidden)]
    n = len(arm)
    frame = pd.DataFrame(
        {
            "case_ref": [f"{team}-{i}" for i in range(n)],
            "team": team,
            "model_name": MODEL,
            "model_version": "3",
            "arm": arm,
            "model_class": "gemiddeld",
            "score": np.linspace(0.4, 0.95, n),
            "final_effort_class": ["gemiddeld" if a else "complex" for a in agrees],
            "agrees": agrees,
            "decided_at": pd.Timestamp("2026-08-01"),
            "minutes_to_decision": [4.0 if a == "shown" else 20.0 for a in arm],
        }
    )
    frame["score_band"] = score_band(frame["score"])
    return frame


def test_the_report_explains_the_experiment_from_the_frame() -> None:
    frame = pd.concat([trial(180, 200, 30, 60), trial(3, 5, 2, 4, team="jeugdhulp")], ignore_index=True)
    data = dataclasses.replace(make_empty(), experiment=frame)
    nl = build_document(data, lang="nl")
    part = next(s for s in nl.sections if s.id == "sturing")
    assert part.title == "Stuurt het advies de beslissing?"
    rows = {r[0]: r for r in part.tables[0].rows}
    overall = rows[MODEL]
    assert overall[1].startswith("89") and overall[2].startswith("50")  # 183/205 shown, 32/64 hidden
    assert overall[5] == "advies stuurt"
    assert rows[f"{MODEL} · Jeugdhulp"][1:3] == ["< 10", "< 10"]  # a small team shows no rate
    text = " ".join(part.paragraphs)
    assert "groter dan toeval" in text and "met advies meestal 4 minuten, zonder advies 20 minuten" in text
    english = render_html(build_document(data, lang="en"))
    assert "Does the advice steer the decision?" in english and "advice steers" in english


def test_without_the_frame_there_is_no_section_and_with_too_few_cases_it_says_so() -> None:
    assert "sturing" not in {s.id for s in build_document(make_empty(), lang="nl").sections}
    data = dataclasses.replace(make_empty(), experiment=trial(5, 8, 2, 3))
    part = next(s for s in build_document(data, lang="nl").sections if s.id == "sturing")
    assert "te weinig beslissingen" in part.paragraphs[-1] and not part.tables
