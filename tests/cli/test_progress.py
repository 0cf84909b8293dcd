"""Progress on long work: a bar that redraws on a terminal, plain lines in a log (issue 15, item 5)."""

from __future__ import annotations

import io

from cli.terminal import ProgressBars


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_plain_line_at_the_start_per_tenth_and_at_the_end() -> None:
    log = io.StringIO()
    with ProgressBars(log) as bars:
        for done in range(1, 41):
            bars.advance("backtest", done, 40)
        for done in range(1, 4):
            bars.advance("fit", done, 3)
    lines = log.getvalue().splitlines()
    assert lines == [f"  backtest: {n} of 40" for n in (1, *range(4, 41, 4))] + [f"  fit: {n} of 3" for n in (1, 2, 3)]
    assert "\r" not in log.getvalue()


def test_a_log_says_when_all_is_done_between_tenths() -> None:
    log = io.StringIO()
    with ProgressBars(log) as bars:
        for done in (1, 2, 99, 1000):
            bars.advance("cases", done, 1000)
    assert log.getvalue().splitlines() == ["  cases: 1 of 1000", "  cases: 1000 of 1000"]


def test_a_terminal_gets_a_bar_that_redraws_in_place_one_per_label() -> None:
    screen = Terminal()
    with ProgressBars(screen) as bars:
        for done in range(1, 6):
            bars.advance("backtest", done, 5)
        bars.advance("fit", 1, 2)
    drawn = screen.getvalue()
    assert drawn.count("\r") >= 2 and "backtest" in drawn and "5/5" in drawn
    rest = drawn.split("5/5", 1)[1]
    assert "\n" in rest.split("fit", 1)[0]  # the finished bar ends its line before the next one starts
    assert "fit" in rest and "1/2" in rest


def test_reports_reach_the_innermost_reporter_and_nothing_outside_one() -> None:
    from werkwijzer.progress import report, reporting

    heard: list[tuple[str, str, int, int]] = []
    report("before", 1, 1)
    with reporting(lambda label, done, total: heard.append(("outer", label, done, total))):
        report("backtest", 1, 2)
        with reporting(lambda label, done, total: heard.append(("inner", label, done, total))):
            report("fit", 1, 1)
        report("backtest", 2, 2)
    report("after", 1, 1)
    assert heard == [("outer", "backtest", 1, 2), ("inner", "fit", 1, 1), ("outer", "backtest", 2, 2)]
