"""``auto``'s combination of candidate forecasts and its conformal intervals per horizon step.

Both are learned from earlier backtest windows only: the windows whose forecast periods all lie
at or before the moment ``auto`` forecasts from. Nothing here ever sees a later value.

Weights. Per series, each candidate's MASE on the last ``windows`` windows is shrunk half-way
towards the candidate's mean MASE over all series on the last ``CALIBRATION`` windows (a few
windows make a per-series score noisy; the longer memory of the set-wide target keeps a candidate
that is good on the set from being dropped for one bad window, ADR 0035). The
candidates whose shrunk score is within ``KEEP`` of the best are averaged with weights
proportional to 1 / score**2, themselves shrunk towards equal weights by ``EQUAL``; a candidate
outside that band gets weight 0. So a clearly better candidate is selected alone (the evidence
is strong), close candidates are combined. Half of every series' weight (``SET_SHARE``, ADR 0038)
then goes to the set's optimal weights: the non-negative weights, adding up to 1, whose
combination had the least squared scaled error over all series on the last ``CALIBRATION``
windows (``set_weights``). They are learned from many more errors than one series has, and
follow the candidates that lead on the set as a whole.

Intervals. The combined forecast's absolute errors on the last ``CALIBRATION`` windows, each
window combined with weights learned without it (``held_out_rows``, ADR 0029), divided by the
series' MASE scale at each window's cutoff, give nonconformity scores per horizon step (pooled
with the neighbouring steps until there are at least ``MIN_SCORES``). The half-width at step h is the
ceil((n+1)(1-a))-th smallest of the n scores (the finite-sample correction of split conformal
prediction), times the series' MASE scale now.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.forecast.base import LEVELS, OUTPUT
from models.forecast.metrics import mase_scale, summarise

SHRINK = 0.5  # per-series score -> candidate mean over all series
KEEP = 0.20  # candidates within 20 % of the best shrunk score are combined (ADR 0035; 0.10 before)
EQUAL = 0.5  # inverse-score weights -> equal weights
MIN_SCORES = 200  # conformal scores per horizon step, pooled with neighbours until reached (ADR 0041; 50 before)
CALIBRATION = 4  # backtest windows (at most) whose errors give the conformal radii
SCALE = "mase"  # what a conformal score is divided by at its origin: see interval_scale
TARGET = "calibration"  # a per-series score is shrunk towards the candidate's mean over the last
# CALIBRATION windows (ADR 0035); "windows": over the weight windows only (before ADR 0035)
SET_SHARE = 0.5  # share of the set-wide optimal weights (``set_weights``) in every series' weights (ADR 0038)
CALIBRATE = "held_out"  # combination errors for the radii: held_out_rows, or "in_sample" (before ADR 0029)
DECAY = 1.0  # weight of a calibration window's scores per window it is older than the newest; 1: all equal
SWITCH = 0  # a candidate better than the held-out combination on each of the last CALIBRATION windows
# (at least SWITCH of them) is used alone for the series it covers; 0: never (see ``leader``)


@dataclass(frozen=True)
class Combination:
    """Per-series weights over candidates and per-step conformal radii (in MASE-scale units)."""

    weights: dict[str, dict[str, float]]
    radius: dict[int, tuple[float, ...]] = field(default_factory=dict)

    def main_model(self, sid: str, default: str) -> str:
        """The candidate with the largest weight (the model whose drivers explain the series)."""
        w = self.weights.get(sid)
        return max(w, key=lambda m: (w[m], m)) if w else default

    def covering(self, series_ids: Sequence[str], default: str) -> Combination:
        """The same combination for exactly ``series_ids``; a series without weights (too short
        for any backtest window) gets ``default`` alone."""
        weights = {s: dict(self.weights.get(s, {default: 1.0})) for s in series_ids}
        return Combination(weights, dict(self.radius))

    def models(self) -> list[str]:
        """Every candidate with a weight for some series."""
        return sorted({m for w in self.weights.values() for m in w})

    def weights_frame(self) -> pd.DataFrame:
        rows = [{"series_id": s, "model": m, "weight": w} for s, ws in self.weights.items() for m, w in ws.items()]
        return pd.DataFrame(rows, columns=["series_id", "model", "weight"])


def usable_cutoffs(scored: pd.DataFrame, cutoff: pd.Timestamp, windows: int) -> list:
    """The last ``windows`` backtest cutoffs whose forecast periods all lie at or before ``cutoff``."""
    known = scored[(scored["cutoff"] < cutoff) & (scored["date"] <= cutoff)]
    done = known.groupby("cutoff")["date"].max()
    return sorted(done.index)[-windows:] if windows else []


def known_rows(scored: pd.DataFrame, cutoff: pd.Timestamp, windows: int, candidates: Sequence[str]) -> pd.DataFrame:
    rows = scored[scored["model"].isin(candidates)]
    usable = usable_cutoffs(rows, cutoff, windows)
    return rows[rows["cutoff"].isin(usable) & (rows["date"] <= cutoff)]


def candidate_weights(table: pd.DataFrame, target: pd.Series | None = None) -> dict[str, dict[str, float]]:
    """Weights per series from a series x candidate table of MASE (NaN = not scored).

    Each score is shrunk towards ``target`` (per candidate; by default its mean over the table's
    series). Computed for all series at once (row-wise over the table); a series with no positive
    score gets no weights."""
    toward = table.mean(axis=0) if target is None else target.reindex(table.columns).fillna(table.mean(axis=0))
    shrunk = ((1 - SHRINK) * table + SHRINK * toward).to_numpy(dtype=float)
    scored = np.isfinite(shrunk) & (shrunk > 0)
    best = np.where(scored, shrunk, np.inf).min(axis=1, initial=np.inf)
    kept = scored & (shrunk <= best[:, None] * (1 + KEEP))
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = np.where(kept, 1.0 / shrunk**2, 0.0)
        w = (1 - EQUAL) * inverse / inverse.sum(axis=1, keepdims=True) + EQUAL / kept.sum(axis=1, keepdims=True)
    columns = [str(m) for m in table.columns]
    out: dict[str, dict[str, float]] = {}
    for sid, keep, row in zip(table.index, kept, w, strict=True):
        if keep.any():
            out[str(sid)] = {m: float(v) for m, k, v in zip(columns, keep, row, strict=True) if k}
    return out


def combine_rows(rows: pd.DataFrame, weights: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Weighted mean forecast per (series, cutoff, date) of candidate rows; the bounds are the
    weighted mean bounds (replaced by conformal ones when a radius is known)."""
    table = pd.DataFrame(
        [(s, m, v) for s, ws in weights.items() for m, v in ws.items()], columns=["series_id", "model", "_w"]
    )
    pairs = rows[["series_id", "model"]].astype(str).reset_index(drop=True)
    w = pairs.merge(table, on=["series_id", "model"], how="left")["_w"].fillna(0.0).to_numpy(dtype=float)
    keep = w > 0
    part = rows.loc[keep, [c for c in rows.columns if c not in ("model",)]].copy()
    w = w[keep]
    keys = [c for c in ("series_id", "cutoff", "date") if c in part.columns]
    for column in OUTPUT:
        part[column] = part[column].to_numpy(dtype=float) * w
    part["_w"] = w
    extra = [c for c in ("actual", "scale", "interval_scale") if c in part.columns]
    agg = {c: "sum" for c in (*OUTPUT, "_w")} | {c: "first" for c in extra}
    out = part.groupby(keys, sort=True).agg(agg).reset_index()
    for column in OUTPUT:
        out[column] = out[column] / out["_w"]
    return out.drop(columns="_w")


