"""Repair: one site's agents re-decided is exact over its pieces; it never breaks a rule
or raises the objective, and moves shifts to where the schedule is short."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_assign import DAYS, make_options, make_site, roster, rule_breaks

from scheduling.columns import SCHEDULE_COLUMNS
from scheduling.shifts import repair as repair_module
from scheduling.shifts.assign import assign_agents, steadied_schedule
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.repair import (
    _objective,
    _repaired_site,
    _round_pieces,
    repaired_schedule,
    swept_schedule,
)
from scheduling.shifts.roster import roster_agents
from scheduling.shifts.templates import generate_shifts
from scheduling.solver import SolveProgress, solve_progress

MONDAY = pd.Timestamp("2026-11-23 00:00Z")
DAYS3 = (MONDAY, MONDAY + pd.Timedelta(days=3))
GRID = pd.date_range(MONDAY, DAYS3[1], freq="60min", inclusive="left")
COST = 10.0
SITE = make_site(
    name="T",
    queues=("chat",),
    shift_hours=(4.0, 8.0),
    start_step_minutes=240,
    cost_per_hour=COST,
)
SHIFTS = generate_shifts([SITE], start=DAYS3[0], end=DAYS3[1])


def requirements(values: dict[int, float], queue: str = "chat") -> pd.DataFrame:
    need = np.zeros(len(GRID))
    for i, v in values.items():
        need[i] = v
    return pd.DataFrame({"interval_start": GRID, "queue": queue, "agents_scheduled": need})


def objective_by_hand(rows: list[tuple[pd.Timestamp, pd.Timestamp]], need: np.ndarray, options):
    """Cost + penalties of single-queue, breakless shifts on whole hours, from first principles."""
    on = np.zeros(len(GRID))
    cost = 0.0
    for start, end in rows:
        first = int((start - MONDAY) / pd.Timedelta(hours=1))
        last = int((end - MONDAY) / pd.Timedelta(hours=1))
        on[first:last] += 1
        cost += COST * (last - first)
    short = np.maximum(need - on, 0).sum()
    over = np.maximum(on - need, 0).sum()
    return cost + options.shortfall_penalty * short + options.surplus_penalty * over


def schedule_rows(agent: str, spans, skills: str = "chat") -> list[dict]:
    return [
        {
            "agent": agent,
            "site": SITE.name,
            "start": s,
            "end": e,
            "timezone": "UTC",
            "break_start": pd.NaT,
            "break_end": pd.NaT,
            "queue": skills,
        }
        for s, e in spans
    ]


def as_schedule(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))
    for column in ("start", "end", "break_start", "break_end"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@st.composite
def tiny_cases(draw):
    options = make_options(
        max_days_per_week=draw(st.integers(1, 3)),
        min_rest_hours=draw(st.sampled_from([0, 11])),
        max_hours_per_week=draw(st.sampled_from([8.0, 12.0, 48.0])),
        consecutive_days_off=draw(st.sampled_from([0, 1])),
        weekly_rules=draw(st.sampled_from(["calendar", "rolling"])),
    )
    n = draw(st.integers(1, 2))
    staff = roster(
        *[
            {
                "agent": f"a{k}",
                "site": SITE.name,
                "skills": "chat",
                "contracted_hours": draw(st.sampled_from([None, 8.0, 12.0])),
                "days_unavailable": ";".join(
                    draw(st.lists(st.sampled_from(DAYS[:3]), max_size=1, unique=True))
                ),
            }
            for k in range(n)
        ]
    )
    hours = draw(st.lists(st.integers(0, len(GRID) - 1), min_size=1, max_size=4, unique=True))
    need = {i: draw(st.sampled_from([0.5, 1.0, 2.0])) for i in hours}
    picks = draw(st.lists(st.sampled_from(list(SHIFTS["shift_id"])), max_size=3, unique=True))
    return options, staff, need, picks


def per_agent_choices(agent, pieces, staff, options, free, held):
    """Every set of pieces (at most one a local day) the agent may work, by the rules:
    any of `free`, and of the others only those it holds (`held`). Built day by
    day, a set extended only while it keeps the rules (every rule is broken by a
    set only if by all sets holding it: hours, days, rest, days off in a row)."""
    by_day: dict[int, list] = {}
    for k, piece in enumerate(pieces):
        if k in free or k in held:
            by_day.setdefault((piece.start - MONDAY).days, []).append(k)
    out = [[]]
    for day in sorted(by_day):
        grown = []
        for chosen in out:
            for k in by_day[day]:
                pick = [*chosen, k]
                rows = schedule_rows(agent, [(pieces[i].start, pieces[i].end) for i in pick])
                if not rule_breaks(as_schedule(rows), None, SHIFTS, staff, [SITE], options, DAYS3):
                    grown.append(pick)
        out += grown
    return out


WINDOWS = [DAYS3] + [
    (MONDAY + pd.Timedelta(hours=h), MONDAY + pd.Timedelta(hours=h + 30)) for h in (0, 12, 36)
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tiny_cases(),
    st.sampled_from([(w, False) for w in WINDOWS] + [(w, True) for w in WINDOWS[1:]]),
)
def test_one_site_repair_is_exact_over_its_pieces(case, pieces_offered) -> None:
    """Exact over every schedule of the round's pieces: the moving agents may take any
    piece that starts in the window and keep or drop their other shifts; everyone
    else's shifts stay. The pieces offered: over short intervals (a repair round)
    or every candidate shift in the window (a sweep's, whose windows are 36 hours:
    every candidate of the three days would make the brute force too long)."""
    window, every_shift = pieces_offered
    options, staff, need_of, picks = case
    need = requirements(need_of)
    chosen = pd.DataFrame({"shift_id": picks, "queue": "chat", "count": 1})
    schedule, _ = assign_agents(
        chosen, SHIFTS, roster=staff, sites=[SITE], options=options, horizon=DAYS3
    )
    agents = roster_agents(staff, sites=[SITE], options=options)
    coverage = coverage_frame(need, schedule, options=options)
    grid = pd.DatetimeIndex(GRID)
    demand = need["agents_scheduled"].to_numpy()
    for moving in (agents, agents[:1]):  # everyone, and the first with the others fixed
        names = {a.name for a in moving}
        fixed = schedule[~schedule["agent"].isin(names)]
        pieces, holding, free = _round_pieces(
            schedule, SHIFTS, coverage, grid, SITE, moving, agents, window, options, every_shift
        )
        if every_shift:
            starts = SHIFTS["start"]
            offered = SHIFTS[(starts >= window[0]) & (starts < window[1])]
            assert set(offered["shift_id"]) <= {p.shift_id for p in pieces}
        repaired = _repaired_site(
            schedule,
            coverage,
            SHIFTS,
            SITE,
            moving,
            agents,
            window=window,
            options=options,
            horizon=DAYS3,
            release=None,
            weekend_due=(),
            every_shift=every_shift,
        )
        result = schedule if repaired is None else repaired
        assert rule_breaks(result, None, SHIFTS, staff, [SITE], options, DAYS3) == []
        others = result[~result["agent"].isin(names)]
        assert sorted(zip(others["agent"], others["start"], others["end"], strict=True)) == sorted(
            zip(fixed["agent"], fixed["start"], fixed["end"], strict=True)
        )
        spans = list(zip(result["start"], result["end"], strict=True))
        got = objective_by_hand(spans, demand, options)
        kept = list(zip(fixed["start"], fixed["end"], strict=True))
        choices = [
            per_agent_choices(
                a.name,
                pieces,
                staff,
                options,
                free,
                {k for name, k in holding if name == a.name},
            )
            for a in moving
        ]
        best = min(
            objective_by_hand(
                kept + [(pieces[k].start, pieces[k].end) for chosen in combo for k in chosen],
                demand,
                options,
            )
            for combo in itertools.product(*choices)
        )
        # KEEP (1e-3 per kept shift) may break a tie toward the schedule as it was
        assert got == pytest.approx(best, abs=0.01)


def two_on_one_morning():
    """Ann and Bob both on Monday 08-16, one agent needed 08-24: the evening is short."""
    options = make_options(max_days_per_week=3, consecutive_days_off=0)
    staff = roster({"agent": "ann", "skills": "chat"}, {"agent": "bob", "skills": "chat"})
    staff["site"] = SITE.name
    agents = roster_agents(staff, sites=[SITE], options=options)
    morning = (MONDAY + pd.Timedelta(hours=8), MONDAY + pd.Timedelta(hours=16))
    schedule = as_schedule(schedule_rows("ann", [morning]) + schedule_rows("bob", [morning]))
    need = requirements({i: 1.0 for i in range(8, 24)})
    return options, staff, agents, schedule, need


def test_a_shift_moves_to_where_the_schedule_is_short() -> None:
    options, staff, agents, schedule, need = two_on_one_morning()
    before = coverage_frame(need, schedule, options=options)["shortfall"].sum()
    after_schedule = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    after = coverage_frame(need, after_schedule, options=options)["shortfall"].sum()
    assert before == pytest.approx(8.0)
    assert after == pytest.approx(0.0)
    spans = sorted(
        (s.hour, e.hour)
        for s, e in zip(after_schedule["start"], after_schedule["end"], strict=True)
    )
    assert spans == [(8, 16), (16, 0)]
    assert rule_breaks(after_schedule, None, SHIFTS, staff, [SITE], options, DAYS3) == []
    again = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    pd.testing.assert_frame_equal(again, after_schedule)


def test_cover_as_an_allocation_repairs_alike(monkeypatch) -> None:
    """Past REPAIR_HALL_MOST sets the rounds write each interval's cover as an
    allocation (many queues, agents' own skill sets): the same repair."""
    options, _, agents, schedule, need = two_on_one_morning()
    rows = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    monkeypatch.setattr(repair_module, "REPAIR_HALL_MOST", 0)
    allocated = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    pd.testing.assert_frame_equal(allocated, rows)
    assert coverage_frame(need, allocated, options=options)["shortfall"].sum() == pytest.approx(0)


def test_each_round_reports_the_plan_so_far_to_a_progress_block() -> None:
    options, _, agents, schedule, need = two_on_one_morning()
    seen: list[SolveProgress] = []
    with solve_progress(seen.append):
        out = repaired_schedule(
            schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
        )
    assert seen[0].stage == "repair round 1 of at most 40, 8.0 agent-hours short"
    before = _objective(schedule, coverage_frame(need, schedule, options=options), [SITE], options)
    assert seen[0].best == pytest.approx(before)
    bests = [state.best for state in seen]
    assert bests == sorted(bests, reverse=True)  # a round is kept only when it lowers
    after = _objective(out, coverage_frame(need, out, options=options), [SITE], options)
    assert after < before


def test_nothing_short_leaves_the_schedule_as_it_is() -> None:
    options = make_options(consecutive_days_off=0)
    staff = roster({"agent": "ann", "skills": "chat"})
    staff["site"] = SITE.name
    agents = roster_agents(staff, sites=[SITE], options=options)
    schedule = as_schedule(
        schedule_rows("ann", [(MONDAY + pd.Timedelta(hours=8), MONDAY + pd.Timedelta(hours=16))])
    )
    need = requirements({9: 1.0})
    out = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    assert out is schedule


def test_no_rounds_leave_the_schedule_as_it_is() -> None:
    options = make_options(max_days_per_week=3, consecutive_days_off=0, repair_rounds=0)
    staff = roster({"agent": "ann", "skills": "chat"})
    staff["site"] = SITE.name
    agents = roster_agents(staff, sites=[SITE], options=options)
    morning = (MONDAY + pd.Timedelta(hours=8), MONDAY + pd.Timedelta(hours=16))
    schedule = as_schedule(schedule_rows("ann", [morning]))
    need = requirements({i: 1.0 for i in range(16, 24)})
    out = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    assert out is schedule


def test_a_sweep_drops_a_shift_where_cover_is_above_need() -> None:
    """Nothing short, so the repair has nothing to do; one agent is enough for the
    morning, and the sweep takes the second one's shift away (cost 80 less)."""
    options, staff, agents, schedule, _ = two_on_one_morning()
    need = requirements({i: 1.0 for i in range(8, 16)})
    kept = repaired_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    assert kept is schedule
    seen: list[SolveProgress] = []
    with solve_progress(seen.append):
        out = swept_schedule(
            schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
        )
    assert sorted((s.hour, e.hour) for s, e in zip(out["start"], out["end"], strict=True)) == [
        (8, 16)
    ]
    before = _objective(schedule, coverage_frame(need, schedule, options=options), [SITE], options)
    after = _objective(out, coverage_frame(need, out, options=options), [SITE], options)
    assert before - after == pytest.approx(8 * COST, abs=0.1)
    assert seen[0].stage == "sweep 1 of at most 2, window 1 of 3, 0.0 agent-hours short"
    assert rule_breaks(out, None, SHIFTS, staff, [SITE], options, DAYS3) == []


def test_a_sweep_offers_shifts_nobody_holds() -> None:
    """Ann's 8-hour shift where four hours are needed: a shorter candidate shift
    nobody holds, over no short interval, replaces it (cost 40 less)."""
    options = make_options(consecutive_days_off=0)
    staff = roster({"agent": "ann", "skills": "chat"})
    staff["site"] = SITE.name
    agents = roster_agents(staff, sites=[SITE], options=options)
    day = MONDAY + pd.Timedelta(days=1)
    schedule = as_schedule(
        schedule_rows("ann", [(day + pd.Timedelta(hours=8), day + pd.Timedelta(hours=16))])
    )
    need = requirements({i: 1.0 for i in range(32, 36)})
    out = swept_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    assert list(zip(out["start"], out["end"], strict=True)) == [
        (day + pd.Timedelta(hours=8), day + pd.Timedelta(hours=12))
    ]


def test_no_sweep_passes_leave_the_schedule_as_it_is() -> None:
    options, _, agents, schedule, _ = two_on_one_morning()
    options = dataclasses.replace(options, sweep_passes=0)
    need = requirements({i: 1.0 for i in range(8, 16)})
    out = swept_schedule(
        schedule, need, SHIFTS, agents=agents, sites=[SITE], options=options, horizon=DAYS3
    )
    assert out is schedule


MIXED = make_site(
    name="T",
    queues=("chat", "phone"),
    shift_hours=(4.0, 8.0),
    start_step_minutes=240,
    cost_per_hour=COST,
)
MIXED_SHIFTS = generate_shifts([MIXED], start=DAYS3[0], end=DAYS3[1])


@st.composite
def larger_cases(draw):
    options = make_options(
        max_days_per_week=draw(st.integers(1, 3)),
        min_rest_hours=draw(st.sampled_from([0, 11])),
        consecutive_days_off=draw(st.sampled_from([0, 1])),
        break_minutes=draw(st.sampled_from([0, 30])),
        interval_minutes=draw(st.sampled_from([30, 60])),
        weekly_rules=draw(st.sampled_from(["calendar", "rolling"])),
        repair_rounds=draw(st.integers(1, 6)),
        sweep_passes=draw(st.integers(0, 2)),
    )
    staff = roster(
        *[
            {
                "agent": f"a{k}",
                "site": MIXED.name,
                "skills": draw(st.sampled_from(["chat", "phone", "chat;phone"])),
                "contracted_hours": draw(st.sampled_from([None, 8.0, 16.0])),
                "days_unavailable": draw(st.sampled_from(["", "mon", "tue"])),
            }
            for k in range(draw(st.integers(2, 7)))
        ]
    )
    picks = draw(
        st.lists(
            st.tuples(
                st.sampled_from(list(MIXED_SHIFTS["shift_id"])),
                st.sampled_from(["chat", "phone", "chat;phone"]),
            ),
            max_size=8,
            unique=True,
        )
    )
    grid = pd.date_range(MONDAY, DAYS3[1], freq=f"{options.interval_minutes}min", inclusive="left")
    rows = []
    for queue in ("chat", "phone"):
        values = draw(st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.0]), min_size=6, max_size=6))
        need = np.repeat(values, len(grid) // 6)
        frame = {"interval_start": grid, "queue": queue, "agents_scheduled": need}
        rows.append(pd.DataFrame(frame))
    return options, staff, picks, pd.concat(rows, ignore_index=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_cases())
def test_repair_and_sweep_keep_every_rule_and_never_raise_the_objective(case) -> None:
    options, staff, picks, need = case
    chosen = pd.DataFrame(picks, columns=["shift_id", "queue"]).assign(count=1)
    schedule, _ = assign_agents(
        chosen, MIXED_SHIFTS, roster=staff, sites=[MIXED], options=options, horizon=DAYS3
    )
    agents = roster_agents(staff, sites=[MIXED], options=options)
    out = repaired_schedule(
        schedule, need, MIXED_SHIFTS, agents=agents, sites=[MIXED], options=options, horizon=DAYS3
    )
    out = swept_schedule(
        out, need, MIXED_SHIFTS, agents=agents, sites=[MIXED], options=options, horizon=DAYS3
    )
    assert rule_breaks(out, None, MIXED_SHIFTS, staff, [MIXED], options, DAYS3) == []
    before = _objective(schedule, coverage_frame(need, schedule, options=options), [MIXED], options)
    after = _objective(out, coverage_frame(need, out, options=options), [MIXED], options)
    assert after <= before + 1e-9
    assert list(out.columns) == list(schedule.columns)


def crosswise(skills_b: str):
    """Ann on Monday 08-16 and Tuesday 16-24, Bob (skills `skills_b`) the other way round."""
    options = make_options(min_rest_hours=0, consecutive_days_off=0)
    staff = roster({"agent": "ann", "skills": "chat"}, {"agent": "bob", "skills": skills_b})
    staff["site"] = MIXED.name
    agents = roster_agents(staff, sites=[MIXED], options=options)
    day = pd.Timedelta(days=1)
    early = (MONDAY + pd.Timedelta(hours=8), MONDAY + pd.Timedelta(hours=16))
    late = (MONDAY + pd.Timedelta(hours=16), MONDAY + day)
    tuesday = [(s + day, e + day) for s, e in (early, late)]
    schedule = as_schedule(
        schedule_rows("ann", [early, tuesday[1]])
        + schedule_rows("bob", [late, tuesday[0]], skills=skills_b)
    )
    need = pd.concat(
        [requirements({i: 1.0 for i in range(8, 48)}, queue=q) for q in ("chat", "phone")]
    )
    return options, staff, agents, schedule, need


def test_steadying_a_moved_schedule_swaps_same_skilled_agents_only() -> None:
    options, staff, agents, schedule, need = crosswise("chat")
    out = steadied_schedule(
        schedule, MIXED_SHIFTS, agents=agents, sites=[MIXED], options=options, horizon=DAYS3
    )
    starts = {n: {s.hour for s in out.loc[out["agent"] == n, "start"]} for n in ("ann", "bob")}
    assert sorted(sorted(hours) for hours in starts.values()) == [[8], [16]]  # one start each
    pd.testing.assert_frame_equal(
        coverage_frame(need, out, options=options), coverage_frame(need, schedule, options=options)
    )
    assert rule_breaks(out, None, MIXED_SHIFTS, staff, [MIXED], options, DAYS3) == []
    options, staff, agents, schedule, need = crosswise("chat;phone")
    out = steadied_schedule(
        schedule, MIXED_SHIFTS, agents=agents, sites=[MIXED], options=options, horizon=DAYS3
    )
    pd.testing.assert_frame_equal(
        out, schedule.sort_values(["start", "site", "agent", "queue"], ignore_index=True)
    )
