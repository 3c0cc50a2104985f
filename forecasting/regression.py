"""The calendar regression ("seasonal"): daily totals times an intraday profile.

The top-down method of contact-centre planning, in the queue's local time:

- Daily totals per local date come from a Poisson GLM with a log link
  (statsmodels), over day-of-week levels, a linear trend, yearly Fourier terms
  (when a year of history exists), public holidays, the day before and the day
  after a holiday, and event indicators by kind and day since the event began.
  Counts, multiplicative effects and a closed form for the mean: the standard
  choice for contact arrivals (Weinberg, Brown & Stroud 2007, "Bayesian
  forecasting of an inhomogeneous Poisson process with applications to call
  center data", JASA 102(480); Ibrahim, Ye, L'Ecuyer & Shen 2016, "Modeling and
  forecasting call center arrivals: a literature survey and a case study",
  IJF 32(3)).
- A public holiday gets an effect only from evidence: when the history holds
  no public holiday to learn from, a holiday in the horizon is forecast as an
  ordinary day (never as a closure by assumption), and forecasting.forecast
  widens its interval and names it in a warning, so that the planner can
  declare a closure or an uplift in events.csv.
- The intraday profile is each local slot's share of its weekday's volume over
  the latest eight normal (non-holiday, non-event, complete) days of that
  weekday. Slots that were always empty stay empty: closed hours forecast zero.

Days with unknown intervals (gaps in the input, outages) are left out of both.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from forecasting.base import QueueContext, VolumeModel
from forecasting.calendar import intervals_per_local_day, local_frame
from forecasting.columns import INTERVAL_START, VOLUME
from forecasting.errors import InputError
from forecasting.events import event_day_columns
from forecasting.intervals import moment_dispersion

MIN_HISTORY_DAYS = 14
PROFILE_DAYS_PER_WEEKDAY = 8
FOURIER_ORDER = 3
TREND_MIN_DAYS = 56
YEARLY_MIN_DAYS = 365
SPECIAL = ("holiday", "before_holiday", "after_holiday")
HOLIDAY_PRIOR_DAYS = 1.0  # pooling weight of the average holiday, in days of evidence


def holiday_name(name: str | None) -> str | None:
    """A holiday's name without qualifiers such as "(observed)", or None."""
    if not name:
        return None
    return re.sub(r"\s*\([^)]*\)", "", str(name)).strip() or str(name)


