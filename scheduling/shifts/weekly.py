"""The assignment by whole weeks: column generation over the agents' weeks of one site.

Agents of a site alike in every rule (skills, unavailable weekdays, weekly
hours, days worked before the horizon, release, owed a weekend) form a class c
of n_c agents. A week p of c is a set of slots one such agent can work
(`scheduling.shifts.assign`'s rules), worth v_p = its paid hours -
`WEEKEND_DUE_STEP` per weekend shift for an agent owed a weekend - the convex
weekend cost sum_{k <= K} k `WEEKEND_STEP` of its K weekend days, as in the
assignment programme's objective, + a tie-break: each slot's `short_if_left`
scaled so that all of them together are worth `TIE_HOURS` (when the roster
cannot fill every slot, of two answers filling the same hours the one leaving
the slots the plan misses least is worth more). Then

    maximise   sum_p v_p z_p
    subject to sum_{p holding slot r} z_p <= count_r      fill_{r}
               sum_{p of c} z_p <= n_c                    agents_{c}
               sum_p z_p <= M                             site (with max_agents M)
               z_p >= 0 integer

is the assignment programme with the symmetry between alike agents taken out
(Dantzig-Wolfe; as in crew and nurse rostering). Its linear relaxation is
solved by generating weeks: a class's week that prices out under the duals
comes from a greedy pass over its slots cheapest first (`assign._fits`, no
proof), else from an exact pricing: the walk over one agent's day patterns
(`scheduling.shifts.patterns`), or where it does not apply one agent's own
small programme (the assignment's rows for one agent); either gives the best
week, or shows none prices out. When every class was
priced exactly at the same duals, the relaxation's value plus n_c times each
class's least reduced cost bounds every assignment (Lagrangian bound; the
relaxation itself once no week prices out). A dive then rounds the relaxation
up a week at a time, generating weeks after each step; when its whole answer
does not reach the bound, the integer programme over all weeks generated
starts from it. Each class's weeks go to its agents in the order that puts
starts nearest their preferred starts (Hungarian method).
"""

from __future__ import annotations

import functools
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import pulp

from scheduling.shifts.assign import (
    WEEKEND_DUE_STEP,
    WEEKEND_STEP,
    _agent_rows,
    _cliques,
    _distance,
    _eligible,
    _fits,
    _Rules,
    _Slot,
    _weekend_terms,
)
from scheduling.shifts.patterns import WeekPatterns
from scheduling.shifts.roster import Agent
from scheduling.solver import highs_model, new_highs

# A week prices out when its reduced cost is below -this (paid hours).
_PRICE_EPS = 1e-6
# The dive rounds up at once every week whose fraction is at least this.
DIVE_FRACTION = 0.8
# An answer this close to the bound (paid hours) is proven: shifts are whole hours.
PROVEN_HOURS = 0.5
# Most pricing rounds of one generation: a budget that ends every run alike.
MAX_ROUNDS = 500
# What the slots' `short_if_left` tie-break is worth in all (paid hours): below
# PROVEN_HOURS, so a proven answer still fills within an hour of the most.
TIE_HOURS = 0.25


@dataclass
class _Class:
    """Alike agents of one site and the slots they may take (positions in the site's slots)."""

    agents: list[Agent]
    slots: list[int]
    weeks: list[tuple[int, ...]] = field(default_factory=list)  # positions in `slots`
    columns: list[int] = field(default_factory=list)  # the master's column of each week


@dataclass(frozen=True)
class WeeklyAssignment:
    """An assignment by weeks and how good it is.

    Attributes:
        taken: (agent name, slot) pairs.
        value: its objective: paid hours less the weekend terms plus the
            tie-break (at most `TIE_HOURS`).
        bound: no assignment of these slots is worth more.
        proven: `value` is within `PROVEN_HOURS` of `bound`, so no assignment
            fills a whole hour more.
    """

    taken: list[tuple[str, _Slot]]
    value: float
    bound: float
    proven: bool