def conformal_radius(errors: pd.DataFrame, horizon: int) -> dict[int, tuple[float, ...]]:
    """Per level, the finite-sample conformal quantile of the scaled absolute errors per step.

    ``errors`` has columns ``step`` (1..horizon) and ``score`` (|actual - mean| / scale), and with
    ``DECAY`` below 1 ``age`` (0 for the newest window, 1 for the one before, ...): each score then
    weighs ``DECAY ** age`` (``weighted_quantile``)."""
    valid = errors[np.isfinite(errors["score"])]
    if not len(valid):
        return {}
    score = valid["score"].to_numpy(dtype=float)
    weight = DECAY ** valid["age"].to_numpy(dtype=float) if DECAY < 1 and "age" in valid.columns else None
    at = {int(h): rows for h, rows in valid.groupby("step").indices.items()}  # positions of each step's scores
    none = np.array([], dtype=int)
    radius: dict[int, list[float]] = {level: [] for level in LEVELS}
    for h in range(1, horizon + 1):
        width = 0
        pool = at.get(h, none)
        while len(pool) < MIN_SCORES and width < horizon:
            width += 1
            pool = np.concatenate([at.get(j, none) for j in range(h - width, h + width + 1)])
        ordered = np.sort(score[pool])
        for level in LEVELS:
            alpha = 1 - level / 100
            if weight is not None:
                radius[level].append(weighted_quantile(score[pool], weight[pool], 1 - alpha))
                continue
            n = len(ordered)
            k = math.ceil((n + 1) * (1 - alpha))
            radius[level].append(float(ordered[k - 1]) if 0 < k <= n else float(ordered[-1]))
    return {level: tuple(values) for level, values in radius.items()}


