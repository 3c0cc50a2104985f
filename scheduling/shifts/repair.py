"""Repair: move named agents' shifts to where the final schedule is short.

The shift programme counts shifts per skill group and class; its rows for a
roster are necessary, not exact, so the schedule the assignment and the top-up
make of its answer may stay short where the same agents, with other shifts,
would cover. Once the agents are known, a few agents of one site can be
scheduled exactly: this integer programme re-decides the shifts of `NEIGHBOURS`
agents of a site around a short interval, every other agent's shift fixed:

    y[a,p] = 1 when agent a works piece p, for each of those agents a and
             piece p it may work (skills, unavailable days, release): in the
             round's window (`WINDOW`), the shifts the site's agents hold
             there, with their breaks, and every candidate shift of the site
             that spans a short interval, with the middle candidate of each
             break rule (as the top-up's); outside it, the agent's own shifts
             (kept or dropped: a dropped shift frees a day or hours for one in
             the window)
    each agent's rules as in the assignment (`assign._agent_rows`: one shift
             a local day, rest, days and hours a week or in every 7 days, a
             run of days off, what it worked before the horizon)
    for each interval t a piece works and Hall set Q of the queues there
        sum_{q in Q} short[q,t] + sum_{y serving Q} worked_{p,t} y
            >= sum_{q in Q} required[q,t] - (the fixed shifts' agents serving Q)
    minimise  sum_y (c_p + s h worked_p) y + (P + s) h sum short - e sum_{y kept} y

with c_p the shift's cost, P and s the shortfall and surplus penalties per
agent-hour, h the interval in hours and e a tie-break (`KEEP`) for leaving an
agent on the shift it holds (a weekend shift of an agent owed a weekend off
costs `WEEKEND_DUE_STEP` hours more, as in the assignment). The Hall rows with
a shortfall per queue are exact: the least total shortfall of the coverage (`coverage_frame`) is the
least sum of short. The new schedule replaces the old only when its objective
measured on the coverage (`coverage.plan_objective`) is
lower, so a repair never makes the plan worse. (HiGHS 1.16 given the schedule
as a MIP start through `setSolution` reported a better primal bound but handed
back the start's values, so no start is given.)

Rounds: each goes to the site whose agents could serve the most shortfall; a
short (queue, interval) of it is drawn by its shortfall, and `NEIGHBOURS` agents
around it: those who could work it and hold a shift within `NEAR` of it first,
then those who could work it, then any (seeded: the same inputs give the same
rounds); its window is `WINDOW` either side of the interval. A site is left
alone after `PATIENCE` rounds in a row that lower nothing;
`ScheduleOptions.repair_rounds` caps the rounds of a run. The window keeps a
round's programme small whatever the horizon (on the example week a round
takes about a sixth of the time of one over the whole week, and its rounds
leave less short).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pulp

from scheduling.columns import (
    AGENT,
    BREAK_END,
    BREAK_START,
    END,
    INTERVAL_START,
    OTHER_BREAKS,
    PAID_HOURS,
    QUEUE,
    REQUIRED,
    SHIFT_ID,
    SHORTFALL,
    SITE,
    START,
)
from scheduling.shifts.assign import (
    WEEKEND_DUE_STEP,
    _agent_rows,
    _cliques,
    _eligible,
    _Rules,
    make_slot,
)
from scheduling.shifts.coverage import coverage_frame, plan_objective, worked_cells
from scheduling.shifts.model import (
    REPAIR_HALL_MOST,
    allocation_rows,
    hall_sets,
    span_cells,
)
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import Agent
from scheduling.shifts.sites import Site
from scheduling.shifts.skills import parse_group
from scheduling.shifts.templates import shift_costs, utc_column
from scheduling.shifts.topup import Pauses, _middle_breaks, _useful_shifts, shift_rows
from scheduling.solver import (
    SolveProgress,
    budget_spent,
    report_progress,
    solve_if_time,
    stop_asked,
)

__all__ = ["repaired_schedule", "swept_schedule"]

NEIGHBOURS = 4
"""Agents whose whole horizon one repair programme re-decides: on the example
week 4 lowered the shortfall most per second of solving (3: less per round; 6:
rounds 5-10 times slower)."""
NEAR = pd.Timedelta(hours=12)
"""Agents holding a shift that starts this close to a short interval are drawn first."""
PATIENCE = 6
"""Repair programmes in a row at one site that lower nothing before it is left alone."""
REPAIR_NODE_LIMIT = 50
"""Branch-and-bound nodes of one repair programme: a budget that ends every run alike."""
WINDOW = pd.Timedelta(hours=36)
"""A repair programme offers the pieces that start this close to its short interval
(benchmarks/repair_rounds.py: on the example week 2.15 agent-hours short after
12 s of repair, against 2.87 after 77 s with rounds over the whole week)."""
REPAIR_SEED = 0
"""Seed of the draws of neighbourhoods: the same inputs give the same repairs."""
KEEP = 1e-3
"""Objective bonus (cost units) for an agent kept on a shift it holds: among
equally good schedules, the one that moves fewest shifts."""

SWEEP_WINDOW = pd.Timedelta(hours=36)
"""A sweep's programme offers the candidate shifts that start in a window this long."""
SWEEP_STRIDE = pd.Timedelta(hours=24)
"""Sweep windows start this far apart (they overlap by `SWEEP_WINDOW` - this)."""
SWEEP_AGENTS = 14
"""Most agents one sweep programme re-decides (benchmarks/repair_rounds.py: on
the example week, two groups of Manila's 26 agents lowered the objective by
1,193 in 23.4 s of sweep, all 26 in one programme by 1,396 in 111.5 s)."""