def classes_of(slots: Sequence[_Slot], staff: Sequence[Agent], rules: _Rules) -> list[_Class]:
    """The site's classes of alike agents, with the slots each may take.

    An agent's release (its rest after the week before) tells it apart only by
    the slots it rules out, so agents released at different instants before the
    same slots are alike: after the first week most agents have a release of
    their own, and one class each would price every agent's week separately.
    """
    members: dict[tuple, list[Agent]] = defaultdict(list)
    for agent in staff:
        free = rules.release.get(agent.name)
        key = (
            tuple(sorted(agent.skills)),
            tuple(sorted(agent.days_unavailable)),
            agent.max_hours,
            agent.worked_days,
            agent.recent,
            () if free is None else tuple(r for r, s in enumerate(slots) if s.start < free),
            agent.name in rules.weekend_due,
        )
        members[key].append(agent)
    out = []
    for key in sorted(members, key=str):
        people = sorted(members[key], key=lambda a: a.name)
        mine = [r for r, slot in enumerate(slots) if _eligible(people[0], slot, rules)]
        if mine:
            out.append(_Class(people, mine))
    return out


class _Pricer:
    """One agent's week of least reduced cost at prices on its slots: by its day
    patterns (`scheduling.shifts.patterns`) where they apply, else by its own
    small programme (its assignment rows)."""

    def __init__(self, agent: Agent, slots: list[_Slot], rules: _Rules) -> None:
        self.agent, self.slots, self.rules = agent, slots, rules
        days = np.array([rules.day(s) for s in slots])
        self.by_day = np.argsort(days, kind="stable")
        self.day_starts = np.flatnonzero(np.r_[True, np.diff(days[self.by_day]) != 0])
        # A week holds one slot a (wrapped) local day and max_days a 7-day block.
        self.most = min(len(self.day_starts), rules.max_days * len({s.week for s in slots}))
        self.last: tuple[np.ndarray, float] | None = None  # last exact pricing: costs, least

    @functools.cached_property
    def patterns(self) -> WeekPatterns | None:
        """The agent's day patterns (built when first asked for), or None where
        they do not apply."""
        return WeekPatterns.of(self.agent, self.slots, self.rules)

    @property
    def highs(self) -> highspy.Highs:
        """The agent's own programme (built when first asked for)."""
        return self._programme[0]

    @property
    def columns(self) -> np.ndarray:
        """The programme's column of each slot."""
        return self._programme[1]

    @functools.cached_property
    def _programme(self) -> tuple[highspy.Highs, np.ndarray]:
        """The agent's own programme and its slots' columns, built once."""
        problem = pulp.LpProblem("week", pulp.LpMinimize)
        slots, rules = self.slots, self.rules
        mine = {r: problem.add_variable(f"y_{r}", cat=pulp.LpBinary) for r in range(len(slots))}
        _agent_rows(problem, (0, self.agent), mine, slots, rules, _cliques(slots, rules))
        steps = _weekend_terms(problem, 0, mine, slots)
        problem.setObjective(pulp.lpSum(mine.values()) - pulp.lpSum(c * u for u, c in steps))
        highs = highs_model(problem, mip=True)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", 1e-7)
        return highs, np.array([mine[r].index for r in range(len(slots))], dtype=np.int32)

    def greedy(self, costs: np.ndarray) -> tuple[int, ...]:
        """A workable week of negatively priced slots, cheapest first: no proof of least.

        Each slot is taken when the agent's rules (`assign._fits`) still hold with
        it; weekend costs are left to the caller.
        """
        week: list[_Slot] = []
        chosen: list[int] = []
        for r in np.argsort(costs, kind="stable"):
            if costs[r] >= 0:
                break
            slot = self.slots[r]
            agent = self.agent
            if _fits(week, slot, self.rules, agent.max_hours, agent.worked_days, agent.recent):
                week.append(slot)
                chosen.append(int(r))
        return tuple(sorted(chosen))

    def at_least(self, costs: np.ndarray) -> float:
        """A lower bound on the least cost of a week at `costs` (-inf before any
        exact pricing): the last exact least plus, for the `most` days whose
        slots got cheapest since, the most a slot of that day got cheaper."""
        if self.last is None:
            return -math.inf
        before, least = self.last
        fall = np.minimum(costs - before, 0.0)
        per_day = np.minimum.reduceat(fall[self.by_day], self.day_starts)
        return least + float(np.sort(per_day)[: self.most].sum())

    def cheapest(self, costs: np.ndarray) -> tuple[float, tuple[int, ...]]:
        """The least cost of a week (its slots' costs plus weekend costs) and its slots."""
        if self.patterns is not None:
            least, week = self.patterns.cheapest(costs)
        else:
            least, week = self.cheapest_by_programme(costs)
        self.last = (costs.copy(), least)
        return least, week

    def cheapest_by_programme(self, costs: np.ndarray) -> tuple[float, tuple[int, ...]]:
        """`cheapest` by the agent's own programme."""
        highs, columns = self._programme
        n = len(columns)
        highs.changeColsCost(n, columns, costs.astype(float))
        # A slot that costs >= 0 never lowers a week's cost, and dropping a shift
        # keeps a week workable: such slots are held at 0.
        upper = np.where(costs < 0, 1.0, 0.0)
        highs.changeColsBounds(n, columns, np.zeros(n), upper)
        highs.run()
        values = np.asarray(highs.getSolution().col_value)[columns]
        week = tuple(int(r) for r in np.flatnonzero(values > 0.5))
        return float(highs.getInfo().objective_function_value), week


