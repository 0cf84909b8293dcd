"""A small real triage model and forecast registered in MLflow exactly as ADR 0003 lays out.

The API tests serve these: a scikit-learn LogisticRegression on one-hot encoded input,
explained by a shap.LinearExplainer that returns ``explain.case.Reason`` objects, a B1 citizen text and a capacity
computation with the output columns of ``models.capacity.plan_capacity``. They are injected
through ``casework.modelstore.ModelLibrary``; the service code never knows the difference.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shap
import skops.io
from scipy.stats import norm as normal
from sklearn.linear_model import LogisticRegression

from casework.config import FORECAST, TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.modelstore import ModelLibrary
from explain.case import Reason
from werkwijzer.contracts import staffing_for
from werkwijzer.settings import Settings
from werkwijzer.teams import EFFORT_CLASSES, team_label
from werkwijzer.tracking import CANDIDATE, CHAMPION, configure_mlflow, ensure_experiment, set_candidate, set_champion

TEAMS = ("bijstand_aanvragen", "schuldhulp_aanmeldingen", "wmo_meldingen")
FEATURES: list[dict[str, Any]] = [
    {
        "name": "team",
        "kind": "categorical",
        "label_nl": "Team",
        "label_en": "Team",
        "categories": list(TEAMS),
        "min": None,
        "max": None,
    },
    {
        "name": "open_debts",
        "kind": "numeric",
        "label_nl": "Aantal openstaande schulden",
        "label_en": "Number of open debts",
        "categories": None,
        "min": 0,
        "max": 40,
    },
    {
        "name": "prior_contacts_12m",
        "kind": "numeric",
        "label_nl": "Contacten in de afgelopen 12 maanden",
        "label_en": "Contacts in the last 12 months",
        "categories": None,
        "min": 0,
        "max": 60,
    },
    {
        "name": "months_on_benefit",
        "kind": "numeric",
        "label_nl": "Maanden in de bijstand",
        "label_en": "Months on social assistance",
        "categories": None,
        "min": 0,
        "max": 600,
    },
    {
        "name": "documents_complete",
        "kind": "boolean",
        "label_nl": "Documenten compleet",
        "label_en": "Documents complete",
        "categories": None,
        "min": None,
        "max": None,
    },
]


def encode(frame: pd.DataFrame, schema: dict[str, Any]) -> np.ndarray:
    columns = []
    for spec in schema["features"]:
        values = frame[spec["name"]].to_numpy()
        if spec["kind"] == "categorical":
            columns.append(values.astype(str)[:, None] == np.asarray(spec["categories"], dtype=str)[None, :])
        else:
            columns.append(values.astype(float)[:, None])
    return np.hstack(columns).astype(float)


def _owners(schema: dict[str, Any]) -> list[int]:
    owners: list[int] = []
    for i, spec in enumerate(schema["features"]):
        owners.extend([i] * (len(spec["categories"]) if spec["kind"] == "categorical" else 1))
    return owners


class ToyTriage:
    """The fitted LogisticRegression plus the schema that encodes a frame for it."""

    def __init__(self, estimator: LogisticRegression, schema: dict[str, Any]) -> None:
        self.estimator = estimator
        self.schema = schema
        self.classes_ = np.asarray(schema["classes"], dtype=object)[estimator.classes_]
        self.feature_names_in_ = np.asarray([f["name"] for f in schema["features"]], dtype=object)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator.predict_proba(encode(X, self.schema))


class ToyExplainer:
    def __init__(self, model: ToyTriage, background: pd.DataFrame, schema: dict[str, Any]) -> None:
        self.model, self.schema = model, schema
        self.explainer = shap.LinearExplainer(model.estimator, encode(background, schema))
        self.owners = _owners(schema)

    def reasons(self, row: pd.DataFrame, top: int = 5) -> list[Reason]:
        proba = self.model.predict_proba(row)[0]
        k = int(np.argmax(proba))
        values = np.asarray(self.explainer.shap_values(encode(row, self.schema)))
        # multiclass: (rows, columns, classes); binary: one output, for the second class
        binary = values[0] if k == 1 else -values[0]
        per_column = values[0, :, k] if values.ndim == 3 else binary
        totals = np.zeros(len(self.schema["features"]))
        np.add.at(totals, self.owners, per_column)
        order = np.argsort(-np.abs(totals))[:top]
        out = []
        for i in order:
            spec = self.schema["features"][i]
            value = row.iloc[0][spec["name"]]
            out.append(
                Reason(
                    spec["name"],
                    spec["label_nl"],
                    spec["label_en"],
                    value.item() if hasattr(value, "item") else value,
                    "up" if totals[i] >= 0 else "down",
                    float(totals[i]),
                )
            )
        return out


def load_toy(path: Path) -> ToyTriage:
    estimator = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    schema = json.loads((path.parent / "schema.json").read_text(encoding="utf-8"))
    return ToyTriage(estimator, schema)


def toy_citizen_explanation(reasons: list[dict[str, Any]], team: str, decided_by_person: bool, lang: str) -> str:
    items = [Reason(**r) for r in reasons]
    labels = ", ".join((r.label_nl if lang == "nl" else r.label_en).lower() for r in items[:3])
    name = team_label(team, lang)
    if lang == "nl":
        who = "Een medewerker heeft besloten." if decided_by_person else "Een medewerker besluit."
        return f"Team {name} keek naar uw aanvraag. Belangrijk waren: {labels}. {who}"
    who = "A staff member made the decision." if decided_by_person else "A staff member will decide."
    return f"Team {name} looked at your application. What mattered: {labels}. {who}"


def toy_plan_capacity(
    forecast: pd.DataFrame,
    norms: pd.DataFrame,
    staffing: pd.DataFrame,
    *,
    demand_change: dict[str, float] | None = None,
    fte_change: dict[str, float] | None = None,
    backlog_start: dict[str, float] | None = None,
) -> pd.DataFrame:
    rows = []
    for team, fc in forecast.groupby("series_id", sort=True):
        n = norms[norms["team"] == team]
        hours_per_case = float((n["norm_hours"] * n["effort_share"]).sum())
        productive = float(n["productive_hours_per_fte_week"].iloc[0])
        scale = 1.0 + (demand_change or {}).get(team, 0.0)
        weeks = pd.DatetimeIndex(fc["date"])
        available = staffing_for(staffing, team, weeks).to_numpy() + (fte_change or {}).get(team, 0.0)
        backlog = (backlog_start or {}).get(team, 0.0)
        for i, (_, r) in enumerate(fc.iterrows()):
            need = {k: r[k] * scale * hours_per_case / productive for k in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")}
            hours = r["mean"] * scale * hours_per_case
            backlog = max(0.0, backlog + hours - available[i] * productive)
            sd = max((need["hi_80"] - need["lo_80"]) / (2 * 1.2816), 1e-9)
            rows.append(
                {
                    "team": team,
                    "week": weeks[i],
                    "intake_mean": r["mean"] * scale,
                    "hours_mean": hours,
                    "fte_needed_mean": need["mean"],
                    "fte_needed_lo_80": need["lo_80"],
                    "fte_needed_hi_80": need["hi_80"],
                    "fte_needed_lo_95": need["lo_95"],
                    "fte_needed_hi_95": need["hi_95"],
                    "fte_available": available[i],
                    "fte_gap": need["mean"] - available[i],
                    "backlog_hours": backlog,
                    "breach_probability": float(normal.sf((available[i] - need["mean"]) / sd)),
                }
            )
    return pd.DataFrame(rows)


TOY_LIBRARY = ModelLibrary(
    load_triage=load_toy,
    make_explainer=ToyExplainer,
    citizen_explanation=toy_citizen_explanation,
    plan_capacity=toy_plan_capacity,
)


def toy_cases(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "team": rng.choice(TEAMS, n),
            "open_debts": rng.poisson(2.0, n).astype(float),
            "prior_contacts_12m": rng.poisson(2.0, n).astype(float),
            "months_on_benefit": rng.geometric(1 / 20, n).astype(float),
            "documents_complete": rng.random(n) < 0.7,
        }
    )
    score = (
        0.4 * frame["open_debts"]
        + 0.3 * frame["prior_contacts_12m"]
        + 0.9 * ~frame["documents_complete"]
        + rng.normal(0, 0.7, n)
    )
    frame["effort_class"] = np.digitize(score, np.quantile(score, [0.4, 0.8]))
    frame["integrated_approach"] = (score + rng.normal(0, 1, n) > np.quantile(score, 0.6)).astype(int)
    return frame


Trainer = Callable[[pd.DataFrame, pd.Series, dict[str, Any], Path], None]


def train_toy(X: pd.DataFrame, y: pd.Series, schema: dict[str, Any], path: Path) -> None:
    """Fit the LogisticRegression on the encoded input (labels as class positions) and save it with skops."""
    codes = y.map({c: i for i, c in enumerate(schema["classes"])}).to_numpy(dtype=int)
    skops.io.dump(LogisticRegression(max_iter=500).fit(encode(X, schema), codes), path)


def _triage_artifacts(
    folder: Path,
    name: str,
    target: str,
    classes: list[Any],
    cases: pd.DataFrame,
    trainer: Trainer,
    features: list[dict[str, Any]],
) -> None:
    schema = {
        "model_name": name,
        "target": target,
        "classes": classes,
        "positive": True if target == "integrated_approach" else None,
        "features": features,
    }
    X = cases.reindex(columns=[f["name"] for f in features])
    folder.mkdir(parents=True)
    labels = pd.Series(np.asarray(classes, dtype=object)[cases[target].to_numpy()], name=target)
    trainer(X, labels, schema, folder / "model.skops")
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    X.head(100).to_parquet(folder / "background.parquet")
    (folder / "gates.json").write_text(json.dumps({"fairness": {"status": "passed"}}), encoding="utf-8")
    card = {
        "name": name,
        "intended_use": "Advies over de verwachte inspanning; een medewerker beslist.",
        "comparison": TOY_COMPARISON,
        "selection": TOY_SELECTION,
    }
    (folder / "model_card.json").write_text(json.dumps(card), encoding="utf-8")
    (folder / "model_card.md").write_text(f"# {name}\n\nEen advies, geen besluit.\n", encoding="utf-8")
    register = register_entry(name, "Hoog-risico AI-systeem")
    (folder / "algoritmeregister.json").write_text(json.dumps(register), encoding="utf-8")
    (folder / "fairness.csv").write_text("group,selection_rate\nall,0.5\n", encoding="utf-8")


def register_entry(name: str, category: str) -> dict[str, str]:
    """A complete, valid Algoritmeregister entry (the report validates every entry of a model in use)."""
    return {
        "name": name,
        "description_short": "Een advies of prognose; een medewerker beslist.",
        "organization": "Gemeente Voorbeeldstad",
        "status": "In ontwikkeling",
        "contact_email": "a@b.nl",
        "publication_category": category,
        "lang": "nld",
        "standard_version": "1.0",
    }


# Per team: (feature, contribution in cases per week) of the toy SHAP drivers, as explain.forecast_drivers writes.
TOY_DRIVERS = {"season_lag": 6.0, "weekday_mean": 2.0, "public_holiday": -3.0, "trend": 1.0}


def _drivers(weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """``drivers.csv`` in the long format of the forecast flow (explain.forecast_drivers.DRIVER_COLUMNS)."""
    from explain.forecast_drivers import DRIVERS, driver_of

    rows = [
        {
            "series_id": team,
            "date": d.date(),
            "feature": f,
            "driver": driver_of(f),
            "feature_value": 1.0,
            "shap_value": c / 10,
            "contribution": c * (1 + i),
            "base_value": 40.0 + 20 * i,
            "label_nl": DRIVERS[driver_of(f)][0],
            "label_en": DRIVERS[driver_of(f)][1],
        }
        for i, team in enumerate(TEAMS)
        for d in weeks
        for f, c in TOY_DRIVERS.items()
    ]
    return pd.DataFrame(rows)


def _forecast_artifacts(folder: Path) -> None:
    folder.mkdir(parents=True)
    history_weeks = pd.date_range("2026-06-01", periods=26, freq="W-MON")
    future = pd.date_range(history_weeks[-1] + pd.Timedelta(weeks=1), periods=13, freq="W-MON")
    rng = np.random.default_rng(3)
    hist, fc, staff, norms = [], [], [], []
    for i, team in enumerate(TEAMS):
        level = 40.0 + 20 * i
        hist += [{"series_id": team, "date": d.date(), "value": float(rng.poisson(level))} for d in history_weeks]
        fc += [
            {
                "series_id": team,
                "date": d.date(),
                "mean": level,
                "lo_80": level * 0.8,
                "hi_80": level * 1.2,
                "lo_95": level * 0.7,
                "hi_95": level * 1.3,
            }
            for d in future
        ]
        staff += [{"team": team, "week": d.date(), "fte_available": 6.0 + i} for d in history_weeks.append(future)]
        norms += [
            {
                "team": team,
                "effort_class": c,
                "norm_hours": h,
                "effort_share": s,
                "productive_hours_per_fte_week": 26.0,
                "statutory_term_days": 56,
            }
            for c, h, s in zip(EFFORT_CLASSES, (2.0, 5.0, 12.0), (0.4, 0.4, 0.2), strict=True)
        ]
    pd.DataFrame(hist).to_csv(folder / "history.csv", index=False)
    pd.DataFrame(fc).to_csv(folder / "forecast.csv", index=False)
    pd.DataFrame(staff).to_csv(folder / "staffing.csv", index=False)
    pd.DataFrame(norms).to_csv(folder / "norms.csv", index=False)
    _drivers(future).to_csv(folder / "drivers.csv", index=False)
    pd.DataFrame({"series_id": list(TEAMS), "model": ["gbm", "ets", "gbm"]}).to_csv(
        folder / "auto_choice.csv", index=False
    )
    register = register_entry(FORECAST, "Overige algoritmes")
    (folder / "algoritmeregister.json").write_text(json.dumps(register), encoding="utf-8")
    pd.DataFrame([{"series_id": t, "mase": 0.8} for t in TEAMS]).to_csv(folder / "backtest_summary.csv", index=False)


# The plain-peer comparison a trained version carries (flows.triage_steps.compare_with_plain_peers).
TOY_COMPARISON = {
    "model": {"roc_auc": 0.8123, "pr_auc": 0.5, "brier": 0.1, "ece": 0.02},
    "peers": {
        "logistic_regression": {"roc_auc": 0.8234, "pr_auc": 0.5, "brier": 0.1, "ece": 0.02},
        "hist_gradient_boosting": {"roc_auc": 0.7345, "pr_auc": 0.4, "brier": 0.12, "ece": 0.04},
    },
    "best_peer": "logistic_regression",
    "roc_auc_gap": -0.0111,
    "brier_excess": 0.0,
    "ece_excess": 0.0,
}
COMPARISON_TAGS = {
    "comparison.model": "0.8123",
    "comparison.logistic_regression": "0.8234",
    "comparison.hist_gradient_boosting": "0.7345",
    "comparison.most_accurate": "0.8156",
}
# The choice among candidates when the gates refused the most accurate one (flows.triage_steps.constraint_cost).
TOY_SELECTION = {
    "chosen": "glassbox:linear:C=0.01",
    "most_accurate": "glassbox:linear:C=0.1",
    "constrained": True,
    "none_admissible": False,
    "none_passes_held_out": False,
    "cost_cv_roc_auc": 0.0021,
    "cost_cv_log_loss": 0.001,
    "candidates": [
        {
            "name": "glassbox:linear:C=0.1",
            "cv_roc_auc": 0.82,
            "cv_log_loss": 0.4,
            "admissible": True,
            "held_out": False,
            "reason": "fairness: 1 ratio(s) outside 0.8-1.25; worst: fnr of sex=man",
        },
        {
            "name": "glassbox:linear:C=0.01",
            "cv_roc_auc": 0.818,
            "cv_log_loss": 0.401,
            "admissible": True,
            "held_out": True,
            "reason": "performance and fairness pass",
        },
    ],
    "chosen_test": TOY_COMPARISON["model"],
    "most_accurate_test": {"roc_auc": 0.8156, "pr_auc": 0.5, "brier": 0.1, "ece": 0.02},
    "most_accurate_test_fairness": {"passed": False, "reason": "fnr of sex=man"},
    "cost_test_roc_auc": 0.0033,
}


def _register(
    client: Any, name: str, run_id: str, artifact_uri: str, alias: str, version_tags: dict[str, str] | None
) -> str:
    if not client.search_registered_models(filter_string=f"name='{name}'"):
        client.create_registered_model(name)
    version = client.create_model_version(
        name,
        source=f"{artifact_uri}/model",
        run_id=run_id,
        tags={
            "gate.fairness": "passed",
            "gate.backtest": "passed",
            **(COMPARISON_TAGS if name != FORECAST else {}),
            **(version_tags or {}),
        },
    )
    if alias == CHAMPION:  # a toy registry as it stands after an approval
        set_champion(client, name, version.version)
    elif alias == CANDIDATE:  # as training leaves it: waiting for a model owner (ADR 0019)
        set_candidate(client, name, version.version)
    return str(version.version)


def register_toy_models(
    settings: Settings,
    seed: int = 0,
    names: tuple[str, ...] = (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST),
    trainer: Trainer = train_toy,
    features: list[dict[str, Any]] | None = None,
    cases: pd.DataFrame | None = None,
    run_tags: dict[str, str] | None = None,
    alias: str = CHAMPION,
    version_tags: dict[str, str] | None = None,
) -> dict[str, str]:
    """Log one run per model with ADR 0003's artifacts, register it and make it champion (or, with
    ``alias="candidate"``, leave it waiting for approval, with any other ``alias`` without one, as a
    version that failed a gate; ``version_tags`` are added to its tags).

    ``trainer`` fits and saves ``triage/model.skops``; the real-module test passes one that
    uses ``models.triage``. ``cases`` (targets as class positions) replaces the toy cases, and
    ``run_tags`` are set on every run (the monitoring tests train on simulated cases and tag
    where they are).
    """
    client = configure_mlflow(settings)
    cases = toy_cases(seed=seed) if cases is None else cases
    versions = {}
    for name in names:
        experiment = ensure_experiment(client, "werkwijzer-api-tests", settings)
        run = client.create_run(experiment, tags=run_tags)
        with tempfile.TemporaryDirectory() as tmp:
            if name == FORECAST:
                _forecast_artifacts(Path(tmp) / "forecast")
                client.log_artifacts(run.info.run_id, str(Path(tmp) / "forecast"), "forecast")
            else:
                target = name.removeprefix("werkwijzer-triage-")
                classes = list(EFFORT_CLASSES) if target == "effort_class" else [False, True]
                _triage_artifacts(Path(tmp) / "triage", name, target, classes, cases, trainer, features or FEATURES)
                client.log_artifacts(run.info.run_id, str(Path(tmp) / "triage"), "triage")
        client.set_terminated(run.info.run_id)
        versions[name] = _register(client, name, run.info.run_id, run.info.artifact_uri, alias, version_tags)
    return versions


def reason_dict(reason: Any) -> dict[str, Any]:
    return dataclasses.asdict(reason)
