"""MSTL decomposition plus exponential smoothing ("mstl").

The latest weeks of the series are split by MSTL (Bandara, Hyndman & Bergmeir
2021, "MSTL: a seasonal-trend decomposition algorithm for time series with
multiple seasonal patterns", arXiv:2107.13462; statsmodels' implementation of
Cleveland et al. 1990 STL) into a daily and a weekly seasonal component, a trend
and a remainder. The seasonally adjusted series (trend + remainder) is forecast
by exponential smoothing with a damped additive trend (Gardner & McKenzie 1985,
"Forecasting trends in time series", Management Science 31(10)), and the
seasonal components are added back from the same local wall-clock time of the
latest week. This is the statsforecast `MSTL` recipe, and it follows a level
that moves within weeks, which a daily regression over the whole history does
not. The trend and low-pass smoothers are evaluated every `per_day / 8`
points and interpolated between (the "jump" of Cleveland et al.; R's stl
defaults to a tenth of the window), which changes the components by a fraction
of a contact and makes the decomposition several times faster.

Holidays, the days around them and events: their days are imputed from the
same local time of other weeks before decomposing, and the forecast is
multiplied by the calendar factor of a `SeasonalRegression` fitted on the same
history (when the queue has holidays or events). Closed hours stay zero.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import MSTL

from forecasting.base import (
    ClosedHours,
    QueueContext,
    VolumeModel,
    impute_seasonal,
    same_time_back,
    series,
)
from forecasting.errors import InputError
from forecasting.intervals import moment_dispersion
from forecasting.regression import SeasonalRegression

WINDOW_DAYS = 56  # decompose the latest eight weeks: enough for two seasons, fast


class MSTLForecaster(VolumeModel):
    """MSTL (day, week) + damped-trend exponential smoothing, on the local clock."""

    name = "mstl"
    min_days = 14

    def fit(self, history: pd.DataFrame, context: QueueContext) -> MSTLForecaster:
        """Args: history with `interval_start` (UTC grid) and `volume` (NaN = unknown)."""
        per_day = context.per_day
        if len(history) < self.min_days * per_day:
            raise InputError(f"queue {context.queue!r}: mstl needs {self.min_days} days of history")
        self.context = context
        volume = series(history)
        self.closed = ClosedHours(volume, context)
        self.calendar = None
        if context.holidays or len(context.events):
            try:
                self.calendar = SeasonalRegression().fit(history, context)
            except InputError:
                self.calendar = None
        window = volume.iloc[-WINDOW_DAYS * per_day :]
        if self.calendar is not None:
            window = window.where(self.calendar.special_factor(window.index) == 1.0)
        filled = impute_seasonal(window, context)
        y = filled.to_numpy(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jump = max(1, -(-per_day // 8))
            parts = MSTL(
                y,
                periods=(per_day, 7 * per_day),
                stl_kwargs={"trend_jump": jump, "low_pass_jump": jump},
            ).fit()
            seasonal = np.asarray(parts.seasonal).reshape(len(y), -1).sum(axis=1)
            adjusted = y - seasonal
            self.smoother = ExponentialSmoothing(
                adjusted, trend="add", damped_trend=True, initialization_method="estimated"
            ).fit()
        self.seasonal = pd.Series(seasonal, index=filled.index)
        self.last = filled.index[-1]
        fitted = np.asarray(self.smoother.fittedvalues) + seasonal
        self.alpha = moment_dispersion(window.to_numpy(float), np.maximum(fitted, 0.0))
        return self

    @property
    def effects(self) -> pd.DataFrame:
        """Holiday and event effects of the calendar regression (empty without one)."""
        if self.calendar is None:
            return pd.DataFrame(columns=["kind", "offset_days", "uplift"])
        return self.calendar.effects

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        step = pd.Timedelta(minutes=self.context.interval_minutes)
        ahead = np.asarray((grid - self.last) // step, dtype=np.int64)
        if (ahead < 1).any():
            raise InputError("mstl forecasts only intervals after the history")
        level = np.asarray(self.smoother.forecast(int(ahead.max())))[ahead - 1]
        source = same_time_back(
            self.seasonal.index,
            grid,
            timezone=self.context.timezone,
            interval_minutes=self.context.interval_minutes,
            period_days=7,
        )
        seasonal = self.seasonal.reindex(source).to_numpy(float)
        seasonal = np.where(np.isnan(seasonal), 0.0, seasonal)
        mean = np.maximum(level + seasonal, 0.0) * self.closed.open_mask(grid)
        if self.calendar is not None:
            mean = mean * self.calendar.special_factor(grid)
        return mean
