"""Published shift-scheduling optima, reproduced with wfm's shift programme.

Run: python benchmarks/shift_reference.py [--solver highs] [--time-limit 60]

Data: ../shared/data/shift_scheduling_reference (SOURCE.md there):

- `ctu_cyclic_call_center_24h`: a cyclic 24-hour demand covered by 8-hour shifts
  that start on any hour and wrap past midnight; minimise the number of shifts.
  Published optimum 55 (Czech Technical University assignment text, via GitHub
  sevenxx07/LP-Scheduling-problem).
- `pyworkforce_readme_2day_4shift`: 2 days x 24 hours, 4 fixed shifts, at most 25
  people per (day, shift) and 27 on duty per hour. Published (pyworkforce README):
  MinAbsDifference, sum over (day, hour) of |scheduled - required|, optimum 157;
  MinRequiredResources, the number of people with scheduled >= required every
  hour, optimum 113.

Each instance is solved by `scheduling.shifts.model.build_model` and `solve_problem`
(HiGHS, one thread, gap 0), breaks off, no headcount rows (`max_agents` None):

- CTU: the candidate shifts are the library's own (`generate_shifts`, one site
  open round the clock, 8-hour shifts on the hour); `cyclic` wraps them past
  midnight. `cost_per_hour` = 1/8 makes the paid cost the number of shifts; the
  shortfall penalty (1000 per agent-hour) is a relaxation of "cover every hour":
  a solution with no shortfall that is optimal for it is optimal for the hard
  version, and the script checks there is none.
- pyworkforce: the instance's 4 shifts on each day are passed in as the
  candidate-shift frame. Night covers 21:00-05:00 of the *same* day, two pieces;
  the library's shifts are one [start, end) span, so each day is laid on the grid
  from 05:00 (found from the coverage vectors: the rotation that makes every
  shift one run). Summing over hours, the objective does not change. The days
  are independent (`cyclic` off).
  MinRequiredResources is priced as CTU. MinAbsDifference is the library's own
  objective with no paid cost and shortfall and surplus penalties of 1 per
  agent-hour: P h short + p h surplus = sum |scheduled - required| (a queue is
  never short and over in the same hour).
  The library has no cap on agents on duty per interval (`Site.max_agents` caps
  agents starting per local day and week, which would bind at 27 shifts a day
  here) nor per shift, so the instance's two caps are added to the built
  problem: each x gets upper bound 25, and one `on_duty_{hour}` row per hour
  keeps the shifts on duty at 27 or fewer.

Every solution is checked against the instance's own vectors, without the
library: its objective is recomputed from the chosen counts, and the caps and
cover are verified. An instance matches when that recomputed objective equals the
published one and the solver proved it optimal (bound within 1e-6). The script
exits 1 unless all three match.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pulp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.columns import (  # noqa: E402  # noqa: E402
    AGENTS_SCHEDULED,
    END,
    INTERVAL_START,
    PAID_HOURS,
    QUEUE,
    SHIFT_ID,
    SITE,
    START,
)
from scheduling.shifts.model import ShiftModel, build_model, chosen_shifts, shortfall_frame  # noqa: E402
from scheduling.shifts.options import ScheduleOptions  # noqa: E402
from scheduling.shifts.sites import Site  # noqa: E402
from scheduling.shifts.templates import generate_shifts  # noqa: E402
from scheduling.solver import SolveResult, solve_problem  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "shift_scheduling_reference"
CTU = "ctu_cyclic_call_center_24h"
PYWORKFORCE = "pyworkforce_readme_2day_4shift"
MIN_ABS_DIFFERENCE = "MinAbsDifference"
MIN_REQUIRED_RESOURCES = "MinRequiredResources"
# The instances have no dates; any Monday in UTC will do.
GRID_START = pd.Timestamp("2024-01-01 00:00", tz="UTC")
QUEUE_NAME = "calls"
COUNT_PENALTY = 1000.0  # shortfall per agent-hour when the objective counts shifts
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Outcome:
    """One instance solved and checked.

    Attributes:
        instance: instance and objective, e.g. "pyworkforce MinAbsDifference".
        published: the published optimal objective.
        objective: the solver's objective.
        recomputed: the objective recomputed from the chosen counts and the
            instance's own vectors (no library code).
        bound: the solver's proven lower bound, or None.
        gap: relative gap (0-1), or None.
        seconds: solve wall-clock time, seconds.
        status: the solver's status ("optimal", "time_limit", ...).
        counts: chosen shifts, shift_id -> agents.
    """

    instance: str
    published: float
    objective: float
    recomputed: float
    bound: float | None
    gap: float | None
    seconds: float
    status: str
    counts: dict[str, int]

    @property
    def matched(self) -> bool:
        """The published optimum is reproduced and proven optimal."""
        return (
            abs(self.recomputed - self.published) <= TOLERANCE
            and abs(self.objective - self.published) <= TOLERANCE
            and self.bound is not None
            and self.bound >= self.published - TOLERANCE
        )


def load_instance(name: str) -> dict:
    """The JSON instance `name` (without .json) from the reference folder."""
    return json.loads((DATA / f"{name}.json").read_text())


def _requirements(demand: list[float], start: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame(
        {
            INTERVAL_START: pd.date_range(start, periods=len(demand), freq="60min"),
            QUEUE: QUEUE_NAME,
            AGENTS_SCHEDULED: [float(d) for d in demand],
        }
    )


def _options(*, cyclic: bool, shortfall: float, surplus: float) -> ScheduleOptions:
    return ScheduleOptions(
        interval_minutes=60,
        shortfall_penalty=shortfall,
        surplus_penalty=surplus,
        cyclic=cyclic,
        break_minutes=0,
        min_rest_hours=0.0,
        max_days_per_week=7,
        gap=0.0,
    )


def ctu_model(instance: dict) -> ShiftModel:
    """The CTU instance as a shift programme whose objective counts shifts."""
    hours = float(instance["shift_length_hours"])
    periods = int(instance["periods"])
    site = Site(
        name="ctu",
        timezone="UTC",
        open_minutes=0,
        close_minutes=1440,
        days=tuple(range(7)),
        queues=(QUEUE_NAME,),
        shift_hours=(hours,),
        start_step_minutes=60,
        cost_per_hour=1.0 / hours,
    )
    shifts = generate_shifts([site], start=GRID_START, end=GRID_START + pd.Timedelta(hours=periods))
    options = _options(cyclic=bool(instance["cyclic"]), shortfall=COUNT_PENALTY, surplus=0.0)
    return build_model(
        _requirements(instance["demand"], GRID_START), shifts, sites=[site], options=options
    )


def contiguous_rotation(coverage: dict[str, list[int]]) -> int:
    """The first hour r such that, read from hour r, every shift covers one run of hours.

    Raises:
        ValueError: no such hour (some shift has three or more pieces).
    """
    periods = len(next(iter(coverage.values())))
    for r in range(periods):
        if all(_runs(vector[r:] + vector[:r]) == 1 for vector in coverage.values()):
            return r
    raise ValueError("no rotation of the day makes every shift one run of hours")


def _runs(vector: list[int]) -> int:
    return sum(1 for i, v in enumerate(vector) if v and (i == 0 or not vector[i - 1]))


def pyworkforce_model(instance: dict, *, objective: str) -> ShiftModel:
    """The pyworkforce instance as a shift programme, caps added (module docstring).

    Args:
        instance: the JSON instance.
        objective: "MinAbsDifference" or "MinRequiredResources".
    """
    if objective not in (MIN_ABS_DIFFERENCE, MIN_REQUIRED_RESOURCES):
        raise ValueError(f"objective must be {MIN_ABS_DIFFERENCE} or {MIN_REQUIRED_RESOURCES}")
    periods = int(instance["periods"])
    coverage: dict[str, list[int]] = instance["shifts_coverage"]
    r = contiguous_rotation(coverage)
    # Grid position of (day, hour): the day is read from hour r.
    demand = [0.0] * (instance["num_days"] * periods)
    for day, row in enumerate(instance["required_resources"]):
        for hour, required in enumerate(row):
            demand[day * periods + (hour - r) % periods] = float(required)
    lengths = sorted({sum(vector) for vector in coverage.values()})
    counting = objective == MIN_REQUIRED_RESOURCES
    # One site per shift length, so that cost_per_hour makes every shift cost 1.
    sites = {
        length: Site(
            name=f"shifts_{length}h",
            timezone="UTC",
            open_minutes=0,
            close_minutes=1440,
            days=tuple(range(7)),
            queues=(QUEUE_NAME,),
            shift_hours=(float(length),),
            cost_per_hour=1.0 / length if counting else 0.0,
        )
        for length in lengths
    }
    rows = []
    for day in range(instance["num_days"]):
        for name, vector in coverage.items():
            rotated = vector[r:] + vector[:r]
            first, length = rotated.index(1), sum(vector)
            begin = GRID_START + pd.Timedelta(hours=day * periods + first)
            rows.append(
                {
                    SHIFT_ID: f"day{day}|{name}",
                    SITE: sites[length].name,
                    START: begin,
                    END: begin + pd.Timedelta(hours=length),
                    PAID_HOURS: float(length),
                }
            )
    shifts = pd.DataFrame(rows)
    options = (
        _options(cyclic=False, shortfall=COUNT_PENALTY, surplus=0.0)
        if counting
        else _options(cyclic=False, shortfall=1.0, surplus=1.0)
    )
    model = build_model(
        _requirements(demand, GRID_START), shifts, sites=list(sites.values()), options=options
    )
    _add_caps(
        model,
        per_shift=int(instance["max_shift_concurrency"]),
        on_duty=int(instance["max_period_concurrency"]),
    )
    return model


def _add_caps(model: ShiftModel, *, per_shift: int, on_duty: int) -> None:
    """x <= per_shift for every shift, and on_duty_{hour}: agents on duty <= on_duty."""
    for var in model.x.values():
        var.upBound = per_shift if var.upBound is None else min(var.upBound, per_shift)
    variables = {shift_id: var for (shift_id, _), var in model.x.items()}
    on_duty_terms: dict[int, list[tuple[pulp.LpVariable, float]]] = {}
    for shift_id, interval, share in model.coverage.itertuples(index=False):
        if shift_id in variables:
            on_duty_terms.setdefault(int(interval), []).append((variables[shift_id], share))
    for interval, terms in sorted(on_duty_terms.items()):
        name = f"on_duty_{model.intervals[interval]:%Y%m%dT%H%M}"
        model.problem += (pulp.LpAffineExpression(terms) <= on_duty, name)


def _solve(
    model: ShiftModel, *, solver: str, time_limit_seconds: float
) -> tuple[dict[str, int], SolveResult]:
    result = solve_problem(
        model.problem, solver=solver, time_limit_seconds=time_limit_seconds, gap=0.0
    )
    chosen = chosen_shifts(model)
    counts = dict(zip(chosen[SHIFT_ID], chosen["count"].astype(int), strict=True))
    return counts, result


def ctu_objective(instance: dict, counts_by_start: dict[int, int]) -> float:
    """Shifts used, after checking that they cover the CTU demand (no library code).

    Args:
        instance: the CTU JSON instance.
        counts_by_start: agents per start hour (0-23).

    Raises:
        ValueError: an hour is not covered.
    """
    periods, length = int(instance["periods"]), int(instance["shift_length_hours"])
    on_duty = [0] * periods
    for start, count in counts_by_start.items():
        for k in range(length):
            on_duty[(start + k) % periods] += count
    short = [h for h, (n, d) in enumerate(zip(on_duty, instance["demand"], strict=True)) if n < d]
    if short:
        raise ValueError(f"CTU: hours {short} are not covered")
    return float(sum(counts_by_start.values()))


def pyworkforce_objective(
    instance: dict, counts: dict[tuple[int, str], int], objective: str
) -> float:
    """The pyworkforce objective of counts per (day, shift name), caps checked (no library).

    Raises:
        ValueError: a cap is broken, or (MinRequiredResources) an hour is short.
    """
    cap_shift, cap_hour = instance["max_shift_concurrency"], instance["max_period_concurrency"]
    if any(n > cap_shift for n in counts.values()):
        raise ValueError(f"pyworkforce: more than {cap_shift} people on one shift")
    total = 0.0
    for day, required in enumerate(instance["required_resources"]):
        for hour, need in enumerate(required):
            on_duty = sum(
                counts.get((day, name), 0) * vector[hour]
                for name, vector in instance["shifts_coverage"].items()
            )
            if on_duty > cap_hour:
                raise ValueError(f"pyworkforce: {on_duty} on duty at day {day} hour {hour}")
            if objective == MIN_REQUIRED_RESOURCES and on_duty < need:
                raise ValueError(f"pyworkforce: day {day} hour {hour} is short")
            total += abs(on_duty - need)
    if objective == MIN_REQUIRED_RESOURCES:
        return float(sum(counts.values()))
    return total


def solve_ctu(
    *, instance: dict | None = None, solver: str = "highs", time_limit_seconds: float = 60.0
) -> Outcome:
    """Build, solve and check the CTU instance (or a variant of it, `instance`)."""
    instance = load_instance(CTU) if instance is None else instance
    model = ctu_model(instance)
    counts, result = _solve(model, solver=solver, time_limit_seconds=time_limit_seconds)
    if not shortfall_frame(model).empty:
        raise RuntimeError("CTU: the solution is short somewhere; the demand was not covered")
    starts = model.shifts.set_index(SHIFT_ID)[START]
    by_start = {
        int((starts[shift_id] - GRID_START) / pd.Timedelta(hours=1)): n
        for shift_id, n in counts.items()
    }
    return _outcome(
        "CTU cyclic 24 h",
        float(instance["published_optimal_objective"]),
        ctu_objective(instance, by_start),
        result,
        counts,
    )


def solve_pyworkforce(
    objective: str,
    *,
    instance: dict | None = None,
    solver: str = "highs",
    time_limit_seconds: float = 60.0,
) -> Outcome:
    """Build, solve and check the pyworkforce instance (or a variant, `instance`)."""
    instance = load_instance(PYWORKFORCE) if instance is None else instance
    model = pyworkforce_model(instance, objective=objective)
    counts, result = _solve(model, solver=solver, time_limit_seconds=time_limit_seconds)
    if objective == MIN_REQUIRED_RESOURCES and not shortfall_frame(model).empty:
        raise RuntimeError("pyworkforce: the solution is short somewhere")
    by_day = {}
    for shift_id, n in counts.items():
        day, name = shift_id.split("|")
        by_day[(int(day.removeprefix("day")), name)] = n
    return _outcome(
        f"pyworkforce {objective}",
        float(instance["published_results"][objective]["cost"]),
        pyworkforce_objective(instance, by_day, objective),
        result,
        counts,
    )


def _outcome(
    name: str, published: float, recomputed: float, result: SolveResult, counts: dict[str, int]
) -> Outcome:
    return Outcome(
        instance=name,
        published=published,
        objective=result.objective,
        recomputed=recomputed,
        bound=result.bound,
        gap=result.gap,
        seconds=result.seconds,
        status=result.status,
        counts=counts,
    )


def run_all(*, solver: str = "highs", time_limit_seconds: float = 60.0) -> list[Outcome]:
    """The three published optima, solved one after the other."""
    return [
        solve_ctu(solver=solver, time_limit_seconds=time_limit_seconds),
        solve_pyworkforce(MIN_ABS_DIFFERENCE, solver=solver, time_limit_seconds=time_limit_seconds),
        solve_pyworkforce(
            MIN_REQUIRED_RESOURCES, solver=solver, time_limit_seconds=time_limit_seconds
        ),
    ]


def format_table(outcomes: list[Outcome]) -> str:
    """A plain-text table: instance, published, ours, bound, gap, seconds, match."""
    header = ("instance", "published", "ours", "bound", "gap", "seconds", "match")
    rows = [header]
    for o in outcomes:
        rows.append(
            (
                o.instance,
                f"{o.published:g}",
                f"{o.recomputed:g}",
                "-" if o.bound is None else f"{o.bound:.6g}",
                "-" if o.gap is None else f"{o.gap:.2%}",
                f"{o.seconds:.3f}",
                "yes" if o.matched else "no",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells)

    lines = [line(row) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solver", choices=("highs", "cbc"), default="highs")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"data folder {DATA} not found", file=sys.stderr)
        return 2
    outcomes = run_all(solver=args.solver, time_limit_seconds=args.time_limit)
    print(format_table(outcomes))
    missed = [o.instance for o in outcomes if not o.matched]
    if missed:
        print(f"not reproduced: {', '.join(missed)}", file=sys.stderr)
        return 1
    print(f"all {len(outcomes)} published optima reproduced and proven optimal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
