"""Coherent totals (ADR 0024): every level adds up to the last published decimal, the methods are
the textbook projections, and the method is chosen from backtest windows before the origin only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.forecast import reconcile as R
from werkwijzer.contracts import ContractError
from werkwijzer.contracts.hierarchy import read_hierarchy
from werkwijzer.io import write_csv

DATES = pd.date_range("2027-01-04", periods=5, freq="7D")


def table() -> pd.DataFrame:
    munis = [("Aastad", "Noord", 4), ("Beedorp", "Noord", 2), ("Ceeburg", "Zuid", 3)]
    rows = [(f"{m}/team{j}", m, r) for m, r, n in munis for j in range(n)]
    return pd.DataFrame(rows, columns=["series_id", "municipality", "region"])


def base_forecast(hierarchy: R.Hierarchy, seed: int = 0) -> pd.DataFrame:
    """Incoherent base forecasts of every node: teams around 0-40 (some near zero), aggregates
    their sum plus noise, bands of different widths."""
    rng = np.random.default_rng(seed)
    bottom = rng.gamma(1.5, 10.0, size=(len(hierarchy.bottom), len(DATES))) / 3
    values = np.vstack([hierarchy.matrix() @ bottom, bottom]) * rng.uniform(0.8, 1.25, size=(len(hierarchy.ids), 1))
    rows = []
    for i, sid in enumerate(hierarchy.ids):
        for j, date in enumerate(DATES):
            m = float(values[i, j])
            w = 0.3 * m + 1 + j
            rows.append((sid, date, m, max(m - w, 0), m + w, max(m - 2 * w, 0), m + 2 * w))
    return pd.DataFrame(rows, columns=["series_id", "date", "mean", "lo_80", "hi_80", "lo_95", "hi_95"])


def test_build_names_every_level_and_its_teams() -> None:
    h = R.build(table())
    assert h.aggregates[0] == "total"
    assert set(h.aggregates) == {
        "total",
        "region:Noord",
        "region:Zuid",
        "municipality:Aastad",
        "municipality:Beedorp",
        "municipality:Ceeburg",
    }
    a = h.matrix()
    assert a[h.aggregates.index("total")].sum() == 9
    assert a[h.aggregates.index("region:Noord")].sum() == 6
    assert h.levels_present() == ["total", "region", "municipality", "team"]
    single = R.build(table().query("municipality == 'Aastad'").drop(columns="region"))
    assert single.aggregates == ("municipality:Aastad",)


@pytest.mark.parametrize("method", R.METHODS)
def test_every_level_adds_up_to_the_last_decimal(method: str, tmp_path: Path) -> None:
    h = R.build(table())
    errors = np.random.default_rng(1).normal(size=(12, len(h.ids)))
    out = R.apply(base_forecast(h), h, method, errors)
    write_csv(out, tmp_path / "levels.csv")
    text = pd.read_csv(tmp_path / "levels.csv", dtype=str)  # the published text, summed exactly
    assert len(text) == len(h.ids) * len(DATES)
    cell = {(r.series_id, r.date): Decimal(r.mean) for r in text.itertuples()}
    for node, members in h.members.items():
        for date in text["date"].unique():
            total = sum(cell[(h.bottom[i], date)] for i in members)
            assert total == cell[(node, date)], (node, date)
    bands = text[["lo_95", "lo_80", "mean", "hi_80", "hi_95"]].map(Decimal)
    assert (bands["lo_95"] >= 0).all()
    for low, high in zip(bands.columns[:-1], bands.columns[1:], strict=True):
        assert (bands[low] <= bands[high]).all(), (low, high)


def test_a_coherent_forecast_stays_as_it_is_with_every_method() -> None:
    h = R.build(table())
    rng = np.random.default_rng(2)
    bottom = rng.uniform(1, 50, size=(len(h.bottom), 4))
    coherent = np.vstack([h.matrix() @ bottom, bottom])
    for method in R.METHODS:
        np.testing.assert_allclose(R.reconcile_bottom(coherent, h, method, rng.normal(size=(20, len(h.ids)))), bottom)


def test_projections_equal_the_textbook_formulas() -> None:
    """G y with G = (S' W^-1 S)^-1 S' W^-1, W as each method defines it (MinT: the hts shrinkage)."""
    h = R.build(table())
    rng = np.random.default_rng(3)
    n = len(h.ids)
    s = np.vstack([h.matrix(), np.eye(len(h.bottom))])
    y = rng.uniform(0, 50, size=(n, 6))
    errors = rng.normal(size=(40, 3)) @ rng.normal(size=(3, n)) + rng.normal(size=(40, n))  # correlated
    t = len(errors)
    cov = errors.T @ errors / t
    xs = errors / np.sqrt(np.diag(cov))
    v = (xs.T**2 @ xs**2 - (xs.T @ xs) ** 2 / t) / (t * (t - 1))
    r = xs.T @ xs / t
    np.fill_diagonal(v, 0)
    np.fill_diagonal(r, 0)
    lam = min(max(v.sum() / (r**2).sum(), 0), 1)
    assert 0 < lam < 1
    weights = {
        "ols": np.eye(n),
        "wls_struct": np.diag(s.sum(axis=1)),
        "mint_shrink": lam * np.diag(np.diag(cov)) + (1 - lam) * cov,
    }
    for method, w in weights.items():
        wi = np.linalg.inv(w)
        g = np.linalg.solve(s.T @ wi @ s, s.T @ wi)
        np.testing.assert_allclose(R.reconcile_bottom(y, h, method, errors), g @ y, atol=1e-9)
    np.testing.assert_array_equal(R.reconcile_bottom(y, h, "bottom_up"), y[len(h.aggregates) :])


def test_mint_without_enough_errors_falls_back_to_structural_weights() -> None:
    h = R.build(table())
    y = np.random.default_rng(4).uniform(0, 50, size=(len(h.ids), 3))
    few = np.ones((R.MIN_ROWS - 1, len(h.ids)))
    np.testing.assert_allclose(
        R.reconcile_bottom(y, h, "mint_shrink", few), R.reconcile_bottom(y, h, "wls_struct", None)
    )


def test_aggregates_sum_teams_and_stay_missing_where_a_team_is() -> None:
    h = R.build(table().query("municipality == 'Beedorp'").drop(columns="region"))
    dates = pd.date_range("2026-01-05", periods=4, freq="7D")
    intake = pd.DataFrame(
        {
            "series_id": ["Beedorp/team0"] * 4 + ["Beedorp/team1"] * 4,
            "date": list(dates) * 2,
            "value": [1.0, 2.0, np.nan, 4.0, np.nan, 5.0, 6.0, 7.0],  # team1 starts in week 2
        }
    )
    out = R.aggregate(intake, h).set_index("date")["value"]
    assert out.iloc[0] == 1.0  # a team that does not exist yet counts as 0
    assert out.iloc[1] == 7.0
    assert np.isnan(out.iloc[2])  # an outage of a team: the total is unknown
    assert out.iloc[3] == 11.0


def scored_rows(better_early: str, better_late: str, origin: pd.Timestamp) -> pd.DataFrame:
    """Backtest rows of two methods on four windows: the first two end before ``origin``, the
    last two after it. ``better_early`` is better on the first, ``better_late`` on the last."""
    rows = []
    cutoffs = [origin - pd.Timedelta(weeks=w) for w in (8, 4, 0, 2)]
    for k, cutoff in enumerate(cutoffs):
        late = k >= 2
        for method in (better_early, better_late):
            good = method == (better_late if late else better_early)
            for level, sid in (("team", "a"), ("municipality", "municipality:x")):
                for step in range(1, 5):
                    rows.append(
                        {
                            "level": level,
                            "series_id": sid,
                            "method": method,
                            "cutoff": cutoff,
                            "date": cutoff + pd.Timedelta(weeks=step),
                            "actual": 10.0,
                            "mean": 10.0 + [[3, 1], [5, 0]][late][good],  # later: a clearer gap
                            "scale": 1.0,
                        }
                    )
    frame = pd.DataFrame(rows)
    for lv in (80, 95):
        frame[f"lo_{lv}"] = frame["mean"] - 1
        frame[f"hi_{lv}"] = frame["mean"] + 1
    return frame


def test_the_method_is_chosen_on_windows_before_the_origin_only() -> None:
    from models.forecast.metrics import score_rows

    origin = pd.Timestamp("2027-03-01")
    rows = score_rows(scored_rows("ols", "mint_shrink", origin))
    chosen, score = R.choose(rows, origin)
    assert chosen == "ols"
    assert score["ols"] < score["mint_shrink"]
    later = rows["cutoff"] >= origin - pd.Timedelta(weeks=2)
    changed = rows.copy()
    changed.loc[later, "actual"] = 1e6  # anything in windows not done by the origin
    assert R.choose(changed, origin)[0] == "ols"
    # with every window done, the later evidence counts and the choice follows it
    assert R.choose(rows, origin + pd.Timedelta(weeks=10))[0] == "mint_shrink"


def test_hierarchy_columns_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "intake.csv"
    pd.DataFrame(
        {
            "series_id": ["a/x", "a/x", "b/x"],
            "date": ["2026-01-05", "2026-01-12", "2026-01-05"],
            "value": [1, 2, 3],
            "municipality": ["a", "a", "b"],
            "region": ["n", "n", "z"],
        }
    ).to_csv(path, index=False)
    read = read_hierarchy(path)
    assert read is not None
    assert read.to_dict("records") == [
        {"series_id": "a/x", "municipality": "a", "region": "n"},
        {"series_id": "b/x", "municipality": "b", "region": "z"},
    ]
    bad = pd.read_csv(path, dtype=str)
    bad.loc[1, "municipality"] = "b"
    bad.to_csv(path, index=False)
    with pytest.raises(ContractError, match="one municipality per series_id"):
        read_hierarchy(path)
    bad.drop(columns="municipality").to_csv(path, index=False)
    with pytest.raises(ContractError, match="municipality"):
        read_hierarchy(path)
    bad.drop(columns=["municipality", "region"]).to_csv(path, index=False)
    assert read_hierarchy(path) is None


def test_validate_names_the_hierarchy_and_refuses_a_team_in_two_municipalities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from click.testing import CliRunner

    from cli.main import cli, main

    path = tmp_path / "intake.csv"
    path.write_text(
        "series_id,date,value,municipality,region\n"
        "a/x,2026-01-05,1,Aastad,Noord\na/y,2026-01-05,2,Aastad,Noord\nb/x,2026-01-05,3,Beedorp,Zuid\n"
    )
    ok = CliRunner().invoke(cli, ["validate", str(path), "--kind", "intake"])
    assert ok.exit_code == 0, ok.output
    assert "hierarchy: 2 municipalities in 2 regions" in ok.output
    path.write_text(path.read_text() + "a/x,2026-01-12,4,Beedorp,Zuid\n")
    with pytest.raises(SystemExit) as info:
        main(["validate", str(path), "--kind", "intake"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "intake.csv, row 5, column 'municipality'" in err
    assert "one municipality per series_id" in err


def test_a_team_named_like_a_total_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "intake.csv"
    path.write_text("series_id,date,value,municipality\ntotal,2026-01-05,1,Aastad\nx,2026-01-05,2,Aastad\n")
    with pytest.raises(ContractError, match="other than the totals' names"):
        read_hierarchy(path)


@pytest.mark.parametrize("method", R.METHODS)
def test_a_series_without_a_base_forecast_still_adds_up(method: str) -> None:
    """A team too new for a forecast counts as 0, an aggregate without one as its teams' sum."""
    h = R.build(table())
    base = base_forecast(h, seed=5)
    base = base[~base["series_id"].isin(["Beedorp/team1", "municipality:Ceeburg"])]
    out = R.apply(base, h, method, np.random.default_rng(6).normal(size=(8, len(h.ids))))
    assert len(out) == len(h.ids) * len(DATES)
    assert np.isfinite(out[["mean", "lo_80", "hi_80", "lo_95", "hi_95"]].to_numpy()).all()
    units = out.assign(u=np.rint(out["mean"] * 1000).astype(np.int64)).set_index(["series_id", "date"])["u"]
    for node, members in h.members.items():
        for date in DATES:
            assert sum(units[(h.bottom[i], date)] for i in members) == units[(node, date)]


def test_simulate_with_a_municipality_writes_an_intake_with_a_hierarchy(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    done = CliRunner().invoke(
        cli, ["simulate", "--out", str(tmp_path), "--years", "1", "--inhabitants", "20000", "--municipality", "Simstad"]
    )
    assert done.exit_code == 0, done.output
    hierarchy = read_hierarchy(tmp_path / "intake_weekly.csv")
    assert hierarchy is not None
    assert set(hierarchy["municipality"]) == {"Simstad"}
    assert len(R.build(hierarchy).aggregates) == 1
