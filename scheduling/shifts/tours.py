"""Weekly tours as a flow network: which shifts a site's agents can really work.

The aggregate rows of the shift programme (`scheduling.shifts.limits`) are each valid
but not exact together: a set of shifts can pass every one of them and still
need more agents than there are once rest and days off meet. This module gives
the exact test for one repeating week and interchangeable agents.

An agent's week is a run of `run` local days off starting on day p (p = 0..6,
days wrapped round the week), then the other 7 - run days in order, on each at
most one shift. Per p the working days form layers of a flow, one unit of flow
per agent. Between one layer (day) and the next, an agent who worked shift a
may take a shift b of the next day only if b starts at least `rest` seconds
after a ends; a chain over the next day's distinct start instants, in time
order, carries each agent from the first start it may take to the one it does
take (or to idle). An idle day releases the agent at once. The chain has one
arc per start instead of one per pair of shifts, so the network is small.

    source:  sum_b u[p,0,b] + idle[p,0] = f[p]
    chain:   c[k-1] + in[k] - sum_{b starting at k} u[p,j+1,b] - c[k] = 0
    end:     c[K-1] + in[K] - idle[p,j+1] = 0
    link:    sum_p u[p,j(b),b] = count of b
    agents:  sum_p f[p] <= agents

where in[k] are the agents of day j (idle[p,j] and the u[p,j,a]) whose rest
ends after start k-1 and by start k (in[0]: by the first; in[K]: after the last).

Every agent's week is a path, so the network is a relaxation of the tour
rules whenever the horizon is one repeating week. It is exact (every integral
flow splits into legal weeks; `decompose` does it) when in addition no agent
can be stopped by a rule the network leaves out: at most `max_days` days and
`max_hours` hours are never binding (7 - run days of the longest shift fit),
and shifts two or more days apart never break the rest rule (`exact`).
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import pulp

from scheduling.solver import solve_problem

DAYS = 7
_EPS = 1e-6


@dataclass(frozen=True)
class TourShift:
    """One shift of the week in the numbers the network needs.

    Attributes:
        key: identifies the shift (or shift and skill group) to the caller.
        day: local day of the repeating week, 0-6 (numbered from the horizon's
            first local date at the site, wrapped).
        begin: start, seconds after the horizon start, moved back by whole
            weeks so that it lies on the first copy of `day`.
        finish: end, seconds after the horizon start, moved like `begin`.
        hours: paid hours.
    """

    key: Hashable
    day: int
    begin: float
    finish: float
    hours: float


def tour_shift(
    key: Hashable, *, dayno: int, begin: float, finish: float, hours: float
) -> TourShift:
    """A `TourShift` from a local day number since the horizon start (may be >= 7)."""
    weeks = dayno // DAYS
    shift_back = weeks * DAYS * 86400.0
    return TourShift(key, dayno % DAYS, begin - shift_back, finish - shift_back, hours)


@dataclass(frozen=True)
class TourRules:
    """The rules of one population of agents.

    Attributes:
        run: local days off in a row each week (>= 1).
        rest: least rest between shifts, seconds.
        max_days: most shifts a week.
        max_hours: most paid hours a week.
    """

    run: int
    rest: float
    max_days: int
    max_hours: float


@dataclass
class _Layer:
    day: int
    units: dict[Hashable, pulp.LpVariable]
    idle: pulp.LpVariable


@dataclass
class _Pattern:
    first_off: int
    agents: pulp.LpVariable
    layers: list[_Layer] = field(default_factory=list)


@dataclass
class TourNetwork:
    """The variables of one population's network, for `decompose`."""

    patterns: list[_Pattern]
    shifts: dict[Hashable, TourShift]
    rest: float


