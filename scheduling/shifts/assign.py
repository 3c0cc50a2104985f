"""Agents to shifts: turn the chosen shift counts into named (or anonymous) agents.

Rules for every agent: at most one shift per local day; at most
`max_days_per_week` shifts and `contracted_hours` (else `max_hours_per_week`) paid
hours in each week (7-day blocks from the horizon start); at least `min_rest_hours`
from the end of one shift to the start of the next (with `cyclic`, also from the
end of the week to its start); in every week a run of `consecutive_days_off`
local days without a shift (days are numbered from the horizon's first local
date at the site; a run starts in its week and may reach into the next, round
the horizon's end with `cyclic`, else not past its last day; a trailing part
week of a horizon that is not cyclic needs no run); only the agent's own site, only shifts
of a skill group within its skills, never on its unavailable weekdays.

Slots are (shift, skill group): an agent may take one whose group's queues are
all among its skills. In the schedule, an agent's `queue` is its own skills
joined with ";" (blended agents serve all of them), and each of its breaks (one
per break rule) is one of the break starts the shift programme chose for the
slot and rule (`break_plan`), handed out rule by rule in start order to the
slot's agents in name order, by largest-remainder rounding when fewer agents
than planned could be placed. Breaks of different rules never overlap
(`scheduling.shifts.breaks`), so any such hand-out is one an agent can take.

With a roster, each site is a small assignment integer programme that fills as
many paid hours of the chosen shifts as the rules allow; among schedules that
fill as many hours, weekend days (local Saturday and Sunday) are spread as
evenly over the agents as the rules allow (a convex cost per agent: a second
weekend day costs more than a first), and remaining ties go to each agent's
preferred start. Rest is modelled with one row per shift start: the shifts whose
span plus rest contains that instant pairwise clash, and every clashing pair
meets in such a row. Without a roster, agents named "{site}-001", ... are created
greedily in start order; only when that needs more than the site's `max_agents`
is the programme solved with `max_agents` anonymous agents. Shift units no agent
can take are reported as unfilled, never dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pandas as pd
import pulp

from scheduling.columns import (
    AGENT,
    BREAK_END,
    BREAK_START,
    COUNT,
    END,
    OTHER_BREAKS,
    PAID_HOURS,
    QUEUE,
    RULE,
    SCHEDULE_COLUMNS,
    SCHEDULE_COLUMNS_OTHER_BREAKS,
    SHIFT_ID,
    SHORT_IF_LEFT,
    SITE,
    START,
    TIMEZONE,
    WEIGHT,
)
from scheduling.errors import InfeasibleError, InputError
from scheduling.shifts.breaks import round_breaks
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.rolling import Rolling
from scheduling.shifts.roster import Agent, Carry, roster_agents, with_carry
from scheduling.shifts.sites import Site
from scheduling.shifts.siteweeks import first_local_date, site_days_off, week_number
from scheduling.shifts.skills import group_label, parse_group
from scheduling.shifts.templates import utc_column
from scheduling.shifts.tours import DAYS, TourRules, exact, fill_weeks, tour_shift
from scheduling.solver import budget_spent, solve_problem, time_left

if TYPE_CHECKING:
    from scheduling.shifts.weekly import WeeklyAssignment

UNFILLED_COLUMNS = (SITE, START, END, QUEUE, COUNT)
# Branch-and-bound nodes the assignment programme of one site may use, and the
# budget of its second solve when the first stops with units left (on the example
# week 3,000 nodes placed 2 of the 3 shifts 300 left, in 2.7 times the time).
ASSIGN_NODE_LIMIT = 300
ASSIGN_MORE_NODES = 3_000
# Objective cost of an agent's k-th weekend day: k * WEEKEND_STEP (paid hours).
WEEKEND_STEP = 0.01
# Objective cost of a weekend shift for an agent owed a weekend off (paid hours): above
# the weekend spread, below any hour filled.
WEEKEND_DUE_STEP = 0.1


@dataclass(frozen=True)
class _Slot:
    """One chosen (shift, skill group) with its count, in the numbers the rules need."""

    shift_id: str
    site: str
    queue: str  # the group's queues joined with ";"
    skills: tuple[str, ...]
    count: int
    start: pd.Timestamp
    end: pd.Timestamp
    paid_hours: float
    begin: float  # seconds after the horizon start
    finish: float  # seconds after the horizon start
    weekday: int
    minute: int  # local start, minutes after midnight
    week: int
    dayno: int  # local days since the horizon's first local date at the site
    short_if_left: float = 0.0  # agent-hours the plan is short with one agent less on it


def assign_agents(
    chosen: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    roster: pd.DataFrame | None,
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    breaks: pd.DataFrame | None = None,
    release: Mapping[str, pd.Timestamp] | None = None,
    weekend_due: Collection[str] = (),
    carried: Mapping[str, Carry] | None = None,
    planned_skills: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put agents on the chosen shifts under the rules in the module docstring.

    Args:
        chosen: `shift_id`, `queue` (a skill group: queues joined with ";"),
            `count` (agents), e.g. from `chosen_shifts`; optionally
            `short_if_left` (agent-hours the plan is short with one agent less
            on it, `model.short_if_left`): when the roster cannot fill every
            shift, the assignment by weeks leaves the ones that matter least.
        shifts: candidate shifts (`generate_shifts` columns) with every chosen id.
        roster: named agents (see `roster_agents`), or None for anonymous agents
            named f"{site}-{k:03d}" (at most `max_agents` per site).
        sites: the sites.
        options: `max_days_per_week`, `min_rest_hours`, `max_hours_per_week`,
            `cyclic`, and the solver settings for the assignment programme.
        horizon: (start, end) of the scheduled week(s), tz-aware; with `cyclic`
            its length is the period of the wrap.
        breaks: where the slots' agents break: `shift_id`, `queue`, `break_start`,
            `break_end`, `agents` and, with several break rules, `rule` (e.g.
            `break_plan`); None, or a slot without rows, gives no break.
        release: per roster agent, the earliest instant it may start a shift
            (its last shift before the horizon plus `min_rest_hours`); agents
            not named are free from the horizon start.
        weekend_due: roster agents owed a weekend off: each of their shifts
            starting on a local Saturday or Sunday costs `WEEKEND_DUE_STEP`
            hours in the assignment's objective (less than any hour filled).
        carried: per roster agent, the days and hours it worked before the
            horizon in its site's first week (`roster.with_carry`).
        planned_skills: per roster agent, the queues the programme counted it
            for (`planner.Run.planned_skills`: its merged group's), which then
            decide the slots it may take; the schedule keeps its own skills.
            None: its own skills.

    Returns:
        (schedule, unfilled). schedule: `SCHEDULE_COLUMNS` (agent, site, start,
        end (UTC), timezone (IANA), break_start, break_end (UTC, the first
        rule's break; NaT without one), queue (the agent's skills joined with
        ";")), sorted by start, site, agent; with more than one break rule
        (`options.break_rules`), `SCHEDULE_COLUMNS_OTHER_BREAKS`: also
        other_breaks after break_end (tuple of the later rules' (start, end)
        UTC pairs in start order, () without any). unfilled: site, start, end
        (UTC), queue (the slot's group), count (agents) of shift units nobody
        could take, sorted by start, site, queue.

    Raises:
        InputError: malformed chosen counts, unknown shift ids, or a bad roster.
    """
    horizon_start = pd.Timestamp(horizon[0]).tz_convert("UTC")
    period = (pd.Timestamp(horizon[1]) - horizon_start).total_seconds()
    if period <= 0:
        raise InputError("assign_agents: horizon end must be after its start")
    by_name = {site.name: site for site in sites}
    slots = _slots(chosen, shifts, by_name, horizon_start)
    agents = (
        None
        if roster is None
        else with_carry(roster_agents(roster, sites=sites, options=options), carried)
    )
    skills_of = {a.name: a.skills for a in agents or []}
    if agents is not None and planned_skills:
        agents = [replace(a, skills=planned_skills.get(a.name, a.skills)) for a in agents]
    assigned: list[tuple[str, _Slot]] = []
    unfilled: list[tuple[_Slot, int]] = []
    for site_name in sorted({slot_site for slot_site, _ in slots}):
        site = by_name[site_name]
        span = (horizon_start, horizon_start + pd.Timedelta(seconds=period))
        rules = _Rules.at_site(options, site, span, release=release, weekend_due=weekend_due)
        site_slots = [slot for slot_site, slot in slots if slot_site == site_name]
        if agents is not None:
            staff = [a for a in agents if a.site == site_name]
            taken = _by_weeks(site_slots, staff, rules, options, most=site.max_agents)
            taken = _steadied(taken, staff, rules, options.steady_starts)
        else:
            taken = _anonymous_weeks(site, site_slots, rules, options)
            if taken is None:
                taken = _greedy_anonymous(site, site_slots, rules, options)
            if site.max_agents is not None and len({a for a, _ in taken}) > site.max_agents:
                staff = anonymous_agents(site, site.max_agents, options)
                taken = _solve_assignment(site_slots, staff, rules, options, compact=True)
        assigned.extend(taken)
        filled: dict[tuple[str, str], int] = defaultdict(int)
        for _, slot in taken:
            filled[(slot.shift_id, slot.queue)] += 1
        for slot in site_slots:
            left = slot.count - filled[(slot.shift_id, slot.queue)]
            if left > 0:
                unfilled.append((slot, left))
    weights = _break_weights(breaks)
    several = len(options.break_rules) > 1 or any(r > 0 for w in weights.values() for r in w)
    schedule = _schedule_frame(assigned, by_name, skills_of, weights, other_breaks=several)
    return schedule, _unfilled_frame(unfilled)


