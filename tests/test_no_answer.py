"""A shift programme that finds no answer in its time still gives a schedule: one
built by greedy rounds (`topup.greedy_schedule`), which also replaces a
time-limited answer whose schedule it beats."""

from __future__ import annotations

import dataclasses
import random

import pandas as pd
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_assign import rule_breaks
from test_repair import DAYS3, MIXED, MIXED_SHIFTS, larger_cases
from test_schedule_model import MONDAY, make_options, make_requirements, make_site

from scheduling.errors import InfeasibleError, NoAnswerError
from scheduling.shifts import planner
from scheduling.shifts.assign import assign_agents, empty_assignment
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.repair import _objective
from scheduling.shifts.roster import roster_agents
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.topup import extra_shifts, greedy_schedule
from scheduling.solver import (
    Interrupted,
    SolveResult,
    interruptible,
    mark_interrupted,
    solve_problem,
)

pytest.importorskip("highspy")

NOT_SOLVED = (
    "scheduling: the highs solver stopped without a solution (Not Solved); "
    "raise scheduling.time_limit_seconds (now 20)"
)


def no_answer(*args: object, **kwargs: object) -> SolveResult:
    raise NoAnswerError(NOT_SOLVED)


def measured(schedule: pd.DataFrame, need: pd.DataFrame, sites, options) -> float:
    return _objective(schedule, coverage_frame(need, schedule, options=options), sites, options)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_cases(), st.booleans())
def test_greedy_rounds_keep_every_rule_and_never_raise_the_objective(case, from_empty) -> None:
    options, staff, picks, need = case
    if from_empty:
        schedule = empty_assignment(options)[0]
    else:
        chosen = pd.DataFrame(picks, columns=["shift_id", "queue"]).assign(count=1)
        schedule, _ = assign_agents(
            chosen, MIXED_SHIFTS, roster=staff, sites=[MIXED], options=options, horizon=DAYS3
        )
    agents = roster_agents(staff, sites=[MIXED], options=options)
    out = greedy_at(MIXED, schedule, need, agents, options, DAYS3)  # MIXED_SHIFTS
    assert rule_breaks(out, None, MIXED_SHIFTS, staff, [MIXED], options, DAYS3) == []
    before = measured(schedule, need, [MIXED], options)
    assert measured(out, need, [MIXED], options) <= before + 1e-9
    assert len(out) >= len(schedule)
    assert list(out.columns) == list(schedule.columns)


def office_hours(agents: float, days: int = 3) -> pd.DataFrame:
    """`agents` wanted 08:00-16:00 (the test site's hours) on `days` days from Monday."""
    day = [0.0] * 8 + [agents] * 8 + [0.0] * 8
    return make_requirements({"phone": day * days}, first_hour=0)


def roster(n: int) -> pd.DataFrame:
    names = [f"A{k}" for k in range(n)]
    return pd.DataFrame({"agent": names, "site": ["Test"] * n, "queue": ["phone"] * n})


def test_no_answer_in_time_gives_a_greedy_schedule_within_the_rules(monkeypatch) -> None:
    monkeypatch.setattr(planner, "solve", no_answer)
    need = office_hours(3.0)
    options = make_options(shortfall_penalty=1000.0, max_days_per_week=4)
    site = make_site(max_agents=3)
    result = planner.schedule_requirements(need, sites=[site], options=options, roster=roster(5))
    schedule = result.schedule
    assert result.solve.status == "no_answer" and result.solve.bound is None
    assert result.solve.objective == pytest.approx(result.objective)
    note = next(line for line in result.binding if "greedily" in line)
    assert note.startswith("solver: the highs solver stopped without a solution (Not Solved)")
    assert "The schedule was built without it, greedily" in note
    assert result.unfilled.empty
    assert 0 < schedule["agent"].nunique() <= 3  # max_agents holds
    shifts = generate_shifts([site], start=MONDAY, end=MONDAY + pd.Timedelta(days=7))
    horizon = (need["interval_start"].min(), need["interval_start"].max() + pd.Timedelta(hours=1))
    assert rule_breaks(schedule, None, shifts, roster(5), [site], options, horizon) == []
    # Three agents for 24 hours is 72 agent-hours; three agents on the three days
    # with shifts of at most 6 hours give 54 at most: the optimum.
    assert result.coverage["shortfall"].sum() == pytest.approx(72 - 3 * 3 * 6)


