"""Coverage: agents on shift per queue and interval against the requirement.

Computed from the final schedule of named agents, not from the integer
programme, so it shows what the schedule really delivers.

Agents are blended: an agent whose `queue` is "chat;email;phone" serves any of
the three. In each interval the agents on duty (every break excluded:
`break_start`..`break_end` and each of `other_breaks`; partial intervals pro
rata) are shared out over their queues so as to leave the least total
shortfall; among such shares, shortfall is spread so that the queues that share
agents are short by the same fraction of their requirement where possible.
Capacity left over (surplus) goes to the queues its agents serve in proportion
to their requirement (evenly when none requires anyone), so a queue is never
short and over in the same interval. When the skill sets on duty in an
interval do not overlap, this has a closed form: every skill set's agents go to
its queues in proportion to their requirement. Otherwise a small linear
programme over those intervals decides (HiGHS or CBC through PuLP).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import pulp

from scheduling.columns import (
    BREAK_END,
    BREAK_START,
    COVERAGE_COLUMNS,
    END,
    FRACTION,
    INTERVAL,
    INTERVAL_START,
    OTHER_BREAKS,
    QUEUE,
    REQUIRED,
    SCHEDULED,
    SHIFT,
    SHORTFALL,
    START,
    SURPLUS,
)
from scheduling.errors import InputError
from scheduling.shifts.demand import requirement_table
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.skills import parse_group
from scheduling.shifts.templates import shift_coverage, utc_column, worked_spans
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
            `break_end` (tz-aware) and `other_breaks` (per row a sequence of
            (start, end) tz-aware pairs). Breaks are clipped to their shift,
            and time in two breaks is off once.
        options: `interval_minutes` and `cyclic` (work past the horizon end
            counts at its start); `solver` for intervals where skill sets overlap.

    Returns:
        `COVERAGE_COLUMNS`, one row per queue (of the requirements or the
        schedule) and grid interval, sorted by queue, interval_start:
        `interval_start` (UTC), `queue`, `required` (agents), `scheduled` (agents
        working on the queue, breaks excluded, fractional for partial intervals
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
    for row, cells in worked_cells(schedule, grid, options).items():
        skills = skills_of[row]
        if skills:
            for i, share in cells.items():
                capacity[i][skills] += share

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


def plan_objective(cost: float, coverage: pd.DataFrame, options: ScheduleOptions) -> float:
    """The shift programme's objective measured on a final schedule.

    Paid cost (premiums included) + shortfall_penalty x agent-hours short +
    surplus_penalty x agent-hours over, from the schedule's coverage
    (`COVERAGE_COLUMNS`).
    """
    hours = options.interval_minutes / 60
    short = float(coverage[SHORTFALL].sum()) * hours
    over = float(coverage[SURPLUS].sum()) * hours
    return cost + options.shortfall_penalty * short + options.surplus_penalty * over


def shortfall_within(
    coverage: pd.DataFrame,
    spans: pd.DataFrame,
    *,
    hours: float,
    period: pd.Timedelta | None = None,
) -> float:
    """Agent-hours short in the cells some row of `spans` reaches, each cell once.

    Args:
        coverage: `COVERAGE_COLUMNS` (interval_start UTC).
        spans: `start`, `end` (UTC) and `queue` (queues joined with ";"), e.g.
            the shifts no roster agent could take (`ScheduleResult.unfilled`).
        hours: the interval length, hours.
        period: a cyclic horizon's length: a span past the horizon's end also
            reaches its start (start - period .. end - period).

    Returns:
        The shortfall of each (queue, interval) whose queue is one of a row's
        and whose interval overlaps that row's start..end, summed, in agent-hours.
    """
    short = coverage[coverage[SHORTFALL] > _EPS]
    if short.empty or spans.empty:
        return 0.0
    begins = pd.DatetimeIndex(short[INTERVAL_START])
    ends = begins + pd.Timedelta(hours=hours)
    queues = short[QUEUE].to_numpy()
    reached = np.zeros(len(short), dtype=bool)
    for label, start, end in zip(spans[QUEUE], spans[START], spans[END], strict=True):
        mine = np.isin(queues, parse_group(str(label)))
        reached |= mine & (begins < end) & (ends > start)
        if period is not None:
            reached |= mine & (begins < end - period) & (ends > start - period)
    return float(short[SHORTFALL].to_numpy()[reached].sum()) * hours


def worked_cells(
    schedule: pd.DataFrame, grid: pd.DatetimeIndex, options: ScheduleOptions
) -> dict[int, dict[int, float]]:
    """Per schedule row (0-based position), {grid position: share of the interval
    worked}, every break off (`coverage_frame`'s arithmetic; `options`:
    `interval_minutes`, `cyclic`)."""
    spans = _worked_spans(schedule.reset_index(drop=True))
    out: dict[int, dict[int, float]] = defaultdict(dict)
    if spans.empty:
        return out
    cells = shift_coverage(
        spans,
        grid_start=grid[0],
        n_intervals=len(grid),
        interval_minutes=options.interval_minutes,
        cyclic=options.cyclic,
    )
    for row, i, share in zip(cells[SHIFT], cells[INTERVAL], cells[FRACTION], strict=True):
        mine = out[int(row)]
        mine[int(i)] = mine.get(int(i), 0.0) + float(share)
    return out


def _worked_spans(rows: pd.DataFrame) -> pd.DataFrame:
    """Each schedule row's working time, every break off, as spans of work.

    Args:
        rows: the schedule, on a 0-based index.

    Returns:
        One row per span (`worked_spans`: breaks clipped to the shift, time in
        two breaks taken off once), in row and time order: `start`, `end`
        (UTC), indexed by the schedule row's position.
    """
    starts, ends = utc_column(rows[START]), utc_column(rows[END])
    if BREAK_START in rows and BREAK_END in rows:
        pauses, resumes = utc_column(rows[BREAK_START]), utc_column(rows[BREAK_END])
    else:
        pauses = resumes = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns, UTC]")
    others = rows[OTHER_BREAKS] if OTHER_BREAKS in rows else [None] * len(rows)
    labels, begins, finishes = [], [], []
    for row, (start, end, pause, resume, extra) in enumerate(
        zip(starts, ends, pauses, resumes, others, strict=True)
    ):
        breaks = _pairs(extra, row)
        if pd.isna(start) or pd.isna(end):
            continue
        if not (pd.isna(pause) or pd.isna(resume)):
            breaks.append((pause, resume))
        for begin, finish in worked_spans(start, end, breaks):
            labels.append(row)
            begins.append(begin)
            finishes.append(finish)
    return pd.DataFrame(
        {
            START: utc_column(pd.Series(begins, dtype=object)).to_numpy(),
            END: utc_column(pd.Series(finishes, dtype=object)).to_numpy(),
        },
        index=pd.Index(labels, dtype="int64"),
    )


def _pairs(pauses: Any, row: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The (start, end) pairs of one `other_breaks` cell; none when empty or missing."""
    if pauses is None or (isinstance(pauses, float) and np.isnan(pauses)):
        return []
    try:
        pairs = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in pauses]
    except (TypeError, ValueError):
        raise InputError(
            f"schedule row {row + 1}: other_breaks must be (start, end) pairs, got {pauses!r}"
        ) from None
    if any(a.tzinfo is None or b.tzinfo is None or b <= a for a, b in pairs):
        raise InputError(
            f"schedule row {row + 1}: other_breaks must be tz-aware (start, end) pairs with "
            f"end after start, got {pauses!r}"
        )
    return [(a.tz_convert("UTC"), b.tz_convert("UTC")) for a, b in pairs]


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
