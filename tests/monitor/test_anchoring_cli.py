"""Issue 17 part 1 end to end: ``simulate-usage --anchoring`` over a real socket, then ``monitor --once``.

The served API has a large control share (30 %) so that three weeks give both arms enough cases;
the caseworkers take the shown advice in 80 % of the cases where their own judgement differs.
Monitoring must find it, name it in Dutch, and leave the hidden suggestions in the store only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from mlflow import MlflowClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from casework.modelstore import ModelStore
from casework.storage import Advice
from cli.main import cli
from tests.monitor.live import USE_START
from tests.monitor.test_usage_cli import serve_api
from werkwijzer.settings import Settings

pytestmark = [pytest.mark.slow]


@pytest.fixture
def served(
    sim_settings: Settings, sim_models: ModelStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Settings]]:
    yield from serve_api(sim_settings.model_copy(update={"control_share": 0.3}), sim_models, tmp_path, monkeypatch)


@pytest.mark.usefixtures("prefect_harness")
def test_simulated_anchoring_is_found_by_monitoring(served: tuple[str, Settings]) -> None:
    url, settings = served
    weeks = ["--weeks", "3", "--start", USE_START.isoformat()]
    result = CliRunner().invoke(cli, ["simulate-usage", *weeks, "--url", url, "--anchoring", "0.8"])
    assert result.exit_code == 0, result.output

    engine = create_engine(settings.database_url)
    with Session(engine) as session:
        rows = session.execute(select(Advice.selection_reason, Advice.hidden_suggested_class)).all()
    engine.dispose()
    control = [hidden for reason, hidden in rows if reason == "control"]
    assert len(control) > 50 and all(control)  # every control case has its hidden suggestion
    assert all(hidden is None for reason, hidden in rows if reason != "control")

    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    result = CliRunner().invoke(cli, ["monitor", "--once", "--end", end])
    assert result.exit_code in (0, 3), result.output  # 3 when the effect reached "stop" (cli.exits)
    assert "procentpunt vaker hetzelfde als het model" in result.output

    client = MlflowClient(settings.tracking_uri)
    run = client.search_runs(
        [e.experiment_id for e in client.search_experiments()], order_by=["attributes.start_time DESC"]
    )[0]
    path = client.download_artifacts(run.info.run_id, "findings.json", str(settings.home_dir))
    found = [f for f in json.loads(Path(path).read_text(encoding="utf-8")) if f["metric"] == "anchoring"]
    headline = next(f for f in found if set(f["scope"]) == {"model_name"})
    assert headline["value"] > 0.1 and headline["level"] in ("note", "warn", "stop")
    assert any(k.startswith("anchoring.effect_low.") for k in run.data.metrics)
