"""Issue 17 part 2 in the council report: live error rates from outcomes, from a real store, both languages.

A running API (toy champions in a private MLflow, SQLite, a settable clock) receives a November in which
112 advised cases are decided and 112 outcomes reported, 8 more cases decided without an outcome. The
audit file puts 100 cases in one group and 12 in another; the effort champion carries approved test-set
figures, the integrated-approach champion none. The expected rates, intervals and coverage are counted
here from what was sent and what the API showed, not taken from the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from casework.config import TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.modelstore import ModelStore
from explain.report import build_document, render_html, write_report
from explain.report_data import LiveErrors
from flows.report import build_report_data
from tests.api.conftest import new_case
from tests.api.toymodels import TOY_LIBRARY, register_toy_models
from tests.monitor.live import LiveApi, start_live_api
from tests.monitor.test_report import make_empty
from werkwijzer.formatting import MISSING, percent
from werkwijzer.settings import Settings
from werkwijzer.tracking import champion_version, configure_mlflow

UTC = dt.UTC
START = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
BIG, SMALL, UNREPORTED = 100, 12, 8
# The approved test-set counts of the effort model for class complex, group nederland: FPR 5 %, FNR 40 %.
TEST = {"tn": 190, "fp": 10, "fn": 40, "tp": 60}


def _advise_decide(api: LiveApi, n: int, at: dt.datetime, heavy: bool) -> dict[str, object]:
    api.clock.now = at  # type: ignore[union-attr]
    api.rng.pinned = 0.99  # never the control share
    features = {"open_debts": 20} if heavy else {"open_debts": 0, "prior_contacts_12m": 0, "months_on_benefit": 0}
    r = api.client.post("/api/v1/advice", json=new_case(n, **features), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    advice = r.json()
    suggestion = api.client.get(f"/api/v1/advice/{advice['advice_id']}", headers=api.headers("caseworker")).json()
    shown = suggestion["suggestion"]
    body = {"outcome": "followed", "final_effort_class": shown["suggested_effort_class"]}
    r = api.client.post(f"/api/v1/advice/{advice['advice_id']}/decision", json=body, headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return {
        "case_id": new_case(n)["case_id"],
        "suggested": shown["suggested_effort_class"],
        "probability": shown["integrated_approach_probability"],
    }


def _report_outcome(api: LiveApi, case: dict[str, object], truth: str, at: dt.datetime) -> None:
    api.clock.now = at  # type: ignore[union-attr]
    body = {"handling_hours": 6.0, "effort_class": truth, "integrated_approach": truth == "complex"}
    r = api.client.post(f"/api/v1/cases/{case['case_id']}/outcome", json=body, headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text


def _publish_test_figures(settings: Settings, folder: Path) -> None:
    """The effort champion's approved figures per group, as the training flow publishes ``triage/fairness.csv``."""
    c = TEST
    row = {
        "class": "complex",
        "attribute": "migration_background",
        "group": "nederland",
        "n": sum(c.values()),
        **c,
        "fpr": c["fp"] / (c["fp"] + c["tn"]),
        "fnr": c["fn"] / (c["fn"] + c["tp"]),
        "fdr": c["fp"] / (c["fp"] + c["tp"]),
        "suppressed": False,
    }
    path = folder / "fairness.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    client = configure_mlflow(settings)
    version = champion_version(client, TRIAGE_EFFORT)
    assert version is not None
    client.log_artifact(str(version.run_id), str(path), "triage")


