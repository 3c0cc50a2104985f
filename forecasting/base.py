"""What every volume model shares: the queue context, the interface, local-clock lookups.

A model sees one queue's history on the complete UTC grid (forecasting.history).
`volume` may be NaN there: an interval missing from the input, or one inside an
outage, which no model may learn from. Models fill such holes themselves (the
regression leaves the day out; the others impute the same local time of other
weeks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from forecasting.calendar import UTC_ZONES, local_frame
from forecasting.columns import INTERVAL_START, VOLUME, VOLUME_HIGH, VOLUME_LOW
from forecasting.intervals import Calibration, nb_interval

CLOSED_WEEKS = 8  # a local (weekday, slot) empty in all of the latest 8 weeks is closed


@dataclass(frozen=True, kw_only=True)
class QueueContext:
    """What a model needs to know about a queue besides its volume history.

    Attributes:
        queue: queue name.
        timezone: IANA zone of the queue's customers.
        interval_minutes: grid step, minutes.
        holidays: local holidays, date -> name.
        holiday_kinds: the category of the holidays that are not public ones
            (e.g. "optional"), date -> category; the seasonal model learns
            each category's effect apart from the public holidays'.
        events: normalized events that touch this queue (forecasting.events).
    """

    queue: str
    timezone: str
    interval_minutes: int
    holidays: dict = field(default_factory=dict)
    holiday_kinds: dict = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def per_day(self) -> int:
        """Intervals in a day of 24 hours."""
        return 24 * 60 // self.interval_minutes


class VolumeModel:
    """Interface of a volume model, after statsforecast: `fit` returns self.

    Subclasses implement `fit(history, context)` and `predict_mean(grid)`.
    `alpha` is the negative-binomial dispersion of the intervals
    (forecasting.intervals); `fit` sets an in-sample estimate and
    forecasting.selection sets `calibration`, fitted on a holdout, which then
    takes precedence.

    Attributes:
        name: registry name (forecasting.models.MODELS).
        min_days: days of history the model needs.
    """

    name: ClassVar[str] = ""
    min_days: ClassVar[int] = 7
    alpha: float = 0.0
    calibration: Calibration | None = None

    def fit(self, history: pd.DataFrame, context: QueueContext) -> VolumeModel:
        """Fit on one queue's history: `interval_start` (UTC grid), `volume` (may be NaN)."""
        raise NotImplementedError

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """Expected contacts per interval of the UTC `grid` (after the history)."""
        raise NotImplementedError

    def predict(self, grid: pd.DatetimeIndex, *, level: float) -> pd.DataFrame:
        """Mean and central `level` interval per interval of `grid`.

        Returns:
            Indexed by `grid`: `volume`, `volume_low`, `volume_high` (contacts per
            interval).
        """
        mean = self.predict_mean(grid)
        if self.calibration is not None:
            low, high = nb_interval(
                mean,
                alpha=self.calibration.alpha,
                level=self.calibration.quantiles_for(level),
            )
        else:
            low, high = nb_interval(mean, alpha=self.alpha, level=level)
        return pd.DataFrame({VOLUME: mean, VOLUME_LOW: low, VOLUME_HIGH: high}, index=grid)


def series(history: pd.DataFrame) -> pd.Series:
    """Volume indexed by UTC interval start (NaN where unknown)."""
    return pd.Series(
        history[VOLUME].to_numpy(float), index=pd.DatetimeIndex(history[INTERVAL_START])
    )


