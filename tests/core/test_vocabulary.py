"""The project's words, each defined once (ADR 0014): model names, API prefix, true words, small cells."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from werkwijzer.privacy import MIN_CELL
from werkwijzer.settings import Settings
from werkwijzer.vocabulary import (
    FALSE_WORDS,
    FORECAST,
    MODEL_NAMES,
    TRIAGE_EFFORT,
    TRUE_WORDS,
    is_true_word,
    never_feature_reason,
    triage_model_name,
    true_word_in,
)


def test_model_names_are_built_by_one_rule() -> None:
    assert triage_model_name("effort_class") == TRIAGE_EFFORT == "werkwijzer-triage-effort_class"
    assert FORECAST in MODEL_NAMES and len(set(MODEL_NAMES)) == 3


def test_the_service_and_its_client_use_the_same_names_and_prefix() -> None:
    from casework import config
    from flows import experiments
    from werkwijzer import client, vocabulary

    assert config.API_PREFIX == client.PREFIX == vocabulary.API_PREFIX == "/api/v1"
    assert config.MODEL_NAMES == MODEL_NAMES and experiments.FORECAST == FORECAST


@pytest.mark.parametrize("word", ["true", "Ja", " yes ", "1", "j", "Y", "waar", True, 1])
def test_true_words(word: object) -> None:
    assert is_true_word(word)


@pytest.mark.parametrize("word", ["false", "nee", "0", "no", "onwaar", "", "maybe", False, None])
def test_words_that_are_not_true(word: object) -> None:
    assert not is_true_word(word)


def test_true_and_false_words_do_not_overlap_and_the_preference_picks_one() -> None:
    assert not set(TRUE_WORDS) & set(FALSE_WORDS)
    assert true_word_in(["nee", "ja"]) == "ja"
    assert true_word_in(["1", "true"]) == "true"
    assert true_word_in(["laag", "hoog"]) is None


def test_settings_can_suppress_more_small_cells_never_fewer() -> None:
    assert Settings(fairness_min_cell=20).fairness_min_cell == 20
    assert Settings().fairness_min_cell == MIN_CELL == 10
    with pytest.raises(ValidationError, match="fairness_min_cell"):
        Settings(fairness_min_cell=MIN_CELL - 1)


@pytest.mark.parametrize(
    "name", ["age", "leeftijd", "age_band", "Leeftijdsgroep", "nationaliteit", "postcode_district"]
)
def test_never_model_input_is_one_list_for_training_and_service(name: str) -> None:
    from casework.errors import InvalidInput
    from casework.validation import model_input
    from models.policy import deny_reason

    assert never_feature_reason(name) is not None and deny_reason(name) == never_feature_reason(name)
    with pytest.raises(InvalidInput) as refused:
        model_input([{"features": [{"name": "open_debts", "kind": "numeric"}]}], "t", {"open_debts": 1, name: 1})
    assert [p.type for p in refused.value.problems] == ["value_error.protected"]


@pytest.mark.parametrize("name", ["open_debts", "average_wait", "stage", "package", "team"])
def test_words_that_only_contain_a_listed_word_are_not_refused(name: str) -> None:
    assert never_feature_reason(name) is None
