"""What every review picture shares: the Agg backend, the house colours, saving, and the layout check.

A model owner reads these pictures in MLflow's Artifacts tab, so a label that runs off the edge or
lies on top of another is a picture that cannot be read. :func:`layout_problems` asks the renderer
where every text ended up and names each text outside the figure and each pair that overlaps; the
tests render every figure through it, and the flows log what it finds as a warning.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

BLUE, GREY, RED = "#1f6fb2", "#6b6b6b", "#b2381f"
BAND = "#d8ecd3"  # the accepted fairness band
DPI = 100


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed, same pixels everywhere)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts the renderer actually draws when ``fig`` is drawn (a tick label outside the axis
    limits exists as an artist but is not drawn), each once; the draw also lays the figure out."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    drawn: dict[int, Text] = {}
    draw_text = renderer.draw_text

    def spy(
        gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False, mtext: Any = None
    ) -> Any:
        if mtext is not None and s.strip():
            drawn[id(mtext)] = mtext
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = spy
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    return list(drawn.values())


def finish(fig: Figure, lang: str) -> Figure:
    """``fig`` ready to save: Dutch decimals when the labels are Dutch."""
    if lang == "nl":
        decimal_comma(fig)
    return fig


def _box(text: Text, renderer: object) -> Bbox:
    return text.get_window_extent(renderer)  # type: ignore[arg-type]


def decimal_comma(fig: Figure) -> None:
    """Dutch decimals (``0,5``) on every plain number axis of ``fig``, as ``werkwijzer.formatting`` writes them."""
    from matplotlib.ticker import ScalarFormatter

    class Comma(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", ",")

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(Comma())


def layout_problems(fig: Figure, tolerance: float = 1.0) -> list[str]:
    """Every visible text whose drawn box leaves the figure, and every pair of texts whose boxes overlap
    (by more than ``tolerance`` pixels each way), as sentences naming the texts; empty when readable."""
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = fig.bbox.width, fig.bbox.height
    boxes = [(text.get_text(), _box(text, renderer)) for text in texts]
    problems = [
        f"'{label}' runs off the figure ({box.x0:.0f}..{box.x1:.0f} x {box.y0:.0f}..{box.y1:.0f} "
        f"in {width:.0f} x {height:.0f})"
        for label, box in boxes
        if box.x0 < -tolerance or box.y0 < -tolerance or box.x1 > width + tolerance or box.y1 > height + tolerance
    ]
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        overlap_x = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        overlap_y = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if overlap_x > tolerance and overlap_y > tolerance:
            problems.append(f"'{a}' and '{b}' overlap")
    return problems


def save(fig: Figure, path: Path) -> list[str]:
    """Write ``fig`` as PNG, close it and return its :func:`layout_problems` (named by file), so a flow can
    say which picture needs a look instead of failing a training over a label."""
    plt = pyplot()
    try:
        fig.savefig(path, dpi=DPI)
        problems = layout_problems(fig)
    finally:
        plt.close(fig)
    return [f"{path.name}: {problem}" for problem in problems]
