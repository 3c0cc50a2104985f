"""Coverage: agents on shift per queue and interval against the requirement.

Computed from the final schedule of named agents, not from the integer
programme, so it shows what the schedule really delivers.

Agents are blended: an agent whose `queue` is "chat;email;phone" serves any of
the three. In each interval the agents on duty (breaks excluded, partial
intervals pro rata) are shared out over their queues so as to leave the least
total shortfall; among such shares, shortfall is spread so that the queues that
share agents are short by the same fraction of their requirement where
possible. Capacity left over (surplus) goes to the queues its agents serve in
proportion to their requirement (evenly when none requires anyone), so a queue
is never short and over in the same interval. When the skill sets on duty in an
interval do not overlap, this has a closed form: every skill set's agents go to
its queues in proportion to their requirement. Otherwise a small linear
programme over those intervals decides (HiGHS or CBC through PuLP).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pulp

from scheduling.columns import (
    COVERAGE_COLUMNS,
    END,
    INTERVAL_START,
    QUEUE,
    REQUIRED,
    SCHEDULED,
    SHORTFALL,
    START,
    SURPLUS,
)
from scheduling.errors import InputError
from scheduling.requirements import requirement_table
from scheduling.shifts import FRACTION, INTERVAL, SHIFT, shift_coverage
from scheduling.sites import ScheduleOptions
from scheduling.skills import parse_group
from scheduling.solver import solve_problem

_EPS = 1e-9
Skills = tuple[str, ...]


def coverage_frame(
    requirements: pd.DataFrame,
    schedule: pd.DataFrame,
    *,
    options: ScheduleOptions,
) -> pd.DataFrame:
    """Scheduled agents per queue and interval, and the gap to the requirement.

    Args:
        requirements: `interval_start` (tz-aware), `queue`, `agents_scheduled`
            (agents on shift needed).
        schedule: one row per agent shift with `start`, `end`, `queue` (the
            agent's queues joined with ";") and optionally `break_start`,
            `break_end` (tz-aware).
        options: `interval_minutes` and `cyclic` (work past the horizon end
            counts at its start); `solver` for intervals where skill sets overlap.

    Returns:
        `COVERAGE_COLUMNS`, one row per queue (of the requirements or the
        schedule) and grid interval, sorted by queue, interval_start:
        `interval_start` (UTC), `queue`, `required` (agents), `scheduled` (agents
        working on the queue, break excluded, fractional for partial intervals
        and shared agents), `shortfall` = max(required - scheduled, 0) and
        `surplus` = max(scheduled - required, 0) (agents).

    Raises:
        InputError: invalid requirements, or a schedule missing columns.
    """
    required = requirement_table(requirements, options=options)
    missing = [c for c in (START, END, QUEUE) if c not in schedule]
    if missing:
        raise InputError(f"schedule: missing column(s) {', '.join(missing)}")
    grid = pd.DatetimeIndex(required[INTERVAL_START].unique()).sort_values()
    skills_of = [parse_group(label) for label in schedule[QUEUE]]
    queues = sorted(set(required[QUEUE]).union(*skills_of))
    full = pd.MultiIndex.from_product([queues, grid], names=[QUEUE, INTERVAL_START])
    need = required.set_index([QUEUE, INTERVAL_START])[REQUIRED].reindex(full, fill_value=0.0)
    need_of = {(q, grid.get_loc(t)): float(r) for (q, t), r in need.items() if r > _EPS}

    capacity: dict[int, dict[Skills, float]] = defaultdict(lambda: defaultdict(float))
    if not schedule.empty:
        rows = schedule.reset_index(drop=True)
        cells = shift_coverage(
            rows,
            grid_start=grid[0],
            n_intervals=len(grid),
            interval_minutes=options.interval_minutes,
            cyclic=options.cyclic,
        )
        for row, i, share in zip(cells[SHIFT], cells[INTERVAL], cells[FRACTION], strict=True):
            skills = skills_of[int(row)]
            if skills:
                capacity[int(i)][skills] += float(share)

    scheduled: dict[tuple[str, int], float] = defaultdict(float)
    shared = []
    for i, supply in capacity.items():
        if _disjoint(supply):
            for skills, amount in supply.items():
                _pro_rata(scheduled, i, skills, amount, need_of)
        else:
            shared.append(i)
    if shared:
        _allocate(scheduled, {i: capacity[i] for i in sorted(shared)}, need_of, options)

    worked = np.array([scheduled.get((q, grid.get_loc(t)), 0.0) for q, t in full])
    out = pd.DataFrame(
        {
            REQUIRED: need.to_numpy(dtype=float),
            # Sums of interval shares carry float noise; round it off.
            SCHEDULED: np.round(worked, 9),
        },
        index=full,
    ).reset_index()
    out[SHORTFALL] = np.maximum(np.round(out[REQUIRED] - out[SCHEDULED], 9), 0.0)
    out[SURPLUS] = np.maximum(np.round(out[SCHEDULED] - out[REQUIRED], 9), 0.0)
    return out[list(COVERAGE_COLUMNS)].sort_values([QUEUE, INTERVAL_START], ignore_index=True)


def _disjoint(supply: dict[Skills, float]) -> bool:
    seen: set[str] = set()
    for skills in supply:
        if seen & set(skills):
            return False
        seen |= set(skills)
    return True


def _pro_rata(
    scheduled: dict[tuple[str, int], float],
    i: int,
    skills: Skills,
    amount: float,
    need_of: dict[tuple[str, int], float],
) -> None:
    """Give `amount` agents of `skills` in interval i to its queues by requirement."""
    wants = {q: need_of.get((q, i), 0.0) for q in skills}
    total = sum(wants.values())
    for q in skills:
        share = wants[q] / total if total > _EPS else 1 / len(skills)
        scheduled[(q, i)] += amount * share


def _allocate(
    scheduled: dict[tuple[str, int], float],
    capacity: dict[int, dict[Skills, float]],
    need_of: dict[tuple[str, int], float],
    options: ScheduleOptions,
) -> None:
    """Least-shortfall shares where skill sets overlap, then even shortfall, then surplus."""
    problem = pulp.LpProblem("coverage", pulp.LpMinimize)
    give: dict[tuple[Skills, str, int], pulp.LpVariable] = {}
    short: dict[tuple[str, int], pulp.LpVariable] = {}
    for i, supply in capacity.items():
        served: dict[str, list[pulp.LpVariable]] = defaultdict(list)
        for g, (skills, amount) in enumerate(sorted(supply.items())):
            parts = []
            for q in skills:
                if (q, i) in need_of:
                    var = problem.add_variable(f"give_{i}_{g}_{q}", lowBound=0)
                    give[(skills, q, i)] = var
                    served[q].append(var)
                    parts.append(var)
            if parts:
                problem += (pulp.lpSum(parts) <= amount, f"capacity_{i}_{g}")
        for q, parts in sorted(served.items()):
            short[(q, i)] = problem.add_variable(f"short_{q}_{i}", lowBound=0)
            problem += (pulp.lpSum(parts) + short[(q, i)] == need_of[(q, i)], f"cover_{q}_{i}")
    if not give:  # nobody on duty there serves a queue with demand
        for i, supply in capacity.items():
            for skills, amount in sorted(supply.items()):
                _pro_rata(scheduled, i, skills, amount, need_of)
        return
    total = pulp.lpSum(short.values())
    problem.setObjective(total)
    _solve(problem, options)
    least = float(pulp.value(total) or 0.0)
    # Second pass: keep the least total shortfall, spread it evenly (relative to
    # the requirement) over the queues that share agents in each interval.
    problem += (total <= least + 1e-7 * max(1.0, least), "least_shortfall")
    spread = []
    for i, supply in capacity.items():
        for c, members in enumerate(_components(supply, i, need_of)):
            worst = problem.add_variable(f"worst_{i}_{c}", lowBound=0)
            spread.append(worst)
            for q in members:
                problem += (
                    short[(q, i)] <= need_of[(q, i)] * worst,
                    f"even_{i}_{c}_{q}",
                )
    problem.setObjective(pulp.lpSum(spread))
    _solve(problem, options)
    for i, supply in capacity.items():
        for skills, amount in sorted(supply.items()):
            used = 0.0
            for q in skills:
                if (skills, q, i) in give:
                    value = max(give[(skills, q, i)].varValue or 0.0, 0.0)
                    scheduled[(q, i)] += value
                    used += value
            # A group with capacity left has all its queues fully served.
            if amount - used > _EPS:
                _pro_rata(scheduled, i, skills, amount - used, need_of)


def _components(
    supply: dict[Skills, float], i: int, need_of: dict[tuple[str, int], float]
) -> list[list[str]]:
    """Queues with demand in interval i, grouped by shared skill sets on duty."""
    parent: dict[str, str] = {}

    def find(q: str) -> str:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for skills in sorted(supply):
        members = [q for q in skills if (q, i) in need_of]
        for q in members:
            parent.setdefault(q, q)
        for q in members[1:]:
            parent[find(q)] = find(members[0])
    groups: dict[str, list[str]] = defaultdict(list)
    for q in sorted(parent):
        groups[find(q)].append(q)
    return [groups[root] for root in sorted(groups)]


def _solve(problem: pulp.LpProblem, options: ScheduleOptions) -> None:
    solve_problem(
        problem, solver=options.solver, time_limit_seconds=options.time_limit_seconds, gap=0.0
    )