_EPS = 1e-6


@dataclass(frozen=True)
class _Piece:
    """A shift with its breaks (the first rule's first) that an agent may work."""

    shift_id: str
    start: pd.Timestamp
    end: pd.Timestamp
    breaks: Pauses
    paid_hours: float


def _objective(
    schedule: pd.DataFrame,
    coverage: pd.DataFrame,
    sites: Sequence[Site],
    options: ScheduleOptions,
) -> float:
    """`plan_objective` of a schedule and its coverage."""
    cost = float(shift_costs(schedule, sites=sites).sum()) if len(schedule) else 0.0
    return plan_objective(cost, coverage, options)


def repaired_schedule(
    schedule: pd.DataFrame,
    requirements: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    agents: Sequence[Agent],
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    release: Mapping[str, pd.Timestamp] | None = None,
    weekend_due: Collection[str] = (),
) -> pd.DataFrame:
    """The schedule with agents' shifts moved to where it is short (module docstring).

    Args:
        schedule: the schedule so far (`SCHEDULE_COLUMNS`, UTC), every row an
            agent of `agents`.
        requirements: as for `coverage_frame`.
        shifts: candidate shifts (`generate_shifts` columns) holding every
            shift of the schedule.
        agents: the agents whose shifts may move (a roster's, with what they
            carried into the horizon).
        sites: the sites.
        options: rules, penalties, `repair_rounds` and solver settings.
        horizon: (start, end) of the schedule, UTC.
        release: per agent, the earliest start (see `assign_agents`).
        weekend_due: agents owed a weekend off (kept as the assignment kept them).

    Returns:
        The schedule, repaired, in its columns and order; the same frame when
        nothing is short or no repair lowers the objective.
    """
    by_name = {s.name: s for s in sites}
    coverage = coverage_frame(requirements, schedule, options=options)
    value = _objective(schedule, coverage, sites, options)
    grid = pd.DatetimeIndex(coverage[INTERVAL_START].unique()).sort_values()
    staff_of, tables = _by_site(agents, shifts, by_name)
    reach = {name: _reach(tables[name], grid, options) for name in sorted(staff_of)}
    rng = random.Random(REPAIR_SEED)
    patience = {name: PATIENCE for name in reach}
    clock = time.perf_counter()
    for done in range(options.repair_rounds):
        if budget_spent() or stop_asked():
            break
        stage = f"repair round {done + 1} of at most {options.repair_rounds}"
        _report(stage, value, coverage, clock, options)
        targets = {
            name: _short_cells(coverage, grid, staff_of[name], reach[name])
            for name in reach
            if patience[name] > 0
        }
        needy = sorted((-sum(cells.values()), name) for name, cells in targets.items() if cells)
        if not needy:
            break
        name = needy[0][1]
        site = by_name[name]
        staff, instant = _neighbourhood(rng, targets[name], staff_of[name], schedule, site, grid)
        candidate = _repaired_site(
            schedule,
            coverage,
            tables[name],
            site,
            staff,
            staff_of[name],
            window=(instant - WINDOW, instant + WINDOW),
            options=options,
            horizon=horizon,
            release=release,
            weekend_due=weekend_due,
        )
        if candidate is None:
            patience[name] -= 1
            continue
        trial = _measured(candidate, requirements, sites, options)
        if trial[2] < value - _EPS:
            schedule, coverage, value = trial
            patience[name] = PATIENCE
        else:
            patience[name] -= 1
    return schedule


