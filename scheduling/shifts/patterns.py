"""An agent's cheapest week by its patterns of working days: pricing without a solver.

The assignment by weeks (`scheduling.shifts.weekly`) prices one agent's week
thousands of times at changing slot costs. Here a week is a pattern of working
local days (wrapped round a cyclic horizon) that the days-off rule and the days
a week allow, found once (they do not depend on the costs), and one slot on
each of its days such that consecutive slots keep the rest between them
(`assign._Rules.clash`) and each week's paid hours stay within the agent's.
Every pattern is walked day by day at once (numpy): for each slot of the day
reached and each number of hour units above its days' shortest shifts, the
cheapest way there. Exact: the least cost over the same weeks as the agent's
own programme (`assign._agent_rows`), which it replaces.

Only consecutive slots need the rest check: a later slot starts after the one
before it ends plus the rest, so after every earlier one too (the rest is not
negative, a slot ends after it starts). A cyclic week also wraps: its last slot
must leave the rest before its first one starts a period later. Each pattern
is then read from a day (its cut) chosen so that every slot of its last day
leaves the rest before every slot of its first day, and the pair across the
cut needs no check.

Hours count only in a week whose longest shifts could pass the agent's hours;
there the units above the shortest are tracked up to the week's room (at most
`MAX_EXTRA_UNITS`), elsewhere they saturate at one top unit, which no hours
check reads.

`WeekPatterns.of` returns None where this does not apply (rolling weekly
rules, a local day in two weeks or of two weekdays, more than `MAX_DAYS` days,
a cyclic horizon of more than one week or not of whole days, hours not in
whole minutes, a week's room above `MAX_EXTRA_UNITS` units, a pattern with no
cut, a negative days limit): the caller then prices with that programme.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduling.shifts.assign import WEEKEND_STEP, _blocking, _Rules, _Slot, _worked_in
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.roster import Agent

# Most local days a week priced by patterns may span (2**MAX_DAYS day sets).
MAX_DAYS = 10
# Most hour units above its days' shortest shifts a week whose hours bind is
# tracked to (a unit: the greatest common divisor of the paid minutes).
MAX_EXTRA_UNITS = 48
# Most entries of one step's array where the slots that may follow one another
# are not nested (`_nested`): larger steps go in blocks of patterns.
_BLOCK_ENTRIES = 1_000_000


@dataclass(frozen=True)
class _Step:
    """The patterns going from their working day at stop `prev` (-1: none yet) to
    the one at stop `stop` (stops: `WeekPatterns`).

    Attributes:
        prev, stop: stops; `day` the day position of `stop`, `before` of `prev`.
        source: the patterns' positions among those at `prev`.
        into: the slice of the patterns at `stop` they fill.
        new_week: `stop` is in a later week than `prev` (hours start again).
        allowed: (patterns, units, 1) True where the units fit the week's
            hours, or None where all do.
    """

    prev: int
    stop: int
    day: int
    before: int
    source: np.ndarray
    into: slice
    new_week: bool
    allowed: np.ndarray | None


@dataclass(frozen=True)
class _Pattern:
    """One allowed pattern: its (stop, day position) pairs in order, its weekend
    cost (paid hours) and each week's room in hour units (None: its hours
    cannot bind there)."""

    stops: tuple[tuple[int, int], ...]
    weekend: float
    room: dict[int, int | None]


class WeekPatterns:
    """One agent's weeks over its slots, priced by walking its day patterns.

    A pattern is walked along its stops: a day's number, plus the days of a
    cyclic week when the pattern reaches it after wrapping round (from its
    cut), so that every pattern's stops rise and the moves between two stops
    can be taken for all patterns at once, in the order of the stop reached.
    """

    def __init__(
        self,
        days: list[list[int]],
        extra: np.ndarray,
        clash: np.ndarray,
        patterns: list[_Pattern],
        week_of: list[int],
    ) -> None:
        self.days = days  # slots (positions) of each day
        self.extra = extra  # hour units of each slot above its day's shortest
        rooms = [r for p in patterns for r in p.room.values() if r is not None]
        self.width = max(rooms) + 2 if rooms else 1  # the last unit: the pile
        self.patterns = [p.stops for p in patterns]
        self.weekend = np.array([p.weekend for p in patterns])
        self.week_of = week_of
        self.empty = self.patterns.index(()) if () in self.patterns else None
        self.hit: dict[tuple[int, int], np.ndarray] = {}  # slot pairs that clash
        self.penalty: dict[tuple[int, int], np.ndarray] = {}  # where not nested
        self.nested: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for stops in self.patterns:
            for (_, p), (_, d) in itertools.pairwise(stops):
                if (p, d) not in self.hit:
                    self._pair(p, d, clash[np.ix_(days[p], days[d])])
        self.by_extra = [
            [(x, np.flatnonzero(extra[day] == x)) for x in sorted(set(extra[day].tolist()))]
            for day in days
        ]
        self.steps, self.placed, self.where, self.day_at = _layout(
            self.patterns, [p.room for p in patterns], week_of, self.width
        )
        self.ends = []  # (stop, positions there, patterns) of the patterns ending there
        for stop, rows in sorted(self.placed.items()):
            last = [i for i, r in enumerate(rows) if self.patterns[r][-1][0] == stop]
            if last:
                self.ends.append((stop, np.array(last), np.array([rows[i] for i in last])))

    def _pair(self, prev: int, day: int, hit: np.ndarray) -> None:
        self.hit[prev, day] = hit
        nested = _nested(~hit)
        if nested is None:
            self.penalty[prev, day] = np.where(hit, np.inf, 0.0)
        else:
            self.nested[prev, day] = nested

    @classmethod
    def of(cls, agent: Agent, slots: Sequence[_Slot], rules: _Rules) -> WeekPatterns | None:
        """The agent's patterns over `slots` (all eligible to it), or None where
        pricing by patterns does not apply (module docstring)."""
        if rules.rolling is not None or not slots or (rules.cyclic and not rules.days_off.wrap):
            return None
        table = _day_table(slots, rules)
        hours = _hour_units(slots, agent.max_hours)
        if table is None or hours is None:
            return None
        numbers, days, week_of, weekend = table
        weeks = sorted(set(week_of))
        limits = {w: rules.max_days - _worked_in(agent.worked_days, w) for w in weeks}
        if (rules.cyclic and len(weeks) > 1) or min(limits.values()) < 0:
            return None
        units, cap = hours
        shortest = [min(units[r] for r in members) for members in days]
        longest = [max(units[r] for r in members) for members in days]
        day_of = np.empty(len(slots), dtype=np.int64)
        for d, members in enumerate(days):
            day_of[members] = d
        extra = np.array(units) - np.array(shortest)[day_of]
        wrap = rules.days_off.wrap if rules.cyclic else None
        reach = _week_reach(slots, days, rules) if wrap else None
        patterns = []
        for mask in _day_sets(
            tuple(numbers),
            tuple(week_of),
            tuple(sorted(limits.items())),
            rules.days_off,
            tuple(sorted(_blocking(agent.worked_days, rules))),
        ):
            chosen = [d for d in range(len(numbers)) if mask >> d & 1]
            room = _room(chosen, week_of, weeks, cap, (shortest, longest))
            if room is None:
                continue  # the shortest shifts of its days alone pass a week's hours
            if max((r for r in room.values() if r is not None), default=0) > MAX_EXTRA_UNITS:
                return None
            order = _cut_order(chosen, numbers, wrap, reach, rules.rest)
            if order is None:
                return None
            n = sum(1 for d in chosen if weekend[d])
            patterns.append(_Pattern(tuple(order), WEEKEND_STEP * n * (n + 1) / 2, room))
        if not patterns:
            return None
        return cls(days, extra, _clash_matrix(slots, rules), patterns, week_of)

    def cheapest(self, costs: np.ndarray) -> tuple[float, tuple[int, ...]]:
        """The least cost of a week at `costs` (paid hours a slot: its slots'
        costs plus its weekend cost) and its slots (positions), taking only
        slots that cost < 0."""
        price = np.where(costs < 0, costs, np.inf)
        walks = {
            stop: np.empty((len(rows), self.width, len(self.days[self.day_at[stop]])))
            for stop, rows in self.placed.items()
        }
        for step in self.steps:
            self._advance(step, walks, price)
        least, found = float(self.weekend[self.empty]) if self.empty is not None else np.inf, None
        for stop, where, rows in self.ends:
            flat = walks[stop][where].reshape(len(where), -1)
            best = flat.argmin(axis=1)
            total = flat[np.arange(len(where)), best] + self.weekend[rows]
            i = int(np.argmin(total))
            if total[i] < least:
                least, found = float(total[i]), (int(rows[i]), int(best[i]))
        if found is None:
            return least if math.isfinite(least) else 0.0, ()
        return least, self._walk_back(*found, walks)

    def _advance(self, step: _Step, walks: dict[int, np.ndarray], price: np.ndarray) -> None:
        """Fill `step`'s patterns' walk on its stop's day: their least costs by
        (pattern, units, slot of the day); units past the last pile into it."""
        cost = price[self.days[step.day]]
        walk = walks[step.stop][step.into]
        walk.fill(np.inf)
        top = self.width - 1
        if step.prev < 0 or step.new_week:
            if step.prev < 0:
                best = np.zeros((len(walk), len(cost)))
            else:
                before = walks[step.prev][step.source].min(axis=1)[:, None, :]
                best = self._follow(before, step.before, step.day)[:, 0, :]
            for x, cols in self.by_extra[step.day]:
                walk[:, min(x, top), cols] = best[:, cols] + cost[cols]
        else:
            best = self._follow(walks[step.prev][step.source], step.before, step.day)
            for x, cols in self.by_extra[step.day]:
                if x < top:
                    walk[:, x:top, cols] = best[:, : top - x, cols] + cost[cols]
                walk[:, top, cols] = best[:, max(top - x, 0) :, cols].min(axis=1) + cost[cols]
        if step.allowed is not None:
            walk[~np.broadcast_to(step.allowed, walk.shape)] = np.inf

    def _follow(self, before: np.ndarray, prev: int, day: int) -> np.ndarray:
        """For each (pattern, units) walk ending on a slot of day `prev`
        (`before`: costs by pattern, units, slot), the least cost of one that
        can be followed by each slot of `day`."""
        nested = self.nested.get((prev, day))
        if nested is not None:
            order, count = nested
            least = np.minimum.accumulate(before[:, :, order], axis=2)
            padded = np.concatenate([np.full((*least.shape[:2], 1), np.inf), least], axis=2)
            return padded[:, :, count]
        penalty = self.penalty[prev, day]
        rows, units, slots = before.shape
        block = max(1, _BLOCK_ENTRIES // max(units * slots * penalty.shape[1], 1))
        return np.concatenate(
            [
                (before[k : k + block, :, :, None] + penalty).min(axis=2)
                for k in range(0, rows, block)
            ]
        )

    def _walk_back(self, row: int, flat: int, walks: dict[int, np.ndarray]) -> tuple[int, ...]:
        """The slots of pattern `row`'s cheapest walk, ending at entry `flat` of
        its last stop's walk: each step back takes an entry it can come from."""
        stops = self.patterns[row]
        day = stops[-1][1]
        units, slot = divmod(flat, len(self.days[day]))
        taken = [self.days[day][slot]]
        top = self.width - 1
        for (prev, before), (_, day) in reversed(list(itertools.pairwise(stops))):
            came = walks[prev][self.where[prev][row]]  # (units, slots of `before`)
            came = came + np.where(self.hit[before, day][:, slot], np.inf, 0.0)[None, :]
            if self.week_of[before] != self.week_of[day]:
                low, high = 0, top
            else:
                x = int(self.extra[self.days[day][slot]])
                low, high = (max(top - x, 0), top) if units == top else (units - x, units - x)
            units, slot = divmod(int(np.argmin(came[low : high + 1])), came.shape[1])
            units += low
            taken.append(self.days[before][slot])
        return tuple(sorted(taken))


