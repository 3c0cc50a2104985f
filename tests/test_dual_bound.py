"""HiGHS's bound after a solve that found no solution (`scheduling.solver.dual_bound`)."""

from __future__ import annotations

import random

import numpy as np
import pulp
import pytest

from scheduling.errors import InfeasibleError
from scheduling.solver import dual_bound, solve_problem

CONSTANT = 1000.0  # PuLP keeps an objective's constant from HiGHS: the bound must add it back


def market_split(seed: int, rows: int = 2, size: int = 20):
    """A market-split programme (binary x, each row's weights summing to half its
    total): HiGHS's heuristics seldom find a solution at the root."""
    rng = random.Random(seed)
    cost = [rng.randint(1, 20) for _ in range(size)]
    weights = [[rng.randint(0, 99) for _ in range(size)] for _ in range(rows)]
    problem = pulp.LpProblem("split", pulp.LpMinimize)
    x = [problem.add_variable(f"x{j}", cat=pulp.LpBinary) for j in range(size)]
    problem.setObjective(pulp.lpSum(c * v for c, v in zip(cost, x, strict=True)) + CONSTANT)
    for row in weights:
        problem += pulp.lpSum(w * v for w, v in zip(row, x, strict=True)) == sum(row) // 2
    return problem, cost, weights


def brute_force_optimum(cost, weights) -> float | None:
    """Least cost over all 2^n choices meeting every row, by enumeration."""
    size = len(cost)
    choices = (np.arange(2**size)[:, None] >> np.arange(size)) & 1
    meets = np.all(choices @ np.array(weights).T == [sum(r) // 2 for r in weights], axis=1)
    return float((choices[meets] @ np.array(cost)).min()) + CONSTANT if meets.any() else None


@pytest.mark.parametrize("seed", [0, 1, 3, 4])
def test_a_root_node_without_a_solution_still_proves_its_bound(seed: int) -> None:
    problem, cost, weights = market_split(seed)
    optimum = brute_force_optimum(cost, weights)
    assert optimum is not None
    try:
        bound = solve_problem(
            problem, solver="highs", time_limit_seconds=30, gap=0.0, node_limit=1
        ).bound
    except InfeasibleError:  # the case this is for (HiGHS 1.16 on these seeds)
        bound = dual_bound(problem)
    assert bound is not None
    assert bound <= optimum + 1e-6
    relaxed = problem.deepcopy()
    for var in relaxed.variables():
        var.cat = pulp.LpContinuous
    relaxed.solve(pulp.HiGHS(msg=False))
    assert bound >= pulp.value(relaxed.objective) - 1e-6  # at least the LP's, constant included


def test_no_bound_without_a_highs_solve() -> None:
    problem, _, _ = market_split(0)
    assert dual_bound(problem) is None
