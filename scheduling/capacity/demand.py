"""Required FTE per queue and week, from interval requirements.

An FTE is one agent paid `fte_hours_per_week` hours a week. A week needs
sum(agents_scheduled x interval hours) / fte_hours_per_week FTE of each queue:
`agents_scheduled` already includes shrinkage, so this is paid, on-shift time.
Weeks are counted on the local calendar of `timezone` (interval starts are
placed in the week of their local date), so a DST change moves no interval
between weeks.
"""

from __future__ import annotations

import datetime as dt
from statistics import NormalDist

import numpy as np
import pandas as pd

from scheduling.columns import (
    AGENTS_SCHEDULED,
    INTERVAL_START,
    QUEUE,
    REQUIRED_FTE,
    VOLUME,
    VOLUME_HIGH,
    WEEK_START,
    WEEKLY_REQUIRED_COLUMNS,
)
from scheduling.errors import InputError

VOLUME_LOW = "volume_low"
MAX_WEEKS = 260  # five years: longer plans are refused up front


def weekly_requirements(
    requirements: pd.DataFrame,
    *,
    fte_hours_per_week: float,
    timezone: str,
    interval_minutes: int,
    start: dt.date | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Required FTE per queue and whole week.

    Args:
        requirements: one row per (interval_start, queue) with `interval_start`
            (timezone-aware), `queue` and `agents_scheduled` (agents on shift,
            >= 0), e.g. the output of `staff_requirements`.
        fte_hours_per_week: paid hours of one FTE, hours (> 0).
        timezone: IANA zone whose local dates define the weeks.
        interval_minutes: length of an interval, minutes, used when the
            requirements do not show it (one interval per queue).
        start: first day of the first week (a local date, any weekday). None:
            the first Monday whose local midnight is at or after the first
            interval start.

    Returns:
        (frame, notes): the frame has columns `WEEKLY_REQUIRED_COLUMNS`
        (week_start as a `datetime.date`, queue, required_fte in FTE), one row
        per whole week and queue, sorted by week then queue; notes say what was
        left out (intervals before `start`, a last partial week).

    Raises:
        InputError: a missing column, a negative or non-finite value, a bad
            `fte_hours_per_week`, a `start` before the first interval's local
            date, no whole week, or more than `MAX_WEEKS` weeks.
    """
    frame = _checked(requirements, fte_hours_per_week)
    local = frame[INTERVAL_START].dt.tz_convert(timezone)
    step = _interval_hours(frame, interval_minutes)
    first = start if start is not None else _first_monday(local.min())
    if start is not None and start < local.min().date():
        raise InputError(
            f"start {start} is before the first day of the input ({local.min():%Y-%m-%d}): "
            "its weeks would plan no demand; start on or after that day"
        )
    days = (local.dt.tz_localize(None).dt.normalize() - pd.Timestamp(first)).dt.days
    end = (local + pd.Timedelta(hours=step)).max()
    whole = _whole_weeks(first, end, timezone)
    notes = []
    if (days < 0).any():
        notes.append(f"{int((days < 0).sum())} requirement rows before {first} are left out")
    week = days // 7
    if (week >= whole).any() and whole > 0:
        notes.append(
            f"the last, partial week (from {first + dt.timedelta(weeks=whole)}) is left out"
        )
    if whole < 1:
        raise InputError(
            f"no whole week from {first} (the input ends {end:%Y-%m-%d %H:%M %Z}); "
            "give a forecast or requirements of at least one week"
        )
    if whole > MAX_WEEKS:
        raise InputError(
            f"{whole} weeks is more than the {MAX_WEEKS} a capacity plan takes; "
            "plan a shorter horizon"
        )
    keep = (week >= 0) & (week < whole)
    fte = frame.loc[keep, AGENTS_SCHEDULED] * step / fte_hours_per_week
    table = fte.groupby([week[keep], frame.loc[keep, QUEUE]]).sum()
    queues = sorted(frame[QUEUE].unique())
    full = pd.MultiIndex.from_product([range(whole), queues])
    table = table.reindex(full, fill_value=0.0)
    out = pd.DataFrame(
        {
            WEEK_START: [first + dt.timedelta(weeks=int(w)) for w in full.get_level_values(0)],
            QUEUE: full.get_level_values(1),
            REQUIRED_FTE: table.to_numpy(dtype=float),
        }
    )
    return out[list(WEEKLY_REQUIRED_COLUMNS)], notes


def quantile_volume(forecast: pd.DataFrame, *, quantile: float, level: float) -> pd.Series:
    """Volume at a quantile of the forecast, read off its interval.

    `volume` is taken as the median and `volume_low`..`volume_high` as the
    central `level` interval of a normal error, so the `quantile` volume is
    volume + (volume_high - volume) x z(quantile) / z((1 + level) / 2) above
    the median (with `volume_low` below it), at least 0. Applied to every
    interval alike, a plan to P80 treats a week's errors as moving together,
    which is what a level error (more growth than forecast) does.

    Args:
        forecast: the forecast contract: `volume`, `volume_low`, `volume_high`.
        quantile: 0-1 exclusive, e.g. 0.8.
        level: the forecast's interval coverage, 0-1 exclusive (wfm.toml
            `[forecast] level`).

    Returns:
        Contacts per interval, aligned with `forecast`.

    Raises:
        InputError: a bad quantile or level, or no `volume_low`/`volume_high`.
    """
    if not 0 < quantile < 1:
        raise InputError(f"quantile must be between 0 and 1 (0.8 for P80), got {quantile!r}")
    if not 0 < level < 1:
        raise InputError(f"forecast level must be between 0 and 1, got {level!r}")
    bound = VOLUME_HIGH if quantile >= 0.5 else VOLUME_LOW
    if bound not in forecast.columns:
        raise InputError(f"forecast: a quantile plan needs the column {bound!r}")
    normal = NormalDist()
    scale = normal.inv_cdf(quantile) / normal.inv_cdf((1 + level) / 2)
    edge = forecast[bound].fillna(forecast[VOLUME])
    spread = (edge - forecast[VOLUME]).abs()
    return (forecast[VOLUME] + spread * scale).clip(lower=0.0)


def _checked(requirements: pd.DataFrame, fte_hours_per_week: float) -> pd.DataFrame:
    if not (np.isfinite(fte_hours_per_week) and 0 < fte_hours_per_week <= 168):
        raise InputError(
            f"fte_hours_per_week must be paid hours in a week (0-168], got {fte_hours_per_week!r}"
        )
    missing = [c for c in (INTERVAL_START, QUEUE, AGENTS_SCHEDULED) if c not in requirements]
    if missing:
        raise InputError(f"requirements: no column {missing[0]!r}")
    if requirements.empty:
        raise InputError("requirements: no rows")
    values = requirements[AGENTS_SCHEDULED].astype(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise InputError(
            f"requirements: {AGENTS_SCHEDULED} must be finite and >= 0, got "
            f"{values[bad].iloc[0]!r} for queue {requirements[QUEUE][bad].iloc[0]!r}"
        )
    return requirements[[INTERVAL_START, QUEUE, AGENTS_SCHEDULED]].assign(
        **{AGENTS_SCHEDULED: values}
    )


def _interval_hours(frame: pd.DataFrame, interval_minutes: int) -> float:
    """The interval length, hours: the least step between a queue's intervals."""
    steps = frame.sort_values([QUEUE, INTERVAL_START]).groupby(QUEUE)[INTERVAL_START].diff()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        return interval_minutes / 60
    return float(steps.min().total_seconds() / 3600)


def _first_monday(first: pd.Timestamp) -> dt.date:
    day = first.date()
    at_midnight = first == first.normalize()
    if day.weekday() == 0 and at_midnight:
        return day
    return day + dt.timedelta(days=7 - day.weekday())


def _whole_weeks(first: dt.date, end: pd.Timestamp, timezone: str) -> int:
    """Whole weeks from `first`'s local midnight that end by `end`."""
    weeks = max(0, (end.date() - first).days // 7 + 1)
    while weeks > 0:
        closing = pd.Timestamp(first + dt.timedelta(weeks=weeks)).tz_localize(
            timezone, ambiguous=True, nonexistent="shift_forward"
        )
        if closing <= end:
            return weeks
        weeks -= 1
    return 0