def _layout(
    patterns: list[tuple[tuple[int, int], ...]],
    rooms: list[dict[int, int | None]],
    week_of: list[int],
    width: int,
) -> tuple[list[_Step], dict[int, list[int]], dict[int, dict[int, int]], dict[int, int]]:
    """The patterns' moves grouped by (prev, stop), in the order of the stop
    reached; where each pattern sits at each stop; each stop's day position.

    Returns:
        steps, the patterns at each stop (in order), each stop's pattern ->
        position there, and each stop's day position.
    """
    moves: dict[tuple[int, int], list[int]] = defaultdict(list)
    day_at: dict[int, int] = {-1: -1}
    for r, stops in enumerate(patterns):
        for k, (stop, day) in enumerate(stops):
            moves[(stops[k - 1][0] if k else -1, stop)].append(r)
            day_at[stop] = day
    placed: dict[int, list[int]] = defaultdict(list)
    where: dict[int, dict[int, int]] = {}
    steps = []
    for (prev, stop), rows in sorted(moves.items(), key=lambda move: move[0][::-1]):
        day = day_at[stop]
        room = [rooms[r][week_of[day]] for r in rows]
        cap = np.array([width if r is None else r for r in room])
        allowed = (np.arange(width)[None, :] <= cap[:, None])[:, :, None]
        here = placed[stop]
        steps.append(
            _Step(
                prev,
                stop,
                day,
                day_at[prev],
                np.array([where[prev][r] for r in rows] if prev >= 0 else [], dtype=np.int64),
                slice(len(here), len(here) + len(rows)),
                prev >= 0 and week_of[day_at[prev]] != week_of[day],
                None if allowed.all() else allowed,
            )
        )
        here.extend(rows)
        where[stop] = {r: i for i, r in enumerate(here)}
    return steps, dict(placed), where, day_at


