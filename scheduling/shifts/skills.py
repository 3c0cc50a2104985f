"""Skill groups: the sets of queues one agent serves, blended.

Agents are blended: in every interval an agent on shift works whichever of its
queues needs it. The shift programme therefore counts agents per (shift, skill
group), where a group is a sorted tuple of queues. Without a roster each site has
one group, its queues. With a roster the groups are the distinct skill sets of
the site's agents (an agent with no skills listed has all the site's queues),
and each group also carries its headcount and weekly hours, which cap what the
programme may plan for it. A site with more skill sets than
`ScheduleOptions.max_skill_groups` is planned on that many merged groups
(`planning_skills`).

In frames a group is written as its queues joined with ";" ("chat;email;phone").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
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


@dataclass(frozen=True)
class Planning:
    """Skill sets the shift programme plans with when a site's roster has too many.

    Attributes:
        skills: per agent name, the queues the programme counts it for: the
            union of the skills of its merged group (its own when its site was
            not merged). The programme on these is a relaxation of the roster's
            (every agent counted for at least its own queues), so its bound is
            one on any plan; the schedule and its coverage keep each agent's
            own skills.
        merged: per site whose skill sets were merged, (sets, groups planned:
            the distinct merged skill sets).
    """

    skills: dict[str, tuple[str, ...]]
    merged: dict[str, tuple[int, int]]


def planning_skills(agents: Sequence[Agent], most: int) -> Planning:
    """Merge each site's skill sets down to at most `most` groups (`Planning`; 0:
    none merged; `ScheduleOptions.max_skill_groups`).

    Every skill set is a group of the programme, and its variables and rows
    scale with the groups: a week of 400 agents at 15 minutes whose skills are
    random mixes of six queues (159 sets over five sites,
    `benchmarks/peak_season.py --mixed-skills`) was 4.1 million nonzeros and its
    relaxation did not finish within 300 s, so no schedule came out; merged
    into 8 groups a site, 1.8 million and a schedule.

    Greedy: while a site has more than `most` groups, merge the two that grant
    the fewest skills their agents lack (the least n_a |A + B - A| + n_b |A + B - B|
    for groups of n_a and n_b agents and queues A and B; ties by the sets' order).
    Agents of a site with at most `most` sets keep their skills.
    """
    planned = {a.name: tuple(sorted(a.skills)) for a in agents}
    merged: dict[str, tuple[int, int]] = {}
    by_site: dict[str, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for agent in agents:
        by_site[agent.site][planned[agent.name]].append(agent.name)
    for site, sets in sorted(by_site.items()):
        if most == 0 or len(sets) <= most:
            continue
        skill_sets = sorted(sets)
        queues = sorted({q for skills in skill_sets for q in skills})
        member = np.array([[q in skills for q in queues] for skills in skill_sets])
        owner = _merged_sets(member, np.array([len(sets[k]) for k in skill_sets]), most)
        for root in np.unique(owner):  # each group's skills joined once
            kept = owner == root
            joined = tuple(
                q for q, used in zip(queues, member[kept].any(axis=0), strict=True) if used
            )
            for k in np.flatnonzero(kept):
                planned.update(dict.fromkeys(sets[skill_sets[k]], joined))
        merged[site] = (len(sets), len({planned[names[0]] for names in sets.values()}))
    return Planning(planned, merged)


GREEDY_SETS = 1000
"""Most skill sets of one site `_merged_sets` merges pair by pair; past it, each
of the others is first joined to the one of the `GREEDY_SETS` sets with most
agents that grants it and them the fewest skills (5,000 agents of 4,284 sets:
1.5 s)."""


def _merged_sets(member: np.ndarray, agents: np.ndarray, most: int) -> np.ndarray:
    """For each skill set (a row of `member`, queues as columns; `agents` of each),
    the index of one set of the group it is merged into, the same for the whole
    group (`planning_skills`' greedy).

    The grant of merging two groups is n_a (|A + B| - |A|) + n_b (|A + B| - |B|)
    with |A + B| = |A| + |B| - |A & B|; one matrix of grants, updated for the
    merged group's row after each merge: about m^2 work a merge for m sets.
    """
    held = member.astype(np.int64)
    n = agents.astype(np.int64)
    owner = np.arange(len(n))
    if len(n) > GREEDY_SETS:  # the rest into their cheapest of the largest sets
        top = np.sort(np.argsort(-n, kind="stable")[:GREEDY_SETS])
        rest = np.setdiff1d(owner, top)
        shared = held[rest] @ held[top].T
        size = held.sum(axis=1)
        grant = n[rest, None] * (size[top][None, :] - shared) + n[top][None, :] * (
            size[rest][:, None] - shared
        )
        into = top[np.argmin(grant, axis=1)]
        for k, target in zip(rest, into, strict=True):
            held[target] |= held[k]
            n[target] += n[k]
            owner[k] = target
    roots = np.unique(owner)  # the greedy works on these only
    held, n = held[roots], n[roots]
    place = np.arange(len(roots))
    size = held.sum(axis=1)
    shared = held @ held.T
    grant = (n[:, None] * (size[None, :] - shared) + n[None, :] * (size[:, None] - shared)).astype(
        float
    )
    grant[~np.triu(np.ones(grant.shape, dtype=bool), 1)] = np.inf
    alive = np.ones(len(roots), dtype=bool)
    for _ in range(len(roots) - most):
        i, j = divmod(int(np.argmin(grant)), len(roots))
        held[i] |= held[j]
        n[i] += n[j]
        size[i] = held[i].sum()
        place[place == j] = i
        alive[j] = False
        grant[j, :] = grant[:, j] = np.inf
        shared = held @ held[i]
        row = n[i] * (size - shared) + n * (size[i] - shared)
        grant[i, i + 1 :] = np.where(alive[i + 1 :], row[i + 1 :], np.inf)
        grant[:i, i] = np.where(alive[:i], row[:i], np.inf)
    return roots[place[np.searchsorted(roots, owner)]]