def swept_schedule(
    schedule: pd.DataFrame,
    requirements: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    agents: Sequence[Agent],
    sites: Sequence[Site],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    release: Mapping[str, pd.Timestamp] | None = None,
    weekend_due: Collection[str] = (),
) -> pd.DataFrame:
    """The schedule re-decided window by window, site by site (module docstring: Sweeps).

    Args and Returns: as `repaired_schedule`; `options.sweep_passes` caps the
    passes. The same frame when no programme lowers the objective.
    """
    if options.sweep_passes == 0:
        return schedule
    by_name = {s.name: s for s in sites}
    coverage = coverage_frame(requirements, schedule, options=options)
    value = _objective(schedule, coverage, sites, options)
    staff_of, tables = _by_site(agents, shifts, by_name)
    begins = pd.date_range(horizon[0], horizon[1], freq=SWEEP_STRIDE, inclusive="left")
    rng = random.Random(REPAIR_SEED)
    clock = time.perf_counter()
    for done in range(options.sweep_passes):
        before = value
        for k, begin in enumerate(begins):
            stage = (
                f"sweep {done + 1} of at most {options.sweep_passes}, "
                f"window {k + 1} of {len(begins)}"
            )
            for name in sorted(staff_of):
                for staff in _groups(rng, staff_of[name]):
                    if budget_spent() or stop_asked():
                        return schedule
                    _report(stage, value, coverage, clock, options)
                    candidate = _repaired_site(
                        schedule,
                        coverage,
                        tables[name],
                        by_name[name],
                        staff,
                        staff_of[name],
                        window=(begin, begin + SWEEP_WINDOW),
                        options=options,
                        horizon=horizon,
                        release=release,
                        weekend_due=weekend_due,
                        every_shift=True,
                    )
                    if candidate is None:
                        continue
                    trial = _measured(candidate, requirements, sites, options)
                    if trial[2] < value - _EPS:
                        schedule, coverage, value = trial
        if value > before - _EPS:
            break
    return schedule


def _by_site(
    agents: Sequence[Agent], shifts: pd.DataFrame, by_name: Mapping[str, Site]
) -> tuple[dict[str, list[Agent]], dict[str, pd.DataFrame]]:
    """The agents of each site in `by_name` that has any, and that site's candidate shifts."""
    staff_of: dict[str, list[Agent]] = defaultdict(list)
    for agent in agents:
        if agent.site in by_name:
            staff_of[agent.site].append(agent)
    return dict(staff_of), {name: shifts[shifts[SITE] == name] for name in staff_of}


