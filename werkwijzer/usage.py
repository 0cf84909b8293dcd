"""Feeds simulated weeks of use through a running API, as a case system and its caseworkers would.

Per team the intake of the new days goes to ``PUT /teams/{team}/intake`` (team lead); every new
case of a team the model serves gets ``POST /advice``, the caseworker's decision and sometimes a
citizen's objection (caseworker), and once the case is closed its outcome. The protected
characteristics of those cases go only to the separate audit file (``Settings.characteristics_file``):
the API never sees them (responsible-ai items 8 and 16). The model's input schema is the champion's ``schema.json`` from
the MLflow registry the API serves from: a case system knows which fields the model takes.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from werkwijzer.client import Decision, WerkwijzerClient
from werkwijzer.contracts.characteristics import read_characteristics
from werkwijzer.io import atomic_write_text, csv_text
from werkwijzer.settings import Settings
from werkwijzer.simulation import usage as sim
from werkwijzer.simulation.registry import registry_document
from werkwijzer.vocabulary import TRIAGE_EFFORT


@dataclass(frozen=True)
class UsageSummary:
    start: dt.date
    end: dt.date
    intake_days: int
    skipped_future_days: int
    advice: int
    advised: int
    decisions: int
    followed: int
    objections: int
    characteristics_file: Path
    outcomes: int = 0  # closed cases whose outcome was reported


def champion_schema(settings: Settings, model_name: str = TRIAGE_EFFORT) -> dict[str, Any]:
    """The input schema of the model's champion, from the MLflow registry."""
    from werkwijzer.tracking import champion_version, configure_mlflow, version_run

    client = configure_mlflow(settings)
    version = champion_version(client, model_name)
    if version is None:
        raise LookupError(
            f"no champion of {model_name} in {settings.tracking_uri}; train one first "
            f"('werkwijzer demo --no-serve' or 'werkwijzer triage train')"
        )
    with tempfile.TemporaryDirectory(prefix="werkwijzer-schema-") as tmp:
        path = client.download_artifacts(version_run(version), "triage/schema.json", tmp)
        return dict(json.loads(Path(path).read_text(encoding="utf-8")))


def protected_characteristics() -> list[str]:
    return list(registry_document()["protected"])


def record_characteristics(path: Path, cases: pd.DataFrame, protected: Sequence[str]) -> int:
    """Add the cases' protected characteristics to the audit file (a case seen again is replaced);
    written whole and atomically, so a reader never sees half a file."""
    new = cases[["case_id", *protected]].astype("string")
    if path.is_file():
        old = read_characteristics(path, protected)
        new = pd.concat([old[~old["case_id"].isin(new["case_id"])], new], ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, csv_text(new))
    return len(cases)


def feed_usage(
    client: WerkwijzerClient,
    weeks: sim.UsageWeeks,
    schema: Mapping[str, Any],
    settings: Settings,
    *,
    behaviour: sim.Behaviour | None = None,
    drift: float = 0.0,
    outcomes: bool = False,
    seed: int = 0,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _: None,
    on_case: Callable[[int, int], None] = lambda _done, _total: None,
) -> UsageSummary:
    """Send ``weeks`` through the API; see the module docstring. Intake days after ``today`` are
    skipped (the API accepts no future days) and counted in the summary. With ``outcomes`` every case,
    once decided (closed), also gets its outcome, from the simulator's truth."""
    rng = np.random.default_rng(seed)
    behaviour = behaviour or sim.Behaviour()
    features = list(schema["features"])
    classes = [str(c) for c in schema["classes"]]
    today = today or dt.date.today()

    known = {t["id"] for t in client.teams()}
    intake = weeks.intake[weeks.intake["series_id"].isin(known)]
    future = intake["date"].dt.date > today
    reported = 0
    for team, rows in intake[~future].groupby("series_id", sort=True):
        reported += client.report_intake(str(team), zip(rows["date"].dt.date, rows["value"], strict=True))
    progress(
        f"intake: {reported} team-days reported"
        + (f", {int(future.sum())} future days skipped" if future.any() else "")
    )

    cases = sim.servable(weeks.cases, features)
    cases = sim.apply_drift(cases, features, drift, rng)
    protected = protected_characteristics()
    record_characteristics(settings.characteristics_file, cases, protected)
    counts = {"advice": 0, "advised": 0, "decisions": 0, "followed": 0, "objections": 0, "outcomes": 0}
    for i, case in enumerate(cases.to_dict("records"), start=1):
        shown = client.advise(str(case["case_id"]), str(case["team"]), sim.model_input(case, features))
        suggestion = shown.get("suggestion")
        suggested = suggestion["suggested_effort_class"] if suggestion else None
        choice = sim.decide(suggested, case, classes, behaviour, rng)
        client.decide(shown["advice_id"], Decision(choice.outcome, choice.final_effort_class, choice.motivation))
        counts["advice"] += 1
        counts["advised"] += suggestion is not None
        counts["decisions"] += 1
        counts["followed"] += choice.outcome == "followed"
        if suggestion is not None and sim.objects(behaviour, rng):
            client.object(shown["advice_id"], "objection", sim.OBJECTION_TEXT)
            counts["objections"] += 1
        if outcomes:  # decided, so closed: its outcome, as the case system reports it
            turned_out = sim.outcome(case, classes, behaviour, rng)
            client.record_outcome(
                str(case["case_id"]),
                turned_out.handling_hours,
                turned_out.effort_class,
                turned_out.integrated_approach,
            )
            counts["outcomes"] += 1
        on_case(i, len(cases))
        if i % 250 == 0:
            progress(f"cases: {i} of {len(cases)}")
    return UsageSummary(
        weeks.start,
        weeks.end,
        reported,
        int(future.sum()),
        counts["advice"],
        counts["advised"],
        counts["decisions"],
        counts["followed"],
        counts["objections"],
        settings.characteristics_file,
        counts["outcomes"],
    )
