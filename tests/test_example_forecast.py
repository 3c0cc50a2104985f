"""The forecaster on the example company: it must beat repeating last week."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import EXAMPLES

from forecasting.forecast import forecast_volume
from forecasting.history import aggregate_contacts
from wfm import readers
from wfm.config import load_config

HOLDOUT_WEEKS = 4


@pytest.fixture(scope="module")
def example():
    config = load_config(EXAMPLES / "wfm.toml")
    contacts, _ = readers.read_history(
        EXAMPLES / "tickets.csv.gz", tz=config.timezone, queue_col=config.forecast.queue_column
    )
    history = aggregate_contacts(contacts, interval_minutes=config.interval_minutes)
    events = readers.read_events(EXAMPLES / "events.csv", tz=config.timezone)
    return config, history, events


def holdout_scores(config, history, events, model):
    cut = history["interval_start"].max() - pd.Timedelta(weeks=HOLDOUT_WEEKS)
    train = history[history["interval_start"] <= cut]
    test = history[history["interval_start"] > cut]
    result = forecast_volume(
        train,
        horizon=HOLDOUT_WEEKS * 168,
        interval_minutes=config.interval_minutes,
        timezones=config.queue_timezones(),
        default_aht=config.queue_aht(),
        events=events,
        country=config.forecast.country,
        model=model,
    )
    joined = result.forecast.merge(test, on=["interval_start", "queue"], suffixes=("", "_actual"))
    error = (joined["volume"] - joined["volume_actual"]).abs()
    grouped = joined.assign(error=error).groupby("queue")
    return grouped["error"].sum() / grouped["volume_actual"].sum()


def test_seasonal_model_beats_seasonal_naive_on_every_queue(example):
    seasonal = holdout_scores(*example, model="seasonal")
    naive = holdout_scores(*example, model="seasonal_naive")
    assert set(seasonal.index) == {"phone", "chat", "email"}
    assert (seasonal < 0.85 * naive).all(), (seasonal, naive)


def test_planted_launch_effect_is_learned_from_the_example(example):
    config, history, events = example
    result = forecast_volume(
        history,
        horizon=168,
        interval_minutes=60,
        timezones=config.queue_timezones(),
        events=events,
        country="US",
    )
    day_one = result.effects.query("kind == 'launch' and offset_days == 0")
    # the generator planted +70 % on launch day, decaying about x0.7 a day
    assert day_one["uplift"].between(0.70 * 0.85, 0.70 * 1.15).all(), day_one
    day_three = result.effects.query("kind == 'launch' and offset_days == 2")
    assert (day_three["uplift"].to_numpy() < day_one["uplift"].to_numpy()).all()


def test_intervals_cover_near_the_nominal_share_on_the_example(example):
    config, history, events = example
    cut = history["interval_start"].max() - pd.Timedelta(weeks=HOLDOUT_WEEKS)
    result = forecast_volume(
        history[history["interval_start"] <= cut],
        horizon=HOLDOUT_WEEKS * 168,
        interval_minutes=config.interval_minutes,
        timezones=config.queue_timezones(),
        events=events,
        country=config.forecast.country,
        level=0.8,
    )
    joined = result.forecast.merge(
        history[history["interval_start"] > cut], on=["interval_start", "queue"]
    )
    actual = joined["volume_y"]
    inside = (actual >= joined["volume_low"]) & (actual <= joined["volume_high"])
    coverage = inside.groupby(joined["queue"]).mean()
    assert coverage.between(0.75, 0.85).all(), coverage