def weighted_quantile(scores: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest score whose cumulative weight reaches ``q`` of the total weight plus one more
    point of the largest weight at infinity (the finite-sample correction of conformal prediction
    with fixed weights, Barber et al. 2023); the largest score when the quantile is infinite."""
    if not len(scores):
        return float("nan")
    order = np.argsort(scores)
    s, w = scores[order], weights[order]
    reached = np.flatnonzero(np.cumsum(w) / (w.sum() + w.max()) >= q)
    return float(s[reached[0]]) if len(reached) else float(s[-1])


def steps(frame: pd.DataFrame) -> np.ndarray:
    """Horizon step (1, 2, ...) of every row within its (series, cutoff) forecast."""
    keys = ["series_id", "cutoff"] if "cutoff" in frame.columns else ["series_id"]
    return frame.groupby(keys, sort=False)["date"].rank(method="first").to_numpy(dtype=int)


def apply_radius(frame: pd.DataFrame, radius: Mapping[int, Sequence[float]], scale: np.ndarray) -> pd.DataFrame:
    """Bounds = mean -/+ radius[step] x scale (lower bounds floored at zero)."""
    if not radius:
        return frame
    out = frame.copy()
    h = steps(out) - 1
    mean = out["mean"].to_numpy(dtype=float)
    for level in LEVELS:
        r = np.asarray(radius[level], dtype=float)
        half = r[np.clip(h, 0, len(r) - 1)] * scale
        ok = np.isfinite(half)
        out[f"lo_{level}"] = np.where(ok, np.maximum(mean - half, 0.0), out[f"lo_{level}"])
        out[f"hi_{level}"] = np.where(ok, mean + half, out[f"hi_{level}"])
    return out


def set_weights(rows: pd.DataFrame, candidates: Sequence[str]) -> dict[str, float]:
    """The non-negative weights, adding up to 1, whose combination has the least squared scaled
    error over every series and period of ``rows`` (scored rows of earlier windows): one set of
    weights for the whole set, learned from many more errors than a series has."""
    from scipy.optimize import nnls

    wide = rows.pivot_table(index=["series_id", "cutoff", "date"], columns="model", values="mean", aggfunc="first")
    names = [c for c in candidates if c in wide.columns]
    first = rows.drop_duplicates(["series_id", "cutoff", "date"]).set_index(["series_id", "cutoff", "date"])
    both = wide[names].join(first[["actual", "scale"]]).dropna()
    both = both[np.isfinite(both["scale"]) & (both["scale"] > 0)]
    if len(names) < 2 or len(both) < 2 * len(names):
        return {}
    scale = both["scale"].to_numpy(dtype=float)
    design = both[names].to_numpy(dtype=float) / scale[:, None]
    target = both["actual"].to_numpy(dtype=float) / scale
    heavy = 100.0 * math.sqrt(len(both))  # the sum-to-one row, weighted so it holds almost exactly
    w, _ = nnls(np.vstack([design, np.full((1, len(names)), heavy)]), np.r_[target, heavy])
    total = float(w.sum())
    return {m: float(v / total) for m, v in zip(names, w, strict=True) if v > 0} if total > 0 else {}


def blend(
    per_series: dict[str, dict[str, float]], common: Mapping[str, float], share: float
) -> dict[str, dict[str, float]]:
    """Each series' weights mixed with the set's: (1 - share) x its own + share x ``common``."""
    if not common or share <= 0:
        return per_series
    out: dict[str, dict[str, float]] = {}
    for sid, own in per_series.items():
        mixed = {m: (1 - share) * own.get(m, 0.0) + share * common.get(m, 0.0) for m in {*own, *common}}
        out[sid] = {m: v for m, v in mixed.items() if v > 0}
    return out


def table_weights(
    known: pd.DataFrame, candidates: Sequence[str], longer: pd.DataFrame | None = None
) -> dict[str, dict[str, float]]:
    """``candidate_weights`` from the per-series MASE of ``known`` scored rows; with ``longer``
    (rows of more windows), shrunk towards each candidate's mean MASE over all series there (and,
    with ``SET_SHARE``, mixed with the set's optimal weights on those windows)."""
    table = summarise(known, ["series_id", "model"]).pivot(index="series_id", columns="model", values="mase")
    target = None
    if longer is not None and TARGET == "calibration":
        target = summarise(longer, ["series_id", "model"]).groupby("model")["mase"].mean()
    weights = candidate_weights(table[[c for c in candidates if c in table.columns]], target)
    if SET_SHARE > 0:
        weights = blend(weights, set_weights(known if longer is None else longer, candidates), SET_SHARE)
    return weights


def held_out_rows(
    scored: pd.DataFrame,
    cutoff: pd.Timestamp,
    windows: int,
    calibration: int,
    candidates: Sequence[str],
    weights: Mapping[str, Mapping[str, float]],
) -> pd.DataFrame:
    """The combination's forecasts on each of the last ``calibration`` windows done by
    ``cutoff``, each combined with weights learned *without* that window: from the last
    ``windows`` of the other windows done by then (leave one window out).

    Weights learned on a window fit its errors: calibrated on them, the intervals would be too
    narrow exactly where the candidates take turns (ADR 0029). A series with no score on the other
    windows (or a window with no other window) keeps ``weights``."""
    rows = known_rows(scored, cutoff, max(windows, calibration), candidates)
    usable = sorted(rows["cutoff"].unique())
    pieces = []
    for c in usable[-calibration:] if calibration > 0 else []:
        rest = [u for u in usable if u != c]
        others = rest[-windows:]
        longer = rows[rows["cutoff"].isin(rest[-calibration:])]
        learned = table_weights(rows[rows["cutoff"].isin(others)], candidates, longer) if others else {}
        pieces.append(combine_rows(rows[rows["cutoff"] == c], {**weights, **learned}))
    return pd.concat(pieces, ignore_index=True) if pieces else combine_rows(rows.iloc[:0], weights)


def window_scores(rows: pd.DataFrame) -> pd.Series:
    """Mean over series of each series' mean scaled absolute error, per backtest window (cutoff)."""
    valid = rows[np.isfinite(rows["actual"]) & np.isfinite(rows["scale"]) & (rows["scale"] > 0)]
    error = (valid["actual"] - valid["mean"]).abs() / valid["scale"]
    per_series = error.groupby([valid["cutoff"], valid["series_id"]], sort=True).mean()
    return per_series.groupby(level=0).mean()


def leader(combined: pd.DataFrame, recent: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    """The candidate whose forecasts beat the held-out combination's (``combined``) on every one of
    its windows, at least ``SWITCH`` of them, scored on the same series and periods; the best of
    them on the mean over windows, or None. Where one model leads on every recent window, averaging
    it with the others only costs accuracy: the evidence for selection is strong."""
    if SWITCH <= 0 or combined.empty:
        return None
    keys = ["series_id", "cutoff", "date"]
    if combined["cutoff"].nunique() < SWITCH:
        return None
    best, best_mean = None, float("inf")
    for name in candidates:
        rows = recent[recent["model"] == name].merge(combined[keys], on=keys)
        theirs = window_scores(rows)
        mine = window_scores(combined.merge(rows[keys], on=keys)).reindex(theirs.index)
        if len(theirs) < combined["cutoff"].nunique() or not bool((theirs < mine).all()):
            continue
        if float(theirs.mean()) < best_mean:
            best, best_mean = name, float(theirs.mean())
    return best


def plan(
    scored: pd.DataFrame,
    cutoff: pd.Timestamp,
    windows: int,
    candidates: Sequence[str],
    horizon: int,
    calibration: int | None = None,
) -> Combination:
    """The combination ``auto`` uses when it forecasts after ``cutoff`` (``scored`` needs
    ``scale``): weights from the last ``windows`` backtest windows done by then, conformal radii
    from the combination's held-out errors on the last ``calibration`` of them (fewer when fewer
    are done; see ``held_out_rows``); ``calibration`` defaults to ``CALIBRATION``."""
    calibration = CALIBRATION if calibration is None else calibration
    known = known_rows(scored, cutoff, windows, candidates)
    if known.empty:
        return Combination({})
    recent = known_rows(scored, cutoff, calibration, candidates)
    weights = table_weights(known, candidates, recent)
    if len(candidates) == 1 or CALIBRATE == "in_sample":  # one candidate: weight 1 on every window
        combined = combine_rows(recent, weights)
    else:
        combined = held_out_rows(scored, cutoff, windows, calibration, candidates, weights)
        chosen = leader(combined, recent, candidates)
        if chosen is not None:
            covered = set(recent.loc[recent["model"] == chosen, "series_id"].astype(str))
            weights = {s: ({chosen: 1.0} if s in covered else w) for s, w in weights.items()}
            alone = combine_rows(recent, {s: {chosen: 1.0} for s in covered})
            rest = combined[~combined["series_id"].astype(str).isin(covered)]
            combined = pd.concat([alone, rest], ignore_index=True)  # its own errors give the radii
    newest_first = {c: i for i, c in enumerate(sorted(combined["cutoff"].unique(), reverse=True))}
    errors = pd.DataFrame(
        {
            "step": steps(combined),
            "score": np.abs(combined["actual"] - combined["mean"]) / combined["interval_scale"],
            "age": combined["cutoff"].map(newest_first).to_numpy(dtype=float),
        }
    )
    return Combination(weights, conformal_radius(errors, horizon))


def publish(forecasts: pd.DataFrame, combination: Combination, scales: Mapping[str, float]) -> pd.DataFrame:
    """The published ``auto`` forecast from the candidates' forecasts (column ``model``): the
    weighted mean with conformal bounds around it, scaled by each series' MASE scale now."""
    combined = combine_rows(forecasts, combination.weights)
    scale = combined["series_id"].map(scales).to_numpy(dtype=float)
    return apply_radius(combined, combination.radius, scale)


def _level(values: np.ndarray, season: int) -> float:
    finite = values[np.isfinite(values)]
    level = float(finite[-season:].mean()) if len(finite) else float("nan")
    return level if level > 0 else float("nan")


SCALES: dict[str, Callable[[np.ndarray, int], float]] = {
    # in-sample seasonal-naive MAE, the MASE denominator (lag 1 while under two seasons long)
    "mase": mase_scale,
    # the same on the last three seasons only
    "recent_mase": lambda v, m: mase_scale(v[-3 * m :], m),
    # mean absolute change from one period to the next: one definition at every history length
    "diff1": lambda v, m: mase_scale(v, 1),
    "diff1_recent": lambda v, m: mase_scale(v[-(2 * m + 1) :], 1),
    # the level (mean of the last season) or its square root
    "level": _level,
    "sqrt_level": lambda v, m: math.sqrt(_level(v, m)),
}


def interval_scale(history: np.ndarray, season: int) -> float:
    """What a series' conformal scores are divided by at an origin with ``history`` before it
    (``SCALES[SCALE]``); NaN when undefined (the series keeps its candidates' own bounds)."""
    return float(SCALES[SCALE](np.asarray(history, dtype=float), season))


def series_scales(data: pd.DataFrame, season: int) -> dict[str, float]:
    """Each series' interval scale (``interval_scale``) on all of ``data``."""
    return {
        str(sid): interval_scale(rows["value"].to_numpy(dtype=float), season)
        for sid, rows in data.sort_values("date").groupby("series_id")
    }
