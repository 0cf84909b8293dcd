"""Triage quality against plain scikit-learn: does the responsible-use model give away accuracy?

    python benchmarks/triage_quality.py [--sets 10000:2:2,12000:2:3,30000:3:7] [--out FILE.csv]
    python benchmarks/triage_quality.py --cases cases.csv --target COL [--registry FILE] [--positive V]

On the chronological split the product uses (oldest 75 % of cases train, newest 25 % test;
``flows.triage_steps.split``) and with the features the feature policy lets through, it trains
scikit-learn's plain ``LogisticRegression`` and ``HistGradientBoostingClassifier`` (defaults,
``models.plain_peers``) beside Werkwijzer's two candidates (glass-box and boosting, each
calibrated) and the model the product chooses (``flows.triage_steps.train``). Per set and model:
ROC AUC, PR AUC, Brier and expected calibration error (ECE) on the test cases, and the chosen
model's gap to the best plain peer. The floor: ROC AUC at most 0.005 below the best plain peer,
Brier and ECE not above it beyond measurement noise (``BRIER_TOLERANCE``, ``ECE_TOLERANCE``).

Sets: simulated municipalities ``inhabitants:years:seed`` (``werkwijzer.simulation``), each with
every target the product trains (``integrated_approach``; ``effort_class`` with its historical
and its hours-repaired label), plus a case file given with ``--cases`` (its registry from
``--registry`` or ``feature_registry.yaml`` beside it). Exit status 1 when the floor fails anywhere.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from flows import triage_steps as steps  # noqa: E402
from models.plain_peers import gap_to_best_peer, measure, peer_scores  # noqa: E402
from models.triage import TriageClassifier  # noqa: E402
from werkwijzer.contracts import read_cases, read_norms, read_registry  # noqa: E402
from werkwijzer.settings import Settings, get_settings  # noqa: E402
from werkwijzer.simulation import simulate_municipality  # noqa: E402

SIM_END = pd.Timestamp("2026-11-22").date()
DEFAULT_SETS = "10000:2:2,12000:2:3,30000:3:7"
AUC_FLOOR = 0.005
# "No worse calibrated", read with the measurement noise of a few hundred test cases: Brier at most
# 0.001 and ECE (10 bins) at most 0.01 above the best plain peer's.
BRIER_TOLERANCE = 0.001
ECE_TOLERANCE = 0.01
# The product's triage configurations (as `werkwijzer demo` trains them): target and label repair.
PRODUCT_TARGETS: tuple[tuple[str, str | None], ...] = (
    ("integrated_approach", None), ("effort_class", None), ("effort_class", "hours"))


@dataclass(frozen=True)
class CaseSet:
    name: str
    cases: pd.DataFrame
    registry: Any
    target: str
    positive: str | None = None
    label_repair: str | None = None
    norms: pd.DataFrame | None = None


def floor_verdict(gap: dict[str, Any], auc_floor: float = AUC_FLOOR) -> dict[str, bool]:
    """Which parts of the floor hold for one set (``gap`` from ``models.plain_peers.gap_to_best_peer``)."""
    auc = gap["roc_auc_gap"] >= -auc_floor
    brier = gap["brier_excess"] <= BRIER_TOLERANCE
    ece = gap["ece_excess"] <= ECE_TOLERANCE
    return {"auc": auc, "brier": brier, "ece": ece, "all": auc and brier and ece}


def measure_set(case_set: CaseSet, settings: Settings) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (one per model) and the chosen model's gap to the best plain peer, for one set."""
    prep = steps.prepare(case_set.cases, case_set.registry, case_set.target, settings,
                         positive=case_set.positive, label_repair=case_set.label_repair, norms=case_set.norms)
    train_idx, test_idx = steps.split(prep)
    names = [f["name"] for f in prep.features]
    kinds = {f["name"]: f["kind"] for f in prep.features}
    X_train, X_test = prep.cases.loc[train_idx, names], prep.cases.loc[test_idx, names]
    y_train, y_test = prep.y[train_idx].to_numpy(), prep.y[test_idx].to_numpy()
    started = time.perf_counter()
    chosen = steps.train(prep, train_idx, settings)
    fitted = {chosen.model_type_: (chosen, time.perf_counter() - started)}
    for kind in ("glassbox", "boosting"):
        if kind not in fitted:
            started = time.perf_counter()
            model = TriageClassifier(feature_kinds=kinds, model_type=kind, random_state=settings.seed)
            fitted[kind] = (model.fit(X_train, y_train), time.perf_counter() - started)
    rows = []
    common = {"set": case_set.name, "n_cases": len(prep.cases), "n_test": len(test_idx)}
    for kind in ("glassbox", "boosting"):
        model, seconds = fitted[kind]
        scores = measure(y_test, model.predict_proba(X_test), model.classes_, prep.positive)
        label = f"werkwijzer {kind} ({model.candidate_})"
        rows.append({**common, "model": label, **scores, "fit_s": seconds})
    started = time.perf_counter()
    peers = peer_scores(X_train, y_train, X_test, y_test, kinds, prep.positive, random_state=settings.seed)
    peer_seconds = time.perf_counter() - started
    rows += [{**common, "model": f"plain {name}", **scores, "fit_s": peer_seconds / len(peers)}
             for name, scores in peers.items()]
    chosen_scores = measure(y_test, chosen.predict_proba(X_test), chosen.classes_, prep.positive)
    rows.append({**common, "model": f"werkwijzer chosen = {chosen.model_type_}", **chosen_scores,
                 "fit_s": fitted[chosen.model_type_][1]})
    gap = {"set": case_set.name, **gap_to_best_peer(chosen_scores, peers)}
    gap.update({f"floor_{k}": v for k, v in floor_verdict(gap).items()})
    return rows, gap


