"""The shift programme against brute force, solvers, planner and coverage."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pandas as pd
import pulp
import pytest

from scheduling.columns import COVERAGE_COLUMNS, SCHEDULE_COLUMNS
from scheduling.coverage import coverage_frame
from scheduling.errors import InputError, SolverUnavailableError
from scheduling.model import available_solvers, build_model, chosen_shifts, solve
from scheduling.planner import schedule_requirements
from scheduling.shifts import generate_shifts
from scheduling.sites import ScheduleOptions, Site

MONDAY = pd.Timestamp("2026-11-23 00:00Z")


def make_site(**overrides: object) -> Site:
    fields: dict[str, object] = {
        "name": "Test",
        "timezone": "UTC",
        "open_minutes": 8 * 60,
        "close_minutes": 16 * 60,
        "days": tuple(range(7)),
        "queues": ("phone",),
        "shift_hours": (4.0, 6.0),
        "start_step_minutes": 60,
        "cost_per_hour": 10.0,
    }
    fields.update(overrides)
    return Site(**fields)  # type: ignore[arg-type]


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


def run_model(requirements, sites, options, solver="highs"):
    grid = requirements["interval_start"]
    shifts = generate_shifts(
        sites, start=grid.min(), end=grid.max() + pd.Timedelta(hours=1), options=options
    )
    model = build_model(requirements, shifts, sites=sites, options=options)
    result = solve(model, solver=solver, time_limit_seconds=20, gap=0.0)
    return model, result


def brute_force(
    cover: np.ndarray,
    cost: np.ndarray,
    required: np.ndarray,
    *,
    top: int,
    shortfall_penalty: float,
    surplus_penalty: float,
    feasible=None,
) -> float:
    """Least objective over all counts 0..top per shift column, by enumeration.

    cover: (columns, intervals) share of each interval a column covers;
    required: (intervals,); feasible(counts) -> bool mask for side limits.
    """
    columns = cover.shape[0]
    counts = np.array(list(itertools.product(range(top + 1), repeat=columns)), dtype=float)
    scheduled = counts @ cover
    short = np.clip(required - scheduled, 0, None).sum(axis=1)
    over = np.clip(scheduled - required, 0, None).sum(axis=1)
    total = counts @ cost + shortfall_penalty * short + surplus_penalty * over
    if feasible is not None:
        total = np.where(feasible(counts), total, np.inf)
    return float(total.min())


def hourly_columns(shapes, n_intervals, first_hour=8, break_at=None, break_share=1.0):
    """Coverage rows for (start_hour, hours) shapes; break_at(hours) -> offset hour."""
    rows = []
    for start, hours in shapes:
        row = np.zeros(n_intervals)
        for h in range(start, start + hours):
            row[h - first_hour] = 1.0
        if break_at is not None and break_at(hours) is not None:
            row[start + break_at(hours) - first_hour] -= break_share
        rows.append(row)
    return np.array(rows)


DEMAND = [1, 2, 2, 3, 1.5, 2, 1, 0.5]
SHAPES = [(s, 4) for s in range(8, 13)] + [(s, 6) for s in range(8, 11)]


def test_objective_equals_brute_force() -> None:
    options = make_options()
    model, result = run_model(make_requirements({"phone": DEMAND}), [make_site()], options)
    assert len(model.x) == len(SHAPES)
    cover = hourly_columns(SHAPES, 8)
    cost = np.array([10.0 * h for _, h in SHAPES])
    best = brute_force(
        cover, cost, np.array(DEMAND), top=3, shortfall_penalty=25, surplus_penalty=2
    )
    assert result.status == "optimal"
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
    options = make_options(interval_minutes=30)
    _, result = run_model(requirements, [make_site()], options)
    cover = np.repeat(hourly_columns(SHAPES, 8), 2, axis=1)
    cost = np.array([10.0 * h for _, h in SHAPES])
    best = brute_force(
        cover, cost, np.array(demand), top=3, shortfall_penalty=25 * 0.5, surplus_penalty=2 * 0.5
    )
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_fractional_demand_may_need_more_agents_than_its_floor() -> None:
    # 1.5 agents short for 4 h costs 0.5 * 4 * 25 = 50 > 40 for a second agent.
    demand = [0, 0, 0, 0, 1.5, 1.5, 1.5, 1.5]
    model, result = run_model(make_requirements({"phone": demand}), [make_site()], make_options())
    cover = hourly_columns(SHAPES, 8)
    cost = np.array([10.0 * h for _, h in SHAPES])
    best = brute_force(
        cover, cost, np.array(demand), top=3, shortfall_penalty=25, surplus_penalty=2
    )
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert int(chosen_shifts(model)["count"].sum()) == 2


def test_objective_equals_brute_force_with_breaks() -> None:
    # 3 h shifts have no break; a 6 h shift from 08:00 takes 30 min at 11:00.
    options = make_options(break_minutes=30, break_after_hours=6)
    site = make_site(close_minutes=14 * 60, shift_hours=(3.0, 6.0))
    demand = [2, 3, 3, 2.5, 2, 1]
    _, result = run_model(make_requirements({"phone": demand}), [site], options)
    shapes = [(s, 3) for s in range(8, 12)] + [(8, 6)]
    cover = hourly_columns(shapes, 6, break_at=lambda h: 3 if h == 6 else None, break_share=0.5)
    cost = np.array([10.0 * h for _, h in shapes])
    best = brute_force(
        cover, cost, np.array(demand), top=7, shortfall_penalty=25, surplus_penalty=2
    )
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_two_sites_two_queues_equal_brute_force() -> None:
    options = make_options(shortfall_penalty=30.0, surplus_penalty=1.0)
    both = make_site(name="A", queues=("chat", "phone"), close_minutes=14 * 60, shift_hours=(4.0,))
    chat_only = make_site(
        name="B", queues=("chat",), close_minutes=14 * 60, shift_hours=(4.0,), cost_per_hour=7.0
    )
    demand = {"chat": [1, 2, 2, 2, 1, 1], "phone": [1, 1, 2, 1, 0, 0]}
    model, result = run_model(make_requirements(demand), [both, chat_only], options)
    assert {q for _, q in model.x if _.startswith("B|")} == {"chat"}
    shapes = [(s, 4) for s in range(8, 11)]
    block = hourly_columns(shapes, 6)
    zero = np.zeros_like(block)
    # Columns: A-chat (3), A-phone (3), B-chat (3); intervals: chat (6) then phone (6).
    cover = np.vstack(
        [np.hstack([block, zero]), np.hstack([zero, block]), np.hstack([block, zero])]
    )
    cost = np.array([40.0] * 6 + [28.0] * 3)
    required = np.array(demand["chat"] + demand["phone"], dtype=float)
    best = brute_force(cover, cost, required, top=2, shortfall_penalty=30, surplus_penalty=1)
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_daily_headcount_limit_equals_brute_force_and_is_reported() -> None:
    options = make_options()
    site = make_site(max_agents=2)
    requirements = make_requirements({"phone": DEMAND})
    model, result = run_model(requirements, [site], options)
    cover = hourly_columns(SHAPES, 8)
    cost = np.array([10.0 * h for _, h in SHAPES])
    best = brute_force(
        cover,
        cost,
        np.array(DEMAND),
        top=2,
        shortfall_penalty=25,
        surplus_penalty=2,
        feasible=lambda counts: counts.sum(axis=1) <= 2,
    )
    unlimited = brute_force(
        cover, cost, np.array(DEMAND), top=3, shortfall_penalty=25, surplus_penalty=2
    )
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
    cover = hourly_columns(shapes, 28)
    cost = np.array([10.0 * h for _, h in shapes])
    required = np.array(day["phone"], dtype=float)
    best = brute_force(
        cover,
        cost,
        required,
        top=2,
        shortfall_penalty=30,
        surplus_penalty=2,
        feasible=lambda c: (
            (c[:, :3].sum(axis=1) <= 2) & (c[:, 3:].sum(axis=1) <= 2) & (c.sum(axis=1) <= 2)
        ),
    )
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert any(limit.period == "week" for limit in model.headcount.values())

    planned = schedule_requirements(requirements, sites=[site], options=options)
    assert any("max_days_per_week 1 = 2 shifts reached" in b for b in planned.binding)


def test_constraints_are_named_after_their_domain() -> None:
    model, _ = run_model(
        make_requirements({"phone": DEMAND}), [make_site(max_agents=5)], make_options()
    )
    names = {c.name for c in model.problem.constraints()}
    assert "cover_phone_20261123T0800" in names
    assert "headcount_Test_20261123" in names
    assert "headcount_Test_week_20261123" in names


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_both_solvers_reach_the_brute_force_optimum(solver: str) -> None:
    options = make_options()
    _, result = run_model(
        make_requirements({"phone": DEMAND}), [make_site()], options, solver=solver
    )
    cover = hourly_columns(SHAPES, 8)
    cost = np.array([10.0 * h for _, h in SHAPES])
    best = brute_force(
        cover, cost, np.array(DEMAND), top=3, shortfall_penalty=25, surplus_penalty=2
    )
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
    options = make_options(gap=0.0)
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
        options=options,
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
    assert result.unfilled.empty


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