class _Rules:
    """The per-agent rules shared by the greedy and the programme."""

    def __init__(
        self,
        options: ScheduleOptions,
        period: float,
        *,
        days_off: DaysOff,
        release: Mapping[str, pd.Timestamp] | None = None,
        weekend_due: Collection[str] = (),
    ) -> None:
        self.release = dict(release or {})
        self.weekend_due = frozenset(weekend_due)
        self.rest = options.min_rest_hours * 3600
        self.period = period
        self.cyclic = options.cyclic
        self.max_days = options.max_days_per_week
        self.days_off = days_off
        self.rolling = (
            Rolling.of(days_off, self.max_days) if options.weekly_rules == "rolling" else None
        )

    @classmethod
    def at_site(
        cls,
        options: ScheduleOptions,
        site: Site,
        horizon: tuple[pd.Timestamp, pd.Timestamp],
        *,
        release: Mapping[str, pd.Timestamp] | None = None,
        weekend_due: Collection[str] = (),
    ) -> _Rules:
        """The rules at `site` for the horizon (start, end), with its local days off
        (counted over the site's span when it has one)."""
        start, end = horizon
        days_off = site_days_off(site, horizon, options)
        period = (end - start).total_seconds()
        return cls(options, period, days_off=days_off, release=release, weekend_due=weekend_due)

    def workable(self, slot: _Slot) -> bool:
        """False when the shift clashes with its own copy one period later."""
        return not self.cyclic or slot.finish - slot.begin + self.rest <= self.period

    def clash(self, a: _Slot, b: _Slot) -> bool:
        """True when one agent cannot work both a and b."""
        if self.day(a) == self.day(b):  # one shift per local day (wrapped when cyclic)
            return True
        first, second = (a, b) if a.begin <= b.begin else (b, a)
        if second.begin < first.finish + self.rest:
            return True
        return self.cyclic and first.begin + self.period < second.finish + self.rest

    def day(self, slot: _Slot) -> int:
        """The slot's local day number, wrapped round a cyclic horizon."""
        return self.days_off.day(slot.dayno)

    def reach(self, slot: _Slot, instant: float) -> bool:
        """True when `instant` falls in [start, end + rest) of the slot (mod period)."""
        span = slot.finish - slot.begin + self.rest
        offset = instant - slot.begin
        if self.cyclic:
            offset %= self.period
        return 0 <= offset < span


