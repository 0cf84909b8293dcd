"""The planning services the pages share with the API: forecast drivers from the champion run."""

from __future__ import annotations

import pytest

from casework import planning
from casework.errors import NotFound
from casework.modelstore import ModelStore
from tests.api.toymodels import TOY_DRIVERS


def test_drivers_are_mean_contributions_per_week_largest_first(model_store: ModelStore) -> None:
    out = planning.drivers(model_store, "bijstand_aanvragen")
    season = TOY_DRIVERS["season_lag"] + TOY_DRIVERS["weekday_mean"]  # both features belong to "seizoen"
    assert [(d["driver"], d["mean_contribution"]) for d in out["drivers"]] == [
        ("seizoen", season),
        ("feestdag", TOY_DRIVERS["public_holiday"]),
        ("trend", TOY_DRIVERS["trend"]),
    ]
    assert out["drivers"][0]["label_nl"] == "seizoen (week-, jaarpatroon)"
    assert out["weeks"] == 13 and out["chosen_model"] == "gbm" and out["explains_served_forecast"] is True


def test_drivers_say_when_the_team_forecast_comes_from_another_model(model_store: ModelStore) -> None:
    out = planning.drivers(model_store, "schuldhulp_aanmeldingen")
    assert out["chosen_model"] == "ets" and out["explains_served_forecast"] is False
    assert out["drivers"][0]["mean_contribution"] == 2 * (TOY_DRIVERS["season_lag"] + TOY_DRIVERS["weekday_mean"])


def test_drivers_of_an_unknown_team_are_not_found(model_store: ModelStore) -> None:
    with pytest.raises(NotFound):
        planning.drivers(model_store, "geen_team")
