"""The shift programme against brute force, solvers, planner and coverage."""

from __future__ import annotations

import dataclasses
import itertools
import sys
from collections.abc import Callable, Sequence

import conftest
import numpy as np
import pandas as pd
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling import rounding as rounding_module
from scheduling.columns import COVERAGE_COLUMNS, SCHEDULE_COLUMNS
from scheduling.errors import InputError, SolverUnavailableError
from scheduling.shifts import limits as limits_module
from scheduling.shifts import model as model_module
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.model import (
    allocation_rows,
    break_plan,
    build_model,
    chosen_shifts,
    hall_sets,
    is_large_model,
    short_if_left,
    solve,
)
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import schedule_requirements
from scheduling.shifts.sites import Site
from scheduling.shifts.skills import SkillGroup
from scheduling.shifts.templates import generate_shifts
from scheduling.solver import available_solvers, solve_problem

MONDAY = pd.Timestamp("2026-11-23 00:00Z")


def make_site(**overrides: object) -> Site:
    return conftest.make_site(**{**{"shift_hours": (4.0, 6.0), "cost_per_hour": 10.0}, **overrides})


def make_options(**overrides: object) -> ScheduleOptions:
    fields: dict[str, object] = {
        "shortfall_penalty": 25.0,
        "surplus_penalty": 2.0,
        "break_minutes": 0,
        "cyclic": False,
        "gap": 0.0,
        "time_limit_seconds": 20.0,
    }
    fields.update(overrides)
    return ScheduleOptions(**fields)  # type: ignore[arg-type]


def make_requirements(
    values: dict[str, list[float]], *, first_hour: int = 8, hours: int | None = None
) -> pd.DataFrame:
    """Hourly requirements from MONDAY + first_hour; `hours` pads with zeros."""
    rows = []
    for queue, series in values.items():
        n = hours or len(series)
        padded = list(series) + [0.0] * (n - len(series))
        for i, agents in enumerate(padded):
            start = MONDAY + pd.Timedelta(hours=first_hour + i)
            rows.append((start, queue, agents))
    return pd.DataFrame(rows, columns=["interval_start", "queue", "agents_scheduled"])