def _eligible(agent: Agent, slot: _Slot, rules: _Rules) -> bool:
    free = rules.release.get(agent.name)
    return (
        (free is None or slot.start >= free)
        and set(slot.skills) <= set(agent.skills)
        and slot.weekday not in agent.days_unavailable
        and slot.dayno not in agent.worked_days  # one shift a local day
        and slot.paid_hours <= agent.max_hours + 1e-9
        and rules.workable(slot)
    )


def _greedy_anonymous(
    site: Site, slots: list[_Slot], rules: _Rules, options: ScheduleOptions
) -> list[tuple[str, _Slot]]:
    """Fill every unit in start order, reusing the agent with the fewest shifts."""
    template = anonymous_agents(site, 1, options)[0]
    work: list[list[_Slot]] = []
    taken = []
    for slot in sorted(slots, key=lambda s: (s.begin, s.shift_id, s.queue)):
        if not _eligible(template, slot, rules):
            continue
        for _ in range(slot.count):
            best = None
            for k, shifts in enumerate(work):
                if _fits(shifts, slot, rules, template.max_hours) and (
                    best is None or len(shifts) < len(work[best])
                ):
                    best = k
            if best is None:
                work.append([])
                best = len(work) - 1
            work[best].append(slot)
            taken.append((_anonymous_name(site, best + 1), slot))
    return taken


def _anonymous_weeks(
    site: Site, slots: list[_Slot], rules: _Rules, options: ScheduleOptions
) -> list[tuple[str, _Slot]] | None:
    """Fewest agents filling the most hours, by the weekly-tour network (`scheduling.shifts.tours`).

    None when the network is not exact for these slots (not one repeating week,
    no days off in a row, or a rule it leaves out could bind); every week it
    gives is checked against the rules again before it is used.
    """
    template = anonymous_agents(site, 1, options)[0]
    usable = [slot for slot in slots if _eligible(template, slot, rules)]
    run = options.consecutive_days_off
    shifts = [
        tour_shift(r, dayno=slot.dayno, begin=slot.begin, finish=slot.finish, hours=slot.paid_hours)
        for r, slot in enumerate(usable)
    ]
    limits = TourRules(run, rules.rest, rules.max_days, template.max_hours)
    if rules.days_off.wrap != DAYS or not rules.cyclic or not exact(shifts, limits):
        return None
    weeks = fill_weeks(
        shifts,
        {r: slot.count for r, slot in enumerate(usable)},
        run=run,
        rest=rules.rest,
        agents=site.max_agents,
        solver=options.solver,
        time_limit_seconds=options.time_limit_seconds,
        node_limit=ASSIGN_NODE_LIMIT,
    )
    ordered = sorted(
        ([usable[r] for r in sorted(week, key=lambda r: usable[r].begin)] for week in weeks),
        key=lambda week: [(s.begin, s.shift_id, s.queue) for s in week],
    )
    taken = []
    for k, week in enumerate(ordered, start=1):
        for n, slot in enumerate(week):
            if not _fits(week[:n], slot, rules, template.max_hours):
                return None
            taken.append((_anonymous_name(site, k), slot))
    return taken


def _fits(
    shifts: list[_Slot],
    slot: _Slot,
    rules: _Rules,
    max_hours: float,
    worked: tuple[int, ...] = (),
    recent: tuple[tuple[int, float], ...] = (),
) -> bool:
    """True when an agent with `shifts` may also take `slot` under its weekly
    rules; `worked`: its days worked before the horizon in the first week
    (`Agent.worked_days`), `max_hours` what that week has left. With rolling
    weeks (`_Rules.rolling`), `max_hours` is its weekly hours and `recent` its
    days and hours before the run (`Agent.recent`)."""
    if rules.rolling is not None:
        if any(rules.clash(s, slot) for s in shifts):
            return False
        hours = dict(recent)
        hours.update((rules.day(s), s.paid_hours) for s in (*shifts, slot))
        return rules.rolling.fits(hours, rules.day(slot), max_hours)
    same_week = [s for s in shifts if s.week == slot.week]
    if len(same_week) + _worked_in(worked, slot.week) >= rules.max_days:
        return False
    if sum(s.paid_hours for s in same_week) + slot.paid_hours > max_hours + 1e-9:
        return False
    if any(rules.clash(s, slot) for s in shifts):
        return False
    days = {rules.day(s) for s in (*shifts, slot)}
    return rules.days_off.kept(days.union(_blocking(worked, rules)))


def _worked_in(worked: tuple[int, ...], week: int) -> int:
    """Days worked before the horizon that count in `week` (they are all in the first)."""
    return len(worked) if week == 0 else 0


def _blocking(worked: tuple[int, ...], rules: _Rules) -> tuple[int, ...]:
    """The days worked before the horizon that the days-off rule holds against: all
    of them, unless they alone already leave no run free (nothing to keep then)."""
    return worked if worked and rules.days_off.kept(set(worked)) else ()


# Most swaps one site's steadying may make: it ends every run alike.
STEADY_SWAPS = 100_000


