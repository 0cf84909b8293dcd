"""`werkwijzer report` from the real stores: the figures in the report are those put into the store.

A running API (toy champions in a private MLflow, SQLite, a settable clock) receives a December
of known use: 40 advised cases of which 30 followed, 4 control cases, 2 while advice was off,
12 objections, one stop and restart, and three complete weeks of intake plus a half week. A
monitoring run of the period and one after it are logged as the monitoring flow logs them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from casework.modelstore import ModelStore
from cli.main import cli
from explain.report_data import ReportError
from flows.experiments import MONITORING
from flows.report import build_report_data, write_reports
from tests.api.conftest import new_case
from tests.api.toymodels import TOY_LIBRARY, register_toy_models
from tests.monitor.live import LiveApi, start_live_api
from werkwijzer.settings import Settings
from werkwijzer.tracking import configure_mlflow, ensure_experiment

EFFORT = "werkwijzer-triage-effort_class"
UTC = dt.UTC
WEEKLY = (70, 85, 100)  # wmo_meldingen, weeks of 7, 14 and 21 December; the toy forecast says 80 a week


@pytest.fixture(scope="module")
def report_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("report-home"), environment="test", seed=7)
    register_toy_models(settings)
    return settings


def _advise(api: LiveApi, n: int, at: dt.datetime, control: bool = False) -> str:
    api.clock.now = at  # type: ignore[union-attr]
    api.rng.pinned = 0.0 if control else 0.99
    r = api.client.post("/api/v1/advice", json=new_case(n), headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text
    return str(r.json()["advice_id"])


def _decide(api: LiveApi, advice_id: str, follow: bool) -> None:
    shown = api.client.get(f"/api/v1/advice/{advice_id}", headers=api.headers("caseworker")).json()
    suggested = (shown.get("suggestion") or {}).get("suggested_effort_class")
    if follow:
        body = {"outcome": "followed", "final_effort_class": suggested}
    else:
        other = next(c for c in ("eenvoudig", "gemiddeld", "complex") if c != suggested)
        body = {"outcome": "deviated", "final_effort_class": other, "motivation": "Gesprek wees anders uit."}
    r = api.client.post(f"/api/v1/advice/{advice_id}/decision", json=body, headers=api.headers("caseworker"))
    assert r.status_code == 201, r.text


def _switch(api: LiveApi, at: dt.datetime, enabled: bool, reason: str) -> None:
    api.clock.now = at  # type: ignore[union-attr]
    r = api.client.put(
        "/api/v1/admin/advice-switch",
        json={"scope": EFFORT, "enabled": enabled, "reason": reason},
        headers=api.headers("admin"),
    )
    assert r.status_code == 200, r.text


def _log_monitoring_run(settings: Settings, start: str, end: str, message: str) -> None:
    client = configure_mlflow(settings)
    run = client.create_run(
        ensure_experiment(client, MONITORING, settings), tags={"period_start": start, "period_end": end}
    )
    record = {
        "metric": "agreement",
        "scope": {"model_name": EFFORT, "team": "wmo_meldingen"},
        "value": 0.97,
        "level": "warn",
        "threshold": 0.95,
        "n": 60,
        "message_nl": message,
        "message_en": message + " (en)",
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "findings.json"
        path.write_text(json.dumps([record]), encoding="utf-8")
        client.log_artifact(run.info.run_id, str(path))
    client.set_terminated(run.info.run_id)


@pytest.fixture(scope="module")
def december(report_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The store after a December of known use; yields settings pointing at it and at the audit file."""
    folder = tmp_path_factory.mktemp("december")
    store = ModelStore(report_settings, TOY_LIBRARY)
    assert all(r.status == "loaded" for r in store.reload().values())
    start = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)
    for api in start_live_api(report_settings, store, folder, start):
        advised = [_advise(api, n, start + dt.timedelta(hours=n)) for n in range(40)]
        control = [_advise(api, 100 + n, start + dt.timedelta(hours=n, minutes=30), control=True) for n in range(4)]
        for i, advice_id in enumerate(advised):
            _decide(api, advice_id, follow=i < 30)
        _decide(api, control[0], follow=False)  # a decision without advice: not counted as following or not
        for advice_id in advised[:12]:
            r = api.client.post(
                f"/api/v1/advice/{advice_id}/objection",
                json={"kind": "objection", "summary": "Oneens."},
                headers=api.headers("caseworker"),
            )
            assert r.status_code == 201, r.text
        _switch(api, dt.datetime(2026, 12, 10, 9, tzinfo=UTC), False, "drift boven de stopgrens")
        for n in range(2):
            _advise(api, 200 + n, dt.datetime(2026, 12, 10, 12 + n, tzinfo=UTC))
        _switch(api, dt.datetime(2026, 12, 11, 15, tzinfo=UTC), True, "nieuwe versie goedgekeurd")
        api.clock.now = dt.datetime(2026, 12, 31, 12, tzinfo=UTC)  # type: ignore[union-attr]
        days = pd.date_range("2026-12-07", "2026-12-30")
        counts = np.concatenate([np.full(7, w // 7) + (np.arange(7) < w % 7) for w in WEEKLY] + [np.full(3, 10)])
        records = [{"date": f"{d:%Y-%m-%d}", "count": int(c)} for d, c in zip(days, counts, strict=True)]
        r = api.client.put(
            "/api/v1/teams/wmo_meldingen/intake", json={"records": records}, headers=api.headers("team_lead")
        )
        assert r.status_code == 200, r.text
        audit = folder / "characteristics.csv"
        pd.DataFrame(
            {
                "case_id": [new_case(n)["case_id"] for n in range(40)],
                "migration_background": ["nederland"] * 30 + ["overig"] * 10,
            }
        ).to_csv(audit, index=False)
        client = configure_mlflow(report_settings)  # two promotions in December, in the order the tags say
        for name, since, by in (
            (EFFORT, "2026-12-05T10:00:00+00:00", "J. de Vries"),
            ("werkwijzer-forecast", "2026-12-20T10:00:00+00:00", None),
        ):
            version = client.get_model_version_by_alias(name, "champion").version
            client.set_model_version_tag(name, version, "champion_since", since)
            if by:
                client.set_model_version_tag(name, version, "champion_by", by)
                client.set_model_version_tag(name, version, "champion_reason", "beter gekalibreerd")
        _log_monitoring_run(report_settings, "2026-11-15T00:00:00", "2026-12-13T00:00:00", "Let op: signaal 123.")
        _log_monitoring_run(report_settings, "2026-12-15T00:00:00", "2027-01-12T00:00:00", "Later signaal 456.")
        yield api.settings.model_copy(update={"characteristics_path": audit})


def _text(path: Path) -> str:
    """The visible text of an HTML report, whitespace collapsed."""
    raw = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def test_report_data_holds_what_the_store_holds(december: Settings) -> None:
    data = build_report_data(december, "2026-12")
    use = data.advice_use.set_index("team").loc["wmo_meldingen"]
    assert (use["advised"], use["control"], use["switched_off"]) == (40, 4, 2)
    assert len(data.decisions) == 40 and int(data.decisions["followed"].sum()) == 30
    assert len(data.objections) == 12
    assert list(data.stop_events["advice_on"]) == [False, True]
    assert list(data.intake["actual"]) == list(WEEKLY)  # the half week of 28 December is left out
    assert list(data.intake["mean"]) == [80.0] * 3
    assert [f.message_nl for f in data.findings] == ["Let op: signaal 123."]
    assert sorted(e["name"] for e in data.register_entries) == sorted(  # every model in use
        ["werkwijzer-forecast", EFFORT, "werkwijzer-triage-integrated_approach"]
    )
    assert set(data.fairness["attribute"]) == {"migration_background"}


def test_report_figures_match_the_store_in_both_languages(december: Settings, tmp_path: Path) -> None:
    written = write_reports(december, "2026-12", tmp_path)
    assert sorted(p.name for p in written) == [
        "report-2026-12.en.html",
        "report-2026-12.en.pdf",
        "report-2026-12.nl.html",
        "report-2026-12.nl.pdf",
    ]
    nl = _text(tmp_path / "report-2026-12.nl.html")
    assert "In 2026-12 kregen 40 zaken een advies; consulenten volgden het advies in 75 % van de gevallen." in nl
    assert "Er kwamen 12 bezwaren tegen een advies binnen. Het advies is 1 keer uitgezet." in nl
    assert "Over alle teams kwamen 255 zaken binnen; voorspeld waren 240." in nl
    assert "10-12-2026 10:00" in nl and "drift boven de stopgrens" in nl  # Dutch local time of 09:00 UTC
    assert "Let op: signaal 123." in nl and "Later signaal 456." not in nl
    assert "herkomst" in nl and "migration_background" not in nl
    assert "werkwijzer-triage-integrated_approach" in nl and "gecontroleerd tegen de publicatiestandaard" in nl
    assert (
        "05-12-2026 werkwijzer-triage-effort_class 1 in gebruik genomen door J. de Vries: beter gekalibreerd "
        "20-12-2026 werkwijzer-forecast 1 in gebruik genomen na het doorstaan van alle controles"
    ) in nl
    hours_per_case = 0.4 * 2.0 + 0.4 * 5.0 + 0.2 * 12.0  # the toy norms
    backlog = sum(WEEKLY) * hours_per_case - 3 * 8.0 * 26.0  # 8 FTE of 26 productive hours a week
    assert f"{backlog:.0f}" in nl
    en = _text(tmp_path / "report-2026-12.en.html")
    assert "In 2026-12, 40 cases received advice; caseworkers followed the advice in 75% of cases." in en
    assert not list(tmp_path.glob(".staging-*"))


def test_the_pdf_renders_a_first_page_that_is_not_blank(december: Settings, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    write_reports(december, "2026-12", tmp_path, languages=["nl"])
    pdf = pdfium.PdfDocument(str(tmp_path / "report-2026-12.nl.pdf"))
    try:
        assert len(pdf) >= 2
        image = np.asarray(pdf[0].render(scale=1.0).to_pil().convert("L"))
    finally:
        pdf.close()
    assert image.shape[0] > image.shape[1] > 400  # a portrait page
    inked = float((image < 128).mean())
    assert 0.005 < inked < 0.5, f"share of dark pixels on page 1: {inked:.4f}"


def test_cli_writes_the_report_and_names_what_was_wrong(
    december: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from werkwijzer.settings import get_settings

    monkeypatch.setenv("WERKWIJZER_HOME", str(december.home))
    monkeypatch.setenv("WERKWIJZER_DATABASE_URL", str(december.database))
    monkeypatch.setenv("WERKWIJZER_CHARACTERISTICS_PATH", str(december.characteristics_file))
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(cli, ["report", "--period", "2026-12", "--out", str(tmp_path / "r"), "--lang", "en"])
        assert ok.exit_code == 0, ok.output
        assert "report-2026-12.en.pdf" in ok.output and (tmp_path / "r" / "report-2026-12.en.html").is_file()
        assert not (tmp_path / "r" / "report-2026-12.nl.html").exists()

        bad = CliRunner().invoke(cli, ["report", "--period", "2026-Q5", "--out", str(tmp_path / "b")])
        assert bad.exit_code == 2 and "--period" in bad.output and "2026-Q5" in bad.output

        empty = CliRunner().invoke(cli, ["report", "--period", "2025-Q1", "--out", str(tmp_path / "e")])
        assert empty.exit_code == 1 and "holds no advice" in empty.output and "2025-Q1" in empty.output
        assert not (tmp_path / "e").exists() or not any((tmp_path / "e").iterdir())

        monkeypatch.setenv("WERKWIJZER_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.db'}")
        get_settings.cache_clear()
        missing = CliRunner().invoke(cli, ["report", "--period", "2026-12", "--out", str(tmp_path / "m")])
        assert missing.exit_code == 1 and "missing.db does not exist" in missing.output

        monkeypatch.setenv("WERKWIJZER_DATABASE_URL", str(december.database))
        monkeypatch.setenv("WERKWIJZER_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'no-mlflow.db'}")
        get_settings.cache_clear()
        untrained = CliRunner().invoke(cli, ["report", "--period", "2026-12", "--out", str(tmp_path / "u")])
        assert untrained.exit_code == 1 and "no-mlflow.db does not exist" in untrained.output
        assert not (tmp_path / "no-mlflow.db").exists()  # a report never creates a tracking store

        monkeypatch.setenv("WERKWIJZER_MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
        get_settings.cache_clear()
        down = CliRunner().invoke(cli, ["report", "--period", "2026-12", "--out", str(tmp_path / "d")])
        assert down.exit_code == 1 and "MLflow at http://127.0.0.1:9 could not be read" in down.output
        assert not (tmp_path / "d").exists() or not any((tmp_path / "d").iterdir())
    finally:
        get_settings.cache_clear()


def test_an_unknown_period_is_refused_before_reading(report_settings: Settings) -> None:
    with pytest.raises(ReportError, match="2026-13"):
        build_report_data(report_settings, "2026-13")
