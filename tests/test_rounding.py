"""Large programmes solved from their interior-point relaxation (`scheduling.rounding`).

The bound is checked against the relaxation solved independently (scipy's
linprog), the answer against brute force over every integer point.
"""

from __future__ import annotations

import itertools

import numpy as np
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from test_schedule_model import make_options, make_requirements, make_site

from scheduling import rounding
from scheduling.errors import NoAnswerError
from scheduling.shifts.planner import schedule_requirements


def covering(costs: list[float], need: list[int], spans: list[tuple[int, int]]) -> pulp.LpProblem:
    """min sum c_s x_s + 50 short_t: sum_{s covers t} x_s + short_t >= need_t, x <= 3 integer."""
    problem = pulp.LpProblem("cover", pulp.LpMinimize)
    x = [problem.add_variable(f"x{s}", 0, 3, cat=pulp.LpInteger) for s in range(len(costs))]
    short = [problem.add_variable(f"short{t}", 0, need[t]) for t in range(len(need))]
    problem += pulp.lpSum(c * v for c, v in zip(costs, x, strict=True)) + 50 * pulp.lpSum(short)
    for t, n in enumerate(need):
        problem += pulp.lpSum(x[s] for s, (a, b) in enumerate(spans) if a <= t < b) + short[t] >= n
    return problem


def relaxation(costs: list[float], need: list[int], spans: list[tuple[int, int]]) -> float:
    """The covering programme's LP optimum by scipy (HiGHS not involved in the check)."""
    shifts, slots = len(costs), len(need)
    cover = np.zeros((slots, shifts + slots))
    for t in range(slots):
        for s, (a, b) in enumerate(spans):
            cover[t, s] = 1.0 if a <= t < b else 0.0
        cover[t, shifts + t] = 1.0
    c = np.array(list(costs) + [50.0] * slots)
    bounds = [(0, 3)] * shifts + [(0, n) for n in need]
    return float(linprog(c, A_ub=-cover, b_ub=-np.array(need), bounds=bounds).fun)


def brute_force(costs: list[float], need: list[int], spans: list[tuple[int, int]]) -> float:
    best = np.inf
    for x in itertools.product(range(4), repeat=len(costs)):
        cover = [
            sum(x[s] for s, (a, b) in enumerate(spans) if a <= t < b) for t in range(len(need))
        ]
        value = sum(c * n for c, n in zip(costs, x, strict=True))
        value += 50 * sum(max(n - k, 0) for n, k in zip(need, cover, strict=True))
        best = min(best, value)
    return best


@st.composite
def instances(draw):
    slots = draw(st.integers(3, 6))
    shifts = draw(st.integers(1, 4))
    spans = []
    for _ in range(shifts):
        a = draw(st.integers(0, slots - 1))
        spans.append((a, draw(st.integers(a + 1, slots))))
    costs = [float(draw(st.integers(5, 120))) for _ in range(shifts)]
    need = [draw(st.integers(0, 3)) for _ in range(slots)]
    return costs, need, spans


@settings(max_examples=60, deadline=None)
@given(instances())
def test_the_bound_is_the_relaxation_and_the_answer_a_real_solution(instance) -> None:
    costs, need, spans = instance
    problem = covering(costs, need, spans)
    result = rounding.solve_by_rounding(problem, time_limit_seconds=30, gap=0.0)
    best = brute_force(costs, need, spans)
    assert result.bound == pytest.approx(relaxation(costs, need, spans), abs=1e-6)
    assert result.bound <= best + 1e-6 <= result.objective + 2e-6
    assert problem.valid(eps=1e-6)
    assert all(abs(v.varValue - round(v.varValue)) < 1e-6 for v in problem.variables() if v.cat)
    assert result.objective == pytest.approx(pulp.value(problem.objective), abs=1e-6)


def test_no_solution_near_the_rounding_solves_the_whole_programme() -> None:
    # min x + 0.9 y with x + 2y = 3: the relaxation's y = 1.5, x = 0 leaves
    # x in [0, 0], y in [1, 2], where x + 2y is 2 or 4. The optimum is x = y = 1.
    problem = pulp.LpProblem("odd", pulp.LpMinimize)
    x = problem.add_variable("x", 0, 5, cat=pulp.LpInteger)
    y = problem.add_variable("y", 0, 5, cat=pulp.LpInteger)
    problem += x + 0.9 * y
    problem += x + 2 * y == 3
    result = rounding.solve_by_rounding(problem, time_limit_seconds=30, gap=0.0)
    assert (x.varValue, y.varValue) == (1.0, 1.0)
    assert result.objective == pytest.approx(1.9)
    assert result.bound == pytest.approx(1.9)
    assert "no solution near its rounding" in result.notes[-1]


