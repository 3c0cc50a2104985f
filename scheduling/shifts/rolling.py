"""Weekly rules per rolling 7 days (`ScheduleOptions.weekly_rules = "rolling"`).

In calendar mode (the default) an agent's days, hours and days off in a row hold
per week of its site. In rolling mode they hold in every 7 consecutive local days
(a window): at most `max_days_per_week` days worked and the agent's weekly hours
in any window, and in every window a run of `consecutive_days_off` free days
starts (it may reach past the window's end, as a calendar week's run may reach
into the next week: five days on and two off, repeated, keeps every window).
Each calendar week is a window, so a rolling plan keeps the calendar rules too,
and the shift programme's calendar rows stay a valid relaxation of it; in a
cyclic week of 7 days every window is the whole week, and the two agree.

Local days are numbered from a run's day 0 at the site (as in
`scheduling.shifts.daysoff`). A run checks every window that holds one of its
days: from 6 days before its day 0, whose days come from what the agent worked
before (`Agent.recent`), to windows reaching past its last day, whose days after
it are free for now (the next week's run then holds them, with this one's days
as its history). When no week follows (`final`), the horizon's end is as in
calendar weeks: a run of days off must end by its last day, and windows that
reach past it need none (as a trailing part week). A cyclic horizon of whole
days wraps: its windows are 7 consecutive days round it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions

WINDOW = 7
"""Days in a rolling window."""

_EPS = 1e-9


@dataclass(frozen=True)
class Rolling:
    """The 7-day windows of one site over one run.

    Attributes:
        length: days in a run of days off (0: none asked).
        max_days: most days worked in a window.
        last_day: local day number of the run's last instant.
        wrap: days of a cyclic run of whole days (day numbers wrap), else None.
        final: no week follows the run (module docstring).
    """

    length: int
    max_days: int
    last_day: int
    wrap: int | None = None
    final: bool = False

    @classmethod
    def of(cls, days_off: DaysOff, max_days: int) -> Rolling:
        """The windows of the run whose runs of days off are `days_off`."""
        final = not days_off.wrap and not days_off.follows
        return cls(days_off.length, max_days, days_off.last_day, days_off.wrap, final)

    @classmethod
    def around_week_start(cls, options: ScheduleOptions) -> Rolling:
        """The windows round a week's day 0 with a week after it (days off may
        reach on): for checks of the days before a week against its first days."""
        return cls(options.consecutive_days_off, options.max_days_per_week, WINDOW - 1)

    def starts(self) -> range:
        """First days of the windows the run checks (module docstring): from 6
        days before day 0 (on a cyclic run, those reach from the days before
        it into its first days without wrapping; only days worked before it
        make them bind)."""
        return range(1 - WINDOW, self.wrap or self.last_day + 1)

    def _wraps(self, first: int) -> bool:
        return bool(self.wrap) and first >= 0

    def window(self, first: int) -> tuple[int, ...]:
        """The (wrapped, distinct) days of the window starting on day `first`."""
        days = range(first, first + WINDOW)
        if self._wraps(first):
            return tuple(sorted({d % self.wrap for d in days}))  # type: ignore[operator]
        return tuple(days)

    def holding(self, day: int) -> list[int]:
        """First days of the checked windows that hold (wrapped) `day`."""
        if not self.wrap:
            return list(range(max(day + 1 - WINDOW, 1 - WINDOW), day + 1))
        return [s for s in self.starts() if day in self.window(s)]

    def runs(self, first: int) -> list[tuple[int, ...]]:
        """The runs of days off starting in the window that starts on `first` (wrapped
        days); none when it needs none (a window past the end of a `final` run)."""
        if self.length <= 0 or (self.final and first + WINDOW - 1 > self.last_day):
            return []
        out = []
        for p in range(first, first + WINDOW):
            days = range(p, p + self.length)
            if self._wraps(first):
                out.append(tuple(sorted({d % self.wrap for d in days})))  # type: ignore[operator]
            elif not self.final or days[-1] <= self.last_day:
                out.append(tuple(days))
        return out

    def broken(
        self, hours: Mapping[int, float], max_hours: float, firsts: list[int] | range
    ) -> int | None:
        """The first window of `firsts` that the days worked break, else None.

        Args:
            hours: paid hours per (wrapped) local day worked, in this run and before it.
            max_hours: most paid hours in a window.
            firsts: first days of the windows to check.
        """
        for first in firsts:
            days = [d for d in self.window(first) if d in hours]
            if len(days) > self.max_days:
                return first
            if sum(hours[d] for d in days) > max_hours + _EPS:
                return first
            runs = self.runs(first)
            if runs and all(any(d in hours for d in run) for run in runs):
                return first
        return None

    def fits(self, hours: Mapping[int, float], day: int, max_hours: float) -> bool:
        """True when adding a shift on `day` (already in `hours`) breaks no window."""
        return self.broken(hours, max_hours, self.holding(day)) is None
