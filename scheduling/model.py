"""The shift integer programme: how many agents work each candidate shift, per queue.

Build, solve and read are separate steps: `build_model` -> `ShiftModel`,
`solve(model, ...)` -> `SolveResult`, `chosen_shifts(model)` -> DataFrame.

    minimise   sum_{s,q} cost_s x[s,q]
             + shortfall_penalty * h * sum_{q,t} short[q,t]
             + surplus_penalty   * h * sum_{q,t} over[q,t]
    subject to
      cover_{q}_{t}:          sum_s f[s,t] x[s,q] + short[q,t] - over[q,t] = required[q,t]
      headcount_{S}_{d}:      sum_{s of S starting on local date d, q} x[s,q] <= max_agents_S
      headcount_{S}_week_{w}: sum_{s of S starting in week w, q} x[s,q]
                                  <= max_agents_S * max_days_per_week
      x integer >= 0, 0 <= short[q,t] <= required[q,t], over[q,t] >= 0

where cost_s = paid_hours_s * cost_per_hour of the shift's site, f[s,t] is the share
of interval t the shift works (`shift_coverage`), and h is the interval length in
hours, so penalties are per agent-hour. Shortfall makes the model feasible for any
demand. The headcount rows relax weekly tours: one agent works at most one shift a
day and `max_days_per_week` a week, so `max_agents` agents cannot start more shifts
than that; whether named agents can really work the chosen shifts (rest, days off)
is settled by `scheduling.assign`. Weeks are consecutive 7-day blocks from the
horizon start.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pulp

from scheduling.columns import (
    AGENTS_SCHEDULED,
    END,
    INTERVAL_START,
    QUEUE,
    REQUIRED,
    SITE,
    START,
)
from scheduling.errors import InfeasibleError, InputError, SolverUnavailableError
from scheduling.shifts import FRACTION, INTERVAL, PAID_HOURS, SHIFT, SHIFT_ID, shift_coverage
from scheduling.sites import SOLVERS, ScheduleOptions, Site

COUNT = "count"
WEEK = pd.Timedelta(days=7)


@dataclass(frozen=True)
class HeadcountLimit:
    """One headcount row of the model.

    Attributes:
        name: constraint name in the problem.
        site: site name.
        period: "day" (shifts starting on one local date) or "week".
        first_day: the local date, or the first local date of the week.
        limit: most shifts that may start in the period, agent-shifts.
        shift_ids: the shifts the row counts.
    """

    name: str
    site: str
    period: str
    first_day: date
    limit: float
    shift_ids: tuple[str, ...]


@dataclass
class ShiftModel:
    """A built shift programme and the data needed to read its solution.

    Attributes:
        problem: the PuLP problem (minimisation).
        x: agents working each shift for each queue, keyed (shift_id, queue).
        shortfall: agents short, keyed (queue, interval_start).
        surplus: agents over the requirement, keyed (queue, interval_start).
        cover: coverage constraints, keyed (queue, interval_start).
        headcount: headcount limits, keyed by constraint name.
        shifts: candidate shifts (`scheduling.shifts` columns), indexed by shift_id.
        unusable: ids of shifts left out because, with `cyclic`, the horizon repeats
            before the shift plus `min_rest_hours` is over, so nobody could work it.
        coverage: long frame shift_id, interval (grid position), fraction.
        required: interval_start, queue, required (agents), full grid.
        intervals: the UTC grid of interval starts.
        sites: sites by name.
        options: the run's options.
    """

    problem: pulp.LpProblem
    x: dict[tuple[str, str], pulp.LpVariable]
    shortfall: dict[tuple[str, pd.Timestamp], pulp.LpVariable]
    surplus: dict[tuple[str, pd.Timestamp], pulp.LpVariable]
    cover: dict[tuple[str, pd.Timestamp], pulp.LpConstraint]
    headcount: dict[str, HeadcountLimit]
    shifts: pd.DataFrame
    unusable: tuple[str, ...]
    coverage: pd.DataFrame
    required: pd.DataFrame
    intervals: pd.DatetimeIndex
    sites: dict[str, Site]
    options: ScheduleOptions


@dataclass(frozen=True)
class SolveResult:
    """Outcome of one solve.

    Attributes:
        status: "optimal" (proven within the requested gap), "time_limit" (stopped
            by the time limit with a feasible solution) or "feasible" (stopped for
            another reason with a feasible solution).
        objective: objective value of the solution (cost units).
        bound: proven lower bound on the objective, or None when the solver did
            not report one.
        gap: relative gap |objective - bound| / |objective| (0-1), or None.
        seconds: wall-clock solve time, seconds.
        solver: the solver actually used, "highs" or "cbc".
        notes: human-readable remarks, e.g. a fallback from HiGHS to CBC.
    """

    status: str
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def requirement_table(
    requirements: pd.DataFrame,
    *,
    options: ScheduleOptions,
    sites: Sequence[Site] | None = None,
) -> pd.DataFrame:
    """Validate requirements and return them on their full grid.

    Args:
        requirements: frame with `interval_start` (tz-aware), `queue` and
            `agents_scheduled` (agents on shift needed, >= 0, fractional allowed).
        options: gives `interval_minutes`, the grid step.
        sites: when given, every queue must be served by one of them.

    Returns:
        `interval_start` (UTC), `queue`, `required` (agents): one row per queue per
        grid interval (queues missing an interval require 0 there), sorted by
        queue, interval_start.

    Raises:
        InputError: missing columns, no rows, naive timestamps, missing, negative or
            infinite agents_scheduled, duplicate rows, a grid that is not regular at
            `interval_minutes`, or queues no site serves.
    """
    missing = [c for c in (INTERVAL_START, QUEUE, AGENTS_SCHEDULED) if c not in requirements]
    if missing:
        raise InputError(
            f"requirements: missing column(s) {', '.join(missing)}; expected "
            f"{INTERVAL_START}, {QUEUE}, {AGENTS_SCHEDULED}"
        )
    if requirements.empty:
        raise InputError("requirements: no rows; nothing to schedule")
    queue_names = requirements[QUEUE]
    if queue_names.isna().any():
        raise InputError(
            f"requirements: {int(queue_names.isna().sum())} row(s) have no {QUEUE}; "
            "name the queue of every row"
        )
    raw = requirements[AGENTS_SCHEDULED].to_numpy()
    frame = pd.DataFrame(
        {
            INTERVAL_START: _utc_starts(requirements[INTERVAL_START]).array,
            QUEUE: queue_names.astype(str).array,
            REQUIRED: pd.to_numeric(requirements[AGENTS_SCHEDULED], errors="coerce").array,
        }
    )
    bad = frame[~np.isfinite(frame[REQUIRED]) | (frame[REQUIRED] < 0)]
    if not bad.empty:
        raise InputError(
            f"requirements: {AGENTS_SCHEDULED} must be a number >= 0; {len(bad)} bad row(s), "
            f"e.g. {_examples(bad, raw)}"
        )
    dupes = frame[frame.duplicated([QUEUE, INTERVAL_START], keep=False)]
    if not dupes.empty:
        raise InputError(
            f"requirements: {len(dupes)} duplicate ({QUEUE}, {INTERVAL_START}) rows, e.g. "
            f"{_examples(dupes)}; keep one row per queue and interval"
        )
    grid = _grid(frame[INTERVAL_START], options.interval_minutes)
    queues = sorted(frame[QUEUE].unique())
    if sites is not None:
        served = {q for site in sites for q in site.queues}
        orphans = [q for q in queues if q not in served]
        if orphans:
            raise InputError(
                f"requirements: queue(s) {', '.join(map(repr, orphans))} are served by no "
                "site; add them to a site's queues or drop their rows"
            )
    full = pd.MultiIndex.from_product([queues, grid], names=[QUEUE, INTERVAL_START])
    table = frame.set_index([QUEUE, INTERVAL_START])[REQUIRED].reindex(full, fill_value=0.0)
    out = table.reset_index()[[INTERVAL_START, QUEUE, REQUIRED]]
    out[REQUIRED] = out[REQUIRED].astype(float)
    return out.sort_values([QUEUE, INTERVAL_START], ignore_index=True)


def build_model(
    requirements: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    sites: Sequence[Site],
    options: ScheduleOptions,
) -> ShiftModel:
    """Build the shift programme (see the module docstring for the formulation).

    Args:
        requirements: `interval_start`, `queue`, `agents_scheduled` (agents).
        shifts: candidate shifts from `generate_shifts`.
        sites: the sites of the shifts.
        options: interval length, penalties, `max_days_per_week`, `cyclic`.

    Returns:
        The model. A variable x[(shift_id, queue)] exists for each queue the
        shift's site serves on which the shift covers some positive requirement,
        except for `unusable` shifts (see `ShiftModel`).

    Raises:
        InputError: invalid requirements, negative penalties, or shifts of
            unknown sites.
    """
    for name in ("shortfall_penalty", "surplus_penalty"):
        if getattr(options, name) < 0:
            raise InputError(f"scheduling: {name} must be >= 0, got {getattr(options, name)}")
    by_name = {site.name: site for site in sites}
    unknown = sorted(set(shifts[SITE]) - set(by_name))
    if unknown:
        raise InputError(f"shifts: site(s) {unknown} are not among the configured sites")
    required = requirement_table(requirements, options=options, sites=sites)
    intervals = pd.DatetimeIndex(required[INTERVAL_START].unique()).sort_values()
    hours = options.interval_minutes / 60
    if shifts[SHIFT_ID].duplicated().any():
        raise InputError("shifts: shift_id values must be unique")
    shifts = shifts.sort_values([START, SITE, SHIFT_ID])
    shifts.index = pd.Index(shifts[SHIFT_ID], name=None)
    cover = shift_coverage(
        shifts.reset_index(drop=True),
        grid_start=intervals[0],
        n_intervals=len(intervals),
        interval_minutes=options.interval_minutes,
        cyclic=options.cyclic,
    )
    cover[SHIFT] = shifts[SHIFT_ID].to_numpy()[cover[SHIFT].to_numpy()]
    cover = cover.rename(columns={SHIFT: SHIFT_ID})

    problem = pulp.LpProblem("shifts", pulp.LpMinimize)
    names = _Names()
    need = {
        (q, t): r
        for q, t, r in zip(
            required[QUEUE], required[INTERVAL_START], required[REQUIRED], strict=True
        )
    }
    period = pd.Timedelta(minutes=options.interval_minutes * len(intervals))
    rest = pd.Timedelta(hours=options.min_rest_hours)
    unusable = tuple(
        shifts.index[(shifts[END] - shifts[START] + rest > period).to_numpy()]
        if options.cyclic
        else ()
    )
    x = _shift_variables(problem, shifts, cover, need, intervals, by_name, set(unusable))
    shortfall, surplus, cover_rows = _cover_constraints(
        problem, names, x, cover, need, intervals, hours, options
    )
    headcount = _headcount_constraints(
        problem, names, x, shifts, by_name, intervals[0], options.max_days_per_week
    )
    cost = pulp.LpAffineExpression(
        [
            (
                var,
                shifts.at[shift_id, PAID_HOURS] * by_name[shifts.at[shift_id, SITE]].cost_per_hour,
            )
            for (shift_id, _), var in x.items()
        ]
        + [(var, options.shortfall_penalty * hours) for var in shortfall.values()]
        + [(var, options.surplus_penalty * hours) for var in surplus.values()]
    )
    problem.setObjective(cost)
    return ShiftModel(
        problem=problem,
        x=x,
        shortfall=shortfall,
        surplus=surplus,
        cover=cover_rows,
        headcount=headcount,
        shifts=shifts,
        unusable=unusable,
        coverage=cover,
        required=required,
        intervals=intervals,
        sites=by_name,
        options=options,
    )


def available_solvers() -> tuple[str, ...]:
    """Names of the solvers that can run here, from `("highs", "cbc")`."""
    found = []
    if _highs_importable():
        found.append("highs")
    if _cbc_backend(time_limit_seconds=1.0, gap=0.0, log_path=None) is not None:
        found.append("cbc")
    return tuple(found)


def solve(
    model: ShiftModel,
    *,
    solver: str = "highs",
    time_limit_seconds: float = 60.0,
    gap: float = 0.01,
) -> SolveResult:
    """Solve a built model in place and report how well.

    HiGHS (through highspy, one thread) is used when asked for and importable;
    otherwise CBC, with a note saying so.

    Args:
        model: from `build_model`; its variables receive the solution.
        solver: "highs" or "cbc".
        time_limit_seconds: wall-clock limit, seconds.
        gap: relative optimality gap at which to stop, 0-1.

    Returns:
        Status, objective, bound, gap, seconds and the solver used.

    Raises:
        InputError: unknown solver, non-positive time limit or gap outside [0, 1).
        SolverUnavailableError: no usable solver, or the solver failed to run.
        InfeasibleError: the solver stopped without any solution (e.g. the time
            limit is too short to find one).
    """
    return solve_problem(
        model.problem, solver=solver, time_limit_seconds=time_limit_seconds, gap=gap
    )


def solve_problem(
    problem: pulp.LpProblem,
    *,
    solver: str,
    time_limit_seconds: float,
    gap: float,
) -> SolveResult:
    """Solve any PuLP minimisation or maximisation like `solve` (shared with assignment)."""
    if solver not in SOLVERS:
        raise InputError(f"scheduling: solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    if not time_limit_seconds > 0:
        raise InputError("scheduling: time_limit_seconds must be > 0")
    if not 0 <= gap < 1:
        raise InputError(f"scheduling: gap must be in [0, 1), got {gap}")
    notes: list[str] = []
    if solver == "highs" and not _highs_importable():
        notes.append("highspy is not installed; solved with CBC instead (pip install highspy)")
        solver = "cbc"
    with tempfile.TemporaryDirectory(prefix="wfm-cbc-") as tmp:
        log_path = Path(tmp) / "cbc.log"
        if solver == "highs":
            backend = pulp.HiGHS(msg=False, timeLimit=time_limit_seconds, gapRel=gap, threads=1)
        else:
            backend = _cbc_backend(
                time_limit_seconds=time_limit_seconds, gap=gap, log_path=log_path
            )
            if backend is None:
                raise SolverUnavailableError(
                    "scheduling: solver: CBC is not available"
                    + (" and highspy is not installed" if notes else "")
                    + '; install highspy (solver = "highs") or CBC (pip install pulp[cbc])'
                )
        began = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                problem.solve(backend)
        except pulp.PulpSolverError as error:
            raise SolverUnavailableError(
                f"scheduling: solver {solver!r} failed to run ({error}); try the other solver"
            ) from None
        seconds = time.perf_counter() - began
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    if problem.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise InfeasibleError(
            f"scheduling: the {solver} solver stopped without a solution "
            f"({pulp.LpStatus[problem.status]}); raise scheduling.time_limit_seconds "
            f"(now {time_limit_seconds:g})"
        )
    objective = float(pulp.value(problem.objective) or 0.0)
    if solver == "highs":
        status, bound = _highs_outcome(problem, objective)
    else:
        status, bound = _cbc_outcome(problem, objective, log)
    relative = None if bound is None else _relative_gap(objective, bound)
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative,
        seconds=seconds,
        solver=solver,
        notes=tuple(notes),
    )


def chosen_shifts(model: ShiftModel) -> pd.DataFrame:
    """The shifts the solution uses.

    Args:
        model: a solved model.

    Returns:
        One row per (shift_id, queue) with a positive count, sorted by start,
        site, shift_id, queue: the shift columns of `generate_shifts`, `queue`,
        and `count` (agents, int).

    Raises:
        InputError: the model has not been solved.
    """
    counts = []
    for (shift_id, queue), var in model.x.items():
        if var.varValue is None:
            raise InputError("chosen_shifts: the model has not been solved; call solve() first")
        count = round(var.varValue)
        if count > 0:
            counts.append((shift_id, queue, count))
    table = pd.DataFrame(counts, columns=[SHIFT_ID, QUEUE, COUNT])
    table[COUNT] = table[COUNT].astype("int64")
    merged = model.shifts.reset_index(drop=True).merge(table, on=SHIFT_ID, how="inner")
    return merged.sort_values([START, SITE, SHIFT_ID, QUEUE], ignore_index=True)


def shortfall_frame(model: ShiftModel) -> pd.DataFrame:
    """Shortfall in the solved model: interval_start, queue, shortfall (agents) > 0."""
    rows = [
        (t, q, var.varValue)
        for (q, t), var in model.shortfall.items()
        if var.varValue is not None and var.varValue > 1e-6
    ]
    frame = pd.DataFrame(rows, columns=[INTERVAL_START, QUEUE, "shortfall"])
    return frame.sort_values([QUEUE, INTERVAL_START], ignore_index=True)


class _Names:
    """Unique constraint names after PuLP's character clean-up."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, raw: str) -> str:
        name = re.sub(r"[^A-Za-z0-9_.]", "_", raw)
        unique, k = name, 1
        while unique in self.used:
            k += 1
            unique = f"{name}_{k}"
        self.used.add(unique)
        return unique


