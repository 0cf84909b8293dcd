"""The simulated municipality: deterministic, and its documented statistical properties hold.

Sizes asserted here are the ones docs/simulation.md states (with a tolerance for sampling noise).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from werkwijzer.calendar import public_holidays, school_holidays
from werkwijzer.contracts import read_cases, read_intake, read_norms, read_registry, read_staffing
from werkwijzer.simulation import FILES, last_full_week_end, simulate_municipality
from werkwijzer.simulation import parameters as P
from werkwijzer.simulation.intake import break_date, expected_daily
from werkwijzer.teams import CASE_TEAMS

END = dt.date(2026, 11, 22)


def digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    kwargs = {"inhabitants": 20_000, "years": 1, "end": END}
    simulate_municipality(tmp_path / "a", seed=3, **kwargs)
    simulate_municipality(tmp_path / "b", seed=3, **kwargs)
    simulate_municipality(tmp_path / "c", seed=4, **kwargs)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["intake_daily.csv"] != digest(tmp_path / "c")["intake_daily.csv"]


def test_every_file_passes_its_own_contract(sim_dir: Path) -> None:
    registry = read_registry(sim_dir / "feature_registry.yaml")
    intake = read_intake(sim_dir / "intake_daily.csv")
    assert intake["series_id"].nunique() >= 8
    assert (intake["value"] >= 0).all() and (intake["value"] % 1 == 0).all()
    cases = read_cases(sim_dir / "cases.csv", registry)
    assert set(cases["team"]) == set(CASE_TEAMS)
    read_intake(sim_dir / "intake_weekly.csv")
    staffing = read_staffing(sim_dir / "staffing.csv")
    assert staffing["week"].max() > pd.Timestamp(END)  # planned formation reaches into the future
    norms = read_norms(sim_dir / "norms.csv")
    assert set(norms["team"]) == set(P.NORM_HOURS)


def test_window_is_whole_weeks_ending_with_last_full_week(sim_dir: Path) -> None:
    daily = read_intake(sim_dir / "intake_daily.csv")
    assert daily["date"].max() == pd.Timestamp(END)
    assert daily["date"].min().day_of_week == 0  # a Monday
    assert len(daily["date"].unique()) == 3 * 52 * 7
    weekly = read_intake(sim_dir / "intake_weekly.csv")
    assert (weekly["date"].dt.day_of_week == 0).all()
    one = "wmo_meldingen"
    assert weekly.loc[weekly.series_id == one, "value"].sum() == daily.loc[daily.series_id == one, "value"].sum()
    assert last_full_week_end(dt.date(2026, 11, 26)) == dt.date(2026, 11, 22)
    assert last_full_week_end(dt.date(2026, 11, 23)) == dt.date(2026, 11, 22)


def test_intake_of_case_teams_equals_case_records(sim_dir: Path) -> None:
    daily = read_intake(sim_dir / "intake_daily.csv")
    cases = pd.read_csv(sim_dir / "cases.csv", usecols=["team", "received_date"])
    per_team = cases.groupby("team").size()
    for team in CASE_TEAMS:
        assert per_team[team] == daily.loc[daily.series_id == team, "value"].sum()


@pytest.fixture(scope="module")
def daily_wide(big_sim_dir: Path) -> pd.DataFrame:
    intake = read_intake(big_sim_dir / "intake_daily.csv")
    return intake.pivot(index="date", columns="series_id", values="value")


@pytest.fixture(scope="module")
def cases(big_sim_dir: Path) -> pd.DataFrame:
    return pd.read_csv(big_sim_dir / "cases.csv", dtype={"decided_within_term": "string"})


def _workdays(index: pd.DatetimeIndex) -> np.ndarray:
    return (index.day_of_week < 5) & ~public_holidays(index)


def test_weekday_pattern(daily_wide: pd.DataFrame) -> None:
    workday = _workdays(daily_wide.index)
    weekend = daily_wide.index.day_of_week >= 5
    for team in (*CASE_TEAMS, "kcc_contacten"):
        ratio = daily_wide.loc[weekend, team].mean() / daily_wide.loc[workday, team].mean()
        assert ratio < 0.06, team  # little intake at weekends, some online
    ratio = (
        daily_wide.loc[weekend, "meldingen_openbare_ruimte"].mean()
        / daily_wide.loc[workday, "meldingen_openbare_ruimte"].mean()
    )
    assert 0.55 < ratio < 0.75  # the app keeps reports coming in at weekends
    monday = daily_wide.index.day_of_week == 0
    friday = daily_wide.index.day_of_week == 4
    kcc = daily_wide["kcc_contacten"]
    assert kcc[monday & workday].mean() > 1.4 * kcc[friday & workday].mean()


def test_public_holiday_dip(daily_wide: pd.DataFrame) -> None:
    index = daily_wide.index
    holiday_weekday = public_holidays(index) & (index.day_of_week < 5)
    assert holiday_weekday.sum() >= 30
    workday = _workdays(index)
    for team in CASE_TEAMS:
        ratio = daily_wide.loc[holiday_weekday, team].mean() / daily_wide.loc[workday, team].mean()
        assert ratio < 0.15, team


def test_school_holiday_dip_is_strongest_for_youth_care(daily_wide: pd.DataFrame) -> None:
    index = daily_wide.index
    workday = _workdays(index)
    school = school_holidays(index, "NL", "Midden")
    ratio = daily_wide.loc[workday & school, "jeugdhulp"].mean() / daily_wide.loc[workday & ~school, "jeugdhulp"].mean()
    assert 0.5 < ratio < 0.72  # parameter 0.65, plus the summer factor inside the summer holiday


def test_january_peak_and_summer_dip(daily_wide: pd.DataFrame) -> None:
    month = daily_wide.index.month
    for team in ("bijstand_aanvragen", "bijzondere_bijstand", "kcc_contacten", "schuldhulp_aanmeldingen"):
        assert daily_wide.loc[month == 1, team].mean() > 1.15 * daily_wide.loc[month == 7, team].mean(), team


def test_structural_break_lifts_debt_help_intake(daily_wide: pd.DataFrame) -> None:
    index = daily_wide.index
    brk = break_date(index[0].date(), index[-1].date())
    series = daily_wide[P.STEP_TEAM]
    before = series[(index < brk) & (index >= brk - pd.Timedelta(days=364))].mean()
    after = series[(index >= brk) & (index < brk + pd.Timedelta(days=364))].mean()
    assert 1.25 < after / before < 1.6  # step 1.40, no trend on this team


def test_counts_are_overdispersed(daily_wide: pd.DataFrame) -> None:
    """Pearson dispersion against the expected rate: 1 for Poisson, 1 + mu/k (+ level noise) here."""
    mu = expected_daily(daily_wide.index, 100_000)
    workday = _workdays(daily_wide.index)
    for team in daily_wide.columns:
        y, m = daily_wide.loc[workday, team], mu.loc[workday, team]
        dispersion = float(((y - m) ** 2 / m).mean())
        poisson_plus_nb = 1 + float(m.mean()) / P.INTAKE[team].dispersion
        assert dispersion > 1.05, team
        assert abs(dispersion / poisson_plus_nb - 1) < 0.25, team  # sampling noise on small series


def test_size_scales_with_inhabitants(tmp_path: Path) -> None:
    small = simulate_municipality(tmp_path / "s", inhabitants=50_000, years=2, seed=1, end=END)[0]
    large = simulate_municipality(tmp_path / "l", inhabitants=200_000, years=2, seed=1, end=END)[0]
    ratio = pd.read_csv(large)["value"].sum() / pd.read_csv(small)["value"].sum()
    assert 3.8 < ratio < 4.2


def cramers_v(a: pd.Series, b: pd.Series) -> float:
    table = pd.crosstab(a, b)
    chi2 = chi2_contingency(table)[0]
    return float(np.sqrt(chi2 / (table.to_numpy().sum() * (min(table.shape) - 1))))


def test_postcode_district_is_a_proxy_for_migration_background(cases: pd.DataFrame) -> None:
    assert 0.34 < cramers_v(cases["postcode_district"], cases["migration_background"]) < 0.44
    for feature in ("income_source", "requested_provision", "open_debts", "documents_complete", "team"):
        assert cramers_v(cases[feature], cases["migration_background"]) < 0.1, feature


def test_effort_label_is_biased_against_one_group_of_known_size(cases: pd.DataFrame) -> None:
    group = cases["migration_background"] == P.LABEL_BIAS_GROUP
    assert 0.16 < group.mean() < 0.20  # the group is 18 % of cases
    complex_rate = (cases["effort_class"] == "complex").groupby(group).mean()
    gap = complex_rate[True] - complex_rate[False]
    # 30 % of the group's 'gemiddeld' cases (about 38 %) move up to 'complex': about +0.11
    assert 0.08 < gap < 0.14
    # handling hours follow the true effort, so the hours per complex label are lower for the group
    hours = cases[cases["effort_class"] == "complex"].groupby(group)["handling_hours"].mean()
    assert hours[True] < 0.9 * hours[False]
    # true effort itself does not differ: mean hours overall are the same within 5 %
    overall = cases.groupby(group)["handling_hours"].mean()
    assert abs(overall[True] / overall[False] - 1) < 0.05


def test_integrated_approach_does_not_depend_on_protected_groups(cases: pd.DataFrame) -> None:
    rates = cases.groupby("migration_background")["integrated_approach"].mean()
    assert rates.max() - rates.min() < 0.02
    assert 0.08 < cases["integrated_approach"].mean() < 0.25


def test_some_cases_breach_the_statutory_term_and_some_are_still_open(cases: pd.DataFrame) -> None:
    decided = cases["decided_within_term"].dropna()
    assert 0.02 < (decided == "false").mean() < 0.3
    assert cases["decision_date"].isna().sum() > 0


def test_failed_simulation_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    simulate_municipality(out, inhabitants=10_000, years=1, seed=1, end=END)
    before = digest(out)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(RuntimeError):
        simulate_municipality(out, inhabitants=10_000, years=1, seed=2, end=END)
    monkeypatch.undo()
    assert digest(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