@pytest.fixture(params=["direct", "pooled", "large"])
def cover_form(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Cover rows on the shifts' terms (direct), on one capacity variable per
    group and interval (pooled, `model._pooled`), or pooled in a programme
    written as a large one (`ShiftModel.large`: rest rows on running sums):
    the same optimum every way. Solved by branch and bound all the same, to be
    compared with brute force (a large programme's own path is a heuristic)."""
    if request.param != "direct":
        monkeypatch.setattr(model_module, "POOL_RATIO", 0.0)
    if request.param == "large":
        monkeypatch.setattr(limits_module, "REST_SUMS_FROM", 0)
        monkeypatch.setattr(model_module, "is_large_model", lambda model: False)
    return str(request.param)


def run_model(requirements, sites, options, solver="highs", groups=None):
    grid = requirements["interval_start"]
    shifts = generate_shifts(sites, start=grid.min(), end=grid.max() + pd.Timedelta(hours=1))
    model = build_model(requirements, shifts, sites=sites, options=options, groups=groups)
    result = solve(model, solver=solver, time_limit_seconds=20, gap=0.0)
    return model, result


# ------------------------------------------------------------------ brute force

# (agents, cost, capacity per skill set per interval)
Option = tuple[int, float, dict[str, np.ndarray]]


def shift_options(
    start: int,
    hours: int,
    n_intervals: int,
    *,
    skills: str = "phone",
    top: int = 3,
    rate: float = 10.0,
    first_hour: int = 8,
    break_hours: Sequence[int] = (),
) -> list[Option]:
    """Every way to staff one shift column: 0..top agents, each breaking (half an
    hour, so half the interval) in one of `break_hours` (offsets from the start)."""
    span = np.zeros(n_intervals)
    span[start - first_hour : start - first_hour + hours] = 1.0
    out = []
    for count in range(top + 1):
        splits = (
            [()]
            if not break_hours
            else [c for c in itertools.product(range(count + 1), repeat=len(break_hours))]
        )
        for split in splits:
            if break_hours and sum(split) != count:
                continue
            cover = count * span
            for offset, agents in zip(break_hours, split, strict=True):
                cover = cover.copy()
                cover[start - first_hour + offset] -= 0.5 * agents
            out.append((count, count * hours * rate, {skills: cover}))
    return out


def brute_force(
    columns: list[list[Option]],
    penalty: Callable[[dict[str, np.ndarray]], np.ndarray],
    *,
    feasible: Callable[[np.ndarray], np.ndarray] | None = None,
) -> float:
    """Least cost + penalty over every combination of one option per column.

    penalty: capacity per skill set, arrays (combinations, intervals) -> (combinations,).
    feasible: agents per column, (combinations, columns) -> bool mask for side limits.
    """
    choice = np.array(list(itertools.product(*(range(len(c)) for c in columns))))
    cost = np.zeros(len(choice))
    counts = np.zeros(choice.shape, dtype=int)
    capacity: dict[str, np.ndarray] = {}
    for k, options in enumerate(columns):
        counts[:, k] = np.array([n for n, _, _ in options])[choice[:, k]]
        cost += np.array([c for _, c, _ in options])[choice[:, k]]
        for skills in options[0][2]:
            table = np.array([cover[skills] for _, _, cover in options])
            capacity[skills] = capacity.get(skills, 0.0) + table[choice[:, k]]
    total = cost + penalty(capacity)
    if feasible is not None:
        total = np.where(feasible(counts), total, np.inf)
    return float(total.min())


def one_queue_penalty(required: np.ndarray, shortfall: float, surplus: float, hours: float = 1):
    def penalty(capacity: dict[str, np.ndarray]) -> np.ndarray:
        cap = sum(capacity.values())
        short = np.clip(required - cap, 0, None).sum(axis=1)
        over = np.clip(cap - required, 0, None).sum(axis=1)
        return hours * (shortfall * short + surplus * over)

    return penalty


DEMAND = [1, 2, 2, 3, 1.5, 2, 1, 0.5]
SHAPES = [(s, 4) for s in range(8, 13)] + [(s, 6) for s in range(8, 11)]


def plain_columns(shapes=SHAPES, n=8, top=3):
    return [shift_options(s, h, n, top=top) for s, h in shapes]


def test_objective_equals_brute_force() -> None:
    options = make_options()
    model, result = run_model(make_requirements({"phone": DEMAND}), [make_site()], options)
    assert len(model.x) == len(SHAPES)
    best = brute_force(plain_columns(), one_queue_penalty(np.array(DEMAND), 25, 2))
    assert result.status == "optimal" and result.stopped_by == "optimal"
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert result.bound == pytest.approx(best, abs=1e-4)
    assert result.gap == pytest.approx(0.0, abs=1e-6)


def test_penalties_are_per_agent_hour_on_a_half_hour_grid() -> None:
    demand = [1, 1, 2, 2, 2, 3, 3, 3, 2, 1, 1.5, 2, 1, 1, 0.5, 0]
    rows = [
        (MONDAY + pd.Timedelta(hours=8, minutes=30 * i), "phone", agents)
        for i, agents in enumerate(demand)
    ]
    requirements = pd.DataFrame(rows, columns=["interval_start", "queue", "agents_scheduled"])
    _, result = run_model(requirements, [make_site()], make_options(interval_minutes=30))
    columns = [
        [(n, cost, {k: np.repeat(v, 2) for k, v in cover.items()}) for n, cost, cover in column]
        for column in plain_columns()
    ]
    best = brute_force(columns, one_queue_penalty(np.array(demand), 25, 2, hours=0.5))
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_fractional_demand_may_need_more_agents_than_its_floor() -> None:
    # 1.5 agents short for 4 h costs 0.5 * 4 * 25 = 50 > 40 for a second agent.
    demand = [0, 0, 0, 0, 1.5, 1.5, 1.5, 1.5]
    model, result = run_model(make_requirements({"phone": demand}), [make_site()], make_options())
    best = brute_force(plain_columns(), one_queue_penalty(np.array(demand), 25, 2))
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert int(chosen_shifts(model)["count"].sum()) == 2


@pytest.mark.parametrize(
    "demand", [[1, 2.2, 2.5, 3, 1.7, 2, 1, 0.4], [2, 2, 1, 2, 2, 2, 2, 1], [0, 3, 3, 0.5, 0, 2]]
)
def test_short_if_left_is_the_shortfall_one_agent_less_would_add(cover_form: str, demand) -> None:
    """One queue, no breaks: the shortfall with one agent less on a chosen shift,
    counted interval by interval from the chosen shifts, against the model's rows."""
    requirements = make_requirements({"phone": demand})
    model, _ = run_model(requirements, [make_site()], make_options(shortfall_penalty=1000.0))
    chosen = chosen_shifts(model)
    hours = requirements["interval_start"]
    on_duty = {t: 0 for t in hours}
    for row in chosen.itertuples():
        for t in hours:
            on_duty[t] += row.count * (row.start <= t < row.end)
    need = dict(zip(hours, requirements["agents_scheduled"], strict=True))
    shorts = short_if_left(model)
    assert set(shorts) <= {(r.shift_id, r.queue) for r in chosen.itertuples()}
    for row in chosen.itertuples():
        expected = sum(
            max(0.0, need[t] - on_duty[t] + 1) - max(0.0, need[t] - on_duty[t])
            for t in hours
            if row.start <= t < row.end and need[t] > 0
        )
        assert shorts.get((row.shift_id, row.queue), 0.0) == pytest.approx(expected, abs=1e-6)
    given = chosen_shifts(model, shorts=True)
    assert given.drop(columns="short_if_left").equals(chosen)
    assert [shorts.get((r.shift_id, r.queue), 0.0) for r in chosen.itertuples()] == list(
        given["short_if_left"]
    )


@pytest.mark.parametrize("demand", [[1, 2.2, 2.5, 3, 1.7, 2, 1, 0.4], [2, 2, 1, 2, 2, 2, 2, 1]])
def test_implicit_breaks_equal_brute_force(cover_form: str, demand: list[float]) -> None:
    # 4-hour shifts, a 30-minute break in the middle third (80-160 min): it
    # starts 01:30 or 02:00 into the shift, so each agent loses half of the
    # shift's second or third hour.
    site = make_site(shift_hours=(4.0,))
    options = make_options(break_minutes=30, break_after_hours=4)
    requirements = make_requirements({"phone": demand})
    model, result = run_model(requirements, [site], options)
    assert len(model.breaks) == 5 * 2  # five shifts, two break starts each
    columns = [shift_options(s, 4, 8, break_hours=(1, 2)) for s in range(8, 13)]
    best = brute_force(columns, one_queue_penalty(np.array(demand), 25, 2))
    assert result.objective == pytest.approx(best, abs=1e-6)

    # The planner's schedule realises it: whole agents, concrete breaks.
    planned = schedule_requirements(requirements, sites=[site], options=options)
    schedule = planned.schedule
    assert schedule["break_start"].notna().all()
    offsets = (schedule["break_start"] - schedule["start"]).dt.total_seconds() / 60
    assert set(offsets) <= {90.0, 120.0}
    paid = 10.0 * 4 * len(schedule)
    penalties = 25 * planned.coverage["shortfall"].sum() + 2 * planned.coverage["surplus"].sum()
    assert paid + penalties == pytest.approx(result.objective, abs=1e-6)


def test_break_plan_gives_whole_agents_per_break_start() -> None:
    site = make_site(shift_hours=(4.0,))
    options = make_options(break_minutes=30, break_after_hours=4)
    model, _ = run_model(make_requirements({"phone": [2, 2, 1, 2, 2, 2, 2, 1]}), [site], options)
    plan = break_plan(model)
    chosen = chosen_shifts(model)
    assert list(plan.columns) == ["shift_id", "queue", "break_start", "break_end", "agents"]
    assert (plan["agents"] == plan["agents"].round()).all()
    per_shift = plan.groupby(["shift_id", "queue"])["agents"].sum()
    assert per_shift.to_dict() == {
        (row.shift_id, row.queue): float(row.count) for row in chosen.itertuples()
    }


def test_fixed_and_implicit_breaks_of_mixed_lengths_equal_brute_force() -> None:
    # 3 h shifts have no break; a 6 h shift from 08:00 breaks 10:00-11:30 (the
    # middle third), i.e. half of hour 10 or of hour 11.
    options = make_options(break_minutes=30, break_after_hours=6)
    site = make_site(close_minutes=14 * 60, shift_hours=(3.0, 6.0))
    demand = [2, 3, 3, 2.5, 2, 1]
    _, result = run_model(make_requirements({"phone": demand}), [site], options)
    columns = [shift_options(s, 3, 6, top=5) for s in range(8, 12)]
    columns.append(shift_options(8, 6, 6, top=4, break_hours=(2, 3)))
    best = brute_force(columns, one_queue_penalty(np.array(demand), 25, 2))
    assert result.objective == pytest.approx(best, abs=1e-6)


def blended_penalty(chat, phone, shortfall, surplus):
    """Chat-only agents serve chat first; blended agents cover the rest."""

    def penalty(capacity: dict[str, np.ndarray]) -> np.ndarray:
        both = capacity.get("chat;phone", 0.0)
        only = capacity.get("chat", 0.0)
        rest = np.clip(chat - only, 0, None) + phone
        short = np.clip(rest - both, 0, None)
        over = both + only - chat - phone + short
        return (shortfall * short + surplus * over).sum(axis=1)

    return penalty


TWO_QUEUES = {"chat": [1, 2, 2, 2, 1, 1], "phone": [1, 1, 2, 1, 0, 0]}


def test_two_sites_blended_and_chat_only_equal_brute_force(cover_form: str) -> None:
    options = make_options(shortfall_penalty=30.0, surplus_penalty=1.0)
    both = make_site(name="A", queues=("chat", "phone"), close_minutes=14 * 60, shift_hours=(4.0,))
    chat_only = make_site(
        name="B", queues=("chat",), close_minutes=14 * 60, shift_hours=(4.0,), cost_per_hour=7.0
    )
    model, result = run_model(make_requirements(TWO_QUEUES), [both, chat_only], options)
    rows = [c.name for c in model.problem.constraints()]
    pools = [name for name in rows if name.startswith("pool_")]
    assert bool(pools) == (cover_form != "direct") and len(model.pools) == len(pools)
    assert model.large == (cover_form == "large")
    assert {g for s, g in model.x if s.startswith("B|")} == {("chat",)}
    assert {g for s, g in model.x if s.startswith("A|")} == {("chat", "phone")}
    columns = [shift_options(s, 4, 6, skills="chat;phone", top=3) for s in range(8, 11)]
    columns += [shift_options(s, 4, 6, skills="chat", top=2, rate=7.0) for s in range(8, 11)]
    for column in columns:  # every option knows both skill sets
        for _, _, cover in column:
            cover.setdefault("chat", np.zeros(6))
            cover.setdefault("chat;phone", np.zeros(6))
    chat, phone = np.array(TWO_QUEUES["chat"]), np.array(TWO_QUEUES["phone"])
    best = brute_force(columns, blended_penalty(chat, phone, 30, 1))
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_roster_skill_groups_and_their_headcount_equal_brute_force(cover_form: str) -> None:
    # One site, two skill groups: 1 agent with chat and phone, 2 with chat only.
    options = make_options(shortfall_penalty=30.0, surplus_penalty=1.0)
    site = make_site(queues=("chat", "phone"), close_minutes=14 * 60, shift_hours=(4.0,))
    groups = [
        SkillGroup("Test", ("chat",), agents=2, hours=40.0, available=(2,) * 7),
        SkillGroup("Test", ("chat", "phone"), agents=1, hours=40.0, available=(1,) * 7),
    ]
    model, result = run_model(make_requirements(TWO_QUEUES), [site], options, groups=groups)
    names = {c.name for c in model.problem.constraints()}
    assert {"headcount_Test_chat_20261123", "hours_Test_chat_phone_week_20261123"} <= names
    columns = [shift_options(s, 4, 6, skills="chat;phone", top=1) for s in range(8, 11)]
    columns += [shift_options(s, 4, 6, skills="chat", top=2) for s in range(8, 11)]
    for column in columns:
        for _, _, cover in column:
            cover.setdefault("chat", np.zeros(6))
            cover.setdefault("chat;phone", np.zeros(6))
    chat, phone = np.array(TWO_QUEUES["chat"]), np.array(TWO_QUEUES["phone"])

    def feasible(counts: np.ndarray) -> np.ndarray:  # one shift a day per agent
        return (counts[:, :3].sum(axis=1) <= 1) & (counts[:, 3:].sum(axis=1) <= 2)

    best = brute_force(columns, blended_penalty(chat, phone, 30, 1), feasible=feasible)
    free = brute_force(columns, blended_penalty(chat, phone, 30, 1))
    assert best > free  # the group limits bind
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_many_skill_groups_pool_their_capacity_with_the_same_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every mix of four queues is a skill group: the cover rows of each interval
    (one per Hall set, up to 15) would repeat every group's shift terms, so the
    model pools them (one capacity variable per group and interval); the optimum
    is the direct form's, with a fraction of its nonzeros."""
    queues = ("billing", "chat", "email", "phone")
    site = make_site(queues=queues, close_minutes=20 * 60)  # 4- and 6-hour shifts
    mixes = [m for k in range(1, 5) for m in itertools.combinations(queues, k)]
    groups = [SkillGroup("Test", m, agents=1, hours=40.0, available=(1,) * 7) for m in mixes]
    demand = {q: [0.6, 1.2, 1.5, 0.9, 0.7, 0.4, 0.8, 1.1, 0.5, 0.3, 0.6, 0.2] for q in queues}
    options = make_options(shortfall_penalty=30.0, surplus_penalty=1.0)
    pooled, by_pools = run_model(make_requirements(demand), [site], options, groups=groups)
    monkeypatch.setattr(model_module, "POOL_RATIO", float("inf"))
    direct, by_rows = run_model(make_requirements(demand), [site], options, groups=groups)
    assert pooled.pools and not direct.pools
    assert by_pools.status == by_rows.status == "optimal"
    assert by_pools.objective == pytest.approx(by_rows.objective, abs=1e-6)

    def nonzeros(model) -> int:
        rows = model.problem.constraints()
        return sum(len(c) for c in rows if c.name.startswith(("cover", "pool")))

    assert nonzeros(pooled) < nonzeros(direct) / 2
    # From the second pooled interval on, a group's row is written on the one before.
    pools = [c for c in pooled.problem.constraints() if c.name.startswith("pool")]
    assert any(sum(v.name.startswith("cap_") for v, _ in row.items()) == 2 for row in pools)
    # Large by its cover rows written directly, however small pooling writes them.
    written = sum(len(c) for c in pooled.problem.constraints())
    monkeypatch.setattr(rounding_module, "LARGE_NONZEROS", nonzeros(direct))
    assert written < nonzeros(direct)
    monkeypatch.setattr(model_module, "POOL_RATIO", 0.0)
    shifts = pooled.shifts.reset_index(drop=True)
    again = build_model(
        make_requirements(demand), shifts, sites=[site], options=options, groups=groups
    )
    assert again.large and is_large_model(again) and not rounding_module.is_large(again.problem)


def test_rest_rows_on_running_sums_keep_the_optimum_and_the_large_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rest rows on running sums (`limits.REST_SUMS_FROM`, for very large
    programmes) give the optimum of the direct rows, and such a programme is
    solved as a large one (interior point) whatever its size with the sums."""
    options = make_options(shortfall_penalty=30.0, surplus_penalty=1.0)
    site = make_site(queues=("chat", "phone"), close_minutes=22 * 60, shift_hours=(4.0, 6.0))
    groups = [
        SkillGroup("Test", ("chat",), agents=2, hours=40.0, available=(2,) * 7),
        SkillGroup("Test", ("chat", "phone"), agents=1, hours=40.0, available=(1,) * 7),
    ]
    # A week whose Monday evening (16-22) and Tuesday morning (08-12) are less
    # than 11 hours apart.
    chat = [0.0] * 8 + [2.0] * 6 + [0.0] * 10 + [2.0] * 4
    phone = [0.0] * 10 + [1.0] * 3 + [0.0] * 11 + [1.0] * 2
    demand = make_requirements({"chat": chat, "phone": phone}, hours=7 * 24)
    grid = demand["interval_start"]
    shifts = generate_shifts([site], start=grid.min(), end=grid.max() + pd.Timedelta(hours=1))
    built = {}
    for form, threshold, rest in (
        ("direct", limits_module.REST_SUMS_FROM, 11.0),
        ("sums", 0, 11.0),
        ("no rest", limits_module.REST_SUMS_FROM, 0.0),
    ):
        monkeypatch.setattr(limits_module, "REST_SUMS_FROM", threshold)
        ruled = dataclasses.replace(options, min_rest_hours=rest)
        model = build_model(demand, shifts, sites=[site], options=ruled, groups=groups)
        result = solve_problem(model.problem, solver="highs", time_limit_seconds=20, gap=0.0)
        built[form] = (model, result)
    (direct, by_rows), (summed, by_sums) = built["direct"], built["sums"]
    assert summed.large and not direct.large
    for model, kind in ((summed, "restsum_"), (direct, "rest_")):
        assert any(c.name.startswith(kind) for c in model.problem.constraints())
    assert not any(c.name.startswith("restsum_") for c in direct.problem.constraints())
    assert by_rows.status == by_sums.status == "optimal"
    assert by_sums.objective == pytest.approx(by_rows.objective, abs=1e-6)
    assert by_rows.objective > built["no rest"][1].objective + 1.0  # the rest rows bind
    assert is_large_model(summed) and not is_large_model(direct)
    note = " ".join(solve(summed, time_limit_seconds=20, gap=0.0).notes)
    assert "interior point" in note


def test_blended_agents_never_cost_more_than_dedicated_ones() -> None:
    # Half an agent of chat and half of phone, hour after hour: one blended
    # agent covers both; dedicated agents need two, or take the shortfall.
    demand = {"chat": [0.5] * 8, "phone": [0.5] * 8}
    site = make_site(queues=("chat", "phone"))
    options = make_options(shortfall_penalty=25.0, surplus_penalty=2.0)
    _, result = run_model(make_requirements(demand), [site], options)
    chat, phone = np.array(demand["chat"]), np.array(demand["phone"])

    def dedicated(capacity: dict[str, np.ndarray]) -> np.ndarray:
        short = np.clip(chat - capacity["chat"], 0, None) + np.clip(
            phone - capacity["phone"], 0, None
        )
        over = np.clip(capacity["chat"] - chat, 0, None) + np.clip(
            capacity["phone"] - phone, 0, None
        )
        return (25 * short + 2 * over).sum(axis=1)

    # Dedicated agents: one column per shift and queue; more than one agent on
    # a shift never helps a demand of half an agent.
    columns = []
    for queue, other in (("chat", "phone"), ("phone", "chat")):
        for s, h in SHAPES:
            column = shift_options(s, h, 8, skills=queue, top=1)
            for _, _, cover in column:
                cover[other] = np.zeros(8)
            columns.append(column)
    separate = brute_force(columns, dedicated)
    blended = brute_force(
        [shift_options(s, h, 8, skills="all", top=2) for s, h in SHAPES],
        lambda cap: one_queue_penalty(chat + phone, 25, 2)(cap),
    )
    assert result.objective == pytest.approx(blended, abs=1e-6)
    assert blended < separate


def test_hall_sets_are_the_closed_connected_sets() -> None:
    nested = [("chat", "email", "phone"), ("chat", "phone"), ("email",)]
    got = [q for q, _ in hall_sets(["chat", "email", "phone"], nested)]
    assert got == [("email",), ("chat", "phone"), ("chat", "email", "phone")]
    apart = [q for q, _ in hall_sets(["chat", "phone"], [("chat",), ("phone",)])]
    assert apart == [("chat",), ("phone",)]
    one = hall_sets(["chat", "phone"], [("chat", "phone")])
    assert one == [(("chat", "phone"), (("chat", "phone"),))]


def _closed_connected_sets(
    queues: Sequence[str], groups: Sequence[tuple[str, ...]]
) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    """The definition, by brute force over every set of queues (each served by
    some group): closed (every queue served only by groups reaching the set is
    in it) and connected (its queues linked through shared groups)."""
    serving = {q: {g for g in groups if q in g} for q in queues}
    out = []
    for size in range(1, len(queues) + 1):
        for members in itertools.combinations(sorted(queues), size):
            reach = set().union(*(serving[q] for q in members))
            if any(q not in members and serving[q] <= reach for q in queues):
                continue
            linked, todo = {members[0]}, [members[0]]
            while todo:
                q = todo.pop()
                for other in members:
                    if other not in linked and serving[q] & serving[other]:
                        linked.add(other)
                        todo.append(other)
            if len(linked) == len(members):
                out.append((members, tuple(sorted(reach))))
    return sorted(out, key=lambda pair: (len(pair[0]), pair[0]))


QUEUES6 = ("a", "b", "c", "d", "e", "f")


def skill_sets(queues: Sequence[str], most: int) -> st.SearchStrategy:
    """1 to `most` distinct skill groups (sorted tuples) over `queues`."""
    group = st.sets(st.sampled_from(queues), min_size=1).map(lambda s: tuple(sorted(s)))
    return st.lists(group, min_size=1, max_size=most, unique=True)


@settings(max_examples=200, deadline=None)
@given(skill_sets(QUEUES6, 7), st.sets(st.sampled_from(QUEUES6), min_size=1))
def test_hall_sets_equal_the_closed_connected_sets_by_brute_force(groups, wanted) -> None:
    queues = sorted(q for q in wanted if any(q in g for g in groups))
    if not queues:
        return
    groups = sorted(groups)
    assert hall_sets(queues, groups) == _closed_connected_sets(queues, groups)


def _least_weighted_short(cover: str, groups, capacity, base, need, weights) -> float:
    """min sum_q w_q short_q over one interval's cover, written as Hall rows or as
    an allocation (`allocation_rows`); each group's capacity a fixed variable."""
    problem = pulp.LpProblem("cover", pulp.LpMinimize)
    queues = sorted(q for q in need if any(q in g for g in groups))
    short = {q: problem.add_variable(f"s_{q}", lowBound=0, upBound=need[q]) for q in queues}
    on = {
        g: problem.add_variable(f"v_{k}", lowBound=c, upBound=c)
        for k, (g, c) in enumerate(zip(groups, capacity, strict=True))
    }
    terms = {g: [(on[g], 1.0)] for g in groups}
    if cover == "hall":
        for queue_set, reach in hall_sets(queues, groups):
            row = [(short[q], 1.0) for q in queue_set]
            row += [term for g in reach for term in terms[g]]
            total = sum(need[q] for q in queue_set) - sum(base[g] for g in reach)
            problem += (pulp.LpAffineExpression(row) >= total, f"cover_{'_'.join(queue_set)}")
    else:
        allocation_rows(problem, "0", queues, short, {q: need[q] for q in queues}, terms, base)
    problem.setObjective(pulp.lpSum(weights[q] * short[q] for q in queues))
    solve_problem(problem, solver="highs", time_limit_seconds=30, gap=0.0)
    return float(pulp.value(problem.objective) or 0.0)


QUEUES4 = ("a", "b", "c", "d")


@settings(max_examples=60, deadline=None)
@given(
    skill_sets(QUEUES4, 5),
    st.lists(st.integers(0, 6), min_size=5, max_size=5),
    st.lists(st.integers(0, 3), min_size=5, max_size=5),
    st.lists(st.integers(0, 8), min_size=4, max_size=4),
    st.lists(st.integers(1, 5), min_size=4, max_size=4),
)
def test_allocation_rows_allow_what_the_hall_rows_allow(groups, caps, bases, needs, weights):
    """Gale's theorem, checked: the least weighted shortfall of one interval is the
    same under its Hall rows and under the allocation, for random weights (so the
    two sets of shortfalls agree)."""
    groups = sorted(groups)
    capacity = [c / 2 for c in caps[: len(groups)]]
    base = {g: b / 2 for g, b in zip(groups, bases, strict=False)}
    need = {q: n / 2 for q, n in zip(QUEUES4, needs, strict=True)}
    weight = dict(zip(QUEUES4, weights, strict=True))
    hall = _least_weighted_short("hall", groups, capacity, base, need, weight)
    allocated = _least_weighted_short("allocation", groups, capacity, base, need, weight)
    assert allocated == pytest.approx(hall, abs=1e-6)


def test_too_many_hall_sets_give_the_same_optimum_as_an_allocation(monkeypatch) -> None:
    """An interval past HALL_SETS_MOST sets is written as an allocation: the same
    optimum as its Hall rows (the 7 skill mixes of three queues)."""
    nested = [("chat", "email", "phone"), ("chat", "phone"), ("email",)]
    assert hall_sets(["chat", "email", "phone"], nested, most=2) is None
    assert len(hall_sets(["chat", "email", "phone"], nested, most=3)) == 3
    queues = ("chat", "email", "phone")
    site = make_site(queues=queues, close_minutes=16 * 60)  # small: exact within 20 s loaded
    mixes = [m for k in range(1, 4) for m in itertools.combinations(queues, k)]
    groups = [SkillGroup("Test", m, agents=1, hours=40.0, available=(1,) * 7) for m in mixes]
    demand = {q: [0.6, 1.2, 1.5, 0.9, 0.7, 0.4, 0.8, 1.1] for q in queues}
    options = make_options(shortfall_penalty=30.0, surplus_penalty=1.0)
    _, by_rows = run_model(make_requirements(demand), [site], options, groups=groups)
    monkeypatch.setattr(model_module, "HALL_SETS_MOST", 1)
    model, allocated = run_model(make_requirements(demand), [site], options, groups=groups)
    names = [c.name for c in model.problem.constraints()]
    assert not any(n.startswith("cover") for n in names)
    assert any(n.startswith("supply") for n in names)
    assert allocated.status == by_rows.status == "optimal"
    assert allocated.objective == pytest.approx(by_rows.objective, abs=1e-6)


def test_daily_headcount_limit_equals_brute_force_and_is_reported() -> None:
    options = make_options()
    site = make_site(max_agents=2)
    requirements = make_requirements({"phone": DEMAND})
    model, result = run_model(requirements, [site], options)
    columns = plain_columns(top=2)
    penalty = one_queue_penalty(np.array(DEMAND), 25, 2)
    best = brute_force(columns, penalty, feasible=lambda counts: counts.sum(axis=1) <= 2)
    unlimited = brute_force(plain_columns(), penalty)
    assert best > unlimited  # the limit really binds
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert "headcount_Test_20261123" in model.headcount

    planned = schedule_requirements(requirements, sites=[site], options=options)
    assert "site 'Test': max_agents 2 reached on 2026-11-23" in planned.binding
    assert planned.coverage["shortfall"].sum() > 0
    assert planned.schedule["agent"].nunique() <= 2


def test_weekly_headcount_limit_equals_brute_force() -> None:
    # Two days, 08:00-12:00; max 2 agents x 1 day a week = 2 shifts in all.
    options = make_options(max_days_per_week=1, shortfall_penalty=30.0)
    site = make_site(
        close_minutes=12 * 60, shift_hours=(2.0, 4.0), start_step_minutes=120, max_agents=2
    )
    day = {"phone": [2, 2, 1, 1] + [0] * 20 + [2, 2, 2, 2]}
    requirements = make_requirements(day, hours=28)
    model, result = run_model(requirements, [site], options)
    shapes = [(8, 2), (8, 4), (10, 2), (32, 2), (32, 4), (34, 2)]
    columns = [shift_options(s, h, 28, top=2) for s, h in shapes]

    def feasible(c: np.ndarray) -> np.ndarray:
        return (c[:, :3].sum(axis=1) <= 2) & (c[:, 3:].sum(axis=1) <= 2) & (c.sum(axis=1) <= 2)

    penalty = one_queue_penalty(np.array(day["phone"], dtype=float), 30, 2)
    best = brute_force(columns, penalty, feasible=feasible)
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert any(limit.period == "week" for limit in model.headcount.values())

    planned = schedule_requirements(requirements, sites=[site], options=options)
    assert any("max_days_per_week 1 = 2 shifts reached" in b for b in planned.binding)


@pytest.mark.parametrize("days_off", [0, 2])
def test_days_off_in_a_row_equal_brute_force(days_off: int) -> None:
    # One agent, one 8-hour shift a day, a cyclic week. Wednesday and Sunday need
    # least, so five days a week alone leaves them off; two days off in a row
    # must pick a consecutive pair instead (Sunday-Monday wraps round the week).
    need = [1.0, 1.0, 0.6, 1.0, 1.0, 1.0, 0.6]
    options = make_options(cyclic=True, consecutive_days_off=days_off, min_rest_hours=0)
    site = make_site(shift_hours=(8.0,), max_agents=1)
    rows = [
        (MONDAY + pd.Timedelta(days=d, hours=h), "phone", need[d] if 8 <= h < 16 else 0.0)
        for d in range(7)
        for h in range(24)
    ]
    requirements = pd.DataFrame(rows, columns=["interval_start", "queue", "agents_scheduled"])
    _, result = run_model(requirements, [site], options)

    def cost(worked: tuple[int, ...]) -> float:
        # Paid 8 h at 10; a worked day has 1 - need surplus (2 per agent-hour), an
        # idle one need short (25 + 2 per agent-hour) less the surplus it saves.
        total = 0.0
        for d in range(7):
            if d in worked:
                total += 80 + 8 * 2 * (1 - need[d])
            else:
                total += 8 * 25 * need[d]
        return total

    def allowed(worked: tuple[int, ...]) -> bool:
        free = set(range(7)) - set(worked)
        return days_off == 0 or any({d, (d + 1) % 7} <= free for d in range(7))

    weeks = [w for k in range(6) for w in itertools.combinations(range(7), k) if allowed(w)]
    best = min(weeks, key=cost)
    assert result.objective == pytest.approx(cost(best), abs=1e-6)
    assert (set(range(7)) - set(best) == {2, 6}) == (days_off == 0)

    planned = schedule_requirements(requirements, sites=[site], options=options)
    assert planned.unfilled.empty
    worked = tuple(sorted(planned.schedule["start"].dt.day_of_week))
    assert allowed(worked)
    assert cost(worked) == pytest.approx(cost(best), abs=1e-6)  # ties: Sat-Sun or Sun-Mon off


def test_constraints_are_named_after_their_domain() -> None:
    options = make_options(break_minutes=30, break_after_hours=6)
    model, _ = run_model(make_requirements({"phone": DEMAND}), [make_site(max_agents=5)], options)
    names = {c.name for c in model.problem.constraints()}
    assert "cover_phone_20261123T0800" in names
    assert "headcount_Test_20261123" in names
    assert "headcount_Test_week_20261123" in names
    assert "breaks_Test_20261123T0800_6h_phone" in names


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_both_solvers_reach_the_brute_force_optimum(solver: str) -> None:
    _, result = run_model(
        make_requirements({"phone": DEMAND}), [make_site()], make_options(), solver=solver
    )
    best = brute_force(plain_columns(), one_queue_penalty(np.array(DEMAND), 25, 2))
    assert result.solver == solver
    assert result.notes == ()
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert result.bound == pytest.approx(best, abs=1e-4)


def test_both_solvers_agree_on_a_larger_instance() -> None:
    rng = np.random.default_rng(3)
    demand = {q: list(rng.integers(0, 5, size=24).astype(float)) for q in ("chat", "phone")}
    site = make_site(
        open_minutes=0,
        close_minutes=1440,
        queues=("chat", "phone"),
        shift_hours=(6.0, 8.0),
        start_step_minutes=120,
    )
    options = make_options(gap=0.0, break_minutes=30)
    objectives = {
        solver: run_model(make_requirements(demand, first_hour=0), [site], options, solver)[1]
        for solver in ("highs", "cbc")
    }
    assert objectives["highs"].objective == pytest.approx(objectives["cbc"].objective, abs=1e-6)


def hide_highspy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "highspy", None)  # import highspy -> ImportError


def hide_cbc(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("PULP_CBC_CMD", "COIN_CMD"):
        monkeypatch.setattr(getattr(pulp, kind), "available", lambda self: False)


def test_missing_highspy_falls_back_to_cbc_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_highspy(monkeypatch)
    assert available_solvers() == ("cbc",)
    _, result = run_model(make_requirements({"phone": DEMAND}), [make_site()], make_options())
    assert result.solver == "cbc"
    assert any("highspy" in note for note in result.notes)


def test_unavailable_cbc_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_cbc(monkeypatch)
    with pytest.raises(SolverUnavailableError, match="CBC is not available"):
        run_model(make_requirements({"phone": DEMAND}), [make_site()], make_options(), "cbc")


def test_no_solver_at_all_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    hide_highspy(monkeypatch)
    hide_cbc(monkeypatch)
    assert available_solvers() == ()
    with pytest.raises(SolverUnavailableError, match="highspy is not installed"):
        run_model(make_requirements({"phone": DEMAND}), [make_site()], make_options())


def test_chosen_shifts_needs_a_solved_model() -> None:
    requirements = make_requirements({"phone": DEMAND})
    options = make_options()
    shifts = generate_shifts(
        [make_site()],
        start=MONDAY + pd.Timedelta(hours=8),
        end=MONDAY + pd.Timedelta(hours=16),
    )
    model = build_model(requirements, shifts, sites=[make_site()], options=options)
    with pytest.raises(InputError, match="not been solved"):
        chosen_shifts(model)
    solve(model, solver="highs", time_limit_seconds=10, gap=0)
    chosen = chosen_shifts(model)
    assert (chosen["count"] > 0).all()
    assert list(chosen.columns[-2:]) == ["queue", "count"]


def multi_queue_case():
    rng = np.random.default_rng(7)
    demand = {q: list(np.round(rng.uniform(0, 3, size=24), 2)) for q in ("chat", "email", "phone")}
    sites = [
        make_site(
            name="Manila",
            timezone="Asia/Manila",
            open_minutes=0,
            close_minutes=1440,
            queues=("chat", "email", "phone"),
            shift_hours=(8.0, 9.0),
            start_step_minutes=120,
            cost_per_hour=12.0,
        ),
        make_site(
            name="Dublin",
            timezone="Europe/Dublin",
            queues=("chat", "phone"),
            shift_hours=(8.0,),
            start_step_minutes=60,
            cost_per_hour=30.0,
        ),
    ]
    options = make_options(
        break_minutes=30, shortfall_penalty=500.0, surplus_penalty=0.01, cyclic=True, gap=0.0
    )
    return make_requirements(demand, first_hour=0), sites, options


def test_planner_output_is_deterministic_and_consistent() -> None:
    requirements, sites, options = multi_queue_case()
    first = schedule_requirements(requirements, sites=sites, options=options)
    second = schedule_requirements(requirements, sites=sites, options=options)
    pd.testing.assert_frame_equal(first.schedule, second.schedule)
    pd.testing.assert_frame_equal(first.coverage, second.coverage)
    assert first.binding == second.binding
    assert first.solve.objective == second.solve.objective
    assert tuple(first.schedule.columns) == SCHEDULE_COLUMNS
    assert tuple(first.coverage.columns) == COVERAGE_COLUMNS
    assert first.unfilled.empty
    assert first.schedule.equals(
        first.schedule.sort_values(["start", "site", "agent"], ignore_index=True)
    )
    assert set(first.schedule["queue"]) <= {"chat;email;phone", "chat;phone"}
    assert first.schedule["break_start"].notna().all()
    # Nothing unfilled: the final schedule realises the programme's solution, so
    # its cost and coverage reproduce the objective.
    rate = {site.name: site.cost_per_hour for site in sites}
    hours = (first.schedule["end"] - first.schedule["start"]).dt.total_seconds() / 3600
    paid = (hours * first.schedule["site"].map(rate)).sum()
    penalties = (
        options.shortfall_penalty * first.coverage["shortfall"].sum()
        + options.surplus_penalty * first.coverage["surplus"].sum()
    )
    assert paid + penalties == pytest.approx(first.solve.objective, rel=1e-9)
    # Without premiums the result's cost is each shift's hours at its site's rate.
    per_site = (hours * first.schedule["site"].map(rate)).groupby(first.schedule["site"]).sum()
    assert first.site_costs == pytest.approx(per_site.to_dict(), rel=1e-12)
    assert set(first.site_costs) == set(first.schedule["site"])  # sites with shifts
    assert first.cost == pytest.approx(paid, rel=1e-12)
    assert first.schedule["timezone"].isin(["Asia/Manila", "Europe/Dublin"]).all()


def test_planner_never_mutates_its_inputs() -> None:
    requirements, sites, options = multi_queue_case()
    before = requirements.copy()
    schedule_requirements(requirements, sites=sites, options=options)
    pd.testing.assert_frame_equal(requirements, before)


def test_coverage_counts_partial_intervals_breaks_and_wrap() -> None:
    requirements = make_requirements({"phone": [1, 1, 1, 1]}, first_hour=8)
    schedule = pd.DataFrame(
        {
            "agent": ["a", "b"],
            "site": ["Test", "Test"],
            "start": pd.to_datetime(["2026-11-23 08:30Z", "2026-11-23 10:00Z"]),
            "end": pd.to_datetime(["2026-11-23 11:00Z", "2026-11-23 13:00Z"]),
            "timezone": ["UTC", "UTC"],
            "break_start": pd.to_datetime(["2026-11-23 09:00Z", None], utc=True),
            "break_end": pd.to_datetime(["2026-11-23 09:30Z", None], utc=True),
            "queue": ["phone", "phone"],
        }
    )
    cyclic = coverage_frame(requirements, schedule, options=make_options(cyclic=True))
    assert list(cyclic["scheduled"]) == [1.5, 0.5, 2.0, 1.0]  # 12:00-13:00 wraps to 08:00
    assert list(cyclic["shortfall"]) == [0.0, 0.5, 0.0, 0.0]
    assert list(cyclic["surplus"]) == [0.5, 0.0, 1.0, 0.0]
    cut = coverage_frame(requirements, schedule, options=make_options(cyclic=False))
    assert list(cut["scheduled"]) == [0.5, 0.5, 2.0, 1.0]


def hour_schedule(*queues: str) -> pd.DataFrame:
    """One agent per label, all on duty 08:00-09:00 on MONDAY."""
    n = len(queues)
    return pd.DataFrame(
        {
            "agent": [f"a{k}" for k in range(n)],
            "site": ["Test"] * n,
            "start": [MONDAY + pd.Timedelta(hours=8)] * n,
            "end": [MONDAY + pd.Timedelta(hours=9)] * n,
            "timezone": ["UTC"] * n,
            "break_start": pd.to_datetime([None] * n, utc=True),
            "break_end": pd.to_datetime([None] * n, utc=True),
            "queue": list(queues),
        }
    )


def cover_of(demand: dict[str, float], *queues: str) -> dict[str, tuple[float, float, float]]:
    requirements = make_requirements({q: [r] for q, r in demand.items()})
    frame = coverage_frame(requirements, hour_schedule(*queues), options=make_options())
    return {row.queue: (row.scheduled, row.shortfall, row.surplus) for row in frame.itertuples()}


def test_coverage_shares_blended_agents_by_requirement() -> None:
    # Short: one agent for 3 agents of demand, shared 2:1.
    got = cover_of({"chat": 2.0, "phone": 1.0}, "chat;phone")
    assert got["chat"] == pytest.approx((2 / 3, 4 / 3, 0.0))
    assert got["phone"] == pytest.approx((1 / 3, 2 / 3, 0.0))
    # Over: the spare agent goes by requirement too, never short and over at once.
    got = cover_of({"chat": 0.5, "phone": 0.25}, "chat;phone", "chat;phone")
    assert got["chat"] == pytest.approx((4 / 3, 0.0, 4 / 3 - 0.5))
    assert got["phone"] == pytest.approx((2 / 3, 0.0, 2 / 3 - 0.25))
    # No requirement at all: evenly.
    got = cover_of({"chat": 0.0, "phone": 0.0}, "chat;phone")
    assert got["chat"] == pytest.approx((0.5, 0.0, 0.5))


def test_coverage_with_overlapping_skills_leaves_the_least_shortfall() -> None:
    # The chat-only agent takes chat, so the blended one can take phone.
    got = cover_of({"chat": 1.0, "phone": 1.0}, "chat", "chat;phone")
    assert got["chat"] == pytest.approx((1.0, 0.0, 0.0))
    assert got["phone"] == pytest.approx((1.0, 0.0, 0.0))
    # Short everywhere: chat-only covers chat; the shortfall of the queues the
    # blended agent serves is spread evenly relative to demand.
    got = cover_of({"chat": 3.0, "phone": 1.0, "email": 1.0}, "chat", "chat;email;phone")
    assert got["chat"][0] + got["phone"][0] + got["email"][0] == pytest.approx(2.0)
    assert got["chat"][1] / 3 == pytest.approx(got["phone"][1] / 1, abs=1e-6)
    assert got["phone"][1] == pytest.approx(got["email"][1], abs=1e-6)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.drop(columns="agents_scheduled"), "missing column"),
        (lambda r: r.assign(queue="billing"), "'billing' are served by no site"),
        (lambda r: r.assign(agents_scheduled=-1.0), "must be a number >= 0"),
        (lambda r: r.assign(agents_scheduled=np.nan), "must be a number >= 0"),
        (lambda r: r.iloc[[0, 1, 3]], "not a regular 60-minute grid"),
        (lambda r: pd.concat([r, r.iloc[[0]]]), "duplicate"),
        (
            lambda r: r.assign(interval_start=r["interval_start"].dt.tz_localize(None)),
            "timezone-aware",
        ),
        (lambda r: r.iloc[0:0], "no rows"),
    ],
)
def test_requirements_are_validated(mutate, message: str) -> None:
    requirements = mutate(make_requirements({"phone": DEMAND}))
    with pytest.raises(InputError, match=message):
        schedule_requirements(requirements, sites=[make_site()], options=make_options())