def _shift_variables(
    problem: pulp.LpProblem,
    shifts: pd.DataFrame,
    cover: pd.DataFrame,
    need: dict[tuple[str, pd.Timestamp], float],
    intervals: pd.DatetimeIndex,
    sites: dict[str, Site],
    unusable: set[str],
) -> dict[tuple[str, str], pulp.LpVariable]:
    """x[(shift_id, queue)] with an upper bound taken from the data.

    With nonnegative costs, an optimum never staffs a shift with more agents than
    floor(max_t required[q,t] / f[s,t]) + 1: one fewer agent would still leave
    every interval it covers at or above its requirement.
    """
    queues = sorted({q for q, _ in need})
    by_shift = {
        shift_id: list(zip(group[INTERVAL], group[FRACTION], strict=True))
        for shift_id, group in cover.groupby(SHIFT_ID, sort=False)
    }
    x: dict[tuple[str, str], pulp.LpVariable] = {}
    for position, (shift_id, site_name) in enumerate(
        zip(shifts[SHIFT_ID], shifts[SITE], strict=True)
    ):
        site = sites[site_name]
        if shift_id in unusable:
            continue
        for queue in queues:
            if queue not in site.queues:
                continue
            ratio = max(
                (need[(queue, intervals[i])] / share for i, share in by_shift.get(shift_id, [])),
                default=0.0,
            )
            if ratio <= 0:
                continue
            upper = math.floor(ratio + 1e-9) + 1
            if site.max_agents is not None:
                upper = min(upper, site.max_agents)
            if upper <= 0:
                continue
            x[(shift_id, queue)] = problem.add_variable(
                f"x_{position}_{queues.index(queue)}", lowBound=0, upBound=upper, cat="Integer"
            )
    return x


