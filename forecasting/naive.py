"""Naive forecasts on the local clock: the rules of thumb a planner uses by hand.

- `SeasonalNaive` ("seasonal_naive"): the latest observed week, repeated at the
  same local wall-clock time. The baseline every model must beat (Hyndman &
  Athanasopoulos 2021, "Forecasting: principles and practice", 3rd ed., 5.2).
- `WeeklyAverage` ("weekly_average"): the mean of the latest four weeks at the
  same local time, the other usual spreadsheet rule.
- `DailyNaive` ("daily_naive"): yesterday at the same time (M4's sNaive for
  hourly data; useful where there is no weekly cycle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.base import (
    QueueContext,
    VolumeModel,
    impute_seasonal,
    same_time_back,
    series,
    values_at,
)
from forecasting.errors import InputError
from forecasting.intervals import moment_dispersion

RESIDUAL_WEEKS = 8


class SeasonalNaive(VolumeModel):
    """Volume of the latest observed period at the same local wall-clock time."""

    name = "seasonal_naive"
    min_days = 7
    period_days = 7
    average_periods = 1

    def fit(self, history: pd.DataFrame, context: QueueContext) -> SeasonalNaive:
        """Args: history with `interval_start` (UTC grid) and `volume`, one queue."""
        needed = self.period_days * self.average_periods
        if len(history) < needed * context.per_day:
            raise InputError(f"queue {context.queue!r}: {self.name} needs {needed} days of history")
        self.context = context
        self.volume = impute_seasonal(series(history), context)
        recent = self.volume.index[-RESIDUAL_WEEKS * 7 * context.per_day :]
        lagged = self._lookup(recent, fit=True)
        ok = ~np.isnan(lagged)
        actual = self.volume.to_numpy(float)[-len(recent) :] if len(recent) else np.zeros(0)
        self.alpha = moment_dispersion(actual[ok], lagged[ok])
        return self

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        return np.nan_to_num(self._lookup(grid, fit=False))

    def _lookup(self, grid: pd.DatetimeIndex, *, fit: bool) -> np.ndarray:
        """Volume at the same local time one period back (fit), else the latest periods.

        With `average_periods` > 1, the mean over that many consecutive periods.
        """
        index = self.volume.index
        tz = self.context.timezone
        if fit:
            periods = np.ones(len(grid), dtype=np.int64)
        else:
            local = grid.tz_convert(tz).tz_localize(None)
            last = index[-1].tz_convert(tz).tz_localize(None)
            periods = np.maximum(
                1, np.ceil((local - last) / pd.Timedelta(days=self.period_days))
            ).astype(np.int64)
        values = [
            values_at(
                self.volume,
                same_time_back(
                    index,
                    grid,
                    timezone=tz,
                    interval_minutes=self.context.interval_minutes,
                    period_days=self.period_days,
                    periods=periods + extra,
                ),
            )
            for extra in range(self.average_periods)
        ]
        if self.average_periods == 1:
            return values[0]
        stacked = np.vstack(values)
        known = ~np.isnan(stacked)
        total = np.where(known, stacked, 0.0).sum(axis=0)
        count = known.sum(axis=0)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


class WeeklyAverage(SeasonalNaive):
    """Mean of the latest four weeks at the same local wall-clock time."""

    name = "weekly_average"
    min_days = 28
    average_periods = 4


class DailyNaive(SeasonalNaive):
    """Volume of the latest observed day at the same local wall-clock time."""

    name = "daily_naive"
    min_days = 1
    period_days = 1