def test_no_answer_at_an_anonymous_site_adds_agents_until_the_need_is_met(monkeypatch) -> None:
    monkeypatch.setattr(planner, "solve", no_answer)
    need = office_hours(12.0)  # far more than the 10 spare anonymous agents cover
    options = make_options(shortfall_penalty=1000.0)
    result = planner.schedule_requirements(need, sites=[make_site()], options=options)
    assert result.coverage["shortfall"].sum() == pytest.approx(0.0)
    assert result.schedule["agent"].nunique() > planner.SPARE_ANONYMOUS
    shifts = generate_shifts([make_site()], start=MONDAY, end=MONDAY + pd.Timedelta(days=7))
    horizon = (need["interval_start"].min(), need["interval_start"].max() + pd.Timedelta(hours=1))
    assert rule_breaks(result.schedule, None, shifts, None, [make_site()], options, horizon) == []


def test_a_time_limited_answer_gives_way_to_a_better_greedy_schedule() -> None:
    result = SolveResult("time_limit", 900.0, 100.0, 0.89, 1.0, "highs", stopped_by="time_limit")
    ours = pd.DataFrame({"agent": ["A0", "A1"]})
    greedy = pd.DataFrame({"agent": ["A2"]})
    unfilled = pd.DataFrame({"site": ["Test"], "count": [2]})

    def judge(schedule: pd.DataFrame) -> float:
        return {"A0": 500.0, "A2": 300.0}[schedule["agent"].iloc[0]]

    kept, schedule, left, note = planner._or_greedy(result, ours, unfilled, lambda: greedy, judge)
    assert schedule is greedy and left.empty
    assert kept is result  # its bound holds for any schedule
    assert "500.00; one built greedily" in note and "300.00" in note
    tie = planner._or_greedy(result, ours, unfilled, lambda: greedy, lambda s: 500.0)
    assert tie == (result, ours, unfilled, None)  # the programme's is kept


def market_split(n: int = 40, rows: int = 5) -> pulp.LpProblem:
    """Cornuejols and Dahl's market split: equalities few solvers settle in seconds."""
    rng = random.Random(1)
    problem = pulp.LpProblem("split", pulp.LpMinimize)
    x = [problem.add_variable(f"x{i}", cat=pulp.LpBinary) for i in range(n)]
    problem += pulp.lpSum(x)
    for _ in range(rows):
        a = [rng.randint(0, 99) for _ in range(n)]
        problem += pulp.lpSum(c * v for c, v in zip(a, x, strict=True)) == sum(a) // 2
    return problem


def test_a_solve_stopped_before_any_solution_is_no_answer_not_infeasible() -> None:
    with pytest.raises(NoAnswerError, match=r"raise scheduling\.time_limit_seconds") as raised:
        solve_problem(market_split(), solver="highs", time_limit_seconds=0.5, gap=0.0)
    assert raised.value.stopped_by == "time_limit"
    problem = pulp.LpProblem("none", pulp.LpMinimize)
    y = problem.add_variable("y", lowBound=0, upBound=1, cat=pulp.LpInteger)
    problem += y
    problem += y >= 2
    with pytest.raises(InfeasibleError, match="no solution meets the hard limits") as raised:
        solve_problem(problem, solver="highs", time_limit_seconds=5, gap=0.0)
    assert not isinstance(raised.value, NoAnswerError)


def test_a_node_limit_before_any_solution_says_to_raise_the_node_limit(monkeypatch) -> None:
    with pytest.raises(
        NoAnswerError, match=r"after node_limit 1 .*raise scheduling\.node_limit"
    ) as raised:
        solve_problem(market_split(), solver="highs", time_limit_seconds=60, gap=0.0, node_limit=1)
    assert raised.value.stopped_by == "node_limit"

    def node_limited(*_args, **_kwargs):
        raise NoAnswerError("scheduling: stopped after node_limit 1", stopped_by="node_limit")

    monkeypatch.setattr(planner, "solve", node_limited)
    result = planner.schedule_requirements(
        office_hours(1.0), sites=[make_site(max_agents=3)], options=make_options(), roster=roster(3)
    )
    assert (result.solve.status, result.solve.stopped_by) == ("no_answer", "node_limit")