def same_time_back(
    index: pd.DatetimeIndex,
    grid: pd.DatetimeIndex,
    *,
    timezone: str,
    interval_minutes: int,
    period_days: int,
    periods: int | np.ndarray | None = None,
) -> pd.DatetimeIndex:
    """UTC start of the same local wall-clock time whole periods before each of `grid`.

    With `periods` None, each grid time goes back the fewest whole periods that
    land inside `index` (so a forecast of week 3 reuses the last observed week).
    Wall-clock times that do not exist (spring forward) move forward; repeated
    ones (fall back) take their first occurrence.
    """
    period = pd.Timedelta(days=period_days)
    if timezone in UTC_ZONES:
        # no wall-clock shifts: whole periods back on the UTC grid itself, in nanoseconds
        ns = grid.as_unit("ns").asi8
        period_ns, step_ns = period.value, interval_minutes * 60 * 10**9
        if periods is None:
            last = index[-1].as_unit("ns").value
            periods = np.maximum(1, -(-(ns - last) // period_ns))
        back = np.broadcast_to(np.asarray(periods, dtype=np.int64), (len(grid),))
        source = ns - back * period_ns
        source = source - source % step_ns
        return pd.DatetimeIndex(source.astype("datetime64[ns]")).tz_localize("UTC")
    local = grid.tz_convert(timezone).tz_localize(None)
    last = index[-1].tz_convert(timezone).tz_localize(None)
    if periods is None:
        periods = np.maximum(1, np.ceil((local - last) / period).astype(np.int64))
    back = np.broadcast_to(np.asarray(periods, dtype=np.int64), (len(grid),))
    source = pd.DatetimeIndex(local - back * period)
    utc = source.tz_localize(
        timezone, ambiguous=np.ones(len(source), dtype=bool), nonexistent="shift_forward"
    ).tz_convert("UTC")
    return utc.floor(f"{interval_minutes}min")


def values_at(volume: pd.Series, times: pd.DatetimeIndex) -> np.ndarray:
    """`volume` at each of `times` (NaN where absent): a reindex without a new Series."""
    position = volume.index.get_indexer(times)
    values = volume.to_numpy(float)
    if len(values) == 0:
        return np.full(len(times), np.nan)
    return np.where(position >= 0, values[np.maximum(position, 0)], np.nan)


def impute_seasonal(volume: pd.Series, context: QueueContext) -> pd.Series:
    """Fill NaN with the mean of the same local (weekday, slot) over the known weeks.

    Slots never observed get the series' mean; an all-NaN series becomes zeros.
    """
    if not volume.isna().any():
        return volume
    cal = local_frame(
        volume.index, timezone=context.timezone, interval_minutes=context.interval_minutes
    )
    keys = pd.MultiIndex.from_arrays([cal["weekday"], cal["slot"]])
    by_slot = pd.Series(volume.to_numpy(), index=keys).groupby(level=[0, 1]).mean()
    fill = by_slot.reindex(keys).to_numpy()
    overall = volume.mean() if volume.notna().any() else 0.0
    fill = np.where(np.isnan(fill), overall, fill)
    return pd.Series(np.where(volume.isna(), fill, volume.to_numpy()), index=volume.index)


class ClosedHours:
    """Local (weekday, slot) pairs with no contacts in any of the latest weeks.

    Closed hours stay closed: models that have no notion of them (decomposition,
    naive) multiply their forecast by `open_mask`.
    """

    def __init__(self, volume: pd.Series, context: QueueContext, *, weeks: int = CLOSED_WEEKS):
        self.context = context
        recent = volume[volume.index > volume.index[-1] - pd.Timedelta(weeks=weeks)].dropna()
        cal = local_frame(
            recent.index, timezone=context.timezone, interval_minutes=context.interval_minutes
        )
        totals = pd.Series(recent.to_numpy(), index=[cal["weekday"], cal["slot"]]).groupby(
            level=[0, 1]
        )
        seen = totals.sum()
        self.open = set(seen[seen > 0].index)
        # a fortnight is too little to call a slot closed that merely was quiet
        self.active = len(recent) * context.interval_minutes >= 14 * 24 * 60

    def open_mask(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """1.0 where the local (weekday, slot) of `grid` is open, else 0.0."""
        if not self.active:
            return np.ones(len(grid))
        cal = local_frame(
            grid, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )
        pairs = zip(cal["weekday"].to_numpy(), cal["slot"].to_numpy(), strict=True)
        return np.array([1.0 if pair in self.open else 0.0 for pair in pairs])
