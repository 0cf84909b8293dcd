from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli, main
from flows.triage_steps import REPORT_FILES

AUDIT_COLUMNS = [
    "attribute",
    "group",
    "n",
    "tn",
    "fp",
    "fn",
    "tp",
    "selection_rate",
    "fpr",
    "fnr",
    "tpr",
    "fdr",
    "fp_share",
    "fpr_ratio",
    "fnr_ratio",
    "fdr_ratio",
    "selection_rate_ratio",
    "suppressed",
]


@pytest.fixture
def outcomes(tmp_path: Path) -> Path:
    rng = np.random.default_rng(2)
    n = 1200
    group = rng.choice(["a", "b", "c"], n, p=[0.6, 0.37, 0.03])
    label = rng.random(n) < 0.4
    flip = rng.random(n) < np.where(group == "b", 0.35, 0.15)
    prediction = np.where(flip, ~label, label)
    path = tmp_path / "outcomes.csv"
    pd.DataFrame(
        {
            "label": np.where(label, "ja", "nee"),
            "prediction": np.where(prediction, "ja", "nee"),
            "sex": group,
            "age_band": rng.choice(["jong", "oud"], n),
        }
    ).to_csv(path, index=False)
    return path


def test_audit_neutralises_group_names_a_spreadsheet_would_run(outcomes: Path, tmp_path: Path) -> None:
    data = pd.read_csv(outcomes)
    data["sex"] = data["sex"].map({"a": '=HYPERLINK("http://x")', "b": "@SUM(1)", "c": "-2+3"})
    data.to_csv(outcomes, index=False)
    out = tmp_path / "audit"
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            "--data",
            str(outcomes),
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--group",
            "sex",
            "--positive",
            "ja",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    groups = set(pd.read_csv(out / "fairness.csv")["group"])
    assert groups == {'\'=HYPERLINK("http://x")', "'@SUM(1)", "'-2+3"}
    assert not (out / "fairness.csv").read_text(encoding="utf-8").count("\n=")


def test_audit_writes_exact_columns_with_reference_and_suppression(outcomes: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit"
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            "--data",
            str(outcomes),
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--group",
            "sex",
            "--group",
            "age_band",
            "--reference",
            "sex=b",
            "--positive",
            "ja",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "fairness.csv")
    assert list(table.columns) == AUDIT_COLUMNS
    sex = table[table["attribute"] == "sex"].set_index("group")
    assert sex.loc["b", "fpr_ratio"] == 1.0  # the chosen reference
    assert sex.loc["c", "suppressed"] and pd.isna(sex.loc["c", "fp"])  # a 3 % group has small cells
    age = table[table["attribute"] == "age_band"].set_index("group")
    assert 1.0 in set(age["fpr_ratio"])  # largest group is the default reference
    report = (out / "fairness.md").read_text()
    assert "metric priority" in report and ("GESLAAGD" in report)
    assert "gate:" in result.output


def test_audit_names_a_missing_column(outcomes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(
            [
                "audit",
                "--data",
                str(outcomes),
                "--label",
                "label",
                "--prediction",
                "score",
                "--group",
                "sex",
                "--out",
                str(tmp_path / "x"),
            ]
        )
    assert info.value.code == 2
    assert "column 'score'" in capsys.readouterr().err
    assert not (tmp_path / "x" / "fairness.csv").exists()


def test_audit_refuses_a_malformed_reference(outcomes: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "audit",
            "--data",
            str(outcomes),
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--group",
            "sex",
            "--reference",
            "sex",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code != 0 and "COL=VALUE" in result.output


def test_register_validate_accepts_a_good_entry_and_lists_problems(tmp_path: Path) -> None:
    good = {
        "name": "Werkwijzer triage",
        "description_short": "Advies, de mens beslist.",
        "organization": "Gemeente X",
        "status": "In gebruik",
        "contact_email": "a@x.nl",
        "publication_category": "Hoog-risico AI-systeem",
        "lang": "nld",
        "standard_version": "1.0",
    }
    path = tmp_path / "entry.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    result = CliRunner().invoke(cli, ["register", "validate", str(path)])
    assert result.exit_code == 0 and "valid" in result.output
    path.write_text(json.dumps({**good, "status": "Live", "name": "n" * 120}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["register", "validate", str(path)])
    assert result.exit_code == 1
    assert "'status' (Status): 'Live' is not allowed" in result.output and "at most 100" in result.output


@pytest.mark.slow
def test_triage_train_with_yes_no_labels_writes_every_report(
    sim_dir: Path, tmp_path: Path, prefect_harness: None
) -> None:
    cases = pd.read_csv(sim_dir / "cases.csv", dtype=str, keep_default_na=False).head(4000)
    cases["needs_help"] = np.where(cases.pop("integrated_approach") == "true", "yes", "no")
    path = tmp_path / "cases.csv"
    cases.to_csv(path, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "triage",
            "train",
            "--cases",
            str(path),
            "--target",
            "needs_help",
            "--positive",
            "yes",
            "--registry",
            str(sim_dir / "feature_registry.yaml"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "MLflow run:" in result.output and "gate fairness" in result.output
    assert "werkwijzer-triage-needs_help version 1 is a candidate — approve with: werkwijzer models approve" in (
        result.output
    )
    # not a terminal: the progress bar over the training steps is plain lines, the last one all done
    steps = re.findall(r"^  triage: (\d+) of (\d+)$", result.output, re.MULTILINE)
    assert steps[0] == ("1", "6") and steps[-1] == ("6", "6") and len(steps) == 6
    for name in REPORT_FILES:
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"roc_auc", "pr_auc", "brier", "model_type", "n_train", "n_test"} <= set(metrics)
    assert metrics["n_train"] + metrics["n_test"] == 4000
    assert not {"age_band", "sex", "migration_background"} & set(json.loads((out / "features.json").read_text()))
    assert list(pd.read_csv(out / "fairness.csv").columns) == AUDIT_COLUMNS
    assert CliRunner().invoke(cli, ["register", "validate", str(out / "algoritmeregister.json")]).exit_code == 0


def test_triage_train_refuses_an_approved_deny_listed_feature(
    sim_dir: Path, tmp_path: Path, prefect_harness: None
) -> None:
    registry = yaml.safe_load((sim_dir / "feature_registry.yaml").read_text(encoding="utf-8"))
    for feature in registry["features"]:
        if feature["name"] == "postcode_district":
            feature["status"] = "approved"
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "triage",
            "train",
            "--cases",
            str(sim_dir / "cases.csv"),
            "--target",
            "effort_class",
            "--registry",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 1
    assert "feature 'postcode_district' is refused" in result.output and "deny-list" in result.output
    assert not (tmp_path / "o" / "metrics.json").exists()
