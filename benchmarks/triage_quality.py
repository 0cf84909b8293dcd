"""Triage quality against plain scikit-learn: does the responsible-use model give away accuracy?

    python benchmarks/triage_quality.py [--sets 10000:2:2,12000:2:3,30000:3:7] [--out FILE.csv]
    python benchmarks/triage_quality.py --cases cases.csv --target COL [--registry FILE] [--positive V]

On the chronological split the product uses (oldest 75 % of cases train, newest 25 % test;
``flows.triage_steps.split``) and with the features the feature policy lets through, it trains
the model the product chooses (``flows.triage_steps.train``: the most accurate candidate that
passes the gates on out-of-fold decisions, ADR 0016) beside scikit-learn's plain
``LogisticRegression`` and ``HistGradientBoostingClassifier`` (defaults, ``models.plain_peers``).
Per set and model: ROC AUC, PR AUC, Brier and expected calibration error (ECE) on the test
cases, and the candidate-dependent gates on the test cases (performance against the prior-only
model; fairness of the decisions) — for the plain peers too, so a floor set by a peer that
itself fails the fairness gate shows as such. When the gates refused the most accurate
candidate, its test scores are listed as well (the cost of the gates). Per set: the chosen
model's ROC AUC gap to the best plain peer and its Brier and ECE difference with a 95 %
paired-bootstrap interval over the test cases. The floor: ROC AUC at most 0.005 below the best
plain peer, and Brier and ECE not measurably worse (the interval reaches 0). The label audit
(historical ``effort_class``) fails every model alike and is shown apart. Beside that literal
floor, per set, the best plain peer whose decisions the gates accept (:func:`accepted_peer`) and
the floor against it: the comparison with an alternative the product could actually serve.

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
from models.plain_peers import calibration_difference, gap_to_best_peer, measure, peer_predictions  # noqa: E402
from models.triage import single_threaded  # noqa: E402
from models.triage_metrics import class_prior, evaluate  # noqa: E402
from werkwijzer.contracts import read_cases, read_norms, read_registry  # noqa: E402
from werkwijzer.settings import Settings, get_settings  # noqa: E402
from werkwijzer.simulation import simulate_municipality  # noqa: E402

SIM_END = pd.Timestamp("2026-11-22").date()
DEFAULT_SETS = "10000:2:2,12000:2:3,30000:3:7"
AUC_FLOOR = 0.005
N_BOOT = 1000
# The product's triage configurations (as `werkwijzer demo` trains them): target and label repair.
PRODUCT_TARGETS: tuple[tuple[str, str | None], ...] = (
    ("integrated_approach", None),
    ("effort_class", None),
    ("effort_class", "hours"),
)


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
    """Which parts of the floor hold for one set. ROC AUC: at most ``auc_floor`` below the best
    plain peer. Calibration: no tolerance of our own; "no worse" means the chosen model's Brier
    and ECE are not measurably above the peer's, i.e. the 95 % paired-bootstrap interval of the
    difference (``models.plain_peers.calibration_difference``) reaches down to 0 or below."""
    auc = gap["roc_auc_gap"] >= -auc_floor
    brier = gap["brier_low"] <= 0.0
    ece = gap["ece_low"] <= 0.0
    return {"auc": auc, "brier": brier, "ece": ece, "all": auc and brier and ece}


def accepted_peer(rows: list[dict[str, Any]]) -> str | None:
    """The best plain peer (by test ROC AUC) whose decisions the product's candidate-dependent gates
    accept on the test cases (performance gate and fair decisions, no justification): the
    simplest alternative the product could actually serve. None when the gates refuse every peer.
    ``rows`` are one set's rows of :func:`measure_set`; the label audit is not part of this (on the
    historical label it refuses every model alike)."""
    accepted = [r for r in rows if r["model"].startswith("plain ") and r["performance"] and r["fair_decisions"]]
    if not accepted:
        return None
    return str(max(accepted, key=lambda r: r["roc_auc"])["model"]).removeprefix("plain ")


def _verdicts(
    prep: steps.Prepared, y_train: Any, y_test: Any, proba: Any, classes: Any, groups: pd.DataFrame, settings: Settings
) -> dict[str, bool]:
    """The candidate-dependent gates on the test cases, as the product judges them (no justification)."""
    positive = prep.positive if len(classes) == 2 else None
    metrics = evaluate(y_test, proba, classes, class_prior(y_train, classes), positive)
    _, fairness = steps.decision_gate(y_test, proba, classes, groups, positive, settings)
    return {"performance": steps.performance_gate(metrics)["passed"], "fair_decisions": bool(fairness.passed)}


@dataclass(frozen=True)
class SplitSet:
    """One set prepared as the product prepares it, split as the product splits it."""

    prep: steps.Prepared
    train_idx: Any
    test_idx: Any
    kinds: dict[str, str]
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: Any
    y_test: Any


def split_set(case_set: CaseSet, settings: Settings) -> SplitSet:
    """``steps.prepare`` (feature policy, label repair) and ``steps.split`` (oldest 75 % train)."""
    prep = steps.prepare(
        case_set.cases,
        case_set.registry,
        case_set.target,
        settings,
        positive=case_set.positive,
        label_repair=case_set.label_repair,
        norms=case_set.norms,
    )
    train_idx, test_idx = steps.split(prep)
    names = [f["name"] for f in prep.features]
    kinds = {f["name"]: f["kind"] for f in prep.features}
    X_train, X_test = prep.cases.loc[train_idx, names], prep.cases.loc[test_idx, names]
    y_train, y_test = prep.y[train_idx].to_numpy(), prep.y[test_idx].to_numpy()
    return SplitSet(prep, train_idx, test_idx, kinds, X_train, X_test, y_train, y_test)


def measure_set(case_set: CaseSet, settings: Settings) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (one per model) and the chosen model against the best plain peer and the gates, for one set."""
    split = split_set(case_set, settings)
    prep, train_idx, test_idx, kinds = split.prep, split.train_idx, split.test_idx, split.kinds
    X_train, X_test, y_train, y_test = split.X_train, split.X_test, split.y_train, split.y_test
    groups = steps.protected_groups(prep, test_idx)
    started = time.perf_counter()
    chosen = steps.train(prep, train_idx, settings, test_idx)
    fit_seconds = time.perf_counter() - started
    result = steps.assess(prep, chosen, train_idx, test_idx, settings, None, case_set.norms)
    selection = steps.constraint_cost(prep, chosen, train_idx, test_idx, result["metrics"], settings)
    chosen_proba = result["proba"]
    common = {"set": case_set.name, "n_cases": len(prep.cases), "n_test": len(test_idx)}
    rows = [
        {
            **common,
            "model": f"werkwijzer chosen ({chosen.candidate_})",
            **measure(y_test, chosen_proba, chosen.classes_, prep.positive),
            **_verdicts(prep, y_train, y_test, chosen_proba, chosen.classes_, groups, settings),
            "fit_s": fit_seconds,
        }
    ]
    if selection["most_accurate"] != selection["chosen"]:
        rows.append(
            {
                **common,
                "model": f"werkwijzer most accurate, not taken ({selection['most_accurate']})",
                **selection["most_accurate_test"],
                "performance": None,
                "fair_decisions": selection["most_accurate_test_fairness"]["passed"],
                "fit_s": float("nan"),
            }
        )
    started = time.perf_counter()
    predictions = peer_predictions(X_train, y_train, X_test, kinds, random_state=settings.seed)
    peer_seconds = (time.perf_counter() - started) / len(predictions)
    peers = {}
    for name, (proba, classes) in predictions.items():
        peers[name] = measure(y_test, proba, classes, prep.positive)
        rows.append(
            {
                **common,
                "model": f"plain {name}",
                **peers[name],
                **_verdicts(prep, y_train, y_test, proba, classes, groups, settings),
                "fit_s": peer_seconds,
            }
        )
    gap = {
        "set": case_set.name,
        "chosen": chosen.candidate_,
        "most_accurate": selection["most_accurate"],
        "cost_test_roc_auc": selection.get("cost_test_roc_auc", 0.0),
        **gap_to_best_peer(rows[0], peers),
    }
    best_proba, best_classes = predictions[gap["best_peer"]]
    if list(best_classes) != list(chosen.classes_):
        raise RuntimeError(f"{case_set.name}: class order differs between the chosen model and {gap['best_peer']}")
    gap.update(
        calibration_difference(
            y_test, chosen_proba, best_proba, chosen.classes_, prep.positive, n_boot=N_BOOT, seed=settings.seed
        )
    )
    gap.update({f"floor_{k}": v for k, v in floor_verdict(gap).items()})
    gap.update(_against_accepted_peer(rows, predictions, peers, y_test, chosen_proba, chosen.classes_, prep, settings))
    peer_row = next(r for r in rows if r["model"] == f"plain {gap['best_peer']}")
    label_clean = not (result["label_findings"] and prep.historical is None)
    gap.update(
        {
            "chosen_performance": rows[0]["performance"],
            "chosen_fair_decisions": rows[0]["fair_decisions"],
            "peer_fair_decisions": peer_row["fair_decisions"],
            "peer_performance": peer_row["performance"],
            "label_clean": label_clean,
            "chosen_fairness_gate": bool(result["gate"].passed),
        }
    )
    return rows, gap


