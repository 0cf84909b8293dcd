"""A day's recording outage is a missing day for the models that carry their level forward (ADR 0040)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecast import outages
from models.forecast.arima import ARIMAForecaster
from models.forecast.ets import ETSForecaster, fill_gaps
from models.forecast.outages import closed_days, outage_days, outage_mask
from models.forecast.theta import ThetaForecaster

WEEKDAY = np.array([2500, 2450, 2400, 2400, 2500, 2200, 2100], dtype=float)


def calls(days: int = 140, seed: int = 0) -> np.ndarray:
    """About 2,400 calls a day, fewer at the weekend, Poisson noise."""
    return np.random.default_rng(seed).poisson(WEEKDAY[np.arange(days) % 7]).astype(float)


def test_an_isolated_collapse_is_an_outage_and_ordinary_days_are_not() -> None:
    values = calls()
    values[[60, 139]] = [334.0, 78.0]  # two outages, one of them the last day
    assert np.flatnonzero(outage_mask(values, "D")).tolist() == [60, 139]
    assert not outage_mask(calls(seed=1), "D").any()


def test_the_partial_days_around_an_outage_are_part_of_it() -> None:
    """A system down from Wednesday evening to Friday morning: the calls' pattern of 2026-06-10..12
    (55 %, 0 %, 60 % of the usual count). The days around the collapse join it; a day at 80 %, or
    a low day without a collapse beside it, does not."""
    values = calls()
    values[[99, 100, 101]] = [0.55 * 2400, 1.0, 0.6 * 2500]
    values[[120, 121]] = [0.8 * 2400, 300.0]  # the day before is only a little low
    values[50] = 0.6 * 2400  # low, but nothing collapsed beside it
    assert np.flatnonzero(outage_mask(values, "D")).tolist() == [99, 100, 101, 121]
    values[[138, 139]] = [0.6 * 2100, 0.5]  # the last day collapsed, the day before it partly
    assert np.flatnonzero(outage_mask(values, "D")).tolist()[-2:] == [138, 139]


def test_what_is_not_an_outage() -> None:
    # a municipal desk: closed at the weekend (zeros every week are the pattern, not an outage)
    desk = np.tile([40.0, 38, 41, 39, 35, 0, 0], 20)
    assert not outage_mask(desk, "D").any()
    # small counts: 1 where 8 is usual is within what chance does
    small = np.tile([8.0, 7, 9, 8, 8, 6, 5], 20)
    small[50] = 1.0
    assert not outage_mask(small, "D").any()
    # a drop that lasts a week is real demand, whatever its cause
    lasting = calls()
    lasting[-7:] = 300.0
    assert not outage_mask(lasting, "D").any()
    # a half-day is half: not below half of the usual
    half = calls()
    half[70] = 0.6 * half[70]
    assert not outage_mask(half, "D").any()
    # weekly totals: a week at a tenth is a dip like any other
    weekly = np.full(120, 1000.0)
    weekly[100] = 100.0
    assert not outage_mask(weekly, "W").any()


def test_fill_gaps_replaces_outages_by_their_weekday_only_when_told_the_frequency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = calls(28)
    values[[-1, 10]] = [50.0, np.nan]  # an outage on the last day, a missing day inside
    y = pd.Series(values, index=pd.date_range("2026-03-01", periods=28, freq="D"))
    assert fill_gaps(y)[-1] == 50.0
    filled = fill_gaps(y, "D")
    assert filled[-1] == np.median(values[[-8, -15, -22]])  # the same weekday in the three weeks before
    assert filled[10] == (values[9] + values[11]) / 2  # a missing day is still interpolated
    monkeypatch.setattr("models.forecast.ets.OUTAGE_FILL", "interpolate")
    assert fill_gaps(y, "D")[-1] == values[-2]  # before: the last good day carried forward


def test_an_outage_on_the_last_day_does_not_drag_the_forecast_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Demand whose level wanders (as real demand does): without the rule (no day qualifies), ets,
    theta and arima take an outage on the last day as the new level and forecast almost nothing."""
    rng = np.random.default_rng(0)
    level = np.exp(np.cumsum(rng.normal(0, 0.03, 140)))
    values = rng.poisson(WEEKDAY[np.arange(140) % 7] * level).astype(float)
    values[-1] = 78.0
    X = pd.DataFrame({"series_id": "calls", "date": pd.date_range("2026-01-01", periods=140, freq="D")})
    usual = WEEKDAY[np.arange(140, 154) % 7] * level[-1]
    models = (
        ETSForecaster(freq="D", horizon=14),
        ThetaForecaster(freq="D", horizon=14),
        ARIMAForecaster(freq="D", horizon=14, country="NL"),  # the last day, 2026-05-20, is no holiday
    )
    for model in models:
        mean = model.fit(X, values).forecast(14)["mean"].to_numpy()
        assert np.abs(mean / usual - 1).max() < 0.1, type(model).__name__
    monkeypatch.setattr(outages, "FRACTION", 0.0)
    for model in models:
        mean = model.fit(X, values).forecast(14)["mean"].to_numpy()
        assert mean[0] < 0.5 * usual[0], type(model).__name__


