"""The fairness pictures logged to MLflow: a group with small cells is marked, never drawn; the accepted band
is shaded; every drawn ratio has its confidence interval (Katz), computed as by hand; labels stay readable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explain.fairness import confusion_by_group, ratio_interval
from explain.figures import layout_problems, pyplot
from explain.plots_triage import fairness_figure
from tests.explain.test_fairness import cells


@pytest.fixture()
def table() -> pd.DataFrame:
    data = pd.concat(
        [cells("A", 20, 15, 10, 15), cells("B", 20, 10, 10, 20), cells("C", 20, 5, 10, 12)], ignore_index=True
    )
    return confusion_by_group(data["truth"], data["pred"], data[["g"]])


def _drawn(ax) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """(x of the drawn ratio points, x of the markers of groups that are not shown)."""
    points, hidden = [], []
    for line in ax.get_lines():
        x = list(np.ravel(line.get_xdata()))
        if line.get_marker() == "o" and len(x) == 1:
            points.append(float(x[0]))
        elif line.get_marker() == "x":
            hidden.append(float(x[0]))
    return points, hidden


def test_a_group_with_small_cells_is_marked_not_drawn(table: pd.DataFrame) -> None:
    plt = pyplot()
    fig = fairness_figure(table, "fpr", min_cell=10)
    try:
        ax = fig.axes[0]
        points, hidden = _drawn(ax)
        assert len(points) == 2 and hidden == [1.0]  # C has 5 false positives: suppressed everywhere
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["g: A (referentie)", "g: B", "g: C"]  # A and B are as large; A comes first
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert any("minder dan 10" in text for text in legend)
        assert layout_problems(fig) == []
    finally:
        plt.close(fig)


def test_the_accepted_band_is_shaded_and_each_ratio_has_its_interval(table: pd.DataFrame) -> None:
    plt = pyplot()
    fig = fairness_figure(table, "fpr", low=0.8, high=1.25, min_cell=10)
    try:
        ax = fig.axes[0]
        (band,) = ax.patches
        assert (band.get_x(), band.get_x() + band.get_width()) == pytest.approx((0.8, 1.25))
        bars = [c for c in ax.collections if len(c.get_segments()) == 1]  # one interval per drawn group
        assert len(bars) == 2
        ends = sorted(float(x) for c in bars for x in np.asarray(c.get_segments()[0])[:, 0])
        expected = sorted(ratio_interval(table, "fpr").iloc[:2][["low", "high"]].to_numpy().ravel())
        assert ends == pytest.approx(expected)
    finally:
        plt.close(fig)


def test_the_interval_is_katz_log_method(table: pd.DataFrame) -> None:
    out = ratio_interval(table, "fpr")
    rows = table.set_index("group")
    assert set(table["reference"]) == {"A"}
    a, b = rows.loc["A"], rows.loc["B"]
    x1, n1, x2, n2 = b["fp"], b["fp"] + b["tn"], a["fp"], a["fp"] + a["tn"]
    ratio = (x1 / n1) / (x2 / n2)
    spread = 1.96 * np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    assert out.iloc[1].tolist() == pytest.approx([ratio, ratio * np.exp(-spread), ratio * np.exp(spread)])
    itself = 1.96 * np.sqrt(2 * (1 / x2 - 1 / n2))  # the reference against itself: ratio 1, still uncertain
    assert out.iloc[0].tolist() == pytest.approx([1.0, np.exp(-itself), np.exp(itself)])
