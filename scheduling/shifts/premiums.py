"""Pay premiums: the cost of a shift's paid hours at its site, night and weekend.

The rule. An hour of paid time costs the site's `cost_per_hour`, times

    1 + night_premium   (if the site's local wall clock is inside its night window)
      + weekend_premium (if the site's local date is a Saturday or Sunday)

so an hour that is both night and weekend earns both premiums, added (not
compounded): with 0.25 and 0.5 it costs 1.75 times the rate. The window and the
weekday are read on the site's local clock; the hours are real elapsed time. A
night shift over a daylight-saving change is as long as it really is (7 or 9
hours of night for a 22:00-06:00 shift), and an hour the clock repeats counts
twice. The time is measured by walking the real instants of the shift, cut at
each local midnight, each night-window boundary and each UTC-offset change; on
each piece the local clock neither wraps nor crosses a boundary.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from scheduling.errors import InputError
from scheduling.shifts.sites import Site

SATURDAY = 5
_PROBE = timedelta(hours=1)  # UTC offsets never change twice within this
_RESOLUTION = timedelta(microseconds=1)


@dataclass(frozen=True)
class PremiumHours:
    """Real elapsed hours of a span in each premium class (they may overlap).

    Attributes:
        night: hours on the local clock inside the site's night window.
        weekend: hours on a local Saturday or Sunday.
    """

    night: float
    weekend: float


def premium_hours(start: datetime, end: datetime, site: Site) -> PremiumHours:
    """Hours of [start, end) in the site's night window and on its local weekend.

    Args:
        start: span start, timezone-aware.
        end: span end, timezone-aware; at or before `start` gives zero hours.
        site: its timezone and night window (`night_start_minutes`,
            `night_end_minutes`) decide.

    Returns:
        Night and weekend hours, real elapsed time (hours).

    Raises:
        InputError: a naive `start` or `end`.
    """
    begin, finish = _utc(start, "start"), _utc(end, "end")
    if finish <= begin:
        return PremiumHours(night=0.0, weekend=0.0)
    tz = site.tz
    cuts = {begin, finish}
    cuts.update(t for t in _boundaries(begin, finish, site) if begin < t < finish)
    cuts.update(_offset_changes(sorted(cuts), tz))
    night = weekend = 0.0
    for left, right in itertools.pairwise(sorted(cuts)):
        seconds = (right - left).total_seconds()
        local = left.astimezone(tz)
        if is_night(local.hour * 60 + local.minute, site):
            night += seconds
        if local.weekday() >= SATURDAY:
            weekend += seconds
    return PremiumHours(night=night / 3600, weekend=weekend / 3600)


def shift_cost(
    start: datetime, end: datetime, site: Site, *, paid_hours: float | None = None
) -> float:
    """Cost of one agent working [start, end) at `site` (see the module docstring).

    Args:
        start: shift start, timezone-aware.
        end: shift end, timezone-aware.
        site: `cost_per_hour` and premiums.
        paid_hours: paid hours, hours; None for the real length of [start, end).

    Returns:
        cost_per_hour * (paid_hours + night_premium * night hours
        + weekend_premium * weekend hours), in the site's cost units.
    """
    if paid_hours is None:
        paid_hours = max((_utc(end, "end") - _utc(start, "start")).total_seconds(), 0) / 3600
    if not site.has_premiums:
        return paid_hours * site.cost_per_hour
    extra = premium_hours(start, end, site)
    return site.cost_per_hour * (
        paid_hours + site.night_premium * extra.night + site.weekend_premium * extra.weekend
    )


def is_night(minute: int, site: Site) -> bool:
    """Whether local minute-of-day `minute` (0-1439) is in the site's night window."""
    begin, end = site.night_start_minutes, site.night_end_minutes
    if begin < end:
        return begin <= minute < end
    return minute >= begin or minute < end


def _utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None:
        raise InputError(f"{what}: timestamps must be timezone-aware, got {value}")
    return value.astimezone(UTC)


def _boundaries(begin: datetime, finish: datetime, site: Site) -> set[datetime]:
    """Every instant the local clock reads midnight or a night-window boundary.

    Both readings of a repeated wall time are included. A wall time the clock
    skips has no such instant; the offset change there is cut separately.
    """
    tz = site.tz
    minutes = {0, site.night_start_minutes % 1440, site.night_end_minutes % 1440}
    first = begin.astimezone(tz).date() - timedelta(days=1)
    last = finish.astimezone(tz).date() + timedelta(days=1)
    out = set()
    for day in _dates(first, last):
        midnight = datetime(day.year, day.month, day.day)
        for minute in minutes:
            wall = midnight + timedelta(minutes=minute)
            for fold in (0, 1):
                out.add(wall.replace(tzinfo=tz, fold=fold).astimezone(UTC))
    return out


def _dates(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _offset_changes(cuts: list[datetime], tz: tzinfo) -> list[datetime]:
    """Instants in [cuts[0], cuts[-1]] where the zone's UTC offset changes.

    Probes the cuts and every hour between them, and bisects each pair of
    neighbouring probes with different offsets down to a microsecond.
    """
    probes = set(cuts)
    step = cuts[0] + _PROBE
    while step < cuts[-1]:
        probes.add(step)
        step += _PROBE
    out = []
    for left, right in itertools.pairwise(sorted(probes)):
        before = left.astimezone(tz).utcoffset()
        if right.astimezone(tz).utcoffset() == before:
            continue
        while right - left > _RESOLUTION:
            middle = left + (right - left) / 2
            if middle.astimezone(tz).utcoffset() == before:
                left = middle
            else:
                right = middle
        out.append(right)
    return out
