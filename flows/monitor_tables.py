"""The monitoring tables of one period, from store frames, training data and the audit file.

No arithmetic of its own: each table is a ``models.monitoring`` function on the right rows, with
``model_name`` added to its scope, so that a "stop" finding names the model to switch off. What
this module decides is *which* rows: only decisions on advice that was shown count for agreement
and fairness (a control case has nothing to agree with), only complete weeks of intake count
against the weekly forecast, and the input is typed by the model's schema on both sides of the
drift comparison so that ``True`` and ``"true"`` are the same category.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from models.monitoring import (
    agreement_rates,
    forecast_error,
    join_forecast_actuals,
    live_fairness,
    objection_counts,
    override_surge,
    psi_table,
)
from werkwijzer.formatting import readable
from werkwijzer.privacy import MIN_CELL, suppress_small_cells
from werkwijzer.vocabulary import TRUE_WORDS

AGREEMENT_SCOPES = (("model_name", "team"), ("model_name", "model_version"), ("model_name", "score_band"))
PER_TEAM = ("model_name", "team")
UNKNOWN_GROUP = "(ontbrekend)"  # a case the audit file does not know


def typed_input(frame: pd.DataFrame, features: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The schema's columns typed by its kinds: numbers, booleans, categories as text; missing stays missing."""
    out = pd.DataFrame(index=frame.index)
    for spec in features:
        name = spec["name"]
        values = frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index)
        blank = values.isna() | (values.astype("string").str.strip() == "")
        if spec["kind"] == "numeric":
            out[name] = pd.to_numeric(values.where(~blank), errors="coerce").astype("Float64")
        elif spec["kind"] == "boolean":
            flags = values.astype("string").str.strip().str.lower().isin(TRUE_WORDS)
            out[name] = flags.astype("boolean").where(~blank, pd.NA)
        else:
            out[name] = values.astype("string").where(~blank, pd.NA)
    return out


def feature_labeler(features: Sequence[Mapping[str, Any]]) -> Callable[[str, str], str]:
    """Names features by the schema's Dutch or English label in findings, never by column name."""
    specs = {f["name"]: f for f in features}

    def label(name: str, lang: str) -> str:
        spec = specs.get(name, {})
        return str(spec.get(f"label_{lang}") or readable(name, lang))

    return label


def drift(
    reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[Mapping[str, Any]], model_name: str, bins: int
) -> pd.DataFrame:
    """PSI per feature of ``model_name``'s input against its training data."""
    names = [f["name"] for f in features]
    if current.empty:
        return pd.DataFrame(columns=["model_name", "feature", "kind", "psi", "n_reference", "n"])
    table = psi_table(typed_input(reference, features), typed_input(current, features), names, bins=bins)
    table.insert(0, "model_name", model_name)
    return table


