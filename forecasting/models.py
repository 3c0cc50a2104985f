"""Volume models: fit on one queue's history, predict a future UTC grid.

`SeasonalRegression` ("seasonal") is the default. It is the top-down method of
contact-centre planning: a daily total, then an intraday profile.

- Daily totals per local date come from a Poisson GLM with a log link
  (statsmodels), over day-of-week levels, a linear trend, yearly Fourier terms
  (when a year of history exists), public holidays and the day after, and event
  indicators by kind and day since the event began. Counts, multiplicative
  effects and a closed form for the mean: the standard choice for contact
  arrivals (Weinberg, Brown & Stroud 2007, "Bayesian forecasting of an
  inhomogeneous Poisson process with applications to call center data").
- The intraday profile is each local slot's share of its weekday's volume over
  the latest eight normal (non-holiday, non-event) days of that weekday. Slots
  that were always empty stay empty: closed hours forecast zero.
- Intervals of uncertainty are negative-binomial quantiles whose dispersion is
  estimated by moments from the in-sample interval errors.

`SeasonalNaive` ("seasonal_naive") repeats the latest observed week at the same
local wall-clock time: the manager's rule of thumb and the baseline to beat.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from forecasting.calendar import intervals_per_local_day, local_frame
from forecasting.columns import INTERVAL_START, VOLUME, VOLUME_HIGH, VOLUME_LOW
from forecasting.errors import InputError
from forecasting.events import event_day_columns

MIN_HISTORY_DAYS = 14
PROFILE_DAYS_PER_WEEKDAY = 8
FOURIER_ORDER = 3


@dataclass(frozen=True, kw_only=True)
class QueueContext:
    """What a model needs to know about a queue besides its volume history.

    Attributes:
        queue: queue name.
        timezone: IANA zone of the queue's customers.
        interval_minutes: grid step, minutes.
        holidays: local public holidays, date -> name.
        events: normalized events that touch this queue (forecasting.events).
    """

    queue: str
    timezone: str
    interval_minutes: int
    holidays: dict = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)


class VolumeModel:
    """Interface: `fit(history, context)` returns self; `predict(grid, level=)`."""

    name: ClassVar[str] = ""

    def fit(self, history: pd.DataFrame, context: QueueContext) -> VolumeModel:
        raise NotImplementedError

    def predict(self, grid: pd.DatetimeIndex, *, level: float) -> pd.DataFrame:
        raise NotImplementedError


class SeasonalNaive(VolumeModel):
    """Volume of the latest observed week at the same local wall-clock time."""

    name = "seasonal_naive"

    def fit(self, history: pd.DataFrame, context: QueueContext) -> SeasonalNaive:
        """Args: history with `interval_start` (UTC grid) and `volume`, one queue."""
        if len(history) * context.interval_minutes < 7 * 24 * 60:
            raise InputError(f"queue {context.queue!r}: seasonal_naive needs a week of history")
        self.context = context
        self.volume = pd.Series(
            history[VOLUME].to_numpy(float), index=pd.DatetimeIndex(history[INTERVAL_START])
        )
        per_week = 7 * 24 * 60 // context.interval_minutes
        lagged = self._lookup(self.volume.index[-PROFILE_DAYS_PER_WEEKDAY * per_week :], fit=True)
        recent = self.volume.to_numpy()[-len(lagged) :]
        ok = ~np.isnan(lagged)
        self.residuals = (recent - lagged)[ok]
        return self

    def predict(self, grid: pd.DatetimeIndex, *, level: float) -> pd.DataFrame:
        mean = np.nan_to_num(self._lookup(grid, fit=False))
        if len(self.residuals):
            lo, hi = np.quantile(self.residuals, [(1 - level) / 2, (1 + level) / 2])
        else:
            lo = hi = 0.0
        return pd.DataFrame(
            {
                VOLUME: mean,
                VOLUME_LOW: np.minimum(np.maximum(mean + lo, 0.0), mean),
                VOLUME_HIGH: np.maximum(mean + hi, mean),
            },
            index=grid,
        )

    def _lookup(self, grid: pd.DatetimeIndex, *, fit: bool) -> np.ndarray:
        """History volume at the same local time 1 (fit) or k whole weeks before."""
        tz = self.context.timezone
        local = grid.tz_convert(tz).tz_localize(None)
        last = self.volume.index[-1].tz_convert(tz).tz_localize(None)
        week = pd.Timedelta(days=7)
        weeks = np.ones(len(grid), dtype=np.int64)
        if not fit:
            weeks = np.maximum(1, np.ceil((local - last) / week).astype(np.int64))
        source = pd.DatetimeIndex(local - weeks * week)
        utc = source.tz_localize(
            tz, ambiguous=np.ones(len(source), dtype=bool), nonexistent="shift_forward"
        ).tz_convert("UTC")
        utc = utc.floor(f"{self.context.interval_minutes}min")
        return self.volume.reindex(utc).to_numpy(float)


class SeasonalRegression(VolumeModel):
    """Daily Poisson GLM times a weekday intraday profile, in local time."""

    name = "seasonal"

    def fit(self, history: pd.DataFrame, context: QueueContext) -> SeasonalRegression:
        """Args: history with `interval_start` (UTC grid) and `volume`, one queue."""
        self.context = context
        cal = local_frame(
            history[INTERVAL_START],
            timezone=context.timezone,
            interval_minutes=context.interval_minutes,
        )
        cal[VOLUME] = history[VOLUME].to_numpy(float)
        daily = self._daily_totals(cal)
        if len(daily) < MIN_HISTORY_DAYS:
            raise InputError(
                f"queue {context.queue!r}: history holds {len(daily)} full local days; "
                f"the seasonal model needs at least {MIN_HISTORY_DAYS} "
                "(use --model seasonal_naive for a week)"
            )
        self.origin = daily.index[0]
        self.span_days = (daily.index[-1] - daily.index[0]).days + 1
        self.open_weekdays = sorted(
            daily.groupby(daily.index.day_of_week)[VOLUME].sum().pipe(lambda s: s[s > 0]).index
        )
        self._fit_daily(daily)
        special = self._special_days(daily.index)
        self.shares = self._profile(cal, daily, special)
        self.alpha = self._dispersion(cal, daily, special)
        self.effects = self._event_effects()
        return self

    def predict(self, grid: pd.DatetimeIndex, *, level: float) -> pd.DataFrame:
        cal = local_frame(
            grid, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )
        dates = pd.DatetimeIndex(np.unique(cal["local_date"]))
        daily = pd.Series(self._daily_mean(dates), index=dates)
        share = self.shares.reindex(
            pd.MultiIndex.from_arrays([cal["weekday"], cal["slot"]])
        ).fillna(0.0)
        mean = daily.reindex(cal["local_date"]).to_numpy() * share.to_numpy()
        low, high = nb_interval(mean, alpha=self.alpha, level=level)
        return pd.DataFrame({VOLUME: mean, VOLUME_LOW: low, VOLUME_HIGH: high}, index=grid)

    # -- daily level -------------------------------------------------------------

    def _daily_totals(self, cal: pd.DataFrame) -> pd.DataFrame:
        """Totals of the local dates the grid covers completely."""
        grouped = cal.groupby("local_date")[VOLUME].agg(["sum", "size"])
        expected = intervals_per_local_day(
            pd.DatetimeIndex(grouped.index),
            timezone=self.context.timezone,
            interval_minutes=self.context.interval_minutes,
        )
        full = grouped[grouped["size"].to_numpy() == expected]
        return full[["sum"]].rename(columns={"sum": VOLUME})

    def _design(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Regressors of the daily model for local `dates`."""
        x = pd.DataFrame(index=dates)
        for day in range(7):
            x[f"weekday:{day}"] = (dates.day_of_week == day).astype(float)
        years = (dates - self.origin).days.to_numpy() / 365.25
        if self.span_days >= 56:
            x["trend"] = years
        if self.span_days >= 365:
            for k in range(1, FOURIER_ORDER + 1):
                x[f"year:sin{k}"] = np.sin(2 * np.pi * k * years)
                x[f"year:cos{k}"] = np.cos(2 * np.pi * k * years)
        holidays = {pd.Timestamp(d) for d in self.context.holidays}
        is_holiday = dates.isin(list(holidays))
        x["holiday"] = is_holiday.astype(float)
        x["after_holiday"] = (dates - pd.Timedelta(days=1)).isin(list(holidays)) & ~is_holiday
        x["after_holiday"] = x["after_holiday"].astype(float)
        events = event_day_columns(self.context.events, dates=dates, timezone=self.context.timezone)
        return pd.concat([x, events], axis=1)

    def _fit_daily(self, daily: pd.DataFrame) -> None:
        open_days = daily[daily.index.day_of_week.isin(self.open_weekdays)]
        x = self._design(pd.DatetimeIndex(open_days.index))
        x = x.loc[:, (x != 0).any(axis=0)]
        x = x.loc[
            :,
            [
                c
                for c in x.columns
                if not c.startswith("weekday:") or int(c.split(":")[1]) in self.open_weekdays
            ],
        ]
        self.columns = list(x.columns)
        if x.empty or open_days[VOLUME].sum() == 0:
            self.params = pd.Series(dtype=float)
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.GLM(
                open_days[VOLUME].to_numpy(), x.to_numpy(), family=sm.families.Poisson()
            ).fit(maxiter=100)
        self.params = pd.Series(result.params, index=self.columns)

    def _daily_mean(self, dates: pd.DatetimeIndex) -> np.ndarray:
        if self.params.empty:
            return np.zeros(len(dates))
        x = self._design(dates).reindex(columns=self.columns, fill_value=0.0)
        eta = np.clip(x.to_numpy() @ self.params.to_numpy(), -50, 50)
        return np.where(dates.day_of_week.isin(self.open_weekdays), np.exp(eta), 0.0)

    def _special_days(self, dates: pd.DatetimeIndex) -> pd.Index:
        x = self._design(dates)
        marks = [
            c for c in x.columns if c.startswith("event:") or c in ("holiday", "after_holiday")
        ]
        return dates[(x[marks] != 0).any(axis=1).to_numpy()] if marks else dates[:0]

    def _event_effects(self) -> pd.DataFrame:
        """Learned multiplicative effects: kind, offset_days, uplift (fraction)."""
        rows = []
        for column, value in self.params.items():
            if column.startswith("event:"):
                _, kind, offset = column.rsplit(":", 2)
                rows.append((kind, int(offset.lstrip("+")), float(np.exp(value) - 1)))
        return pd.DataFrame(rows, columns=["kind", "offset_days", "uplift"])

    # -- intraday ----------------------------------------------------------------

    def _profile_days(self, daily: pd.DataFrame, special: pd.Index) -> pd.DatetimeIndex:
        normal = daily[~daily.index.isin(special)]
        if normal.empty:
            normal = daily
        latest = normal.groupby(normal.index.day_of_week, group_keys=False).tail(
            PROFILE_DAYS_PER_WEEKDAY
        )
        return pd.DatetimeIndex(latest.index)

    def _profile(self, cal: pd.DataFrame, daily: pd.DataFrame, special: pd.Index) -> pd.Series:
        """Share of each (weekday, slot) in its day's volume: ratio of sums."""
        days = self._profile_days(daily, special)
        picked = cal[cal["local_date"].isin(days)]
        slot_sum = picked.groupby(["weekday", "slot"])[VOLUME].sum()
        day_sum = picked.groupby("weekday")[VOLUME].sum()
        shares = slot_sum / day_sum.reindex(slot_sum.index.get_level_values(0)).to_numpy()
        return shares.fillna(0.0)

    def _dispersion(self, cal: pd.DataFrame, daily: pd.DataFrame, special: pd.Index) -> float:
        """Negative-binomial alpha (var = mu + alpha mu^2) by moments, in sample."""
        days = self._profile_days(daily, special)
        picked = cal[cal["local_date"].isin(days)]
        fitted_daily = pd.Series(self._daily_mean(days), index=days)
        share = self.shares.reindex(
            pd.MultiIndex.from_arrays([picked["weekday"], picked["slot"]])
        ).fillna(0.0)
        mu = fitted_daily.reindex(picked["local_date"]).to_numpy() * share.to_numpy()
        y = picked[VOLUME].to_numpy()
        denominator = float(np.sum(mu**2))
        if denominator == 0:
            return 0.0
        return max(0.0, float(np.sum((y - mu) ** 2 - mu)) / denominator)


def nb_interval(mean: np.ndarray, *, alpha: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central `level` interval of a negative binomial with mean and alpha.

    Poisson when alpha is 0. Bounds are clipped to contain the mean.
    """
    lower_q, upper_q = (1 - level) / 2, (1 + level) / 2
    mean = np.asarray(mean, dtype=float)
    positive = mean > 0
    low = np.zeros_like(mean)
    high = np.zeros_like(mean)
    m = mean[positive]
    if alpha <= 1e-9:
        low[positive] = stats.poisson.ppf(lower_q, m)
        high[positive] = stats.poisson.ppf(upper_q, m)
    else:
        n = 1.0 / alpha
        p = n / (n + m)
        low[positive] = stats.nbinom.ppf(lower_q, n, p)
        high[positive] = stats.nbinom.ppf(upper_q, n, p)
    return np.minimum(low, mean), np.maximum(high, mean)


MODELS: dict[str, type[VolumeModel]] = {
    SeasonalRegression.name: SeasonalRegression,
    SeasonalNaive.name: SeasonalNaive,
}