def _against_accepted_peer(
    rows: list[dict[str, Any]],
    predictions: dict[str, Any],
    peers: dict[str, dict[str, float]],
    y_test: Any,
    chosen_proba: Any,
    classes: Any,
    prep: steps.Prepared,
    settings: Settings,
) -> dict[str, Any]:
    """The floor against the best plain peer the gates accept (:func:`accepted_peer`), as
    :func:`floor_verdict` judges it against the best plain peer; NaN and None when there is none."""
    name = accepted_peer(rows)
    if name is None:
        empty = {f"accepted_{m}_{k}": float("nan") for m in ("brier", "ece") for k in ("difference", "low", "high")}
        return {"accepted_peer": None, "accepted_roc_auc_gap": float("nan"), **empty, "floor_accepted": None}
    gap: dict[str, Any] = {"roc_auc_gap": rows[0]["roc_auc"] - peers[name]["roc_auc"]}
    gap.update(
        calibration_difference(
            y_test, chosen_proba, predictions[name][0], classes, prep.positive, n_boot=N_BOOT, seed=settings.seed
        )
    )
    return {
        "accepted_peer": name,
        **{f"accepted_{k}": v for k, v in gap.items()},
        "floor_accepted": floor_verdict(gap)["all"],
    }


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
            out.append(CaseSet(name, cases, registry, target, label_repair=repair, norms=norms if repair else None))
    return out


