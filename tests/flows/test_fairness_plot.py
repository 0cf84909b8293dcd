"""The fairness plot logged to MLflow is drawn from the published (suppressed) table, not the full one."""

from __future__ import annotations

import pandas as pd

from explain.fairness import confusion_by_group
from flows.train_triage import fairness_bars
from tests.explain.test_fairness import cells


def test_a_group_with_small_cells_is_not_drawn() -> None:
    data = pd.concat(
        [cells("A", 20, 15, 10, 15), cells("B", 20, 10, 10, 20), cells("C", 20, 5, 10, 12)], ignore_index=True
    )
    table = confusion_by_group(data["truth"], data["pred"], data[["g"]])
    labels, ratios = fairness_bars(table, min_cell=10)
    assert labels == ["g=A", "g=B"] and len(ratios) == 2  # C has 5 false positives: suppressed everywhere
