"""New weeks of use after the training period: intake, cases and what caseworkers do with advice.

This is the data side of ``werkwijzer simulate-usage`` (the feeding through the API is in
``werkwijzer.usage``). Three kinds of trouble can be switched on, each one the monitoring flow
must notice (docs/monitoring.md):

- **drift**: the model input moves away from the training data (numbers grow by a factor,
  complete documents become rarer), as after a change in the intake process;
- **fairness breach**: caseworkers overrule the advice for one group (migration background
  outside Europe) far more often than for anyone else, so advice and decision part ways for
  that group only;
- **rubber-stamping**: caseworkers follow every advice (automation bias);
- **anchoring** ``X`` in [0, 1]: where their own judgement differs from the advice they see,
  caseworkers take the advice instead with probability ``X`` (issue 17, ADR 0021). Control cases
  show no advice, so only the experiment's comparison of both arms can see it.
- **outcome drift**: what cases of one group (by default that same group) turn out to need moves
  away from what the model learnt (lighter than advised), while caseworkers keep agreeing with the
  model: only the outcomes of closed cases reveal it (issue 17 part 2, the Slimme Check lesson). Its
  target says which served model's truth moves: the effort class, the integrated approach, or both.

Without them, caseworkers go by their own judgement (the case's recorded effort class, which the
simulated history biases against one group, so live fairness shows a mild signal even then),
whether or not they see advice: they follow it where it agrees with them. A few citizens object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from werkwijzer.simulation import simulation_window
from werkwijzer.simulation.cases import simulate_cases
from werkwijzer.simulation.intake import simulate_intake, to_long, weekly
from werkwijzer.teams import CASE_TEAMS
from werkwijzer.vocabulary import TRIAGE_TARGETS, TRUE_WORDS

BREACH_ATTRIBUTE, BREACH_GROUP = "migration_background", "buiten_europa"
DEVIATION_REASONS = (
    "In het gesprek bleek de situatie anders dan de gegevens laten zien.",
    "Er speelt meer dan de gegevens laten zien; extra begeleiding nodig.",
    "Na controle van de stukken is minder inzet nodig.",
)
OBJECTION_TEXT = "De burger is het niet eens met de gekozen aanpak."


@dataclass(frozen=True)
class UsageWeeks:
    """``intake``: daily counts (``series_id, date, value``); ``cases``: one row per new case."""

    start: dt.date
    end: dt.date  # the last day
    intake: pd.DataFrame
    cases: pd.DataFrame


def simulate_weeks(
    start: dt.date, weeks: int, *, inhabitants: int = 100_000, years: int = 6, seed: int = 20261126
) -> UsageWeeks:
    """``weeks`` whole weeks from ``start`` of the same municipality as ``simulate_municipality``.

    The intake is drawn over the full window (``years`` ending with the new weeks), so trend,
    seasons and the policy break continue where the training data left off; only the new days
    are kept. Case ids get the prefix ``U<start>-`` so they never collide with training cases.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    last = start + dt.timedelta(days=7 * weeks - 1)
    days = simulation_window(years, last)
    days = days[days <= pd.Timestamp(last)]
    intake_rng, case_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence([seed, start.toordinal()]).spawn(2)
    )
    daily = simulate_intake(days, inhabitants, intake_rng).loc[pd.Timestamp(start) :]
    load = pd.DataFrame(1.0, index=weekly(daily).index, columns=list(CASE_TEAMS))
    cases = simulate_cases(daily, load, pd.Timestamp(last), case_rng, truth=True)
    cases["case_id"] = f"U{start:%Y%m%d}-" + cases["case_id"].astype(str)
    long = to_long(daily)
    long["date"] = pd.to_datetime(long["date"])
    return UsageWeeks(start, last, long.reset_index(drop=True), cases)


