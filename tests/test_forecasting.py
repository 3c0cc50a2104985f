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
    assert 0.75 <= inside.mean() <= 0.85


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


def test_short_history_falls_back_to_seasonal_naive_with_a_warning():
    history = make_history(days=10)
    result = forecast(history)
    assert result.models["model"].tolist() == ["seasonal_naive"]
    assert any("too few for the seasonal model" in note for note in result.warnings)
    last_week = history["volume"].to_numpy()[-168:]
    assert np.array_equal(result.forecast["volume"].to_numpy(), last_week)


def test_history_under_a_week_is_a_clear_error():
    with pytest.raises(InputError) as caught:
        forecast(make_history(days=5))
    assert "history" in str(caught.value)
    assert "at least 7 days" in str(caught.value)
    assert "14" in str(caught.value)


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


# -- issue 3: outages, gaps, holidays, what-if, model choice, intervals -------------


def day_total(frame: pd.DataFrame, day: str) -> float:
    local = frame["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    return float(frame.loc[local == pd.Timestamp(day), "volume"].sum())


def test_outage_is_left_out_of_fitting_and_not_learned():
    clean = make_history(days=35, daily_volume=500, seed=5)
    broken = clean.copy()
    local = broken["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    outage_day = local == pd.Timestamp("2025-02-04")  # a Tuesday in the last week
    broken.loc[outage_day, "volume"] = np.round(broken.loc[outage_day, "volume"] * 0.05)
    events = pd.DataFrame(
        {
            "name": ["Phone system down"],
            "kind": ["outage"],
            "start": [pd.Timestamp("2025-02-04", tz=NY)],
            "end": [pd.Timestamp("2025-02-05", tz=NY)],
        }
    )
    next_tuesday = "2025-02-11"
    reference = day_total(forecast(clean).forecast, next_tuesday)
    declared = forecast(broken, events=events)
    undeclared = day_total(forecast(broken).forecast, next_tuesday)
    assert abs(day_total(declared.forecast, next_tuesday) / reference - 1) < 0.05
    # undeclared, the day is far off its fit and left out too (regression.OUTLIER_RATIO)
    assert abs(undeclared / reference - 1) < 0.05
    assert "outage" not in set(declared.effects["kind"])
    assert any("outages are left out of fitting" in note for note in declared.warnings)


def counts_without(history: pd.DataFrame, drop: pd.Series) -> pd.DataFrame:
    return complete_grid(history[~drop], interval_minutes=60, missing="nan")


def test_gaps_in_open_hours_warn_and_do_not_pull_the_forecast_down():
    full = make_history(days=35, daily_volume=500, closed_hours=(0, 6), seed=6)
    local = full["interval_start"].dt.tz_convert(NY)
    closed = local.dt.hour < 6  # an export that leaves out closed hours ...
    gap = (local.dt.tz_localize(None).dt.normalize() == pd.Timestamp("2025-02-04")) & (
        local.dt.hour.between(10, 15)  # ... and lost six open hours of a Tuesday
    )
    result = forecast(counts_without(full, closed | gap))
    gap_notes = [n for n in result.warnings if "missing from the history" in n]
    assert len(gap_notes) == 1 and "6 intervals in open hours" in gap_notes[0]
    reference = day_total(forecast(full).forecast, "2025-02-11")
    assert abs(day_total(result.forecast, "2025-02-11") / reference - 1) < 0.03
    # taken as zeros instead, the Tuesday is far off its fit and left out as unusual
    zero_filled = full.copy()
    zero_filled.loc[gap, "volume"] = 0.0
    assert abs(day_total(forecast(zero_filled).forecast, "2025-02-11") / reference - 1) < 0.03


def test_a_lost_day_in_a_ticket_export_is_a_gap_not_a_quiet_day():
    full = make_history(days=35, daily_volume=500, seed=6)
    lost = full["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize() == (
        pd.Timestamp("2025-02-04")
    )
    exported = full.assign(volume=np.where(lost, 0.0, full["volume"]))
    result = forecast(exported)
    notes = [n for n in result.warnings if "no contacts at all" in n]
    assert len(notes) == 1 and "2025-02-04" in notes[0]
    reference = day_total(forecast(full).forecast, "2025-02-11")
    assert abs(day_total(result.forecast, "2025-02-11") / reference - 1) < 0.05


def test_closed_hours_left_out_of_a_counts_file_are_zero_without_a_warning():
    full = make_history(days=35, closed_hours=(0, 6), seed=6)
    closed = full["interval_start"].dt.tz_convert(NY).dt.hour < 6
    result = forecast(counts_without(full, closed))
    assert not any("missing" in note for note in result.warnings)
    hours = result.forecast["interval_start"].dt.tz_convert(NY).dt.hour
    assert (result.forecast.loc[hours < 6, "volume"] == 0).all()


def weekday_export_without_holidays(days: int, start: str) -> pd.DataFrame:
    """A weekday-only counts export (07-21 local) whose public holidays are absent."""
    import holidays

    full = make_history(days=days, start=start, daily_volume=2000, seed=9)
    local = full["interval_start"].dt.tz_convert(NY)
    us = holidays.country_holidays("US", years=[local.dt.year.min(), local.dt.year.max()])
    weekend = local.dt.day_of_week >= 5
    night = (local.dt.hour < 7) | (local.dt.hour >= 21)
    holiday = local.dt.date.isin(list(us))
    return counts_without(full, weekend | night | holiday)


def test_holiday_absent_from_a_weekday_export_is_forecast_as_a_normal_day():
    # Labor Day 2025-09-01 is missing from the export; Columbus Day 2025-10-13 lies ahead
    history = weekday_export_without_holidays(days=63, start="2025-08-11")
    end = history["interval_start"].max()
    assert end.tz_convert(NY).date() == pd.Timestamp("2025-10-10").date()  # a Friday
    result = forecast(history, horizon=24 * 14, country="US")
    frame = result.forecast
    # like the next ordinary Monday, not like the quietest open day (a Friday, 0.8 x)
    assert abs(day_total(frame, "2025-10-13") / day_total(frame, "2025-10-20") - 1) < 0.05
    local = frame["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    on_day = frame[local == pd.Timestamp("2025-10-13")]
    later = frame[local == pd.Timestamp("2025-10-20")]
    width = (on_day["volume_high"] - on_day["volume_low"]).sum()
    assert width > 1.5 * (later["volume_high"] - later["volume_low"]).sum()
    notes = [n for n in result.warnings if "Columbus Day" in n]
    assert len(notes) == 1
    assert "ordinary day" in notes[0] and "events.csv" in notes[0]


def test_a_declared_closure_closes_the_holiday():
    history = weekday_export_without_holidays(days=63, start="2025-08-11")
    events = pd.DataFrame(
        {
            "name": ["Columbus Day closure"],
            "start": [pd.Timestamp("2025-10-13", tz=NY)],
            "end": [pd.Timestamp("2025-10-14", tz=NY)],
            "uplift": [-1.0],
        }
    )
    frame = forecast(history, horizon=24 * 7, country="US", events=events).forecast
    assert day_total(frame, "2025-10-13") == 0
    assert day_total(frame, "2025-10-14") > 0


def test_days_before_holidays_are_learned():
    import holidays

    history = make_history(days=400, start="2023-10-02", daily_volume=400, seed=2)
    us = holidays.country_holidays("US", years=[2023, 2024])
    local_day = history["interval_start"].dt.tz_convert(NY).dt.date
    eve = local_day.map(lambda d: (d + pd.Timedelta(days=1).to_pytimedelta()) in us) & ~(
        local_day.isin(list(us))
    )
    history.loc[eve, "volume"] = np.round(history.loc[eve, "volume"] * 0.6)
    effects = forecast(history, country="US").effects
    before = effects.query("kind == 'before_holiday'")["uplift"].iloc[0]
    assert -0.5 < before < -0.3


def test_what_if_scales_volume_and_records_the_scenario():
    history = make_history(days=28)
    plain = forecast(history).forecast
    result = forecast(history, growth=0.2, deflection=0.25)
    frame = result.forecast
    assert list(frame.columns) == [*FORECAST_COLUMNS, "baseline_volume", "scenario"]
    assert np.allclose(frame["baseline_volume"], plain["volume"])
    for column in ("volume", "volume_low", "volume_high"):
        assert np.allclose(frame[column], plain[column] * 1.2 * 0.75)
    assert (frame["scenario"] == "growth +20%; deflection 25%").all()


@pytest.mark.parametrize(
    ("options", "message"),
    [({"growth": -1.0}, "growth"), ({"deflection": 1.0}, "deflection")],
)
def test_bad_what_if_is_a_named_error(options, message):
    with pytest.raises(InputError) as caught:
        forecast(make_history(days=21), **options)
    assert message in str(caught.value)


def test_event_before_the_history_is_a_named_error():
    events = pd.DataFrame(
        {
            "name": ["Old launch"],
            "start": [pd.Timestamp("2019-01-01", tz=NY)],
            "end": [pd.Timestamp("2019-01-02", tz=NY)],
        }
    )
    with pytest.raises(InputError) as caught:
        forecast(make_history(days=21), events=events)
    assert "events" in str(caught.value) and "Old launch" in str(caught.value)


def test_auto_chooses_a_model_per_queue_and_reports_it():
    from forecasting.models import AUTO_CANDIDATES

    history = make_history(days=42, queues=("phone", "chat"), seed=9)
    result = forecast(history, model="auto", horizon=24 * 7)
    models = result.models.set_index("queue")
    assert list(models.index) == ["chat", "phone"]
    assert models["model"].isin(AUTO_CANDIDATES).all()
    assert all(all(name in text for name in AUTO_CANDIDATES) for text in models["candidates"])
    assert np.isfinite(models["holdout_wape"]).all()
    chosen = models.loc["phone", "model"]
    phone = history[history["queue"] == "phone"]
    direct = forecast(phone, model=chosen, horizon=24 * 7, guard=False)
    auto_phone = result.forecast[result.forecast["queue"] == "phone"]
    assert np.allclose(auto_phone["volume"].to_numpy(), direct.forecast["volume"].to_numpy())


def test_mstl_follows_a_recent_level_shift():
    history = make_history(days=56, daily_volume=400, seed=4)
    recent = history["interval_start"] > history["interval_start"].max() - pd.Timedelta(days=14)
    history.loc[recent, "volume"] = np.round(history.loc[recent, "volume"] * 1.4)
    frame = forecast(history, model="mstl", horizon=24 * 7).forecast
    last_week = history["volume"].to_numpy()[-168:].sum()
    assert abs(frame["volume"].sum() / last_week - 1) < 0.1
    hours = frame["interval_start"].dt.tz_convert(NY).dt.hour
    assert (frame["volume"] >= 0).all() and (frame.loc[hours == 11, "volume"] > 0).all()


def test_weekly_average_and_daily_naive_follow_their_rules():
    history = make_history(days=35, seed=8)
    values = history["volume"].to_numpy()
    weekly = forecast(history, model="weekly_average", horizon=168).forecast["volume"]
    expected = values[-4 * 168 :].reshape(4, 168).mean(axis=0)
    assert np.allclose(weekly.to_numpy(), expected)
    daily = forecast(history, model="daily_naive", horizon=48).forecast["volume"]
    assert np.array_equal(daily.to_numpy(), np.tile(values[-24:], 2))


def test_calibration_narrows_poisson_intervals_to_the_nominal_share():
    from forecasting.intervals import calibrate

    rng = np.random.default_rng(11)
    mean = rng.uniform(0.5, 6.0, size=4000)
    holdout, fresh = rng.poisson(mean), rng.poisson(mean)
    calibration = calibrate(holdout, mean, level=0.8)
    assert calibration.quantile_level < 0.8  # integer Poisson bounds over-cover
    low, high = nb_interval(mean, alpha=calibration.alpha, level=calibration.quantile_level)
    inside = ((fresh >= low) & (fresh <= high)).mean()
    assert 0.77 <= inside <= 0.84
    plain_low, plain_high = nb_interval(mean, alpha=0.0, level=0.8)
    assert ((fresh >= plain_low) & (fresh <= plain_high)).mean() > 0.85


def test_calibration_widens_for_overdispersed_counts():
    from forecasting.intervals import calibrate

    rng = np.random.default_rng(12)
    mean = rng.uniform(20, 80, size=4000)
    n = 1 / 0.1  # alpha 0.1: sd is about a third of the mean
    draw = lambda: rng.negative_binomial(n, n / (n + mean))  # noqa: E731
    calibration = calibrate(draw(), mean, level=0.8)
    assert 0.07 < calibration.alpha < 0.13
    low, high = nb_interval(mean, alpha=calibration.alpha, level=calibration.quantile_level)
    fresh = draw()
    assert 0.77 <= ((fresh >= low) & (fresh <= high)).mean() <= 0.83


def test_default_leaves_the_model_when_held_out_weeks_say_it_fails():
    history = make_history(days=120, daily_volume=400, seed=11)
    recent = history["interval_start"] > history["interval_start"].max() - pd.Timedelta(days=10)
    history.loc[recent, "volume"] = np.round(history.loc[recent, "volume"] * 0.5)  # level halves
    level = history.loc[recent, "volume"].sum() / 10 * 3
    guarded = forecast(history, horizon=24 * 3)
    raw = forecast(history, horizon=24 * 3, guard=False)
    chosen = guarded.models["model"].iloc[0]
    assert chosen not in ("seasonal", "seasonal+weekly_average")
    assert raw.models["model"].iloc[0] == "seasonal"
    notes = [n for n in guarded.warnings if "instead of seasonal+weekly_average" in n]
    assert len(notes) == 1 and chosen in notes[0]
    guarded_error = abs(guarded.forecast["volume"].sum() - level)
    assert guarded_error < 0.5 * abs(raw.forecast["volume"].sum() - level)


def test_default_blends_the_model_with_the_four_week_average_on_a_steady_series():
    history = make_history(days=70, daily_volume=400, seed=12)
    result = forecast(history, horizon=24 * 7)
    assert result.models["model"].iloc[0] in ("seasonal+weekly_average", "seasonal")
    assert not any("instead of" in note for note in result.warnings)


def test_workers_give_the_same_forecast_as_one_process():
    history = make_history(days=42, queues=("phone", "chat"), seed=13)
    one = forecast(history, country="US")
    two = forecast(history, country="US", workers=2)
    pd.testing.assert_frame_equal(one.forecast, two.forecast)
    pd.testing.assert_frame_equal(one.models, two.models)
    assert one.warnings == two.warnings


@pytest.mark.parametrize("workers", [0, -1, 1.5])
def test_workers_must_be_a_positive_whole_number(workers):
    with pytest.raises(InputError, match="workers"):
        forecast(make_history(days=21), workers=workers)


def test_each_holiday_learns_its_own_effect():
    """Christmas is not Columbus Day: a closed-ish Christmas does not close the others."""
    import holidays

    history = make_history(days=780, start="2022-10-03", daily_volume=400, seed=14)
    local_day = history["interval_start"].dt.tz_convert(NY).dt.date
    us = holidays.country_holidays("US", years=[2022, 2023, 2024])
    christmas = local_day.map(lambda d: us.get(d, "").startswith("Christmas"))
    other = local_day.isin(list(us)) & ~christmas
    history.loc[christmas, "volume"] = np.round(history.loc[christmas, "volume"] * 0.1)
    history.loc[other, "volume"] = np.round(history.loc[other, "volume"] * 0.9)
    frame = forecast(history, country="US", horizon=24 * 56, guard=False).forecast
    ratio_christmas = day_total(frame, "2024-12-25") / day_total(frame, "2024-12-18")  # Wed
    ratio_other = day_total(frame, "2024-11-28") / day_total(frame, "2024-12-05")  # Thu
    assert ratio_christmas < 0.25
    assert ratio_other > 0.7


def test_closed_holidays_forecast_zero_and_unknown_names_are_refused():
    history = make_history(days=42, start="2025-10-06", daily_volume=400, seed=15)
    frame = forecast(
        history, country="US", horizon=24 * 14, closed_holidays=["Thanksgiving Day"]
    ).forecast
    assert day_total(frame, "2025-11-27") == 0  # Thanksgiving
    assert day_total(frame, "2025-11-26") > 0
    with pytest.raises(InputError, match=r"forecast\.closed_holidays: 'Columbus Dai'"):
        forecast(history, country="US", closed_holidays=["Columbus Dai"])


def test_holiday_categories_add_optional_holidays_and_unknown_ones_are_refused():
    from forecasting.calendar import holiday_calendar

    public = holiday_calendar("IL", years=[2025])
    optional = holiday_calendar("IL", years=[2025], categories=["public", "optional"])
    assert set(public) < set(optional)
    history = make_history(days=21, seed=16)
    with pytest.raises(InputError, match=r"forecast\.holiday_categories: 'bankish'"):
        forecast(history, country="IL", holiday_categories=["bankish"])


def test_a_queue_that_starts_later_has_no_gap_before_its_first_count():
    early = make_history(days=42, queues=("early",), seed=1)
    late = make_history(days=28, queues=("late",), start="2025-01-20", seed=2)
    shared = complete_grid(
        pd.concat([early, late]).dropna(subset=["volume"]), interval_minutes=60, missing="nan"
    )
    assert shared.loc[shared["queue"] == "late", "volume"].isna().sum() == 14 * 24
    together = forecast_volume(
        shared, horizon=48, interval_minutes=60, timezones={"late": "America/New_York"}
    )
    alone = forecast_volume(
        late, horizon=48, interval_minutes=60, timezones={"late": "America/New_York"}
    )
    assert not [w for w in together.warnings if "missing" in w]
    got = together.forecast[together.forecast["queue"] == "late"].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, alone.forecast.reset_index(drop=True))


def test_an_undeclared_near_closure_does_not_pull_its_weekday_down():
    clean = make_history(days=42, daily_volume=800, seed=11)
    local = clean["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    closed = clean.copy()
    tuesday = local == pd.Timestamp("2025-01-28")  # a Tuesday at 5 % nobody declared
    closed.loc[tuesday, "volume"] = np.round(closed.loc[tuesday, "volume"] * 0.05)
    reference = day_total(forecast(clean, guard=False).forecast, "2025-02-18")
    got = day_total(forecast(closed, guard=False).forecast, "2025-02-18")
    assert abs(got / reference - 1) < 0.03  # one of six Tuesdays at 5 % alone: 16 % low
    quiet = make_history(days=42, daily_volume=8, seed=11)  # a quiet queue's zero day is noise
    quiet_local = quiet["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    quiet.loc[quiet_local == pd.Timestamp("2025-01-28"), "volume"] = 0.0
    fitted = forecast(quiet, guard=False)
    assert day_total(fitted.forecast, "2025-02-18") < day_total(
        forecast(make_history(days=42, daily_volume=8, seed=11), guard=False).forecast, "2025-02-18"
    )


def test_holidays_without_a_contact_are_named_as_gaps_or_closures_and_never_close_another():
    # Labor Day 2025-09-01 has no rows (an export gap) or zero rows (a closure)
    history = weekday_export_without_holidays(days=63, start="2025-08-11")
    absent = forecast(history, horizon=24 * 14, country="US")
    notes = [n for n in absent.warnings if "no rows on 1 public holidays" in n]
    assert len(notes) == 1 and "2025-09-01 Labor Day" in notes[0]
    assert "forecast.closed_holidays" in notes[0]
    local = history["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    zero = history.copy()
    zero.loc[local == pd.Timestamp("2025-09-01"), "volume"] = 0.0
    closed = forecast(zero, horizon=24 * 14, country="US")
    notes = [n for n in closed.warnings if "have no contacts" in n]
    assert len(notes) == 1 and "looks like a closure" in notes[0]
    for result in (absent, closed):  # Columbus Day ahead stays an ordinary Monday
        ratio = day_total(result.forecast, "2025-10-13") / day_total(result.forecast, "2025-10-20")
        assert abs(ratio - 1) < 0.05


def test_open_holidays_turn_a_zero_holiday_into_a_gap_not_a_closure():
    # Labor Day 2024 has rows of zero (it looks like a closure); Labor Day 2025 lies ahead
    history = make_history(days=390, start="2024-08-05", daily_volume=2000, seed=21)
    local = history["interval_start"].dt.tz_convert(NY).dt.tz_localize(None).dt.normalize()
    history.loc[local == pd.Timestamp("2024-09-02"), "volume"] = 0.0
    options = dict(horizon=24 * 14, country="US", timezones={"phone": NY})
    closed = forecast(history, **options)
    assert any("looks like a closure" in n for n in closed.warnings)
    opened = forecast(history, **options, open_holidays=["labor day"])
    assert not any("looks like a closure" in n for n in opened.warnings)
    notes = [n for n in opened.warnings if "forecast.open_holidays" in n]
    assert len(notes) == 1 and "2024-09-02" in notes[0]
    monday = day_total(opened.forecast, "2025-09-08")
    assert day_total(closed.forecast, "2025-09-01") / monday < 0.3  # learned as a closure
    assert abs(day_total(opened.forecast, "2025-09-01") / monday - 1) < 0.1  # an open Monday


def test_open_holidays_unknown_or_also_closed_are_refused():
    history = make_history(days=21, seed=22)
    with pytest.raises(InputError, match=r"forecast\.open_holidays: 'Columbus Dai'"):
        forecast(history, country="US", open_holidays=["Columbus Dai"])
    with pytest.raises(InputError, match=r"forecast\.open_holidays: 'Labor Day' is also"):
        forecast(history, country="US", open_holidays=["Labor Day"], closed_holidays=["Labor Day"])