def weekly_actuals(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily actuals summed per week (labelled by its Monday, as the forecast is), complete weeks only:
    a half-reported week would look like a forecast error."""
    if daily.empty:
        return pd.DataFrame(columns=["series_id", "date", "value"])
    d = daily.assign(date=pd.to_datetime(daily["date"]))
    d["week"] = d["date"] - pd.to_timedelta(d["date"].dt.dayofweek, unit="D")
    weeks = d.groupby(["series_id", "week"]).agg(value=("value", "sum"), days=("date", "nunique")).reset_index()
    weeks = weeks[weeks["days"] == 7]
    return weeks.rename(columns={"week": "date"})[["series_id", "date", "value"]].reset_index(drop=True)


def forecast_accuracy(forecast: pd.DataFrame, daily: pd.DataFrame, model_name: str) -> pd.DataFrame:
    """Forecast error per team over the weeks that have both a forecast and a complete actual."""
    joined = join_forecast_actuals(forecast, weekly_actuals(daily))
    if joined.empty:
        return pd.DataFrame(columns=["model_name", "team", "n", "smape", "coverage_95"])
    table = forecast_error(joined)
    table.insert(0, "model_name", model_name)
    return table


def advised(decisions: pd.DataFrame) -> pd.DataFrame:
    """Decisions on advice the caseworker saw: the only ones that can follow or override it."""
    return decisions[decisions["advised"]].copy()


def agreement(
    decisions: pd.DataFrame, characteristics: pd.DataFrame | None = None, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """Agreement and override rates per team, per model version, per score band and, with the audit
    file's ``characteristics``, per protected group (one table; see ``agreement_by_group``)."""
    rows = advised(decisions)
    if rows.empty:
        return pd.DataFrame(columns=["model_name", "n", "agreement_rate", "override_rate"])
    parts = [agreement_rates(rows, by) for by in AGREEMENT_SCOPES]
    groups = agreement_by_group(rows, characteristics, min_cell)
    return pd.concat(parts + ([groups] if len(groups) else []), ignore_index=True)


def with_characteristics(rows: pd.DataFrame, characteristics: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``rows`` joined by case key to the audit file, and its attributes; a case the file does not
    know is in the group "(ontbrekend)"."""
    attributes = [c for c in characteristics.columns if c != "case_id"]
    cases = rows.merge(characteristics, left_on="case_ref", right_on="case_id", how="left")
    cases[attributes] = cases[attributes].astype("string").fillna(UNKNOWN_GROUP)
    return cases, attributes


def agreement_by_group(decisions: pd.DataFrame, characteristics: pd.DataFrame | None, min_cell: int) -> pd.DataFrame:
    """Agreement and override rates per protected group (responsible-ai item 4), rows as ``agreement``'s
    with ``attribute`` and ``group`` as scope. A group with fewer than ``min_cell`` decisions is left
    out, so no small group's rate leaves the flow.

    Not the cell rule of ``privacy.suppress_small_cells``: that rule would drop every group in which
    fewer than ``min_cell`` decisions were overridden, zero included, and a group whose advice is
    followed every time is exactly the automation bias this table is for (ADR 0014)."""
    rows = advised(decisions)
    columns = ["model_name", "attribute", "group", "n", "agreement_rate", "override_rate"]
    if characteristics is None or rows.empty:
        return pd.DataFrame(columns=columns)
    cases, attributes = with_characteristics(rows, characteristics)
    parts = [
        agreement_rates(cases, ("model_name", a)).rename(columns={a: "group"}).assign(attribute=a) for a in attributes
    ]
    table = pd.concat(parts, ignore_index=True)
    return table[table["n"] >= min_cell].reset_index(drop=True)


def surge(decisions: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    now, before = advised(decisions), advised(baseline)
    if now.empty or before.empty:
        return pd.DataFrame(columns=[*PER_TEAM, "n", "n_baseline", "surge"])
    return override_surge(now, before, PER_TEAM)


def objections(objection_rows: pd.DataFrame, advice: pd.DataFrame) -> pd.DataFrame:
    """Objections per advice given, per model and team."""
    given = advice[advice["advised"]]
    if given.empty:
        return pd.DataFrame(columns=[*PER_TEAM, "objections", "advice", "objection_rate"])
    return objection_counts(objection_rows, given, PER_TEAM)


def fairness(
    decisions: pd.DataFrame, characteristics: pd.DataFrame | None, positive: Collection[str], min_cell: int
) -> pd.DataFrame:
    """Live fairness per model: the advice against the person's decision, per protected group.

    "Positive" means an effort class in ``positive`` (the flow passes every class above the
    lightest: the case needs more than standard handling); advice and decision each put the case
    there or not. A split near the middle keeps the cells large enough not to be suppressed; the
    heaviest class alone is rare, and its cells would be suppressed in most groups.
    Characteristics are joined by case key from the audit file; cases the file does not know form
    the group "(ontbrekend)". Small cells are suppressed here already.
    """
    rows = advised(decisions)
    if characteristics is None or rows.empty:
        return pd.DataFrame(columns=["model_name", "subject", "attribute", "group", "n", "suppressed"])
    cases, attributes = with_characteristics(rows, characteristics)
    cases["advice_positive"] = cases["suggested_class"].isin(list(positive))
    cases["decision_positive"] = cases["final_effort_class"].isin(list(positive))
    parts = []
    for model_name, group in cases.groupby("model_name", sort=True):
        table = suppress_small_cells(live_fairness(group, attributes), min_cell)
        table.insert(0, "model_name", model_name)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)