def simulated_sets(spec: str, workdir: Path) -> list[CaseSet]:
    out = []
    for item in filter(None, spec.split(",")):
        inhabitants, years, seed = (int(x) for x in item.split(":"))
        folder = workdir / item.replace(":", "-")
        simulate_municipality(folder, inhabitants=inhabitants, years=years, seed=seed, end=SIM_END)
        registry = read_registry(folder / "feature_registry.yaml")
        cases = read_cases(folder / "cases.csv", registry)
        norms = read_norms(folder / "norms.csv")
        for target, repair in PRODUCT_TARGETS:
            name = f"sim {inhabitants}/{years}y/seed {seed} {target}" + (" (label repair)" if repair else "")
            out.append(CaseSet(name, cases, registry, target, label_repair=repair,
                               norms=norms if repair else None))
    return out


def file_set(cases_path: Path, target: str, registry_path: Path | None, positive: str | None) -> CaseSet:
    registry_path = registry_path or cases_path.with_name("feature_registry.yaml")
    if not registry_path.is_file():
        raise SystemExit(f"no feature registry: give --registry (looked for {registry_path})")
    registry = read_registry(registry_path)
    return CaseSet(f"file {cases_path.name} {target}", read_cases(cases_path, registry), registry, target,
                   positive=positive)


def report(rows: list[dict[str, Any]], gaps: list[dict[str, Any]]) -> str:
    lines = ["| set | cases (test) | model | ROC AUC | PR AUC | Brier | ECE | fit s |", "|---" * 8 + "|"]
    lines += [f"| {r['set']} | {r['n_cases']} ({r['n_test']}) | {r['model']} | {r['roc_auc']:.3f} | "
              f"{r['pr_auc']:.3f} | {r['brier']:.4f} | {r['ece']:.3f} | {r['fit_s']:.1f} |" for r in rows]
    lines += ["", "| set | best plain peer | ROC AUC gap | Brier excess | ECE excess | floor |", "|---" * 6 + "|"]
    for g in gaps:
        failed = [k for k in ("auc", "brier", "ece") if not g[f"floor_{k}"]]
        verdict = "holds" if not failed else "fails: " + ", ".join(failed)
        lines.append(f"| {g['set']} | {g['best_peer']} | {g['roc_auc_gap']:+.4f} | {g['brier_excess']:+.4f} | "
                     f"{g['ece_excess']:+.4f} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=DEFAULT_SETS,
                        help="simulated municipalities inhabitants:years:seed, comma-separated ('' for none)")
    parser.add_argument("--cases", type=Path, help="a case file (contract: docs/data.md)")
    parser.add_argument("--target", help="the target column of --cases")
    parser.add_argument("--registry", type=Path, help="feature registry of --cases")
    parser.add_argument("--positive", help="positive value of a binary --target")
    parser.add_argument("--out", type=Path, help="write every row to this CSV")
    args = parser.parse_args(argv)
    if args.cases is not None and not args.target:
        parser.error("--cases needs --target")
    settings = get_settings()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        sets = simulated_sets(args.sets, Path(tmp))
        if args.cases is not None:
            sets.append(file_set(args.cases, args.target, args.registry, args.positive))
        rows, gaps = [], []
        for case_set in sets:
            set_rows, gap = measure_set(case_set, settings)
            rows += set_rows
            gaps.append(gap)
            print(f"{case_set.name}: gap {gap['roc_auc_gap']:+.4f} to {gap['best_peer']}", file=sys.stderr, flush=True)
    print(report(rows, gaps))
    print(f"\n{len(gaps)} sets in {time.perf_counter() - started:.0f} s")
    if args.out:
        pd.DataFrame(rows).to_csv(args.out, index=False)
    return 0 if all(g["floor_all"] for g in gaps) else 1


if __name__ == "__main__":
    raise SystemExit(main())
