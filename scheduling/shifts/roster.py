"""Rosters: named agents, their site, skills, weekly hours, days off and preferred start.

The application reads a roster CSV; `roster_agents` validates it into `Agent`s for
the programme (`scheduling.shifts.skills`) and the assignment
(`scheduling.shifts.assign`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from scheduling.columns import (
    AGENT,
    CONTRACTED_HOURS,
    DAYS_UNAVAILABLE,
    PREFERRED_START,
    SITE,
    SKILLS,
)
from scheduling.errors import InputError
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.sites import WEEKDAYS, Site

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Agent:
    """One agent of a roster, validated.

    Attributes:
        name: unique agent name.
        site: the agent's site.
        skills: queues the agent may work (the site's queues when none listed).
        max_hours: most paid hours per week, hours.
        days_unavailable: local weekdays the agent never works, 0 = Monday.
        preferred_start: preferred local start, minutes after midnight, or None.
        worked_days: local day numbers of the run's first week (from the site's
            day 0) on which the agent worked before the horizon (`with_carry`);
            they count toward its days and days off of that week, and
            `max_hours` is then what that week has left.
        recent: with rolling weeks (`ScheduleOptions.weekly_rules`), the local
            days (from the site's day 0 of the run, so -6 to -1 before it) and
            paid hours the agent worked in the 6 days before the run and in its
            first week before the horizon; its windows count them
            (`scheduling.shifts.rolling`). `max_hours` stays its weekly hours.
    """

    name: str
    site: str
    skills: tuple[str, ...]
    max_hours: float
    days_unavailable: tuple[int, ...] = ()
    preferred_start: int | None = None
    worked_days: tuple[int, ...] = ()
    recent: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class Carry:
    """What an agent worked before the horizon in the first week of its site.

    Attributes:
        days: local day numbers from the site's day 0 (`Agent.worked_days`).
        hours: paid hours of those shifts (start to end), hours.
        recent: with rolling weeks, (day, paid hours) of each day worked in
            the 6 local days before the run and before the horizon in its
            first week (`Agent.recent`); `days` and `hours` are then empty.
    """

    days: tuple[int, ...]
    hours: float
    recent: tuple[tuple[int, float], ...] = ()


def with_carry(agents: Sequence[Agent], carried: Mapping[str, Carry] | None) -> list[Agent]:
    """The agents with what they worked before the horizon in their first week:
    those days, and that many hours less (never below 0); with rolling weeks,
    their recent days (`Agent.recent`), of which those of the run's weeks
    (day >= 0) are worked days too (one shift a local day)."""
    if not carried:
        return list(agents)
    out = []
    for agent in agents:
        carry = carried.get(agent.name)
        if carry is not None:
            inside = {d for d, _ in carry.recent if d >= 0}
            agent = replace(
                agent,
                worked_days=tuple(sorted(set(carry.days) | inside)),
                max_hours=max(agent.max_hours - carry.hours, 0.0),
                recent=carry.recent,
            )
        out.append(agent)
    return out


def roster_agents(
    roster: pd.DataFrame, *, sites: Sequence[Site], options: ScheduleOptions
) -> list[Agent]:
    """Validate a roster frame.

    Args:
        roster: columns `agent`, `site`, and optionally `skills` (queues separated
            by ";", empty = all of the site's queues), `contracted_hours` (weekly
            maximum paid hours), `days_unavailable` (e.g. "sat;sun"),
            `preferred_start` ("HH:MM", local).
        sites: the configured sites.
        options: gives `max_hours_per_week` for agents without contracted hours.

    Returns:
        The agents sorted by site, name.

    Raises:
        InputError: a missing column, duplicate or empty agent names, an unknown
            site, a skill the agent's site does not serve, or a malformed value.
    """
    missing = [c for c in (AGENT, SITE) if c not in roster]
    if missing:
        raise InputError(f"roster: missing column(s) {', '.join(missing)}; expected agent, site")
    by_name = {site.name: site for site in sites}
    agents = []
    seen: set[str] = set()
    for position, row in enumerate(roster.to_dict("records")):
        name = _text(row.get(AGENT))
        where = f"roster row {position + 1}"
        if not name:
            raise InputError(f"{where}: agent is empty; give every agent a name")
        if name in seen:
            raise InputError(f"{where}: agent {name!r} appears twice; names must be unique")
        seen.add(name)
        where = f"{where}: agent {name!r}"
        site = by_name.get(_text(row.get(SITE)))
        if site is None:
            raise InputError(
                f"{where}: site {_text(row.get(SITE))!r} is not configured; "
                f"use one of {', '.join(sorted(by_name))}"
            )
        skills = tuple(s for s in _tokens(row.get(SKILLS)))
        strangers = [s for s in skills if s not in site.queues]
        if strangers:
            raise InputError(
                f"{where}: skills {', '.join(map(repr, strangers))} are not queues of site "
                f"{site.name!r} ({', '.join(site.queues)})"
            )
        agents.append(
            Agent(
                name=name,
                site=site.name,
                skills=tuple(sorted(skills)) if skills else tuple(sorted(site.queues)),
                max_hours=_hours(row.get(CONTRACTED_HOURS), where, options.max_hours_per_week),
                days_unavailable=_weekdays(row.get(DAYS_UNAVAILABLE), where),
                preferred_start=_clock(row.get(PREFERRED_START), where),
            )
        )
    return sorted(agents, key=lambda a: (a.site, a.name))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _tokens(value: object) -> list[str]:
    return [t.strip() for t in re.split(r"[;,]", _text(value)) if t.strip()]


def _hours(value: object, where: str, default: float) -> float:
    text = _text(value)
    if not text:
        return default
    try:
        hours = float(text)
    except ValueError:
        raise InputError(
            f"{where}: contracted_hours must be a number of hours, got {text!r}"
        ) from None
    if not hours >= 0 or math.isinf(hours):
        raise InputError(f"{where}: contracted_hours must be >= 0, got {text!r}")
    return hours


def _weekdays(value: object, where: str) -> tuple[int, ...]:
    days = []
    for token in _tokens(value):
        key = token.lower()
        if key in _DAY_NAMES:
            key = key[:3]
        if key not in WEEKDAYS:
            raise InputError(
                f"{where}: days_unavailable has {token!r}; "
                f"use {', '.join(WEEKDAYS)} separated by ';'"
            )
        days.append(WEEKDAYS.index(key))
    return tuple(sorted(set(days)))


def _clock(value: object, where: str) -> int | None:
    text = _text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InputError(f"{where}: preferred_start must be local 'HH:MM', got {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def unworkable(agents: Sequence[Agent], sites: Sequence[Site]) -> list[str]:
    """Why roster agents can take no shift of their site at all, one line per site
    and reason: weekly hours below the site's shortest shift (or, for an agent
    who worked before the horizon, the hours its first week has left), or
    unavailable on every day the site starts shifts. Such agents are valid
    input (someone on leave), so this is a warning, not an error."""
    by_name = {site.name: site for site in sites}
    found: dict[tuple[str, str], list[str]] = {}
    for agent in agents:
        site = by_name.get(agent.site)
        if site is None:
            continue
        shortest = min(site.shift_hours)
        if agent.max_hours + 1e-9 < shortest and agent.worked_days:
            why = (
                "hours left in its first week after the previous schedule's shifts below "
                f"its shortest shift of {shortest:g} h (this week only)"
            )
        elif agent.max_hours + 1e-9 < shortest:
            why = f"weekly hours (contracted_hours) below its shortest shift of {shortest:g} h"
        elif set(site.days) <= set(agent.days_unavailable):
            why = "days_unavailable covers every day it starts shifts"
        else:
            continue
        found.setdefault((site.name, why), []).append(agent.name)
    out = []
    for (site_name, why), names in sorted(found.items()):
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        out.append(
            f"site {site_name!r}: {len(names)} roster agent(s) can take no shift, {why}: {shown}"
        )
    return out