@pytest.fixture(scope="module")
def november(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, pd.DataFrame]]:
    """The store after a November with outcomes; yields settings and what was sent (case, group, shown, truth)."""
    settings = Settings(home=tmp_path_factory.mktemp("outcome-report-home"), environment="test", seed=7)
    register_toy_models(settings)
    folder = tmp_path_factory.mktemp("november")
    _publish_test_figures(settings, folder)
    store = ModelStore(settings, TOY_LIBRARY)
    assert all(r.status == "loaded" for r in store.reload().values())
    for api in start_live_api(settings, store, folder, START):
        sent = []
        for n in range(BIG + SMALL + UNREPORTED):
            heavy = n % 2 == 0
            case = _advise_decide(api, n, START + dt.timedelta(hours=n), heavy)
            # Half the heavy advice turns out right 3 times in 5, the light advice misses complex 2 times in 5.
            k = (n // 2) % 5
            truth = ("complex" if k < 3 else "eenvoudig") if heavy else ("complex" if k < 2 else "eenvoudig")
            group = "nederland" if n < BIG else "overig"
            if n < BIG + SMALL:
                _report_outcome(api, case, truth, START + dt.timedelta(days=20, minutes=n))
            sent.append({**case, "group": group, "truth": truth, "reported": n < BIG + SMALL})
        frame = pd.DataFrame(sent)
        audit = folder / "characteristics.csv"
        frame[["case_id", "group"]].rename(columns={"group": "migration_background"}).to_csv(audit, index=False)
        yield api.settings.model_copy(update={"characteristics_path": audit}), frame


def _expected(frame: pd.DataFrame, truth: pd.Series, predicted: pd.Series) -> dict[str, tuple[int, int]]:
    """(errors, denominator) of FPR, FNR and FDR, counted by hand."""
    tp = int((truth & predicted).sum())
    fp = int((~truth & predicted).sum())
    fn = int((truth & ~predicted).sum())
    tn = int((~truth & ~predicted).sum())
    return {"fpr": (fp, fp + tn), "fnr": (fn, fn + tp), "fdr": (fp, fp + tp)}


def _cell(x: int, n: int, lang: str, word: str, test: float | None) -> str:
    low, high = proportion_confint(x, n, alpha=0.05, method="wilson")
    shown = MISSING if test is None else percent(test, 0, lang)
    return f"{percent(x / n, 0, lang)} ({percent(low, 0, lang)}–{percent(high, 0, lang)}); {word} {shown}"


def test_the_report_shows_live_error_rates_from_the_store(
    november: tuple[Settings, pd.DataFrame], tmp_path: Path
) -> None:
    settings, sent = november
    data = build_report_data(settings, "2026-11")
    assert data.outcomes is not None
    assert (data.outcomes.outcomes, data.outcomes.decided, data.outcomes.with_outcome) == (112, 120, 112)
    part = next(s for s in build_document(data, lang="nl").sections if s.id == "uitkomsten")
    rows = {(r[0], r[2]): r for r in part.tables[0].rows}

    big = sent[(sent["group"] == "nederland") & sent["reported"]]
    truth, predicted = big["truth"].eq("complex"), big["suggested"].eq("complex")
    assert predicted.sum() >= 20 and (~predicted).sum() >= 20, "the toy model must suggest complex and not"
    expected = _expected(big, truth, predicted)
    approved = {
        "fpr": TEST["fp"] / (TEST["fp"] + TEST["tn"]),
        "fnr": TEST["fn"] / (TEST["fn"] + TEST["tp"]),
        "fdr": TEST["fp"] / (TEST["fp"] + TEST["tp"]),
    }
    row = rows[(f"{TRIAGE_EFFORT} · klasse complex", "nederland")]
    assert row[1] == "herkomst" and row[3] == str(len(big))
    assert row[4:] == [_cell(*expected[r], "nl", "testzaken", approved[r]) for r in ("fpr", "fnr", "fdr")]

    integrated = big["probability"].astype(float).ge(0.5)
    expected = _expected(big, truth, integrated)
    row = rows[(TRIAGE_INTEGRATED, "nederland")]
    assert min(_counts(truth, integrated)) >= 10, "the toy model advises an integrated approach for heavy cases"
    # no approved figures per group for this champion: the test-set figure is a dash
    assert row[4:] == [_cell(*expected[r], "nl", "testzaken", None) for r in ("fpr", "fnr", "fdr")]

    # the small group: its row is there, without counts or rates
    small = rows[(f"{TRIAGE_EFFORT} · klasse complex", "overig")]
    assert small[3] == "< 10" and small[4:] == [MISSING] * 3
    text = " ".join(part.paragraphs)
    assert f"Van 112 daarvan is de uitkomst al bekend ({percent(112 / 120, 0, 'nl')})" in text
    assert "120 zaken beslist" in text
    # FPR 5 % on the test cases, far higher in practice: said in words
    fpr = _expected(big, truth, predicted)["fpr"]
    assert fpr[0] / fpr[1] > 0.2
    assert f"gestegen van {percent(0.05, 0, 'nl')} op de testzaken naar {percent(fpr[0] / fpr[1], 0, 'nl')}" in text
    assert "regels niet getoond" in text or "regel niet getoond" in text
    english = render_html(build_document(data, lang="en"))
    assert "How often was the advice right afterwards?" in english and "test cases 5%" in english
    written = write_report(data, tmp_path, lang="nl")  # the PDF carries the section's wide table too
    assert written["pdf"].stat().st_size > 0 and "uitkomsten" in written["html"].read_text("utf-8")


def _counts(truth: pd.Series, predicted: pd.Series) -> list[int]:
    return [
        int((truth & predicted).sum()),
        int((~truth & predicted).sum()),
        int((truth & ~predicted).sum()),
        int((~truth & ~predicted).sum()),
    ]


def test_without_outcomes_the_section_says_so() -> None:
    empty = pd.DataFrame(columns=["model_name", "class", "attribute", "group", "n", "suppressed"])
    data = dataclasses.replace(make_empty(), outcomes=LiveErrors(empty, 0, 40, 0, (TRIAGE_EFFORT,)))
    part = next(s for s in build_document(data, lang="nl").sections if s.id == "uitkomsten")
    assert not part.tables
    assert "nog geen uitkomsten" in part.paragraphs[-1]
    assert "40 zaken beslist" in part.paragraphs[1] and "Van < 10 daarvan" in part.paragraphs[1]
    assert "uitkomsten" not in {s.id for s in build_document(make_empty(), lang="nl").sections}