def exact(shifts: Sequence[TourShift], rules: TourRules) -> bool:
    """True when every integral flow of the network is a set of legal weeks.

    The network checks the rest rule between consecutive days only and ignores
    the weekly days and hours; this holds when no two shifts two or more days
    apart clash on rest and 7 - run shifts of the longest length fit both caps.
    """
    if rules.run < 1:
        return False
    if not shifts:
        return True
    working = DAYS - rules.run
    longest = max(s.hours for s in shifts)
    if rules.max_days < working or longest * working > rules.max_hours + _EPS:
        return False
    latest = defaultdict(lambda: float("-inf"))
    earliest = defaultdict(lambda: float("inf"))
    for s in shifts:
        latest[s.day] = max(latest[s.day], s.finish + rules.rest)
        earliest[s.day] = min(earliest[s.day], s.begin)
    for d in latest:
        for gap in range(2, DAYS):
            e = (d + gap) % DAYS
            if e in earliest and earliest[e] + _wrap(d, e) < latest[d] - _EPS:
                return False
    return True


def add_network(
    problem: pulp.LpProblem,
    shifts: Sequence[TourShift],
    counts: Mapping[Hashable, object],
    *,
    run: int,
    rest: float,
    agents: float | None,
    tag: str,
    integer: bool = True,
) -> TourNetwork:
    """Add the network of one population to `problem`.

    Args:
        problem: the problem to extend.
        shifts: the population's shifts (keys unique).
        counts: per key, the agents working it (a number or a PuLP expression).
        run: local days off in a row each week (>= 1).
        rest: least rest between shifts, seconds.
        agents: the population's agents, or None for no cap.
        tag: prefix of the network's row and variable names, unique in the
            problem and made of letters, digits and underscores.
        integer: integer agents per pattern and shift (exact); False relaxes them.

    Returns:
        The network's variables.
    """
    cat = pulp.LpInteger if integer else pulp.LpContinuous
    numbers = itertools.count()

    def name(kind: str) -> str:
        return f"{tag}_{kind}_{next(numbers)}"

    on_day: dict[int, list[TourShift]] = defaultdict(list)
    for s in sorted(shifts, key=lambda s: (s.begin, str(s.key))):
        on_day[s.day].append(s)
    network = TourNetwork([], {s.key: s for s in shifts}, rest)
    uses: dict[Hashable, list[pulp.LpVariable]] = defaultdict(list)
    for p in range(DAYS):
        pattern = _Pattern(p, problem.add_variable(name("f"), lowBound=0, cat=cat))
        for j in range(DAYS - run):
            day = (p + run + j) % DAYS
            units = {}
            for s in on_day.get(day, []):
                units[s.key] = problem.add_variable(name("u"), lowBound=0, cat=cat)
                uses[s.key].append(units[s.key])
            idle = problem.add_variable(name("idle"), lowBound=0)
            pattern.layers.append(_Layer(day, units, idle))
        first = pattern.layers[0]
        problem += (
            pulp.lpSum(first.units.values()) + first.idle == pattern.agents,
            name("source"),
        )
        for before, after in zip(pattern.layers, pattern.layers[1:], strict=False):
            _chain(problem, network, before, after, name)
        network.patterns.append(pattern)
    for s in shifts:
        problem += (pulp.lpSum(uses[s.key]) == counts[s.key], name("link"))
    if agents is not None:
        problem += (
            pulp.lpSum(p.agents for p in network.patterns) <= agents,
            name("agents"),
        )
    return network


def _chain(
    problem: pulp.LpProblem,
    network: TourNetwork,
    before: _Layer,
    after: _Layer,
    name: Callable[[str], str],
) -> None:
    """Rows carrying the agents of one day to the next day's shifts or idle."""
    starts = sorted({network.shifts[key].begin for key in after.units})
    wrap = _wrap(before.day, after.day)
    enter: dict[int, list[pulp.LpVariable]] = defaultdict(list)
    enter[0].append(before.idle)
    for key, var in before.units.items():
        s = network.shifts[key]
        enter[bisect.bisect_left(starts, s.finish + network.rest - wrap - _EPS)].append(var)
    leave: dict[int, list[pulp.LpVariable]] = defaultdict(list)
    for key, var in after.units.items():
        leave[starts.index(network.shifts[key].begin)].append(var)
    carried: pulp.LpVariable | int = 0
    for k in range(len(starts)):
        carry = problem.add_variable(name("c"), lowBound=0)
        problem += (
            carried + pulp.lpSum(enter[k]) - pulp.lpSum(leave[k]) - carry == 0,
            name("chain"),
        )
        carried = carry
    problem += (
        carried + pulp.lpSum(enter[len(starts)]) - after.idle == 0,
        name("end"),
    )


