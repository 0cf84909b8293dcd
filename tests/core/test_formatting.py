"""One formatting module (ADR 0014): Dutch conventions for Dutch text, one dash for a missing value."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from werkwijzer.formatting import MISSING, date_long, date_short, feature_value, number, percent


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (1234.56, 1, "nl", "1.234,6"),
        (1234.56, 1, "en", "1,234.6"),
        (-2.5, 1, "nl", "\u22122,5"),
        (-0.04, 1, "nl", "0,0"),
        (3, 0, "en", "3"),
    ],
)
def test_numbers(value: float, decimals: int, lang: str, expected: str) -> None:
    assert number(value, decimals, lang) == expected


def test_a_change_upwards_is_signed_on_request_and_zero_never_is() -> None:
    assert number(2, 0, "nl", signed=True) == "+2"
    assert number(0.01, 0, "nl", signed=True) == "0"


def test_percent_has_a_non_breaking_space_in_dutch_and_none_in_english() -> None:
    assert percent(0.125, 1, "nl") == "12,5\u00a0%"
    assert percent(0.125, 1, "en") == "12.5%"
    assert percent(0.81) == "81\u00a0%"


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), pd.NA])
def test_one_dash_for_every_missing_value_in_every_function(missing: object) -> None:
    assert MISSING == "\u2013"
    assert number(missing) == MISSING  # type: ignore[arg-type]
    assert percent(missing, lang="en") == MISSING  # type: ignore[arg-type]


def test_dates_and_input_values() -> None:
    day = dt.date(2026, 12, 7)
    assert date_short(day) == "7\u00a0dec.\u00a02026" and date_short(day, "en") == "7\u00a0Dec\u00a02026"
    assert date_long(day) == "7 december 2026"
    assert feature_value(True) == "ja" and feature_value(False, "en") == "no"
    assert feature_value(None) == MISSING and feature_value(0.5) == "0,50"