def _measured(
    candidate: pd.DataFrame,
    requirements: pd.DataFrame,
    sites: Sequence[Site],
    options: ScheduleOptions,
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """A candidate schedule, its coverage and its objective (`_objective`)."""
    covered = coverage_frame(requirements, candidate, options=options)
    return candidate, covered, _objective(candidate, covered, sites, options)


def _groups(rng: random.Random, staff: Sequence[Agent]) -> list[list[Agent]]:
    """A site's agents dealt, in a drawn order, into groups of at most `SWEEP_AGENTS`."""
    order = list(staff)
    rng.shuffle(order)
    n = -(-len(order) // SWEEP_AGENTS)
    return [order[g::n] for g in range(n)]


def _report(
    stage: str, value: float, coverage: pd.DataFrame, clock: float, options: ScheduleOptions
) -> None:
    """Where the repair or a sweep stands, to the enclosing `solve_progress` block."""
    short = float(coverage[SHORTFALL].sum()) * options.interval_minutes / 60
    stage += f", {short:,.1f} agent-hours short"
    report_progress(SolveProgress(value, None, None, 0, time.perf_counter() - clock, stage))


def _reach(table: pd.DataFrame, grid: pd.DatetimeIndex, options: ScheduleOptions) -> frozenset[int]:
    """Grid positions some candidate shift of a site spans."""
    cells = span_cells(table[START], table[END], grid, options)
    return frozenset(i for spans in cells.values() for i in spans)


def _short_cells(
    coverage: pd.DataFrame, grid: pd.DatetimeIndex, staff: Sequence[Agent], reach: frozenset[int]
) -> dict[tuple[str, int], float]:
    """(queue, grid position) -> shortfall, where the site's agents could serve it."""
    skills = {q for agent in staff for q in agent.skills}
    short = coverage[(coverage[SHORTFALL] > _EPS) & coverage[QUEUE].isin(skills)]
    out = {}
    for q, t, amount in zip(short[QUEUE], short[INTERVAL_START], short[SHORTFALL], strict=True):
        i = grid.get_loc(t)
        if i in reach:
            out[(str(q), i)] = float(amount)
    return out


def _neighbourhood(
    rng: random.Random,
    targets: dict[tuple[str, int], float],
    staff: Sequence[Agent],
    schedule: pd.DataFrame,
    site: Site,
    grid: pd.DatetimeIndex,
) -> tuple[list[Agent], pd.Timestamp]:
    """`NEIGHBOURS` agents of a site around a short cell drawn by its shortfall (agents
    who could work it and hold a shift within `NEAR` of it first, then agents
    who could work it, then any) and the cell's start."""
    cells = sorted(targets)
    queue, i = rng.choices(cells, weights=[targets[c] for c in cells])[0]
    instant = grid[i]
    weekday = instant.tz_convert(site.tz).weekday()
    able = [a for a in staff if queue in a.skills and weekday not in a.days_unavailable]
    starts = schedule[START]
    close = (starts >= instant - NEAR) & (starts <= instant + NEAR)
    holding = set(schedule.loc[close, AGENT])
    near = [a for a in able if a.name in holding]
    chosen: list[Agent] = []
    for pool in (near, able, list(staff)):
        left = [a for a in pool if a not in chosen]
        chosen += rng.sample(left, min(NEIGHBOURS - len(chosen), len(left)))
    return chosen, instant


def _site_rows(schedule: pd.DataFrame, staff: Sequence[Agent]) -> pd.Index:
    names = {a.name for a in staff}
    return schedule.index[schedule[AGENT].isin(names)]


def _repaired_site(
    schedule: pd.DataFrame,
    coverage: pd.DataFrame,
    table: pd.DataFrame,
    site: Site,
    staff: Sequence[Agent],
    everyone: Sequence[Agent],
    *,
    window: tuple[pd.Timestamp, pd.Timestamp],
    options: ScheduleOptions,
    horizon: tuple[pd.Timestamp, pd.Timestamp],
    release: Mapping[str, pd.Timestamp] | None,
    weekend_due: Collection[str],
    every_shift: bool = False,
) -> pd.DataFrame | None:
    """The schedule with `staff`'s shifts re-decided (any piece that starts in
    `window`; outside it their own shifts, kept or dropped), or None when
    nothing changes. The candidate shifts offered in the window: those over a
    short interval, or with `every_shift` all of them."""
    grid = pd.DatetimeIndex(coverage[INTERVAL_START].unique()).sort_values()
    rows = _site_rows(schedule, staff)
    pieces, holding, free = _round_pieces(
        schedule, table, coverage, grid, site, staff, everyone, window, options, every_shift
    )
    if not pieces:
        return None
    frame = _piece_frame(pieces, site)
    cells = worked_cells(frame, grid, options)
    costs = shift_costs(frame, sites=[site]).tolist()
    start = pd.Timestamp(horizon[0]).tz_convert("UTC")
    slots = [make_slot(p.shift_id, site, (), (p.start, p.end), p.paid_hours, start) for p in pieces]
    rules = _Rules.at_site(options, site, horizon, release=release, weekend_due=weekend_due)
    problem = pulp.LpProblem("repair", pulp.LpMinimize)
    hours = options.interval_minutes / 60
    y: dict[tuple[int, int], pulp.LpVariable] = {}
    terms: list[tuple[pulp.LpVariable, float]] = []
    kept = set(holding)
    names = {agent.name: a for a, agent in enumerate(staff)}
    for a, agent in enumerate(staff):
        for k, slot in enumerate(slots):
            if not _eligible(agent, slot, rules):
                continue
            if k not in free and (agent.name, k) not in kept:
                continue  # outside the window it may only keep or drop its own shifts
            var = problem.add_variable(f"y_{a}_{k}", cat=pulp.LpBinary)
            y[(a, k)] = var
            price = costs[k] + options.surplus_penalty * hours * sum(cells.get(k, {}).values())
            if agent.name in rules.weekend_due and slot.weekday >= 5:
                price += WEEKEND_DUE_STEP * site.cost_per_hour
            terms.append((var, price - (KEEP if (agent.name, k) in kept else 0.0)))
    if any((names[name], k) not in y for name, k in holding):
        return None  # an agent holds a shift the rules say it may not: leave it be
    cliques = _cliques(slots, rules)
    mine_of: dict[int, dict[int, pulp.LpVariable]] = defaultdict(dict)
    for (a, k), var in y.items():
        mine_of[a][k] = var
    for a, agent in enumerate(staff):
        _agent_rows(problem, (a, agent), mine_of[a], slots, rules, cliques)
    short = _cover_rows(
        problem, y, staff, cells, schedule.drop(index=rows), coverage, grid, options
    )
    penalty = (options.shortfall_penalty + options.surplus_penalty) * hours
    problem.setObjective(pulp.LpAffineExpression(terms + [(v, penalty) for v in short.values()]))
    solved = solve_if_time(
        problem,
        solver=options.solver,
        time_limit_seconds=options.time_limit_seconds,
        gap=0.0,
        node_limit=REPAIR_NODE_LIMIT,
    )
    if solved is None:
        return None  # the run's time left found no solution: keep the schedule
    chosen = sorted((a, k) for (a, k), var in y.items() if (var.varValue or 0.0) > 0.5)
    if sorted((staff[a].name, k) for a, k in chosen) == sorted(holding):
        return None
    return _with_pieces(schedule, rows, [(staff[a], pieces[k]) for a, k in chosen], site)


def _within(starts: pd.Series, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    return (starts >= window[0]) & (starts < window[1])


def _round_pieces(
    schedule: pd.DataFrame,
    table: pd.DataFrame,
    coverage: pd.DataFrame,
    grid: pd.DatetimeIndex,
    site: Site,
    staff: Sequence[Agent],
    everyone: Sequence[Agent],
    window: tuple[pd.Timestamp, pd.Timestamp],
    options: ScheduleOptions,
    every_shift: bool = False,
) -> tuple[list[_Piece], list[tuple[str, int]], set[int]]:
    """A round's pieces, (agent, piece) of each shift `staff` hold, and the pieces
    that start in `window` (the rest are `staff`'s own shifts outside it, which
    they may keep or drop); `every_shift`: as for `_repaired_site`."""
    mates = schedule.loc[_site_rows(schedule, everyone)]
    names = {a.name for a in staff}
    seen = mates[mates[AGENT].isin(names) | _within(mates[START], window)]
    pieces, holding = _pieces(
        seen[seen[AGENT].isin(names)],
        seen,
        table,
        coverage,
        grid,
        site,
        options,
        window,
        every_shift,
    )
    free = {k for k, p in enumerate(pieces) if window[0] <= p.start < window[1]}
    return pieces, holding, free


def _pieces(
    held: pd.DataFrame,
    everyone: pd.DataFrame,
    table: pd.DataFrame,
    coverage: pd.DataFrame,
    grid: pd.DatetimeIndex,
    site: Site,
    options: ScheduleOptions,
    window: tuple[pd.Timestamp, pd.Timestamp],
    every_shift: bool = False,
) -> tuple[list[_Piece], list[tuple[str, int]]]:
    """The site's pieces (module docstring) and (agent, piece) of each shift held;
    the candidate shifts offered start in `window` (with `every_shift` all of
    them, else those over a short interval)."""
    by_span = {
        (s, e): (str(i), float(h))
        for i, s, e, h in zip(
            table[SHIFT_ID], table[START], table[END], table[PAID_HOURS], strict=True
        )
    }
    found: dict[tuple[str, Pauses], _Piece] = {}
    holders: list[tuple[str, tuple[str, Pauses]]] = []
    names = set(held[AGENT])
    others = everyone[OTHER_BREAKS] if OTHER_BREAKS in everyone else [()] * len(everyone)
    for agent, begin, end, pause, resume, extra in zip(
        everyone[AGENT],
        everyone[START],
        everyone[END],
        everyone[BREAK_START],
        everyone[BREAK_END],
        others,
        strict=True,
    ):
        shift_id, paid = by_span.get(
            (begin, end), (f"held|{begin}|{end}", (end - begin).total_seconds() / 3600)
        )
        breaks: Pauses = (() if pd.isna(pause) else ((pause, resume),)) + tuple(
            (pd.Timestamp(a), pd.Timestamp(b)) for a, b in (extra or ())
        )
        key = (shift_id, breaks)
        found.setdefault(key, _Piece(shift_id, begin, end, breaks, paid))
        if agent in names:
            holders.append((str(agent), key))
    useful = table[_within(table[START], window)].reset_index(drop=True)
    if not every_shift:
        short = coverage[coverage[SHORTFALL] > _EPS]
        need = {
            (q, grid.get_loc(t)): 1.0
            for q, t in zip(short[QUEUE], short[INTERVAL_START], strict=True)
        }
        useful = _useful_shifts(useful, need, grid, options) if need else useful.iloc[:0]
    if not useful.empty:
        middle = _middle_breaks(useful, [site], options)
        for shift_id, begin, end, paid in zip(
            useful[SHIFT_ID], useful[START], useful[END], useful[PAID_HOURS], strict=True
        ):
            key = (str(shift_id), middle[shift_id])
            found.setdefault(key, _Piece(str(shift_id), begin, end, middle[shift_id], float(paid)))
    keys = sorted(found, key=lambda key: (found[key].start, found[key].end, key))
    index = {key: k for k, key in enumerate(keys)}
    return [found[key] for key in keys], [(agent, index[key]) for agent, key in holders]


def _piece_frame(pieces: list[_Piece], site: Site) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            SITE: [site.name] * len(pieces),
            START: [p.start for p in pieces],
            END: [p.end for p in pieces],
            BREAK_START: [p.breaks[0][0] if p.breaks else pd.NaT for p in pieces],
            BREAK_END: [p.breaks[0][1] if p.breaks else pd.NaT for p in pieces],
            OTHER_BREAKS: [tuple(p.breaks[1:]) for p in pieces],
            PAID_HOURS: [p.paid_hours for p in pieces],
        }
    )
    for column in (START, END, BREAK_START, BREAK_END):
        frame[column] = utc_column(frame[column])
    return frame


def _cover_rows(
    problem: pulp.LpProblem,
    y: dict[tuple[int, int], pulp.LpVariable],
    staff: Sequence[Agent],
    cells: dict[int, dict[int, float]],
    fixed: pd.DataFrame,
    coverage: pd.DataFrame,
    grid: pd.DatetimeIndex,
    options: ScheduleOptions,
) -> dict[tuple[str, int], pulp.LpVariable]:
    """Hall rows of every interval a piece works (module docstring); the short variables."""
    required = {
        (q, grid.get_loc(t)): float(r)
        for q, t, r in zip(
            coverage[QUEUE], coverage[INTERVAL_START], coverage[REQUIRED], strict=True
        )
        if r > _EPS
    }
    base: dict[int, dict[tuple[str, ...], float]] = defaultdict(lambda: defaultdict(float))
    skills_of = [parse_group(label) for label in fixed[QUEUE]]
    for row, shares in worked_cells(fixed, grid, options).items():
        for i, share in shares.items():
            base[i][skills_of[row]] += share
    at: dict[int, list[tuple[pulp.LpVariable, tuple[str, ...], float]]] = defaultdict(list)
    for (a, k), var in y.items():
        group = tuple(sorted(staff[a].skills))
        for i, share in cells.get(k, {}).items():
            at[i].append((var, group, share))
    queues_at: dict[int, list[str]] = defaultdict(list)
    for q, i in sorted(required):
        queues_at[i].append(q)
    short: dict[tuple[str, int], pulp.LpVariable] = {}
    for i in sorted(at):
        queues = queues_at.get(i, [])
        groups = sorted(set(base[i]) | {g for _, g, _ in at[i]})
        wanted = [q for q in queues if any(q in g for g in groups)]
        for q in queues:
            short[(q, i)] = problem.add_variable(f"s_{q}_{i}", lowBound=0, upBound=required[(q, i)])
        sets = hall_sets(wanted, groups, most=REPAIR_HALL_MOST)
        if sets is None:
            terms: dict[tuple[str, ...], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
            for var, g, share in at[i]:
                terms[g].append((var, share))
            need = {q: required[(q, i)] for q in wanted}
            mine = {q: short[(q, i)] for q in wanted}
            allocation_rows(problem, str(i), wanted, mine, need, terms, base[i])
            continue
        for queue_set, reach in sets:
            total = sum(required[(q, i)] for q in queue_set)
            total -= sum(amount for g, amount in base[i].items() if g in reach)
            row = [(short[(q, i)], 1.0) for q in queue_set]
            row += [(var, share) for var, g, share in at[i] if g in reach]
            if total > _EPS:
                problem += (
                    pulp.LpAffineExpression(row) >= total,
                    f"cover_{i}_{'_'.join(queue_set)}",
                )
    return short


def _with_pieces(
    schedule: pd.DataFrame, rows: pd.Index, taken: list[tuple[Agent, _Piece]], site: Site
) -> pd.DataFrame:
    """The schedule with the site's rows replaced by `taken`, in its order."""
    worked = [(agent, site.name, p.start, p.end, p.breaks) for agent, p in taken]
    frame = shift_rows(worked, {site.name: site}, schedule.columns)
    out = pd.concat([schedule.drop(index=rows), frame], ignore_index=True)
    return out.sort_values([START, SITE, AGENT, QUEUE], ignore_index=True)
