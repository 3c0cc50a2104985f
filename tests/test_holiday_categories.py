"""Holiday categories other than public: each learned apart, as a level of its own."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from conftest import make_history

from forecasting.base import QueueContext
from forecasting.calendar import default_categories, holiday_kinds
from forecasting.forecast import forecast_volume
from forecasting.regression import SeasonalRegression

START = dt.date(2025, 1, 6)  # a Monday
DAYS = 140
LEVELS = {0: 1000.0, 1: 1000.0, 2: 1000.0, 3: 1000.0, 4: 300.0}  # Friday is a short day
OPTIONAL_LEVEL = 500.0  # an optional holiday runs at this volume, whatever its weekday
OPEN_HOURS = range(8, 16)


def _optional_days() -> list[dt.date]:
    """Eight optional holidays in the history: six on full weekdays, two on Fridays."""
    weeks = [2, 4, 6, 8, 10, 12, 14, 16]
    weekdays = [0, 1, 2, 3, 4, 1, 2, 4]
    return [START + dt.timedelta(days=7 * w + d) for w, d in zip(weeks, weekdays, strict=True)]


def _history(optional: list[dt.date], *, seed: int = 3) -> pd.DataFrame:
    """Hourly Poisson counts on UTC: open 08-16 Monday to Friday, optional days at 500."""
    rng = np.random.default_rng(seed)
    grid = pd.date_range(pd.Timestamp(START, tz="UTC"), periods=DAYS * 24, freq="h")
    day = grid.date
    level = np.array([LEVELS.get(d.weekday(), 0.0) for d in day])
    level = np.where(np.isin(day, optional), np.minimum(level, OPTIONAL_LEVEL), level)
    rate = np.where(np.isin(grid.hour, list(OPEN_HOURS)), level / len(OPEN_HOURS), 0.0)
    return pd.DataFrame({"interval_start": grid, "volume": rng.poisson(rate).astype(float)})


def _daily_forecast(model: SeasonalRegression, day: dt.date) -> float:
    grid = pd.date_range(pd.Timestamp(day, tz="UTC"), periods=24, freq="h")
    return float(model.predict_mean(grid).sum())


def _fit(kinds: bool) -> tuple[SeasonalRegression, dt.date, dt.date]:
    optional = _optional_days()
    ahead_tuesday = START + dt.timedelta(days=DAYS + 1)
    ahead_friday = START + dt.timedelta(days=DAYS + 4)
    names = {d: f"Feast {i}" for i, d in enumerate([*optional, ahead_tuesday, ahead_friday])}
    context = QueueContext(
        queue="q",
        timezone="UTC",
        interval_minutes=60,
        holidays=names,
        holiday_kinds=dict.fromkeys(names, "optional") if kinds else {},
    )
    return SeasonalRegression().fit(_history(optional), context), ahead_tuesday, ahead_friday


def test_an_optional_holiday_is_a_level_of_its_own_not_a_multiplier_of_its_weekday():
    model, tuesday, friday = _fit(kinds=True)
    assert "holiday:optional" in model.category_levels
    # on a full weekday: about the optional days' own volume
    assert abs(_daily_forecast(model, tuesday) / OPTIONAL_LEVEL - 1) < 0.1
    # on the short Friday: Friday's volume, not a share of it
    assert abs(_daily_forecast(model, friday) / LEVELS[4] - 1) < 0.1


def test_as_one_shared_holiday_effect_the_short_friday_would_be_cut():
    # The same days learned as public holidays: one multiplier for every weekday.
    model, _, friday = _fit(kinds=False)
    assert not model.category_levels
    assert _daily_forecast(model, friday) < 0.8 * LEVELS[4]


def test_an_optional_day_runs_on_the_intraday_profile_of_its_past_optional_days():
    # Optional days are open 08-12 only (a shortened day); ordinary days 08-16.
    optional = _optional_days()
    history = _history(optional)
    short = np.isin(history["interval_start"].dt.date, optional) & (
        history["interval_start"].dt.hour >= 12
    )
    history.loc[short, "volume"] = 0.0
    names = {d: "Feast" for d in [*optional, START + dt.timedelta(days=DAYS + 1)]}
    context = QueueContext(
        queue="q",
        timezone="UTC",
        interval_minutes=60,
        holidays=names,
        holiday_kinds=dict.fromkeys(names, "optional"),
    )
    model = SeasonalRegression().fit(history, context)
    grid = pd.date_range(
        pd.Timestamp(START + dt.timedelta(days=DAYS + 1), tz="UTC"), periods=24, freq="h"
    )
    mean = model.predict_mean(grid)
    afternoon = mean[12:16].sum() / mean.sum()
    # pooled 8/9 toward the optional days' own shares (no afternoon), 1/9 the weekday's (1/2)
    assert afternoon < 0.1


def test_the_day_before_an_optional_holiday_is_no_eve():
    optional = _optional_days()
    context = QueueContext(
        queue="q",
        timezone="UTC",
        interval_minutes=60,
        holidays=dict.fromkeys(optional, "Feast"),
        holiday_kinds=dict.fromkeys(optional, "optional"),
    )
    model = SeasonalRegression().fit(_history(optional), context)
    assert "before_holiday" not in model.columns and "after_holiday" not in model.columns


def test_default_categories_add_optional_where_the_country_has_them():
    assert default_categories("IL") == ("public", "optional")
    assert default_categories("US") is None
    assert default_categories(None) is None
    kinds = holiday_kinds("IL", years=[1999], categories=("public", "optional"))
    assert kinds[dt.date(1999, 9, 27)] == "optional"  # Chol HaMoed Sukkot
    assert dt.date(1999, 9, 20) not in kinds  # Yom Kippur is public
    assert holiday_kinds("IL", years=[1999], categories=None) == {}


def test_forecast_volume_uses_israels_optional_holidays_by_default():
    history = _history([]).assign(queue="q")  # ends on Sunday 2025-05-25
    ahead = dict(country="IL", timezones={"q": "UTC"}, horizon=24, interval_minutes=60)
    by_default = forecast_volume(history, **ahead).forecast
    public_only = forecast_volume(history, holiday_categories=("public",), **ahead).forecast
    assert (by_default["events"] == "Jerusalem Day").all()  # 2025-05-26, optional in IL
    assert (public_only["events"] == "").all()


def test_a_new_holiday_of_a_learned_category_is_not_called_ordinary():
    """Found by a new user's run: Pesach's Chol HaMoed (optional in Israel, never in
    the history by name) was forecast at the optional days' level, -55%, while the
    warning said the days 'are forecast as ordinary days'."""
    model, tuesday, _ = _fit(kinds=True)
    grid = pd.date_range(pd.Timestamp(tuesday, tz="UTC"), periods=24 * 4, freq="h")
    assert not model.unlearned_holidays(grid).any()
    assert _daily_forecast(model, tuesday) < 0.7 * LEVELS[1]
    public, *_ = _fit(kinds=False)  # one shared holiday effect: unseen names are flagged
    assert public.unlearned_holidays(grid).any()


def test_a_holiday_declared_in_events_is_not_warned_about():
    """The warning asks for an event with an uplift; once given, it has done its job."""
    history = make_history(days=42, queues=("phone",), daily_volume=300, seed=2)
    ahead = dict(
        country="US", timezones={"phone": "America/New_York"}, horizon=24 * 7, interval_minutes=60
    )
    warned = forecast_volume(history, **ahead).warnings
    assert any("2025-02-17 Washington's Birthday" in w for w in warned)
    day = pd.Timestamp("2025-02-17", tz="America/New_York")
    events = pd.DataFrame(
        {"name": ["Presidents Day"], "start": [day], "end": [day + pd.Timedelta(days=1)]}
    )
    events["uplift"] = -0.5
    declared = forecast_volume(history, events=events, **ahead).warnings
    assert not any("Washington's Birthday" in w for w in declared)