def _wrap(day: int, later: int) -> float:
    """Seconds to add to `later`'s times when it comes after `day` round the week's end."""
    return DAYS * 86400.0 if later <= day else 0.0


def decompose(network: TourNetwork) -> list[list[Hashable]]:
    """Split a solved integral network into weeks, one list of shift keys per agent.

    Per pattern and day, the day's shift units in start order each go to an
    agent of the pattern free by then (released longest ago first; idle agents
    are free at once). The chain rows guarantee one exists.

    Returns:
        Weeks in pattern order, each its keys in day order; agents of a pattern
        who work no shift are left out.
    """
    weeks: list[list[Hashable]] = []
    for pattern in network.patterns:
        n = _whole(pattern.agents)
        release = [float("-inf")] * n
        shifts_of: list[list[Hashable]] = [[] for _ in range(n)]
        previous = None
        for layer in pattern.layers:
            wrap = 0.0 if previous is None else _wrap(previous, layer.day)
            units = sorted(
                (network.shifts[key].begin, str(key), key)
                for key, var in layer.units.items()
                for _ in range(_whole(var))
            )
            free = sorted(range(n), key=lambda a: (release[a] - wrap, a))
            worked: dict[int, float] = {}
            for begin, _, key in units:
                agent = next(
                    a for a in free if a not in worked and release[a] - wrap <= begin + _EPS
                )
                worked[agent] = network.shifts[key].finish + network.rest
                shifts_of[agent].append(key)
            release = [worked.get(a, float("-inf")) for a in range(n)]
            previous = layer.day
        weeks.extend(keys for keys in shifts_of if keys)
    return weeks


def _whole(var: pulp.LpVariable) -> int:
    return max(round(var.varValue or 0.0), 0)


def fill_weeks(
    shifts: Sequence[TourShift],
    counts: Mapping[Hashable, int],
    *,
    run: int,
    rest: float,
    agents: int | None,
    solver: str,
    time_limit_seconds: float,
    node_limit: int | None = None,
) -> list[list[Hashable]]:
    """Weeks for interchangeable agents that work as many paid hours of the units as possible.

    Among fillings of equal hours, the fewest agents. Exact (every week legal
    under the rules) when `exact` holds for the shifts.

    Args:
        shifts: the shifts (keys unique).
        counts: units of each shift to fill, agents (>= 0).
        run: local days off in a row each week (>= 1).
        rest: least rest between shifts, seconds.
        agents: the agents there are, or None for as many as needed.
        solver: "highs" or "cbc".
        time_limit_seconds: solver limit, seconds.
        node_limit: most branch-and-bound nodes (HiGHS), or None.

    Returns:
        One list of shift keys per agent who works (see `decompose`).
    """
    units = sum(int(counts[s.key]) for s in shifts)
    if not units:
        return []
    problem = pulp.LpProblem("tours", pulp.LpMaximize)
    fill = {
        s.key: problem.add_variable(
            f"fill_{k}", lowBound=0, upBound=int(counts[s.key]), cat=pulp.LpInteger
        )
        for k, s in enumerate(shifts)
    }
    network = add_network(problem, shifts, fill, run=run, rest=rest, agents=agents, tag="tour")
    smallest = min(s.hours for s in shifts)
    # Hours first; one agent fewer is worth less than any change of filled hours.
    per_agent = smallest / (2 * (units + 1))
    problem.setObjective(
        pulp.lpSum(s.hours * fill[s.key] for s in shifts)
        - per_agent * pulp.lpSum(p.agents for p in network.patterns)
    )
    solve_problem(
        problem,
        solver=solver,
        time_limit_seconds=time_limit_seconds,
        gap=0.0,
        node_limit=node_limit,
    )
    return decompose(network)