def apply_drift(
    cases: pd.DataFrame, features: Sequence[Mapping[str, Any]], factor: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Numeric inputs grow by ``1 + factor`` (whole numbers stay whole), and a share ``factor / 2``
    (at most 1) of true booleans turns false. Categories are left alone: the case mix per team
    is a different question from the input drifting."""
    out = cases.copy()
    if factor == 0:
        return out
    for spec in features:
        name = spec["name"]
        if name not in out.columns:
            continue
        if spec["kind"] == "numeric":
            values = pd.to_numeric(out[name]) * (1.0 + factor)
            out[name] = values.round() if _whole(cases[name]) else values
        elif spec["kind"] == "boolean":
            flags = _as_bool(out[name])
            flip = rng.random(len(out)) < min(abs(factor) / 2, 1.0)
            out[name] = flags & ~flip
    return out


def _whole(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values)
    return bool(np.all(np.mod(numbers.dropna(), 1) == 0))


def _as_bool(values: pd.Series) -> pd.Series:
    if values.dtype == bool:
        return values
    return values.astype(str).str.strip().str.lower().isin(TRUE_WORDS)


def model_input(case: Mapping[str, Any], features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The fields of the model's schema from one case, typed as the schema says; numbers are kept
    inside the schema's range, as a case system's own validation would."""
    out: dict[str, Any] = {}
    for spec in features:
        value = case.get(spec["name"])
        if value is None or (isinstance(value, float) and np.isnan(value)):
            out[spec["name"]] = None
        elif spec["kind"] == "numeric":
            number = float(value)
            low, high = spec.get("min"), spec.get("max")
            number = float(max(number, low)) if low is not None else number
            number = float(min(number, high)) if high is not None else number
            out[spec["name"]] = int(number) if number.is_integer() else number
        elif spec["kind"] == "boolean":
            out[spec["name"]] = bool(_as_bool(pd.Series([value])).iloc[0])
        else:
            out[spec["name"]] = str(value)
    return out


def servable(cases: pd.DataFrame, features: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The cases whose categories the model knows (e.g. the teams it was trained for)."""
    keep = pd.Series(True, index=cases.index)
    for spec in features:
        if spec["kind"] == "categorical" and spec.get("categories") and spec["name"] in cases.columns:
            keep &= cases[spec["name"]].astype(str).isin([str(c) for c in spec["categories"]])
    return cases[keep]


# What an outcome drift moves: the effort class (lightest), the integrated approach (not needed), or both.
OUTCOME_DRIFT_TARGETS = ("both", *TRIAGE_TARGETS)


@dataclass(frozen=True)
class Behaviour:
    """How the simulated caseworkers and citizens act."""

    anchoring: float = 0.0  # chance to take the shown advice when their own judgement differs
    objection_share: float = 0.01
    rubber_stamp: bool = False
    fairness_breach: bool = False
    breach_share: float = 0.6  # of the breach group's advice: overruled, to another class at random
    # Outcome drift: this share of one group's cases turns out to need only the lightest effort and/or
    # no integrated approach, while the caseworkers keep deciding as before (only outcomes show it).
    outcome_drift: float = 0.0
    outcome_drift_group: tuple[str, str] = (BREACH_ATTRIBUTE, BREACH_GROUP)  # (characteristic, group)
    outcome_drift_target: str = "both"  # one of OUTCOME_DRIFT_TARGETS: whose truth moves

    def __post_init__(self) -> None:
        if self.outcome_drift_target not in OUTCOME_DRIFT_TARGETS:
            raise ValueError(
                f"outcome_drift_target {self.outcome_drift_target!r} is not one of {', '.join(OUTCOME_DRIFT_TARGETS)}"
            )


@dataclass(frozen=True)
class Choice:
    outcome: str
    final_effort_class: str
    motivation: str | None


def decide(
    suggested: str | None,
    case: Mapping[str, Any],
    classes: Sequence[str],
    behaviour: Behaviour,
    rng: np.random.Generator,
) -> Choice:
    """The caseworker's decision on one case. Without a suggestion (control group, advice off) they
    record their own judgement, the case's historical label."""
    own = str(case.get("effort_class", classes[0]))
    if suggested is None:
        return Choice("deviated", own if own in classes else classes[0], "Eigen beoordeling, geen advies.")
    if behaviour.rubber_stamp:
        return Choice("followed", suggested, None)
    i = list(classes).index(suggested) if suggested in classes else 0
    in_group = str(case.get(BREACH_ATTRIBUTE, "")) == BREACH_GROUP
    if behaviour.fairness_breach and in_group and rng.random() < behaviour.breach_share:
        others = [c for c in classes if c != suggested]
    elif own in classes and own != suggested and rng.random() >= behaviour.anchoring:
        others = [own]  # an ordinary override: the caseworker's own judgement
    else:
        return Choice("followed", suggested, None)
    if not others:
        return Choice("followed", suggested, None)
    final = others[int(rng.integers(len(others)))]
    up = list(classes).index(final) > i
    return Choice("deviated", final, DEVIATION_REASONS[1 if up else 2])


def objects(behaviour: Behaviour, rng: np.random.Generator) -> bool:
    return bool(rng.random() < behaviour.objection_share)


@dataclass(frozen=True)
class CaseOutcome:
    handling_hours: float
    effort_class: str
    integrated_approach: bool


def outcome(
    case: Mapping[str, Any], classes: Sequence[str], behaviour: Behaviour, rng: np.random.Generator
) -> CaseOutcome:
    """What a closed case turned out to be: the simulator's true effort class (not the biased label), its
    handling hours and whether it needed an integrated approach. With ``outcome_drift`` a share of the
    cases of ``outcome_drift_group`` (default: the breach group) turns out lighter: per
    ``outcome_drift_target`` the lightest class with half the hours, no integrated approach, or both."""
    true_class = str(case.get("true_effort_class") or case.get("effort_class") or classes[0])
    hours = float(case.get("handling_hours") or 1.0)
    integrated = bool(_as_bool(pd.Series([case.get("integrated_approach", False)])).iloc[0])
    attribute, group = behaviour.outcome_drift_group
    in_group = str(case.get(attribute, "")) == group
    if behaviour.outcome_drift > 0 and in_group and rng.random() < behaviour.outcome_drift:
        target = behaviour.outcome_drift_target
        if target != "integrated_approach":
            if classes[0] != true_class:
                hours = hours / 2
            true_class = classes[0]
        if target != "effort_class":
            integrated = False
    return CaseOutcome(round(max(hours, 0.1), 2), true_class if true_class in classes else classes[0], integrated)