def test_zero_demand_gives_an_empty_schedule_and_an_exact_bound() -> None:
    requirements = make_requirements({"phone": [0.0] * 8})
    result = schedule_requirements(requirements, sites=[make_site()], options=make_options())
    assert result.schedule.empty and result.unfilled.empty
    assert tuple(result.schedule.columns) == SCHEDULE_COLUMNS
    assert (result.solve.objective, result.solve.bound, result.solve.gap) == (0.0, 0.0, 0.0)
    assert result.binding == []


def test_roster_size_caps_the_programme_and_is_reported() -> None:
    requirements = make_requirements({"phone": DEMAND})
    staff = pd.DataFrame({"agent": ["ana"], "site": ["Test"]})
    result = schedule_requirements(
        requirements, sites=[make_site(max_agents=5)], options=make_options(), roster=staff
    )
    assert "site 'Test': roster of 1 agent(s) reached on 2026-11-23" in result.binding
    assert list(result.schedule["agent"]) == ["ana"]
    assert list(result.schedule["queue"]) == ["phone"]
    assert result.unfilled.empty


def test_roster_skill_groups_reach_the_schedule(cover_form: str) -> None:
    demand = {"chat": [1, 1, 1, 1, 0, 0, 0, 0], "phone": [0, 0, 0, 0, 1, 1, 1, 1]}
    site = make_site(queues=("chat", "phone"), shift_hours=(4.0,))
    staff = pd.DataFrame(
        {"agent": ["ana", "ben"], "site": ["Test", "Test"], "skills": ["chat", "phone"]}
    )
    result = schedule_requirements(
        make_requirements(demand), sites=[site], options=make_options(), roster=staff
    )
    assert result.unfilled.empty
    got = {row.agent: (f"{row.start:%H:%M}", row.queue) for row in result.schedule.itertuples()}
    assert got == {"ana": ("08:00", "chat"), "ben": ("12:00", "phone")}
    assert result.coverage["shortfall"].sum() == 0


