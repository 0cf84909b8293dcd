"""What the gettext catalogues cost (ADR 0014): loading them once, and one lookup on the advice hot path.

Loading reads both ``.po`` files, checks that the languages agree and compiles them in memory;
it happens once per process, on the first text asked for. The lookups are what every advice (its
two frozen statements), every page text and every counted text pay.

    python benchmarks/i18n_cost.py [--number 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000, help="lookups per timing (best of 5)")
    number = parser.parse_args().number

    from werkwijzer import i18n

    start = time.perf_counter()
    texts = i18n.load()
    print(f"load both catalogues ({len(texts['nl'].entries)} keys each): {1000 * (time.perf_counter() - start):.0f} ms")
    cases = {
        "translate (an advice's two statements)": lambda: [
            i18n.translate("advice.statement.advised", lang) for lang in i18n.LANGS
        ],
        "translate with a placeholder": lambda: i18n.translate("case.title", "nl", case="Z-1"),
        "translate_plural": lambda: i18n.translate_plural("cases.caption", 3, "nl"),
    }
    for name, call in cases.items():
        best = min(timeit.repeat(call, number=number, repeat=5)) / number
        print(f"{name}: {best * 1e6:.2f} µs")


if __name__ == "__main__":
    main()
