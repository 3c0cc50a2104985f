"""Each site's own weeks over a horizon: from and to its local midnights.

The weekly rules (days, hours, days off in a row) hold per week of each site. A
week of a site starts at its local midnight, so over a multi-week horizon the
sites' weeks start at different instants: with a horizon from Monday 00:00 in
New York, Manila's weeks start 13 hours earlier (its Monday 00:00) and Austin's
one hour later. `week_bounds` gives where they start; a multi-week run
schedules week k of every site together, each site's shifts starting inside its
own week k (`Site.span`), so that a shift at 08:00 on a Monday in Manila counts
in the week of that Monday, never in the week before. Every site's weeks start
on the same local weekday (`ScheduleOptions.week_start_day`): by default the one
the horizon starts on in the planning time zone; on another, the first week
holds fewer days of the horizon (`first_week_days`: from a Monday with weeks
from Sunday, 6) and its days before the horizon are the previous schedule's
(`previous_weeks`).

The horizon's own start and end are the first and last bounds: the first and
last weeks of a site are longer or shorter than their days in the planning zone
by its offset from that zone (13 hours for Manila against New York).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import pandas as pd

from scheduling.columns import AGENT, END, INTERVAL_START, SITE, START
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.rolling import Rolling
from scheduling.shifts.roster import Agent, Carry
from scheduling.shifts.sites import Site

WEEK = pd.Timedelta(days=7)


def week_starts(
    horizon: tuple[pd.Timestamp, pd.Timestamp], first_days: int = 7
) -> list[pd.Timestamp]:
    """Where the planning zone's weeks start: the first week's start (`first_days`
    before the second's; at or before the horizon start), then each 7 days on
    while inside the horizon. A site's weeks start at its local midnights
    nearest these (`week_bounds`); there is one week per instant."""
    start, end = horizon
    first = start + pd.Timedelta(days=first_days) - WEEK
    out = [first]
    while out[-1] + WEEK < end:
        out.append(out[-1] + WEEK)
    return out


def week_spans(
    horizon: tuple[pd.Timestamp, pd.Timestamp], first_days: int = 7
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The horizon as 7-day blocks, the first `first_days` long and the last
    perhaps shorter (each site's weeks are these cut at its local midnights:
    `week_bounds`)."""
    start, end = horizon
    return [(max(s, start), min(s + WEEK, end)) for s in week_starts(horizon, first_days)]


def week_window(sites: Sequence[Site]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The instants a week's programme covers: from its first site's week start to
    its last site's week end (the sites of `sites_in_week`)."""
    spans = [site.span for site in sites if site.span is not None]
    return min(s for s, _ in spans), max(e for _, e in spans)


def rows_within(frame: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    """The rows of a requirement frame whose `interval_start` (UTC) is in [start, end)."""
    times = frame[INTERVAL_START]
    return frame[(times >= span[0]) & (times < span[1])].reset_index(drop=True)


def week_bounds(
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    timezone: str,
    weekday: int | None = None,
    first_days: int = 7,
) -> list[pd.Timestamp]:
    """Where a site's weeks start over the horizon, and the horizon's end.

    Args:
        horizon: (start, end), tz-aware.
        timezone: the site's IANA zone.
        weekday: the local weekday its weeks start on, 0 = Monday
            (`ScheduleOptions.week_start_day`); None: the weekday of the UTC
            midnight nearest the horizon start.
        first_days: days of the horizon in its first week
            (`ScheduleOptions.first_week_days`).

    Returns:
        The horizon start, then for each later week start (`week_starts`) the
        site's local midnight starting `weekday` nearest it (that instant
        itself where the midnight would leave a week empty), then the horizon
        end: one more bound than there are weeks, increasing.
    """
    start, end = horizon
    weekday = _weekday(start, weekday)
    bounds = [start]
    for instant in week_starts(horizon, first_days)[1:]:
        midnight = _nearest_midnight(instant, timezone, weekday).tz_convert(start.tz)
        bounds.append(midnight if bounds[-1] < midnight < end else instant)
    bounds.append(end)
    return bounds


def _weekday(start: pd.Timestamp, weekday: int | None) -> int:
    """`weekday`, else that of the UTC midnight nearest `start`."""
    if weekday is not None:
        return weekday
    return (start.tz_convert("UTC") + pd.Timedelta(hours=12)).weekday()


def local_midnight(instant: pd.Timestamp, *, days: int = 1) -> pd.Timestamp:
    """Local midnight `days` after the local date of a tz-aware `instant`, in its
    zone; a midnight the clocks skip (America/Havana in March) is the first
    instant after it."""
    later = instant.tz_localize(None).normalize() + pd.Timedelta(days=days)
    return later.tz_localize(instant.tz, ambiguous=True, nonexistent="shift_forward")


def _nearest_midnight(instant: pd.Timestamp, timezone: str, weekday: int) -> pd.Timestamp:
    """The local midnight starting a `weekday` nearest a tz-aware instant (the earlier on a tie)."""
    local = instant.tz_convert(timezone)
    back = (local.weekday() - weekday) % 7
    candidates = [local_midnight(local, days=d) for d in (-back, 7 - back)]
    return min(candidates, key=lambda m: (abs(m - local), m))


def sites_in_week(
    sites: Sequence[Site],
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    week: int,
    weekday: int | None = None,
    first_days: int = 7,
) -> list[Site]:
    """The sites with `span` their own week `week` (0-based) of the horizon (`week_bounds`)."""
    start = horizon[0]
    day = _weekday(start, weekday)
    instant = week_starts(horizon, first_days)[week]
    out = []
    for site in sites:
        bounds = week_bounds(horizon, site.timezone, day, first_days)
        midnight = _nearest_midnight(instant, site.timezone, day)
        out.append(
            site.with_span(
                (bounds[week], bounds[week + 1]),
                week_from=midnight.tz_convert(start.tz),
                next_week=week + 2 < len(bounds),
            )
        )
    return out


def site_horizon(
    site: Site, horizon: tuple[pd.Timestamp, pd.Timestamp]
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """What a site's local days and weeks count from and to: its span, else the horizon."""
    return site.span if site.span is not None else horizon


def week_number(site: Site, horizon_start: pd.Timestamp, instant: pd.Timestamp) -> int:
    """The week (0-based) a shift of the site starting at `instant` counts in:
    7-day blocks from the horizon start, or the site's one week when it has a span."""
    if site.span is not None:
        return 0
    return int((instant - horizon_start) // WEEK)


def first_local_date(site: Site, horizon_start: pd.Timestamp) -> date:
    """The site's local day 0: the date its week starts on (`Site.week_from`), else
    the local date the horizon starts on."""
    start = site.week_from if site.week_from is not None else horizon_start
    return start.tz_convert(site.tz).date()


def week_first_date(site: Site, horizon_start: pd.Timestamp, instant: pd.Timestamp) -> date:
    """The site's local date on which the week of a shift starting at `instant` begins."""
    if site.week_from is not None:
        return site.week_from.tz_convert(site.tz).date()
    return (
        (horizon_start + week_number(site, horizon_start, instant) * WEEK)
        .tz_convert(site.tz)
        .date()
    )


def site_days_off(
    site: Site, horizon: tuple[pd.Timestamp, pd.Timestamp], options: ScheduleOptions
) -> DaysOff:
    """The site's runs of days off over the horizon, or over its span: reaching
    into its next week when one follows (`Site.next_week`)."""
    start, end = site_horizon(site, horizon)
    return DaysOff.of(
        options.consecutive_days_off,
        tz=site.tz,
        start=site.week_from if site.week_from is not None else start,
        end=end,
        cyclic=options.cyclic,
        spill=site.span is not None and site.next_week,
    )


def days_off_releases(
    schedule: pd.DataFrame,
    sites: Sequence[Site],
    options: ScheduleOptions,
    carried: Mapping[str, Carry] | None = None,
) -> dict[str, pd.Timestamp]:
    """Per agent whose run of days off reaches into its site's next week: the
    local midnight after that run, before which it may not start again.

    Args:
        schedule: one week's shifts (agent, site, start; tz-aware).
        sites: that week's sites, with their spans (`sites_in_week`).
        options: `consecutive_days_off`.
        carried: the days each agent worked in the week before the horizon
            (the first week: `previous_weeks`).
    """
    by_name = {site.name: site for site in sites}
    out: dict[str, pd.Timestamp] = {}
    if options.weekly_rules == "rolling":  # the next run's windows hold them (`recent_days`)
        return out
    for (agent, name), rows in schedule.groupby([AGENT, SITE], sort=True):
        site = by_name.get(str(name))
        if site is None or site.span is None or not site.next_week:
            continue
        days_off = site_days_off(site, site.span, options)
        first = first_local_date(site, site.span[0])  # the week's day 0
        local = pd.DatetimeIndex(rows[START]).tz_convert(site.tz)
        worked = {(day - first).days for day in local.date}
        worked.update(carried[agent].days if carried and agent in carried else ())
        last = days_off.spilled(worked)
        if last is not None:
            day0 = site.week_from if site.week_from is not None else site.span[0]
            out[str(agent)] = local_midnight(day0.tz_convert(site.tz), days=last + 1).tz_convert(
                "UTC"
            )
    return out


def previous_weeks(
    previous: pd.DataFrame,
    sites: Sequence[Site],
    horizon_start: pd.Timestamp,
    options: ScheduleOptions,
) -> tuple[dict[str, pd.Timestamp], dict[str, Carry]]:
    """What the shifts before the horizon carry into each agent's first week.

    A site's first week starts at its `Site.week_from` (a local midnight; the
    horizon start for a site without one). The week before it is the 7 local
    days up to there.

    Args:
        previous: shifts before the horizon: agent, site, start, end (tz-aware).
        sites: the first week's sites, with their spans (`sites_in_week`):
            also for a one-week run, whose week is 7 days from the horizon
            start (what an agent worked in its calendar week before the horizon
            then counts too: more than the block asks, never less).
        horizon_start: tz-aware.
        options: `consecutive_days_off`.

    Returns:
        (release, carried). release: per agent whose week before the first has
        no run of free days of its own and so needs the first days of the first
        week (as `days_off_releases`), the local midnight after that run (UTC);
        and per agent with a carried day, the local midnight after it.
        carried: per agent with shifts in its site's first week before the
        horizon starts (a site east of the planning zone, whose week starts at
        a local midnight before the horizon), their local days and paid hours.
    """
    by_name = {site.name: site for site in sites}
    release: dict[str, pd.Timestamp] = {}
    carried: dict[str, Carry] = {}
    if options.weekly_rules == "rolling":
        return release, recent_days(previous, sites, horizon_start)
    for (agent, name), rows in previous.groupby([AGENT, SITE], sort=True):
        site = by_name.get(str(name))
        if site is None:
            continue
        first = site.week_from if site.week_from is not None else horizon_start
        starts = pd.DatetimeIndex(rows[START])
        keep_later(release, _kept_off(site, rows, first, options))
        inside = (starts >= first) & (starts < horizon_start)
        if inside.any():
            day0 = first_local_date(site, horizon_start)
            local = starts[inside].tz_convert(site.tz)
            hours = (rows[END] - rows[START])[inside].dt.total_seconds().sum() / 3600
            carry = Carry(tuple(sorted({(d - day0).days for d in local.date})), float(hours))
            carried[str(agent)] = _joined_carry(carried.get(str(agent)), carry)
            # one shift a local day: not before the day after the last one worked
            # (so the shift programme, which counts released agents, knows it too)
            keep_later(release, {str(agent): local_midnight(local.max()).tz_convert("UTC")})
    return release, carried


def recent_days(
    shifts: pd.DataFrame, sites: Sequence[Site], horizon_start: pd.Timestamp
) -> dict[str, Carry]:
    """With rolling weeks, what each agent's windows count from before a run
    (`Agent.recent`): per local day it worked in the 6 days before its site's
    day 0 or from then until the run starts, the day (from day 0) and its paid
    hours (start to end).

    Args:
        shifts: shifts before the run: agent, site, start, end (tz-aware);
            later ones are left out.
        sites: the run's sites (with their spans in a multi-week run).
        horizon_start: the run's start (tz-aware).
    """
    by_name = {site.name: site for site in sites}
    out: dict[str, Carry] = {}
    for (agent, name), rows in shifts.groupby([AGENT, SITE], sort=True):
        site = by_name.get(str(name))
        if site is None:
            continue
        begin = site.span[0] if site.span is not None else horizon_start
        day0 = first_local_date(site, horizon_start)
        per_day = {
            d: h for d, h in day_hours(rows[rows[START] < begin], site, day0) if d > -WEEK.days
        }
        if per_day:
            out[str(agent)] = Carry((), 0.0, tuple(sorted(per_day.items())))
    return out


def day_hours(shifts: pd.DataFrame, site: Site, day0: date) -> list[tuple[int, float]]:
    """(local day number from `day0` at the site, paid hours start to end) of each
    day `shifts` (start, end; tz-aware) start on, in day order."""
    local = pd.DatetimeIndex(shifts[START]).tz_convert(site.tz)
    hours = (shifts[END] - shifts[START]).dt.total_seconds().to_numpy() / 3600
    per_day: dict[int, float] = {}
    for day, h in zip(local.date, hours, strict=True):
        number = (day - day0).days
        per_day[number] = per_day.get(number, 0.0) + float(h)
    return sorted(per_day.items())


def keep_later(into: dict[str, pd.Timestamp], more: Mapping[str, pd.Timestamp]) -> None:
    """Merge per-agent instants into `into`, keeping the later one of each agent."""
    into.update({agent: max(t, into.get(agent, t)) for agent, t in more.items()})


def _kept_off(
    site: Site, rows: pd.DataFrame, first: pd.Timestamp, options: ScheduleOptions
) -> dict[str, pd.Timestamp]:
    """`days_off_releases` of one agent's `rows` in the week before `first` (7 local
    days up to it; 7 days for a site without a span)."""
    local_first = first.tz_convert(site.tz)
    before = local_midnight(local_first, days=-7) if site.week_from is not None else first - WEEK
    week_before = site.with_span((before, first), week_from=before, next_week=True)
    inside = rows[(rows[START] >= before) & (rows[START] < first)]
    return days_off_releases(inside, [week_before], replace(options, cyclic=False))


def _joined_carry(old: Carry | None, new: Carry) -> Carry:
    """Two sites' carries of one agent as one (an agent is at one site in a roster)."""
    if old is None:
        return new
    return Carry(tuple(sorted(set(old.days) | set(new.days))), old.hours + new.hours)


def carry_conflicts(
    carried: Mapping[str, Carry],
    agents: Sequence[Agent],
    sites: Sequence[Site],
    horizon_start: pd.Timestamp,
    options: ScheduleOptions,
) -> dict[str, str]:
    """Per agent whose carry (`previous_weeks`) alone breaks a weekly rule of its
    first week: which rule, in words. Such a week has no schedule that keeps it.

    Args:
        carried: per agent, its days and hours before the horizon.
        agents: the roster (`roster_agents`), for weekly hours and sites.
        sites: the first week's sites with their spans (`sites_in_week`).
        horizon_start: tz-aware.
        options: `max_days_per_week`, `consecutive_days_off`.
    """
    by_name = {site.name: site for site in sites}
    out = {}
    for agent in agents:
        carry = carried.get(agent.name)
        site = by_name.get(agent.site)
        if carry is None or site is None:
            continue
        if carry.recent:
            broken = _rolling_conflict(carry, agent, site, horizon_start, options)
            if broken:
                out[agent.name] = broken
            continue
        week = f"{site.name}'s week of {first_local_date(site, horizon_start):%Y-%m-%d}"
        days_off = site_days_off(site, site.span or (horizon_start, horizon_start + WEEK), options)
        if carry.hours > agent.max_hours + 1e-9:
            out[agent.name] = (
                f"its {carry.hours:g} hours in {week} before the horizon are more than its "
                f"{agent.max_hours:g} a week (contracted_hours, else max_hours_per_week)"
            )
        elif len(carry.days) > options.max_days_per_week:
            out[agent.name] = (
                f"its {len(carry.days)} days in {week} before the horizon are more than "
                f"max_days_per_week {options.max_days_per_week}"
            )
        elif not days_off.kept(set(carry.days)):
            out[agent.name] = (
                f"its days in {week} before the horizon leave no "
                f"{options.consecutive_days_off} free days in a row (consecutive_days_off)"
            )
    return out


def _rolling_conflict(
    carry: Carry, agent: Agent, site: Site, horizon_start: pd.Timestamp, options: ScheduleOptions
) -> str | None:
    """Which rule the days before the run alone break in a rolling window that
    reaches into it (`carry_conflicts` with rolling weeks), in words, else None."""
    rolling = Rolling.around_week_start(options)
    hours = dict(carry.recent)
    first = rolling.broken(hours, agent.max_hours, range(1 - WEEK.days, 1))
    if first is None:
        return None
    days = [d for d in rolling.window(first) if d in hours]
    opening = first_local_date(site, horizon_start) + pd.Timedelta(days=first)
    window = f"the 7 days from {opening:%Y-%m-%d} at {site.name} (weekly_rules rolling)"
    if len(days) > rolling.max_days:
        return (
            f"its {len(days)} days in {window} are more than "
            f"max_days_per_week {options.max_days_per_week}"
        )
    worked = sum(hours[d] for d in days)
    if worked > agent.max_hours + 1e-9:
        return (
            f"its {worked:g} hours in {window} are more than its {agent.max_hours:g} a week "
            "(contracted_hours, else max_hours_per_week)"
        )
    return (
        f"its days in {window} leave no {options.consecutive_days_off} free days in a row "
        "(consecutive_days_off)"
    )