def test_site_without_roster_agents_is_reported() -> None:
    requirements = make_requirements({"phone": DEMAND})
    other = make_site(name="Other")
    staff = pd.DataFrame({"agent": ["ana"], "site": ["Other"]})
    result = schedule_requirements(
        requirements, sites=[make_site(), other], options=make_options(), roster=staff
    )
    assert "site 'Test': the roster has no agents there, so it staffs no shifts" in result.binding
    assert set(result.schedule["site"]) == {"Other"}


def test_cyclic_horizon_too_short_for_a_shift_and_its_rest_is_reported() -> None:
    # An 8-hour horizon that repeats cannot hold an 8-hour shift plus 11 hours' rest.
    requirements = make_requirements({"phone": DEMAND})
    result = schedule_requirements(
        requirements, sites=[make_site(shift_hours=(8.0,))], options=make_options(cyclic=True)
    )
    assert result.schedule.empty and result.unfilled.empty
    assert any(b.startswith("scheduling.cyclic: the 8-hour horizon") for b in result.binding)


def test_solve_reports_why_it_stopped() -> None:
    _, result = run_model(make_requirements({"phone": DEMAND}), [make_site()], make_options())
    assert result.stopped_by == "optimal"
    requirements, sites, options = multi_queue_case()
    shifts = generate_shifts(sites, start=MONDAY, end=MONDAY + pd.Timedelta(days=1))
    model = build_model(requirements, shifts, sites=sites, options=options)
    loose = solve(model, solver="highs", time_limit_seconds=20, gap=0.5)
    assert loose.stopped_by in ("gap", "optimal")
    assert loose.gap is not None and loose.gap <= 0.5


