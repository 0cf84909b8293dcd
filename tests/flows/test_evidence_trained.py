"""The system card of a really trained triage model (slow: trains once): the run's own facts answer the
data, accuracy and fairness questions, and the model owner's justification is kept with the run and cited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from werkwijzer.settings import Settings

pytestmark = pytest.mark.slow
ANSWER = "Een antwoord van de modeleigenaar van ten minste twintig tekens."


@pytest.fixture(scope="module")
def trained(sim_dir: Path, prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from flows.evidence import write_systemcard
    from flows.train_triage import train_triage

    home = tmp_path_factory.mktemp("evidence-trained")
    settings = Settings(home=home, environment="test", seed=7)
    justification = home / "rechtvaardiging.yaml"
    keys = ("legitimate_aim", "suitability", "necessity", "proportionality", "ethical_desirability")
    justification.write_text(yaml.safe_dump({k: ANSWER for k in keys}), encoding="utf-8")
    run = train_triage(
        str(sim_dir / "cases.csv"),
        str(sim_dir / "feature_registry.yaml"),
        "effort_class",
        settings=settings,
        justification_path=str(justification),
        out_dir=str(home / "reports"),
    )
    written = write_systemcard(settings, run.model_name, home / "card")
    return {
        "settings": settings,
        "run": run,
        "home": home,
        "card": json.loads(written["json"].read_text(encoding="utf-8")),
    }


def test_the_justification_document_itself_is_kept_with_the_run(trained: dict[str, Any]) -> None:
    from werkwijzer.tracking import configure_mlflow

    client = configure_mlflow(trained["settings"])
    kept = [a.path for a in client.list_artifacts(trained["run"].run_id, "justification")]
    assert kept == ["justification/rechtvaardiging.yaml"]
    path = client.download_artifacts(trained["run"].run_id, kept[0], str(trained["home"] / "download"))
    assert yaml.safe_load(Path(path).read_text(encoding="utf-8"))["necessity"] == ANSWER


def test_fairness_csv_publishes_fnr_and_fdr_ratios(trained: dict[str, Any]) -> None:
    table = pd.read_csv(trained["home"] / "reports" / "fairness.csv")
    assert {"fpr_ratio", "fnr_ratio", "fdr_ratio"} <= set(table.columns)
    shown = table[~table["suppressed"]]
    assert shown["fnr_ratio"].notna().any() and shown["fdr_ratio"].notna().any()
    assert table.loc[table["suppressed"], ["fnr_ratio", "fdr_ratio"]].isna().all().all()


def test_the_run_answers_data_accuracy_and_fairness_questions(trained: dict[str, Any]) -> None:
    card, run = trained["card"], trained["run"]
    found = {e["urn"].rsplit(":", 1)[-1]: e for e in card["requirements"]}
    found.update({c["urn"].removeprefix("urn:nl:aivt:tr:"): c for a in card["assessments"] for c in a["contents"]})
    data = found["aia-05"]
    assert data["state"] == "evidenced" and str(len(run.features)) + " kenmerken" in data["answer"]
    assert any(s["ref"].startswith(f"run {run.run_id}") for s in data["evidence"])
    fairness = found["grw-02"]
    assert fairness["state"] == "evidenced", fairness["remarks"]
    assert any(s["ref"] == f"runs:/{run.run_id}/justification" for s in fairness["evidence"])
    versions = found["td:1.0:1.a.3"]
    assert versions["state"] == "evidenced" and run.run_id in versions["answer"]
    # never used: no decisions and no monitoring, so the oversight and monitoring questions stay open
    assert found["aia-22"]["state"] == "open" and found["aia-22"]["open_for"]["label_nl"] == "modeleigenaar"