def test_a_week_of_a_longer_plan_with_no_answer_is_still_scheduled(monkeypatch) -> None:
    """Weeks go one by one: a week whose programme finds nothing gets the greedy's
    schedule and the next week goes on."""
    from scheduling.shifts import weeks

    real = planner.solve
    calls = []

    def second_week_has_none(model, **settings):
        calls.append(1)
        if len(calls) == 2:
            raise NoAnswerError(NOT_SOLVED)
        return real(model, **settings)

    monkeypatch.setattr(planner, "solve", second_week_has_none)
    need = office_hours(2.0, days=14)
    options = dataclasses.replace(make_options(shortfall_penalty=1000.0), time_limit_seconds=20)
    result = weeks.schedule_horizon(need, sites=[make_site()], options=options, roster=roster(6))
    assert len(calls) >= 2
    second = result.schedule["start"] >= MONDAY + pd.Timedelta(days=7)
    assert second.any() and (~second).any()
    # the greedy is no optimum: here it leaves Monday 14-16 of week 2 one short,
    # the agents free that day having taken their five days elsewhere
    coverage = result.coverage
    assert coverage["shortfall"].sum() <= 0.05 * coverage["required"].sum()
    assert any("greedily" in line for line in result.binding)


def ctrl_c(*args: object, **kwargs: object) -> SolveResult:
    mark_interrupted()  # as solve_problem does with a pending press before raising
    raise Interrupted


def interrupted_run(monkeypatch, agents: float, presses: int):
    """The schedule of `office_hours(agents)` whose programme Ctrl-C stopped before
    any answer, after `presses` presses."""
    monkeypatch.setattr(planner, "solve", ctrl_c)
    with interruptible() as state:
        state.pending, state.presses = True, presses
        need = office_hours(agents)
        return planner.schedule_requirements(need, sites=[make_site()], options=make_options())


def test_ctrl_c_before_any_answer_gives_the_greedy_schedule(monkeypatch) -> None:
    result = interrupted_run(monkeypatch, 2.0, presses=1)
    assert result.solve.status == "no_answer" and result.solve.stopped_by == "interrupted"
    assert any(line.startswith("solver: Ctrl-C stopped the shift") for line in result.binding)
    assert result.coverage["shortfall"].sum() == pytest.approx(0.0)


def test_a_second_ctrl_c_ends_the_greedy_after_its_round(monkeypatch) -> None:
    result = interrupted_run(monkeypatch, 3.0, presses=2)
    # one round: one shift per (anonymous) agent and week
    assert 0 < len(result.schedule) == result.schedule["agent"].nunique()
    assert result.coverage["shortfall"].sum() > 0


