"""Top-up: give agents with room left extra shifts where the final schedule is short.

The shift programme's rows for a roster or a capped site are valid but not exact,
so a few chosen shifts may be ones no agent can take (`unfilled`), and the
programme may itself leave intervals short. Once named agents hold their shifts,
what each one can still take is exact: a candidate shift fits an agent when
`scheduling.shifts.assign`'s rules hold with its shifts so far (one a local day,
rest, days and hours a week, a run of days off, skills, unavailable days,
release). This small programme chooses at most one extra shift per agent and
week (with rolling weeks, per agent: two could break a window together), where
the penalty of the shortfall it covers is worth more than its cost:

    minimise   sum_z (c_s + p h worked_s) z + (P + p) h sum_{q,t} short[q,t]
    subject to for each interval t and Hall set Q of its short queues
               sum_{q in Q} short[q,t] + sum_{z serving Q} worked_{s,t} z
                   >= sum_{q in Q} shortfall[q,t]
               sum_{z of agent a starting in week w} z <= 1
               z binary, 0 <= short[q,t] <= shortfall[q,t]

Each extra shift takes the middle candidate of each break rule. The schedule's
objective never rises: taking no shift is a solution.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pulp

from scheduling.columns import (
    AGENT,
    BREAK_END,
    BREAK_START,
    COST,
    END,
    INTERVAL_START,
    OTHER_BREAKS,
    PAID_HOURS,
    QUEUE,
    SHIFT_ID,
    SHORTFALL,
    SITE,
    START,
    TIMEZONE,
)
from scheduling.shifts.assign import (
    WEEKEND_DUE_STEP,
    _eligible,
    _fits,
    _Rules,
    _Slot,
    make_slot,
)
from scheduling.shifts.breaks import rule_break_options
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.model import (
    REPAIR_HALL_MOST,
    allocation_rows,
    hall_sets,
    span_cells,
)
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import Agent
from scheduling.shifts.sites import Site
from scheduling.shifts.skills import group_label
from scheduling.shifts.templates import utc_column
from scheduling.solver import solve_if_time, stop_insisted, time_left

__all__ = [
    "TOPUP_NODE_LIMIT",
    "extra_shifts",
    "greedy_extra_shifts",
    "greedy_schedule",
    "shift_rows",
]

Pauses = tuple[tuple[pd.Timestamp, pd.Timestamp], ...]  # (start, end) UTC of each break

TOPUP_NODE_LIMIT = 200
TOPUP_SHARE = 0.25  # of the time left, at most, for the programme (the repair runs after)
TOPUP_MIN_SECONDS = 20.0
GREEDY_MOST_ROUNDS = 200  # a safety net: each round adds a shift at least
_EPS = 1e-6


@dataclass(frozen=True)
class _Option:
    agent: Agent
    slot: _Slot
    breaks: Pauses
    worked: dict[int, float]  # grid position -> share of the interval worked
    cost: float
    rules: _Rules
    held: tuple[_Slot, ...] = ()  # the agent's shifts before it, as `_fits` reads them


def extra_shifts(
    schedule: pd.DataFrame,
    coverage: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    agents: Sequence[Agent],
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    release: Mapping[str, pd.Timestamp] | None = None,
    weekend_due: Collection[str] = (),
) -> pd.DataFrame:
    """The extra shifts worth giving (module docstring), as schedule rows.

    Args:
        schedule: the schedule so far (`SCHEDULE_COLUMNS`, UTC).
        coverage: its coverage (`COVERAGE_COLUMNS`).
        shifts: candidate shifts (`generate_shifts` columns, with `cost`).
        agents: every agent who may take one (roster agents, or anonymous agents
            up to each site's `max_agents`), with or without shifts so far.
        sites: the sites.
        options: the rules, penalties and solver settings.
        horizon: (start, end) of the schedule, UTC.
        release: per agent, the earliest start (see `assign_agents`).
        weekend_due: agents owed a weekend off: a weekend shift costs them
            `WEEKEND_DUE_STEP` paid hours more, as in the assignment and repair.

    Returns:
        Rows in the schedule's columns; empty when nothing is short or worth it.
    """
    grid, need = _shortfall(coverage)
    if not need or shifts.empty or not agents:
        return schedule.iloc[:0]
    found = _options(
        schedule, shifts, need, agents, sites, options, horizon, (release, weekend_due), grid
    )
    if not found:
        return schedule.iloc[:0]
    chosen: list[_Option] = []
    for o in _solve(found, need, options):  # its rows pair weeks by rest only
        if _still_fits(o, chosen):
            chosen.append(o)
    worked = [(o.agent, o.slot.site, o.slot.start, o.slot.end, o.breaks) for o in chosen]
    return shift_rows(worked, {s.name: s for s in sites}, schedule.columns)


def _shortfall(
    coverage: pd.DataFrame,
) -> tuple[pd.DatetimeIndex, dict[tuple[str, int], float]]:
    """(the coverage's interval grid, {(queue, grid position): agents short})."""
    grid = pd.DatetimeIndex(coverage[INTERVAL_START].unique()).sort_values()
    short = coverage[coverage[SHORTFALL] > _EPS]
    need = {
        (q, grid.get_loc(t)): float(s)
        for q, t, s in zip(short[QUEUE], short[INTERVAL_START], short[SHORTFALL], strict=True)
    }
    return grid, need


def _options(
    schedule: pd.DataFrame,
    shifts: pd.DataFrame,
    need: dict[tuple[str, int], float],
    agents: Sequence[Agent],
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    held_back: tuple[Mapping[str, pd.Timestamp] | None, Collection[str]],
    grid: pd.DatetimeIndex,
) -> list[_Option]:
    """Every (agent, candidate shift) that fits the agent and covers some shortfall
    (`held_back`: the release and weekend_due of `extra_shifts`)."""
    release, weekend_due = held_back
    by_name = {s.name: s for s in sites}
    start = horizon[0]
    short_queues = {q for q, _ in need}
    useful = _useful_shifts(shifts, need, grid, options)
    if useful.empty:
        return []
    breaks = _middle_breaks(useful, sites, options)
    worked = _worked(useful, breaks, grid, options)
    held_shifts = shifts[shifts[START].isin(schedule[START])]  # a round's lookups only
    paid_of = dict(
        zip(
            zip(held_shifts[SITE], held_shifts[START], held_shifts[END], strict=True),
            held_shifts[PAID_HOURS],
            strict=True,
        )
    )
    held: dict[str, list[_Slot]] = defaultdict(list)
    for agent, site, begin, end in zip(
        schedule[AGENT], schedule[SITE], schedule[START], schedule[END], strict=True
    ):
        # the candidate's paid hours (a shift of the schedule is one); else start to end
        hours = paid_of.get((site, begin, end), (end - begin).total_seconds() / 3600)
        held[str(agent)].append(
            make_slot("held", by_name[site], (), (begin, end), float(hours), start)
        )
    out: list[_Option] = []
    for site_name, rows in useful.groupby(SITE, sort=True):
        site = by_name[str(site_name)]
        span = (start, horizon[1])
        rules = _Rules.at_site(options, site, span, release=release, weekend_due=weekend_due)
        owed = WEEKEND_DUE_STEP * site.cost_per_hour
        mine = [a for a in agents if a.site == site.name and short_queues & set(a.skills)]
        for shift_id, begin, end, paid, cost in zip(
            rows[SHIFT_ID], rows[START], rows[END], rows[PAID_HOURS], rows[COST], strict=True
        ):
            for agent in mine:
                slot = make_slot(shift_id, site, agent.skills, (begin, end), float(paid), start)
                own = held.get(agent.name, [])
                if not _eligible(agent, slot, rules):
                    continue
                if not _fits(own, slot, rules, agent.max_hours, agent.worked_days, agent.recent):
                    continue
                cells = {i: s for i, s in worked[shift_id].items() if _serves(agent, need, i)}
                if cells:
                    due = agent.name in rules.weekend_due and slot.weekday >= 5
                    price = float(cost) + (owed if due else 0.0)
                    option = _Option(agent, slot, breaks[shift_id], cells, price, rules, tuple(own))
                    out.append(option)
    return out


def _serves(agent: Agent, need: dict[tuple[str, int], float], i: int) -> bool:
    return any((q, i) in need for q in agent.skills)


def _useful_shifts(
    shifts: pd.DataFrame,
    need: dict[tuple[str, int], float],
    grid: pd.DatetimeIndex,
    options: ScheduleOptions,
) -> pd.DataFrame:
    """The candidate shifts that span an interval with shortfall."""
    spans = span_cells(shifts[START], shifts[END], grid, options)
    short_at = {i for _, i in need}
    keep = [k for k in range(len(shifts)) if short_at & spans.get(k, {}).keys()]
    return shifts.iloc[keep].reset_index(drop=True)


def _middle_breaks(
    shifts: pd.DataFrame, sites: Sequence[Site], options: ScheduleOptions
) -> dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]]:
    """Per shift_id, the middle candidate break of each rule that gives it one."""
    out: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = defaultdict(list)
    for frame in rule_break_options(shifts, sites=sites, options=options):
        for shift_id, rows in frame.groupby(SHIFT_ID, sort=True):
            middle = rows.iloc[(len(rows) - 1) // 2]
            out[str(shift_id)].append((middle[BREAK_START], middle[BREAK_END]))
    return {sid: tuple(out.get(sid, [])) for sid in shifts[SHIFT_ID]}


def _worked(
    shifts: pd.DataFrame,
    breaks: dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]],
    grid: pd.DatetimeIndex,
    options: ScheduleOptions,
) -> dict[str, dict[int, float]]:
    """Per shift_id, the share of each interval it works, its breaks taken off."""
    spans = span_cells(shifts[START], shifts[END], grid, options)
    pauses = [(sid, b, e) for sid, rows in breaks.items() for b, e in rows]
    off = span_cells(
        pd.Series([b for _, b, _ in pauses]), pd.Series([e for _, _, e in pauses]), grid, options
    )
    out: dict[str, dict[int, float]] = {}
    for k, shift_id in enumerate(shifts[SHIFT_ID]):
        out[str(shift_id)] = dict(spans.get(k, {}))
    for k, (shift_id, _, _) in enumerate(pauses):
        cells = out[shift_id]
        for i, share in off.get(k, {}).items():
            cells[i] = cells.get(i, 0.0) - share
    return {sid: {i: s for i, s in cells.items() if s > _EPS} for sid, cells in out.items()}


