"""What agents can work: the headcount, rest and weekly-tour rows of the shift programme.

Each family of rows is one builder that takes the `BuildContext` (the problem,
its x variables, the candidate shifts, sites, groups and options), adds its rows
to the problem and returns them as `HeadcountLimit`s (named after their domain)
for the planner's report of what bound the plan. See `scheduling.shifts.model`
for the formulation.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pandas as pd
import pulp

from scheduling.rounding import nonzeros
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.sites import Site
from scheduling.shifts.siteweeks import (
    first_local_date,
    local_midnight,
    site_days_off,
    week_first_date,
)
from scheduling.shifts.skills import SkillGroup

Group = tuple[str, ...]


@dataclass(frozen=True)
class HeadcountLimit:
    """One headcount (or hours) row of the model.

    Attributes:
        name: constraint name in the problem.
        site: site name.
        period: "day" (shifts starting on one local date), "week" (shifts
            starting in one week), "hours" (paid hours of shifts starting in
            one week), "lead_in" and "lead_in_hours" (shifts and paid hours from
            the week's start to a date, with rolling weeks: `SkillGroup.lead_in`),
            "rest" (shifts that clash with the rest rule), "tours"
            (weekly mix of shift lengths), "daysoff" (shifts on a local date
            less the agents whose days off it is) or "weeks" (the agents of a
            site's exact weekly tours, `scheduling.shifts.workable`).
        first_day: the local date, or the first local date of the week.
        limit: most shifts (agent-shifts) or paid hours the row allows.
        shift_ids: the shifts the row counts.
        queues: the skill group the row counts, or () for the whole site.
        who: the class of the skill group the row counts in words
            (`SkillGroup.who`), or "" for the whole group or site.
    """

    name: str
    site: str
    period: str
    first_day: date
    limit: float
    shift_ids: tuple[str, ...]
    queues: tuple[str, ...] = ()
    who: str = ""


# Candidate break starts that take the same share of the same intervals, and those shares.
BreakClass = tuple[tuple[pd.Timestamp, ...], dict[int, float]]


@dataclass
class ShiftData:
    """One candidate shift in the numbers the builders need."""

    position: int
    shift_id: str
    site: Site
    local_start: pd.Timestamp
    paid_hours: float
    spans: dict[int, float]  # interval -> share spanned, breaks not taken off
    # Per break rule (options.break_rules order), its candidate breaks, one class per
    # distinct cover ([] for a rule without one); [] when no rule gives the shift a break.
    rule_breaks: list[list[BreakClass]]


class Names:
    """Unique constraint names after PuLP's character clean-up."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.count = 0

    def counter(self) -> int:
        """A fresh number for variable names."""
        self.count += 1
        return self.count

    def __call__(self, raw: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_.]", "_", raw)
        unique, k = name, 1
        while unique in self.used:
            k += 1
            unique = f"{name}_{k}"
        self.used.add(unique)
        return unique


@dataclass(frozen=True)
class Population:
    """The agents one family of rows counts: a roster skill group, a class of one, or a site.

    Attributes:
        site: the site.
        queues: the skill group's queues, or () for every agent of the site.
        agents: how many agents (the group's or class's roster agents, or the
            site's `max_agents`).
        contracts: each agent's most paid hours in a week, hours (the group's
            roster contracts, or `max_hours_per_week` for each of the site's
            agents); None for a group made without them.
        group: the roster skill group or class, or None for the site.
    """

    site: Site
    queues: Group
    agents: int
    contracts: tuple[float, ...] | None
    group: SkillGroup | None = None

    @property
    def part(self) -> str:
        """The class tag (`SkillGroup.part`), "" for a whole group or site."""
        return self.group.part if self.group is not None else ""

    @property
    def who(self) -> str:
        """The class in words (`SkillGroup.who`), "" for a whole group or site."""
        return self.group.who if self.group is not None else ""

    @property
    def key(self) -> tuple[str, Group, str]:
        """(site name, queues, class); each family adds its populations' rows in this order."""
        return (self.site.name, self.queues, self.part)

    @property
    def label(self) -> str:
        """The part of a row name that names the group and class (`group_tag`)."""
        return group_tag(self.queues) + (f"_{self.part}" if self.part else "")


def group_tag(queues: Group) -> str:
    """The part of a row name that names a skill group: "_chat_phone", or "" for a site."""
    return f"_{'_'.join(queues)}" if queues else ""


@dataclass
class BuildContext:
    """What every row builder of the shift programme reads, and the problem it extends.

    Attributes:
        problem: the programme; builders add their rows (and any variables) to it.
        names: unique constraint names, shared by every builder.
        x: agents per (shift_id, skill group queues).
        data: the candidate shifts.
        by_site: the skill groups of each site, sorted by queues.
        horizon: (start, end) of the plan, tz-aware UTC.
        options: `max_days_per_week`, `max_hours_per_week`, `min_rest_hours`,
            `consecutive_days_off`, `cyclic`.
        parts: for the x of a skill group with classes (`SkillGroup.classes`),
            each class that may work the shift and its agents y (sum y = x).
        rest_sums: whether `rest_constraints` writes its rows on running sums;
            None: it decides by size (`REST_SUMS_FROM`) and sets it.
    """

    problem: pulp.LpProblem
    names: Names
    x: dict[tuple[str, Group], pulp.LpVariable]
    data: list[ShiftData]
    by_site: dict[str, list[SkillGroup]]
    horizon: tuple[pd.Timestamp, pd.Timestamp]
    options: ScheduleOptions
    parts: dict[tuple[str, Group], list[tuple[SkillGroup, pulp.LpVariable]]] = field(
        default_factory=dict
    )
    rest_sums: bool | None = None
    _populations: dict[tuple[str, Group, str], list[Population]] = field(
        default_factory=dict, init=False, repr=False
    )

    @cached_property
    def shift_of(self) -> dict[str, ShiftData]:
        """The candidate shifts by shift_id."""
        return {shift.shift_id: shift for shift in self.data}

    @cached_property
    def groups(self) -> dict[tuple[str, Group], SkillGroup]:
        """The skill groups by (site name, queues)."""
        return {(g.site, g.queues): g for gs in self.by_site.values() for g in gs}

    def variables(self) -> Iterator[tuple[ShiftData, Group, pulp.LpVariable]]:
        """(shift, group queues, x) for every x, in the order x was made."""
        for (shift_id, queues), var in self.x.items():
            yield self.shift_of[shift_id], queues, var

    def counted(
        self, *, by: str = "agents", finest: bool = False
    ) -> Iterator[tuple[ShiftData, Population, pulp.LpVariable]]:
        """(shift, population, its agents on the shift) for every row family to count.

        Each x is counted by its roster skill group (or, for a group with
        classes, each class by its y) and by its capped site (`populations`);
        `finest` keeps only the first of those: the roster's, else the site's.
        """
        for shift, queues, var in self.variables():
            found = self.populations(shift, queues, by=by)
            for population in found[:1] if finest else found:
                if population.queues and (shift.shift_id, queues) in self.parts:
                    for part, y in self.parts[(shift.shift_id, queues)]:
                        yield shift, _class_population(population, part), y
                else:
                    yield shift, population, var

    def week_start(self, shift: ShiftData) -> date:
        """The first local date of the week (`scheduling.shifts.siteweeks`) the shift starts in."""
        return week_first_date(shift.site, self.horizon[0], shift.local_start)

    def populations(
        self, shift: ShiftData, queues: Group, *, by: str = "agents"
    ) -> list[Population]:
        """Who may work x[shift, queues]: its roster skill group, then its capped site.

        Args:
            shift: the shift.
            queues: the x's skill group.
            by: the group's field that makes it a roster group ("agents", or
                "contracts" for rows that need each agent's hours: groups made
                by hand may have agents and no contracts).

        Returns:
            The skill group when its `by` is set, then the whole site when it has
            `max_agents`: none, one or both.
        """
        key = (shift.site.name, queues, by)
        if key not in self._populations:
            self._populations[key] = self._find_populations(shift.site, queues, by)
        return self._populations[key]

    def _find_populations(self, site: Site, queues: Group, by: str) -> list[Population]:
        group = self.groups[(site.name, queues)]
        out = []
        if getattr(group, by) is not None:
            out.append(Population(site, queues, group.agents, group.contracts, group))  # type: ignore[arg-type]
        if site.max_agents is not None:
            contracts = (self.options.max_hours_per_week,) * site.max_agents
            out.append(Population(site, (), site.max_agents, contracts))
        return out


def _class_population(population: Population, part: SkillGroup) -> Population:
    """The population of one class of a roster group."""
    return Population(population.site, population.queues, part.agents, part.contracts, part)  # type: ignore[arg-type]


def headcount_constraints(context: BuildContext) -> dict[str, HeadcountLimit]:
    """headcount_ and hours_ rows per site, and per skill group (or class) with a roster."""
    # (population key, period, first day) -> [(shift_id, var, coefficient)]
    terms: dict[_RowKey, list[tuple[str, pulp.LpVariable, float]]] = defaultdict(list)
    limits: dict[_RowKey, float] = {}
    who: dict[_RowKey, Population] = {}
    for shift, population, var in context.counted():
        for key, limit, coefficient in _headcount_terms(context, shift, population):
            terms[key].append((shift.shift_id, var, coefficient))
            limits[key] = limit
            who[key] = population
    out: dict[str, HeadcountLimit] = {}
    order = {"day": 0, "week": 1, "hours": 2, "lead_in": 3, "lead_in_hours": 4}
    for key in sorted(terms, key=lambda k: (k[0], order[k[1]], k[2])):
        (site_name, queues, _), period, first = key
        population = who[key]
        kind = "hours" if period.endswith("hours") else "headcount"
        when = {"day": "", "lead_in": "to_", "lead_in_hours": "to_"}.get(period, "week_")
        when += f"{first:%Y%m%d}"
        name = context.names(f"{kind}_{site_name}{population.label}_{when}")
        context.problem += (pulp.lpSum(c * v for _, v, c in terms[key]) <= limits[key], name)
        ids = tuple(dict.fromkeys(shift_id for shift_id, _, _ in terms[key]))
        out[name] = HeadcountLimit(
            name, site_name, period, first, limits[key], ids, queues, population.who
        )
    return out


# (population key, period, first local day) of one headcount_ or hours_ row.
_RowKey = tuple[tuple[str, Group, str], str, date]


def _headcount_terms(
    context: BuildContext, shift: ShiftData, population: Population
) -> list[tuple[_RowKey, float, float]]:
    """(row key, limit, coefficient) of each headcount_ and hours_ row counting the shift."""
    day = shift.local_start.date()
    first = context.week_start(shift)
    max_days = context.options.max_days_per_week
    key = population.key
    group = population.group
    if group is None:  # the site's max_agents
        return [
            ((key, "day", day), float(population.agents), 1.0),
            ((key, "week", first), float(population.agents * max_days), 1.0),
        ]
    free = group.available[day.weekday()] if group.available else group.agents
    if group.released:
        free -= group.blocked(local_midnight(shift.local_start), day.weekday())
    if group.lead_off or group.lead_in:  # rolling weeks: days from the run's day 0
        day0 = first_local_date(shift.site, context.horizon[0])
        free -= group.kept_off((day - day0).days, day.weekday(), local_midnight(shift.local_start))
    rows = [
        ((key, "day", day), float(free), 1.0),
        ((key, "week", first), float(population.agents * max_days), 1.0),
    ]
    if group.hours is not None:
        rows.append(((key, "hours", first), group.hours, shift.paid_hours))
    for last, (days, hours) in enumerate(group.lead_in):
        if (day - day0).days <= last:  # (day0 is set above whenever lead_in is)
            end = day0 + pd.Timedelta(days=last)
            rows.append(((key, "lead_in", end), days, 1.0))
            rows.append(((key, "lead_in_hours", end), hours, shift.paid_hours))
    return rows


# A shift's reach under the rest rule: (begin, end + min_rest, shift_id, x), seconds
# after the horizon start.
_Span = tuple[float, float, str, pulp.LpVariable]


def rest_constraints(context: BuildContext) -> dict[str, HeadcountLimit]:
    """rest_{site}[_{group}]_{instant}: shifts one agent cannot combine, per agent.

    One agent works at most one of the shifts whose span plus `min_rest_hours`
    contains a given instant (any two of them clash), so their agents add up to
    at most the site's `max_agents` (or the group's roster agents). One row per
    shift start instant, keeping only rows not contained in another.

    Each row holds every shift that reaches its instant: with many skill groups
    that is most of a large programme (3.3 of 5.1 million nonzeros for a week of
    400 agents with mixed skills at 60 minutes). When the programme so far and
    these rows reach `REST_SUMS_FROM` nonzeros (`BuildContext.rest_sums`), each
    row is written on running sums instead (`_RunningSums`): the same rows
    after substitution, a few terms each.
    """
    rest = context.options.min_rest_hours * 3600
    start = context.horizon[0]
    members: dict[tuple[str, Group, str], tuple[Population, list[_Span]]] = {}
    for shift, population, var in context.counted():
        begin = (shift.local_start - start).total_seconds()
        span = (begin, begin + shift.paid_hours * 3600 + rest, shift.shift_id, var)
        members.setdefault(population.key, (population, []))[1].append(span)
    found = [
        (population, spans, _rest_cliques(context, spans))
        for _, (population, spans) in sorted(members.items(), key=lambda item: item[0])
    ]
    if context.rest_sums is None:
        direct = sum(len(clique) for *_, cliques in found for clique, _ in cliques)
        context.rest_sums = nonzeros(context.problem) + direct >= REST_SUMS_FROM
    out: dict[str, HeadcountLimit] = {}
    for population, spans, cliques in found:
        limit = float(population.agents)
        site = population.site
        sums = _RunningSums(context, population, spans) if context.rest_sums and cliques else None
        for clique, instant in cliques:
            local = (start + pd.Timedelta(seconds=instant)).tz_convert(site.tz)
            name = context.names(f"rest_{site.name}{population.label}_{local:%Y%m%dT%H%M}")
            chosen = [spans[k] for k in sorted(clique)]
            if sums is None:
                context.problem += (pulp.lpSum(v for *_, v in chosen) <= limit, name)
            else:
                context.problem += (sums.window(instant) <= limit, name)
            ids = tuple(dict.fromkeys(shift_id for _, _, shift_id, _ in chosen))
            out[name] = HeadcountLimit(
                name, site.name, "rest", local.date(), limit, ids, population.queues, population.who
            )
    return out


REST_SUMS_FROM = 3_000_000
"""Nonzeros (the programme as written so far and its rest rows written directly)
from which the rest rows are written on running sums. Only where the direct rows are too
much for the interior-point relaxation (`scheduling.rounding`): a week of 150
agents with random skill mixes at 60 minutes (2.6 million nonzeros) solved
with them, one of 400 (5.1 million, 3.3 of it rest rows) did not finish and
had no schedule. The peak benchmark's four-profile week (about a million)
keeps them: its plans on sums came out 474,926.31 and 476,699.41 in two runs
against 431,279.58 and 458,564.73 direct (`benchmarks/README.md`,
peak_season.py)."""


class _RunningSums:
    """Running sums of one population's shifts, for rest rows of a few terms.

    The shifts of one reach L (paid hours + rest, seconds) that reach instant T
    are those starting in (T - L, T] (in a cyclic horizon, round its end), so
    with S_L(b) the agents on the shifts of reach L starting at or before b,
    a rest row is sum over reaches L of S_L(T) - S_L(T - L) <= agents. Each
    S_L(b) is a continuous variable s >= 0 with

        restsum_{site}[_{group}]_{k}_{j}: s[L, b_j] = s[L, b_(j-1)] + (agents on
                                           the shifts of reach L starting at b_j)

    over the population's distinct starts b_1 < b_2 < ..., so each shift is
    written once per population, not once per row that counts it.
    """

    def __init__(self, context: BuildContext, population: Population, spans: list[_Span]) -> None:
        self.cycle = (
            (context.horizon[1] - context.horizon[0]).total_seconds()
            if context.options.cyclic
            else None
        )
        starting: dict[float, dict[float, list[pulp.LpVariable]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for begin, reach, _, var in spans:
            starting[reach - begin][self._on_clock(begin)].append(var)
        self.sums: list[tuple[float, list[float], list[pulp.LpVariable]]] = []
        problem, names = context.problem, context.names
        site = population.site.name
        for k, length in enumerate(sorted(starting)):
            begins = sorted(starting[length])
            sums: list[pulp.LpVariable] = []
            for j, begin in enumerate(begins):
                total = problem.add_variable(f"s_{names.counter()}", lowBound=0)
                terms = [(total, 1.0)] + [(var, -1.0) for var in starting[length][begin]]
                if sums:
                    terms.append((sums[-1], -1.0))
                name = names(f"restsum_{site}{population.label}_{k}_{j}")
                problem += (pulp.LpAffineExpression(terms) == 0, name)
                sums.append(total)
            self.sums.append((length, begins, sums))

    def _on_clock(self, seconds: float) -> float:
        return seconds % self.cycle if self.cycle is not None else seconds

    def window(self, instant: float) -> pulp.LpAffineExpression:
        """The agents on the population's shifts that reach `instant` (seconds
        after the horizon start), as running sums."""
        at = self._on_clock(instant)
        terms: dict[pulp.LpVariable, float] = defaultdict(float)
        for length, begins, sums in self.sums:
            _add_sum(terms, begins, sums, at, 1.0)
            if self.cycle is not None and at - length < 0:  # round the end of the week
                _add_sum(terms, begins, sums, self.cycle, 1.0)
                _add_sum(terms, begins, sums, at - length + self.cycle, -1.0)
            else:
                _add_sum(terms, begins, sums, at - length, -1.0)
        return pulp.LpAffineExpression([(var, c) for var, c in terms.items() if c])


def _add_sum(
    terms: dict[pulp.LpVariable, float],
    begins: list[float],
    sums: list[pulp.LpVariable],
    upto: float,
    sign: float,
) -> None:
    """Add sign x (the running sum of the shifts starting at or before `upto`)."""
    count = bisect.bisect_right(begins, upto)
    if count:
        terms[sums[count - 1]] += sign


def _rest_cliques(context: BuildContext, spans: list[_Span]) -> list[tuple[frozenset[int], float]]:
    """The maximal sets of spans that share an instant, with their first such start.

    Returns:
        (positions in `spans`, seconds after the horizon start) in time order.
    """
    cycle = (context.horizon[1] - context.horizon[0]).total_seconds()
    cliques: dict[frozenset[int], float] = {}
    for instant in sorted({begin for begin, *_ in spans}):
        inside = []
        for k, (begin, reach, _, _) in enumerate(spans):
            offset = instant - begin
            if context.options.cyclic:
                offset %= cycle
            if 0 <= offset < reach - begin:
                inside.append(k)
        if len(inside) > 1:
            cliques.setdefault(frozenset(inside), instant)
    kept = sorted(cliques, key=lambda c: (-len(c), cliques[c]))
    maximal: list[frozenset[int]] = []
    for clique in kept:
        if not any(clique <= bigger for bigger in maximal):
            maximal.append(clique)
    return [(clique, cliques[clique]) for clique in sorted(maximal, key=lambda c: cliques[c])]


# A shift and its x.
_Member = tuple[ShiftData, pulp.LpVariable]


def days_off_constraints(context: BuildContext) -> dict[str, HeadcountLimit]:
    """daysoff_{site}[_{group}]_{date}: agents on a day, less those whose days off it is.

    Each agent has one run of `consecutive_days_off` free days a week
    (`scheduling.shifts.daysoff`). Integer r[p] counts the agents whose run starts on
    day p of the week, summing to the agents N, and on every day d the shifts
    starting on d are at most N - sum of r[p] over the runs covering d. With
    five days a week and two in a row off this is Baker's (1974) day-off
    model, and it implies the weekly rows. Per skill group with a roster; per
    site (max_agents agents) without one.
    """
    members: dict[tuple[str, Group, str], tuple[Population, list[_Member]]] = {}
    for shift, population, var in context.counted(finest=True):
        members.setdefault(population.key, (population, []))[1].append((shift, var))
    out: dict[str, HeadcountLimit] = {}
    for _, (population, shifts) in sorted(members.items(), key=lambda item: item[0]):
        out.update(_days_off_rows(context, population, shifts))
    return out


def _days_off_rows(
    context: BuildContext,
    population: Population,
    shifts: list[_Member],
) -> dict[str, HeadcountLimit]:
    """The runs_ and daysoff_ rows of one population (see `days_off_constraints`)."""
    problem, names = context.problem, context.names
    site, agents = population.site, population.agents
    days_off = site_days_off(site, context.horizon, context.options)
    first_date = first_local_date(site, context.horizon[0])
    on_day: dict[int, list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
    for shift, var in shifts:
        number = (shift.local_start.date() - first_date).days
        on_day[days_off.day(number)].append((shift.shift_id, var))
    label = population.label
    out: dict[str, HeadcountLimit] = {}
    for week in days_off.weeks():
        runs = days_off.runs(week)
        if not runs:
            continue
        off = [
            problem.add_variable(
                f"r_{names.counter()}", lowBound=0, upBound=agents, cat=pulp.LpInteger
            )
            for _ in runs
        ]
        problem += (pulp.lpSum(off) == agents, names(f"runs_{site.name}{label}_week_{week}"))
        for day in sorted({d for run in runs for d in run}):
            covering = [r for r, run in zip(off, runs, strict=True) if day in run]
            shifts_on = on_day.get(day, [])
            if not shifts_on:
                continue
            date_ = first_date + pd.Timedelta(days=day)
            name = names(f"daysoff_{site.name}{label}_{date_:%Y%m%d}")
            problem += (
                pulp.lpSum(v for _, v in shifts_on) + pulp.lpSum(covering) <= agents,
                name,
            )
            ids = tuple(dict.fromkeys(shift_id for shift_id, _ in shifts_on))
            out[name] = HeadcountLimit(
                name,
                site.name,
                "daysoff",
                date_,
                float(agents),
                ids,
                population.queues,
                population.who,
            )
    return out


def tour_constraints(context: BuildContext) -> dict[str, HeadcountLimit]:
    """tours_{site}[_{group}]_week_{date}_{...}: shifts of each length agents can work.

    In a week one agent works a number of shifts of each length within
    `max_days_per_week` and its weekly hours. With one or two lengths, the shift
    counts a group can work are exactly the convex hull of those per-agent
    combinations summed over its agents; its facets (normals u >= 0) give rows
    sum_s u[length_s] x[s,g] <= sum_agents max_c u.c. Per skill group with a
    roster (with contracts); per site (max_agents agents of max_hours_per_week)
    without one. Three or more lengths keep the days and hours rows only.
    """
    terms: dict[tuple[tuple[str, Group, str], date], list[tuple[str, float, pulp.LpVariable]]] = (
        defaultdict(list)
    )
    populations: dict[tuple[str, Group, str], Population] = {}
    for shift, population, var in context.counted(by="contracts", finest=True):
        populations[population.key] = population
        first = context.week_start(shift)
        terms[(population.key, first)].append((shift.shift_id, shift.paid_hours, var))
    out: dict[str, HeadcountLimit] = {}
    max_days = context.options.max_days_per_week
    for (key, first), members in sorted(terms.items()):
        population = populations[key]
        lengths = sorted({hours for _, hours, _ in members})
        if len(lengths) > 2:
            continue
        hull = _tour_hull(lengths, population.contracts, max_days)  # type: ignore[arg-type]
        for normal, limit in hull:
            weights = dict(zip(lengths, normal, strict=True))
            parts = "_".join(f"{u}x{length:g}h" for length, u in weights.items() if u)
            name = context.names(f"tours_{key[0]}{population.label}_week_{first:%Y%m%d}_{parts}")
            context.problem += (
                pulp.lpSum(weights[hours] * v for _, hours, v in members if weights[hours])
                <= limit,
                name,
            )
            ids = tuple(dict.fromkeys(s for s, hours, _ in members if weights[hours]))
            out[name] = HeadcountLimit(
                name, key[0], "tours", first, limit, ids, population.queues, population.who
            )
    return out


def _tour_hull(
    lengths: Sequence[float], contracts: Sequence[float], max_days: int
) -> list[tuple[tuple[int, ...], float]]:
    """Facets (u, sum of per-agent maxima of u.c) of the agents' weekly shift counts.

    `lengths` has one or two shift lengths (hours); each agent works c shifts of
    each length with sum(c) <= max_days and sum(length * c) <= its contract.
    """
    normals: set[tuple[int, ...]] = set()
    points_of: dict[float, list[tuple[int, ...]]] = {}
    for hours in sorted(set(contracts)):
        points = [
            combo
            for combo in itertools.product(range(max_days + 1), repeat=len(lengths))
            if sum(combo) <= max_days
            and sum(n * length for n, length in zip(combo, lengths, strict=True)) <= hours + 1e-9
        ]
        points_of[hours] = points
        normals.update(_upper_facets(points))
    out = []
    for normal in sorted(normals):
        limit = sum(
            max(sum(u * n for u, n in zip(normal, p, strict=True)) for p in points_of[hours])
            for hours in contracts
        )
        out.append((normal, float(limit)))
    return out


def _upper_facets(points: list[tuple[int, ...]]) -> set[tuple[int, ...]]:
    """Outward normals u >= 0 (coprime integers) of the hull of 1-D or 2-D points."""
    if len(points[0]) == 1:
        return {(1,)}
    ordered = sorted(set(points))
    if len(ordered) < 3:
        return {(1, 0), (0, 1)}
    lower: list[tuple[int, ...]] = []
    upper: list[tuple[int, ...]] = []
    for p in ordered:  # Andrew's monotone chain, counter-clockwise
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(ordered):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = lower[:-1] + upper[:-1]
    # The axis normals always: collinear points (all weeks on one axis) leave a
    # flat ring whose edges miss the bound along that axis.
    normals = {(1, 0), (0, 1)}
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        u = (b[1] - a[1], a[0] - b[0])
        if u[0] >= 0 and u[1] >= 0 and any(u):
            g = math.gcd(*u)
            normals.add((u[0] // g, u[1] // g))
    return normals


def _cross(o: tuple[int, ...], a: tuple[int, ...], b: tuple[int, ...]) -> int:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
