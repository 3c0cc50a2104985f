"""The calendar regression ("seasonal"): daily totals times an intraday profile.

The top-down method of contact-centre planning, in the queue's local time:

- Daily totals per local date come from a Poisson GLM with a log link
  (statsmodels), over day-of-week levels, a linear trend, yearly Fourier terms
  (when a year of history exists), day-of-month Fourier terms (from 8 weeks of
  history, kept only where a quasi-Poisson likelihood-ratio test supports
  them: paydays and billing cycles), public holidays, the day before and the
  day after a public holiday, each other holiday category (e.g. the holidays
  library's "optional" days) apart, and event indicators by kind and day
  since the event began.
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
- A holiday category other than public that lowers volume is a level of its
  own (relative to the mean open weekday), never above the day's ordinary
  volume, with the intraday profile of its past days: Chol HaMoed runs at
  about the same volume whichever weekday it falls on, and on a short Friday
  it is a Friday.
- The intraday profile is each local slot's share of its weekday's volume over
  the latest eight normal (non-holiday, non-event, complete) days of that
  weekday. Slots that were always empty stay empty: closed hours forecast zero.

Days with unknown intervals (gaps in the input, outages) are left out of both.
So are ordinary days far off the first fit (at least 1.5 times off and 5
Poisson standard deviations away): a closure nobody declared, an outage, a
one-off peak. The daily model is refitted without them (one robust step, as
in iteratively reweighted robust regression with a hard cut-off) so that one
such Tuesday does not pull every Tuesday down, and they do not shape the
intraday profile. Anonymous Bank: hourly WAPE ratio to seasonal naive 0.731 ->
0.725; helpdesk and M4 unchanged (benchmarks/README.md).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import stats

from forecasting.base import QueueContext, VolumeModel
from forecasting.calendar import (
    LocalClock,
    day_index,
    day_number,
    intervals_per_day_number,
    local_clock,
)
from forecasting.columns import INTERVAL_START, VOLUME
from forecasting.errors import InputError
from forecasting.events import event_day_columns
from forecasting.intervals import moment_dispersion

MIN_HISTORY_DAYS = 14
PROFILE_DAYS_PER_WEEKDAY = 8
FOURIER_ORDER = 3
TREND_MIN_DAYS = 56
YEARLY_MIN_DAYS = 365
MONTH_ORDER = 4  # Fourier pairs of the day of the month (paydays, billing cycles)
MONTH_MIN_DAYS = 56  # ... tried from this much history, kept only if MONTH_ALPHA accepts them
MONTH_ALPHA = 0.001
SPECIAL = ("holiday", "before_holiday", "after_holiday")
CATEGORY = "holiday:"  # column prefix of a holiday category other than public ("holiday:optional")
LEVEL_GRID = np.linspace(-7.0, 1.0, 321)  # log levels searched for a category's capped level
FLOAT_EPS = np.finfo(float).eps
MAX_LOG_MEAN = 40.0  # bound of the log-mean in `poisson_glm`'s iterations
MAX_COEFFICIENT = 100.0  # a log-scale effect beyond it is a fit that did not converge
HOLIDAY_PRIOR_DAYS = 1.0  # pooling weight of the average holiday, in days of evidence
OUTLIER_RATIO = 1.5  # an ordinary day this many times off its fit (either way) ...
OUTLIER_Z = 5.0  # ... and this many Poisson standard deviations away is left out
EMPTY_DAY_MIN = 20.0  # contacts on an ordinary day above which a holiday with none was closed


def holiday_name(name: str | None) -> str | None:
    """A holiday's name without qualifiers such as "(observed)", or None."""
    if not name:
        return None
    return re.sub(r"\s*\([^)]*\)", "", str(name)).strip() or str(name)


