"""Multi-week horizons: week by week, rest across weeks, a valid bound, extra shifts."""

from __future__ import annotations

import itertools
import time

import conftest
import pandas as pd
import pytest

from scheduling.columns import AGENT, END, START
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import roster_agents
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.topup import extra_shifts
from scheduling.shifts.weeks import Relaxed, schedule_horizon, week_spans

MONDAY = pd.Timestamp("2026-11-23 00:00Z")
REST = 11


def site(**overrides: object):
    fields = {"open_minutes": 0, "close_minutes": 1440, "max_agents": 14, "cost_per_hour": 10.0}
    return conftest.make_site(**{**fields, **overrides})


def options(**overrides: object) -> ScheduleOptions:
    fields: dict[str, object] = {
        "break_minutes": 0,
        "cyclic": True,  # asked for, but a multi-week horizon is solved week by week
        "min_rest_hours": REST,
        "time_limit_seconds": 30,
        "gap": 0.01,
        "node_limit": 50,
    }
    return ScheduleOptions(**{**fields, **overrides})  # type: ignore[arg-type]


def requirements(days: int, agents: float = 2.0) -> pd.DataFrame:
    times = pd.date_range(MONDAY, periods=24 * days, freq="60min")
    return pd.DataFrame({"interval_start": times, "queue": "phone", "agents_scheduled": agents})


def roster(n: int) -> pd.DataFrame:
    return pd.DataFrame({"agent": [f"a{k:02d}" for k in range(n)], "site": "Test"})