class _Master:
    """The weeks' programme of one site (module docstring) and its weeks' pricing.

    Rows 0..len(slots)-1 are the fill_ rows, then one agents_ row per class,
    then, when `most` (the site's `max_agents`) is below the staff, the site row
    (at most `most` agents work in the week); a column per generated week.
    Minimises minus the weeks' worth.
    """

    def __init__(
        self, slots: list[_Slot], staff: list[Agent], rules: _Rules, most: int | None = None
    ) -> None:
        self.slots, self.rules = slots, rules
        self.classes = classes_of(slots, staff, rules)
        self.highs = new_highs()
        inf = float("inf")
        for slot in slots:
            self.highs.addRow(-inf, float(slot.count), 0, [], [])
        self.agents_row = []
        for c in self.classes:
            self.agents_row.append(self.highs.getNumRow())
            self.highs.addRow(-inf, float(len(c.agents)), 0, [], [])
        self.site_row: int | None = None
        if most is not None and most < len(staff):
            self.site_row = self.highs.getNumRow()
            self.highs.addRow(-inf, float(most), 0, [], [])
        self.pricers = [
            _Pricer(c.agents[0], [slots[r] for r in c.slots], rules) for c in self.classes
        ]
        total = sum(slot.count * slot.short_if_left for slot in slots)
        self.tie = TIE_HOURS / total if total > 0 else 0.0  # worth of an agent-hour short
        self.worth = [self._slot_worth(c) for c in self.classes]
        self._weekend = {slot.dayno for slot in slots if slot.weekday >= 5}
        self.reduced = np.zeros(len(self.classes))  # each class's least reduced cost

    def _slot_worth(self, c: _Class) -> np.ndarray:
        owed = c.agents[0].name in self.rules.weekend_due
        return np.array(
            [
                self.slots[r].paid_hours
                + self.tie * self.slots[r].short_if_left
                - (WEEKEND_DUE_STEP if owed and self.slots[r].weekday >= 5 else 0)
                for r in c.slots
            ]
        )

    def week_cost(self, k: int, week: tuple[int, ...]) -> float:
        """Minus the worth of class k's week (positions in its slots)."""
        days = len({self.slots[self.classes[k].slots[r]].dayno for r in week} & self._weekend)
        return -float(self.worth[k][list(week)].sum()) + WEEKEND_STEP * days * (days + 1) / 2

    def generate(self, seconds: float) -> float:
        """Generate weeks until none prices out (or `seconds`); the bound on the worth.

        Partial pricing: after a round that prices every class, the next rounds
        price only the classes whose weeks priced out in the round before; once
        none of those does, every class is priced again. Each class is priced
        by a greedy week first and by its exact pricing only when that week
        does not price out (or not at all when its last exact pricing shows
        none can). The bound is taken from the rounds that price every class
        so (it needs a lower bound on each one's least reduced cost at the same
        prices); the generation ends when a round that prices every class adds
        no week.
        """
        began = time.perf_counter()
        bound = float("inf")
        everyone = list(range(len(self.classes)))
        priced, full = everyone, True
        for _ in range(MAX_ROUNDS):
            self.highs.run()
            relaxation = self.highs.getInfo().objective_function_value
            duals = np.asarray(self.highs.getSolution().row_dual)
            added = [k for k in priced if self._price(k, duals)]
            if full and not np.isnan(self.reduced).any():
                lagrange = sum(
                    len(c.agents) * min(0.0, r)
                    for c, r in zip(self.classes, self.reduced, strict=True)
                )
                bound = min(bound, -(relaxation + lagrange))
            if full and not added:
                break
            if time.perf_counter() - began > seconds:
                break
            priced, full = (added, False) if added else (everyone, True)
        return bound

    def _price(self, k: int, duals: np.ndarray) -> int:
        """Price class k's week at `duals`; add it if it prices out (1 if added).

        A greedy week that prices out is added without the exact pricing
        (`reduced[k]` is then unknown: NaN); when the class's last exact pricing
        shows no week can price out (`_Pricer.at_least`), `reduced[k]` is that
        lower bound; otherwise the exact pricing gives the least reduced cost.
        """
        c, agent_row = self.classes[k], self.agents_row[k]
        convex = duals[agent_row] + (0.0 if self.site_row is None else duals[self.site_row])
        costs = -self.worth[k] - duals[c.slots]
        week = self.pricers[k].greedy(costs)
        if week and week not in c.weeks:
            reduced = self.week_cost(k, week) - float(duals[[c.slots[r] for r in week]].sum())
            if reduced - convex < -_PRICE_EPS:
                self.reduced[k] = np.nan
                self._add(k, week)
                return 1
        floor = self.pricers[k].at_least(costs) - convex
        if floor >= -_PRICE_EPS:  # no week prices out: the exact pricing is not needed
            self.reduced[k] = floor
            return 0
        least, week = self.pricers[k].cheapest(costs)
        self.reduced[k] = least - convex
        if self.reduced[k] >= -_PRICE_EPS or week in c.weeks:
            return 0
        self._add(k, week)
        return 1

    def _add(self, k: int, week: tuple[int, ...]) -> None:
        """Class k's week (positions in its slots) as a column of the master."""
        c, agent_row = self.classes[k], self.agents_row[k]
        c.weeks.append(week)
        c.columns.append(self.highs.getNumCol())
        index = [c.slots[r] for r in week] + [agent_row]
        if self.site_row is not None:
            index.append(self.site_row)
        cost = self.week_cost(k, week)
        self.highs.addCol(cost, 0.0, float("inf"), len(index), index, [1.0] * len(index))

    def dive(self, seconds: float) -> np.ndarray | None:
        """Round the relaxation up, generating weeks again after each step.

        The week whose count has the largest fraction, and every week whose
        fraction is at least `DIVE_FRACTION`, is held at least at its count
        rounded up (always feasible: no other week needs to share its slots)
        until the relaxation is whole. Returns that whole solution, or None if
        `seconds` ran out first. The held counts are released before returning.
        """
        began = time.perf_counter()
        held: list[int] = []
        found = None
        while time.perf_counter() - began < seconds:
            values = np.asarray(self.highs.getSolution().col_value)
            fraction = values - np.floor(values + 1e-9)
            j = int(np.argmax(fraction)) if len(values) else 0
            if not len(values) or fraction[j] < 1e-6:
                found = np.round(values)
                break
            for k in sorted({j, *np.flatnonzero(fraction >= DIVE_FRACTION).tolist()}):
                self.highs.changeColBounds(int(k), float(math.ceil(values[k])), float("inf"))
                held.append(int(k))
            self.generate(seconds)
        for j in held:
            self.highs.changeColBounds(j, 0.0, float("inf"))
        return found