def _steadied(
    taken: list[tuple[str, _Slot]], staff: list[Agent], rules: _Rules, weight: float
) -> list[tuple[str, _Slot]]:
    """`taken` with shifts of one local day swapped between agents for steadier starts.

    Two agents working the same local day swap those shifts when both can work
    the other's (`_fits`) and the swap lowers the sum over them of `_unsteady`
    (weight x spread of starts in each week + distance from the preferred
    start, hours). The same shifts are worked, on the same days, so coverage,
    cost, days off and weekend days stay. Passes over days and pairs in a fixed
    order until none improves, at most `STEADY_SWAPS` swaps. weight 0: `taken`.
    """
    if weight <= 0 or len(staff) < 2:
        return taken
    work: dict[str, list[_Slot]] = {agent.name: [] for agent in staff}
    for name, slot in taken:
        work[name].append(slot)
    by_name = {agent.name: agent for agent in staff}
    swaps = 0
    improved = True
    while improved and swaps < STEADY_SWAPS:
        improved = False
        for day, names in _working_days(work, rules):
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    if _swapped(day, (by_name[a], by_name[b]), work, rules, weight):
                        swaps += 1
                        improved = True
    return sorted(
        ((name, slot) for name, mine in work.items() for slot in mine),
        key=lambda item: (item[1].begin, item[1].shift_id, item[1].queue, item[0]),
    )


def steadied_schedule(
    schedule: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    agents: Sequence[Agent],
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    release: Mapping[str, pd.Timestamp] | None = None,
    weekend_due: Collection[str] = (),
) -> pd.DataFrame:
    """A roster's schedule with same-day shifts swapped for steadier starts (`_steadied`).

    For a schedule that steps after the assignment changed (the repair, the
    sweep). Only agents with the same skills swap, so every row keeps its
    `queue` and the coverage and cost stay; each agent's rules are checked as
    in the assignment. `shifts` (`generate_shifts` columns) gives the rows'
    paid hours (their length where a row is not a candidate shift).

    Returns:
        The schedule in its columns, sorted by start, site, agent, queue.
    """
    if options.steady_starts <= 0 or schedule.empty:
        return schedule
    paid = {
        (site, begin, end): float(hours)
        for site, begin, end, hours in zip(
            shifts[SITE], shifts[START], shifts[END], shifts[PAID_HOURS], strict=True
        )
    }
    first = pd.Timestamp(horizon[0]).tz_convert("UTC")
    out = schedule.reset_index(drop=True)
    for site in sites:
        staff = [agent for agent in agents if agent.site == site.name]
        rows = out.index[out[SITE] == site.name]
        if len(staff) < 2 or rows.empty:
            continue
        skills = {agent.name: tuple(sorted(agent.skills)) for agent in staff}
        taken = []
        for row in rows:
            name, begin, end = out.at[row, AGENT], out.at[row, START], out.at[row, END]
            if name not in skills:
                continue
            hours = paid.get((site.name, begin, end), (end - begin).total_seconds() / 3600)
            slot = make_slot(str(row), site, skills[name], (begin, end), hours, first)
            taken.append((name, slot))
        rules = _Rules.at_site(options, site, horizon, release=release, weekend_due=weekend_due)
        for name, slot in _steadied(taken, staff, rules, options.steady_starts):
            out.at[int(slot.shift_id), AGENT] = name
    return out.sort_values([START, SITE, AGENT, QUEUE], ignore_index=True)


def _working_days(work: dict[str, list[_Slot]], rules: _Rules) -> list[tuple[int, list[str]]]:
    """(local day, agents working it, by name) for every day someone works, in day order."""
    on: dict[int, list[str]] = defaultdict(list)
    for name in sorted(work):
        for slot in work[name]:
            on[rules.day(slot)].append(name)
    return sorted(on.items())


def _swapped(
    day: int,
    pair: tuple[Agent, Agent],
    work: dict[str, list[_Slot]],
    rules: _Rules,
    weight: float,
) -> bool:
    """Swap the two agents' shifts of `day` if both can work them and it steadies; True if so."""
    a, b = pair
    mine, theirs = work[a.name], work[b.name]
    i = next(k for k, s in enumerate(mine) if rules.day(s) == day)
    j = next(k for k, s in enumerate(theirs) if rules.day(s) == day)
    first, second = mine[i], theirs[j]
    if first.minute == second.minute and first.week == second.week:
        return False
    new_mine = [*mine[:i], second, *mine[i + 1 :]]
    new_theirs = [*theirs[:j], first, *theirs[j + 1 :]]
    before = _unsteady(a, mine, weight) + _unsteady(b, theirs, weight)
    after = _unsteady(a, new_mine, weight) + _unsteady(b, new_theirs, weight)
    if after >= before - 1e-9:
        return False
    if not (
        _eligible(a, second, rules)
        and _eligible(b, first, rules)
        and _fits(mine[:i] + mine[i + 1 :], second, rules, a.max_hours, a.worked_days, a.recent)
        and _fits(theirs[:j] + theirs[j + 1 :], first, rules, b.max_hours, b.worked_days, b.recent)
    ):
        return False
    work[a.name], work[b.name] = new_mine, new_theirs
    return True


def _unsteady(agent: Agent, shifts: list[_Slot], weight: float) -> float:
    """How unsteady an agent's starts are, hours.

    weight x the mean clock distance between its starts in each week, plus each
    start's clock distance from its preferred start.
    """
    total = 0.0
    weeks: dict[int, list[int]] = defaultdict(list)
    for slot in shifts:
        weeks[slot.week].append(slot.minute)
        total += _distance(agent.preferred_start, slot.minute) * 12
    for minutes in weeks.values():
        if len(minutes) > 1:
            pairs = sum(_distance(m, n) for k, m in enumerate(minutes) for n in minutes[k + 1 :])
            total += weight * 12 * pairs / (len(minutes) - 1)
    return total