def file_set(cases_path: Path, target: str, registry_path: Path | None, positive: str | None) -> CaseSet:
    registry_path = registry_path or cases_path.with_name("feature_registry.yaml")
    if not registry_path.is_file():
        raise SystemExit(f"no feature registry: give --registry (looked for {registry_path})")
    registry = read_registry(registry_path)
    return CaseSet(
        f"file {cases_path.name} {target}", read_cases(cases_path, registry), registry, target, positive=positive
    )


def _yes(value: Any) -> str:
    return "—" if value is None else ("yes" if value else "**no**")


def spread(values: list[float]) -> str:
    """Mean and 95 % t-interval of ``values`` (one difference per set)."""
    import numpy as np
    from scipy import stats

    array = np.asarray(values, dtype=float)
    if len(array) < 2:
        return f"{array.mean():+.4f}"
    half = stats.t.ppf(0.975, len(array) - 1) * array.std(ddof=1) / np.sqrt(len(array))
    return f"{array.mean():+.4f} [{array.mean() - half:+.4f}, {array.mean() + half:+.4f}]"


def report(rows: list[dict[str, Any]], gaps: list[dict[str, Any]]) -> str:
    lines = [
        "| set | cases (test) | model | ROC AUC | PR AUC | Brier | ECE | performance gate | fair decisions | fit s |",
        "|---" * 10 + "|",
    ]
    lines += [
        f"| {r['set']} | {r['n_cases']} ({r['n_test']}) | {r['model']} | {r['roc_auc']:.3f} | "
        f"{r['pr_auc']:.3f} | {r['brier']:.4f} | {r['ece']:.3f} | {_yes(r['performance'])} | "
        f"{_yes(r['fair_decisions'])} | {r['fit_s']:.1f} |"
        for r in rows
    ]
    lines += [
        "",
        "| set | chosen | most accurate candidate | cost of the gates (test ROC AUC) | best plain peer "
        "| ROC AUC gap | Brier difference [95 % CI] | ECE difference [95 % CI] | floor | chosen: fair "
        "decisions | peer: fair decisions | label audit | fairness gate (chosen) |",
        "|---" * 13 + "|",
    ]
    for g in gaps:
        failed = [k for k in ("auc", "brier", "ece") if not g[f"floor_{k}"]]
        verdict = "holds" if not failed else "**fails: " + ", ".join(failed) + "**"
        taken = "taken" if g["most_accurate"] == g["chosen"] else f"{g['most_accurate']}, refused"
        lines.append(
            f"| {g['set']} | {g['chosen']} | {taken} | {g['cost_test_roc_auc']:+.4f} | {g['best_peer']} | "
            f"{g['roc_auc_gap']:+.4f} | {g['brier_difference']:+.4f} [{g['brier_low']:+.4f}, {g['brier_high']:+.4f}] | "
            f"{g['ece_difference']:+.4f} [{g['ece_low']:+.4f}, {g['ece_high']:+.4f}] | {verdict} | "
            f"{_yes(g['chosen_fair_decisions'])} | {_yes(g['peer_fair_decisions'])} | "
            f"{'clean' if g['label_clean'] else '**biased label**'} | {_yes(g['chosen_fairness_gate'])} |"
        )
    lines += [
        "",
        f"Over the {len(gaps)} sets, mean chosen minus best plain peer [95 % t-interval over sets]: "
        f"ROC AUC {spread([g['roc_auc_gap'] for g in gaps])}, "
        f"Brier {spread([g['brier_difference'] for g in gaps])}, "
        f"ECE {spread([g['ece_difference'] for g in gaps])}.",
        "",
        *accepted_report(gaps),
    ]
    return "\n".join(lines)


