from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.proxy import auc_strength, blocked_features, cramers_v, proxy_scan, strong_proxies
from werkwijzer.contracts import FeatureRegistry, read_cases, read_registry


def test_cramers_v_is_one_for_a_copy_and_near_zero_for_noise() -> None:
    rng = np.random.default_rng(0)
    y = pd.Series(rng.choice(list("abc"), 3000))
    assert cramers_v(y, y) == pytest.approx(1.0, abs=1e-3)
    assert cramers_v(pd.Series(rng.choice(list("xyz"), 3000)), y) < 0.05


def test_auc_strength_is_the_gini_of_the_best_group() -> None:
    group = pd.Series(["a"] * 500 + ["b"] * 500)
    separated = pd.Series(np.r_[np.zeros(500), np.ones(500)])
    assert auc_strength(separated, group) == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    assert auc_strength(pd.Series(rng.normal(size=1000)), group) < 0.1


@pytest.fixture(scope="module")
def sim(sim_dir: Path) -> tuple[pd.DataFrame, FeatureRegistry]:
    registry = read_registry(sim_dir / "feature_registry.yaml")
    return read_cases(sim_dir / "cases.csv", registry), registry


def test_scan_covers_every_non_protected_registry_feature(sim: tuple[pd.DataFrame, FeatureRegistry]) -> None:
    cases, registry = sim
    scan = proxy_scan(cases, registry, threshold=0.3)
    expected = {f.name for f in registry.features if f.name not in registry.protected}
    assert set(scan["feature"]) == expected
    assert set(scan["protected"]) == set(registry.protected)
    assert set(scan.loc[scan["kind"] == "numeric", "measure"]) == {"gini_auc"}
    assert set(scan.loc[scan["kind"] != "numeric", "measure"]) == {"cramers_v"}


def test_scan_catches_the_postcode_proxy(sim: tuple[pd.DataFrame, FeatureRegistry]) -> None:
    cases, registry = sim
    scan = proxy_scan(cases, registry, threshold=0.3)
    row = scan[(scan["feature"] == "postcode_district") & (scan["protected"] == "migration_background")].iloc[0]
    assert row["strong"] and row["strength"] >= 0.3
    assert "postcode_district" in set(strong_proxies(scan)["feature"])
    # not approved, so it never was a model candidate: nothing to block among the approved ones
    assert "postcode_district" not in blocked_features(scan)


def test_an_approved_strong_proxy_is_blocked_unless_justified(sim: tuple[pd.DataFrame, FeatureRegistry]) -> None:
    cases, registry = sim
    cases = cases.assign(service_point=cases["postcode_district"])
    spec = {"name": "service_point", "kind": "categorical", "status": "approved", "rationale": "r"}
    base = registry.model_dump()
    unjustified = FeatureRegistry.model_validate({**base, "features": [*base["features"], spec]})
    blocked = blocked_features(proxy_scan(cases, unjustified, threshold=0.3))
    assert "service_point" in blocked
    assert "migration_background" in blocked["service_point"]
    justified = FeatureRegistry.model_validate(
        {**base, "features": [*base["features"], {**spec, "proxy_justification": "Needed for the route."}]}
    )
    assert "service_point" not in blocked_features(proxy_scan(cases, justified, threshold=0.3))
