"""The whole chain of issue 7: simulated use with drift -> monitoring stops the model -> the year's report.

The report's figures must be those of the store the use left behind, its stop-button table
must show the monitoring flow's stop with the finding as reason, and its signals the finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casework.config import TRIAGE_EFFORT as EFFORT
from flows.report import build_report_data, write_reports
from tests.monitor.live import LiveApi
from tests.monitor.test_usage_monitoring import monitor_once, use, use_api  # noqa: F401  (fixture)
from werkwijzer.formatting import number

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]  # use + monitoring + report, ~40 s


def test_the_year_report_shows_the_use_and_the_monitoring_stop(use_api: LiveApi, tmp_path: Path) -> None:  # noqa: F811
    summary = use(use_api, 3, drift=1.0)
    run = monitor_once(use_api)
    assert run.stopped == [EFFORT]
    stop = next(f for f in run.findings if f.level == "stop")

    # The use is dated by the API's clock (30 September), the stop by the monitoring flow's real clock: a year
    # holds both.
    data = build_report_data(use_api.settings, "2026")

    assert int(data.advice_use["advised"].sum()) == summary.advised
    assert int(data.advice_use[["advised", "control", "switched_off"]].to_numpy().sum()) == summary.advice
    assert int(data.decisions["followed"].sum()) == summary.followed
    assert len(data.objections) == summary.objections
    last = data.stop_events.iloc[-1]
    assert (last["model_name"], bool(last["advice_on"]), last["actor"]) == (EFFORT, False, "monitor")
    assert stop.message_nl in last["reason"]
    assert stop.message_nl in [f.message_nl for f in data.findings]
    assert set(data.fairness["attribute"]) == {"age_band", "sex", "migration_background"}

    write_reports(use_api.settings, "2026", tmp_path, languages=["nl"])
    page = (tmp_path / "report-2026.nl.html").read_text(encoding="utf-8")
    assert f"In 2026 kregen {number(summary.advised)} zaken een advies" in page
    assert "Het advies is 1 keer uitgezet" in page and stop.message_nl.split(" (")[0] in page
