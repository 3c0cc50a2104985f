"""Weekly rules per rolling 7 days: the assignment's rows and checks against brute
force, and whole plans checked window by window on local dates."""

from __future__ import annotations

import itertools

import conftest
import pandas as pd
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.errors import InputError
from scheduling.shifts.assign import _agent_rows, _fits, _Rules, _Slot
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.rolling import Rolling
from scheduling.shifts.roster import Agent
from scheduling.shifts.skills import skill_groups
from scheduling.shifts.weeks import schedule_horizon
from scheduling.solver import solve_problem

MONDAY = pd.Timestamp("2026-11-23 00:00Z")
DAYS = 10  # days of the brute-force run


def naive_ok(
    hours: dict[int, float],
    chosen: set[int],
    *,
    max_days: int,
    max_hours: float,
    length: int,
    wrap: int | None,
    follows: bool = True,
) -> bool:
    """Every 7 consecutive days holding a chosen day: at most max_days days and
    max_hours hours worked, and the first of `length` free days in a row. Days
    outside 0..DAYS-1 are free unless `hours` has them (before the run); a
    cyclic run wraps round `wrap` days, and its first days are also in the 7
    days from each of the 6 days before it. When no week `follows` a run that
    is not cyclic, a run of days off ends by its last day and 7 days reaching
    past it need none."""
    final = not wrap and not follows
    for first in range(-6, wrap or DAYS):
        days = [(first + i) % wrap if wrap and first >= 0 else first + i for i in range(13)]
        window = days[:7]
        if not chosen.intersection(window):
            continue
        worked = {d for d in window if d in hours}
        if len(worked) > max_days or sum(hours[d] for d in worked) > max_hours + 1e-9:
            return False
        if final and window[-1] > DAYS - 1:
            continue
        starts = [p for p in range(7) if not final or days[p + length - 1] <= DAYS - 1]
        if length and all(set(days[p : p + length]) & set(hours) for p in starts):
            return False
    return True


def day_slot(day: int, hours: float) -> _Slot:
    start = MONDAY + pd.Timedelta(days=day, hours=9)
    return _Slot(
        shift_id=f"d{day}",
        site="Test",
        queue="phone",
        skills=("phone",),
        count=1,
        start=start,
        end=start + pd.Timedelta(hours=hours),
        paid_hours=hours,
        begin=(start - MONDAY).total_seconds(),
        finish=(start - MONDAY).total_seconds() + hours * 3600,
        weekday=start.weekday(),
        minute=9 * 60,
        week=0,
        dayno=day,
    )


def rolling_rules(length: int, max_days: int, wrap: int | None, follows: bool) -> _Rules:
    options = ScheduleOptions(
        weekly_rules="rolling",
        max_days_per_week=max_days,
        consecutive_days_off=length,
        min_rest_hours=11,
        cyclic=wrap is not None,
    )
    days_off = DaysOff(length, wrap, DAYS - 1, follows=follows and wrap is None)
    return _Rules(options, DAYS * 86400.0, days_off=days_off)


instances = st.fixed_dictionaries(
    {
        "length": st.integers(0, 3),
        "max_days": st.integers(2, 6),
        "max_hours": st.sampled_from([16.0, 24.0, 30.0, 40.0]),
        "wrap": st.sampled_from([None, None, DAYS]),
        "follows": st.booleans(),
        "hours": st.lists(st.sampled_from([4.0, 6.0, 8.0]), min_size=DAYS, max_size=DAYS),
        "past": st.dictionaries(st.integers(-6, -1), st.sampled_from([4.0, 8.0]), max_size=6),
        "weights": st.lists(st.integers(1, 9), min_size=DAYS, max_size=DAYS),
    }
)


