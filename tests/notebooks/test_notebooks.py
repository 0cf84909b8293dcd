"""The model owners' notebooks run end to end against a small trained home, and are stored without outputs.

The notebooks read their settings from the environment (``WERKWIJZER_HOME``), which the kernel
inherits from this process. Parameters are overridden the way papermill does it: a cell with the
new values is inserted right after the cell tagged ``parameters``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from flows.champions import load_forecast_champion
from models.capacity import plan_capacity
from werkwijzer.settings import Settings
from werkwijzer.tracking import CHAMPION, champion_version, configure_mlflow

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
EFFORT = "werkwijzer-triage-effort_class"


def committed() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", committed(), ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"
    assert any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells), path.name


def execute(name: str, home: Path, monkeypatch: pytest.MonkeyPatch, *, then: str = "",
            **parameters: object) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel with WERKWIJZER_HOME=home and the given parameters;
    ``then`` is a last cell the test adds to read the notebook's variables."""
    monkeypatch.setenv("WERKWIJZER_HOME", str(home))
    # The kernel imports this checkout, as pytest does (pythonpath = ["."]), not another install.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    if parameters:
        at = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
        notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(
            "\n".join(f"{key} = {value!r}" for key, value in parameters.items())))
    if then:
        notebook.cells.append(nbformat.v4.new_code_cell(then))
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return notebook


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
            parts.append(output.get("data", {}).get("text/markdown", ""))
    return "\n".join(parts)


def images(notebook: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_triage_review_shows_gates_fairness_shap_and_changes_nothing_by_default(
        trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = configure_mlflow(Settings(home=trained_home, environment="test"))
    before = champion_version(client, EFFORT)
    notebook = execute("triage_review.ipynb", trained_home, monkeypatch)
    text = text_of(notebook)
    assert f"{EFFORT} version 2" in text  # the newest run: the label-repair run
    assert "shap_additivity" in text and "fairness" in text  # the gate table
    assert "Algoritmeregister entry: valid" in text
    assert images(notebook) >= 1  # the SHAP summary
    assert "No change. Version 2 is eligible" in text
    after = champion_version(client, EFFORT)
    assert before is not None and after is not None and after.version == before.version


@pytest.mark.slow
def test_triage_review_promotes_on_decision_and_refuses_a_failed_gate(
        trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = configure_mlflow(Settings(home=trained_home, environment="test"))
    biased = client.get_model_version(EFFORT, "1")
    assert biased.tags["gate.fairness"].startswith("failed")
    with pytest.raises(CellExecutionError, match=r"failed gate\(s\) fairness"):
        execute("triage_review.ipynb", trained_home, monkeypatch, RUN_ID=biased.run_id, PROMOTE=True,
                DECIDED_BY="modeleigenaar", REASON="test")
    assert str(champion_version(client, EFFORT).version) == "2"

    client.delete_registered_model_alias(EFFORT, CHAMPION)  # version 2 waits for a person's decision
    try:
        notebook = execute("triage_review.ipynb", trained_home, monkeypatch, PROMOTE=True,
                           DECIDED_BY="modeleigenaar J. de Vries", REASON="beter gekalibreerd, alle poorten groen")
    finally:
        promoted = champion_version(client, EFFORT)
        if promoted is None:
            client.set_registered_model_alias(EFFORT, CHAMPION, "2")
    assert "version 2 is now the champion" in text_of(notebook)
    assert promoted is not None and str(promoted.version) == "2"
    assert promoted.tags["champion_by"] == "modeleigenaar J. de Vries"
    assert promoted.tags["champion_reason"] == "beter gekalibreerd, alle poorten groen"
    assert "champion_since" in promoted.tags


@pytest.mark.slow
def test_capacity_planning_runs_scenarios_for_a_team(trained_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = execute("capacity_planning.ipynb", trained_home, monkeypatch, TEAM="wmo_meldingen",
                       DEMAND_CHANGES=[0.0, 0.5], FTE_CHANGES=[0.0, 3.0],
                       then="print(scenarios.to_json(orient='records'))")
    text = text_of(notebook)
    assert "werkwijzer-forecast version 1; team wmo_meldingen; 13 weeks" in text
    assert images(notebook) == 2
    scenarios = pd.DataFrame(json.loads(notebook.cells[-1].outputs[0]["text"])).set_index(["demand", "fte_change"])
    assert len(scenarios) == 4
    # the same numbers as models.capacity gives for the champion's forecast, norms and staffing
    champion = load_forecast_champion(configure_mlflow(Settings(home=trained_home, environment="test")))
    forecast = champion.forecast[champion.forecast["series_id"] == "wmo_meldingen"]
    for (demand, fte), row in scenarios.iterrows():
        plan = plan_capacity(forecast, champion.norms, champion.staffing, demand_change={"wmo_meldingen": 0.5
                             if demand == "+50%" else 0.0}, fte_change={"wmo_meldingen": fte})
        assert row["backlog_end_hours"] == pytest.approx(plan["backlog_hours"].iloc[-1])
        assert row["mean_fte_gap"] == pytest.approx(plan["fte_gap"].mean())
    gap = scenarios["mean_fte_gap"]
    assert gap[("+50%", 0.0)] > gap[("+0%", 0.0)] and gap[("+0%", 3.0)] == pytest.approx(gap[("+0%", 0.0)] - 3.0)