def test_a_keyboard_interrupt_no_solve_acted_on_is_raised(monkeypatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> SolveResult:
        raise KeyboardInterrupt

    monkeypatch.setattr(planner, "solve", interrupted)
    with pytest.raises(KeyboardInterrupt):
        planner.schedule_requirements(
            office_hours(2.0), sites=[make_site()], options=make_options()
        )


def greedy_at(site, schedule, need, staff, options, horizon, due=(), shifts=None) -> pd.DataFrame:
    """`greedy_schedule` at one site, `shifts` (default: its candidate shifts over
    `horizon`), `staff` offered every round."""
    if shifts is None:
        shifts = generate_shifts([site], start=horizon[0], end=horizon[1])
    return greedy_schedule(
        schedule,
        need,
        shifts,
        agents=lambda _: staff,
        sites=[site],
        options=options,
        horizon=horizon,
        weekend_due=due,
    )


@pytest.mark.parametrize(("due", "taker"), [((), "A0"), (("A0",), "A1")])
def test_the_greedy_gives_a_weekend_shift_to_an_agent_not_owed_one_off(due, taker) -> None:
    """As in the assignment and the repair, a weekend shift costs an agent owed a
    weekend off a little more, so an agent not owed one takes it first."""
    options = make_options(shortfall_penalty=1000.0)
    site = make_site()
    week = (MONDAY, MONDAY + pd.Timedelta(days=7))
    saturday = [0.0] * 24 * 5 + [0.0] * 8 + [1.0] * 4 + [0.0] * 12 + [0.0] * 24  # 08-12
    need = make_requirements({"phone": saturday}, first_hour=0)
    staff = roster_agents(roster(2), sites=[site], options=options)
    out = greedy_at(site, empty_assignment(options)[0], need, staff, options, week, due)
    assert set(out["agent"]) == {taker}
    assert coverage_frame(need, out, options=options)["shortfall"].sum() == pytest.approx(0.0)


def test_a_capped_site_built_from_nothing_gives_its_places_to_agents_who_serve_the_need(
    monkeypatch,
) -> None:
    """A review found: with max_agents 3 and the first three roster agents serving
    email only, phone demand stayed wholly short (the cap was filled in roster
    order before anyone took a shift)."""
    monkeypatch.setattr(planner, "solve", no_answer)
    staff = pd.DataFrame(
        {
            "agent": [f"A{k}" for k in range(5)],
            "site": ["Test"] * 5,
            "skills": ["email"] * 3 + ["phone"] * 2,
        }
    )
    site = make_site(max_agents=3, queues=("phone", "email"))
    options = make_options(shortfall_penalty=1000.0)
    result = planner.schedule_requirements(
        office_hours(1.0), sites=[site], options=options, roster=staff
    )
    assert set(result.schedule["agent"]) <= {"A3", "A4"}
    assert result.coverage["shortfall"].sum() == pytest.approx(0.0)


def saturday_and_monday_after_a_full_week():
    """(options, site, horizon, need, schedule, staff): A0 works Monday to Friday
    08-12 of two weeks' first; one agent is needed 08-12 on Saturday and on the
    next Monday, and with two days off in a row A0 may take only one of them."""
    options = make_options(
        shortfall_penalty=1000.0, consecutive_days_off=2, max_days_per_week=6, min_rest_hours=0
    )
    site = make_site()
    horizon = (MONDAY, MONDAY + pd.Timedelta(days=14))
    day = [0.0] * 8 + [1.0] * 4 + [0.0] * 12  # 08-12
    quiet = [0.0] * 24
    need = make_requirements({"phone": quiet * 5 + day + quiet + day + quiet * 6}, first_hour=0)
    held = [
        {
            "agent": "A0",
            "site": "Test",
            "start": MONDAY + pd.Timedelta(days=d, hours=8),
            "end": MONDAY + pd.Timedelta(days=d, hours=12),
            "timezone": "UTC",
            "break_start": pd.NaT,
            "break_end": pd.NaT,
            "queue": "phone",
        }
        for d in range(5)
    ]
    schedule = pd.DataFrame(held, columns=list(empty_assignment(options)[0].columns))
    for column in ("start", "end", "break_start", "break_end"):
        schedule[column] = pd.to_datetime(schedule[column], utc=True)
    staff = roster_agents(roster(1), sites=[site], options=options)
    return options, site, horizon, need, schedule, staff


def test_one_round_keeps_a_run_of_days_off_that_spans_two_weeks() -> None:
    """A review found: shifts of one round in two weeks were checked against the
    agent's held shifts only, so Saturday (week 1) and Monday (week 2) together
    took the last two days off in a row that week 1 had left."""
    options, site, horizon, need, schedule, staff = saturday_and_monday_after_a_full_week()
    out = greedy_at(site, schedule, need, staff, options, horizon)
    assert len(out) == 6  # one of Saturday and the next Monday, not both
    assert rule_breaks(out, None, None, roster(1), [site], options, horizon) == []


def test_the_topup_programme_keeps_a_run_of_days_off_that_spans_two_weeks() -> None:
    options, site, horizon, need, schedule, staff = saturday_and_monday_after_a_full_week()
    extra = extra_shifts(
        schedule,
        coverage_frame(need, schedule, options=options),
        generate_shifts([site], start=horizon[0], end=horizon[1]),
        agents=staff,
        sites=[site],
        options=options,
        horizon=horizon,
    )
    assert len(extra) == 1
    out = pd.concat([schedule, extra], ignore_index=True)
    assert rule_breaks(out, None, None, roster(1), [site], options, horizon) == []


def test_a_held_shift_counts_its_paid_hours_not_its_span() -> None:
    """Shifts of 9 hours with 8 paid: an agent of 16 hours a week holding Monday's
    may still take Tuesday's (8 + 8 paid), as the assignment counts them; start to
    end (9 + 8) would have refused it."""
    options = make_options(shortfall_penalty=1000.0)
    site = make_site(shift_hours=(8.0,))
    week = (MONDAY, MONDAY + pd.Timedelta(days=7))
    shifts = generate_shifts([site], start=week[0], end=week[1])
    shifts["end"] = shifts["end"] + pd.Timedelta(hours=1)  # an unpaid hour
    monday = shifts[shifts["start"] == MONDAY + pd.Timedelta(hours=8)].iloc[0]
    schedule = empty_assignment(options)[0]
    held = {column: None for column in schedule.columns}
    held.update(agent="A0", site="Test", start=monday["start"], end=monday["end"], queue="phone")
    schedule = pd.DataFrame([held], columns=schedule.columns)
    tuesday = [0.0] * 24 + [0.0] * 8 + [1.0] * 8 + [0.0] * 8
    need = make_requirements({"phone": tuesday}, first_hour=0)
    staff = roster(1).assign(contracted_hours=16)
    agents = roster_agents(staff, sites=[site], options=options)
    out = greedy_at(site, schedule, need, agents, options, week, shifts=shifts)
    assert len(out) == 2 and set(out["agent"]) == {"A0"}
    assert coverage_frame(need, out, options=options)["shortfall"].sum() == pytest.approx(0.0)