def _by_weeks(
    slots: list[_Slot],
    staff: list[Agent],
    rules: _Rules,
    options: ScheduleOptions,
    *,
    most: int | None = None,
) -> list[tuple[str, _Slot]]:
    """Roster agents on a site's slots by whole weeks (`scheduling.shifts.weekly`),
    at most `most` of them (the site's `max_agents`) when given.

    When the weeks' answer is not proven best (`WeeklyAssignment.proven`) and
    leaves units unplaced, the programme over agents and slots runs too (with
    one node budget), unless the run's time budget is spent or the weeks' bound
    leaves no room for one more unit (`_room_for_a_unit`), and the answer
    filling more hours is kept (the weeks' on a tie; the weeks' when the
    programme's puts more than `most` agents to work).
    """
    from scheduling.shifts.weekly import assign_weeks  # weekly builds on this module

    if not slots or not staff:
        return []
    weeks = assign_weeks(
        slots,
        staff,
        rules,
        seconds=time_left(options.time_limit_seconds),
        node_limit=ASSIGN_MORE_NODES,
        most=most,
    )
    if weeks.proven or len(weeks.taken) == sum(slot.count for slot in slots):
        return weeks.taken  # proven, or every unit placed: no answer fills more hours
    if budget_spent():
        return weeks.taken  # the run's time is up: the programme would get a floor only
    if not _room_for_a_unit(weeks, slots):
        return weeks.taken
    # One node budget: with a second of ASSIGN_MORE_NODES, weeks 6-8 of the
    # eight-week example plan took 301, 217 and 285 s (week 6 seen in it by py-spy)
    # for a few more shifts placed; a plan whose time grows with its weeks is worth
    # more than those (README, multiweek).
    other = _solve_assignment(
        slots, staff, rules, options, compact=False, budgets=(ASSIGN_NODE_LIMIT,)
    )
    if most is not None and len({name for name, _ in other}) > most:
        return weeks.taken
    hours = sum(slot.paid_hours for _, slot in other)
    return other if hours > sum(slot.paid_hours for _, slot in weeks.taken) + 1e-9 else weeks.taken


UNIT_ROOM_MARGIN = 1.0
"""Paid hours taken off the shortest unplaced unit in `_room_for_a_unit`: the
weeks' value also carries the weekend terms and the tie-break (under half an
hour together)."""


def _room_for_a_unit(weeks: WeeklyAssignment, slots: list[_Slot]) -> bool:
    """Whether the weeks' bound leaves room for an answer with one unit more placed.

    The agent-by-slot programme after the weeks is there to place units the
    weeks left (each is shortfall in the plan); with less room than the
    shortest of those units, it could at most trade shorter units for longer
    ones (an 8-hour for a 9-hour one), gaining less than that room. On the
    peak benchmark's week 1 (400 agents) it took 86 s of the week's 300 s for
    a room of 4 hours at Manila and placed nothing, time the repair and the
    sweep (which cover the shortfall itself) then lacked.
    """
    placed = Counter((slot.shift_id, slot.queue) for _, slot in weeks.taken)
    left = [slot.paid_hours for slot in slots if placed[(slot.shift_id, slot.queue)] < slot.count]
    room = weeks.bound - weeks.value
    return bool(left) and room >= min(left) - UNIT_ROOM_MARGIN


def _solve_assignment(
    slots: list[_Slot],
    staff: list[Agent],
    rules: _Rules,
    options: ScheduleOptions,
    *,
    compact: bool,
    budgets: tuple[int, ...] = (ASSIGN_NODE_LIMIT, ASSIGN_MORE_NODES),
) -> list[tuple[str, _Slot]]:
    """Most paid hours filled; ties to preferred starts (or low agent numbers if compact).

    `budgets` are the node limits of successive solves: a later one runs only when
    the one before stopped on its nodes with units left.
    """
    if not slots or not staff:
        return []
    problem = pulp.LpProblem("assign", pulp.LpMaximize)
    y, score = _assignment_variables(problem, slots, staff, rules, compact=compact)
    if not y:
        return []
    mine_of: dict[int, dict[int, pulp.LpVariable]] = defaultdict(dict)
    for (a, r), var in y.items():
        mine_of[a][r] = var
    for a in range(len(staff)):
        score.extend(_weekend_terms(problem, a, mine_of[a], slots))
    problem.setObjective(pulp.LpAffineExpression(score))
    by_slot: dict[int, list[pulp.LpVariable]] = defaultdict(list)
    for (_, r), var in y.items():
        by_slot[r].append(var)
    for r, variables in by_slot.items():
        problem += (pulp.lpSum(variables) <= slots[r].count, f"fill_{r}")
    cliques = _cliques(slots, rules)
    for a, agent in enumerate(staff):
        _agent_rows(problem, (a, agent), mine_of[a], slots, rules, cliques)
    # Stop once the filled hours are proven within half an hour of the best (hours
    # come in whole shifts), or after a node budget: both end every run alike. A
    # budget that ends with units left unproven gets ASSIGN_MORE_NODES instead; that
    # answer is kept only if the node budget, not the time limit, ended it.
    hours = sum(slot.paid_hours * slot.count for slot in slots)
    units = sum(slot.count for slot in slots)
    best: list[tuple[str, _Slot]] = []
    for nodes in budgets:
        try:
            result = solve_problem(
                problem,
                solver=options.solver,
                time_limit_seconds=options.time_limit_seconds,
                gap=min(0.5 / max(hours, 1.0), 0.01),
                node_limit=nodes,
            )
        except InfeasibleError:  # no answer in the time left: keep the best so far
            break
        taken = [
            (staff[a].name, slots[r])
            for (a, r), var in sorted(y.items())
            if var.varValue is not None and var.varValue > 0.5
        ]
        if nodes == budgets[0] or (result.status != "time_limit" and len(taken) >= len(best)):
            best = taken
        if result.status != "node_limit" or len(best) == units:
            break
    return best