class SeasonalRegression(VolumeModel):
    """Daily Poisson GLM times a weekday intraday profile, in local time."""

    name = "seasonal"
    min_days = MIN_HISTORY_DAYS

    def fit(self, history: pd.DataFrame, context: QueueContext) -> SeasonalRegression:
        """Args: history with `interval_start` (UTC grid) and `volume` (NaN = unknown)."""
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
                f"queue {context.queue!r}: history holds {len(daily)} complete local days; "
                f"the seasonal model needs at least {MIN_HISTORY_DAYS} "
                "(use --model seasonal_naive for a week)"
            )
        self.origin = daily.index[0]
        self.span_days = (daily.index[-1] - daily.index[0]).days + 1
        by_weekday = daily.groupby(daily.index.day_of_week)[VOLUME].sum()
        self.open_weekdays = sorted(by_weekday[by_weekday > 0].index)
        self._fit_daily(daily)
        self._fit_holiday_names(daily)
        special = self._special_days(pd.DatetimeIndex(daily.index))
        days = self._profile_days(daily, special)
        self.shares = self._profile(cal, days)
        self.alpha = self._dispersion(cal, days)
        self.effects = self._event_effects()
        return self

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        cal = local_frame(
            grid, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )
        dates = pd.DatetimeIndex(np.unique(cal["local_date"]))
        daily = pd.Series(self._daily_mean(dates), index=dates)
        share = self.shares.reindex(
            pd.MultiIndex.from_arrays([cal["weekday"], cal["slot"]])
        ).fillna(0.0)
        return daily.reindex(cal["local_date"]).to_numpy() * share.to_numpy()

    def special_factor(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """Multiplier of holidays, days around them and events per interval of `grid`.

        1.0 on ordinary days: what the calendar adds on top of weekday, trend and
        season. Other models use it to put holidays and events into their forecasts.
        """
        local = local_frame(
            grid, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )
        dates = pd.DatetimeIndex(np.unique(local["local_date"]))
        if self.params.empty:
            return np.ones(len(grid))
        x = self._design(dates).reindex(columns=self.columns, fill_value=0.0)
        marks = [c for c in self.columns if c.startswith("event:") or c in SPECIAL]
        eta = x[marks].to_numpy() @ self.params[marks].to_numpy() if marks else 0.0
        values = np.exp(np.clip(eta + self._holiday_shift(dates), -50, 50))
        factor = pd.Series(values, index=dates)
        return factor.reindex(local["local_date"]).to_numpy()

    # -- daily level -------------------------------------------------------------

    def _daily_totals(self, cal: pd.DataFrame) -> pd.DataFrame:
        """Totals of the local dates the grid covers completely with known volume."""
        grouped = cal.groupby("local_date")[VOLUME].agg(["sum", "count", "size"])
        expected = intervals_per_local_day(
            pd.DatetimeIndex(grouped.index),
            timezone=self.context.timezone,
            interval_minutes=self.context.interval_minutes,
        )
        full = grouped[
            (grouped["size"].to_numpy() == expected) & (grouped["count"].to_numpy() == expected)
        ]
        return full[["sum"]].rename(columns={"sum": VOLUME})

    def _design(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Regressors of the daily model for local `dates`."""
        columns = {}
        weekday = dates.day_of_week
        for day in range(7):
            columns[f"weekday:{day}"] = (weekday == day).astype(float)
        years = (dates - self.origin).days.to_numpy() / 365.25
        if self.span_days >= TREND_MIN_DAYS:
            columns["trend"] = years
        if self.span_days >= YEARLY_MIN_DAYS:
            for k in range(1, FOURIER_ORDER + 1):
                columns[f"year:sin{k}"] = np.sin(2 * np.pi * k * years)
                columns[f"year:cos{k}"] = np.cos(2 * np.pi * k * years)
        holidays = pd.DatetimeIndex([pd.Timestamp(d) for d in self.context.holidays])
        is_holiday = dates.isin(holidays)
        columns["holiday"] = is_holiday.astype(float)
        before = (dates + pd.Timedelta(days=1)).isin(holidays) & ~is_holiday
        after = (dates - pd.Timedelta(days=1)).isin(holidays) & ~is_holiday
        columns["before_holiday"] = before.astype(float)
        columns["after_holiday"] = (after & ~before).astype(float)
        x = pd.DataFrame(columns, index=dates)
        events = event_day_columns(self.context.events, dates=dates, timezone=self.context.timezone)
        return pd.concat([x, events], axis=1) if len(events.columns) else x

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
                open_days[VOLUME].to_numpy(),
                x.to_numpy(),
                family=sm.families.Poisson(),
            ).fit(maxiter=100)
        self.params = pd.Series(result.params, index=self.columns)

    def _daily_mean(self, dates: pd.DatetimeIndex, *, by_name: bool = True) -> np.ndarray:
        if self.params.empty:
            return np.zeros(len(dates))
        x = self._design(dates).reindex(columns=self.columns, fill_value=0.0)
        eta = x.to_numpy() @ self.params.to_numpy()
        if by_name:
            eta = eta + self._holiday_shift(dates)
        mean = np.exp(np.clip(eta, -50, 50))
        return np.where(dates.day_of_week.isin(self.open_weekdays), mean, 0.0)

    @property
    def holidays_learned(self) -> bool:
        """Whether the history held a public holiday to learn the holiday effect from."""
        return "holiday" in self.columns

    def _fit_holiday_names(self, daily: pd.DataFrame) -> None:
        """Each holiday's own effect: its log deviation from the shared one, pooled.

        A holiday seen on n complete open days moves from the shared effect by
        n / (n + HOLIDAY_PRIOR_DAYS) of its own log ratio of actual to fitted
        volume (a partial-pooling estimate: few examples stay near the average
        holiday). A holiday never seen gets the average (shared) effect of the
        holidays the history held; with none at all, no effect.
        """
        self.holiday_deviation: dict[str, float] = {}
        if not self.holidays_learned:
            return
        days = pd.DatetimeIndex(daily.index[daily.index.day_of_week.isin(self.open_weekdays)])
        names = [holiday_name(self.context.holidays.get(d.date())) for d in days]
        frame = pd.DataFrame(
            {
                "name": names,
                "actual": daily.loc[days, VOLUME].to_numpy(float),
                "fitted": self._daily_mean(days, by_name=False),
            }
        ).dropna(subset=["name"])
        for name, group in frame.groupby("name"):
            n = len(group)
            ratio = (group["actual"].sum() + 0.5) / (group["fitted"].sum() + 0.5)
            self.holiday_deviation[str(name)] = n / (n + HOLIDAY_PRIOR_DAYS) * float(np.log(ratio))

    def _holiday_shift(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Log shift of each date from the shared holiday effect: its holiday's own
        deviation (0 for a holiday the history never held: the average effect)."""
        shift = np.zeros(len(dates))
        if not self.holidays_learned:
            return shift
        for i, day in enumerate(dates):
            name = holiday_name(self.context.holidays.get(day.date()))
            if name is not None:
                shift[i] = self.holiday_deviation.get(name, 0.0)
        return shift

    @property
    def average_holiday_uplift(self) -> float | None:
        """The shared holiday effect (0.5 = 50 % more), None when no holiday was learned."""
        return float(np.exp(self.params["holiday"]) - 1) if self.holidays_learned else None

    def unlearned_holidays(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """True for the intervals of `grid` on holidays whose name the history never held."""
        if not self.context.holidays:
            return np.zeros(len(grid), dtype=bool)
        local = local_frame(
            grid, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )
        seen = getattr(self, "holiday_deviation", {})
        names = [holiday_name(self.context.holidays.get(d.date())) for d in local["local_date"]]
        return np.array([n is not None and n not in seen for n in names], dtype=bool)

    def _special_days(self, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        x = self._design(dates)
        marks = [c for c in x.columns if c.startswith("event:") or c in SPECIAL]
        return dates[(x[marks] != 0).any(axis=1).to_numpy()] if marks else dates[:0]

    def _event_effects(self) -> pd.DataFrame:
        """Learned multiplicative effects: kind, offset_days, uplift (fraction)."""
        rows = []
        for column, value in self.params.items():
            if column.startswith("event:"):
                _, kind, offset = column.rsplit(":", 2)
                rows.append((kind, int(offset.lstrip("+")), float(np.exp(value) - 1)))
            elif column in SPECIAL:
                rows.append((column, 0, float(np.exp(value) - 1)))
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

    def _profile(self, cal: pd.DataFrame, days: pd.DatetimeIndex) -> pd.Series:
        """Share of each (weekday, slot) in its day's volume: ratio of sums."""
        picked = cal[cal["local_date"].isin(days)]
        slot_sum = picked.groupby(["weekday", "slot"])[VOLUME].sum()
        day_sum = picked.groupby("weekday")[VOLUME].sum()
        shares = slot_sum / day_sum.reindex(slot_sum.index.get_level_values(0)).to_numpy()
        return shares.fillna(0.0)

    def _dispersion(self, cal: pd.DataFrame, days: pd.DatetimeIndex) -> float:
        """In-sample NB alpha by moments over the profile days (before calibration)."""
        picked = cal[cal["local_date"].isin(days)]
        fitted_daily = pd.Series(self._daily_mean(days), index=days)
        share = self.shares.reindex(
            pd.MultiIndex.from_arrays([picked["weekday"], picked["slot"]])
        ).fillna(0.0)
        mu = fitted_daily.reindex(picked["local_date"]).to_numpy() * share.to_numpy()
        return moment_dispersion(picked[VOLUME].to_numpy(), mu)
