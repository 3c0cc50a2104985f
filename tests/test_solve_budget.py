"""One time budget for all of a run's solves (`scheduling.solver.solve_budget`).

Limits are read where they reach the solver, and solve times as the solver
reports them, never from the wall clock of the test.
"""

from __future__ import annotations

import conftest
import pandas as pd
import pulp
import pytest

import scheduling.shifts.assign as assign_module
from scheduling import solver
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import schedule_requirements

MONDAY = pd.Timestamp("2026-11-23 00:00Z")


@pytest.fixture
def solves(monkeypatch):
    """Every solve's (time limit handed to the solver, seconds it reported)."""
    seen: list[list[float]] = []
    backend, run = solver._backend, solver._run

    def spy_backend(name, **kwargs):
        seen.append([kwargs["time_limit_seconds"], float("nan")])
        return backend(name, **kwargs)

    def spy_run(problem, chosen, name):
        seconds = run(problem, chosen, name)
        seen[-1][1] = seconds
        return seconds

    monkeypatch.setattr(solver, "_backend", spy_backend)
    monkeypatch.setattr(solver, "_run", spy_run)
    return seen


@pytest.fixture
def clock(monkeypatch):
    """The budget's clock, at 0 until a test moves it (seconds)."""
    now = [0.0]
    monkeypatch.setattr(solver, "_clock", lambda: now[0])
    return now


def tiny() -> pulp.LpProblem:
    problem = pulp.LpProblem("tiny", pulp.LpMinimize)
    x = problem.add_variable("x", lowBound=0, upBound=3, cat="Integer")
    problem += x
    problem += x >= 1
    return problem


def solve_tiny() -> None:
    solver.solve_problem(tiny(), solver="highs", time_limit_seconds=60, gap=0.0)


def test_each_solve_gets_what_is_left_of_the_budget_and_a_floor_past_it(solves, clock):
    solve_tiny()  # outside any budget: its own limit
    with solver.solve_budget(10):
        solve_tiny()
        clock[0] = 7.0
        solve_tiny()
        clock[0] = 12.0
        solve_tiny()  # spent: the floor, max(1 s, 5% of 10 s)
    with solver.solve_budget(100):
        clock[0] = 50.0
        solve_tiny()  # 62 s left, but its own limit is 60
    assert [limit for limit, _ in solves] == [60, 10, 3, 1, 60]


def test_an_inner_budget_never_outlasts_the_outer_one(solves, clock):
    with solver.solve_budget(10):
        clock[0] = 4.0
        with solver.solve_budget(30):
            solve_tiny()
        solve_tiny()
    with solver.solve_budget(200):
        clock[0] = 300.0
        solve_tiny()  # spent: 5% of 200 s
    assert [limit for limit, _ in solves] == [6, 6, 10]


def site():
    fields = {"open_minutes": 0, "close_minutes": 1440, "max_agents": 12, "cost_per_hour": 10.0}
    return conftest.make_site(**fields)


def options(time_limit_seconds: float) -> ScheduleOptions:
    return ScheduleOptions(
        break_minutes=0,
        cyclic=True,
        min_rest_hours=11,
        time_limit_seconds=time_limit_seconds,
        gap=0.01,
        node_limit=50,
    )


def week(agents: float = 2.0) -> pd.DataFrame:
    times = pd.date_range(MONDAY, periods=24 * 7, freq="60min")
    frame = pd.DataFrame({"interval_start": times, "queue": "phone", "agents_scheduled": agents})
    frame.loc[frame.index % 24 == 10, "agents_scheduled"] = 5.0  # a peak the 12 cannot all meet
    return frame


def roster(n: int) -> pd.DataFrame:
    return pd.DataFrame({"agent": [f"a{k:02d}" for k in range(n)], "site": "Test"})


def test_a_schedule_run_shares_one_time_limit_across_all_its_solves(solves, monkeypatch):
    budget = 20.0
    # The assignment by weeks runs highspy itself, with what is left of the budget.
    lefts: list[float] = []
    real = assign_module.time_left
    monkeypatch.setattr(assign_module, "time_left", lambda s: lefts.append(real(s)) or lefts[-1])
    result = schedule_requirements(
        week(), sites=[site()], options=options(budget), roster=roster(12)
    )
    assert not result.schedule.empty
    assert solves, solves  # the shift programme at least
    assert lefts and all(left <= budget for left in lefts), lefts
    floor = max(solver.MIN_SOLVE_SECONDS, solver.MIN_SOLVE_SHARE * budget)
    spent = 0.0
    for limit, seconds in solves:
        assert limit <= max(budget - spent, floor) + 1e-9, solves
        spent += seconds
    assert all(limit < budget for limit, _ in solves[1:]), solves


def test_a_spent_budget_still_leaves_each_later_solve_its_floor(solves, monkeypatch):
    shift = [0.0]
    monkeypatch.setattr(solver, "_clock", lambda: shift[0])
    backend = solver._backend

    def spend_all(name, **kwargs):
        chosen = backend(name, **kwargs)
        shift[0] = 1e6  # the first solve (the shift programme) used the whole budget
        return chosen

    monkeypatch.setattr(solver, "_backend", spend_all)
    result = schedule_requirements(week(), sites=[site()], options=options(40), roster=roster(12))
    assert not result.schedule.empty
    assert set(result.schedule["agent"]) <= set(roster(12)["agent"])


@pytest.mark.parametrize(
    ("step", "wording"),
    [
        ("assign_agents", "time_limit_seconds 40"),  # the agents' assignment
        ("_refined", "while its answer was refined"),  # refining the programme's answer
    ],
)
def test_a_budget_spent_after_the_programme_is_reported(clock, monkeypatch, step, wording):
    import scheduling.shifts.planner as planner_module

    real = getattr(planner_module, step)

    def slow(*args, **kwargs):
        clock[0] = 1e6  # this step used up the run's time
        return real(*args, **kwargs)

    monkeypatch.setattr(planner_module, step, slow)
    result = schedule_requirements(week(), sites=[site()], options=options(40), roster=roster(12))
    assert not result.schedule.empty
    said = [line for line in result.binding if "ran out after the shift programme" in line]
    assert len(said) == 1 and wording in said[0]
    monkeypatch.setattr(planner_module, step, real)
    clock[0] = 0.0
    again = schedule_requirements(week(), sites=[site()], options=options(40), roster=roster(12))
    assert not [line for line in again.binding if "ran out" in line]


def test_unproven_weeks_are_kept_once_the_budget_is_spent(clock, monkeypatch):
    import scheduling.shifts.weekly as weekly_module

    def unproven(slots, staff, rules, **kwargs):
        clock[0] = 1e6  # the weeks used up the run's time and placed nothing
        return weekly_module.WeeklyAssignment(taken=[], value=0.0, bound=1e9, proven=False)

    calls: list = []
    real = assign_module.solve_problem
    monkeypatch.setattr(weekly_module, "assign_weeks", unproven)
    monkeypatch.setattr(
        assign_module, "solve_problem", lambda p, **k: calls.append(1) or real(p, **k)
    )
    result = schedule_requirements(week(), sites=[site()], options=options(40), roster=roster(12))
    assert calls == []  # no agent-by-slot programme on a floor of time
    assert int(result.unfilled["count"].sum()) > 0
    assert any("ran out after the shift programme" in line for line in result.binding)