def _assignment_variables(
    problem: pulp.LpProblem,
    slots: list[_Slot],
    staff: list[Agent],
    rules: _Rules,
    *,
    compact: bool,
) -> tuple[dict[tuple[int, int], pulp.LpVariable], list[tuple[pulp.LpVariable, float]]]:
    """y[a, r] = 1 when agent a takes a unit of slot r, for each eligible pair.

    Returns:
        y, and its objective terms: the slot's paid hours less a tie-break for
        the distance from the agent's preferred start (or, if `compact`, for a
        high agent number).
    """
    units = sum(slot.count for slot in slots)
    # Hours filled first, then weekend fairness (steps of WEEKEND_STEP), then
    # preferences (all together less than one step).
    tie = WEEKEND_STEP / 2 / max(units, 1)
    y: dict[tuple[int, int], pulp.LpVariable] = {}
    score = []
    for a, agent in enumerate(staff):
        for r, slot in enumerate(slots):
            if not _eligible(agent, slot, rules):
                continue
            var = problem.add_variable(f"y_{a}_{r}", cat=pulp.LpBinary)
            y[(a, r)] = var
            penalty = a / len(staff) if compact else _distance(agent.preferred_start, slot.minute)
            owed = WEEKEND_DUE_STEP if agent.name in rules.weekend_due and slot.weekday >= 5 else 0
            score.append((var, slot.paid_hours - tie * penalty - owed))
    return y, score


def _agent_rows(
    problem: pulp.LpProblem,
    who: tuple[int, Agent],
    mine: dict[int, pulp.LpVariable],
    slots: list[_Slot],
    rules: _Rules,
    cliques: list[list[int]],
) -> None:
    """Agent a's clash_, days_, hours_ and days-off rows over its y (`mine`, by slot)."""
    a, agent = who
    for c, group in enumerate(cliques):
        members = [mine[r] for r in group if r in mine]
        if len(members) > 1:
            problem += (pulp.lpSum(members) <= 1, f"clash_{a}_{c}")
    if rules.rolling is not None:
        _window_rows(problem, who, mine, slots, rules)
        return
    weeks: dict[int, list[int]] = defaultdict(list)
    for r in sorted(mine):
        weeks[slots[r].week].append(r)
    for week, rows in weeks.items():
        days = rules.max_days - _worked_in(agent.worked_days, week)
        if len(rows) > days:
            problem += (pulp.lpSum(mine[r] for r in rows) <= days, f"days_{a}_{week}")
        if sum(slots[r].paid_hours for r in rows) > agent.max_hours:
            problem += (
                pulp.lpSum(slots[r].paid_hours * mine[r] for r in rows) <= agent.max_hours,
                f"hours_{a}_{week}",
            )
    _days_off_rows(problem, a, mine, slots, rules, _blocking(agent.worked_days, rules))


def _days_off_rows(
    problem: pulp.LpProblem,
    a: int,
    mine: dict[int, pulp.LpVariable],
    slots: list[_Slot],
    rules: _Rules,
    worked: tuple[int, ...] = (),
) -> None:
    """Agent a keeps a run of `days_off` free days in every week.

    off[a,w,p] = 1 says the run starting on day p is free: off + (shifts on
    each of its days) <= 1, and every week has one such run. A week with a run
    on which the agent has no eligible shift at all needs no rows. Runs through
    a day `worked` before the horizon are not free.
    """
    if not mine:
        return
    on_day: dict[int, list[pulp.LpVariable]] = defaultdict(list)
    for r, var in mine.items():
        on_day[rules.day(slots[r])].append(var)
    for week in rules.days_off.weeks():
        runs = [run for run in rules.days_off.runs(week) if not set(worked).intersection(run)]
        if any(all(d not in on_day for d in run) for run in runs):
            continue
        free = []
        for p, run in enumerate(runs):
            off = problem.add_variable(f"off_{a}_{week}_{p}", cat=pulp.LpBinary)
            free.append(off)
            for d in sorted(set(run)):
                if d in on_day:
                    problem += (off + pulp.lpSum(on_day[d]) <= 1, f"off_{a}_{week}_{p}_{d}")
        problem += (pulp.lpSum(free) >= 1, f"daysoff_{a}_{week}")


def _window_rows(
    problem: pulp.LpProblem,
    who: tuple[int, Agent],
    mine: dict[int, pulp.LpVariable],
    slots: list[_Slot],
    rules: _Rules,
) -> None:
    """Agent a's rows of every rolling 7-day window (`_Rules.rolling`).

    Per window: its y <= max_days less the days worked in it before the run
    (`Agent.recent`), its paid hours <= the weekly hours less theirs, and one
    free run of days off starting in it (`Rolling.runs`): off[a,p] = 1 says the
    run from day p is free (off + shifts on each of its days <= 1), shared by
    the windows holding it. A window whose runs the days before the run all
    touch takes no shift.
    """
    a, agent = who
    rolling = rules.rolling
    assert rolling is not None
    on_day: dict[int, list[int]] = defaultdict(list)
    for r in sorted(mine):
        on_day[rules.day(slots[r])].append(r)
    past = dict(agent.recent)
    off: dict[tuple[int, ...], pulp.LpVariable] = {}
    for first in rolling.starts():
        days = rolling.window(first)
        rows = [r for d in days for r in on_day.get(d, ())]
        if not rows or (rolling.wrap and first < 0 and not past):
            continue  # (a cyclic run's wrapped windows imply these without days before it)
        name = f"{a}_w{first - rolling.starts()[0]}"
        before = [d for d in days if d in past]
        most = max(rolling.max_days - len(before), 0)
        if len({rules.day(slots[r]) for r in rows}) > most:
            problem += (pulp.lpSum(mine[r] for r in rows) <= most, f"days_{name}")
        left = max(agent.max_hours - sum(past[d] for d in before), 0.0)
        if sum(slots[r].paid_hours for r in rows) > left + 1e-9:
            problem += (
                pulp.lpSum(slots[r].paid_hours * mine[r] for r in rows) <= left,
                f"hours_{name}",
            )
        every = rolling.runs(first)
        runs = [run for run in every if not set(past).intersection(run)]
        if not every or any(all(d not in on_day for d in run) for run in runs):
            continue
        if not runs:  # the days before the run leave no run free in this window
            problem += (pulp.lpSum(mine[r] for r in rows) <= 0, f"daysoff_{name}")
            continue
        for run in runs:
            if run not in off:
                var = problem.add_variable(f"off_{a}_r{len(off)}", cat=pulp.LpBinary)
                for i, d in enumerate(run):
                    if d in on_day:
                        busy = pulp.lpSum(mine[r] for r in on_day[d])
                        problem += (var + busy <= 1, f"off_{a}_r{len(off)}_{i}")
                off[run] = var
        problem += (pulp.lpSum(off[run] for run in runs) >= 1, f"daysoff_{name}")