def assert_rest_and_days(schedule: pd.DataFrame) -> None:
    """Per agent: rest between every pair of shifts, <= 5 shifts in each 7-day block."""
    for _, shifts in schedule.groupby(AGENT):
        shifts = shifts.sort_values(START)
        gaps = shifts[START].iloc[1:].to_numpy() - shifts[END].iloc[:-1].to_numpy()
        assert (gaps >= pd.Timedelta(hours=REST).to_timedelta64()).all()
        weeks = ((shifts[START] - MONDAY) // pd.Timedelta(days=7)).value_counts()
        assert weeks.max() <= 5


def test_week_spans_split_a_horizon_into_seven_day_blocks_and_a_tail():
    spans = week_spans((MONDAY, MONDAY + pd.Timedelta(days=10)))
    assert [(b - a) / pd.Timedelta(days=1) for a, b in spans] == [7, 3]
    assert spans[0][1] == spans[1][0]


@pytest.mark.parametrize("named", [False, True])
def test_a_ten_day_horizon_is_solved_week_by_week_with_rest_across_weeks(named):
    seen = []
    result = schedule_horizon(
        requirements(10),
        sites=[site()],
        options=options(),
        roster=roster(14) if named else None,
        progress=seen.append,
    )
    relaxed, *weeks = seen
    assert isinstance(relaxed, Relaxed) and relaxed.used  # small: the relaxation is solved
    assert [(d.week, d.weeks) for d in weeks] == [(1, 2), (2, 2)]
    assert result.solve.stopped_by == "weeks"
    assert len(result.solve.notes) == 2
    assert result.solve.bound is not None
    assert result.solve.bound <= result.objective + 1e-6
    assert result.coverage["interval_start"].nunique() == 240
    assert result.schedule[START].max() >= MONDAY + pd.Timedelta(days=7)
    assert_rest_and_days(result.schedule)
    short = result.coverage["shortfall"].sum()
    assert short < 1.0  # 14 agents are plenty for 2 on duty round the clock


@pytest.mark.parametrize("named", [False, True])
def test_a_horizon_shorter_than_a_week_is_not_cyclic_so_days_off_may_fall_after_it(named):
    """Repeating 3 days with two days off in a row would give each of the 7
    agents one day in three (7 of the 18 shifts round the clock needs): the
    part week is planned as not cyclic, and stderr says so."""
    result = schedule_horizon(
        requirements(3),
        sites=[site(max_agents=7)],
        options=options(),
        roster=roster(7) if named else None,
    )
    assert result.coverage["shortfall"].sum() < 1.0
    assert result.schedule.groupby(AGENT).size().max() == 3
    assert any("3-day horizon is shorter than a week" in note for note in result.binding)
    assert_rest_and_days(result.schedule)


def test_release_keeps_an_agent_off_until_its_rest_is_over():
    free = MONDAY + pd.Timedelta(hours=30)
    result = schedule_horizon(
        requirements(7),
        sites=[site()],
        options=options(cyclic=False),
        roster=roster(14),
        release={"a00": free, "a01": free},
    )
    held = result.schedule[result.schedule[AGENT].isin(["a00", "a01"])]
    assert (held[START] >= free).all()


def _extra_shifts_of_ana() -> pd.DataFrame:
    """Ana works Monday 08-16; one agent is needed Monday 17-19 and Tuesday 08-16."""
    one = site(max_agents=None)
    opts = options(cyclic=False)
    horizon = (MONDAY, MONDAY + pd.Timedelta(days=7))
    need = requirements(7, agents=0.0)
    tuesday = (need["interval_start"] >= MONDAY + pd.Timedelta(hours=32)) & (
        need["interval_start"] < MONDAY + pd.Timedelta(hours=40)
    )
    monday_late = (need["interval_start"] >= MONDAY + pd.Timedelta(hours=17)) & (
        need["interval_start"] < MONDAY + pd.Timedelta(hours=19)
    )
    need.loc[tuesday | monday_late, "agents_scheduled"] = 1.0
    held = pd.DataFrame(
        {
            "agent": ["ana"],
            "site": ["Test"],
            "start": [MONDAY + pd.Timedelta(hours=8)],
            "end": [MONDAY + pd.Timedelta(hours=16)],
            "timezone": ["UTC"],
            "break_start": [pd.NaT],
            "break_end": [pd.NaT],
            "queue": ["phone"],
        }
    )
    for column in ("start", "end", "break_start", "break_end"):
        held[column] = pd.to_datetime(held[column], utc=True)
    coverage = coverage_frame(need, held, options=opts)
    agents = roster_agents(
        pd.DataFrame({"agent": ["ana"], "site": ["Test"]}), sites=[one], options=opts
    )
    return extra_shifts(
        held,
        coverage,
        generate_shifts([one], start=horizon[0], end=horizon[1]),
        agents=agents,
        sites=[one],
        options=opts,
        horizon=horizon,
    )


def test_extra_shifts_cover_a_shortfall_only_where_an_agent_fits():
    extra = _extra_shifts_of_ana()
    # Monday 17-19 would be a second Monday shift; Tuesday 08:00 is 16 h after 16:00.
    assert list(extra["start"]) == [MONDAY + pd.Timedelta(hours=32)]
    assert list(extra["agent"]) == ["ana"]


def test_extra_shifts_with_the_cover_as_an_allocation_are_the_same(monkeypatch):
    """Past REPAIR_HALL_MOST sets an interval's cover is an allocation (many
    queues, agents' own skill sets): the same extra shift."""
    import scheduling.shifts.topup as topup

    monkeypatch.setattr(topup, "REPAIR_HALL_MOST", 0)
    extra = _extra_shifts_of_ana()
    assert list(extra["start"]) == [MONDAY + pd.Timedelta(hours=32)]
    assert list(extra["agent"]) == ["ana"]


def test_extra_shifts_without_an_answer_in_time_come_from_the_greedy(monkeypatch):
    """A solve that finds nothing in its time (at a 400-agent week of 50 queues it
    never did, and 89 idle agents stayed idle while 400 agent-hours were short)
    neither fails the schedule made so far nor adds nothing: the greedy, with the
    programme's rules, gives the programme's answer here."""
    import scheduling.solver as solver
    from scheduling.errors import NoAnswerError

    def nothing_in_time(*args: object, **kwargs: object) -> None:
        raise NoAnswerError("the highs solver stopped without a solution (Not Solved)")

    monkeypatch.setattr(solver, "solve_problem", nothing_in_time)
    extra = _extra_shifts_of_ana()
    assert list(extra["start"]) == [MONDAY + pd.Timedelta(hours=32)]
    assert list(extra["agent"]) == ["ana"]


def test_the_greedy_takes_no_shift_worth_less_than_its_cost():
    import scheduling.shifts.topup as topup

    found = [_option_stub(cost=c, week=w) for c, w in ((5.0, 0), (4.0, 0), (3.0, 1))]
    need = {("phone", 0): 1.0}
    poor = options(cyclic=False, shortfall_penalty=1.0)
    # worth = (1 + surplus) x 1 h covered - cost - surplus x 1 h: below 0 for all
    assert topup.greedy_extra_shifts(found, need, poor) == []
    rich = options(cyclic=False, shortfall_penalty=100.0)
    chosen = topup.greedy_extra_shifts(found, need, rich)
    # the cheapest covers the hour; the others would then cover nothing
    assert [(o.cost, o.slot.week) for o in chosen] == [(3.0, 1)]


def _option_stub(*, cost: float, week: int):
    """An extra-shift option of agent ana in `week`, working interval 0 fully."""
    from types import SimpleNamespace

    from scheduling.shifts.roster import Agent

    agent = Agent(name="ana", site="Test", skills=("phone",), max_hours=40.0)
    rules = SimpleNamespace(rolling=None, clash=lambda a, b: False)
    return SimpleNamespace(
        agent=agent,
        slot=SimpleNamespace(week=week, site="Test"),
        worked={0: 1.0},
        cost=cost,
        rules=rules,
        held=(),
    )


def test_agent_summary_gives_hours_of_each_week_and_full_weekends_off():
    from scheduling.shifts.agents import agent_summary

    days = [0, 1, 2, 3, 4, 12]  # Monday-Friday of week 1, Saturday of week 2
    schedule, agents = _ana_at_nine(MONDAY, days)
    horizon = (MONDAY, MONDAY + pd.Timedelta(days=14))
    row = agent_summary(schedule, agents, horizon=horizon, timezones={"Test": "UTC"}).iloc[0]
    assert row["hours_by_week"] == "40;8"
    assert row["weekends_off"] == 1
    assert row["paid_hours_per_week"] == 24.0
    # Found by a new user's run: 3 days with 24 paid hours read as 56 hours a week
    # against a contract of 40 (scaled up to 7 days); a part week counts as a week.
    short = (MONDAY, MONDAY + pd.Timedelta(days=3))
    first = schedule[schedule["start"] < short[1]]
    row = agent_summary(first, agents, horizon=short, timezones={"Test": "UTC"}).iloc[0]
    assert (row["paid_hours_per_week"], row["unused_hours_per_week"]) == (24.0, 16.0)
    # Seen from a zone 10 hours ahead, Friday 09:00-17:00 UTC ends on local Saturday.
    row = agent_summary(
        schedule, agents, horizon=horizon, timezones={"Test": "Australia/Brisbane"}
    ).iloc[0]
    assert row["weekends_off"] == 0


def test_weekends_are_counted_from_a_local_day_whose_midnight_does_not_exist():
    from scheduling.shifts.agents import local_weekends

    # Havana springs forward at 00:00 on Sunday 8 March 2026: that day starts at 01:00.
    span = (pd.Timestamp("2026-03-08 17:00Z"), pd.Timestamp("2026-03-22 00:00Z"))
    weekends = local_weekends(span, "America/Havana")
    assert [(sat.strftime("%a %d %H:%M"), mon.strftime("%a %d")) for sat, mon in weekends] == [
        ("Sat 14 00:00", "Mon 16"),
        ("Sat 21 00:00", "Mon 23"),
    ]


def _weekends_without(schedule: pd.DataFrame, agent: str, weeks: int) -> list[bool]:
    """Per week: True when the agent works on that week's Saturday or Sunday (UTC)."""
    mine = schedule[schedule[AGENT] == agent]
    out = []
    for k in range(weeks):
        saturday = MONDAY + pd.Timedelta(days=7 * k + 5)
        monday = saturday + pd.Timedelta(days=2)
        out.append(bool(((mine[START] < monday) & (mine[END] > saturday)).any()))
    return out


def test_agents_owed_a_weekend_get_one_when_the_roster_can_spare_them():
    result = schedule_horizon(
        requirements(21, agents=1.0),
        sites=[site()],
        options=options(weekend_off_within_weeks=2),
        roster=roster(14),  # a weekend takes 6 shifts: 8 agents not owed one can work it
    )
    for agent in result.schedule[AGENT].unique():
        worked = _weekends_without(result.schedule, agent, 3)
        assert not any(a and b for a, b in itertools.pairwise(worked)), agent
    assert not any(line.startswith("weekends:") for line in result.binding)


def test_a_roster_that_cannot_spare_weekends_is_named():
    result = schedule_horizon(
        requirements(14, agents=1.0),
        sites=[site(max_agents=None)],
        options=options(weekend_off_within_weeks=2, consecutive_days_off=1, max_days_per_week=6),
        roster=roster(1),
    )
    assert _weekends_without(result.schedule, "a00", 2) == [True, True]
    assert any(line.startswith("weekends: 1 agent(s)") for line in result.binding)


def test_ctrl_c_after_the_first_week_keeps_the_weeks_done(monkeypatch):
    import scheduling.shifts.weeks as weeks

    real = weeks.schedule_requirements
    calls = []

    def interrupted_in_week_two(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(weeks, "schedule_requirements", interrupted_in_week_two)
    result = schedule_horizon(requirements(14), sites=[site()], options=options())
    assert result.schedule[START].max() < MONDAY + pd.Timedelta(days=7)
    assert result.solve.bound is None
    assert any(line.startswith("interrupted: 1 of 2 weeks") for line in result.binding)
    second = result.coverage[result.coverage["interval_start"] >= MONDAY + pd.Timedelta(days=8)]
    assert (second["shortfall"] == second["required"]).all()


def test_ctrl_c_before_the_first_answer_gives_the_greedy_schedule():
    """A pending Ctrl-C (as the signal handler leaves it) stops HiGHS at its first
    check, before it has any answer (PuLP reads that as a solution of zeros): the
    week is built greedily and the run stops there."""
    from scheduling.solver import interruptible

    with interruptible() as state:
        state.pending = True
        result = schedule_horizon(
            requirements(7, agents=3.3),
            sites=[site(max_agents=None)],
            options=options(cyclic=False, node_limit=None, gap=0.0),
            roster=roster(40),
        )
    assert state.interrupted
    assert result.solve.stopped_by == "interrupted"
    assert result.solve.status == "no_answer" and result.solve.bound is None
    assert len(result.schedule) > 0
    assert any(line.startswith("solver: Ctrl-C stopped the shift") for line in result.binding)


def test_the_programme_knows_an_agent_released_after_a_day_cannot_work_it():
    need = requirements(7, agents=0.0)
    first_day = need["interval_start"] < MONDAY + pd.Timedelta(hours=16)
    need.loc[
        first_day & (need["interval_start"] >= MONDAY + pd.Timedelta(hours=8)), "agents_scheduled"
    ] = 2.0
    result = schedule_horizon(
        need,
        sites=[site(max_agents=None, open_minutes=8 * 60, close_minutes=16 * 60)],
        options=options(cyclic=False),
        roster=roster(2),
        release={"a00": MONDAY + pd.Timedelta(days=1)},
    )
    assert result.unfilled.empty
    assert list(result.schedule[AGENT]) == ["a01"]


def test_the_weekly_bound_is_below_the_whole_horizon_optimum():
    """Brute force on a small case: the horizon's programme solved to optimality at once."""
    from scheduling.shifts.planner import schedule_requirements, setup_run
    from scheduling.shifts.weeks import weekly_bound

    need = requirements(10, agents=1.5)
    hour = need["interval_start"].dt.hour
    need.loc[(hour < 6) | (hour >= 20), "agents_scheduled"] = 0.2
    whole = options(cyclic=False, gap=0.0, node_limit=None, time_limit_seconds=120)
    one = site(max_agents=6)
    optimum = schedule_requirements(need, sites=[one], options=whole).solve
    assert optimum.gap is not None and optimum.gap < 1e-6
    run = setup_run(need, sites=[one], options=whole, roster=None)
    need["interval_start"] = pd.to_datetime(need["interval_start"], utc=True)
    bound = weekly_bound(need, run, whole)
    assert bound is not None
    assert bound <= optimum.objective + 1e-6
    assert bound >= 0.8 * optimum.objective  # and not a trivial one


def _broken_bound(*args: object, **kwargs: object) -> float:
    raise RuntimeError("the bound's process failed")


def _interrupts_ignored(*args: object, on_pass, **kwargs: object) -> float:
    import signal

    bound = 1.0 if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else 0.0
    on_pass("least cost", bound)
    return bound


def _slow_bound(*args: object, on_pass, **kwargs: object) -> float:
    """One pass at once, the next never (within a test)."""
    import time

    on_pass("least cost", 5.0)
    time.sleep(600)
    on_pass("least cost + 0.125 of the penalty", 7.0)
    return 7.0


def _fails_after_a_pass(*args: object, on_pass, **kwargs: object) -> float:
    on_pass("least cost", 3.0)
    on_pass("relaxation's duals", None)
    raise RuntimeError("the second week's programme failed")


def test_the_bound_process_ignores_ctrl_c(monkeypatch):
    """Ctrl-C reaches every process of the terminal's group: the bound's own
    solves must not stop (and raise) on it; the plan decides."""
    import scheduling.shifts.weeks as weeks

    monkeypatch.setattr(weeks, "weekly_bound", _interrupts_ignored)
    result = schedule_horizon(requirements(10), sites=[site()], options=options())
    assert result.solve.bound == 1.0


def test_a_failed_bound_process_leaves_the_bound_unknown(monkeypatch):
    import scheduling.shifts.weeks as weeks

    monkeypatch.setattr(weeks, "weekly_bound", _broken_bound)
    result = schedule_horizon(requirements(10), sites=[site()], options=options())
    assert result.solve.bound is None and result.solve.gap is None
    assert len(result.schedule) > 0
    assert any("so the bound is unknown" in line for line in result.binding)


def test_a_bound_process_that_cannot_start_leaves_the_bound_unknown(monkeypatch):
    import multiprocessing.process

    import scheduling.shifts.weeks as weeks

    def refuse(self: object) -> None:
        raise RuntimeError("cannot pickle")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    result = schedule_horizon(requirements(10), sites=[site()], options=options())
    assert result.solve.bound is None and len(result.schedule) > 0
    assert any(line.startswith("bound: its process could not start") for line in result.binding)
    assert weeks.BOUND_MIN_WAIT_SECONDS > 0


def test_a_bound_that_fails_after_a_pass_keeps_that_pass(monkeypatch):
    import scheduling.shifts.weeks as weeks

    monkeypatch.setattr(weeks, "weekly_bound", _fails_after_a_pass)
    result = schedule_horizon(requirements(10), sites=[site()], options=options())
    assert result.solve.bound == 3.0
    (note,) = [line for line in result.binding if line.startswith("bound:")]
    assert "a pass failed: RuntimeError" in note and "best of its first 2 passes" in note


def test_the_plan_waits_for_the_bound_only_its_patience(monkeypatch):
    """A bound whose later passes outlast the weeks by more than BOUND_PATIENCE of
    their time: the plan keeps the passes done, and says the rest were cut."""
    import scheduling.shifts.weeks as weeks

    monkeypatch.setattr(weeks, "weekly_bound", _slow_bound)
    monkeypatch.setattr(weeks, "BOUND_PATIENCE", 0.0)
    monkeypatch.setattr(weeks, "BOUND_MIN_WAIT_SECONDS", 0.0)
    result = schedule_horizon(requirements(10), sites=[site()], options=options())
    assert result.solve.bound == 5.0
    assert result.solve.gap == pytest.approx((result.objective - 5.0) / result.objective)
    (note,) = [line for line in result.binding if line.startswith("bound:")]
    assert "best of its first 1 passes" in note and "weeks' time" in note


def test_ctrl_c_while_waiting_for_the_bound_keeps_its_passes_so_far():
    import multiprocessing

    from scheduling.shifts.weeks import _best_pass
    from scheduling.solver import interruptible

    context = multiprocessing.get_context("fork")
    passes = context.Queue()
    passes.put(("least cost", 2.0))
    sleeper = context.Process(target=time.sleep, args=(600,), daemon=True)
    sleeper.start()
    try:
        with interruptible() as state:
            state.pending = True
            taken = _best_pass(passes, sleeper, time.perf_counter() + 600)
    finally:
        sleeper.terminate()
        sleeper.join()
    assert taken.value == 2.0
    assert "Ctrl-C" in taken.note


def test_an_agent_whose_first_week_hours_ran_out_is_named_for_that_week_only():
    """Hours carried in from the previous schedule leave 4 of 40: the warning says
    the first week, not the contract, keeps the agent off shifts."""
    from scheduling.shifts.roster import Agent, Carry, unworkable, with_carry

    one = site(max_agents=None)
    fresh = Agent(name="a00", site=one.name, skills=("phone",), max_hours=40.0)
    part = Agent(name="a01", site=one.name, skills=("phone",), max_hours=4.0)
    carried = with_carry([fresh, part], {"a00": Carry(days=(0, 1, 2, 3), hours=36.0)})
    lines = unworkable(carried, [one])
    assert len(lines) == 2
    first, contract = sorted(lines)
    assert "a00" in first and "hours left in its first week" in first
    assert "this week only" in first
    assert "a01" in contract and "weekly hours (contracted_hours)" in contract
    assert unworkable([fresh], [one]) == []


@pytest.mark.parametrize(("cap", "said"), [(2, True), (3, False)])
def test_more_anonymous_names_across_weeks_than_max_agents_are_named(cap, said) -> None:
    from types import SimpleNamespace

    from scheduling.shifts.weeks import _names_over_cap

    def week(*names: str) -> SimpleNamespace:
        return SimpleNamespace(schedule=pd.DataFrame({"site": "Test", AGENT: list(names)}))

    site = conftest.make_site(max_agents=cap)
    lines = _names_over_cap([week("Test-001", "Test-002"), week("Test-002", "Test-003")], [site])
    expected = ["3 anonymous agents across the weeks, more than max_agents 2"] if said else []
    assert [line.split(": ", 1)[1][:59] for line in lines] == expected


def test_a_time_limited_topup_keeps_its_answer_where_the_greedy_shares_cover_worse(monkeypatch):
    """A review found: Ann (a, b) and Bob (a) against one agent short on each of a and
    b; the greedy shares Ann's cover in name order (a), takes only her and leaves b
    short, and scored with that sharing the programme's Ann-and-Bob looked worse."""
    import dataclasses

    import scheduling.shifts.topup as topup

    def stub(name: str, skills: tuple[str, ...]):
        option = _option_stub(cost=1.0, week=0)
        agent = dataclasses.replace(option.agent, name=name, skills=skills)
        option.agent = agent
        return option

    found = [stub("ann", ("a", "b")), stub("bob", ("a",))]
    need = {("a", 0): 1.0, ("b", 0): 1.0}
    real = topup.solve_if_time

    def time_limited(problem, **kwargs):
        return dataclasses.replace(real(problem, **kwargs), stopped_by="time_limit")

    monkeypatch.setattr(topup, "solve_if_time", time_limited)
    opts = options(cyclic=False, shortfall_penalty=100.0)
    assert [o.agent.name for o in topup.greedy_extra_shifts(found, need, opts)] == ["ann"]
    assert sorted(o.agent.name for o in topup._solve(found, need, opts)) == ["ann", "bob"]


def test_agent_summary_hours_a_week_over_part_weeks_at_both_ends():
    """A review found: 14 days from a Wednesday with Monday weeks are 3 blocks
    (24; 40; 16 h); hours a week are 40, not 80 / 3."""
    from scheduling.shifts.agents import agent_summary

    wednesday = MONDAY + pd.Timedelta(days=2)
    days = [d for d in range(14) if (d + 2) % 7 < 5]  # every weekday
    schedule, agents = _ana_at_nine(wednesday, days)
    horizon = (wednesday, wednesday + pd.Timedelta(days=14))
    row = agent_summary(
        schedule, agents, horizon=horizon, timezones={"Test": "UTC"}, weekday=0, first_days=5
    ).iloc[0]
    assert row["hours_by_week"] == "24;40;16"
    assert (row["paid_hours_per_week"], row["unused_hours_per_week"]) == (40.0, 0.0)


def _ana_at_nine(first: pd.Timestamp, days: list[int]):
    """Ana (40 h a week) on 8-hour shifts from 09:00 UTC on `days` after `first`."""
    from scheduling.shifts.roster import Agent

    starts = [first + pd.Timedelta(days=d, hours=9) for d in days]
    schedule = pd.DataFrame(
        {
            "agent": "ana",
            "site": "Test",
            "start": starts,
            "end": [t + pd.Timedelta(hours=8) for t in starts],
        }
    )
    return schedule, [Agent(name="ana", site="Test", skills=("phone",), max_hours=40.0)]
