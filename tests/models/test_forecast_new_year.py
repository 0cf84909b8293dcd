"""New Year's Eve and New Year's Day are regressors of their own on daily data (ADR 0042): a fire
brigade's missions are up to ten times the usual on 1 January, a municipal desk closes at noon on
31 December, and one coefficient for every public holiday can carry neither."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecast import make_forecaster
from models.forecast.features import calendar_features


def test_daily_calendar_has_new_years_eve_and_day_and_weekly_does_not() -> None:
    days = pd.date_range("2025-12-29", "2026-01-03", freq="D")
    daily = calendar_features(days, "D", "NL")
    assert daily["new_year_eve"].tolist() == [0, 0, 1, 0, 0, 0]
    assert daily["new_year"].tolist() == [0, 0, 0, 1, 0, 0]
    weekly = calendar_features(pd.date_range("2025-12-01", periods=8, freq="W-MON"), "W", "NL")
    assert not {"new_year_eve", "new_year"} & set(weekly.columns)


@pytest.mark.parametrize("name", ["glm", "arima"])
def test_a_new_year_peak_is_learned_and_forecast(name: str) -> None:
    """Three years of about 100 missions a day, 300 on New Year's Eve and 800 on New Year's Day
    (other public holidays ordinary): the forecast from 20 December holds both peaks."""
    dates = pd.date_range("2023-01-01", "2025-12-20", freq="D")
    usual = np.full(len(dates), 100.0)
    usual[(dates.month == 12) & (dates.day == 31)] = 300.0
    usual[(dates.month == 1) & (dates.day == 1)] = 800.0
    values = np.random.default_rng(0).poisson(usual).astype(float)
    X = pd.DataFrame({"series_id": "fire", "date": dates})
    out = make_forecaster(name, freq="D", horizon=21, country="DE", subdiv="BE").fit(X, values).forecast()
    mean = out.set_index("date")["mean"]
    ordinary = mean.loc["2026-01-05":"2026-01-09"].mean()
    assert 80 < ordinary < 125
    assert mean.loc["2025-12-31"] > 2 * ordinary
    assert mean.loc["2026-01-01"] > 5 * ordinary


def test_the_new_year_regressors_explain_as_holidays() -> None:
    from explain.forecast_drivers import driver_of

    assert driver_of("new_year_eve") == driver_of("new_year") == driver_of("public_holiday") == "feestdag"