def _weekend_terms(
    problem: pulp.LpProblem,
    a: int,
    mine: dict[int, pulp.LpVariable],
    slots: list[_Slot],
) -> list[tuple[pulp.LpVariable, float]]:
    """Objective terms pricing agent a's k-th weekend day at -k * WEEKEND_STEP.

    Continuous u_1..u_K in [0, 1] with sum u >= weekend shifts of a; as the
    cost grows with k, an optimum fills them in order, so the cost is the
    convex k(k+1)/2 * WEEKEND_STEP for k weekend days.
    """
    weekend = {r: var for r, var in mine.items() if slots[r].weekday >= 5}
    if not weekend:
        return []
    days = len({slots[r].dayno for r in weekend})
    steps = [
        problem.add_variable(f"weekend_{a}_{k}", lowBound=0, upBound=1) for k in range(1, days + 1)
    ]
    problem += (pulp.lpSum(steps) - pulp.lpSum(weekend.values()) >= 0, f"weekend_{a}")
    return [(u, -WEEKEND_STEP * k) for k, u in enumerate(steps, start=1)]


def _cliques(slots: list[_Slot], rules: _Rules) -> list[list[int]]:
    """Sets of slots that pairwise clash; every clashing pair shares a set.

    One set per local day (wrapped round a cyclic horizon), and one per shift
    start instant: the slots whose span plus rest contains it.
    """
    groups: set[tuple[int, ...]] = set()
    by_day: dict[int, list[int]] = defaultdict(list)
    for r, slot in enumerate(slots):
        by_day[rules.day(slot)].append(r)
    groups.update(tuple(rows) for rows in by_day.values())
    for instant in sorted({slot.begin for slot in slots}):
        groups.add(tuple(r for r, slot in enumerate(slots) if rules.reach(slot, instant)))
    ordered = sorted((g for g in groups if len(g) > 1), key=lambda g: (-len(g), g))
    kept: list[list[int]] = []
    for group in ordered:
        if not any(set(group) <= set(bigger) for bigger in kept):
            kept.append(list(group))
    return kept


def _distance(preferred: int | None, minute: int) -> float:
    """Clock distance between a preferred and an actual start, 0-1."""
    if preferred is None:
        return 0.0
    gap = abs(preferred - minute) % 1440
    return min(gap, 1440 - gap) / 720


def anonymous_agents(site: Site, n: int, options: ScheduleOptions) -> list[Agent]:
    """Agents "{site}-001" .. of a site without a roster: all its queues, max_hours_per_week."""
    return [
        Agent(
            name=_anonymous_name(site, k),
            site=site.name,
            skills=tuple(sorted(site.queues)),
            max_hours=options.max_hours_per_week,
        )
        for k in range(1, n + 1)
    ]


def _anonymous_name(site: Site, k: int) -> str:
    return f"{site.name}-{k:03d}"


def _slots(
    chosen: pd.DataFrame,
    shifts: pd.DataFrame,
    sites: dict[str, Site],
    horizon_start: pd.Timestamp,
) -> list[tuple[str, _Slot]]:
    missing = [c for c in (SHIFT_ID, QUEUE, COUNT) if c not in chosen]
    if missing:
        raise InputError(f"chosen: missing column(s) {', '.join(missing)}")
    table = shifts.drop_duplicates(SHIFT_ID).set_index(SHIFT_ID)
    unknown = sorted(set(chosen[SHIFT_ID]) - set(table.index))
    if unknown:
        raise InputError(f"chosen: {len(unknown)} shift_id(s) not in shifts, e.g. {unknown[:5]}")
    out = []
    shorts = chosen[SHORT_IF_LEFT] if SHORT_IF_LEFT in chosen else [0.0] * len(chosen)
    rows = zip(chosen[SHIFT_ID], chosen[QUEUE], chosen[COUNT], shorts, strict=True)
    for shift_id, queue, count, short in rows:
        if not (float(count) >= 0 and float(count) == int(count)):
            raise InputError(f"chosen: count of {shift_id!r} must be a whole number >= 0")
        if int(count) == 0:
            continue
        row = table.loc[shift_id]
        site = sites.get(row[SITE])
        if site is None:
            raise InputError(f"chosen: site {row[SITE]!r} of {shift_id!r} is not configured")
        skills = parse_group(queue)
        strangers = [q for q in skills if q not in site.queues]
        if not skills or strangers:
            raise InputError(
                f"chosen: site {site.name!r} does not serve queue(s) {queue!r}; give a "
                f"';'-separated subset of {', '.join(site.queues)}"
            )
        span = (pd.Timestamp(row[START]), pd.Timestamp(row[END]))
        paid = float(row[PAID_HOURS])
        slot = make_slot(
            shift_id, site, skills, span, paid, horizon_start, count=int(count), short=float(short)
        )
        out.append((site.name, slot))
    return sorted(out, key=lambda item: (item[1].begin, item[0], item[1].shift_id, item[1].queue))