def _solve(
    found: list[_Option], need: dict[tuple[str, int], float], options: ScheduleOptions
) -> list[_Option]:
    """The programme of the module docstring; the options it takes."""
    problem = pulp.LpProblem("topup", pulp.LpMinimize)
    penalty, surplus = _prices(options)
    z = [problem.add_variable(f"z_{k}", cat=pulp.LpBinary) for k in range(len(found))]
    short = {
        key: problem.add_variable(f"s_{n}", lowBound=0, upBound=value)
        for n, (key, value) in enumerate(sorted(need.items()))
    }
    terms = [
        (var, o.cost + surplus * sum(o.worked.values())) for var, o in zip(z, found, strict=True)
    ]
    problem.setObjective(pulp.LpAffineExpression(terms + [(v, penalty) for v in short.values()]))
    _cover_rows(problem, z, found, need, short)
    weekly: dict[tuple[str, int], list[pulp.LpVariable]] = defaultdict(list)
    for var, o in zip(z, found, strict=True):  # rolling weeks: one extra shift in all
        weekly[(o.agent.name, o.slot.week if o.rules.rolling is None else 0)].append(var)
    for n, (_, variables) in enumerate(sorted(weekly.items())):
        if len(variables) > 1:
            problem += (pulp.lpSum(variables) <= 1, f"one_{n}")
    _clash_rows(problem, z, found)
    left = time_left(options.time_limit_seconds)
    solved = solve_if_time(
        problem,
        solver=options.solver,
        time_limit_seconds=min(left, max(TOPUP_MIN_SECONDS, TOPUP_SHARE * left)),
        gap=0.0,
        node_limit=TOPUP_NODE_LIMIT,
    )
    if solved is None:  # no answer in its time: the greedy's, never nothing
        return greedy_extra_shifts(found, need, options)
    taken = [o for var, o in zip(z, found, strict=True) if (var.varValue or 0.0) > 0.5]
    if solved.stopped_by in ("optimal", "gap"):  # proven: nothing does better
        return taken
    # a time-limited answer can be worse than the greedy's (400 agents, 50 queues);
    # the greedy's objective is an upper one (its cover shared out in name order)
    greedy = greedy_extra_shifts(found, need, options)
    return greedy if _objective(greedy, need, options) < solved.objective - _EPS else taken