def assign_weeks(
    slots: list[_Slot],
    staff: list[Agent],
    rules: _Rules,
    *,
    seconds: float,
    node_limit: int,
    most: int | None = None,
) -> WeeklyAssignment:
    """Assign the site's agents to its slots a whole week at a time (module docstring).

    Args:
        slots: the site's chosen slots (`count` units each).
        staff: the site's roster agents.
        rules: the assignment's rules.
        seconds: time for the weeks' generation and for the integer programme
            (each), seconds.
        node_limit: branch-and-bound nodes of the integer programme.
        most: the site's `max_agents`: at most this many agents work, or None.
    """
    began = time.perf_counter()
    master = _Master(slots, staff, rules, most)
    bound = master.generate(seconds)
    start = master.dive(seconds - (time.perf_counter() - began))
    return _integer_weeks(master, bound, start=start, seconds=seconds, node_limit=node_limit)


def _integer_weeks(
    master: _Master,
    bound: float,
    *,
    start: np.ndarray | None,
    seconds: float,
    node_limit: int,
) -> WeeklyAssignment:
    """Solve the weeks' integer programme and hand each class's weeks to its agents.

    A whole solution from the dive that reaches the bound is kept as it is;
    otherwise it starts the integer programme, whose answer is kept if it has one.
    """
    highs = master.highs
    columns = highs.getNumCol()
    values = np.zeros(columns)
    if start is not None:
        values[: len(start)] = start
    costs = np.asarray(highs.getLp().col_cost_)
    if columns and -float(costs @ values) < bound - _PRICE_EPS:
        every = np.arange(columns, dtype=np.int32)
        if start is not None:
            highs.setSolution(columns, every, values)
        highs.changeColsIntegrality(columns, every, np.ones(columns, dtype=np.uint8))
        highs.setOptionValue("mip_max_nodes", int(node_limit))
        highs.setOptionValue("time_limit", float(seconds))
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", PROVEN_HOURS)
        highs.run()
        if highs.getInfo().primal_solution_status == 2:  # feasible
            values = np.round(np.asarray(highs.getSolution().col_value))
    taken: list[tuple[str, _Slot]] = []
    value = -float(costs @ values) if columns else 0.0
    for c in master.classes:
        handed: list[list[_Slot]] = []
        for week, column in zip(c.weeks, c.columns, strict=True):
            handed.extend([[master.slots[c.slots[r]] for r in week]] * int(values[column]))
        for agent, week in _matched(c.agents, handed):
            taken.extend((agent.name, slot) for slot in week)
    return WeeklyAssignment(
        taken=taken, value=value, bound=bound, proven=value >= bound - PROVEN_HOURS
    )


def _matched(agents: list[Agent], weeks: list[list[_Slot]]) -> list[tuple[Agent, list[_Slot]]]:
    """Weeks to agents (at most one each) so that starts sit nearest preferred starts."""
    if not weeks:
        return []
    from scipy.optimize import linear_sum_assignment

    cost = np.array(
        [
            [sum(_distance(a.preferred_start, s.minute) for s in week) for week in weeks]
            for a in agents
        ]
    )
    rows, cols = linear_sum_assignment(cost)
    return [(agents[r], weeks[c]) for r, c in sorted(zip(rows, cols, strict=True))]
