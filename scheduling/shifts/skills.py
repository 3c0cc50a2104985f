"""Skill groups: the sets of queues one agent serves, blended.

Agents are blended: in every interval an agent on shift works whichever of its
queues needs it. The shift programme therefore counts agents per (shift, skill
group), where a group is a sorted tuple of queues. Without a roster each site has
one group, its queues. With a roster the groups are the distinct skill sets of
the site's agents (an agent with no skills listed has all the site's queues),
and each group also carries its headcount and weekly hours, which cap what the
programme may plan for it.

In frames a group is written as its queues joined with ";" ("chat;email;phone").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from scheduling.errors import InputError
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.rolling import Rolling
from scheduling.shifts.roster import Agent
from scheduling.shifts.sites import WEEKDAYS, Site

SEPARATOR = ";"


@dataclass(frozen=True)
class SkillGroup:
    """Agents of one site who serve the same queues.

    Attributes:
        site: site name.
        queues: the queues, sorted.
        agents: roster agents with exactly these skills, or None without a roster.
        hours: most paid hours the group's agents can work in a week (per agent,
            the least of its contracted hours and max_days_per_week times the
            site's longest shift), hours; None without a roster.
        available: per local weekday (0 = Monday), the agents not unavailable
            that day; None without a roster.
        contracts: each agent's most paid hours in a week, sorted, hours; None
            without a roster.
        released: for agents who may not start before some instant (their rest
            after the week before, `release`), (that instant, their unavailable
            weekdays), sorted; () when none.
        unavailable: for a class of the group (`classes`), the local weekdays
            all its agents are unavailable (0 = Monday); None for a whole group.
        contract: for a class of a group that mixes weekly hours, its agents'
            most paid hours in a week (the least of contract and max_days_per_week
            times the longest shift); None otherwise.
        lead_in: with rolling weeks and agents who worked in the 6 days before
            the run (`Agent.recent`), per j = 0..5 the most shifts and the most
            paid hours (hours) the agents can work on the run's local days 0..j
            (in the 7 days from day j - 6, less what they worked there before);
            () otherwise.
        lead_off: with rolling weeks, per j = 0..5, for each agent who cannot take
            even its site's shortest shift on the run's day j after its days
            before (a window would break), its unavailable weekdays and its
            release (`released`) or None; () otherwise.
        classes: with a roster whose group mixes agents unavailable on different
            weekdays (of those the site starts shifts on) or of different weekly
            hours, one group per set of such weekdays and hours (same site and
            queues, its own agents), sorted by them; () otherwise.
            The programme counts each class's agents in its own rows so that
            weekend shifts, say, are not planned for agents who never work
            weekends, nor five shifts a day for agents who may work three a
            week (`scheduling.shifts.model`). Within a class every agent may work
            the same days and the same hours, so with one shift length its rows
            of shifts per day and per week are exact: any daily counts within
            them can be split into agents' weeks (Gale-Ryser); a group that
            mixes hours is not.
    """

    site: str
    queues: tuple[str, ...]
    agents: int | None = None
    hours: float | None = None
    available: tuple[int, ...] | None = None
    contracts: tuple[float, ...] | None = None
    released: tuple[tuple[pd.Timestamp, tuple[int, ...]], ...] = ()
    unavailable: tuple[int, ...] | None = None
    contract: float | None = None
    classes: tuple[SkillGroup, ...] = ()
    lead_in: tuple[tuple[float, float], ...] = ()
    lead_off: tuple[tuple[tuple[tuple[int, ...], pd.Timestamp | None], ...], ...] = ()

    def blocked(self, day_end: pd.Timestamp, weekday: int) -> int:
        """Agents counted available on `weekday` whose release is at or after `day_end`."""
        return sum(1 for free, off in self.released if free >= day_end and weekday not in off)

    def kept_off(self, dayno: int, weekday: int, day_end: pd.Timestamp) -> int:
        """Agents counted available on `weekday` whose days before rule out the run's
        day `dayno` (`lead_off`) and who are not `blocked` on it already."""
        if not 0 <= dayno < len(self.lead_off):
            return 0
        return sum(
            1
            for off, free in self.lead_off[dayno]
            if weekday not in off and (free is None or free < day_end)
        )

    @property
    def label(self) -> str:
        return group_label(self.queues)

    @property
    def part(self) -> str:
        """A class's tag in row names, "off_sat_sun" or "off_none"; "" for a whole group."""
        if self.unavailable is None:
            return ""
        tag = "off_" + ("_".join(WEEKDAYS[d] for d in self.unavailable) or "none")
        return tag if self.contract is None else f"{tag}_{self.contract:g}h"

    @property
    def who(self) -> str:
        """A class in words, "unavailable sat;sun" or "available every day"; "" for a group."""
        if self.unavailable is None:
            return ""
        days = (
            "unavailable " + SEPARATOR.join(WEEKDAYS[d] for d in self.unavailable)
            if self.unavailable
            else "available every day"
        )
        return days if self.contract is None else f"{days}, up to {self.contract:g} h a week"


def group_label(queues: Iterable[str]) -> str:
    """Queues as one sorted, ";"-joined label: ("phone", "chat") -> "chat;phone"."""
    return SEPARATOR.join(sorted(set(queues)))


