"""What a schedule gives each rostered agent: shifts, paid hours, contracted hours unused.

A roster agent with no shift, or far below contract, is something a manager must
hear about before publishing: `agent_summary` lists every agent, those without
shifts included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from scheduling.columns import AGENT, END, SITE, SKILLS, START
from scheduling.errors import InputError
from scheduling.shifts.roster import Agent
from scheduling.shifts.siteweeks import local_midnight, week_bounds, week_starts

SHIFTS = "shifts"
PAID_HOURS_PER_WEEK = "paid_hours_per_week"  # hours
CONTRACTED_HOURS_PER_WEEK = "contracted_hours_per_week"  # hours (max_hours_per_week if unset)
UNUSED_HOURS_PER_WEEK = "unused_hours_per_week"  # contracted - paid, >= 0, hours
HOURS_BY_WEEK = "hours_by_week"  # paid hours of each week, ";"-joined, hours
WEEKENDS_OFF = "weekends_off"  # local Saturday-Sunday pairs in the horizon without a shift
AGENT_SUMMARY_COLUMNS = (
    AGENT,
    SITE,
    SKILLS,
    SHIFTS,
    PAID_HOURS_PER_WEEK,
    CONTRACTED_HOURS_PER_WEEK,
    UNUSED_HOURS_PER_WEEK,
    HOURS_BY_WEEK,
    WEEKENDS_OFF,
)


def agent_summary(
    schedule: pd.DataFrame,
    agents: Sequence[Agent],
    *,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    timezones: Mapping[str, str],
    weekday: int | None = None,
    first_days: int = 7,
) -> pd.DataFrame:
    """One row per roster agent: shifts and paid hours a week against the contract.

    Args:
        schedule: the schedule contract (agent, site, start, end; tz-aware).
        agents: the validated roster (`scheduling.shifts.roster.roster_agents`).
        horizon: (start, end) of the schedule, tz-aware; weeks are each site's
            (`scheduling.shifts.siteweeks.week_bounds`: 7-day blocks from the
            start, cut at the site's local midnights; the last may be shorter).
        timezones: each site's IANA time zone, for its local weekends.
        weekday: the local weekday the sites' weeks start on
            (`ScheduleOptions.week_start_day`).
        first_days: days of the horizon in its first week
            (`ScheduleOptions.first_week_days`).

    Returns:
        `AGENT_SUMMARY_COLUMNS`, sorted by site, agent: skills joined with ";",
        shifts (count), paid hours per week (shift lengths, breaks included, over
        the horizon's length in weeks, at least one: a 3-day horizon is not
        scaled up to 7 days past the contract),
        contracted hours per week and the unused part of them, the paid hours of
        each week (";"-joined) and the full local weekends (from a Saturday in the
        horizon) without a shift.
        Agents without a shift have 0 shifts and all their hours unused.

    Raises:
        InputError: the horizon ends before it starts.
    """
    start, end = horizon
    weeks = (end - start) / pd.Timedelta(days=7)
    if not weeks > 0:
        raise InputError(f"agent_summary: the horizon must end after it starts, got {horizon}")
    blocks = len(week_starts(horizon, first_days))
    hours = (schedule[END] - schedule[START]).dt.total_seconds() / 3600
    week = _site_weeks(schedule, horizon, timezones, weekday, first_days).clip(0, blocks - 1)
    by_week = hours.groupby([schedule[AGENT], week]).sum()
    worked = hours.groupby(schedule[AGENT]).agg(["count", "sum"])
    rows = []
    for agent in agents:
        shifts, paid = worked.loc[agent.name] if agent.name in worked.index else (0, 0.0)
        per_week = float(paid) / max(weeks, 1.0)
        mine = schedule[schedule[AGENT] == agent.name]
        rows.append(
            (
                agent.name,
                agent.site,
                ";".join(agent.skills),
                int(shifts),
                per_week,
                float(agent.max_hours),
                max(float(agent.max_hours) - per_week, 0.0),
                ";".join(f"{by_week.get((agent.name, k), 0.0):g}" for k in range(blocks)),
                weekends_off(mine, horizon, timezones.get(agent.site, "UTC")),
            )
        )
    frame = pd.DataFrame(rows, columns=list(AGENT_SUMMARY_COLUMNS))
    return frame.sort_values([SITE, AGENT], ignore_index=True)


def _site_weeks(
    schedule: pd.DataFrame,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    timezones: Mapping[str, str],
    weekday: int | None,
    first_days: int,
) -> pd.Series:
    """The week (0-based, of the shift's site) each schedule row starts in."""
    week = pd.Series(0, index=schedule.index, dtype=int)
    for site, rows in schedule.groupby(SITE, sort=True):
        zone = timezones.get(str(site), "UTC")
        bounds = pd.DatetimeIndex(week_bounds(horizon, zone, weekday, first_days))
        starts = pd.DatetimeIndex(rows[START]).tz_convert(bounds.tz)
        week.loc[rows.index] = bounds.searchsorted(starts, side="right") - 1
    return week


def weekends_off(
    shifts: pd.DataFrame, horizon: tuple[pd.Timestamp, pd.Timestamp], timezone: str
) -> int:
    """Local weekends (Saturday 00:00 to Monday 00:00) whose Saturday starts in the
    horizon and that no shift of it overlaps.

    Args:
        shifts: one agent's shifts (start, end, tz-aware).
        horizon: (start, end), tz-aware.
        timezone: the agent's site's IANA zone.
    """
    return sum(
        1
        for saturday, monday in local_weekends(horizon, timezone)
        if weekend_free(shifts, saturday, monday)
    )


def local_weekends(
    span: tuple[pd.Timestamp, pd.Timestamp], timezone: str
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(local Saturday 00:00, the Monday 00:00 after) for each Saturday starting in `span`."""
    out = []
    day = local_midnight(span[0].tz_convert(timezone), days=0)
    while day < span[1]:
        if day.weekday() == 5 and day >= span[0]:
            out.append((day, local_midnight(day, days=2)))
        day = local_midnight(day)
    return out


def weekend_free(shifts: pd.DataFrame, saturday: pd.Timestamp, monday: pd.Timestamp) -> bool:
    """True when none of `shifts` (start, end) overlaps [saturday, monday)."""
    return not ((shifts[START] < monday) & (shifts[END] > saturday)).any()
