"""Rosters of many skill sets planned as fewer groups (`skills.planning_skills`)."""

from __future__ import annotations

from collections import defaultdict
from unittest import mock

import conftest
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_schedule_model import make_options

import scheduling.shifts.skills as skills_module
from scheduling.shifts.model import build_model, solve
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import setup_run
from scheduling.shifts.roster import Agent
from scheduling.shifts.skills import group_label, planning_skills
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.weeks import schedule_horizon

MONDAY = pd.Timestamp("2026-11-23 00:00Z")
QUEUES = ("a", "b", "c", "d")

skill_sets = st.lists(st.sets(st.sampled_from("abcde"), min_size=1), min_size=1, max_size=30)


def agents_of(sets: list[set[str]], site: str = "S") -> list[Agent]:
    return [Agent(f"{site}{k:02d}", site, tuple(sorted(s)), 40.0) for k, s in enumerate(sets)]


@settings(max_examples=200, deadline=None)
@given(skill_sets, skill_sets, st.integers(0, 8))
def test_each_agent_is_planned_for_its_skills_and_its_groups(
    first: list[set[str]], second: list[set[str]], most: int
) -> None:
    agents = agents_of(first, "S") + agents_of(second, "T")
    plan = planning_skills(agents, most)
    members: dict[tuple[str, tuple[str, ...]], list[Agent]] = defaultdict(list)
    for agent in agents:
        assert set(agent.skills) <= set(plan.skills[agent.name])
        members[(agent.site, plan.skills[agent.name])].append(agent)
    for (_, planned), people in members.items():  # nobody counted for a queue none serves
        assert set(planned) == set().union(*(set(a.skills) for a in people))
    for site, sets in (("S", first), ("T", second)):
        distinct = len({frozenset(s) for s in sets})
        groups = sum(1 for key in members if key[0] == site)
        if most == 0 or distinct <= most:
            assert site not in plan.merged
            assert all(plan.skills[a.name] == a.skills for a in agents if a.site == site)
        else:
            assert plan.merged[site] == (distinct, groups)
            assert groups <= most


def reference_merge(agents: list[Agent], most: int) -> dict[str, tuple[str, ...]]:
    """The greedy of `planning_skills` written plainly: per site, every pair's
    grant recomputed before each merge (cubic, for small cases)."""
    planned = {a.name: a.skills for a in agents}
    for site in sorted({a.site for a in agents}):
        sets: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for agent in agents:
            if agent.site == site:
                sets[agent.skills].append(agent.name)
        if most == 0 or len(sets) <= most:
            continue
        groups = [(set(skills), names) for skills, names in sorted(sets.items())]
        while len(groups) > most:
            pairs = [
                (
                    len(a[1]) * len((a[0] | b[0]) - a[0]) + len(b[1]) * len((a[0] | b[0]) - b[0]),
                    i,
                    j,
                )
                for i, a in enumerate(groups)
                for j, b in enumerate(groups)
                if i < j
            ]
            _, i, j = min(pairs)
            groups[i] = (groups[i][0] | groups[j][0], groups[i][1] + groups[j][1])
            del groups[j]
        for skills, names in groups:
            planned.update(dict.fromkeys(names, tuple(sorted(skills))))
    return planned


@settings(max_examples=200, deadline=None)
@given(skill_sets, skill_sets, st.integers(1, 8))
def test_the_merges_are_the_plain_greedys(
    first: list[set[str]], second: list[set[str]], most: int
) -> None:
    agents = agents_of(first, "S") + agents_of(second, "T")
    assert planning_skills(agents, most).skills == reference_merge(agents, most)


@settings(max_examples=100, deadline=None)
@given(skill_sets, st.integers(1, 4), st.integers(1, 6))
def test_past_the_greedys_sets_the_rest_join_the_largest_first(
    sets: list[set[str]], most: int, greedy: int
) -> None:
    """With more sets than `GREEDY_SETS`, the sets with fewest agents are joined to
    one of the largest first: still every agent planned for its own queues,
    each group for its agents' queues, at most `most` groups."""
    agents = agents_of(sets)
    with mock.patch.object(skills_module, "GREEDY_SETS", greedy):
        plan = planning_skills(agents, most)
    members: dict[tuple[str, ...], list[Agent]] = defaultdict(list)
    for agent in agents:
        assert set(agent.skills) <= set(plan.skills[agent.name])
        members[plan.skills[agent.name]].append(agent)
    for planned, people in members.items():
        assert set(planned) == set().union(*(set(a.skills) for a in people))
    if plan.merged:
        assert len(members) <= most


