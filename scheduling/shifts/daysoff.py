"""Days off in a row: which runs of free local days count, shared by the programme
and the assignment.

Local days at a site are numbered from the horizon's first local date there (day
0). Every week (7 days from day 0) an agent needs one run of `length` consecutive
days without a shift, starting in that week. A cyclic horizon of whole days
repeats, so day numbers wrap round it and a run may wrap round its end (Sunday
and Monday); otherwise a run must end by the horizon's last local day (or up
to `spill` days after it, when the week after is scheduled next and keeps
those days free: `scheduling.shifts.siteweeks`), and a trailing part week
needs no run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class DaysOff:
    """The day-off runs of one site over one horizon.

    Attributes:
        length: days in a run (0: no run asked).
        wrap: days in the horizon when it is cyclic and whole days long, else None.
        last_day: local day number of the horizon's last instant.
        spill: days past `last_day` a run may reach (not cyclic).
        follows: a week after the horizon is scheduled next (`spill` asked).
    """

    length: int
    wrap: int | None
    last_day: int
    spill: int = 0
    follows: bool = False

    @classmethod
    def of(
        cls,
        length: int,
        *,
        tz: object,
        start: pd.Timestamp,
        end: pd.Timestamp,
        cyclic: bool,
        spill: bool = False,
    ) -> DaysOff:
        """The runs of a site in time zone `tz` for the horizon [start, end); with
        `spill`, a run may reach `length - 1` days past its last day."""
        days = (end - start) / pd.Timedelta(days=1)
        wrap = round(days) if cyclic and abs(days - round(days)) < 1e-9 else None
        last = end - pd.Timedelta(microseconds=1)
        first_date = start.tz_convert(tz).date()
        reach = max(length - 1, 0) if spill and wrap is None else 0
        last_day = (last.tz_convert(tz).date() - first_date).days
        return cls(length, wrap, last_day, reach, follows=spill and wrap is None)

    def day(self, dayno: int) -> int:
        """A local day number, wrapped round a cyclic horizon."""
        return dayno % self.wrap if self.wrap else dayno

    def weeks(self) -> range:
        """The weeks that need a run: all of a cyclic horizon, else the full ones."""
        if self.length <= 0:
            return range(0)
        if self.wrap:
            return range(math.ceil(self.wrap / 7))
        return range((self.last_day + 1) // 7)

    def runs(self, week: int) -> list[tuple[int, ...]]:
        """The (wrapped) day numbers of each run that starts in `week`."""
        out = []
        for first in range(7 * week, 7 * week + 7):
            days = range(first, first + self.length)
            if self.wrap:
                out.append(tuple(sorted({d % self.wrap for d in days})))
            elif days[-1] <= self.last_day + self.spill:
                out.append(tuple(days))
        return out

    def spilled(self, worked: set[int]) -> int | None:
        """The last day of the earliest-ending run past `last_day` that `worked`
        needs (no run of its own days is free in some week), else None."""
        needs = None
        for week in self.weeks():
            runs = self.runs(week)
            if any(run[-1] <= self.last_day and not worked.intersection(run) for run in runs):
                continue
            ends = [
                run[-1] for run in runs if run[-1] > self.last_day and not worked.intersection(run)
            ]
            if ends:
                needs = max(needs or 0, min(ends))
        return needs

    def kept(self, worked: set[int]) -> bool:
        """True when the (wrapped) days `worked` leave a run free in every week."""
        return all(
            any(not worked.intersection(run) for run in self.runs(week)) for week in self.weeks()
        )
