"""Large programmes: the relaxation by interior point, then a search around its rounding.

HiGHS starts branch and bound from the LP relaxation solved by dual simplex. On
a programme of millions of nonzeros that root LP alone takes minutes: the
400-agent peak-season week (`benchmarks/peak_season.py`, 48,765 columns, 2.07
million nonzeros) needs 437 s of dual simplex, so a 300 s limit ended with no
bound and a schedule a fifth short. Its interior-point solve takes about 60 s.

`solve_by_rounding` therefore solves the relaxation by interior point (with
crossover, one thread), whose optimum is a valid lower bound on the programme,
and then runs HiGHS on the programme with every integer variable held between
the floor and the ceiling of its relaxed value (RENS, Berthold 2014): most are
integral in the relaxation and so fixed, and presolve leaves a programme a
hundredth of the size, solved within the node budget in seconds. Its answer is
compared with the relaxation's bound. When that neighbourhood holds no
solution, the whole programme is solved as usual with the time left.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pulp

from scheduling.errors import NoAnswerError
from scheduling.solver import (
    Interrupted,
    SolveResult,
    highs_model,
    highs_status,
    mark_interrupted,
    new_highs,
    relative_gap,
    solve_problem,
    stop_of,
    time_left,
    use_log,
    watch,
)

__all__ = ["LARGE_NONZEROS", "is_large", "solve_by_rounding"]

LARGE_NONZEROS = 500_000
"""Programmes with at least this many nonzeros are solved by `solve_by_rounding`.

The follow-the-sun week (`benchmarks/follow_the_sun.py`, 240,203 nonzeros)
solves its root LP by dual simplex in 6 s and is proven optimal by branch and
bound; the peak-season week (2.07 million) needs 437 s for the same step. At
60 minutes that week has 992,671 (`peak_season.py --minutes 60 --weeks 2
--sizes`), and at 1,000,000, the limit until then, branch and bound from its
dual-simplex root stopped 42.7% from its bound in its 300 s; at 500,000 its two
weeks were 6.4% and 5.8% from their relaxations and the plan 15% cheaper with
178 fewer agent-hours short (benchmarks/README, peak_season.py). The example
company's week (about 105,000) and the 50-queue roster week of
`many_queues.py` (1,374,400) are on the same side of either limit."""

_INTEGRAL = 1e-6


def nonzeros(problem: pulp.LpProblem) -> int:
    """Coefficients in the problem's constraints."""
    return sum(len(row) for row in problem.constraints())


def is_large(problem: pulp.LpProblem) -> bool:
    """Whether `problem` is a minimisation with integers and >= LARGE_NONZEROS."""
    return (
        problem.sense == pulp.LpMinimize and problem.isMIP() and nonzeros(problem) >= LARGE_NONZEROS
    )


def solve_by_rounding(
    problem: pulp.LpProblem,
    *,
    time_limit_seconds: float,
    gap: float,
    node_limit: int | None = None,
) -> SolveResult:
    """Solve a large minimisation from its interior-point relaxation (module docstring).

    Args:
        problem: a PuLP minimisation with integer variables; they receive the
            solution.
        time_limit_seconds: wall-clock limit for the whole solve, seconds (inside
            a `solve_budget` block, at most what is left of it).
        gap: relative gap at which the search around the rounding stops, 0-1.
        node_limit: most branch-and-bound nodes of that search, or None.

    Returns:
        As `solve_problem`; `bound` is the relaxation's optimum (when the search
        finds a solution) and a note says how the programme was solved.

    Raises:
        As `solve_problem`; Interrupted also for Ctrl-C during the relaxation;
        NoAnswerError naming the programme's size when the relaxation took the
        time limit and the whole programme found nothing in what was left.
    """
    began = time.perf_counter()
    limit = time_left(time_limit_seconds)
    highs = highs_model(problem, mip=True)
    use_log(highs)
    relaxed = _relaxation(highs, limit)
    if relaxed is None:
        try:
            return _solve_whole(problem, time_limit_seconds, gap, node_limit, "did not finish")
        except NoAnswerError as error:
            raise NoAnswerError(
                f"scheduling: the shift programme has {nonzeros(problem):,} nonzeros and "
                f"its LP relaxation did not finish within the {limit:.0f} s time limit, so "
                "no schedule was found; raise scheduling.time_limit_seconds (a programme "
                "this size can need several times that), or plan fewer weeks at a time, a "
                "longer interval_minutes or fewer distinct skill mixes in the roster"
                + (
                    "; its search then stopped at scheduling.node_limit, so raise that too"
                    if error.stopped_by == "node_limit"
                    else ""
                ),
                stopped_by=error.stopped_by,
            ) from error
    bound, values = relaxed
    watch(highs, offset=float(problem.objective.constant))
    left = limit - (time.perf_counter() - began)
    found = _around(highs, values, left, gap, node_limit) if left > 0 else None
    if found is None:
        why = "has no solution near its rounding" if left > 0 else "took the whole time limit"
        return _solve_whole(problem, time_limit_seconds, gap, node_limit, why)
    stop, solution = found
    for var in problem.variables():
        var.varValue = float(solution[var.index])
    problem.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
    constant = float(problem.objective.constant)
    objective = float(pulp.value(problem.objective) or 0.0)
    bound += constant
    relative = relative_gap(objective, bound)
    stopped = stop if stop in ("time_limit", "node_limit", "interrupted") else "other"
    status = "optimal" if relative <= gap else ("feasible" if stopped == "other" else stopped)
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative,
        seconds=time.perf_counter() - began,
        solver="highs",
        notes=(_note(problem),),
        stopped_by=stop_of(status, relative) if status == "optimal" else stopped,
    )