def test_arima_still_learns_the_holidays_of_a_desk_that_closes_on_them() -> None:
    """A closed desk counts 0 on a public holiday: an outage by the weekday rule, but arima knows
    the holidays and keeps those days, so it forecasts the next ones closed."""
    from werkwijzer.calendar import public_holidays

    dates = pd.date_range("2024-01-01", "2026-04-01", freq="D")
    closed = np.asarray(public_holidays(dates, "NL", None), dtype=bool)
    desk = np.array([40.0, 38, 41, 39, 35, 0, 0])
    values = np.random.default_rng(0).poisson(np.where(closed, 0.0, desk[dates.day_of_week])).astype(float)
    assert outage_mask(values, "D")[closed & (dates.day_of_week < 5)].all()  # they do qualify
    X = pd.DataFrame({"series_id": "wmo", "date": dates})
    forecast = ARIMAForecaster(freq="D", horizon=14, country="NL").fit(X, values).forecast(14).set_index("date")
    assert forecast.loc["2026-04-06", "mean"] < 10  # Easter Monday, closed
    assert forecast.loc["2026-04-07", "mean"] > 30  # the Tuesday after, open


def test_arima_skips_an_outage_on_a_holiday_of_a_service_that_stays_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 112 line counts on Easter Monday what it counts on any Monday; a 0 there, the last day of
    the history, is an outage, and arima does not carry it into the next days."""
    dates = pd.date_range("2024-01-01", "2026-04-06", freq="D")  # ends on Easter Monday
    values = np.random.default_rng(0).poisson(WEEKDAY[dates.day_of_week]).astype(float)
    values[-1] = 0.0
    X = pd.DataFrame({"series_id": "112", "date": dates})

    def next_week() -> float:
        model = ARIMAForecaster(freq="D", horizon=7, country="NL").fit(X, values)
        return float(model.forecast(7)["mean"].mean())

    usual_week = WEEKDAY.mean()
    assert abs(next_week() - usual_week) < 0.05 * usual_week
    monkeypatch.setattr("models.forecast.ets.low_when_closed", lambda v, r, c: np.zeros(len(v), dtype=bool))
    assert next_week() < 0.5 * usual_week  # kept as a real holiday count, it drags the next week down


def test_a_run_names_its_outages_but_not_a_desk_closed_on_a_holiday() -> None:
    """The output names outage days for a person to check; a desk that counts little on every
    public holiday, Christmas day and bridge day of the run's calendar is closed there, and such a
    day is not named."""
    dates = pd.date_range("2026-03-02", periods=140, freq="D")  # a Monday; Easter Monday 2026-04-06 inside
    closed = closed_days(dates, "NL")
    assert closed.sum() >= 5  # Easter, King's Day, Ascension and the Friday after, Whitsun
    values = calls(seed=3)
    values[closed] = np.random.default_rng(4).integers(0, 6, closed.sum())  # the desk is closed
    values[dates.get_loc(pd.Timestamp("2026-04-22"))] = 334.0  # a Wednesday: an outage
    frame = pd.DataFrame({"series_id": "calls", "date": dates, "value": values})
    assert outage_mask(values, "D")[closed & (dates.day_of_week < 5)].all()  # they qualify by the weekday rule
    named = outage_days(frame, "D", "NL")
    assert len(named) == 1 and named[0].startswith("calls 2026-04-22: 334 (median "), named
    assert 2300 < float(named[0].split("median ")[1].rstrip(")")) < 2500  # a Wednesday's usual count
    # by another calendar, a low count on a day that calendar keeps open is an outage
    berlin = {d.split(":")[0] for d in outage_days(frame, "D", "DE", "BE")}
    assert "calls 2026-04-27" in berlin and "calls 2026-04-06" not in berlin  # King's Day; Easter Monday
    assert {"calls 2026-04-06", "calls 2026-05-14"} <= {d.split(":")[0] for d in outage_days(frame, "D", "US")}
    assert outage_days(frame.assign(value=calls(seed=3)), "D") == []


def test_a_service_open_on_holidays_has_its_outages_there_named() -> None:
    """A service that never closes (112, a fire brigade) counts on a holiday what it counts on any
    day: a collapse there is an outage, and the partial day after it as well (the real calls file:
    an outage on 2 April 2026 ran into Good Friday, which Berlin closes)."""
    dates = pd.date_range("2026-03-02", periods=140, freq="D")
    days = ("2026-04-06", "2026-04-22", "2026-05-14", "2026-05-15")  # Easter Monday, a Wednesday, Ascension, Friday
    at = [dates.get_loc(pd.Timestamp(day)) for day in days]
    values = calls(seed=3)
    values[at] = [0.0, 334.0, 5.0, 3.0]
    frame = pd.DataFrame({"series_id": "112", "date": dates, "value": values})
    named = [d.split(":")[0] for d in outage_days(frame, "D", "NL")]
    assert named == [f"112 {day}" for day in sorted(days)[::-1]]
    assert outages.closed_share(values, outages.usual(values), closed_days(dates, "NL")) > 0.9
    # the partial day after an outage, on a holiday: named by its share of the usual count
    values = calls(seed=3)
    values[dates.get_loc(pd.Timestamp("2026-05-13"))] = 0.0
    values[dates.get_loc(pd.Timestamp("2026-05-14"))] *= 0.6
    named = [d.split(":")[0] for d in outage_days(frame.assign(value=values), "D", "NL")]
    assert named == ["112 2026-05-14", "112 2026-05-13"]
    # too few closed days with a usual count to tell: taken to be closed, as before
    short = frame.iloc[33:53].assign(value=calls(seed=3)[33:53])  # 4 to 23 April: Easter Sunday and Monday
    short.loc[short["date"] == pd.Timestamp("2026-04-06"), "value"] = 0.0
    assert closed_days(pd.DatetimeIndex(short["date"]), "NL").sum() < outages.MIN_CLOSED
    assert outage_days(short, "D", "NL") == []


def test_closed_days_are_holidays_christmas_and_bridge_days() -> None:
    dates = pd.date_range("2026-05-11", "2026-05-18", freq="D")  # Ascension Thursday 14 May
    closed = dict(zip(dates.strftime("%m-%d"), closed_days(dates, "NL"), strict=True))
    assert [d for d, c in closed.items() if c] == ["05-14", "05-15"]  # the holiday and the Friday after it
    dates = pd.date_range("2026-12-21", "2027-01-04", freq="D")
    closed = dict(zip(dates.strftime("%m-%d"), closed_days(dates, "NL"), strict=True))
    assert closed["12-24"] and closed["12-31"] and closed["01-01"] and not closed["12-21"] and not closed["01-04"]
    assert closed_days(dates[3:5], "NL").tolist() == [True, True]  # a window that starts and ends inside