def parse_group(label: object) -> tuple[str, ...]:
    """The sorted queues of a ";"-joined label (blank parts dropped)."""
    return tuple(sorted({part.strip() for part in str(label).split(SEPARATOR) if part.strip()}))


def skill_groups(
    sites: Sequence[Site],
    *,
    options: ScheduleOptions,
    agents: Sequence[Agent] | None = None,
    release: Mapping[str, pd.Timestamp] | None = None,
) -> tuple[SkillGroup, ...]:
    """The skill groups of every site.

    Args:
        sites: the sites.
        options: `max_days_per_week`, for the groups' weekly hours.
        agents: validated roster agents (`scheduling.shifts.roster.roster_agents`), or
            None for one group per site with all its queues.
        release: per agent, the earliest instant it may start (`released`).

    Returns:
        Groups sorted by site, queues. With a roster a site with no agents has no
        group.

    Raises:
        InputError: an agent of an unknown site or with a skill its site does not
            serve.
    """
    by_name = {site.name: site for site in sites}
    if agents is None:
        return tuple(
            SkillGroup(site=site.name, queues=tuple(sorted(site.queues)))
            for site in sorted(sites, key=lambda s: s.name)
        )
    members: dict[tuple[str, tuple[str, ...]], list[Agent]] = defaultdict(list)
    for agent in agents:
        site = by_name.get(agent.site)
        if site is None:
            raise InputError(f"roster: site {agent.site!r} is not configured")
        queues = tuple(sorted(agent.skills or site.queues))
        strangers = [q for q in queues if q not in site.queues]
        if strangers:
            raise InputError(
                f"roster: skills {', '.join(map(repr, strangers))} are not queues of site "
                f"{site.name!r}"
            )
        members[(site.name, queues)].append(agent)
    groups = []
    for (site_name, queues), people in sorted(members.items()):
        site = by_name[site_name]
        week_hours = options.max_days_per_week * max(site.shift_hours)
        group = _roster_group(site, queues, people, week_hours, release, options)
        open_days = set(site.days)
        by_kind: dict[tuple[tuple[int, ...], float], list[Agent]] = defaultdict(list)
        for agent in people:  # a day the site starts no shift tells no agent apart
            days = tuple(d for d in agent.days_unavailable if d in open_days)
            by_kind[(days, min(float(agent.max_hours), week_hours))].append(agent)
        if len(by_kind) > 1:
            mixed = len({hours for _, hours in by_kind}) > 1
            classes = tuple(
                replace(
                    _roster_group(site, queues, part, week_hours, release, options),
                    unavailable=days,
                    contract=hours if mixed else None,
                )
                for (days, hours), part in sorted(by_kind.items())
            )
            group = replace(group, classes=classes)
        groups.append(group)
    return tuple(groups)


def _roster_group(
    site: Site,
    queues: tuple[str, ...],
    people: Sequence[Agent],
    week_hours: float,
    release: Mapping[str, pd.Timestamp] | None,
    options: ScheduleOptions,
) -> SkillGroup:
    """The group of `people` (roster agents of one site and skill set), without classes."""
    return SkillGroup(
        lead_in=_lead_in(people, week_hours, options),
        lead_off=_lead_off(people, min(site.shift_hours), options, release or {}),
        site=site.name,
        queues=queues,
        agents=len(people),
        hours=float(sum(min(a.max_hours, week_hours) for a in people)),
        available=tuple(
            sum(1 for a in people if day not in a.days_unavailable) for day in range(7)
        ),
        contracts=tuple(sorted(float(a.max_hours) for a in people)),
        released=tuple(
            sorted(
                (pd.Timestamp(release[a.name]), tuple(a.days_unavailable))
                for a in people
                if release and a.name in release
            )
        ),
    )


def _lead_in(
    people: Sequence[Agent], week_hours: float, options: ScheduleOptions
) -> tuple[tuple[float, float], ...]:
    """`SkillGroup.lead_in` of `people`: () unless rolling weeks and some recent days."""
    if options.weekly_rules != "rolling" or not any(a.recent for a in people):
        return ()
    out = []
    for last in range(6):
        days = hours = 0.0
        for agent in people:
            before = [h for d, h in agent.recent if last - 6 <= d <= last]
            days += min(last + 1, max(options.max_days_per_week - len(before), 0))
            hours += max(min(agent.max_hours, week_hours) - sum(before), 0.0)
        out.append((days, hours))
    return tuple(out)


def _lead_off(
    people: Sequence[Agent],
    shortest: float,
    options: ScheduleOptions,
    release: Mapping[str, pd.Timestamp],
) -> tuple[tuple[tuple[tuple[int, ...], pd.Timestamp | None], ...], ...]:
    """`SkillGroup.lead_off` of `people`: () unless rolling weeks and some recent days."""
    if options.weekly_rules != "rolling" or not any(a.recent for a in people):
        return ()
    rolling = Rolling.around_week_start(options)

    def ruled_out(agent: Agent, day: int) -> bool:
        worked = {**dict(agent.recent), day: shortest}
        return bool(agent.recent) and not rolling.fits(worked, day, agent.max_hours)

    return tuple(
        tuple(
            (agent.days_unavailable, release.get(agent.name))
            for agent in people
            if ruled_out(agent, day)
        )
        for day in range(6)
    )