def test_runs_past_the_documented_sizes_are_refused_before_any_work() -> None:
    """1-minute start steps (3.7 GB) and a 10,000-agent roster (8.3 GB) ran past 10
    minutes with no message."""
    from scheduling.shifts.planner import MAX_ROSTER_AGENTS, check_size

    horizon = (pd.Timestamp("2026-11-23", tz="UTC"), pd.Timestamp("2026-12-21", tz="UTC"))
    fine = make_site(start_step_minutes=15, shift_hours=(4.0, 6.0, 8.0))
    check_size([fine], horizon=horizon, agents=None)
    with pytest.raises(InputError, match="start_step_minutes must divide a day and be at least 5"):
        make_site(start_step_minutes=1)
    dense = make_site(open_minutes=0, close_minutes=1440, start_step_minutes=5)
    dense = dataclasses.replace(dense, shift_hours=tuple(float(h) for h in range(4, 13)))
    eight_weeks = (horizon[0], horizon[0] + pd.Timedelta(weeks=8))
    with pytest.raises(InputError, match="candidate shifts"):
        check_size([dense, dataclasses.replace(dense, name="B")], horizon=eight_weeks, agents=None)
    with pytest.raises(InputError, match="roster"):
        check_size([fine], horizon=horizon, agents=[object()] * (MAX_ROSTER_AGENTS + 1))