def accepted_report(gaps: list[dict[str, Any]]) -> list[str]:
    """The floor against the best plain peer the product's gates accept, per set: the comparison
    with an alternative the product could serve, beside the issue's floor against any plain peer."""
    lines = [
        "| set | best plain peer | its decisions pass the gates | best plain peer the gates accept | ROC AUC gap to it "
        "| Brier difference [95 % CI] | ECE difference [95 % CI] | floor against it |",
        "|---" * 8 + "|",
    ]
    for g in gaps:
        best_passes = bool(g["peer_fair_decisions"]) and bool(g["peer_performance"])
        if g.get("accepted_peer") is None:
            lines.append(
                f"| {g['set']} | {g['best_peer']} | {_yes(best_passes)} | none | — | — | — | no peer to compare |"
            )
            continue
        verdict = "holds" if g["floor_accepted"] else "**fails**"
        lines.append(
            f"| {g['set']} | {g['best_peer']} | {_yes(best_passes)} | {g['accepted_peer']} | "
            f"{g['accepted_roc_auc_gap']:+.4f} | {g['accepted_brier_difference']:+.4f} "
            f"[{g['accepted_brier_low']:+.4f}, {g['accepted_brier_high']:+.4f}] | {g['accepted_ece_difference']:+.4f} "
            f"[{g['accepted_ece_low']:+.4f}, {g['accepted_ece_high']:+.4f}] | {verdict} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        default=DEFAULT_SETS,
        help="simulated municipalities inhabitants:years:seed, comma-separated ('' for none)",
    )
    parser.add_argument("--cases", type=Path, help="a case file (contract: docs/data.md)")
    parser.add_argument("--target", help="the target column of --cases")
    parser.add_argument("--registry", type=Path, help="feature registry of --cases")
    parser.add_argument("--positive", help="positive value of a binary --target")
    parser.add_argument(
        "--out", type=Path, help="write every row to this CSV (and FILE_sets.csv), rewritten after each set"
    )
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        help="measure nothing: print the report of earlier --out files (several runs, e.g. one per process)",
    )
    args = parser.parse_args(argv)
    if args.report:
        rows, gaps = read_results(args.report)
        print(report(rows, gaps))
        return 0 if all(g["floor_all"] for g in gaps) else 1
    if args.cases is not None and not args.target:
        parser.error("--cases needs --target")
    settings = get_settings()
    started = time.perf_counter()
    # one thread for all of it, the simulation too (models.triage.single_threaded says why)
    with tempfile.TemporaryDirectory() as tmp, single_threaded():
        sets = simulated_sets(args.sets, Path(tmp))
        if args.cases is not None:
            sets.append(file_set(args.cases, args.target, args.registry, args.positive))
        rows, gaps = [], []
        for case_set in sets:
            set_rows, gap = measure_set(case_set, settings)
            rows += set_rows
            gaps.append(gap)
            print(
                f"{case_set.name}: {gap['chosen']}, gap {gap['roc_auc_gap']:+.4f} to {gap['best_peer']}",
                file=sys.stderr,
                flush=True,
            )
            if args.out:  # after every set, so a long run that is stopped keeps what it finished
                write_results(args.out, rows, gaps)
    print(report(rows, gaps))
    print(f"\n{len(gaps)} sets in {time.perf_counter() - started:.0f} s")
    return 0 if all(g["floor_all"] for g in gaps) else 1


def _sets_path(out: Path) -> Path:
    return out.with_name(out.stem + "_sets.csv")


def write_results(out: Path, rows: list[dict[str, Any]], gaps: list[dict[str, Any]]) -> None:
    """Every row to ``out`` and every set's comparison to ``<out>_sets.csv``."""
    pd.DataFrame(rows).to_csv(out, index=False)
    pd.DataFrame(gaps).to_csv(_sets_path(out), index=False)


def read_results(outs: list[Path]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows and set comparisons of earlier runs (:func:`write_results`), in the order given."""

    def records(path: Path) -> list[dict[str, Any]]:
        frame = pd.read_csv(path).astype(object)
        return frame.where(frame.notna(), None).to_dict("records")

    rows = [r for out in outs for r in records(out)]
    gaps = [g for out in outs for g in records(_sets_path(out))]
    for r in rows:
        r["fit_s"] = float("nan") if r["fit_s"] is None else r["fit_s"]
    return rows, gaps


if __name__ == "__main__":
    raise SystemExit(main())
