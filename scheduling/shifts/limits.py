"""What agents can work: the headcount, rest and weekly-tour rows of the shift programme.

Each family of rows is one helper that adds its rows to the problem and returns
them as `HeadcountLimit`s (named after their domain) for the planner's report of
what bound the plan. See `scheduling.shifts.model` for the formulation.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pulp

from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.sites import Site
from scheduling.shifts.skills import SkillGroup

WEEK = pd.Timedelta(days=7)
Group = tuple[str, ...]


@dataclass(frozen=True)
class HeadcountLimit:
    """One headcount (or hours) row of the model.

    Attributes:
        name: constraint name in the problem.
        site: site name.
        period: "day" (shifts starting on one local date), "week" (shifts
            starting in one week), "hours" (paid hours of shifts starting in
            one week), "rest" (shifts that clash with the rest rule), "tours"
            (weekly mix of shift lengths), "daysoff" (shifts on a local date
            less the agents whose days off it is) or "weeks" (the agents of a
            site's exact weekly tours, `scheduling.shifts.workable`).
        first_day: the local date, or the first local date of the week.
        limit: most shifts (agent-shifts) or paid hours the row allows.
        shift_ids: the shifts the row counts.
        queues: the skill group the row counts, or () for the whole site.
    """

    name: str
    site: str
    period: str
    first_day: date
    limit: float
    shift_ids: tuple[str, ...]
    queues: tuple[str, ...] = ()


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


def headcount_constraints(
    problem: pulp.LpProblem,
    names: Names,
    x: dict[tuple[str, Group], pulp.LpVariable],
    data: list[ShiftData],
    sites: dict[str, Site],
    by_site: dict[str, list[SkillGroup]],
    horizon_start: pd.Timestamp,
    options: ScheduleOptions,
) -> dict[str, HeadcountLimit]:
    """headcount_ and hours_ rows per site, and per skill group with a roster."""
    info = {shift.shift_id: shift for shift in data}
    # (site, group or (), period, first day) -> [(shift_id, var, coefficient)]
    terms: dict[tuple[str, Group, str, date], list[tuple[str, pulp.LpVariable, float]]] = (
        defaultdict(list)
    )
    limits: dict[tuple[str, Group, str, date], float] = {}
    groups = {(g.site, g.queues): g for gs in by_site.values() for g in gs}
    for (shift_id, queues), var in x.items():
        shift = info[shift_id]
        site = shift.site
        day = shift.local_start.date()
        week = (shift.local_start - horizon_start) // WEEK
        first = (horizon_start + week * WEEK).tz_convert(site.tz).date()
        group = groups[(site.name, queues)]
        rows = []
        if site.max_agents is not None:
            rows.append(((site.name, (), "day", day), float(site.max_agents), 1.0))
            rows.append(
                (
                    (site.name, (), "week", first),
                    float(site.max_agents * options.max_days_per_week),
                    1.0,
                )
            )
        if group.agents is not None:
            free = group.available[day.weekday()] if group.available else group.agents
            rows.append(((site.name, queues, "day", day), float(free), 1.0))
            rows.append(
                (
                    (site.name, queues, "week", first),
                    float(group.agents * options.max_days_per_week),
                    1.0,
                )
            )
            if group.hours is not None:
                rows.append(((site.name, queues, "hours", first), group.hours, shift.paid_hours))
        for key, limit, coefficient in rows:
            terms[key].append((shift_id, var, coefficient))
            limits[key] = limit
    out: dict[str, HeadcountLimit] = {}
    order = {"day": 0, "week": 1, "hours": 2}
    for key in sorted(terms, key=lambda k: (k[0], k[1], order[k[2]], k[3])):
        site_name, queues, period, first = key
        group = f"_{'_'.join(queues)}" if queues else ""
        kind = "hours" if period == "hours" else "headcount"
        when = f"{first:%Y%m%d}" if period == "day" else f"week_{first:%Y%m%d}"
        name = names(f"{kind}_{site_name}{group}_{when}")
        problem += (pulp.lpSum(c * v for _, v, c in terms[key]) <= limits[key], name)
        ids = tuple(dict.fromkeys(shift_id for shift_id, _, _ in terms[key]))
        out[name] = HeadcountLimit(name, site_name, period, first, limits[key], ids, queues)
    return out


def rest_constraints(
    problem: pulp.LpProblem,
    names: Names,
    x: dict[tuple[str, Group], pulp.LpVariable],
    data: list[ShiftData],
    by_site: dict[str, list[SkillGroup]],
    horizon_start: pd.Timestamp,
    period: pd.Timedelta,
    options: ScheduleOptions,
) -> dict[str, HeadcountLimit]:
    """rest_{site}[_{group}]_{instant}: shifts one agent cannot combine, per agent.

    One agent works at most one of the shifts whose span plus `min_rest_hours`
    contains a given instant (any two of them clash), so their agents add up to
    at most the site's `max_agents` (or the group's roster agents). One row per
    shift start instant, keeping only rows not contained in another.
    """
    info = {shift.shift_id: shift for shift in data}
    rest = options.min_rest_hours * 3600
    cycle = period.total_seconds()
    groups = {(g.site, g.queues): g for gs in by_site.values() for g in gs}
    members: dict[tuple[str, Group], list[tuple[float, float, str, pulp.LpVariable]]] = defaultdict(
        list
    )
    for (shift_id, queues), var in x.items():
        shift = info[shift_id]
        begin = (shift.local_start - horizon_start).total_seconds()
        span = (begin, begin + shift.paid_hours * 3600 + rest, shift_id, var)
        if shift.site.max_agents is not None:
            members[(shift.site.name, ())].append(span)
        if groups[(shift.site.name, queues)].agents is not None:
            members[(shift.site.name, queues)].append(span)
    out: dict[str, HeadcountLimit] = {}
    for (site_name, queues), spans in sorted(members.items()):
        site = info[spans[0][2]].site
        group = groups.get((site_name, queues))
        limit = float(site.max_agents if not queues else group.agents)  # type: ignore[union-attr]
        cliques: dict[frozenset[int], float] = {}
        for instant in sorted({begin for begin, *_ in spans}):
            inside = []
            for k, (begin, reach, _, _) in enumerate(spans):
                offset = instant - begin
                if options.cyclic:
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
        label = f"_{'_'.join(queues)}" if queues else ""
        for clique in sorted(maximal, key=lambda c: cliques[c]):
            when = horizon_start + pd.Timedelta(seconds=cliques[clique])
            local = when.tz_convert(site.tz)
            name = names(f"rest_{site_name}{label}_{local:%Y%m%dT%H%M}")
            chosen = [spans[k] for k in sorted(clique)]
            problem += (pulp.lpSum(v for *_, v in chosen) <= limit, name)
            ids = tuple(dict.fromkeys(shift_id for _, _, shift_id, _ in chosen))
            out[name] = HeadcountLimit(name, site_name, "rest", local.date(), limit, ids, queues)
    return out


def days_off_constraints(
    problem: pulp.LpProblem,
    names: Names,
    x: dict[tuple[str, Group], pulp.LpVariable],
    data: list[ShiftData],
    by_site: dict[str, list[SkillGroup]],
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    options: ScheduleOptions,
) -> dict[str, HeadcountLimit]:
    """daysoff_{site}[_{group}]_{date}: agents on a day, less those whose days off it is.

    Each agent has one run of `consecutive_days_off` free days a week
    (`scheduling.shifts.daysoff`). Integer r[p] counts the agents whose run starts on
    day p of the week, summing to the agents N, and on every day d the shifts
    starting on d are at most N - sum of r[p] over the runs covering d. With
    five days a week and two in a row off this is Baker's (1974) day-off
    model, and it implies the weekly rows. Per skill group with a roster; per
    site (max_agents agents) without one.
    """
    info = {shift.shift_id: shift for shift in data}
    groups = {(g.site, g.queues): g for gs in by_site.values() for g in gs}
    members: dict[tuple[str, Group], list[tuple[ShiftData, pulp.LpVariable]]] = defaultdict(list)
    for (shift_id, queues), var in x.items():
        shift = info[shift_id]
        if groups[(shift.site.name, queues)].agents is not None:
            members[(shift.site.name, queues)].append((shift, var))
        elif shift.site.max_agents is not None:
            members[(shift.site.name, ())].append((shift, var))
    out: dict[str, HeadcountLimit] = {}
    start = horizon[0]
    for (site_name, queues), shifts in sorted(members.items()):
        site = shifts[0][0].site
        agents = groups[(site_name, queues)].agents if queues else site.max_agents
        days_off = DaysOff.of(
            options.consecutive_days_off,
            tz=site.tz,
            start=start,
            end=horizon[1],
            cyclic=options.cyclic,
        )
        first_date = start.tz_convert(site.tz).date()
        on_day: dict[int, list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
        for shift, var in shifts:
            number = (shift.local_start.date() - first_date).days
            on_day[days_off.day(number)].append((shift.shift_id, var))
        label = f"_{'_'.join(queues)}" if queues else ""
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
            problem += (
                pulp.lpSum(off) == agents,
                names(f"runs_{site_name}{label}_week_{week}"),
            )
            for day in sorted({d for run in runs for d in run}):
                covering = [r for r, run in zip(off, runs, strict=True) if day in run]
                shifts_on = on_day.get(day, [])
                if not shifts_on:
                    continue
                date_ = first_date + pd.Timedelta(days=day)
                name = names(f"daysoff_{site_name}{label}_{date_:%Y%m%d}")
                problem += (
                    pulp.lpSum(v for _, v in shifts_on) + pulp.lpSum(covering) <= agents,
                    name,
                )
                ids = tuple(dict.fromkeys(shift_id for shift_id, _ in shifts_on))
                out[name] = HeadcountLimit(
                    name, site_name, "daysoff", date_, float(agents), ids, queues
                )
    return out


def tour_constraints(
    problem: pulp.LpProblem,
    names: Names,
    x: dict[tuple[str, Group], pulp.LpVariable],
    data: list[ShiftData],
    by_site: dict[str, list[SkillGroup]],
    horizon_start: pd.Timestamp,
    options: ScheduleOptions,
) -> dict[str, HeadcountLimit]:
    """tours_{site}[_{group}]_week_{date}_{...}: shifts of each length agents can work.

    In a week one agent works a number of shifts of each length within
    `max_days_per_week` and its weekly hours. With one or two lengths, the shift
    counts a group can work are exactly the convex hull of those per-agent
    combinations summed over its agents; its facets (normals u >= 0) give rows
    sum_s u[length_s] x[s,g] <= sum_agents max_c u.c. Per skill group with a
    roster; per site (max_agents agents of max_hours_per_week) without one.
    Three or more lengths keep the days and hours rows only.
    """
    info = {shift.shift_id: shift for shift in data}
    groups = {(g.site, g.queues): g for gs in by_site.values() for g in gs}
    terms: dict[tuple[str, Group, date], list[tuple[str, float, pulp.LpVariable]]] = defaultdict(
        list
    )
    contracts: dict[tuple[str, Group], tuple[float, ...]] = {}
    for (shift_id, queues), var in x.items():
        shift = info[shift_id]
        site, group = shift.site, groups[(shift.site.name, queues)]
        week = (shift.local_start - horizon_start) // WEEK
        first = (horizon_start + week * WEEK).tz_convert(site.tz).date()
        if group.contracts is not None:
            key = (site.name, queues)
            contracts[key] = group.contracts
        elif site.max_agents is not None:
            key = (site.name, ())
            contracts[key] = (options.max_hours_per_week,) * site.max_agents
        else:
            continue
        terms[(*key, first)].append((shift_id, shift.paid_hours, var))
    out: dict[str, HeadcountLimit] = {}
    for (site_name, queues, first), members in sorted(terms.items()):
        lengths = sorted({hours for _, hours, _ in members})
        if len(lengths) > 2:
            continue
        hull = _tour_hull(lengths, contracts[(site_name, queues)], options.max_days_per_week)
        label = f"_{'_'.join(queues)}" if queues else ""
        for normal, limit in hull:
            weights = dict(zip(lengths, normal, strict=True))
            parts = "_".join(f"{u}x{length:g}h" for length, u in weights.items() if u)
            name = names(f"tours_{site_name}{label}_week_{first:%Y%m%d}_{parts}")
            problem += (
                pulp.lpSum(weights[hours] * v for _, hours, v in members if weights[hours])
                <= limit,
                name,
            )
            ids = tuple(dict.fromkeys(s for s, hours, _ in members if weights[hours]))
            out[name] = HeadcountLimit(name, site_name, "tours", first, limit, ids, queues)
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