def _prices(options: ScheduleOptions) -> tuple[float, float]:
    """(worth of an agent-interval of shortfall covered, cost of one worked as surplus)."""
    hours = options.interval_minutes / 60
    return (options.shortfall_penalty + options.surplus_penalty) * hours, (
        options.surplus_penalty * hours
    )


def _objective(
    chosen: Sequence[_Option], need: Mapping[tuple[str, int], float], options: ScheduleOptions
) -> float:
    """The programme's objective of `chosen` with its cover shared out as the greedy
    does (in name order): at least the programme's own for the same shifts."""
    value, surplus = _prices(options)
    remaining = dict(need)
    total = 0.0
    for o in chosen:
        total += o.cost + surplus * sum(o.worked.values())
        _cover(o, remaining, take=True)
    return total + value * sum(remaining.values())


def _cover(o: _Option, remaining: dict[tuple[str, int], float], *, take: bool) -> float:
    """Agent-intervals of `remaining` shortfall `o` covers (taken off it when `take`):
    each interval's share goes to the agent's short queues in name order."""
    total = 0.0
    for i, share in o.worked.items():
        left = share
        for q in sorted(o.agent.skills):
            if left <= _EPS:
                break
            short = remaining.get((q, i), 0.0)
            if short > _EPS:
                part = min(left, short)
                left -= part
                total += part
                if take:
                    remaining[(q, i)] = short - part
    return total


