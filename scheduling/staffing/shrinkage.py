"""Shrinkage: the share of paid time agents are not available for contacts.

Breaks, meetings, coaching, training and absence take agents off the queues, so
an interval that needs `agents` productive agents must schedule
`agents / (1 - shrinkage)`. Shrinkage is one rate per queue, optionally refined by
a profile of rules by local weekday and time of day (team meetings on Monday
mornings, training on Thursday afternoons): the last rule that matches an
interval's local start wins, and intervals no rule matches keep the queue's rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.checks import is_number
from scheduling.errors import InputError

ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
"""Monday = 0 ... Sunday = 6, as pandas' `day_of_week`."""


@dataclass(frozen=True, kw_only=True)
class ShrinkageRule:
    """One line of a shrinkage profile, in the queue's local time.

    Attributes:
        rate: shrinkage in the matching intervals, 0 <= rate < 1.
        days: local weekdays it applies to, Monday = 0 ... Sunday = 6.
        start_minutes: local start of the window, minutes after midnight (0-1439).
        end_minutes: local end of the window, minutes after midnight (1-1440),
            exclusive; an end at or before the start wraps past midnight, the part
            after midnight belonging to the next day.
    """

    rate: float
    days: tuple[int, ...] = ALL_DAYS
    start_minutes: int = 0
    end_minutes: int = 1440

    def check(self, where: str) -> None:
        """Raise InputError naming `where` when a field is out of range."""
        if not (is_number(self.rate) and 0 <= self.rate < 1):
            raise InputError(
                f"{where}.rate: must be a shrinkage share 0 <= x < 1 (e.g. 0.3 for 30%; 1 "
                f"or more leaves no productive time), got {self.rate!r}"
            )
        if not self.days or any(d not in ALL_DAYS for d in self.days):
            raise InputError(f"{where}: days must be weekdays 0 (Monday) to 6, got {self.days!r}")
        if not 0 <= self.start_minutes < 1440 or not 0 < self.end_minutes <= 1440:
            raise InputError(
                f"{where}: from/to must be local times between 00:00 and 24:00, got "
                f"{self.start_minutes} and {self.end_minutes} minutes"
            )


def shrinkage_rates(
    interval_start: pd.Series | pd.DatetimeIndex,
    *,
    base: float,
    rules: Sequence[ShrinkageRule] = (),
    timezone: str = "UTC",
) -> np.ndarray:
    """Shrinkage per interval: the last matching rule's rate, else `base`.

    Args:
        interval_start: timezone-aware interval starts (any zone).
        base: the queue's shrinkage, 0 <= x < 1.
        rules: profile rules matched on the local weekday and minute of day of
            each interval's start.
        timezone: IANA zone of the queue (its local clock).

    Returns:
        Shrinkage per interval, 0-1 (float64 array, same length).
    """
    starts = pd.DatetimeIndex(interval_start)
    rates = np.full(len(starts), float(base))
    if not rules or len(starts) == 0:
        return rates
    local = starts.tz_convert(timezone)
    minute = (local.hour * 60 + local.minute).to_numpy()
    day = local.day_of_week.to_numpy()
    for rule in rules:
        rates[_matches(rule, day, minute)] = rule.rate
    return rates


def _matches(rule: ShrinkageRule, day: np.ndarray, minute: np.ndarray) -> np.ndarray:
    days = np.isin(day, rule.days)
    if rule.end_minutes > rule.start_minutes:
        return days & (minute >= rule.start_minutes) & (minute < rule.end_minutes)
    # Wraps past midnight: the evening part on `days`, the morning part the day after.
    previous = np.isin((day - 1) % 7, rule.days)
    return (days & (minute >= rule.start_minutes)) | (previous & (minute < rule.end_minutes))
