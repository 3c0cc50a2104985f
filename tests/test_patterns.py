"""Pricing an agent's week by its day patterns against brute force and its own programme."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import scheduling.shifts.weekly as weekly_module
from scheduling.shifts.assign import (
    WEEKEND_STEP,
    _blocking,
    _eligible,
    _Rules,
    _Slot,
    _worked_in,
    make_slot,
)
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.patterns import WeekPatterns, _clash_matrix
from scheduling.shifts.roster import Agent
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts

# Around the end of US daylight saving time (Sunday 2026-11-01, Chicago).
START = pd.Timestamp("2026-10-26 05:00Z")
ZONES = ("UTC", "Asia/Manila", "America/Chicago", "Australia/Sydney")


@st.composite
def weeks(draw):
    """An agent, its eligible slots, its rules and costs on the slots."""
    cyclic = draw(st.booleans())
    days = draw(st.sampled_from([3, 7] if cyclic else [3, 7, 8, 10]))
    zone = draw(st.sampled_from(ZONES))
    site = Site(name="S", timezone=zone, queues=("q",))
    options = ScheduleOptions(
        cyclic=cyclic,
        max_days_per_week=draw(st.integers(1, 7)),
        consecutive_days_off=draw(st.integers(0, 3)),
        min_rest_hours=draw(st.sampled_from([0, 8, 11, 16])),
        break_minutes=0,
    )
    end = START + pd.Timedelta(days=days)
    days_off = DaysOff.of(
        options.consecutive_days_off,
        tz=site.tz,
        start=START,
        end=end,
        cyclic=cyclic,
        spill=draw(st.booleans()),
    )
    rules = _Rules(options, (end - START).total_seconds(), days_off=days_off)
    agent = Agent(
        name="a",
        site="S",
        skills=("q",),
        max_hours=draw(st.sampled_from([8.0, 16.0, 20.0, 30.0, 40.0, 45.0, 168.0])),
        worked_days=tuple(draw(st.lists(st.integers(0, 1), unique=True, max_size=2))),
    )
    slots: list[_Slot] = []
    for k in range(draw(st.integers(2, 12))):
        hour = draw(st.integers(0, 24 * days - 1))
        hours = draw(st.sampled_from([3.75, 4.0, 6.0, 7.5, 8.0, 8.25, 9.0, 10.0, 12.0]))
        span = (START + pd.Timedelta(hours=hour), START + pd.Timedelta(hours=hour + hours))
        slot = make_slot(f"s{k}", site, ("q",), span, hours, START)
        if _eligible(agent, slot, rules):
            slots.append(slot)
    costs = np.array([draw(st.floats(-10.0, 5.0)) for _ in slots])
    return agent, slots, rules, costs


def utc_rules(days: int, **options: object) -> tuple[Site, _Rules]:
    """A UTC site and its rules over `days` days from START."""
    site = Site(name="S", timezone="UTC", queues=("q",))
    end = START + pd.Timedelta(days=days)
    chosen = ScheduleOptions(break_minutes=0, **options)  # type: ignore[arg-type]
    rules = _Rules.at_site(chosen, site, (START, end))
    return site, rules


def slot_at(site: Site, begin: pd.Timestamp, hours: float, k: int) -> _Slot:
    span = (begin, begin + pd.Timedelta(hours=hours))
    return make_slot(f"s{k}", site, ("q",), span, float(hours), START)


def allowed(agent: Agent, week: list[_Slot], rules: _Rules) -> bool:
    """The assignment's rules for one agent's week, pair by pair and week by week."""
    if any(rules.clash(a, b) for a, b in itertools.combinations(week, 2)):
        return False
    for w in {s.week for s in week}:
        mine = [s for s in week if s.week == w]
        if len(mine) > rules.max_days - _worked_in(agent.worked_days, w):
            return False
        if sum(s.paid_hours for s in mine) > agent.max_hours + 1e-9:
            return False
    days = {rules.day(s) for s in week}
    return rules.days_off.kept(days | set(_blocking(agent.worked_days, rules)))


def cost(week: list[int], slots: list[_Slot], costs: np.ndarray) -> float:
    weekend = sum(1 for r in week if slots[r].weekday >= 5)
    return float(costs[list(week)].sum()) + WEEKEND_STEP * weekend * (weekend + 1) / 2


def least_by_enumeration(agent, slots, rules, costs) -> float:
    return min(
        cost(list(week), slots, costs)
        for n in range(len(slots) + 1)
        for week in itertools.combinations(range(len(slots)), n)
        if allowed(agent, [slots[r] for r in week], rules)
    )


def dense(patterns: WeekPatterns) -> WeekPatterns:
    """The same patterns walked without the nested shortcut (`patterns._nested`)."""
    for pair, hit in patterns.hit.items():
        patterns.penalty[pair] = np.where(hit, np.inf, 0.0)
    patterns.nested = {}
    return patterns


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_the_cheapest_week_by_patterns_is_the_cheapest_of_all(case) -> None:
    """Exact: the least cost of every allowed week, and a week that costs it,
    with or without the nested shortcut; the agent's own programme finds the
    same least."""
    agent, slots, rules, costs = case
    patterns = WeekPatterns.of(agent, slots, rules) if slots else None
    assume(patterns is not None)
    least, week = patterns.cheapest(costs)
    assert least == pytest.approx(least_by_enumeration(agent, slots, rules, costs), abs=1e-9)
    assert allowed(agent, [slots[r] for r in week], rules)
    assert all(costs[r] < 0 for r in week)
    assert cost(list(week), slots, costs) == pytest.approx(least, abs=1e-9)
    again, other = dense(patterns).cheapest(costs)
    assert again == pytest.approx(least, abs=1e-9)
    assert cost(list(other), slots, costs) == pytest.approx(least, abs=1e-9)
    by_programme, _ = weekly_module._Pricer(agent, slots, rules).cheapest_by_programme(costs)
    assert by_programme == pytest.approx(least, abs=1e-6)


def test_hours_bind_in_each_of_two_weeks() -> None:
    """Ten days of 8- and 9-hour shifts, two weeks of at most 17 hours each: the
    walk starts its hours again in the second week and keeps each week's."""
    site, rules = utc_rules(10, cyclic=False, max_days_per_week=5, consecutive_days_off=1)
    agent = Agent(name="a", site="S", skills=("q",), max_hours=17.0)
    slots = []
    for day in range(10):
        for hours in (8.0, 9.0) if day in (1, 8) else (9.0,):
            begin = START + pd.Timedelta(days=day, hours=2)
            slots.append(slot_at(site, begin, hours, len(slots)))
    assert {s.week for s in slots} == {0, 1}
    rng = np.random.default_rng(3)
    patterns = WeekPatterns.of(agent, slots, rules)
    assert patterns is not None
    for _ in range(5):
        costs = -rng.uniform(1.0, 10.0, len(slots))
        least, week = patterns.cheapest(costs)
        assert least == pytest.approx(least_by_enumeration(agent, slots, rules, costs), abs=1e-9)
        assert allowed(agent, [slots[r] for r in week], rules)
        assert cost(list(week), slots, costs) == pytest.approx(least, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(weeks())
def test_the_clash_matrix_is_the_rules_clash(case) -> None:
    _, slots, rules, _ = case
    clash = _clash_matrix(slots, rules)
    for (i, a), (j, b) in itertools.permutations(enumerate(slots), 2):
        assert clash[i, j] == rules.clash(a, b)


def test_a_cyclic_week_keeps_the_rest_across_its_cut() -> None:
    """Sunday 23:00-11:00 leaves no 16 h rest before Tuesday 01:00 a week later;
    a pattern read from Monday (its first day off) would check neither pair."""
    site, rules = utc_rules(
        7, cyclic=True, max_days_per_week=3, consecutive_days_off=1, min_rest_hours=16
    )
    agent = Agent(name="a", site="S", skills=("q",), max_hours=40.0)
    monday = START.normalize()
    spans = [(6, 23, 12), (1, 1, 8), (2, 12, 8)]  # (day, local hour, hours)
    slots = [
        slot_at(site, monday + pd.Timedelta(days=day, hours=hour), hours, k)
        for k, (day, hour, hours) in enumerate(spans)
    ]
    costs = np.full(3, -10.0)
    patterns = WeekPatterns.of(agent, slots, rules)
    assert patterns is not None
    least, week = patterns.cheapest(costs)
    assert len(week) == 2
    assert least == pytest.approx(least_by_enumeration(agent, slots, rules, costs))


@pytest.mark.parametrize("cyclic", [True, False])
@pytest.mark.parametrize("zone", ["Asia/Manila", "America/Chicago"])
def test_a_whole_week_of_shifts_is_priced_by_patterns_as_by_the_programme(zone, cyclic) -> None:
    """A round-the-clock site's every 8- and 9-hour shift over a week whose local
    days are eight (Manila) or one of 25 hours (Chicago): the walk applies and
    finds the programme's least at several costs."""
    site = Site(
        name="S", timezone=zone, queues=("q",), shift_hours=(8.0, 9.0), start_step_minutes=120
    )
    end = START + pd.Timedelta(days=7)
    options = ScheduleOptions(cyclic=cyclic, break_minutes=0, min_rest_hours=11)
    rules = _Rules.at_site(options, site, (START, end))
    agent = Agent(name="a", site="S", skills=("q",), max_hours=40.0, worked_days=(0,))
    shifts = generate_shifts([site], start=START, end=end)
    slots = [
        slot
        for k, row in enumerate(shifts.itertuples())
        if _eligible(
            agent,
            slot := make_slot(f"s{k}", site, ("q",), (row.start, row.end), row.paid_hours, START),
            rules,
        )
    ]
    patterns = WeekPatterns.of(agent, slots, rules)
    assert patterns is not None
    pricer = weekly_module._Pricer(agent, slots, rules)
    rng = np.random.default_rng(7)
    for _ in range(5):
        costs = rng.uniform(-10.0, 3.0, len(slots))
        least, week = patterns.cheapest(costs)
        assert allowed(agent, [slots[r] for r in week], rules)
        assert cost(list(week), slots, costs) == pytest.approx(least, abs=1e-9)
        assert pricer.cheapest_by_programme(costs)[0] == pytest.approx(least, abs=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks(), st.lists(st.sampled_from([16.0, 30.0, 40.0]), min_size=1, max_size=3))
def test_the_weeks_assignment_has_the_same_bound_either_way(case, contracts) -> None:
    """`assign_weeks` priced by patterns and by each agent's programme: the same
    bound (the relaxation's optimum once no week prices out); their answers may
    differ where two weeks cost the same."""
    agent, slots, rules, _ = case
    staff = [
        dataclasses.replace(agent, name=f"a{k}", max_hours=hours)
        for k, hours in enumerate(contracts)
    ]
    slots = [dataclasses.replace(s, count=1 + k % 2) for k, s in enumerate(slots)]
    assume(slots)
    by_patterns = weekly_module.assign_weeks(slots, staff, rules, seconds=60.0, node_limit=1000)
    real = vars(weekly_module.WeekPatterns)["of"]  # the classmethod itself
    try:
        never = staticmethod(lambda *args: None)
        weekly_module.WeekPatterns.of = never  # type: ignore[method-assign]
        by_programme = weekly_module.assign_weeks(
            slots, staff, rules, seconds=60.0, node_limit=1000
        )
    finally:
        weekly_module.WeekPatterns.of = real  # type: ignore[method-assign]
    assert by_patterns.bound == pytest.approx(by_programme.bound, abs=1e-6)