def _cover_constraints(
    problem: pulp.LpProblem,
    names: _Names,
    x: dict[tuple[str, str], pulp.LpVariable],
    cover: pd.DataFrame,
    need: dict[tuple[str, pd.Timestamp], float],
    intervals: pd.DatetimeIndex,
    hours: float,
    options: ScheduleOptions,
) -> tuple[dict, dict, dict]:
    """cover_{queue}_{interval}: worked share + shortfall - surplus = required."""
    terms: dict[tuple[str, int], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    queues_of: dict[str, list[str]] = defaultdict(list)
    for shift_id, queue in x:
        queues_of[shift_id].append(queue)
    for shift_id, i, share in zip(cover[SHIFT_ID], cover[INTERVAL], cover[FRACTION], strict=True):
        for queue in queues_of.get(shift_id, ()):
            terms[(queue, i)].append((x[(shift_id, queue)], share))
    shortfall, surplus, rows = {}, {}, {}
    for (queue, t), required in need.items():
        i = intervals.get_loc(t)
        key = f"{queue}_{t:%Y%m%dT%H%M}"
        short = problem.add_variable(f"short_{key}", lowBound=0, upBound=required)
        over = problem.add_variable(f"over_{key}", lowBound=0)
        expr = pulp.LpAffineExpression([*terms.get((queue, i), []), (short, 1.0), (over, -1.0)])
        name = names(f"cover_{key}")
        problem += (expr == required, name)
        shortfall[(queue, t)], surplus[(queue, t)] = short, over
        rows[(queue, t)] = problem.get_constraint_by_name(name)
    return shortfall, surplus, rows


def _headcount_constraints(
    problem: pulp.LpProblem,
    names: _Names,
    x: dict[tuple[str, str], pulp.LpVariable],
    shifts: pd.DataFrame,
    sites: dict[str, Site],
    horizon_start: pd.Timestamp,
    max_days_per_week: int,
) -> dict[str, HeadcountLimit]:
    """headcount_{site}_{date} and headcount_{site}_week_{date} (see module docstring)."""
    limits: dict[str, HeadcountLimit] = {}
    day_terms: dict[tuple[str, date], list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
    week_terms: dict[tuple[str, int], list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
    for (shift_id, _), var in x.items():
        site = sites[shifts.at[shift_id, SITE]]
        if site.max_agents is None:
            continue
        start = shifts.at[shift_id, START]
        day_terms[(site.name, start.tz_convert(site.tz).date())].append((shift_id, var))
        week_terms[(site.name, (start - horizon_start) // WEEK)].append((shift_id, var))
    rows: list[tuple[str, str, date, float, list[tuple[str, pulp.LpVariable]]]] = []
    for (site_name, day), terms in sorted(day_terms.items()):
        limit = float(sites[site_name].max_agents)
        rows.append((f"headcount_{site_name}_{day:%Y%m%d}", "day", day, limit, terms))
    for (site_name, week), terms in sorted(week_terms.items()):
        site = sites[site_name]
        limit = float(site.max_agents * max_days_per_week)
        first = (horizon_start + week * WEEK).tz_convert(site.tz).date()
        rows.append((f"headcount_{site_name}_week_{first:%Y%m%d}", "week", first, limit, terms))
    for raw_name, period, first, limit, terms in rows:
        name = names(raw_name)
        site_name = shifts.at[terms[0][0], SITE]
        problem += (pulp.lpSum(var for _, var in terms) <= limit, name)
        ids = tuple(dict.fromkeys(shift_id for shift_id, _ in terms))
        limits[name] = HeadcountLimit(name, site_name, period, first, limit, ids)
    return limits


def _grid(starts: pd.Series, interval_minutes: int) -> pd.DatetimeIndex:
    grid = pd.DatetimeIndex(starts.unique()).sort_values()
    step = pd.Timedelta(minutes=interval_minutes)
    steps = grid[1:] - grid[:-1]
    off = np.flatnonzero(steps != step)
    if len(off):
        examples = ", ".join(f"{grid[i]} -> {grid[i + 1]}" for i in off[:5])
        raise InputError(
            f"requirements: {INTERVAL_START} is not a regular {interval_minutes}-minute grid "
            f"({len(off)} gap(s) or misaligned step(s), e.g. {examples}); fill missing "
            "intervals with 0 or set scheduling.interval_minutes to match"
        )
    return grid


def _utc_starts(starts: pd.Series) -> pd.Series:
    """Interval starts in UTC; naive or unparseable values are an InputError."""
    if isinstance(starts.dtype, pd.DatetimeTZDtype):
        return starts.dt.tz_convert("UTC")
    values = starts.dropna()
    if starts.dtype == object and all(
        isinstance(v, datetime) and v.tzinfo is not None for v in values
    ):
        return pd.Series(pd.to_datetime(starts, utc=True), index=starts.index)
    raise InputError(
        f"requirements: {INTERVAL_START} must be timezone-aware timestamps, got dtype "
        f"{starts.dtype}; parse them with their UTC offset"
    )


def _examples(rows: pd.DataFrame, raw: np.ndarray | None = None) -> str:
    """Up to five rows as (queue, interval[, raw value]) for error messages.

    `rows` keeps the positions of the validated frame, which index `raw`.
    """
    shown = []
    for position, row in rows.head(5).iterrows():
        text = f"({row[QUEUE]!r}, {row[INTERVAL_START]:%Y-%m-%d %H:%M}"
        shown.append(text + (f", {raw[position]!r})" if raw is not None else ")"))
    return ", ".join(shown)


def _highs_importable() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


def _cbc_backend(
    *, time_limit_seconds: float, gap: float, log_path: Path | None
) -> pulp.LpSolver | None:
    """CBC bundled with PuLP (deprecated in PuLP 4), else a CBC on the PATH, else None."""
    options = {
        "msg": False,
        "timeLimit": time_limit_seconds,
        "gapRel": gap,
        "threads": 1,
        "logPath": None if log_path is None else str(log_path),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for kind in ("PULP_CBC_CMD", "COIN_CMD"):
            factory = getattr(pulp, kind, None)
            if factory is None:
                continue
            backend = factory(**options)
            if backend.available():
                return backend
    return None


def _highs_outcome(problem: pulp.LpProblem, objective: float) -> tuple[str, float | None]:
    import highspy

    highs = problem.solverModel
    model_status = highs.getModelStatus()
    status = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
    }.get(model_status, "feasible")
    if not problem.isMIP():
        # A pure LP solved to optimality is its own bound; HiGHS has no MIP bound.
        return status, (objective if status == "optimal" else None)
    info = highs.getInfo()
    sense = -1 if problem.sense == pulp.LpMaximize else 1
    bound = sense * float(info.mip_dual_bound)
    if not math.isfinite(bound):
        bound = objective if status == "optimal" else None
    return status, bound


def _cbc_outcome(problem: pulp.LpProblem, objective: float, log: str) -> tuple[str, float | None]:
    result = re.search(r"^Result - (.*)$", log, flags=re.MULTILINE)
    text = result.group(1) if result else ""
    if problem.sol_status == pulp.LpSolutionOptimal:
        status = "optimal"
    elif "time" in text.lower():
        status = "time_limit"
    else:
        status = "feasible"
    found = re.search(r"^(?:Lower|Upper) bound:\s*(\S+)", log, flags=re.MULTILINE)
    if found:
        try:
            return status, float(found.group(1))
        except ValueError:
            pass
    if status == "optimal" and "gap" not in text.lower():
        return status, objective
    return status, None


def _relative_gap(objective: float, bound: float) -> float:
    spread = abs(objective - bound)
    if spread <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return spread / max(abs(objective), 1e-9)
