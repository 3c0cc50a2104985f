"""Forecasting library: grid, local-time seasonality, events, intervals, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_history
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.columns import FORECAST_COLUMNS
from forecasting.errors import InputError
from forecasting.forecast import forecast_volume
from forecasting.history import aggregate_contacts, complete_grid
from forecasting.models import SeasonalNaive, nb_interval

NY = "America/New_York"


def forecast(history, **options):
    defaults = dict(horizon=24 * 7, interval_minutes=60, timezones={"phone": NY, "chat": NY})
    return forecast_volume(history, **{**defaults, **options})


def wape(predicted: np.ndarray, actual: np.ndarray) -> float:
    return float(np.abs(predicted - actual).sum() / actual.sum())


def test_forecast_contract_and_horizon_per_queue():
    history = make_history(days=35, queues=("phone", "chat"))
    result = forecast(history, horizon=48)
    frame = result.forecast
    assert list(frame.columns) == list(FORECAST_COLUMNS)
    assert frame.groupby("queue").size().to_dict() == {"chat": 48, "phone": 48}
    assert frame["queue"].is_monotonic_increasing
    first = history["interval_start"].max() + pd.Timedelta(hours=1)
    assert (frame.groupby("queue")["interval_start"].min() == first).all()
    assert (frame["volume_low"] <= frame["volume"]).all()
    assert (frame["volume"] <= frame["volume_high"]).all()
    assert str(frame["interval_start"].dt.tz) == "UTC"


def test_seasonal_beats_seasonal_naive_on_a_holdout():
    history = make_history(days=70, daily_volume=300, seed=3)
    cut = history["interval_start"].max() - pd.Timedelta(weeks=2)
    train, test = (
        history[history["interval_start"] <= cut],
        history[history["interval_start"] > cut],
    )
    scores = {}
    for model in ("seasonal", "seasonal_naive"):
        predicted = forecast(train, horizon=len(test), model=model).forecast
        scores[model] = wape(predicted["volume"].to_numpy(), test["volume"].to_numpy())
    assert scores["seasonal"] < 0.85 * scores["seasonal_naive"]


def test_seasonality_is_read_on_the_local_clock():
    """The peak is at 11:00 New York time, whatever the UTC offset of the season."""
    history = make_history(days=42, start="2025-02-17")  # runs across the March DST change
    frame = forecast(history, horizon=24 * 7).forecast
    local_peak = frame.set_index("interval_start")["volume"].idxmax().tz_convert(NY)
    assert local_peak.hour in (10, 11, 12)


def test_closed_hours_stay_zero():
    history = make_history(days=35, closed_hours=(0, 6))
    frame = forecast(history).forecast
    hours = frame["interval_start"].dt.tz_convert(NY).dt.hour
    assert (frame.loc[hours < 6, "volume"] == 0).all()
    assert (frame.loc[hours < 6, "volume_high"] == 0).all()
    assert (frame.loc[hours >= 8, "volume"] > 0).all()


def test_planted_launch_effect_is_recovered_within_15_percent():
    true_uplift = 0.9
    history = make_history(days=120, daily_volume=500, launch=("2025-03-04", true_uplift))
    events = pd.DataFrame(
        {
            "name": ["Launch A"],
            "kind": ["launch"],
            "start": [pd.Timestamp("2025-03-04", tz=NY)],
            "end": [pd.Timestamp("2025-03-05", tz=NY)],
        }
    )
    effects = forecast(history, events=events).effects
    learned = effects.query("kind == 'launch' and offset_days == 0")["uplift"].iloc[0]
    assert abs(learned - true_uplift) <= 0.15 * true_uplift


def test_future_event_of_a_learned_kind_reuses_its_effect():
    history = make_history(days=120, daily_volume=500, launch=("2025-03-04", 0.9))
    end = history["interval_start"].max()
    future_day = (end + pd.Timedelta(days=3)).tz_convert(NY).normalize()
    events = pd.DataFrame(
        {
            "name": ["Launch A", "Launch B"],
            "kind": ["launch", "launch"],
            "start": [pd.Timestamp("2025-03-04", tz=NY), future_day],
            "end": [pd.Timestamp("2025-03-05", tz=NY), future_day + pd.Timedelta(days=1)],
        }
    )
    with_event = forecast(history, events=events).forecast
    without = forecast(history, events=events.iloc[:1]).forecast
    day = with_event["interval_start"].dt.tz_convert(NY).dt.normalize() == future_day
    ratio = with_event.loc[day, "volume"].sum() / without.loc[day, "volume"].sum()
    assert 1.6 < ratio < 2.2
    assert (with_event.loc[day, "events"] == "Launch B").all()


def test_given_uplift_is_applied_as_given():
    history = make_history(days=35)
    start = history["interval_start"].max() + pd.Timedelta(hours=10)
    events = pd.DataFrame(
        {
            "name": ["Promo"],
            "start": [start],
            "end": [start + pd.Timedelta(hours=3)],
            "uplift": [0.5],
        }
    )
    plain = forecast(history).forecast["volume"].to_numpy()
    lifted = forecast(history, events=events).forecast["volume"].to_numpy()
    assert np.allclose(lifted[9:12], plain[9:12] * 1.5)
    assert np.allclose(np.delete(lifted, [9, 10, 11]), np.delete(plain, [9, 10, 11]))


def test_unlearnable_future_event_is_a_warning():
    history = make_history(days=35)
    start = history["interval_start"].max() + pd.Timedelta(hours=10)
    events = pd.DataFrame(
        {"name": ["Webinar"], "start": [start], "end": [start + pd.Timedelta(hours=3)]}
    )
    result = forecast(history, events=events)
    assert any("Webinar" in note and "no uplift" in note for note in result.warnings)


def test_holidays_are_labelled_and_lower_the_forecast():
    history = make_history(days=400, start="2023-10-02", daily_volume=300, seed=1)
    # plant holiday dips: 30 % of a normal day on every US holiday
    import holidays

    us = holidays.country_holidays("US", years=[2023, 2024])
    local_day = history["interval_start"].dt.tz_convert(NY).dt.date
    dip = local_day.isin(list(us))
    history.loc[dip, "volume"] = np.round(history.loc[dip, "volume"] * 0.3)
    result = forecast(history, horizon=24 * 60, country="US")
    frame = result.forecast
    local = frame["interval_start"].dt.tz_convert(NY)
    christmas = local.dt.strftime("%m-%d") == "12-25"
    assert frame.loc[christmas, "events"].str.contains("Christmas").all()
    week_before = local.dt.strftime("%m-%d") == "12-18"  # same weekday, a week earlier
    assert frame.loc[christmas, "volume"].sum() < 0.5 * frame.loc[week_before, "volume"].sum()


def test_interval_coverage_is_near_nominal_on_a_holdout():
    history = make_history(days=84, daily_volume=600, seed=7)
    cut = history["interval_start"].max() - pd.Timedelta(weeks=2)
    train, test = (
        history[history["interval_start"] <= cut],
        history[history["interval_start"] > cut],
    )
    frame = forecast(train, horizon=len(test), level=0.8).forecast
    actual = test["volume"].to_numpy()
    inside = (actual >= frame["volume_low"].to_numpy()) & (actual <= frame["volume_high"])
    assert 0.72 <= inside.mean() <= 0.95


def test_aht_comes_from_history_when_present_else_from_config():
    history = make_history(days=35)
    from_history = forecast(history).forecast["aht_seconds"]
    assert from_history.between(280, 320).all()
    configured = forecast(history.drop(columns="aht_seconds"), default_aht={"phone": 420})
    assert (configured.forecast["aht_seconds"] == 420).all()


def test_same_inputs_give_identical_frames():
    history = make_history(days=35, queues=("phone", "chat"))
    a = forecast(history).forecast
    b = forecast(history).forecast
    pd.testing.assert_frame_equal(a, b)


def test_seasonal_naive_repeats_last_week_on_the_local_clock():
    history = make_history(days=21)
    frame = forecast(history, model="seasonal_naive", horizon=24 * 14).forecast
    last_week = history["volume"].to_numpy()[-168:]
    assert np.array_equal(frame["volume"].to_numpy()[:168], last_week)
    assert np.array_equal(frame["volume"].to_numpy()[168:], last_week)


def test_seasonal_naive_across_dst_matches_wall_clock():
    # History ends the Saturday before the US spring-forward (2025-03-09).
    history = make_history(days=21, start="2025-02-16")
    model = SeasonalNaive().fit(
        history,
        __import__("forecasting.models").models.QueueContext(
            queue="phone", timezone=NY, interval_minutes=60
        ),
    )
    grid = pd.date_range(
        pd.Timestamp("2025-03-10 09:00", tz=NY).tz_convert("UTC"), periods=1, freq="h"
    )
    value = model.predict(grid, level=0.8)["volume"].iloc[0]
    source = pd.Timestamp("2025-03-03 09:00", tz=NY).tz_convert("UTC")
    expected = history.set_index("interval_start").loc[source, "volume"]
    assert value == expected


# -- history -------------------------------------------------------------------------


def test_aggregate_contacts_fills_zero_intervals_and_means_handle_time():
    created = pd.to_datetime(
        ["2025-01-06T09:10:00-05:00", "2025-01-06T09:50:00-05:00", "2025-01-06T12:05:00-05:00"],
        utc=True,
    )
    contacts = pd.DataFrame(
        {"created_at": created, "queue": "phone", "handle_time_seconds": [100.0, 300.0, 50.0]}
    )
    history = aggregate_contacts(contacts, interval_minutes=60)
    assert history["volume"].tolist() == [2.0, 0.0, 0.0, 1.0]
    assert history["aht_seconds"].iloc[0] == 200.0
    assert np.isnan(history["aht_seconds"].iloc[1])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=5 * 24 * 3600), min_size=1, max_size=200),
    st.sampled_from([15, 30, 60]),
)
def test_aggregation_conserves_every_contact(offsets, interval):
    base = pd.Timestamp("2025-03-08", tz=NY)  # spans the US spring-forward
    created = pd.Series([base + pd.Timedelta(seconds=s) for s in offsets])
    contacts = pd.DataFrame({"created_at": created, "queue": "phone"})
    history = aggregate_contacts(contacts, interval_minutes=interval)
    assert history["volume"].sum() == len(offsets)
    steps = history["interval_start"].diff().dropna().unique()
    assert len(history) == 1 or list(steps) == [pd.Timedelta(minutes=interval)]


def test_dst_days_have_the_right_number_of_local_intervals():
    history = make_history(days=3, start="2025-11-01", interval_minutes=15)
    local_day = history["interval_start"].dt.tz_convert(NY).dt.date
    counts = history.groupby(local_day).size()
    assert counts[pd.Timestamp("2025-11-02").date()] == 25 * 4


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda h: h.assign(volume=-1.0), "volume must be a number >= 0"),
        (lambda h: pd.concat([h, h.iloc[:1]]), "duplicate (queue, interval_start)"),
        (lambda h: h.drop(columns="volume"), "no 'volume' column"),
        (lambda h: h.iloc[:0], "no rows"),
        (
            lambda h: h.assign(interval_start=h["interval_start"] + pd.Timedelta(minutes=7)),
            "60-minute grid",
        ),
    ],
)
def test_bad_history_is_a_named_error(mutate, message):
    with pytest.raises(InputError, match=None) as caught:
        complete_grid(mutate(make_history(days=2)), interval_minutes=60)
    assert message in str(caught.value)


def test_short_history_is_a_clear_error():
    with pytest.raises(InputError, match="at least 14"):
        forecast(make_history(days=10))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"horizon": 0}, "horizon"),
        ({"level": 1.2}, "level"),
        ({"model": "prophet"}, "unknown model"),
        ({"country": "XX"}, "unknown country code"),
        ({"timezones": {"phone": "Mars/Olympus"}}, "unknown timezone"),
    ],
)
def test_bad_forecast_options_are_named_errors(options, message):
    with pytest.raises(InputError) as caught:
        forecast(make_history(days=21), **options)
    assert message in str(caught.value)


def test_nb_interval_matches_poisson_quantiles_when_alpha_is_zero():
    from scipy import stats

    low, high = nb_interval(np.array([4.0, 50.0]), alpha=0.0, level=0.8)
    assert low.tolist() == stats.poisson.ppf(0.1, [4.0, 50.0]).tolist()
    assert high.tolist() == stats.poisson.ppf(0.9, [4.0, 50.0]).tolist()