def greedy_extra_shifts(
    found: Sequence[_Option],
    need: Mapping[tuple[str, int], float],
    options: ScheduleOptions,
    room: Mapping[str, int] | None = None,
) -> list[_Option]:
    """Extra shifts by lazy greedy, for when the programme finds no answer in time.

    Repeatedly takes the option whose covered shortfall is worth most over its
    cost (the programme's objective: (P + p) h per agent-interval covered,
    against c + p h of the hours it works), keeping the programme's rules (one a
    week per agent, and none that clashes with one already taken). An option's
    worth only falls as others are taken, so each is re-priced when it comes to
    the top. At a 400-agent week of 50 queues the programme found nothing in
    1,100 s and the schedule kept 400 agent-hours short with 89 agents idle.

    `room`: per site with `max_agents`, how many agents without shifts so far
    (no `held`) may still get one there; None: no cap.
    """
    value, surplus = _prices(options)
    remaining = dict(need)
    left = dict(room or {})
    newcomers: set[str] = set()

    def worth(o: _Option) -> float:
        return value * _cover(o, remaining, take=False) - o.cost - surplus * sum(o.worked.values())

    heap = [(-worth(o), k) for k, o in enumerate(found)]
    heapq.heapify(heap)
    chosen: list[_Option] = []
    weeks_used: set[tuple[str, int]] = set()
    while heap:
        _, k = heapq.heappop(heap)
        o = found[k]
        week = (o.agent.name, o.slot.week if o.rules.rolling is None else 0)
        if week in weeks_used:
            continue
        gain = worth(o)
        if gain <= _EPS:
            continue
        if heap and gain < -heap[0][0] - _EPS:
            heapq.heappush(heap, (-gain, k))  # others may be worth more now
            continue
        newcomer = _takes_a_place(o, left, newcomers)
        if (newcomer and left[o.slot.site] <= 0) or not _still_fits(o, chosen):
            continue
        _cover(o, remaining, take=True)
        chosen.append(o)
        weeks_used.add(week)
        if newcomer:
            newcomers.add(o.agent.name)
            left[o.slot.site] -= 1
    return chosen