@settings(max_examples=40, deadline=None)
@given(instances)
def test_window_rows_choose_what_brute_force_chooses(case):
    wrap = case["wrap"]
    past = case["past"]
    rules = rolling_rules(case["length"], case["max_days"], wrap, case["follows"])
    agent = Agent("a", "Test", ("phone",), case["max_hours"], recent=tuple(sorted(past.items())))
    slots = [day_slot(d, h) for d, h in enumerate(case["hours"])]
    problem = pulp.LpProblem("rows", pulp.LpMaximize)
    mine = {r: problem.add_variable(f"y_{r}", cat=pulp.LpBinary) for r in range(DAYS)}
    _agent_rows(problem, (0, agent), mine, slots, rules, [])
    problem.setObjective(pulp.lpSum(w * mine[r] for r, w in enumerate(case["weights"])))
    solve_problem(problem, solver="highs", time_limit_seconds=30, gap=0.0)
    rule = {k: case[k] for k in ("max_days", "max_hours", "length", "follows")}
    best = 0
    for chosen in itertools.product((0, 1), repeat=DAYS):
        days = {d for d in range(DAYS) if chosen[d]}
        hours = {**past, **{d: case["hours"][d] for d in days}}
        if naive_ok(hours, days, wrap=wrap, **rule):
            best = max(best, sum(w for w, c in zip(case["weights"], chosen, strict=True) if c))
    assert round(pulp.value(problem.objective) or 0) == best


@settings(max_examples=40, deadline=None)
@given(instances, st.randoms(use_true_random=False))
def test_fits_adds_a_day_exactly_when_brute_force_allows_it(case, rng):
    wrap = case["wrap"]
    past = case["past"]
    rules = rolling_rules(case["length"], case["max_days"], wrap, case["follows"])
    rule = {k: case[k] for k in ("max_days", "max_hours", "length", "follows")}
    slots = [day_slot(d, h) for d, h in enumerate(case["hours"])]
    recent = tuple(sorted(past.items()))
    for _ in range(30):
        days = {d for d in range(DAYS) if rng.random() < 0.4}
        hours = {**past, **{d: case["hours"][d] for d in days}}
        if not naive_ok(hours, days, wrap=wrap, **rule):
            continue
        for d in sorted(set(range(DAYS)) - days):
            more = {**hours, d: case["hours"][d]}
            expected = naive_ok(more, days | {d}, wrap=wrap, **rule)
            held = [slots[k] for k in sorted(days)]
            got = _fits(held, slots[d], rules, case["max_hours"], recent=recent)
            assert got == expected, (sorted(days), d)


def test_an_unknown_weekly_rules_value_is_refused():
    with pytest.raises(InputError, match="weekly_rules must be one of calendar, rolling"):
        ScheduleOptions(weekly_rules="fortnight")


# -- whole plans ----------------------------------------------------------------------------


