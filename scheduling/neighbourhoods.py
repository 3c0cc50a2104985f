"""Fix-and-resolve: a better integer solution of a solved programme, one part at a time.

A large-neighbourhood search (Shaw 1998; Danna, Rothberg and Le Pape 2005 for
its use inside MIP solvers). Given a feasible solution of a minimisation, each
step fixes one part of its integer variables at their values and lets HiGHS
solve the rest from that solution (`setSolution`). The step's programme holds
the solution, so the objective never rises; it only tightens bounds, so
whatever it returns is a solution of the whole programme and the whole
programme's proven bound still holds. A node limit per step makes every run
take the same steps; a caller may also turn a cheaper step down (`accept`).

Why: on a programme the size of a week of shifts, HiGHS's own branch and bound
improves its first solutions slowly (the example week: 26,439 after 100 nodes,
25,332 after 1,700 s), while a programme with a day of it free is solved at
its root in seconds (benchmarks/README.md, refine.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pulp

from scheduling.solver import (
    budget_spent,
    highs_model,
    mark_interrupted,
    stop_asked,
    time_left,
    use_log,
)

_FEASIBLE = 2  # HiGHS's primal_solution_status of a feasible solution


@dataclass(frozen=True)
class Step:
    """One fix-and-resolve step, for progress reports.

    Attributes:
        done: steps taken so far, this one included.
        total: steps at most (passes x neighbourhoods).
        objective: the best objective so far, PuLP's constant included.
        seconds: since the search began.
    """

    done: int
    total: int
    objective: float
    seconds: float


def improve_by_neighbourhoods(
    problem: pulp.LpProblem,
    fixed: Sequence[Sequence[pulp.LpVariable]],
    *,
    passes: int,
    node_limit: int,
    time_limit_seconds: float,
    on_step: Callable[[Step], None] | None = None,
    accept: Callable[[], bool] | None = None,
) -> tuple[float, int]:
    """Lower a solved minimisation's objective by fix-and-resolve (module docstring).

    Args:
        problem: a PuLP minimisation whose variables hold a feasible solution
            (e.g. after `solve_problem`); they receive the best one found.
        fixed: per step, in the order taken, the integer variables it fixes
            at the solution's values (every other variable is free).
        passes: times the steps are gone through; a pass that lowers nothing
            ends the search.
        node_limit: branch-and-bound nodes of each step.
        time_limit_seconds: a step's limit, seconds (inside a `solve_budget`
            block at most what is left of it; a spent budget or Ctrl-C ends
            the search with the best solution so far).
        on_step: called after each step.
        accept: asked after a step lowers the objective, with the step's
            solution in `problem`'s variables; False turns the step down (the
            variables get the solution before it back). None accepts every one.

    Returns:
        The objective of the solution left in `problem` (constant included)
        and how many steps lowered it.

    Raises:
        SolverUnavailableError: highspy is not installed.
    """
    began = time.perf_counter()
    constant = float(problem.objective.constant) if problem.objective is not None else 0.0
    columns = list(problem.variables())
    previous = getattr(problem, "solverModel", None)  # the solve's, for its bound
    highs = highs_model(problem, mip=True)  # Ctrl-C stops its steps (`watch`)
    use_log(highs)
    lp = highs.getLp()
    cost = np.asarray(lp.col_cost_, dtype=float)
    lower = np.asarray(lp.col_lower_, dtype=float)
    upper = np.asarray(lp.col_upper_, dtype=float)
    integer = np.array([int(kind) != 0 for kind in lp.integrality_], dtype=bool)
    best = np.array([var.varValue or 0.0 for var in columns], dtype=float)  # index order
    value = float(cost @ best)
    highs.setOptionValue("mip_max_nodes", int(node_limit))
    highs.setOptionValue("mip_rel_gap", 0.0)
    held = [_mask(len(columns), part) & integer for part in fixed]
    total, done, lowered = passes * len(held), 0, 0
    for _ in range(passes):
        before = value
        for mask in held:
            if stop_asked() or budget_spent():
                break
            found = _step(highs, best, mask, lower, upper, time_limit_seconds)
            done += 1
            lower_cost = found is not None and float(cost @ found) < value - _tolerance(value)
            if lower_cost and (accept is None or _accepted(columns, found, best, accept)):
                best, value = found, float(cost @ found)
                lowered += 1
            if on_step is not None:
                on_step(Step(done, total, value + constant, time.perf_counter() - began))
        if value >= before - _tolerance(before) or stop_asked():
            break
    _write(columns, best)
    problem.solverModel = previous
    return value + constant, lowered


def _accepted(
    columns: list[pulp.LpVariable],
    found: np.ndarray,
    best: np.ndarray,
    accept: Callable[[], bool],
) -> bool:
    """Whether `accept` takes `found` (written to the variables); `best` written back if not."""
    _write(columns, found)
    if accept():
        return True
    _write(columns, best)
    return False


def _write(columns: list[pulp.LpVariable], values: np.ndarray) -> None:
    for var in columns:
        var.varValue = float(values[var.index])


def _mask(columns: int, part: Sequence[pulp.LpVariable]) -> np.ndarray:
    out = np.zeros(columns, dtype=bool)
    out[[var.index for var in part]] = True
    return out


def _tolerance(value: float) -> float:
    return 1e-9 * max(1.0, abs(value))


def _step(
    highs: object,
    solution: np.ndarray,
    fixed: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    time_limit_seconds: float,
) -> np.ndarray | None:
    """The programme solved with the `fixed` columns at their values in
    `solution`, from `solution`; its best solution, or None if it found none.
    The bounds of `highs` are restored."""
    import highspy

    low = np.where(fixed, np.round(solution), lower)
    high = np.where(fixed, np.round(solution), upper)
    everything = np.arange(len(solution), dtype=np.int32)
    highs.changeColsBounds(len(solution), everything, low, high)
    start = highspy.HighsSolution()
    start.col_value = list(solution)
    start.value_valid = True
    highs.setSolution(start)
    highs.setOptionValue("time_limit", float(time_left(time_limit_seconds)))
    highs.run()
    mark_interrupted()
    found = None
    if highs.getInfo().primal_solution_status == _FEASIBLE:
        found = np.asarray(highs.getSolution().col_value, dtype=float)
    highs.changeColsBounds(len(solution), everything, lower, upper)
    return found
