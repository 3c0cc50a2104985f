"""Refining the shift programme's answer window by window (`scheduling.shifts.refine`)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pulp
import pytest
from test_schedule_model import make_options, make_requirements, make_site

from scheduling.shifts import planner
from scheduling.shifts.model import build_model, solve
from scheduling.shifts.refine import STRIDE, WIDTH, refined, window_variables
from scheduling.shifts.templates import generate_shifts
from scheduling.solver import SolveProgress, SolveResult, solve_progress
from wfm import render

pytest.importorskip("highspy")


def built(days: int, **option_overrides):
    """A round-the-clock site over `days` days, 6 and 8-hour shifts every 2 hours."""
    rng = np.random.default_rng(days)
    demand = {"phone": list(rng.integers(0, 5, size=24 * days).astype(float))}
    requirements = make_requirements(demand, first_hour=0)
    site = make_site(
        open_minutes=0, close_minutes=1440, shift_hours=(6.0, 8.0), start_step_minutes=120
    )
    options = make_options(break_minutes=30, **option_overrides)
    grid = requirements["interval_start"]
    shifts = generate_shifts([site], start=grid.min(), end=grid.max() + pd.Timedelta(hours=1))
    return build_model(requirements, shifts, sites=[site], options=options)


def forced(model, agents: int) -> SolveResult:
    """The solver's answer with `agents` forced onto the dearest shift the optimum
    leaves unused (the model solved to optimality first), as a node-limit stop."""
    solve(model, time_limit_seconds=20, gap=0.0)
    unused = [var for var in model.x.values() if round(var.varValue) == 0]
    var = max(unused, key=lambda v: (model.problem.objective.get(v, 0), v.name))
    var.lowBound = agents
    worse = solve(model, time_limit_seconds=20, gap=0.0)
    var.lowBound = 0
    return dataclasses.replace(worse, status="node_limit")


def test_each_window_frees_the_shifts_starting_in_it() -> None:
    model = built(3)
    starts = dict(zip(model.shifts["shift_id"], model.shifts["start"], strict=True))
    owner = {var.name: shift_id for (shift_id, _), var in model.x.items()}
    owner |= {var.name: key[0] for key, var in model.breaks.items()}
    assert model.breaks  # the 30-minute break is placed by the programme
    first = min(starts.values())
    parts = window_variables(model)
    freed_in = {s: 0 for s in starts}
    for k, fixed in enumerate(parts):
        begin = first - (WIDTH - STRIDE) + k * STRIDE
        held = {owner[var.name] for var in fixed}
        inside = {s for s, t in starts.items() if begin <= t < begin + WIDTH}
        assert held == set(starts) - inside
        for s in inside:
            freed_in[s] += 1
    # the windows overlap: every shift is free in one or two of them
    assert set(freed_in.values()) <= {1, 2} and min(freed_in.values()) == 1


def test_a_worse_answer_is_refined_down_to_the_optimum_in_one_window() -> None:
    model = built(1)
    optimum = solve(model, time_limit_seconds=20, gap=0.0).objective
    worse = forced(model, 2)
    assert worse.objective > optimum + 1
    stopped = dataclasses.replace(worse, bound=optimum - 10)
    better = refined(model, stopped)
    assert window_variables(model)[0] == []  # a day: the first window holds every shift
    assert better.objective == pytest.approx(optimum)
    assert better.refined_from == pytest.approx(worse.objective)
    assert better.bound == stopped.bound
    assert better.gap == pytest.approx((optimum - stopped.bound) / optimum)
    assert better.seconds >= stopped.seconds


def test_over_several_days_the_objective_only_falls() -> None:
    model = built(4)
    worse = forced(model, 3)
    better = refined(model, worse)
    assert better.objective < worse.objective
    assert better.objective == pytest.approx(pulp.value(model.problem.objective))


def test_each_window_is_reported_with_the_best_so_far() -> None:
    model = built(3)
    worse = forced(model, 3)
    states: list[SolveProgress] = []
    with solve_progress(states.append):
        better = refined(model, worse)
    assert [s.stage for s in states] == [
        f"refining the shift programme, window {k} of at most {len(states)}"
        for k in range(1, len(states) + 1)
    ]
    best = [s.best for s in states]
    assert best == sorted(best, reverse=True) and best[-1] == pytest.approx(better.objective)
    assert all(s.bound == worse.bound for s in states)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"status": "optimal"}, "the solve is within its gap"),
        ({"solver": "cbc"}, "CBC solved it"),
    ],
)
def test_nothing_is_refined(change, why) -> None:
    model = built(1)
    result = dataclasses.replace(solve(model, time_limit_seconds=20, gap=0.0), **change)
    assert refined(model, result) is result, why


def test_after_ctrl_c_the_answer_is_left_as_it_is(monkeypatch) -> None:
    from scheduling.shifts import refine

    model = built(3)
    worse = forced(model, 3)
    judged = []
    monkeypatch.setattr(refine, "stop_asked", lambda: True)
    assert refined(model, worse, judge=lambda: judged.append(1) or 0.0) is worse
    assert judged == []  # not even the first assignment to judge by


def test_no_passes_no_refining() -> None:
    model = built(1, programme_passes=0)
    result = dataclasses.replace(solve(model, time_limit_seconds=20, gap=0.0), status="node_limit")
    assert refined(model, result) is result


def planned(monkeypatch, roster, limit=200, cyclic=True, judging=False):
    """The judges `schedule_requirements` hands `refined` (None: no judge), per
    call, and its result; `judging`: the spy judges the answer once."""
    calls = []

    def spy(model, result, judge=None):
        calls.append(judge)
        if judging and judge is not None:
            judge()
        return result

    monkeypatch.setattr(planner, "refined", spy)
    monkeypatch.setattr(planner, "JUDGED_REFINE_AGENTS", limit)
    requirements = make_requirements({"phone": [1.0, 2.0, 2.0, 1.0]}, hours=7 * 24)
    result = planner.schedule_requirements(
        requirements, sites=[make_site()], options=make_options(cyclic=cyclic), roster=roster
    )
    return calls, result


ROSTER = pd.DataFrame({"agent": ["A", "B"], "site": ["Test", "Test"], "queue": ["phone", "phone"]})


@pytest.mark.parametrize("cyclic", [True, False])
def test_the_planner_refines_anonymous_answers_as_they_are(monkeypatch, cyclic) -> None:
    assert planned(monkeypatch, None, cyclic=cyclic)[0] == [None]


def test_with_a_roster_a_week_that_does_not_repeat_is_judged_too(monkeypatch) -> None:
    """The weeks of a longer plan are not cyclic: each answer is judged by its
    assignment there as in a repeating week."""
    (judge,), result = planned(monkeypatch, ROSTER, cyclic=False)
    assert judge is not None and judge() == pytest.approx(result.objective)


def test_with_a_roster_each_answer_is_judged_by_its_assignment(monkeypatch) -> None:
    (judge,), result = planned(monkeypatch, ROSTER)
    # nothing is short, so the plan is the assignment of the programme's answer
    assert result.coverage["shortfall"].sum() == 0
    assert judge() == pytest.approx(result.objective)


def test_the_answer_the_judge_assigned_is_not_assigned_again(monkeypatch) -> None:
    made = []
    real = planner.assign_agents
    monkeypatch.setattr(planner, "assign_agents", lambda *a, **k: made.append(1) or real(*a, **k))
    (judge,), result = planned(monkeypatch, ROSTER, judging=True)
    assert len(made) == 1  # the judge's; the planner's own is the same answer
    assert judge() == pytest.approx(result.objective) and len(made) == 1


def test_each_answer_of_the_programme_is_assigned_once() -> None:
    model = built(1)
    solve(model, time_limit_seconds=20, gap=0.0)
    made = []
    assign = planner._remembered(model, lambda: made.append(1) or (pd.DataFrame(), None))
    assert assign() is assign()
    var = next(v for v in model.x.values() if round(v.varValue) == 0)
    var.varValue = 1.0  # another answer
    other = assign()
    var.varValue = 0.0
    assert len(made) == 2 and assign() is not other


def test_past_the_agents_limit_nothing_is_refined(monkeypatch) -> None:
    assert planned(monkeypatch, ROSTER, limit=1)[0] == []


def test_a_judge_that_turns_every_answer_down_keeps_the_first() -> None:
    model = built(3)
    worse = forced(model, 3)
    seen = []

    def judge() -> float:
        seen.append(pulp.value(model.problem.objective))
        return 1.0 if len(seen) == 1 else 2.0  # the first answer is the best plan

    assert refined(model, worse, judge=judge) is worse
    assert len(seen) > 1 and all(value < worse.objective for value in seen[1:])
    assert pulp.value(model.problem.objective) == pytest.approx(worse.objective)


def test_the_solver_line_says_what_the_refining_did(monkeypatch) -> None:
    lines: list[str] = []
    monkeypatch.setattr(render, "info", lines.append)
    solved = SolveResult("node_limit", 90.0, 80.0, 0.111, 2.0, "highs", refined_from=100.0)
    render._solve_line(solved)
    assert lines == [
        "solver highs: node_limit, objective 90.00 (100.00 before refining it window by "
        "window), bound 80.00, gap 11.10%, 2.0 s"
    ]


@pytest.mark.parametrize(
    ("node_limit", "remedy"),
    [
        (None, "set scheduling.node_limit"),
        (20, "raise time_limit_seconds so that node_limit 20 ends it"),
    ],
)
def test_a_time_limit_stop_says_how_to_get_a_repeatable_schedule(node_limit, remedy) -> None:
    model = built(1, node_limit=node_limit)
    result = dataclasses.replace(solve(model, time_limit_seconds=20, gap=0.0), status="time_limit")
    unfilled = pd.DataFrame(columns=["site", "start", "end", "queue", "count"])
    lines = planner._binding(model, result, unfilled, {}, False, pd.DataFrame())
    (line,) = [line for line in lines if "time_limit_seconds" in line]
    assert f"({remedy} for a repeatable schedule)" in line