class SeasonalRegression(VolumeModel):
    """Daily Poisson GLM times a weekday intraday profile, in local time.

    Local dates are day numbers (days since 1970-01-01) throughout, and the
    intraday profile is a (weekday, slot) table: the model runs on numpy
    arrays, so that fitting it on several held-out windows stays cheap.
    """

    name = "seasonal"
    min_days = MIN_HISTORY_DAYS

    def fit(self, history: pd.DataFrame, context: QueueContext) -> SeasonalRegression:
        """Args: history with `interval_start` (UTC grid) and `volume` (NaN = unknown)."""
        self.context = context
        self._holidays = {day_number(d): holiday_name(n) for d, n in context.holidays.items()}
        self._holiday_days = np.array(sorted(self._holidays), dtype=np.int64)
        self._kinds = {day_number(d): str(k) for d, k in context.holiday_kinds.items()}
        public = [d for d in self._holidays if d not in self._kinds]
        self._public_days = np.array(sorted(public), dtype=np.int64)
        clock = local_clock(
            history[INTERVAL_START],
            timezone=context.timezone,
            interval_minutes=context.interval_minutes,
        )
        volume = history[VOLUME].to_numpy(float)
        days, totals = self._daily_totals(clock, volume)
        if len(days) < MIN_HISTORY_DAYS:
            raise InputError(
                f"queue {context.queue!r}: history holds {len(days)} complete local days; "
                f"the seasonal model needs at least {MIN_HISTORY_DAYS} "
                "(use --model seasonal_naive for a week)"
            )
        self.origin = int(days[0])
        self.span_days = int(days[-1] - days[0]) + 1
        by_weekday = np.bincount(_weekday(days), weights=totals, minlength=7)
        self.open_weekdays = [d for d in range(7) if by_weekday[d] > 0]
        self._fit_daily(days, totals)
        self._fit_category_levels(days, totals)
        self._fit_holiday_names(days, totals)
        unusual = self._special_mask(days) | np.isin(days, self.outliers)
        profile_days = self._profile_days(days, unusual)
        self.shares = self._profile(clock, volume, profile_days)
        self.category_profiles = self._category_profiles(clock, volume, days)
        self.alpha = self._dispersion(clock, volume, profile_days)
        return self

    @property
    def effects(self) -> pd.DataFrame:
        """Learned multiplicative effects: kind, offset_days, uplift (fraction)."""
        return self._event_effects()

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        clock = self._clock(grid)
        days, inverse = np.unique(clock.day, return_inverse=True)
        shares = self.shares[clock.weekday, clock.slot]
        if self.category_profiles:
            x = self._design_matrix(days)
            for column, (weight, profile) in self.category_profiles.items():
                on = (x[:, self.columns.index(column)] != 0)[inverse]
                shares = np.where(on, weight * profile[clock.slot] + (1 - weight) * shares, shares)
        return self._daily_mean(days)[inverse] * shares

    def special_factor(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """Multiplier of holidays, days around them and events per interval of `grid`.

        1.0 on ordinary days: what the calendar adds on top of weekday, trend and
        season. Other models use it to put holidays and events into their forecasts.
        """
        if self.params.empty:
            return np.ones(len(grid))
        clock = self._clock(grid)
        days, inverse = np.unique(clock.day, return_inverse=True)
        marks = [i for i, c in enumerate(self.columns) if c.startswith("event:") or _is_special(c)]
        x = self._design_matrix(days)
        eta = self._calendar_eta(days, x, by_name=True)
        plain = x @ self._beta - (x[:, marks] @ self._beta[marks] if marks else 0.0)
        values = np.exp(np.clip(eta - plain, -50, 50))
        return np.broadcast_to(values, len(days))[inverse].astype(float)

    def _clock(self, grid: pd.DatetimeIndex) -> LocalClock:
        return local_clock(
            grid, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )

    # -- daily level -------------------------------------------------------------

    def _daily_totals(self, clock: LocalClock, volume: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Day numbers and totals of the local days the grid covers completely with known volume."""
        if len(volume) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        first = int(clock.day[0])
        offset = clock.day - first
        known = ~np.isnan(volume)
        size = np.bincount(offset)
        count = np.bincount(offset, weights=known)
        total = np.bincount(offset, weights=np.where(known, volume, 0.0))
        days = np.flatnonzero(size) + first
        expected = intervals_per_day_number(
            days, timezone=self.context.timezone, interval_minutes=self.context.interval_minutes
        )
        present = size[days - first]
        full = (present == expected) & (count[days - first] == expected)
        return days[full], total[days - first][full]

    def _design(self, days: np.ndarray) -> dict[str, np.ndarray]:
        """Regressors of the daily model for local day numbers, by name."""
        days = np.asarray(days, dtype=np.int64)
        weekday = _weekday(days)
        columns = {f"weekday:{d}": (weekday == d).astype(float) for d in range(7)}
        years = (days - self.origin) / 365.25
        if self.span_days >= TREND_MIN_DAYS:
            columns["trend"] = years
        if self.span_days >= YEARLY_MIN_DAYS:
            for k in range(1, FOURIER_ORDER + 1):
                columns[f"year:sin{k}"] = np.sin(2 * np.pi * k * years)
                columns[f"year:cos{k}"] = np.cos(2 * np.pi * k * years)
        if self.span_days >= MONTH_MIN_DAYS:
            phase = _month_phase(days)
            for k in range(1, MONTH_ORDER + 1):
                columns[f"month:sin{k}"] = np.sin(2 * np.pi * k * phase)
                columns[f"month:cos{k}"] = np.cos(2 * np.pi * k * phase)
        is_public = np.isin(days, self._public_days)
        before = np.isin(days + 1, self._public_days) & ~is_public
        after = np.isin(days - 1, self._public_days) & ~is_public
        columns["holiday"] = is_public.astype(float)
        for category in sorted(set(self._kinds.values())):
            these = [d for d, k in self._kinds.items() if k == category]
            columns[CATEGORY + category] = np.isin(days, these).astype(float)
        columns["before_holiday"] = before.astype(float)
        columns["after_holiday"] = (after & ~before).astype(float)
        if len(self.context.events):
            events = event_day_columns(
                self.context.events, dates=day_index(days), timezone=self.context.timezone
            )
            for name in events.columns:
                columns[name] = events[name].to_numpy(float)
        return columns

    def _design_matrix(self, days: np.ndarray) -> np.ndarray:
        """The fitted columns of the design for `days` (absent columns are zero)."""
        columns = self._design(days)
        zeros = np.zeros(len(days))
        return np.column_stack([columns.get(c, zeros) for c in self.columns])

    def _fit_daily(self, days: np.ndarray, totals: np.ndarray) -> None:
        is_open = np.isin(_weekday(days), self.open_weekdays)
        days, totals = days[is_open], totals[is_open]
        self.outliers = np.zeros(0, dtype=np.int64)
        design = self._design(days)
        self.columns = [
            name
            for name, column in design.items()
            if column.any()
            and (not name.startswith("weekday:") or int(name.split(":")[1]) in self.open_weekdays)
        ]
        if not self.columns or totals.sum() == 0:
            self.params = pd.Series(dtype=float)
            self._beta = np.zeros(0)
            return
        x = np.column_stack([design[c] for c in self.columns])
        self._beta = poisson_glm(x, totals)
        month = [i for i, c in enumerate(self.columns) if c.startswith("month:")]
        if month and not self._month_supported(x, totals, month):
            keep = [i for i in range(len(self.columns)) if i not in month]
            self.columns = [self.columns[i] for i in keep]
            x = x[:, keep]
            self._beta = poisson_glm(x, totals)
        unusual = self._unusual(x, totals, special=self._special_mask(days))
        if unusual.any():
            self._beta = poisson_glm(x[~unusual], totals[~unusual])
            self.outliers = days[unusual]
        self.params = pd.Series(self._beta, index=self.columns)

    def _month_supported(self, x: np.ndarray, totals: np.ndarray, month: list[int]) -> bool:
        """Whether the day-of-month terms (columns `month` of `x`) earn their place.

        A quasi-Poisson likelihood-ratio test: the drop in deviance without
        them, over the Pearson dispersion of the full fit (at least 1), against
        chi-square with one degree of freedom per term at level MONTH_ALPHA. A
        bank's paydays pass it easily (Anonymous Bank: 1,250 calls a day); a
        helpdesk of 3.8 tickets a day does not, so its noise is not learned.
        """
        mu = np.exp(x @ self._beta)
        n, p = x.shape
        if n <= p + 1:
            return False
        phi = max(1.0, float(np.sum((totals - mu) ** 2 / np.maximum(mu, FLOAT_EPS))) / (n - p))
        keep = [i for i in range(p) if i not in month]
        reduced = np.exp(x[:, keep] @ poisson_glm(x[:, keep], totals))
        drop = _poisson_deviance(totals, reduced) - _poisson_deviance(totals, mu)
        return drop / phi > stats.chi2.isf(MONTH_ALPHA, len(month))

    def _unusual(self, x: np.ndarray, totals: np.ndarray, *, special: np.ndarray) -> np.ndarray:
        """Ordinary days far off the first fit: unmarked closures, outages, one-off peaks.

        A day is unusual when its total is more than OUTLIER_RATIO times off its
        fitted value (either way) and more than OUTLIER_Z Poisson standard
        deviations away, so that a quiet queue's noise never counts. Days marked
        as holidays, days around them or events are never unusual (they are
        what their columns learn). None is dropped when what remains could not
        fit every column.
        """
        fitted = np.exp(x @ self._beta)
        far = np.abs(np.log((totals + 0.5) / (fitted + 0.5))) > np.log(OUTLIER_RATIO)
        unusual = far & (np.abs(totals - fitted) > OUTLIER_Z * np.sqrt(fitted + 1.0)) & ~special
        kept = ~unusual
        if kept.sum() < 2 * x.shape[1] or not (x[kept] != 0).any(axis=0).all():
            return np.zeros(len(totals), dtype=bool)
        return unusual

    def _daily_mean(self, days: np.ndarray, *, by_name: bool = True) -> np.ndarray:
        if self.params.empty:
            return np.zeros(len(days))
        eta = self._calendar_eta(days, self._design_matrix(days), by_name=by_name)
        mean = np.exp(np.clip(eta, -50, 50))
        return np.where(np.isin(_weekday(days), self.open_weekdays), mean, 0.0)

    def _calendar_eta(self, days: np.ndarray, x: np.ndarray, *, by_name: bool) -> np.ndarray:
        """Log daily mean of `days` (design `x`): the GLM's, with the categories' capped
        levels and (`by_name`) each holiday's own shift."""
        shift = self._holiday_shift(days) if by_name else np.zeros(len(days))
        eta = x @ self._beta + shift
        levels = getattr(self, "category_levels", {})
        if levels:
            ordinary, reference = self._ordinary_and_reference(x)
            for column, level in levels.items():
                on = x[:, self.columns.index(column)] != 0
                eta = np.where(on, np.minimum(ordinary, reference + level + shift), eta)
        return eta

    def _ordinary_and_reference(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log volume of each day as an ordinary day (events kept), and the same with
        its weekday level replaced by the mean level of the open weekdays."""
        special = [i for i, c in enumerate(self.columns) if _is_special(c)]
        ordinary = x @ self._beta - (x[:, special] @ self._beta[special] if special else 0.0)
        weekdays = [i for i, c in enumerate(self.columns) if c.startswith("weekday:")]
        levels = self._beta[weekdays]
        mean = float(np.log(np.mean(np.exp(levels)))) if weekdays else 0.0
        return ordinary, ordinary + mean - x[:, weekdays] @ levels

    def _fit_category_levels(self, days: np.ndarray, totals: np.ndarray) -> None:
        """A category that lowers volume (e.g. optional holidays), as a level of its own.

        Such a day runs at about the same volume whichever weekday it falls on,
        and never above that weekday's ordinary volume: its log level relative
        to the mean of the open weekdays is chosen on LEVEL_GRID by Poisson
        deviance of min(ordinary day, level) over the category's days in the
        history. A multiplier would put Chol HaMoed on a short Friday at half a
        Friday; Friday's volume is what such a Friday has (Anonymous Bank).
        """
        self.category_levels: dict[str, float] = {}
        lowering = [c for c in self.columns if c.startswith(CATEGORY) and float(self.params[c]) < 0]
        if not lowering:
            return
        is_open = np.isin(_weekday(days), self.open_weekdays)
        x = self._design_matrix(days[is_open])
        totals = totals[is_open]
        ordinary, reference = self._ordinary_and_reference(x)
        for column in lowering:
            on = x[:, self.columns.index(column)] != 0
            mean = np.exp(
                np.minimum(ordinary[on][None, :], reference[on][None, :] + LEVEL_GRID[:, None])
            )
            deviance = (mean - totals[on][None, :] * np.log(mean)).sum(axis=1)
            self.category_levels[column] = float(LEVEL_GRID[int(np.argmin(deviance))])

    @property
    def holidays_learned(self) -> bool:
        """Whether the history held a holiday (of any category) to learn an effect from."""
        return any(c == "holiday" or c.startswith(CATEGORY) for c in self.columns)

    def _fit_holiday_names(self, days: np.ndarray, totals: np.ndarray) -> None:
        """Each holiday's own effect: its log deviation from the shared one, pooled.

        A holiday seen on n complete open days moves from the shared effect by
        n / (n + HOLIDAY_PRIOR_DAYS) of its own log ratio of actual to fitted
        volume (a partial-pooling estimate: few examples stay near the average
        holiday). A holiday never seen gets the average effect of the holidays
        the history held open; with none at all, no effect. A closure (a holiday
        with no contact where an ordinary day has EMPTY_DAY_MIN or more) belongs
        to its own holiday: one closed Labor Day must not close Columbus Day.
        """
        self.holiday_deviation: dict[str, float] = {}
        self.unseen_shift = 0.0
        if not self.holidays_learned:
            return
        is_open = np.isin(_weekday(days), self.open_weekdays)
        days, totals = days[is_open], totals[is_open]
        fitted = self._daily_mean(days, by_name=False)
        sums: dict[str, list[float]] = {}
        for day, actual, mean in zip(days.tolist(), totals.tolist(), fitted.tolist(), strict=True):
            name = self._holidays.get(day)
            if name is not None:
                entry = sums.setdefault(name, [0, 0.0, 0.0])
                entry[0] += 1
                entry[1] += actual
                entry[2] += mean
        for name in sorted(sums):
            n, actual, mean = sums[name]
            ratio = (actual + 0.5) / (mean + 0.5)
            self.holiday_deviation[name] = n / (n + HOLIDAY_PRIOR_DAYS) * float(np.log(ratio))
        public = {self._holidays[int(d)] for d in self._public_days}
        self.unseen_shift = self._unseen_shift({n: v for n, v in sums.items() if n in public})

    def _unseen_shift(self, sums: dict[str, list[float]]) -> float:
        """Log shift of a holiday never seen: 0 (the shared effect) unless some were closures.

        With closures in the history, the shift moves the shared effect to that
        of the open holidays alone; with no open holiday, it cancels the effect.
        """
        if "holiday" not in self.params:
            return 0.0
        ordinary = np.exp(-self.params["holiday"])  # fitted / this = an ordinary day's volume
        closed = {n for n, (_, a, m) in sums.items() if a == 0 and m * ordinary >= EMPTY_DAY_MIN}
        if not closed:
            return 0.0
        open_names = [n for n in sums if n not in closed]
        if not open_names:
            return -float(self.params["holiday"])
        actual = sum(sums[n][1] for n in open_names)
        fitted = sum(sums[n][2] for n in open_names)
        return float(np.log((actual + 0.5) / (fitted + 0.5)))

    def _holiday_shift(self, days: np.ndarray) -> np.ndarray:
        """Log shift of each day from the shared holiday effect: its holiday's own
        deviation (0 for a holiday the history never held: the average effect)."""
        shift = np.zeros(len(days))
        if not self.holidays_learned:
            return shift
        for i, day in enumerate(np.asarray(days).tolist()):
            name = self._holidays.get(day)
            if name is not None:
                unseen = 0.0 if day in self._kinds else self.unseen_shift
                shift[i] = self.holiday_deviation.get(name, unseen)
        return shift

    @property
    def average_holiday_uplift(self) -> float | None:
        """The effect a holiday never seen gets (0.5 = 50 % more), None when there is none."""
        if "holiday" not in self.columns:
            return None
        total = float(self.params["holiday"]) + getattr(self, "unseen_shift", 0.0)
        return None if abs(total) < 1e-12 else float(np.exp(total) - 1)

    def unlearned_holidays(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """True for the intervals of `grid` on holidays whose name the history never held,
        unless their category (e.g. optional) has an effect learned from the history."""
        if not self.context.holidays:
            return np.zeros(len(grid), dtype=bool)
        days, inverse = np.unique(self._clock(grid).day, return_inverse=True)
        seen = getattr(self, "holiday_deviation", {})
        columns = set(getattr(self, "columns", ()))

        def unlearned(day: int) -> bool:
            name = self._holidays.get(day)
            if name is None or name in seen:
                return False
            # a day of a category the history held (optional holidays) gets its effect
            return CATEGORY + self._kinds.get(day, "") not in columns

        return np.array([unlearned(d) for d in days.tolist()], dtype=bool)[inverse]

    def _special_mask(self, days: np.ndarray) -> np.ndarray:
        """True for days marked as a holiday, a day around one, or an event."""
        design = self._design(days)
        marks = [c for c in design if c.startswith("event:") or _is_special(c)]
        return np.any([design[c] != 0 for c in marks], axis=0)

    def _event_effects(self) -> pd.DataFrame:
        """Learned multiplicative effects: kind, offset_days, uplift (fraction)."""
        rows = []
        for column, value in self.params.items():
            if column.startswith("event:"):
                _, kind, offset = column.rsplit(":", 2)
                rows.append((kind, int(offset.lstrip("+")), float(np.exp(value) - 1)))
            elif _is_special(column):
                rows.append((column, 0, float(np.exp(value) - 1)))
        return pd.DataFrame(rows, columns=["kind", "offset_days", "uplift"])

    # -- intraday ----------------------------------------------------------------

    def _profile_days(self, days: np.ndarray, special: np.ndarray) -> np.ndarray:
        """The latest PROFILE_DAYS_PER_WEEKDAY normal days of each weekday, sorted."""
        normal = days[~special]
        if len(normal) == 0:
            normal = days
        weekday = _weekday(normal)
        picked = [normal[weekday == d][-PROFILE_DAYS_PER_WEEKDAY:] for d in range(7)]
        return np.sort(np.concatenate(picked))

    def _category_profiles(
        self, clock: LocalClock, volume: np.ndarray, days: np.ndarray
    ) -> dict[str, tuple[float, np.ndarray]]:
        """Intraday shares of each levelled category's days, with their pooling weight.

        A category held to a level of its own (a shortened day) runs like one:
        its shares per slot over its n days in the history, given weight
        n / (n + 1) against the weekday's profile.
        """
        out: dict[str, tuple[float, np.ndarray]] = {}
        if not self.category_levels:
            return out
        x = self._design_matrix(days)
        for column in self.category_levels:
            these = days[x[:, self.columns.index(column)] != 0]
            picked = np.isin(clock.day, these)
            slot_sum = np.bincount(
                clock.slot[picked], weights=volume[picked], minlength=self.context.per_day
            )
            if slot_sum.sum() > 0:
                out[column] = (len(these) / (len(these) + 1.0), slot_sum / slot_sum.sum())
        return out

    def _profile(self, clock: LocalClock, volume: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Share of each (weekday, slot) in its day's volume, ratio of sums: a 7 x slots table."""
        slots = self.context.per_day
        picked = np.isin(clock.day, days)
        key = clock.weekday[picked] * slots + clock.slot[picked]
        slot_sum = np.bincount(key, weights=volume[picked], minlength=7 * slots).reshape(7, slots)
        day_sum = slot_sum.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(day_sum > 0, slot_sum / np.where(day_sum > 0, day_sum, 1.0), 0.0)
        return shares

    def _dispersion(self, clock: LocalClock, volume: np.ndarray, days: np.ndarray) -> float:
        """In-sample NB alpha by moments over the profile days (before calibration)."""
        picked = np.isin(clock.day, days)
        position = np.searchsorted(days, clock.day[picked])
        mu = (
            self._daily_mean(days)[position]
            * self.shares[clock.weekday[picked], clock.slot[picked]]
        )
        return moment_dispersion(volume[picked], mu)


def _month_phase(days: np.ndarray) -> np.ndarray:
    """Position of each local day in its month, 0 (the 1st) to < 1."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    start = dates.astype("datetime64[M]")
    first = start.astype("datetime64[D]")
    length = ((start + 1).astype("datetime64[D]") - first).astype(np.int64)
    return (dates - first).astype(np.int64) / length


def _is_special(column: str) -> bool:
    """Whether a design column marks a holiday (of any category) or a day around one."""
    return column in SPECIAL or column.startswith(CATEGORY)


def _weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday, of day numbers (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def poisson_glm(
    x: np.ndarray, y: np.ndarray, *, maxiter: int = 100, tol: float = 1e-8
) -> np.ndarray:
    """Coefficients of a Poisson GLM with log link, by IRLS.

    The same iterations as statsmodels' GLM(...).fit() (start at (y + mean y) / 2,
    least squares per step, stop when the deviance changes by <= `tol`, final
    step by pseudo-inverse), without its per-call overhead.

    Args:
        x: design, rows = observations.
        y: counts, >= 0.

    Returns:
        Coefficients, one per column of `x`.

    Raises:
        InputError: the iterations broke down or left an effect beyond
            `MAX_COEFFICIENT` (the model is then skipped for this history).
    """
    y = np.asarray(y, dtype=float)
    mu = (y + y.mean()) / 2.0
    eta = np.log(np.clip(mu, FLOAT_EPS, np.inf))
    deviance = _poisson_deviance(y, mu)
    try:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            for _ in range(maxiter):
                clean = np.clip(mu, FLOAT_EPS, np.inf)
                weights = 1.0 / ((1.0 / clean) ** 2 * np.fabs(mu))
                working = eta + (1.0 / clean) * (y - mu)
                root = np.sqrt(weights)
                beta = np.linalg.lstsq(root[:, None] * x, root * working, rcond=-1)[0]
                # a column that only zero counts use drives its coefficient to -inf:
                # bounded, the iterations stay finite (e^40 is 2e17 contacts)
                eta = np.clip(x @ beta, -MAX_LOG_MEAN, MAX_LOG_MEAN)
                mu = np.exp(eta)
                previous, deviance = deviance, _poisson_deviance(y, mu)
                if abs(previous - deviance) <= tol:
                    break
            beta = np.linalg.pinv(root[:, None] * x) @ (root * working)
    except np.linalg.LinAlgError:
        beta = np.full(x.shape[1], np.nan)
    if not np.isfinite(beta).all() or np.abs(beta).max(initial=0.0) > MAX_COEFFICIENT:
        # nearly collinear columns on a short or gappy history: effects of e^100
        # that cancel in the fit would not cancel on the forecast's days
        raise InputError("the daily regression did not converge on this history")
    return beta


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    ratio = np.clip(y / mu, FLOAT_EPS, np.inf)
    return float(np.sum(2 * (y * np.log(ratio) - (y - mu))))