def _still_fits(o: _Option, chosen: Sequence[_Option]) -> bool:
    """Whether `o` keeps its agent's rules with the options already `chosen` for it
    (in other weeks: a run of days off or rest can span two)."""
    mine = [c.slot for c in chosen if c.agent.name == o.agent.name]
    if not mine:
        return True  # `_options` checked it against the agent's shifts
    agent = o.agent
    own = [*o.held, *mine]
    return _fits(own, o.slot, o.rules, agent.max_hours, agent.worked_days, agent.recent)


def _takes_a_place(o: _Option, left: Mapping[str, int], newcomers: set[str]) -> bool:
    """Whether `o` would put a new agent to work at a site capped by `max_agents`
    (`left`: places still free there; `newcomers`: agents given one already)."""
    return not o.held and o.agent.name not in newcomers and o.slot.site in left


def greedy_schedule(
    schedule: pd.DataFrame,
    requirements: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    agents: Callable[[pd.DataFrame], Sequence[Agent]],
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    release: Mapping[str, pd.Timestamp] | None = None,
    weekend_due: Collection[str] = (),
) -> pd.DataFrame:
    """`schedule` with greedy extra shifts added round after round until a round
    adds none: the schedule of a run whose shift programme found no answer.

    Each round is `greedy_extra_shifts` on the coverage so far: at most one
    shift per agent and week, each where the shortfall it covers is worth more
    than it costs, under `scheduling.shifts.assign`'s rules with the agent's
    shifts so far. `agents(schedule)` says who may take one (it may grow, e.g.
    anonymous agents). Takes no solver time: it is what is left when the time
    is spent. A second Ctrl-C (`solver.stop_insisted`) ends it after the round.

    Args:
        schedule: the schedule so far (`SCHEDULE_COLUMNS`, UTC), e.g. empty.
        requirements: as `coverage_frame`'s.
        shifts, sites, options, horizon, release, weekend_due: as `extra_shifts`'.

    Returns:
        The schedule with the rounds' shifts, sorted by start, site, agent, queue.
    """
    for _ in range(GREEDY_MOST_ROUNDS):
        grid, need = _shortfall(coverage_frame(requirements, schedule, options=options))
        if not need:
            break
        staff = agents(schedule)
        held_back = (release, weekend_due)
        found = _options(schedule, shifts, need, staff, sites, options, horizon, held_back, grid)
        chosen = greedy_extra_shifts(found, need, options, room=_room(schedule, sites))
        if not chosen:
            break
        worked = [(o.agent, o.slot.site, o.slot.start, o.slot.end, o.breaks) for o in chosen]
        added = shift_rows(worked, {s.name: s for s in sites}, schedule.columns)
        schedule = pd.concat([schedule, added], ignore_index=True)
        if stop_insisted():  # a second Ctrl-C: the rounds so far are the answer
            break
    return schedule.sort_values([START, SITE, AGENT, QUEUE], ignore_index=True)