def make_slot(
    shift_id: str,
    site: Site,
    skills: tuple[str, ...],
    span: tuple[pd.Timestamp, pd.Timestamp],
    paid_hours: float,
    horizon_start: pd.Timestamp,
    *,
    count: int = 1,
    short: float = 0.0,
) -> _Slot:
    """A slot of `count` units of shift (start, end) = `span` for skill group `skills`;
    `short`: its `short_if_left` (agent-hours)."""
    start, end = span
    local = start.tz_convert(site.tz)
    begin = (start - horizon_start).total_seconds()
    return _Slot(
        shift_id=shift_id,
        site=site.name,
        queue=group_label(skills),
        skills=skills,
        count=count,
        start=start,
        end=end,
        paid_hours=paid_hours,
        begin=begin,
        finish=(end - horizon_start).total_seconds(),
        weekday=local.weekday(),
        minute=local.hour * 60 + local.minute,
        week=week_number(site, horizon_start, start),
        dayno=(local.date() - first_local_date(site, horizon_start)).days,
        short_if_left=short,
    )


Pause = tuple[pd.Timestamp, pd.Timestamp, float]  # break start, end (UTC), agents


def _break_weights(breaks: pd.DataFrame | None) -> dict[tuple[str, str], dict[int, list[Pause]]]:
    """(shift_id, group label) -> rule -> [(break_start, break_end, agents)] in start order.

    Without a `rule` column every break is of rule 0.
    """
    if breaks is None or breaks.empty:
        return {}
    missing = [c for c in (SHIFT_ID, QUEUE, BREAK_START, BREAK_END, WEIGHT) if c not in breaks]
    if missing:
        raise InputError(f"breaks: missing column(s) {', '.join(missing)}")
    rules = breaks[RULE] if RULE in breaks else pd.Series(0, index=breaks.index)
    out: dict[tuple[str, str], dict[int, list[Pause]]] = defaultdict(lambda: defaultdict(list))
    for shift_id, label, begin, finish, weight, rule in zip(
        breaks[SHIFT_ID],
        breaks[QUEUE],
        breaks[BREAK_START],
        breaks[BREAK_END],
        breaks[WEIGHT],
        rules,
        strict=True,
    ):
        out[(str(shift_id), group_label(parse_group(label)))][int(rule)].append(
            (pd.Timestamp(begin), pd.Timestamp(finish), float(weight))
        )
    return {
        key: {rule: sorted(rows, key=lambda r: r[0]) for rule, rows in per_rule.items()}
        for key, per_rule in out.items()
    }


def _hand_out(pauses: list[Pause], agents: int) -> list[tuple[object, object]]:
    """One (start, end) per agent in name order: break starts in start order,
    as many agents each as largest-remainder rounding of the weights gives."""
    if not pauses:
        return [(None, None)] * agents
    out: list[tuple[object, object]] = []
    counts = round_breaks([weight for _, _, weight in pauses], agents)
    for (begin, finish, _), n in zip(pauses, counts, strict=True):
        out.extend([(begin, finish)] * n)
    return out


def _schedule_frame(
    assigned: list[tuple[str, _Slot]],
    sites: dict[str, Site],
    skills_of: dict[str, tuple[str, ...]],
    breaks: dict[tuple[str, str], dict[int, list[Pause]]],
    *,
    other_breaks: bool = False,
) -> pd.DataFrame:
    """The schedule rows; with `other_breaks`, rules after the first fill OTHER_BREAKS."""
    by_slot: dict[tuple[str, str], list[tuple[str, _Slot]]] = defaultdict(list)
    for agent, slot in assigned:
        by_slot[(slot.shift_id, slot.queue)].append((agent, slot))
    rows = []
    for key, members in by_slot.items():
        members.sort(key=lambda item: item[0])
        per_rule = breaks.get(key, {})
        firsts = _hand_out(per_rule.get(0, []), len(members))
        others = [_hand_out(per_rule[r], len(members)) for r in sorted(per_rule) if r > 0]
        for n, ((agent, slot), (begin, finish)) in enumerate(zip(members, firsts, strict=True)):
            site = sites[slot.site]
            rows.append(
                {
                    AGENT: agent,
                    SITE: slot.site,
                    START: slot.start,
                    END: slot.end,
                    TIMEZONE: site.timezone,
                    BREAK_START: begin,
                    BREAK_END: finish,
                    OTHER_BREAKS: tuple(
                        sorted(pause[n] for pause in others if pause[n][0] is not None)
                    ),
                    QUEUE: group_label(skills_of.get(agent, site.queues)),
                }
            )
    columns = SCHEDULE_COLUMNS_OTHER_BREAKS if other_breaks else SCHEDULE_COLUMNS
    frame = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS_OTHER_BREAKS))[list(columns)]
    for column in (START, END, BREAK_START, BREAK_END):
        frame[column] = utc_column(frame[column])
    for column in (AGENT, SITE, TIMEZONE, QUEUE):
        frame[column] = frame[column].astype(str)
    return frame.sort_values([START, SITE, AGENT, QUEUE], ignore_index=True)


def empty_assignment(options: ScheduleOptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`assign_agents`' (schedule, unfilled) of no shifts, in the columns it uses."""
    several = len(options.break_rules) > 1
    return _schedule_frame([], {}, {}, {}, other_breaks=several), _unfilled_frame([])


def _unfilled_frame(unfilled: list[tuple[_Slot, int]]) -> pd.DataFrame:
    rows = [
        {
            SITE: slot.site,
            START: slot.start,
            END: slot.end,
            QUEUE: slot.queue,
            COUNT: left,
        }
        for slot, left in unfilled
    ]
    frame = pd.DataFrame(rows, columns=list(UNFILLED_COLUMNS))
    frame[START] = utc_column(frame[START])
    frame[END] = utc_column(frame[END])
    frame[SITE] = frame[SITE].astype(str)
    frame[QUEUE] = frame[QUEUE].astype(str)
    frame[COUNT] = frame[COUNT].astype("int64")
    frame = frame.groupby([SITE, START, END, QUEUE], as_index=False)[COUNT].sum()
    return frame.sort_values([START, SITE, QUEUE, END], ignore_index=True)
