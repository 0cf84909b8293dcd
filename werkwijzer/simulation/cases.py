"""Case records behind the intake of the case-handling teams.

Two things are built in on purpose, because the fairness tooling must find them:
- the postcode district is a proxy for migration background (residential concentration);
- the historical effort-class label is biased against the 'buiten_europa' group: a share
  ``LABEL_BIAS_P`` of its non-complex cases is recorded one class higher than the true effort,
  while handling hours follow the true effort (so the bias can be shown from the data).
True effort and the need for an integrated approach do not depend on any protected
characteristic, nor on language assistance, channel or district.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from werkwijzer.simulation import parameters as P
from werkwijzer.teams import CASE_TEAMS, EFFORT_CLASSES, TEAMS

PREFIX = {
    "bijstand_aanvragen": "BIJ",
    "bijzondere_bijstand": "BBS",
    "wmo_meldingen": "WMO",
    "jeugdhulp": "JGD",
    "schuldhulp_aanmeldingen": "SHV",
    "omgevingsvergunningen": "OMV",
}


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], p, n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=np.asarray(p) / np.sum(p))]


def _districts(rng: np.random.Generator, migration: np.ndarray) -> np.ndarray:
    out = np.empty(len(migration), dtype=object)
    others = tuple(d for d in P.DISTRICTS if d not in P.CONCENTRATED)
    for group, share in P.CONCENTRATED_SHARE.items():
        idx = np.flatnonzero(migration == group)
        inside = rng.random(len(idx)) < share
        out[idx[inside]] = _pick(rng, P.CONCENTRATED, [1] * len(P.CONCENTRATED), int(inside.sum()))
        out[idx[~inside]] = _pick(rng, others, [1] * len(others), int((~inside).sum()))
    return out


def _team_cases(team: str, dates: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    n = len(dates)
    migration = _pick(rng, list(P.MIGRATION), list(P.MIGRATION.values()), n)
    income = _pick(rng, P.INCOME, P.INCOME_BY_TEAM[team], n)
    months = np.where(income == "bijstand", rng.geometric(1 / 30, n), 0)
    household = _pick(rng, P.HOUSEHOLDS, P.HOUSEHOLD_P, n)
    channel = _pick(rng, P.CHANNELS, P.CHANNEL_P, n)
    debt_mean = 6.0 if team == "schuldhulp_aanmeldingen" else 1.2
    debts = rng.negative_binomial(2, 2 / (2 + debt_mean), n)
    contacts = rng.poisson(1.0 + 0.15 * np.minimum(months, 60) / 12 + 0.2 * debts)
    provisions = P.PROVISIONS[team]
    provision = _pick(rng, provisions, [1] * len(provisions), n)
    documents = rng.random(n) < np.where(channel == "online", 0.80, np.where(channel == "post", 0.55, 0.70))
    language = rng.random(n) < np.vectorize(P.LANGUAGE_ASSISTANCE.get)(migration)

    # True effort: only from legitimate case facts, plus noise.
    score = (
        0.30 * np.minimum(debts, 10)
        + 0.35 * np.minimum(contacts, 8)
        + 0.8 * ~documents
        + 0.3 * (household == "alleenstaande_ouder")
        + np.vectorize(lambda v: P.PROVISION_EFFORT.get(v, 0.0))(provision)
        + rng.normal(0.0, P.EFFORT_NOISE_SD, n)
    )
    cut_low, cut_high = np.quantile(score, [P.EFFORT_SHARES[0], 1 - P.EFFORT_SHARES[2]])
    true_class = np.digitize(score, [cut_low, cut_high])
    label = true_class.copy()
    biased = (migration == P.LABEL_BIAS_GROUP) & (true_class < 2) & (rng.random(n) < P.LABEL_BIAS_P)
    label[biased] += 1
    hours = np.asarray(P.NORM_HOURS[team])[true_class] * rng.lognormal(-(P.HOURS_SIGMA**2) / 2, P.HOURS_SIGMA, n)

    logit = (
        P.INTEGRATED_INTERCEPT
        + 0.35 * np.minimum(debts, 10)
        + 0.25 * np.minimum(contacts, 8)
        + 0.6 * (months > 24)
        + 0.4 * (household == "alleenstaande_ouder")
        + {"schuldhulp_aanmeldingen": 1.0, "jeugdhulp": 0.8}.get(team, 0.0)
    )
    integrated = rng.random(n) < 1 / (1 + np.exp(-logit))

    return pd.DataFrame(
        {
            "team": team,
            "received_date": dates,
            "channel": channel,
            "household_type": household,
            "income_source": income,
            "months_on_benefit": months,
            "prior_contacts_12m": contacts,
            "open_debts": debts,
            "requested_provision": provision,
            "documents_complete": documents,
            "language_assistance": language,
            "postcode_district": _districts(rng, migration),
            "age_band": _pick(rng, P.AGE_BANDS, P.AGE_BY_TEAM[team], n),
            "sex": _pick(rng, list(P.SEX), list(P.SEX.values()), n),
            "migration_background": migration,
            "handling_hours": np.round(hours, 2),
            "effort_class": np.asarray(EFFORT_CLASSES, dtype=object)[label],
            "integrated_approach": integrated,
            "_true_class": true_class,
        }
    )


def simulate_cases(
    daily: pd.DataFrame, load: pd.DataFrame, end: pd.Timestamp, rng: np.random.Generator, *, truth: bool = False
) -> pd.DataFrame:
    """One record per intake item of the case teams; ``load`` is need/available per week (Monday index).
    With ``truth`` each case also gets ``true_effort_class``: the effort it really needs (the recorded
    ``effort_class`` is the biased historical label), from which simulated use reports outcomes."""
    frames = []
    for team in CASE_TEAMS:
        counts = daily[team].to_numpy()
        dates = np.repeat(daily.index.to_numpy(), counts)
        cases = _team_cases(team, dates, rng)
        term = TEAMS[team].statutory_term_days or 56
        received = pd.DatetimeIndex(cases["received_date"])
        week = received - pd.to_timedelta(received.day_of_week, unit="D")
        pressure = np.clip(load[team].reindex(week).to_numpy(), 0.7, 2.5)
        mean = term * P.DURATION_SHARE_OF_TERM * np.asarray(P.DURATION_EFFORT)[cases["_true_class"]] * pressure
        days = np.ceil(rng.gamma(P.DURATION_SHAPE, mean / P.DURATION_SHAPE)).astype(int)
        decision = received + pd.to_timedelta(days, unit="D")
        open_ = decision > end
        cases["decision_date"] = pd.Series(decision.strftime("%Y-%m-%d")).where(~open_, "").to_numpy()
        cases["decided_within_term"] = np.where(open_, "", np.where(days <= term, "true", "false"))
        year = received.year.astype(str)
        seq = np.arange(1, len(cases) + 1)
        cases.insert(0, "case_id", [f"{PREFIX[team]}-{y}-{s:06d}" for y, s in zip(year, seq, strict=True)])
        if truth:
            cases["true_effort_class"] = np.asarray(EFFORT_CLASSES, dtype=object)[cases["_true_class"]]
        frames.append(cases.drop(columns="_true_class"))
    out = pd.concat(frames, ignore_index=True).sort_values(["received_date", "case_id"], kind="stable")
    out["received_date"] = pd.DatetimeIndex(out["received_date"]).strftime("%Y-%m-%d")
    for column in ("documents_complete", "language_assistance", "integrated_approach"):
        out[column] = np.where(out[column], "true", "false")
    return out.reset_index(drop=True)