def test_merging_grants_the_fewest_skills_first() -> None:
    """{a, b} x 5, {a, b, c} x 1 and {c, d} x 3 into two groups: joining the first
    two grants c to five agents; {a, b, c} with {c, d} grants d to one and a, b to
    three (7); {a, b} with {c, d} grants 5 x 2 + 3 x 2 = 16."""
    agents = agents_of([{"a", "b"}] * 5 + [{"a", "b", "c"}] + [{"c", "d"}] * 3)
    plan = planning_skills(agents, 2)
    assert plan.merged == {"S": (3, 2)}
    assert plan.skills["S00"] == plan.skills["S05"] == ("a", "b", "c")
    assert plan.skills["S06"] == plan.skills["S08"] == ("c", "d")


def options(**overrides: object) -> ScheduleOptions:
    return make_options(**{"node_limit": None, "time_limit_seconds": 60.0, **overrides})


def instance(seed: int) -> tuple[pd.DataFrame, list, pd.DataFrame]:
    """One day, four queues, 4-hour shifts on the hour 08-16, seven agents of random skills."""
    rng = np.random.default_rng(seed)
    times = [MONDAY + pd.Timedelta(hours=8 + h) for h in range(8)]
    need = pd.DataFrame(
        [(t, q, float(rng.integers(0, 3))) for t in times for q in QUEUES],
        columns=["interval_start", "queue", "agents_scheduled"],
    )
    site = conftest.make_site(queues=QUEUES, shift_hours=(4.0,), cost_per_hour=10.0)
    sets = []
    for _ in range(7):
        keep = rng.random(len(QUEUES)) < 0.5
        sets.append(";".join(q for q, k in zip(QUEUES, keep, strict=True) if k) or "a")
    staff = pd.DataFrame({"agent": [f"n{k}" for k in range(7)], "site": "Test", "skills": sets})
    return need, [site], staff


def optimum(need: pd.DataFrame, sites: list, groups: tuple) -> float:
    shifts = generate_shifts(sites, start=MONDAY, end=MONDAY + pd.Timedelta(days=1))
    model = build_model(need, shifts, sites=sites, options=options(), groups=groups)
    result = solve(model, solver="highs", time_limit_seconds=60, gap=0.0, node_limit=None)
    assert result.gap is not None and result.gap < 1e-6
    return result.objective


@pytest.mark.parametrize("seed", range(6))
def test_the_programme_on_merged_groups_is_a_relaxation_of_the_rosters(seed) -> None:
    """Brute force by the solver: each programme solved to optimality, the one on
    merged groups (each with its agents' skills joined) never above the roster's
    own, so its bound is one on any plan of the roster."""
    need, sites, staff = instance(seed)
    real = setup_run(need, sites=sites, options=options(max_skill_groups=0), roster=staff)
    merged = setup_run(need, sites=sites, options=options(max_skill_groups=1), roster=staff)
    assert merged.merged == {"Test": (len(real.groups), 1)}
    assert len(merged.groups) == 1 < len(real.groups)
    assert optimum(need, sites, merged.groups) <= optimum(need, sites, real.groups) + 1e-6


@pytest.mark.parametrize("seed", range(3))
def test_a_merged_plan_keeps_every_agents_own_skills(seed) -> None:
    need, sites, staff = instance(seed)
    groups = setup_run(need, sites=sites, options=options(), roster=staff).groups
    real = optimum(need, sites, groups)
    merged = options(max_skill_groups=1)
    result = schedule_horizon(need, sites=sites, options=merged, roster=staff)
    assert result.solve.bound is not None
    assert result.solve.bound <= real + 1e-6  # below the roster's own optimum
    assert result.solve.bound <= result.objective + 1e-6
    skills_of = dict(zip(staff["agent"], staff["skills"], strict=True))
    for row in result.schedule.itertuples():
        assert row.queue == group_label(skills_of[row.agent].split(";"))
    assert not result.schedule.empty and result.unfilled.empty
    assert any("skill sets were planned as 1 groups" in note for note in result.binding)