def _note(problem: pulp.LpProblem) -> str:
    return (
        f"the programme has {nonzeros(problem):,} nonzeros: solved from its LP "
        "relaxation (interior point) and a search around its rounding; the bound is "
        "the relaxation's"
    )


def _relaxation(highs: object, seconds: float) -> tuple[float, np.ndarray] | None:
    """The relaxation's optimum (without PuLP's constant) and solution, or None.

    Raises:
        Interrupted: Ctrl-C (`interruptible`) stopped it.
    """
    lp = highs.getLp()
    columns = lp.num_col_
    relaxed = new_highs()
    use_log(relaxed)
    relaxed.passModel(lp)
    everything = np.arange(columns, dtype=np.int32)
    relaxed.changeColsIntegrality(columns, everything, np.zeros(columns, dtype=np.uint8))
    relaxed.setOptionValue("solver", "ipm")
    relaxed.setOptionValue("time_limit", float(seconds))
    watch(relaxed)
    relaxed.run()
    if mark_interrupted():
        raise Interrupted  # Ctrl-C during the relaxation: no schedule yet to keep
    if highs_status(relaxed.getModelStatus()) != "optimal":
        return None
    value = float(relaxed.getInfo().objective_function_value)
    return value, np.asarray(relaxed.getSolution().col_value, dtype=float)


def _around(
    highs: object, values: np.ndarray, seconds: float, gap: float, node_limit: int | None
) -> tuple[str, np.ndarray] | None:
    """The best solution with each integer between floor and ceiling of its value.

    Returns:
        Why the search stopped ("gap", "node_limit", "time_limit",
        "interrupted" or "other") and the solution, or None if it found none.
        The bounds of `highs` are restored.

    Raises:
        Interrupted: Ctrl-C stopped it before it found a solution.
    """
    lp = highs.getLp()
    columns = lp.num_col_
    lower = np.asarray(lp.col_lower_, dtype=float)
    upper = np.asarray(lp.col_upper_, dtype=float)
    integer = np.array([int(kind) != 0 for kind in lp.integrality_], dtype=bool)
    low = np.where(integer, np.maximum(lower, np.floor(values + _INTEGRAL)), lower)
    high = np.where(integer, np.minimum(upper, np.ceil(values - _INTEGRAL)), upper)
    everything = np.arange(columns, dtype=np.int32)
    highs.changeColsBounds(columns, everything, low, high)
    highs.setOptionValue("time_limit", float(seconds))
    highs.setOptionValue("mip_rel_gap", float(gap))
    if node_limit is not None:
        highs.setOptionValue("mip_max_nodes", int(node_limit))
    highs.run()
    pressed = mark_interrupted()
    info = highs.getInfo()
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    highs.changeColsBounds(columns, everything, lower, upper)
    if info.primal_solution_status != 2:  # no feasible solution
        if pressed:
            raise Interrupted  # Ctrl-C before the search found one: stop, not retry
        return None
    stop = highs_status(highs.getModelStatus(), otherwise="other")
    return ("gap" if stop == "optimal" else stop), solution


def _solve_whole(
    problem: pulp.LpProblem,
    time_limit_seconds: float,
    gap: float,
    node_limit: int | None,
    why: str,
) -> SolveResult:
    """The usual solve, with a note on why the relaxation did not serve."""
    result = solve_problem(
        problem,
        solver="highs",
        time_limit_seconds=time_limit_seconds,
        gap=gap,
        node_limit=node_limit,
        watch=True,
    )
    note = f"the programme's LP relaxation {why}; solved by branch and bound instead"
    return dataclasses.replace(result, notes=(*result.notes, note))