def _room(schedule: pd.DataFrame, sites: Sequence[Site]) -> dict[str, int]:
    """Per site with `max_agents`, how many more agents may get shifts there."""
    working = schedule.groupby(SITE)[AGENT].nunique()
    return {
        s.name: max(s.max_agents - int(working.get(s.name, 0)), 0)
        for s in sites
        if s.max_agents is not None
    }


def _clash_rows(problem: pulp.LpProblem, z: list[pulp.LpVariable], found: list[_Option]) -> None:
    """z1 + z2 <= 1 for one agent's extra shifts in different weeks that clash."""
    mine: dict[str, list[int]] = defaultdict(list)
    for k, o in enumerate(found):
        mine[o.agent.name].append(k)
    n = 0
    for ks in mine.values():
        for a in ks:
            for b in ks:
                first, second = found[a], found[b]
                if first.slot.week < second.slot.week and first.rules.clash(
                    first.slot, second.slot
                ):
                    n += 1
                    problem += (z[a] + z[b] <= 1, f"clash_{n}")


def _cover_rows(
    problem: pulp.LpProblem,
    z: list[pulp.LpVariable],
    found: list[_Option],
    need: dict[tuple[str, int], float],
    short: dict[tuple[str, int], pulp.LpVariable],
) -> None:
    """One row per interval and Hall set of its short queues (module docstring)."""
    at: dict[int, list[tuple[pulp.LpVariable, _Option]]] = defaultdict(list)
    for var, o in zip(z, found, strict=True):
        for i in o.worked:
            at[i].append((var, o))
    queues_at: dict[int, list[str]] = defaultdict(list)
    for q, i in sorted(need):
        queues_at[i].append(q)
    for i, queues in sorted(queues_at.items()):
        serving = at.get(i, [])
        groups = sorted({tuple(sorted(o.agent.skills)) for _, o in serving})
        wanted = [q for q in queues if any(q in g for g in groups)]
        sets = hall_sets(wanted, groups, most=REPAIR_HALL_MOST)
        if sets is None:
            terms: dict[tuple[str, ...], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
            for var, o in serving:
                terms[tuple(sorted(o.agent.skills))].append((var, o.worked[i]))
            need_at = {q: need[(q, i)] for q in wanted}
            short_at = {q: short[(q, i)] for q in wanted}
            allocation_rows(problem, str(i), wanted, short_at, need_at, terms)
            continue
        for queue_set, reach in sets:
            row = [(short[(q, i)], 1.0) for q in queue_set]
            row += [
                (var, o.worked[i]) for var, o in serving if tuple(sorted(o.agent.skills)) in reach
            ]
            total = sum(need[(q, i)] for q in queue_set)
            problem += (pulp.LpAffineExpression(row) >= total, f"cover_{i}_{'_'.join(queue_set)}")


def shift_rows(
    worked: Sequence[tuple[Agent, str, pd.Timestamp, pd.Timestamp, Pauses]],
    sites: Mapping[str, Site],
    columns: pd.Index,
) -> pd.DataFrame:
    """Schedule rows in `columns` of (agent, site, start, end, breaks) shifts: the
    first break in break_start/break_end, the others in other_breaks when the
    columns have it; the agent's queue is its skills."""
    several = OTHER_BREAKS in columns
    rows = []
    for agent, site, start, end, breaks in worked:
        first = breaks[0] if breaks else (pd.NaT, pd.NaT)
        row = {
            AGENT: agent.name,
            SITE: site,
            START: start,
            END: end,
            TIMEZONE: sites[site].timezone,
            BREAK_START: first[0],
            BREAK_END: first[1],
            QUEUE: group_label(agent.skills),
        }
        if several:
            row[OTHER_BREAKS] = tuple(sorted(breaks[1:]))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in (START, END, BREAK_START, BREAK_END):
        frame[column] = utc_column(frame[column])
    return frame