def plan(weekly_rules: str, *, roster: bool, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    site = conftest.make_site(open_minutes=0, close_minutes=1440, max_agents=16, cost_per_hour=10.0)
    times = pd.date_range(MONDAY, periods=24 * 17, freq="60min")
    needed = [3.0 if t.weekday() < 5 else 1.0 for t in times]
    frame = pd.DataFrame({"interval_start": times, "queue": "phone", "agents_scheduled": needed})
    options = ScheduleOptions(
        weekly_rules=weekly_rules,
        break_minutes=0,
        cyclic=False,
        max_hours_per_week=40,
        time_limit_seconds=30,
        node_limit=50,
    )
    names = pd.DataFrame({"agent": [f"a{k:02d}" for k in range(16)], "site": "Test"})
    result = schedule_horizon(
        frame,
        sites=[site],
        options=options,
        roster=names if roster else None,
        previous=previous,
    )
    return result.schedule


def worked_before(agents: list[str], days: range) -> pd.DataFrame:
    """A previous schedule: each agent 09:00-17:00 UTC on `days` (from MONDAY)."""
    rows = []
    for agent in agents:
        for day in days:
            start = MONDAY + pd.Timedelta(days=day, hours=9)
            rows.append((agent, "Test", start, start + pd.Timedelta(hours=8), "UTC"))
    return pd.DataFrame(rows, columns=["agent", "site", "start", "end", "timezone"])


@pytest.mark.parametrize("roster", [True, False])
def test_a_rolling_plan_keeps_every_seven_days(roster):
    rules = {"max_days": 5, "max_hours": 40, "length": 2}
    schedule = plan("rolling", roster=roster)
    assert len(schedule) > 100
    assert conftest.rolling_violations(schedule, "UTC", **rules) == []
    # the same requirement in calendar weeks breaks windows across its weeks
    assert conftest.rolling_violations(plan("calendar", roster=roster), "UTC", **rules) != []


def test_the_previous_schedule_counts_in_the_first_windows_of_a_rolling_plan():
    """Four agents worked Wednesday to Saturday before the horizon: in rolling weeks
    none of them works both Monday and Tuesday (six days in Wednesday-Tuesday)."""
    rules = {"max_days": 5, "max_hours": 40, "length": 2}
    previous = worked_before([f"a{k:02d}" for k in range(4)], range(-5, -1))
    schedule = plan("rolling", roster=True, previous=previous)
    both = pd.concat([previous, schedule[previous.columns]], ignore_index=True)
    assert conftest.rolling_violations(both, "UTC", **rules) == []
    calendar = plan("calendar", roster=True, previous=previous)
    both = pd.concat([previous, calendar[previous.columns]], ignore_index=True)
    broken = conftest.rolling_violations(both, "UTC", **rules)
    assert [day for _, day in broken if day < MONDAY.date()] != []


@pytest.mark.parametrize("length", [0, 1, 2, 3])
def test_a_cyclic_week_of_seven_days_has_the_calendar_rules(length):
    """Every window of a repeating week is the whole week: the rolling rules are
    the calendar ones (`DaysOff.kept`, at most max_days days) for every week."""
    rolling = Rolling(length, 5, 6, wrap=7)
    calendar = DaysOff(length, 7, 6)
    for chosen in itertools.product((0, 1), repeat=7):
        worked = {d for d in range(7) if chosen[d]}
        hours = dict.fromkeys(worked, 8.0)
        expected = len(worked) <= 5 and calendar.kept(worked)
        assert (rolling.broken(hours, 168.0, range(7)) is None) == expected, worked


@pytest.mark.parametrize(
    ("past", "max_hours", "ruled_out"),
    [
        (range(-7, -2), 40, set()),  # Monday to Friday: free from Monday
        (range(-5, -1), 40, {0}),  # Wednesday to Saturday: Sunday-Monday off
        (range(-6, 0), 48, {0, 1}),  # Tuesday to Sunday: six days in the 7 to Monday, Tuesday
        (range(-3, 0), 24, {0, 1, 2, 3}),  # 24 h Friday to Sunday: no hours until Friday
    ],
)
def test_the_programme_counts_out_agents_whose_days_before_rule_out_a_day(
    past, max_hours, ruled_out
):
    """`SkillGroup.lead_off`: per day of the run's first six, the agents who could not
    take even the site's shortest shift there; the day rows count them out."""
    site = conftest.make_site()
    agents = [
        Agent("a", "Test", ("phone",), float(max_hours), recent=tuple((d, 8.0) for d in past)),
        Agent("b", "Test", ("phone",), 40.0, days_unavailable=(2,)),
    ]
    options = ScheduleOptions(weekly_rules="rolling")
    (group,) = skill_groups([site], options=options, agents=agents)
    assert {d for d, out in enumerate(group.lead_off) if out} == ruled_out
    assert all(out in ((), (((), None),)) for out in group.lead_off)
    assert [group.kept_off(d, 0, MONDAY) for d in range(6)] == [
        int(d in ruled_out) for d in range(6)
    ]
    calendar = skill_groups([site], options=ScheduleOptions(), agents=agents)
    assert calendar[0].lead_off == () and calendar[0].lead_in == ()