def test_priced_instants_keep_their_shifts_uncapped() -> None:
    """A shift that works only where nothing is required is left out, unless it
    works in a `priced` instant (a Lagrangian credits agents there): then it is
    kept, and the requirement elsewhere does not cap its agents."""
    site = make_site(max_agents=None)
    need = make_requirements({"phone": [1.0] * 4 + [0.0] * 8})
    grid = need["interval_start"]
    shifts = generate_shifts([site], start=grid.min(), end=grid.max() + pd.Timedelta(hours=1))
    late = grid[grid >= MONDAY + pd.Timedelta(hours=14)]
    options = make_options()
    plain = build_model(need, shifts, sites=[site], options=options)
    priced = build_model(need, shifts, sites=[site], options=options, priced=late)
    starts = shifts.set_index("shift_id")["start"]
    idle = set(starts.index[starts >= MONDAY + pd.Timedelta(hours=12)])  # after the demand
    assert idle
    assert not idle & {s for s, _ in plain.x}
    assert idle <= {s for s, _ in priced.x}
    for (shift_id, _), var in priced.x.items():
        if shift_id in idle:
            assert var.upBound is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(1, 6), st.sampled_from(["a", "b", "a;b"])),
        max_size=4,
    ),
    st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=24, max_size=24),
)
def test_shortfall_within_counts_each_reached_cell_once(spans, shortfalls) -> None:
    """Against a cell-by-cell count: a cell counts when its queue is one of a
    span's and its interval overlaps the span (here half-hour intervals, spans
    on the hour grid of 30-minute steps)."""
    from scheduling.shifts.coverage import shortfall_within

    grid = pd.date_range(MONDAY, periods=12, freq="30min")
    coverage = pd.DataFrame(
        {
            "interval_start": list(grid) * 2,
            "queue": ["a"] * 12 + ["b"] * 12,
            "required": 3.0,
            "scheduled": [3.0 - s for s in shortfalls],
            "shortfall": shortfalls,
            "surplus": 0.0,
        }
    )
    frame = pd.DataFrame(
        {
            "start": [MONDAY + pd.Timedelta(minutes=30 * s) for s, _, _ in spans],
            "end": [MONDAY + pd.Timedelta(minutes=30 * (s + n)) for s, n, _ in spans],
            "queue": [label for _, _, label in spans],
        }
    )
    expected = 0.0
    for row in coverage.itertuples(index=False):
        t = row.interval_start
        if any(
            row.queue in label.split(";") and t < end and t + pd.Timedelta(minutes=30) > start
            for start, end, label in zip(frame["start"], frame["end"], frame["queue"], strict=True)
        ):
            expected += row.shortfall * 0.5
    assert shortfall_within(coverage, frame, hours=0.5) == pytest.approx(expected)


def test_shortfall_within_a_cyclic_week_reaches_round_its_end() -> None:
    """A shift from the last hour past the end of a cyclic horizon covers its
    first hour too: with the period given, that hour's shortfall counts."""
    from scheduling.shifts.coverage import shortfall_within

    grid = pd.date_range(MONDAY, periods=4, freq="60min")
    coverage = pd.DataFrame(
        {
            "interval_start": grid,
            "queue": "a",
            "required": 2.0,
            "scheduled": 1.0,
            "shortfall": [1.0, 0.0, 0.0, 1.0],
            "surplus": 0.0,
        }
    )
    spans = pd.DataFrame(
        {"start": [grid[3]], "end": [grid[3] + pd.Timedelta(hours=2)], "queue": ["a"]}
    )
    assert shortfall_within(coverage, spans, hours=1.0) == 1.0
    assert shortfall_within(coverage, spans, hours=1.0, period=pd.Timedelta(hours=4)) == 2.0
