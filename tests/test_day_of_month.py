"""Day-of-month terms of the seasonal model: learned where the data support them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.base import QueueContext
from forecasting.regression import SeasonalRegression

CONTEXT = QueueContext(queue="q", timezone="UTC", interval_minutes=60)


def _history(daily: float, payday_uplift: float, *, days: int, seed: int) -> pd.DataFrame:
    """Hourly Poisson counts, open 08-18 every day, `payday_uplift` more on the 1st-5th."""
    rng = np.random.default_rng(seed)
    grid = pd.date_range("2025-01-01", periods=days * 24, freq="h", tz="UTC")
    level = np.where(grid.day <= 5, daily * (1 + payday_uplift), daily)
    rate = np.where((grid.hour >= 8) & (grid.hour < 18), level / 10, 0.0)
    return pd.DataFrame({"interval_start": grid, "volume": rng.poisson(rate).astype(float)})


def _day_total(model: SeasonalRegression, day: str) -> float:
    grid = pd.date_range(day, periods=24, freq="h", tz="UTC")
    return float(model.predict_mean(grid).sum())


def test_a_payday_surge_at_the_start_of_each_month_is_learned():
    history = _history(1000.0, 0.4, days=120, seed=5)  # 2025-01-01 .. 2025-04-30
    model = SeasonalRegression().fit(history, CONTEXT)
    assert any(c.startswith("month:") for c in model.columns)
    payday, mid_month = _day_total(model, "2025-05-02"), _day_total(model, "2025-05-20")
    assert payday / mid_month > 1.25  # the truth is 1.4; a model without the terms gives ~1


def test_a_sparse_queue_without_a_monthly_cycle_gets_no_monthly_terms():
    history = _history(4.0, 0.0, days=400, seed=6)  # 4 contacts a day: noise only
    model = SeasonalRegression().fit(history, CONTEXT)
    assert not any(c.startswith("month:") for c in model.columns)


def test_a_short_history_gets_no_monthly_terms():
    history = _history(1000.0, 0.4, days=49, seed=7)  # seven weeks: under MONTH_MIN_DAYS
    model = SeasonalRegression().fit(history, CONTEXT)
    assert not any(c.startswith("month:") for c in model.columns)