@pytest.mark.parametrize("stop", ["time_limit", "node_limit"])
def test_a_relaxation_that_takes_the_time_limit_names_the_size(monkeypatch, stop) -> None:
    # The relaxation did not finish, and the whole programme found nothing in
    # the time left: the error says how large the programme is and what to do,
    # and keeps which limit stopped the search.
    problem = covering([10.0, 12.0], [1, 2, 1], [(0, 2), (1, 3)])
    monkeypatch.setattr(rounding, "_relaxation", lambda highs, seconds: None)

    def nothing(*args, **kwargs):
        raise NoAnswerError("scheduling: the solver stopped without a solution", stopped_by=stop)

    monkeypatch.setattr(rounding, "solve_problem", nothing)
    with pytest.raises(NoAnswerError, match=r"has 7 nonzeros and its LP relaxation did not") as e:
        rounding.solve_by_rounding(problem, time_limit_seconds=30, gap=0.0)
    assert e.value.stopped_by == stop
    assert ("scheduling.node_limit" in str(e.value)) == (stop == "node_limit")


def test_a_programme_is_large_by_its_nonzeros(monkeypatch) -> None:
    problem = covering([10.0, 12.0], [1, 2, 1], [(0, 2), (1, 3)])
    assert rounding.nonzeros(problem) == 7  # 4 shift cells and 3 short cells
    assert not rounding.is_large(problem)
    monkeypatch.setattr(rounding, "LARGE_NONZEROS", 7)
    assert rounding.is_large(problem)


def test_a_large_schedule_is_planned_from_its_relaxation(monkeypatch) -> None:
    # The same small plan twice: by branch and bound to optimality, then as if
    # large. The rounding's bound is at most that optimum, its plan at least.
    need = make_requirements({"phone": [1.0, 2.5, 3.0, 2.0, 1.5, 2.0, 1.0, 0.5]})
    sites = [make_site()]
    exact = schedule_requirements(need, sites=sites, options=make_options())
    monkeypatch.setattr(rounding, "LARGE_NONZEROS", 1)
    large = schedule_requirements(need, sites=sites, options=make_options())
    assert exact.solve.status == "optimal" and not exact.solve.notes
    assert "solved from its LP relaxation" in large.solve.notes[0]
    assert large.solve.bound <= exact.solve.objective + 1e-6 <= large.solve.objective + 2e-6
    assert large.solve.gap == pytest.approx(
        (large.solve.objective - large.solve.bound) / large.solve.objective
    )
    assert len(large.schedule) and not len(large.unfilled)


def test_a_search_stopped_short_of_the_gap_says_why() -> None:
    # A gap of 0 the node budget cannot reach: stopped by the nodes, "node_limit".
    costs, need = [7.0, 11.0, 13.0, 5.0], [2, 3, 3, 1, 2]
    problem = covering(costs, need, [(0, 2), (1, 4), (2, 5), (3, 5)])
    result = rounding.solve_by_rounding(problem, time_limit_seconds=30, gap=0.0, node_limit=1)
    assert result.status in ("optimal", "node_limit", "feasible")
    assert result.stopped_by in ("optimal", "gap", "node_limit", "other")
    if result.status != "optimal":
        assert result.gap > 0 and result.stopped_by == result.status.replace("feasible", "other")


def test_ctrl_c_during_the_relaxation_stops_the_solve_without_a_retry(monkeypatch) -> None:
    # A pending Ctrl-C (as the signal handler leaves it) stops the interior point
    # at its first check; there is no schedule yet, so the solve stops there rather
    # than branch and bound from scratch (that would ignore the press and end with
    # advice to raise the time limit), and the greedy builds the schedule.
    from scheduling.solver import interruptible

    need = make_requirements({"phone": [1.0, 2.5, 3.0, 2.0, 1.5, 2.0, 1.0, 0.5] * 6})
    monkeypatch.setattr(rounding, "LARGE_NONZEROS", 1)
    whole = []
    monkeypatch.setattr(rounding, "_solve_whole", lambda *args: whole.append(args))
    with interruptible() as state:
        state.pending = True
        result = schedule_requirements(need, sites=[make_site()], options=make_options())
    assert state.interrupted and not state.pending
    assert not whole
    assert result.solve.status == "no_answer" and result.solve.stopped_by == "interrupted"
    assert any(line.startswith("solver: Ctrl-C stopped") for line in result.binding)
    assert len(result.schedule) > 0
