"""Coherent totals: teams add up to their municipality, municipalities to a region and to the total.

The hierarchy comes from the intake (``werkwijzer.contracts.hierarchy``): every team series lies
in one municipality, every municipality optionally in one region; with more than one municipality
there is a total on top. Every node is forecast as a series of its own (the ``base`` forecasts,
``auto``), then reconciled so that the published numbers add up exactly.

Methods (Hyndman et al. 2011; Wickramasuriya, Athanasopoulos & Hyndman 2019). With ``n`` series
(aggregates first, then the ``m`` teams), the aggregation matrix ``A`` (aggregates x teams) and
the constraint matrix ``U' = [I | -A]``, a reconciled forecast is the projection

    y~ = y^ - W U (U' W U)^-1 U' y^

which makes ``U' y~ = 0`` (every aggregate equals the sum of its teams) and only inverts a matrix
of the size of the number of aggregates:

- ``bottom_up``: the teams' own forecasts, summed upwards;
- ``ols``: ``W = I``;
- ``wls_struct``: ``W = diag(number of teams under each node)``;
- ``mint_shrink``: ``W`` = the covariance of ``auto``'s backtest errors (rows = forecast periods
  of the last ``CALIBRATION`` windows, columns = series), shrunk towards its diagonal with the
  Schäfer-Strimmer intensity as in ``hts``. ``W U`` is computed from the errors directly, never
  forming the n x n matrix, so it scales to thousands of series. With fewer than ``MIN_ROWS``
  error rows it falls back to ``wls_struct``.

The method is chosen on the backtest: the lowest sum over levels of the mean MASE per level, on
windows whose periods all lie at or before the forecast origin (``choose``).

Publishing. The reconciled team means are clipped at zero and rounded to ``DECIMALS`` decimals;
every aggregate is then the exact sum of its rounded teams (computed in integers), so sums agree
to the last published decimal. Intervals: every series keeps the half-widths of its own ``auto``
interval (conformal per horizon step, ADR 0015) around its reconciled mean, lower bounds floored
at zero; their coverage per level is measured on the backtest (``level_accuracy``). Interval
bounds do not add up, and should not: a quantile of a sum is not the sum of the quantiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS as INTERVAL_LEVELS
from models.forecast.base import OUTPUT
from models.forecast.combine import CALIBRATION, usable_cutoffs
from models.forecast.metrics import score_rows, summarise

METHODS = ("bottom_up", "wls_struct", "ols", "mint_shrink")  # ties go to the simpler method
BASE = "base"  # auto's own forecasts, not reconciled (reported, never published)
LEVEL_ORDER = ("total", "region", "municipality", "team")
TEAM = "team"
TOTAL = "total"
DECIMALS = 3
MIN_ROWS = 4  # error rows (forecast periods) MinT needs; fewer -> wls_struct


@dataclass(frozen=True)
class Hierarchy:
    """Teams (the bottom series) and the aggregates above them, top first."""

    bottom: tuple[str, ...]
    aggregates: tuple[str, ...]
    level: dict[str, str]  # series id -> level name
    members: dict[str, tuple[int, ...]]  # aggregate id -> positions of its teams in ``bottom``

    @property
    def ids(self) -> list[str]:
        return [*self.aggregates, *self.bottom]

    def matrix(self) -> np.ndarray:
        """A: aggregates x teams, 1 where the team is part of the aggregate."""
        a = np.zeros((len(self.aggregates), len(self.bottom)), dtype=np.int64)
        for i, node in enumerate(self.aggregates):
            a[i, list(self.members[node])] = 1
        return a

    def levels_present(self) -> list[str]:
        return [lv for lv in LEVEL_ORDER if lv in set(self.level.values())]


def build(table: pd.DataFrame) -> Hierarchy:
    """The hierarchy of ``series_id,municipality[,region]`` (``read_hierarchy``). Aggregate ids
    are ``municipality:<name>``, ``region:<name>`` and ``total`` (with more than one municipality)."""
    table = table.sort_values("series_id").reset_index(drop=True)
    bottom = tuple(str(s) for s in table["series_id"])
    position = {s: i for i, s in enumerate(bottom)}
    members: dict[str, tuple[int, ...]] = {}
    level: dict[str, str] = dict.fromkeys(bottom, TEAM)
    groups: list[tuple[str, str]] = []
    if table["municipality"].nunique() > 1:
        groups.append((TOTAL, ""))
    has_region = "region" in table.columns and bool((table["region"].astype(str).str.len() > 0).all())
    if has_region:
        groups.append(("region", "region"))
    groups.append(("municipality", "municipality"))
    for name, column in groups:
        parts = {"": table} if not column else dict(tuple(table.groupby(column, sort=True)))
        for key, rows in parts.items():
            node = TOTAL if not column else f"{name}:{key}"
            if node in level:
                raise ValueError(f"series id {node!r} is both a team and an aggregate; rename the team")
            level[node] = name
            members[node] = tuple(position[s] for s in rows["series_id"])
    return Hierarchy(bottom, tuple(members), level, members)


def aggregate(intake: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """Intake of every aggregate (``series_id,date,value``): the sum of its teams. A team's
    periods before its first observation count as 0 (it did not exist yet); a missing period
    after that makes the aggregate missing in that period."""
    wide = intake.pivot(index="date", columns="series_id", values="value").reindex(columns=list(hierarchy.bottom))
    values = wide.to_numpy(dtype=float)
    started = np.maximum.accumulate(np.isfinite(values), axis=0)
    values = np.where(started, values, 0.0)
    a = hierarchy.matrix()
    missing = (np.isnan(values).astype(np.int64) @ a.T) > 0
    sums = np.nan_to_num(values) @ a.T
    frame = pd.DataFrame(np.where(missing, np.nan, sums), index=wide.index, columns=list(hierarchy.aggregates))
    long = frame.rename_axis("date").reset_index().melt(id_vars="date", var_name="series_id", value_name="value")
    return long[["series_id", "date", "value"]]


def _wu(hierarchy: Hierarchy, method: str, errors: np.ndarray | None) -> np.ndarray:
    """W U (n x aggregates) of a method; ``errors`` is periods x n (aggregates first)."""
    a = hierarchy.matrix().astype(float)
    u = np.vstack([np.eye(len(hierarchy.aggregates)), -a.T])
    if method == "ols":
        return u
    if method == "mint_shrink" and errors is not None and len(errors) >= MIN_ROWS:
        return shrunk_covariance_times(errors, u)
    weight = np.concatenate([a.sum(axis=1), np.ones(len(hierarchy.bottom))])  # wls_struct
    return weight[:, None] * u


def shrunk_covariance_times(errors: np.ndarray, u: np.ndarray) -> np.ndarray:
    """W U for W = lambda diag(S) + (1 - lambda) S, S = errors' errors / T (errors assumed mean zero),
    lambda the Schäfer-Strimmer shrinkage intensity towards the diagonal (``hts::shrink.estim``),
    computed through the T x T Gram matrix (cost O(T^2 n), memory O(T n))."""
    e = np.asarray(errors, dtype=float)
    t = len(e)
    target = (e**2).sum(axis=0) / t
    sd = np.sqrt(target)
    xs = np.divide(e, sd, out=np.zeros_like(e), where=sd > 0)
    gram = xs @ xs.T  # T x T
    frob = float((gram**2).sum())
    col2 = (xs**2).sum(axis=0)  # per series, = T where sd > 0
    diag_dev = float(((xs**4).sum(axis=0) - col2**2 / t).sum())
    v = (float((np.diag(gram) ** 2).sum()) - frob / t - diag_dev) / (t * (t - 1))
    d = (frob - float((col2**2).sum())) / t**2
    lam = float(np.clip(v / d, 0.0, 1.0)) if d > 0 else 1.0
    return lam * target[:, None] * u + (1 - lam) * (e.T @ (e @ u)) / t


def reconcile_bottom(
    base: np.ndarray, hierarchy: Hierarchy, method: str, errors: np.ndarray | None = None
) -> np.ndarray:
    """Reconciled team forecasts (teams x K) from base forecasts of every series (n x K, the
    order of ``hierarchy.ids``)."""
    y = np.asarray(base, dtype=float)
    na = len(hierarchy.aggregates)
    if method == "bottom_up":
        return y[na:]
    if method not in METHODS:
        raise ValueError(f"unknown reconciliation method {method!r}; expected one of {', '.join(METHODS)}")
    wu = _wu(hierarchy, method, errors)
    a = hierarchy.matrix().astype(float)
    incoherence = y[:na] - a @ y[na:]  # U' y
    inner = wu[:na] - a @ wu[na:]  # U' W U
    correction = wu @ np.linalg.lstsq(inner, incoherence, rcond=None)[0]
    return (y - correction)[na:]


def coherent(bottom: np.ndarray, hierarchy: Hierarchy) -> np.ndarray:
    """Every series (n x K): the teams clipped at zero and rounded to DECIMALS, the aggregates the
    exact sums of those rounded teams (integer arithmetic)."""
    unit = 10**DECIMALS
    counts = np.rint(np.clip(np.asarray(bottom, dtype=float), 0, None) * unit).astype(np.int64)
    return np.vstack([hierarchy.matrix() @ counts, counts]) / unit


def _rounded(values: np.ndarray) -> np.ndarray:
    unit = 10**DECIMALS
    return np.rint(np.asarray(values, dtype=float) * unit) / unit


def apply(rows: pd.DataFrame, hierarchy: Hierarchy, method: str, errors: np.ndarray | None = None) -> pd.DataFrame:
    """Reconcile one forecast (``series_id,date,mean,lo_*,hi_*``, plus any columns constant per
    series and date such as ``cutoff``, ``actual``, ``scale``) of every series in the hierarchy.

    A series without a base forecast counts as its teams' sum (an aggregate) or 0 (a team that
    did not exist yet). The means add up exactly; each series keeps its own interval
    half-widths around its reconciled mean (lower bounds floored at 0, bands nested)."""
    ids = hierarchy.ids
    means = rows.pivot(index="series_id", columns="date", values="mean").reindex(ids)
    base = means.to_numpy(dtype=float)
    na = len(hierarchy.aggregates)
    bottom = np.nan_to_num(base[na:])
    a = hierarchy.matrix()
    top = np.where(np.isfinite(base[:na]), base[:na], a @ bottom)
    published = coherent(reconcile_bottom(np.vstack([top, bottom]), hierarchy, method, errors), hierarchy)
    out = pd.DataFrame(published, index=means.index, columns=means.columns)
    frame = out.rename_axis("series_id").reset_index().melt(id_vars="series_id", var_name="date", value_name="mean")
    frame["date"] = frame["date"].astype(rows["date"].dtype)
    extra = [c for c in rows.columns if c not in ("mean", *OUTPUT, "model") and c not in ("series_id", "date")]
    half = rows[["series_id", "date", "mean", *[f"hi_{lv}" for lv in INTERVAL_LEVELS], *extra]].rename(
        columns={"mean": "_base"}
    )
    frame = frame.merge(half, on=["series_id", "date"], how="left")
    mean = frame["mean"].to_numpy(dtype=float)
    widest = np.zeros(len(frame))
    for lv in sorted(INTERVAL_LEVELS):  # 80 then 95: a wider level never gets a narrower band
        width = np.nan_to_num(frame[f"hi_{lv}"].to_numpy(dtype=float) - frame["_base"].to_numpy(dtype=float))
        widest = np.maximum(widest, np.clip(width, 0, None))
        frame[f"lo_{lv}"] = _rounded(np.maximum(mean - widest, 0.0))
        frame[f"hi_{lv}"] = _rounded(mean + widest)
    frame["level"] = frame["series_id"].map(hierarchy.level)
    rank = frame["level"].map({lv: i for i, lv in enumerate(LEVEL_ORDER)})
    frame = frame.assign(_rank=rank).sort_values(["_rank", "series_id", "date"], kind="stable")
    return frame[["level", "series_id", "date", *OUTPUT, *extra]].reset_index(drop=True)


def error_matrix(scored: pd.DataFrame, hierarchy: Hierarchy) -> np.ndarray:
    """Backtest errors (actual - mean) as forecast periods x series (order of ``hierarchy.ids``);
    a missing error counts as 0."""
    if scored.empty:
        return np.zeros((0, len(hierarchy.ids)))
    frame = scored.assign(error=scored["actual"] - scored["mean"]).pivot_table(
        index=["cutoff", "date"], columns="series_id", values="error", aggfunc="first"
    )
    return np.nan_to_num(frame.reindex(columns=hierarchy.ids).to_numpy(dtype=float))


def backtest(
    auto: pd.DataFrame, hierarchy: Hierarchy, calibration: int = CALIBRATION, methods: Sequence[str] = METHODS
) -> pd.DataFrame:
    """Every method's reconciled ``auto`` forecast at every cutoff of ``auto`` (scored rows with
    ``actual`` and ``scale``), plus ``base`` (auto itself), scored; column ``method``. MinT at a
    cutoff uses the errors of windows whose periods all lie at or before that cutoff."""
    pieces = [score_rows(auto.assign(level=auto["series_id"].map(hierarchy.level))).assign(method=BASE)]
    for cutoff in sorted(auto["cutoff"].unique()):
        rows = auto[auto["cutoff"] == cutoff]
        earlier = auto[auto["cutoff"].isin(usable_cutoffs(auto, cutoff, calibration)) & (auto["date"] <= cutoff)]
        errors = error_matrix(earlier, hierarchy)
        for method in methods:
            done = apply(rows.drop(columns=["model"], errors="ignore"), hierarchy, method, errors)
            pieces.append(score_rows(done.assign(cutoff=cutoff)).assign(method=method))
    return pd.concat(pieces, ignore_index=True)


def level_accuracy(scored: pd.DataFrame) -> pd.DataFrame:
    """Per level and method: MASE, sMAPE, coverage and Winkler scores, each the mean over the
    level's series of the per-series value (coverage pooled over forecast points)."""
    per_series = summarise(scored, ["level", "series_id", "method"])
    table = per_series.groupby(["level", "method"])[["mase", "smape", "winkler_80", "winkler_95"]].mean()
    valid = scored[np.isfinite(scored["actual"])]
    for lv in INTERVAL_LEVELS:
        table[f"coverage_{lv}"] = valid.groupby(["level", "method"])[f"covered_{lv}"].mean()
    table["series"] = per_series.groupby(["level", "method"])["series_id"].nunique()
    out = table.reset_index()
    rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    return out.sort_values(["level", "method"], key=lambda c: c.map(rank) if c.name == "level" else c).reset_index(
        drop=True
    )


def choose(scored: pd.DataFrame, origin: pd.Timestamp, methods: Sequence[str] = METHODS) -> tuple[str, pd.Series]:
    """The method with the lowest sum over levels of the mean MASE per level, from the backtest
    rows whose windows lie wholly at or before ``origin`` (nothing later is read); with the score
    of every method. Ties go to the earlier method of ``methods``."""
    known = scored[(scored["cutoff"] < origin) & scored["method"].isin(methods)]
    done = known.groupby("cutoff")["date"].max()
    windows = done.index[done <= origin]
    known = known[known["cutoff"].isin(windows)]
    if known.empty:
        return "bottom_up", pd.Series(dtype=float)
    score = level_accuracy(known).groupby("method")["mase"].sum().reindex(list(methods))
    finite = score.dropna()
    best = min(finite.index, key=lambda m: (round(float(finite[m]), 12), list(methods).index(m)))
    return str(best), score
