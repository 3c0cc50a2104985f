"""A running solve's progress (`scheduling.solver.solve_progress`) and its line on a terminal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_schedule_model import make_options, make_requirements, make_site

from scheduling import solver
from scheduling.shifts.planner import schedule_requirements
from scheduling.solver import SolveProgress, solve_progress
from wfm import render


def two_queues():
    rng = np.random.default_rng(1)
    return make_requirements(
        {"phone": list(rng.uniform(0, 6, 60)), "chat": list(rng.uniform(0, 4, 60))}
    )


def test_the_shift_programme_reports_its_best_and_bound_as_it_goes() -> None:
    seen: list[SolveProgress] = []
    with solve_progress(seen.append):
        result = schedule_requirements(
            two_queues(), sites=[make_site(queues=("phone", "chat"))], options=make_options()
        )
    found = [s for s in seen if s.best is not None]
    assert found, "no report carried a solution"
    # Each better solution is reported, objective's constant included: the last
    # is the answer, and no reported bound is above any reported solution.
    assert [s.best for s in found] == sorted((s.best for s in found), reverse=True)
    assert found[-1].best == pytest.approx(result.solve.objective)
    best = min(s.best for s in found)
    assert all(s.bound <= best + 1e-6 for s in seen if s.bound is not None)
    for s in found:
        if s.bound is not None:
            assert s.gap == pytest.approx((s.best - s.bound) / abs(s.best))


def test_only_watched_solves_report() -> None:
    # The assignment's programmes and the weekly bound are not the plan's cost.
    seen: list[SolveProgress] = []
    with solve_progress(seen.append):
        solver.solve_problem(
            _tiny_mip(), solver="highs", time_limit_seconds=10, gap=0.0, watch=False
        )
    assert seen == []


def test_without_a_block_nothing_is_reported() -> None:
    result = schedule_requirements(
        two_queues(), sites=[make_site(queues=("phone", "chat"))], options=make_options()
    )
    assert result.solve.status == "optimal"


def test_the_progress_line_in_words() -> None:
    assert render.solving(SolveProgress(None, None, None, 0, 0.1)) == "looking for a first schedule"
    assert render.solving(SolveProgress(30423.72, 24158.0, 0.2059, 12, 3.0)) == (
        "best 30,423.72, bound 24,158.00, gap 20.6%"
    )
    assert render.solving(SolveProgress(6734.6, None, None, 0, 0.0)) == "best 6,734.60"
    stage = "repair round 2 of at most 40, 1.5 agent-hours short"
    assert render.solving(SolveProgress(6734.6, None, None, 0, 0.0, stage)) == (
        "repair round 2 of at most 40, 1.5 agent-hours short: best 6,734.60"
    )


def _tiny_mip():
    import pulp

    problem = pulp.LpProblem("tiny", pulp.LpMinimize)
    x = problem.add_variable("x", 0, 10, cat=pulp.LpInteger)
    y = problem.add_variable("y", 0, 10, cat=pulp.LpInteger)
    problem += 3 * x + 2 * y
    problem += 2 * x + 3 * y >= 7
    return problem


def test_a_week_no_site_works_gets_its_own_progress_line(monkeypatch) -> None:
    from scheduling.shifts.weeks import WeekDone

    lines: list[str] = []
    monkeypatch.setattr(render, "info", lines.append)
    render.week_done(WeekDone(2, 3, 1234.5, 0.031, 40.2))
    render.week_done(WeekDone(3, 3, 1234.5, None, 41.0, planned=False))
    assert lines == [
        "week 2 of 3 scheduled: cost so far 1,234.50, solver gap 3.1%, 40 s",
        "week 3 of 3: no site starts a shift in it, so its requirement stays short; 41 s",
    ]


def test_the_whole_horizon_relaxation_gets_a_progress_line(monkeypatch) -> None:
    from scheduling.shifts.weeks import Relaxed

    lines: list[str] = []
    monkeypatch.setattr(render, "info", lines.append)
    render.week_done(Relaxed(True, 19.3, guides=True))
    render.week_done(Relaxed(True, 71.0))
    render.week_done(Relaxed(False, 0.4))
    assert lines[0].startswith("whole horizon relaxed: 19 s; it guides")
    assert lines[1].startswith("whole horizon relaxed: 71 s; it prices the bound (its weeks")
    assert lines[2].startswith("whole horizon not relaxed (too large")


def _summary_lines(monkeypatch, shortfall: float, binding: tuple = ()) -> list[str]:
    """The summary of a one-agent schedule whose programme also chose a chat shift
    10:00-12:00 no roster agent could take, with `shortfall` agents short in its
    11:00 chat interval (and 1 short at 13:00, outside it)."""
    from scheduling.shifts.planner import ScheduleResult
    from scheduling.solver import SolveResult

    hours = pd.date_range("2026-11-23 09:00Z", periods=5, freq="60min")
    short = [0.0, 0.0, shortfall, 0.0, 1.0]
    coverage = pd.DataFrame(
        {
            "interval_start": hours,
            "queue": "chat",
            "required": 2.0,
            "scheduled": [2.0 - s for s in short],
            "shortfall": short,
            "surplus": 0.0,
        }
    )
    schedule = pd.DataFrame(
        {
            "agent": ["A"],
            "site": ["S"],
            "start": [hours[0]],
            "end": [hours[-1]],
            "queue": ["chat"],
        }
    )
    unfilled = pd.DataFrame(
        {
            "site": ["S"],
            "start": [hours[1]],
            "end": [hours[3]],
            "queue": ["chat;email"],
            "count": [1],
        }
    )
    solved = SolveResult("optimal", 40.0, 40.0, 0.0, 0.1, "highs")
    result = ScheduleResult(
        schedule, coverage, unfilled, solved, list(binding), 40.0, {"S": 40.0}, 40.0
    )
    lines: list[str] = []
    monkeypatch.setattr(render, "info", lines.append)
    monkeypatch.setattr(render, "warn", lambda line: lines.append(f"warning: {line}"))
    render.schedule_summary(result)
    return [line for line in lines if "could not be given" in line]


def test_the_unfilled_line_names_max_agents_where_it_is_reached(monkeypatch) -> None:
    """Found by a new user's run: 'add agents at London' where max_agents 2 was what
    kept three able, idle London agents off the shifts."""
    (line,) = _summary_lines(monkeypatch, 0.5, ("site 'S': max_agents 2 reached on 2026-11-23",))
    assert "still short in the final schedule: raise max_agents at S (reached), or relax" in line
    assert "add agents" not in line


def test_the_unfilled_line_says_how_much_of_their_hours_is_still_short(monkeypatch) -> None:
    assert _summary_lines(monkeypatch, 0.5) == [
        "warning: 1 shifts the shift programme chose could not be given to a roster agent; "
        "0.5 agent-hours of their hours and queues are still short in the final schedule: "
        "add agents at S who can work those hours, or relax the rules that keep the agents there "
        "off them (rest, days, unavailable days, skills)"
    ]
    assert _summary_lines(monkeypatch, 0.0) == [
        "1 shifts the shift programme chose could not be given to a roster agent; other "
        "shifts cover their hours and queues in the final schedule"
    ]
