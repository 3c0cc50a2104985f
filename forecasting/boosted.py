"""A gradient-boosted model of one queue (LightGBM, optional): lags plus the local calendar.

Features of each interval: the volume one day and one week earlier (on the UTC
grid), the local slot and weekday, and a public-holiday flag. Poisson
objective (counts), fixed seed, one thread, `deterministic=True`: the same
history gives the same forecast bit for bit. The forecast runs one day at a
time, each day's lags taken from the history or the days forecast before it
(recursive). Needs the optional `lightgbm` package (`pip install
'wfm-planner[boosted]'`); `available()` says whether it is installed.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from forecasting.base import QueueContext, VolumeModel, impute_seasonal, series
from forecasting.calendar import local_frame
from forecasting.errors import InputError
from forecasting.intervals import moment_dispersion

PARAMS = {
    "objective": "poisson",
    "n_estimators": 100,
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_child_samples": 20,
    "random_state": 0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbosity": -1,
}
MAX_TRAIN_DAYS = int(os.environ.get("WFM_BOOSTED_DAYS", "364"))


def available() -> bool:
    """True when lightgbm imports."""
    try:
        import lightgbm  # noqa: F401
    except ImportError:
        return False
    return True


class BoostedModel(VolumeModel):
    """LightGBM on day and week lags, local slot, weekday and holiday flag."""

    name = "boosted"
    min_days = 35

    def fit(self, history: pd.DataFrame, context: QueueContext) -> BoostedModel:
        """Args: history with `interval_start` (UTC grid) and `volume`, one queue."""
        import lightgbm as lgb

        per_day = context.per_day
        if len(history) < self.min_days * per_day:
            raise InputError(f"queue {context.queue!r}: boosted needs {self.min_days} days")
        self.context = context
        volume = impute_seasonal(series(history), context)
        self.values = volume.to_numpy(float)
        self.last = volume.index[-1]
        start = max(28 * per_day, len(self.values) - MAX_TRAIN_DAYS * per_day)
        rows = np.arange(start, len(self.values))
        features = self._features(rows, self.values, pd.DatetimeIndex(volume.index[rows]))
        self.booster = lgb.LGBMRegressor(**PARAMS).fit(features, self.values[rows])
        fitted = self.booster.predict(features)
        self.alpha = moment_dispersion(self.values[rows], fitted)
        return self

    def _features(self, rows: np.ndarray, values: np.ndarray, starts) -> np.ndarray:
        """Day lag, week lag, slot, weekday, holiday flag of positions `rows`."""
        context = self.context
        cal = local_frame(
            starts, timezone=context.timezone, interval_minutes=context.interval_minutes
        )
        dates = cal["local_date"].dt.date
        holiday = np.array([d in context.holidays for d in dates], dtype=float)
        per_day = context.per_day
        calendar = [cal["slot"].to_numpy(float), cal["weekday"].to_numpy(float), holiday]
        mode = os.environ.get("WFM_BOOSTED_FEATURES", "")
        week4 = np.mean([values[rows - k * 7 * per_day] for k in range(1, 5)], axis=0)
        if mode == "smooth":
            day = rows - rows % per_day  # not local days, but whole grid days
            prev = np.array([values[d - per_day : d].mean() for d in day])
            return np.column_stack([week4, prev, *calendar])
        if mode == "full":
            day = rows - rows % per_day
            prev = np.array([values[d - per_day : d].mean() for d in day])
            return np.column_stack(
                [values[rows - per_day], values[rows - 7 * per_day], week4, prev, *calendar]
            )
        if mode == "week4":
            return np.column_stack(
                [values[rows - per_day], values[rows - 7 * per_day], week4, *calendar]
            )
        return np.column_stack([values[rows - per_day], values[rows - 7 * per_day], *calendar])

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """Recursive, one day of intervals at a time, from the end of the history."""
        per_day = self.context.per_day
        step = pd.Timedelta(minutes=self.context.interval_minutes)
        offsets = np.round((grid - self.last) / step).astype(np.int64)
        if len(grid) == 0:
            return np.zeros(0)
        steps = int(offsets.max())
        future = pd.date_range(self.last + step, periods=steps, freq=step)
        values = np.concatenate([self.values, np.zeros(steps)])
        base = len(self.values)
        for first in range(0, steps, per_day):
            rows = np.arange(base + first, base + min(first + per_day, steps))
            features = self._features(rows, values, future[rows - base])
            values[rows] = np.maximum(self.booster.predict(features), 0.0)
        return values[base - 1 + offsets]
