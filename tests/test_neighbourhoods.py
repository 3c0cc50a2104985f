"""Fix-and-resolve (`scheduling.neighbourhoods`) against brute force on tiny covering programmes."""

from __future__ import annotations

import itertools

import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.neighbourhoods import Step, improve_by_neighbourhoods

pytest.importorskip("highspy")

PENALTY = 50.0


def covering(costs, spans, required, upper):
    """min sum c x + PENALTY sum short; x[j] agents of shift j (integer 0..upper) cover
    the intervals in spans[j]; short[t] >= required[t] - covered."""
    problem = pulp.LpProblem("cover", pulp.LpMinimize)
    x = [
        problem.add_variable(f"x_{j}", lowBound=0, upBound=upper, cat=pulp.LpInteger)
        for j in range(len(costs))
    ]
    short = [problem.add_variable(f"s_{t}", lowBound=0) for t in range(len(required))]
    problem += (
        pulp.lpSum(c * v for c, v in zip(costs, x, strict=True)) + PENALTY * pulp.lpSum(short) + 7.0
    )
    for t, need in enumerate(required):
        problem += (
            pulp.lpSum(x[j] for j, span in enumerate(spans) if t in span) + short[t] >= need,
            f"cover_{t}",
        )
    return problem, x, short


def objective_of(costs, spans, required, counts) -> float:
    covered = [
        sum(n for n, span in zip(counts, spans, strict=True) if t in span)
        for t in range(len(required))
    ]
    return (
        sum(c * n for c, n in zip(costs, counts, strict=True))
        + PENALTY * sum(max(r - c, 0.0) for r, c in zip(required, covered, strict=True))
        + 7.0
    )


def start_at(x, short, counts, costs, spans, required) -> None:
    """Give the variables a feasible solution: `counts` agents, least shortfall for them."""
    for var, n in zip(x, counts, strict=True):
        var.varValue = float(n)
    for t, var in enumerate(short):
        covered = sum(n for n, span in zip(counts, spans, strict=True) if t in span)
        var.varValue = max(required[t] - covered, 0.0)


def feasible(problem: pulp.LpProblem) -> bool:
    return all(row.valid(1e-6) for row in problem.constraints()) and all(
        (v.lowBound is None or v.varValue >= v.lowBound - 1e-6)
        and (v.upBound is None or v.varValue <= v.upBound + 1e-6)
        for v in problem.variables()
    )


instances = st.integers(2, 4).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(1, 9), min_size=n, max_size=n),
        st.lists(
            st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.integers(0, 3), min_size=5, max_size=5),
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.lists(st.integers(0, n - 1), min_size=1, max_size=3),
    )
)


@settings(max_examples=25, deadline=None)
@given(instances)
def test_never_rises_stays_feasible_and_never_passes_the_optimum(instance) -> None:
    costs, spans, required, counts, freed = instance
    problem, x, short = covering(costs, spans, required, upper=2)
    start_at(x, short, counts, costs, spans, required)
    first = objective_of(costs, spans, required, counts)
    # each step frees one shift's variable: fix every other x
    fixed = [[v for j, v in enumerate(x) if j != free] for free in freed]
    value, lowered = improve_by_neighbourhoods(
        problem, fixed, passes=2, node_limit=10, time_limit_seconds=10
    )
    best = min(
        objective_of(costs, spans, required, n)
        for n in itertools.product(range(3), repeat=len(costs))
    )
    assert feasible(problem)
    assert value == pytest.approx(pulp.value(problem.objective))
    assert best - 1e-6 <= value <= first + 1e-6
    assert (lowered > 0) == (value < first - 1e-6)
    # a step moves only the shifts it frees
    moved = {j for j, (v, n) in enumerate(zip(x, counts, strict=True)) if round(v.varValue) != n}
    assert moved <= set(freed)


def test_a_step_fixing_nothing_finds_the_optimum() -> None:
    costs, spans, required = [5, 6, 4, 9], [[0, 1], [1, 2, 3], [3, 4], [0, 2, 4]], [2, 1, 3, 1, 2]
    problem, x, short = covering(costs, spans, required, upper=2)
    start_at(x, short, [2, 2, 2, 2], costs, spans, required)
    seen: list[Step] = []
    value, lowered = improve_by_neighbourhoods(
        problem, [[]], passes=3, node_limit=100, time_limit_seconds=10, on_step=seen.append
    )
    best = min(
        objective_of(costs, spans, required, n) for n in itertools.product(range(3), repeat=4)
    )
    assert value == pytest.approx(best)
    assert lowered == 1
    # the second pass lowers nothing and ends the search
    assert [(s.done, s.total) for s in seen] == [(1, 3), (2, 3)]
    assert [s.objective for s in seen] == pytest.approx([best, best])


def test_a_step_fixing_every_integer_keeps_them() -> None:
    costs, spans, required = [5, 6, 4], [[0, 1], [1, 2, 3], [3, 4]], [2, 1, 3, 1, 2]
    problem, x, short = covering(costs, spans, required, upper=2)
    start_at(x, short, [2, 0, 1], costs, spans, required)
    first = objective_of(costs, spans, required, [2, 0, 1])
    value, lowered = improve_by_neighbourhoods(
        problem, [x], passes=1, node_limit=10, time_limit_seconds=10
    )
    assert [v.varValue for v in x] == [2.0, 0.0, 1.0]
    assert (value, lowered) == (pytest.approx(first), 0)


def test_the_solves_own_model_is_left_for_its_bound() -> None:
    costs, spans, required = [5, 6], [[0, 1], [1, 2]], [1, 1, 1, 0, 0]
    problem, _x, _short = covering(costs, spans, required, upper=2)
    problem.solve(pulp.HiGHS(msg=False))
    before = problem.solverModel
    improve_by_neighbourhoods(problem, [[]], passes=1, node_limit=10, time_limit_seconds=10)
    assert problem.solverModel is before


def test_a_step_turned_down_leaves_the_solution_before_it() -> None:
    costs, spans, required = [5, 6, 4, 9], [[0, 1], [1, 2, 3], [3, 4], [0, 2, 4]], [2, 1, 3, 1, 2]
    problem, x, short = covering(costs, spans, required, upper=2)
    start_at(x, short, [2, 2, 2, 2], costs, spans, required)
    first = objective_of(costs, spans, required, [2, 2, 2, 2])
    offered = []

    def accept() -> bool:
        offered.append([v.varValue for v in x])
        return False

    value, lowered = improve_by_neighbourhoods(
        problem, [[]], passes=1, node_limit=100, time_limit_seconds=10, accept=accept
    )
    assert (value, lowered) == (pytest.approx(first), 0)
    assert [v.varValue for v in x] == [2.0, 2.0, 2.0, 2.0]
    # it was shown the cheaper solution, in the variables
    assert len(offered) == 1 and offered[0] != [2.0, 2.0, 2.0, 2.0]