def _room(
    chosen: list[int],
    week_of: list[int],
    weeks: list[int],
    cap: int,
    bounds: tuple[list[int], list[int]],
) -> dict[int, int | None] | None:
    """Each week's room of a pattern working the days `chosen`: hour units its
    weekly most leaves above its days' shortest shifts, None where even their
    longest fit; None when its shortest shifts alone pass a week's most.
    `bounds`: each day's shortest and longest slot, units."""
    shortest, longest = bounds
    room: dict[int, int | None] = {}
    for w in weeks:
        mine = [d for d in chosen if week_of[d] == w]
        least = sum(shortest[d] for d in mine)
        if least > cap:
            return None
        room[w] = None if sum(longest[d] for d in mine) <= cap else cap - least
    return room


def _nested(allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """An order of the rows of `allowed` (rows: slots of one day, columns:
    slots of a later one it may be followed by) in which each column allows the
    first few rows, and how many: the slots ending earliest are the ones any
    later slot may follow. None when the columns' sets are not nested so."""
    order = np.argsort(-allowed.sum(axis=1), kind="stable")
    count = allowed.sum(axis=0)
    ranked = allowed[order]
    if all(ranked[: count[t], t].all() for t in range(allowed.shape[1])):
        return order, count
    return None


def _day_table(
    slots: Sequence[_Slot], rules: _Rules
) -> tuple[list[int], list[list[int]], list[int], list[bool]] | None:
    """The slots' (wrapped) local days: their numbers in order, each one's slots
    (positions), week and whether it is a weekend day; None when more than
    `MAX_DAYS` or when a day's slots differ in week or weekend."""
    numbers = sorted({rules.day(s) for s in slots})
    if len(numbers) > MAX_DAYS:
        return None
    position = {d: i for i, d in enumerate(numbers)}
    days: list[list[int]] = [[] for _ in numbers]
    for r, slot in enumerate(slots):
        days[position[rules.day(slot)]].append(r)
    week_of, weekend = [], []
    for members in days:
        weeks = {slots[r].week for r in members}
        ends = {slots[r].weekday >= 5 for r in members}
        if len(weeks) > 1 or len(ends) > 1:
            return None
        week_of.append(weeks.pop())
        weekend.append(ends.pop())
    return numbers, days, week_of, weekend


def _hour_units(slots: Sequence[_Slot], max_hours: float) -> tuple[list[int], int] | None:
    """Each slot's paid hours and the weekly most in one unit (their greatest
    common divisor of minutes), or None when a paid time is not whole minutes."""
    minutes = []
    for slot in slots:
        m = slot.paid_hours * 60
        if abs(m - round(m)) > 1e-6 or m < 0:
            return None
        minutes.append(round(m))
    unit = functools.reduce(math.gcd, minutes, 0) or 1
    return [m // unit for m in minutes], math.floor((max_hours * 60 + 1e-6) / unit)


@functools.lru_cache(maxsize=4096)
def _day_sets(
    numbers: tuple[int, ...],
    week_of: tuple[int, ...],
    limits: tuple[tuple[int, int], ...],
    days_off: DaysOff,
    blocking: tuple[int, ...],
) -> tuple[int, ...]:
    """Bit masks over the days (`numbers`, wrapped local day numbers) that an
    agent may work: at most each week's limit of days, and a run of days off
    free in every week with the days `blocking` it."""
    most = dict(limits)
    out = []
    for mask in range(1 << len(numbers)):
        chosen = [d for d in range(len(numbers)) if mask >> d & 1]
        count: dict[int, int] = defaultdict(int)
        for d in chosen:
            count[week_of[d]] += 1
        if any(n > most[w] for w, n in count.items()):
            continue
        if days_off.kept({numbers[d] for d in chosen} | set(blocking)):
            out.append(mask)
    return tuple(out)


def _cut_order(
    chosen: list[int],
    numbers: list[int],
    wrap: int | None,
    reach: tuple[np.ndarray, np.ndarray, float] | None,
    rest: float,
) -> list[tuple[int, int]] | None:
    """The days `chosen` (positions) as a pattern walks them, as (stop, day
    position) pairs: by date, the stop a day's number; or round a cyclic week of
    `wrap` days from a first day (after its cut; days after a day off first)
    such that every slot of its last day leaves the rest before every slot of
    its first day, the stop of a day before the first its number plus `wrap`.
    None when no first day does. `reach`: each day's earliest start and latest
    end (seconds on the week's clock, `_week_reach`) and the period."""
    if wrap is None or reach is None or len(chosen) < 2:
        return [(numbers[d], d) for d in chosen]
    first_start, last_end, period = reach
    taken = {numbers[d] for d in chosen}
    starts = sorted(range(wrap), key=lambda s: (s - 1) % wrap in taken)
    for start in starts:
        stops = sorted((numbers[d] + (wrap if numbers[d] < start else 0), d) for d in chosen)
        (first, d_first), (last, d_last) = stops[0], stops[-1]
        gap = period * (first - numbers[d_first] - last + numbers[d_last]) / wrap
        if first_start[d_first] + gap + period >= last_end[d_last] + rest:
            return stops
    return None


def _week_reach(
    slots: Sequence[_Slot], days: list[list[int]], rules: _Rules
) -> tuple[np.ndarray, np.ndarray, float]:
    """Each day's earliest slot start and latest slot end on a cyclic week's clock
    (seconds from its start; a slot of a local day past the wrap, e.g. the 8th
    local day of a 7-day week, is read one period earlier, on day 0), and the
    period (seconds)."""
    wrap = rules.days_off.wrap or 1
    clock = [s.begin - rules.period * (s.dayno // wrap) for s in slots]
    first = np.array([min(clock[r] for r in members) for members in days])
    last = np.array(
        [max(clock[r] + slots[r].finish - slots[r].begin for r in members) for members in days]
    )
    return first, last, rules.period


def _clash_matrix(slots: Sequence[_Slot], rules: _Rules) -> np.ndarray:
    """(slot, slot) True where one agent cannot work both (`_Rules.clash`)."""
    begin = np.array([s.begin for s in slots])
    finish = np.array([s.finish for s in slots])
    day = np.array([rules.day(s) for s in slots])
    a_first = begin[:, None] <= begin[None, :]
    # first, second = (a, b) by begin: second starts before first ends plus the rest
    close = np.where(
        a_first,
        begin[None, :] < finish[:, None] + rules.rest,
        begin[:, None] < finish[None, :] + rules.rest,
    )
    clash = (day[:, None] == day[None, :]) | close
    if rules.cyclic:
        around = np.where(
            a_first,
            begin[:, None] + rules.period < finish[None, :] + rules.rest,
            begin[None, :] + rules.period < finish[:, None] + rules.rest,
        )
        clash |= around
    return clash
