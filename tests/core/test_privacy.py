"""The one BSN rule (``werkwijzer.privacy``): any run of nine digits that passes the eleven-test, nowhere echoed."""

from __future__ import annotations

import pytest

from werkwijzer.privacy import BSN_PLACEHOLDER, contains_bsn, redact_bsn, refuse_bsn, safe_loc


@pytest.mark.parametrize(
    "value",
    [
        "123456782",
        "ZAAK-123456782",
        "zaak 3 123456782 belt terug",
        "klant 111 222 333 belde",
        "1234.56.782",
        "a123456782b",
        "12345672",
        123456782,
        "bsn:111222333.",
    ],
)
def test_a_bsn_anywhere_in_an_identifier_or_text_is_found(value: object) -> None:
    assert contains_bsn(value)


@pytest.mark.parametrize(
    "value",
    [
        "123456789",
        "WMO-2026-000123",
        "2026-11-23",
        "1234567820",
        "0612345678",
        "12345",
        "",
        None,
        True,
        123456782.0,
        "zaak 3 van 2026",
    ],
)
def test_what_is_no_bsn_passes(value: object) -> None:
    assert not contains_bsn(value)


def test_eight_digits_count_only_as_a_whole_number_when_asked() -> None:
    assert contains_bsn("12345672") and not contains_bsn("12345672", eight_digits=False)
    assert not contains_bsn("week 12345672")  # inside text only nine digits count


def test_refusals_and_redactions_never_repeat_the_number() -> None:
    with pytest.raises(ValueError) as info:
        refuse_bsn("zaak 123456782", "the user name")
    assert "123456782" not in str(info.value) and "the user name" in str(info.value)
    assert redact_bsn("a 123456782 b 123456789") == f"a {BSN_PLACEHOLDER} b 123456789"
    assert safe_loc(["body", "features", "123456782", 0]) == ["body", "features", BSN_PLACEHOLDER, 0]
