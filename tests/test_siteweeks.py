"""Each site's own weeks: weekly rules per local calendar week over a multi-week horizon."""

from __future__ import annotations

import dataclasses
import itertools

import conftest
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduling.columns import AGENT, END, START
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.siteweeks import sites_in_week, week_bounds
from scheduling.shifts.weeks import schedule_horizon, week_spans

# Monday 00:00 in New York: 13:00 on Monday in Manila, 23:00 on Sunday in Chicago.
START_NY = pd.Timestamp("2026-11-23 05:00Z")
ZONES = (
    "Asia/Manila",
    "America/Chicago",
    "Europe/Dublin",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",  # a half-hour DST change
    "America/Havana",  # DST at midnight: some local midnights do not exist
    "UTC",
)


def is_local_midnight(instant: pd.Timestamp, zone: str, weekday: int) -> bool:
    local = instant.tz_convert(zone)
    first = local - pd.Timedelta(hours=1)  # a midnight shifted forward by a DST gap
    return ((local.hour, local.minute) == (0, 0) and local.weekday() == weekday) or (
        local.hour == 1 and first.weekday() != local.weekday() and local.weekday() == weekday
    )


@pytest.mark.parametrize("zone", ["Asia/Manila", "America/Chicago", "Pacific/Kiritimati"])
def test_every_site_week_starts_at_its_own_local_monday_midnight(zone):
    bounds = week_bounds((START_NY, START_NY + pd.Timedelta(days=28)), zone, 0)
    assert bounds[0] == START_NY and bounds[-1] == START_NY + pd.Timedelta(days=28)
    inner = [b.tz_convert(zone) for b in bounds[1:-1]]
    assert [str(b.date()) for b in inner] == ["2026-11-30", "2026-12-07", "2026-12-14"]
    assert all((b.hour, b.minute, b.weekday()) == (0, 0, 0) for b in inner)


def test_weeks_stay_on_local_midnight_across_a_dst_change():
    start = pd.Timestamp("2027-03-15 00:00", tz="Europe/Dublin").tz_convert("UTC")
    bounds = week_bounds((start, start + pd.Timedelta(days=21)), "Europe/Dublin", 0)
    local = [b.tz_convert("Europe/Dublin") for b in bounds[1:-1]]
    assert [(b.hour, b.weekday()) for b in local] == [(0, 0), (0, 0)]
    assert local[1] - local[0] == pd.Timedelta(days=7) - pd.Timedelta(hours=1)  # 28 March


@settings(max_examples=150, deadline=None)
@example(zone="America/Havana", minutes=4620, days=64, weekday=None)  # no midnight on 8 March
@given(
    zone=st.sampled_from(ZONES),
    minutes=st.integers(0, 60 * 24 * 400),
    days=st.integers(1, 70),
    weekday=st.one_of(st.none(), st.integers(0, 6)),
)
def test_week_bounds_split_any_horizon_into_its_seven_day_blocks(zone, minutes, days, weekday):
    start = pd.Timestamp("2026-01-01 00:00Z") + pd.Timedelta(minutes=minutes)
    end = start + pd.Timedelta(days=days)
    bounds = week_bounds((start, end), zone, weekday)
    assert len(bounds) == len(week_spans((start, end))) + 1
    assert bounds[0] == start and bounds[-1] == end
    assert all(a < b for a, b in itertools.pairwise(bounds))
    day = weekday if weekday is not None else (start + pd.Timedelta(hours=12)).weekday()
    for k, bound in enumerate(bounds[1:-1], start=1):
        seven = start + k * pd.Timedelta(days=7)
        assert abs(bound - seven) <= pd.Timedelta(days=3.5, hours=1)
        assert bound == seven or is_local_midnight(bound, zone, day)


def test_sites_in_week_give_each_site_its_own_span():
    from conftest import make_site

    sites = [make_site(name="M", timezone="Asia/Manila"), make_site(name="C", timezone="UTC")]
    horizon = (START_NY, START_NY + pd.Timedelta(days=14))
    first, second = sites_in_week(sites, horizon, 0, 0), sites_in_week(sites, horizon, 1, 0)
    assert [s.span[0] for s in first] == [START_NY, START_NY]
    assert first[0].span[1] == pd.Timestamp("2026-11-29 16:00Z")  # Monday 00:00 in Manila
    assert first[1].span[1] == pd.Timestamp("2026-11-30 00:00Z")
    assert [s.span[1] for s in second] == [horizon[1], horizon[1]]
    assert [s.span[0] for s in second] == [first[0].span[1], first[1].span[1]]


def manila_run(agents: int, weeks: int = 2, zone: str = "Asia/Manila"):
    """A round-the-clock Manila site short of agents, planned from Monday in New York."""
    site = conftest.make_site(
        name="Manila",
        timezone=zone,
        open_minutes=0,
        close_minutes=1440,
        shift_hours=(8.0,),
        start_step_minutes=120,
        cost_per_hour=10.0,
    )
    times = pd.date_range(START_NY, periods=24 * 7 * weeks, freq="60min")
    local = times.tz_convert(zone)
    need = pd.Series(2.0, index=range(len(times)))
    need[(local.day_of_week == 0) & (local.hour < 13)] = 4.0  # the hours a week boundary cuts
    requirements = pd.DataFrame(
        {"interval_start": times, "queue": "phone", "agents_scheduled": need.to_numpy()}
    )
    roster = pd.DataFrame({"agent": [f"a{k:02d}" for k in range(agents)], "site": "Manila"})
    options = ScheduleOptions(
        break_minutes=0,
        cyclic=False,
        min_rest_hours=11,
        time_limit_seconds=30,
        gap=0.01,
        node_limit=50,
        week_start_day=0,
    )
    return requirements, site, roster, options


@pytest.mark.parametrize(
    ("named", "zone"),
    [(True, "Asia/Manila"), (False, "Asia/Manila"), (True, "America/Los_Angeles")],
)
def test_weekly_rules_hold_in_every_local_calendar_week_of_a_site_far_from_the_plan_zone(
    named, zone
):
    """Manila's weeks start 13 hours before the horizon's 7-day blocks: a Monday
    08:00 shift there belongs to the week of that Monday, whatever block it is in.
    Los Angeles starts the horizon at 21:00 on a Sunday: its first week is still
    Monday to Sunday, that Sunday evening before it."""
    requirements, site, roster, options = manila_run(agents=6, zone=zone)
    if not named:
        roster, site = None, dataclasses.replace(site, max_agents=6)
    result = schedule_horizon(requirements, sites=[site], options=options, roster=roster)
    schedule = result.schedule
    assert len(schedule) > 40  # busy: the rules bind
    local = schedule[START].dt.tz_convert(zone)
    monday = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    for (agent, week), shifts in schedule.groupby([schedule[AGENT], monday]):
        dates = set(local[shifts.index].dt.date)
        assert len(shifts) <= options.max_days_per_week, (agent, week)
        assert len(dates) == len(shifts)  # one shift a local day
    # Two free local days in a row starting in every local week, the second may
    # be the next Monday: then the next week kept it free.
    for agent, shifts in schedule.groupby(AGENT):
        dates = set(local[shifts.index].dt.date)
        for week in (pd.Timestamp("2026-11-23").date(), pd.Timestamp("2026-11-30").date()):
            free = [week + pd.Timedelta(days=d) not in dates for d in range(8)]
            assert any(a and b for a, b in itertools.pairwise(free)), (agent, week)
    for _, shifts in schedule.groupby(AGENT):
        shifts = shifts.sort_values(START)
        gaps = shifts[START].iloc[1:].to_numpy() - shifts[END].iloc[:-1].to_numpy()
        assert (gaps >= pd.Timedelta(hours=11).to_timedelta64()).all()


FAR_APART = [
    conftest.make_site(
        name=name,
        timezone=zone,
        open_minutes=0,
        close_minutes=1440,
        days=days,
        start_step_minutes=120,
        max_agents=5,
        cost_per_hour=cost,
    )
    for name, zone, days, cost in (
        ("M", "Asia/Manila", (1, 2, 3, 4, 5, 6), 9.0),
        ("C", "America/Chicago", tuple(range(7)), 6.0),
    )
]
SLACK = ScheduleOptions(
    break_minutes=0,
    cyclic=False,
    min_rest_hours=11,
    max_days_per_week=7,
    consecutive_days_off=0,
    max_hours_per_week=168,
    surplus_penalty=5.0,
    time_limit_seconds=120,
    gap=0.0,
    week_start_day=0,
)


CLOSE = [
    dataclasses.replace(FAR_APART[0], timezone="Europe/Rome", days=tuple(range(7))),
    dataclasses.replace(FAR_APART[1], timezone="Europe/Dublin"),
]


def far_apart_bound(
    agents: list[float], sites: list = FAR_APART, **bound_options: object
) -> tuple[float, float]:
    """(the weeks' bound, the optimum of the whole horizon at once) for nine days
    of hourly requirements `agents` at two sites (by default 14 hours apart).

    With the weekly rules slack, the optimum of the whole horizon in one
    programme is the least cost of any plan, however it is split into weeks.
    """
    need = pd.DataFrame(
        {
            "interval_start": pd.date_range(START_NY, periods=24 * 9, freq="60min"),
            "queue": "phone",
            "agents_scheduled": agents,
        }
    )
    return bound_and_optimum(need, sites, **bound_options)


def bound_and_optimum(
    need: pd.DataFrame, sites: list, options: ScheduleOptions = SLACK, **bound_options: object
) -> tuple[float, float]:
    """(the weeks' bound, the whole horizon's optimum) of requirements `need`
    (interval_start in New York time) with the weekly rules slack."""
    from scheduling.shifts.planner import schedule_requirements, setup_run
    from scheduling.shifts.weekbound import weekly_bound

    need = need.copy()
    optimum = schedule_requirements(need, sites=sites, options=options).solve
    assert optimum.gap is not None and optimum.gap < 1e-6
    run = setup_run(need, sites=sites, options=options, roster=None)
    need["interval_start"] = pd.to_datetime(need["interval_start"], utc=True)
    bound = weekly_bound(need, run, options, **bound_options)
    assert bound is not None
    return bound, optimum.objective


def test_the_weekly_bound_holds_for_sites_in_far_apart_zones():
    """Chicago's first week ends 14 hours after Manila's, and Manila never starts a
    shift on its Mondays: the first hours of week 2 can only be covered by
    Chicago's last shifts of week 1, which the bound must not ask week 2 to cover.
    """
    hours = pd.date_range(START_NY, periods=24 * 9, freq="60min").tz_convert("America/New_York")
    bound, optimum = far_apart_bound([2.0 if 8 <= h < 20 else 1.0 for h in hours.hour])
    assert bound <= optimum + 1e-6
    assert bound >= 0.92 * optimum  # and not a trivial one (0.90 with the shared hours dropped)


def test_the_weekly_bound_prices_the_hours_two_weeks_share():
    """Work only where both weeks' shifts reach (Manila's second week starts at
    Sunday 16:00 UTC, Chicago's at Monday 06:00, shifts last 8 hours): dropping
    those hours' rows would bound the plan by 0; priced, they count."""
    times = pd.date_range(START_NY, periods=24 * 9, freq="60min")
    shared = (times >= pd.Timestamp("2026-11-29 16:00Z")) & (
        times < pd.Timestamp("2026-11-30 14:00Z")
    )
    bound, optimum = far_apart_bound([2.0 if s else 0.0 for s in shared])
    assert optimum > 0
    assert 0.5 * optimum <= bound <= optimum + 1e-6


# Manila serves phone and chat at 9 an hour, every day; Chicago only phone, at 6.
MIXED = [
    dataclasses.replace(FAR_APART[0], queues=("phone", "chat"), days=tuple(range(7))),
    FAR_APART[1],
]


def two_queues(chat: list[float]) -> pd.DataFrame:
    """One phone agent every hour of nine days and `chat` agents by hour."""
    times = pd.date_range(START_NY, periods=24 * 9, freq="60min")
    phone = pd.DataFrame({"interval_start": times, "queue": "phone", "agents_scheduled": 1.0})
    chats = pd.DataFrame({"interval_start": times, "queue": "chat", "agents_scheduled": chat})
    return pd.concat([phone, chats], ignore_index=True)


def test_the_relaxation_duals_price_each_queue_of_the_shared_hours():
    """Chat by day in New York, which only Manila's agents serve: one price per
    agent at the least cost of the shared hours (Chicago's, whose agents cannot
    serve chat) undervalues them. The whole horizon relaxation's duals price the
    chat rows apart: a higher bound (the one reported), still below the optimum."""
    hours = pd.date_range(START_NY, periods=24 * 9, freq="60min").tz_convert("America/New_York")
    need = two_queues([2.0 if 8 <= h < 20 else 0.0 for h in hours.hour])
    passes: list[tuple[str, float | None]] = []
    bound, optimum = bound_and_optimum(need, MIXED, on_pass=lambda *p: passes.append(p))
    (first, duals), (second, flat) = passes[:2]
    assert (first, second) == ("relaxation's duals", "least cost")
    assert duals is not None and flat is not None
    assert flat + 0.01 * optimum <= duals == bound <= optimum + 1e-6


@settings(max_examples=4, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0]), min_size=18, max_size=18))
def test_the_weekly_bound_with_two_queues_is_below_any_plan(blocks: list[float]) -> None:
    """Chat drawn in 12-hour blocks beside a phone agent round the clock: every
    pass's bound (least cost, the relaxation's duals, the rises) is below it."""
    passes: list[tuple[str, float | None]] = []
    need = two_queues([blocks[h // 12] for h in range(24 * 9)])
    bound, optimum = bound_and_optimum(need, MIXED, on_pass=lambda *p: passes.append(p))
    assert bound <= optimum + 1e-6
    assert all(value is None or value <= optimum + 1e-6 for _, value in passes)


def test_the_duals_of_an_instant_leave_every_shortfall_a_price():
    from scheduling.shifts.weekbound import _within_penalty

    rows = [(("chat",), 6.0), (("chat", "phone"), 9.0), (("phone",), 1.0)]
    scaled = _within_penalty(rows, 10.0)
    assert sum(u for queues, u in scaled if "chat" in queues) == pytest.approx(10.0)
    assert sum(u for queues, u in scaled if "phone" in queues) <= 10.0
    assert _within_penalty([(("chat",), 4.0)], 10.0) == ((("chat",), 4.0),)


# Manila cheap and Chicago dear, both every day: the hours from Manila's second
# week start (Sunday 16:00 UTC) to Chicago's (Monday 06:00) are in week 1's
# programme, which can only reach them with Chicago's Sunday shifts once
# Manila's Sunday is over; Manila's Monday shifts (week 2) reach them cheaply.
CHEAP_EAST = [
    dataclasses.replace(FAR_APART[0], days=tuple(range(7)), cost_per_hour=6.0),
    dataclasses.replace(FAR_APART[1], cost_per_hour=12.0),
]
SHARED = (pd.Timestamp("2026-11-29 16:00Z"), pd.Timestamp("2026-11-30 14:00Z"))


def shared_hours_need() -> pd.DataFrame:
    times = pd.date_range(START_NY, periods=24 * 9, freq="60min")
    inside = (times >= SHARED[0]) & (times < SHARED[1])
    return pd.DataFrame(
        {"interval_start": times, "queue": "phone", "agents_scheduled": inside.astype(float)}
    )


def test_a_week_leaves_to_the_next_the_hours_its_shifts_cover_more_cheaply(monkeypatch):
    """The whole horizon's relaxation covers the shared hours with Manila's week-2
    shifts; week 1 leaves them to week 2, and the plan costs less than when
    week 1 covers them alone (the relaxation left out), with nothing short."""
    import scheduling.shifts.weeks as weeks

    shared = schedule_horizon(shared_hours_need(), sites=CHEAP_EAST, options=SLACK)
    monkeypatch.setattr(weeks, "horizon_relaxation", lambda *args: None)
    alone = schedule_horizon(shared_hours_need(), sites=CHEAP_EAST, options=SLACK)
    assert shared.coverage["shortfall"].sum() == pytest.approx(0.0, abs=1e-6)
    assert alone.coverage["shortfall"].sum() == pytest.approx(0.0, abs=1e-6)
    assert shared.cost <= alone.cost - 48  # a Chicago shift (8 h at 12) less at least
    chicago = shared.schedule[shared.schedule["site"] == "C"]
    assert chicago.empty


def test_weeks_too_large_to_be_guided_cover_their_last_hours_alone(monkeypatch):
    """Past RELAXATION_GUIDE_SHIFT_INTERVALS a week, the relaxation prices the
    bound only: the plan is the one without it, and its bound the same or higher."""
    import scheduling.shifts.relaxation as relaxation
    import scheduling.shifts.weeks as weeks

    monkeypatch.setattr(relaxation, "RELAXATION_GUIDE_SHIFT_INTERVALS", 10)
    seen = []
    priced = schedule_horizon(
        shared_hours_need(), sites=CHEAP_EAST, options=SLACK, progress=seen.append
    )
    assert seen[0].used and not seen[0].guides
    monkeypatch.setattr(weeks, "horizon_relaxation", lambda *args: None)
    alone = schedule_horizon(shared_hours_need(), sites=CHEAP_EAST, options=SLACK)
    assert priced.schedule.equals(alone.schedule)
    assert priced.solve.bound >= alone.solve.bound - 1e-6


def test_the_largest_week_not_the_average_decides_whether_the_relaxation_guides():
    """Nine days: a whole week and two days; the two days must not halve the size."""
    from scheduling.shifts.planner import setup_run
    from scheduling.shifts.relaxation import (
        _largest_week,
        _site_week_starts,
        _size,
        _sizes,
        _weeks_of,
    )
    from scheduling.shifts.templates import generate_shifts

    run = setup_run(shared_hours_need(), sites=CHEAP_EAST, options=SLACK, roster=None)
    shifts = generate_shifts(run.planned, start=run.horizon[0], end=run.horizon[1])
    week_of = _weeks_of(shifts, _site_week_starts(run.planned, run.horizon, SLACK))
    first = [week_of[str(sid)] == 0 for sid in shifts.index]
    largest = _largest_week(shifts, week_of, run, SLACK)
    assert largest == pytest.approx(float(_sizes(shifts, run, SLACK)[first].sum()))
    assert largest > _size(shifts, run, SLACK) / 2


def test_a_week_keeps_the_queues_the_next_week_cannot_serve():
    """Manila serves chat only, Chicago phone only: in the hours before Chicago's
    second week starts, only week 1's Chicago shifts can serve phone, so week 1
    keeps phone whole while it leaves chat to Manila's week 2; nothing is short."""
    sites = [
        dataclasses.replace(CHEAP_EAST[0], queues=("chat",)),
        dataclasses.replace(CHEAP_EAST[1], queues=("phone",)),
    ]
    phone = shared_hours_need()
    need = pd.concat([phone, phone.assign(queue="chat")], ignore_index=True)
    plan = schedule_horizon(need, sites=sites, options=SLACK)
    assert plan.coverage["shortfall"].sum() == pytest.approx(0.0, abs=1e-6)


def test_the_relaxation_counts_agents_on_duty_by_the_week_their_shift_starts_in():
    from scheduling.shifts.planner import setup_run
    from scheduling.shifts.relaxation import horizon_relaxation

    need = shared_hours_need()
    run = setup_run(need, sites=CHEAP_EAST, options=SLACK, roster=None)
    need["interval_start"] = pd.to_datetime(need["interval_start"], utc=True)
    relaxation = horizon_relaxation(need, run, SLACK)
    assert relaxation is not None and relaxation.guides
    hours = slice(SHARED[0], SHARED[1] - pd.Timedelta(hours=1))
    (group, later), *others = relaxation.on_duty_from(1).items()
    assert group == ("phone",) and not others
    assert (later[later.index < SHARED[0]].abs() < 1e-9).all()  # week 2 starts there
    assert later.loc[hours].min() >= 1 - 1e-6  # Manila's week 2 covers every shared hour
    everyone = relaxation.on_duty_from(0)[("phone",)]
    assert (everyone >= later - 1e-9).all()  # and week 1 adds to it before them
    assert everyone[everyone.index < SHARED[0]].sum() == pytest.approx(0.0, abs=1e-6)


def test_a_failing_relaxation_leaves_the_weeks_without_it(monkeypatch):
    import scheduling.shifts.relaxation as relaxation
    from scheduling.shifts.planner import setup_run

    def broken(*args: object) -> None:
        raise MemoryError

    need = shared_hours_need()
    monkeypatch.setattr(relaxation, "_relaxation", broken)
    run = setup_run(need, sites=CHEAP_EAST, options=SLACK, roster=None)
    assert relaxation.horizon_relaxation(need, run, SLACK) is None
    plan = schedule_horizon(need, sites=CHEAP_EAST, options=SLACK)
    assert plan.coverage["shortfall"].sum() == pytest.approx(0.0, abs=1e-6)


def test_a_horizon_too_large_for_the_relaxation_goes_without_it(monkeypatch):
    import scheduling.shifts.relaxation as relaxation
    from scheduling.shifts.planner import setup_run

    need = shared_hours_need()
    run = setup_run(need, sites=CHEAP_EAST, options=SLACK, roster=None)
    need["interval_start"] = pd.to_datetime(need["interval_start"], utc=True)
    monkeypatch.setattr(relaxation, "RELAXATION_SHIFT_INTERVALS", 10)
    assert relaxation.horizon_relaxation(need, run, SLACK) is None


def test_a_week_leaves_each_queue_what_the_next_week_s_groups_serving_it_cover():
    """Each later group's agents are spread over the queues it serves by their
    requirement; a queue no later group serves (phone at 19:00: the later agents
    there serve chat only) keeps its whole requirement."""
    from scheduling.shifts.weeks import _left_to_next

    hour = pd.Timestamp("2026-11-29 18:00Z")
    later = pd.Timestamp("2026-11-29 19:00Z")
    needed = pd.DataFrame(
        {
            "interval_start": [hour, hour, later, later],
            "queue": ["phone", "chat", "phone", "chat"],
            "agents_scheduled": [3.0, 1.0, 2.0, 4.0],
        }
    )
    covered = {
        ("chat", "phone"): pd.Series([2.0], index=pd.DatetimeIndex([hour])),
        ("chat",): pd.Series([1.0, 9.0], index=pd.DatetimeIndex([hour, later])),
    }
    left = _left_to_next(needed, covered)
    # 18:00: the two-queue group's 2 agents go 1.5 to phone and 0.5 to chat, and
    # the chat group's one more to chat, capped at its requirement
    assert list(left["agents_scheduled"]) == pytest.approx([1.5, 0.0, 2.0, 0.0])
    assert list(needed["agents_scheduled"]) == [3.0, 1.0, 2.0, 4.0]  # not changed


def test_the_weekly_bound_credits_each_week_for_the_shared_hours_it_covers():
    """One agent round the clock: week 1's last shifts run into the hours week 2
    shares, and the bound meets the optimum only when each week's programme is
    credited for all they cover there (once per shift, over every hour)."""
    bound, optimum = far_apart_bound([1.0] * (24 * 9))
    assert 0.99 * optimum <= bound <= optimum + 1e-6


def test_each_week_of_the_bound_sees_all_its_shifts_cover():
    """A shift of a week may end up to the longest shift after its last site's week
    end; the week's grid must reach that far, or its credit would miss hours."""
    from scheduling.shifts.planner import setup_run
    from scheduling.shifts.weekbound import _bound_weeks

    need = pd.DataFrame(
        {
            "interval_start": pd.date_range(START_NY, periods=24 * 16, freq="60min"),
            "queue": "phone",
            "agents_scheduled": 1.0,
        }
    )
    for sites in (FAR_APART, CLOSE):
        weeks = _bound_weeks(setup_run(need, sites=sites, options=SLACK, roster=None), SLACK)
        assert len(weeks) == 3
        for week in weeks:
            assert (week.shifts[END] <= week.grid[1]).all()
            assert (week.shifts[START] >= week.grid[0]).all()
            assert week.grid[0] <= week.own[0] <= week.own[1] <= week.grid[1]
        for before, after in itertools.pairwise(weeks):
            assert before.own[1] <= after.own[0]


@settings(max_examples=6, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.4, 1.0, 2.0, 3.0]), min_size=18, max_size=18),
    st.booleans(),
)
def test_the_weekly_bound_is_below_any_plan(blocks: list[float], close: bool) -> None:
    """Requirements drawn in 12-hour blocks, at sites 14 or 1 hours apart: the
    bound never exceeds the optimum."""
    agents = [blocks[h // 12] for h in range(24 * 9)]
    bound, optimum = far_apart_bound(agents, CLOSE if close else FAR_APART)
    assert bound <= optimum + 1e-6


def test_agent_summary_counts_hours_in_the_site_own_weeks():
    from scheduling.shifts.agents import agent_summary
    from scheduling.shifts.roster import Agent

    # Manila Friday 09:00 and the next Monday 08:00: 7 days from the horizon's
    # start (Monday 13:00 there) the Monday shift is still inside the first
    # 7-day block, but it starts Manila's second week.
    starts = [
        pd.Timestamp("2026-11-27 09:00", tz="Asia/Manila"),
        pd.Timestamp("2026-11-30 08:00", tz="Asia/Manila"),
    ]
    schedule = pd.DataFrame(
        {
            "agent": "ana",
            "site": "Manila",
            "start": [t.tz_convert("UTC") for t in starts],
            "end": [t.tz_convert("UTC") + pd.Timedelta(hours=8) for t in starts],
        }
    )
    agents = [Agent(name="ana", site="Manila", skills=("phone",), max_hours=40.0)]
    horizon = (START_NY, START_NY + pd.Timedelta(days=14))
    zones = {"Manila": "Asia/Manila"}
    row = agent_summary(schedule, agents, horizon=horizon, timezones=zones, weekday=0).iloc[0]
    assert row["hours_by_week"] == "8;8"


@pytest.mark.parametrize(("length", "last_day"), [(2, 6), (2, 7), (3, 6), (3, 7)])
def test_a_run_of_days_off_spills_into_the_next_week_only_when_the_week_has_none(length, last_day):
    """Every set of worked days of one week (brute force): `spilled` is None
    exactly when a run lies inside the week, else the earliest last day of a
    free run reaching past it; with the spill the week keeps a run either way."""
    from scheduling.shifts.daysoff import DaysOff

    inside = DaysOff(length, None, last_day)
    spilling = DaysOff(length, None, last_day, spill=length - 1)
    for mask in range(1 << (last_day + 1)):
        worked = {d for d in range(last_day + 1) if mask >> d & 1}
        runs = [range(first, first + length) for first in range(7)]
        free = [r for r in runs if not worked.intersection(r) and r[-1] < last_day + length]
        past = [r[-1] for r in free if r[-1] > last_day]
        expected = None if inside.kept(worked) or not past else min(past)
        assert spilling.spilled(worked) == expected
        assert spilling.kept(worked) == bool(free)


def _manila_shifts(agent: str, days: list[str], hour: int = 9) -> list[dict]:
    """8-hour shifts of `agent` at Manila starting at `hour` local on `days` (dates)."""
    out = []
    for day in days:
        start = pd.Timestamp(f"{day} {hour:02d}:00", tz="Asia/Manila").tz_convert("UTC")
        row = {"agent": agent, "site": "Manila", "start": start}
        out.append({**row, "end": start + pd.Timedelta(hours=8), "timezone": "Asia/Manila"})
    return out


def _previous_week() -> pd.DataFrame:
    """Before a horizon starting Monday 23 November 13:00 in Manila: a00 worked
    that Monday 02:00-10:00 (Manila's week 1, before the horizon); a01 worked
    Tuesday to Saturday, so its two free days in a row are Sunday 22 and Monday 23;
    a02 worked Monday to Friday (Saturday and Sunday free)."""
    rows = _manila_shifts("a00", ["2026-11-23"], hour=2)
    rows += _manila_shifts("a01", [f"2026-11-{d}" for d in range(17, 22)])
    rows += _manila_shifts("a02", [f"2026-11-{d}" for d in range(16, 21)])
    return pd.DataFrame(rows)


def test_previous_shifts_carry_days_off_and_the_first_week_days_and_hours():
    from scheduling.shifts.roster import Carry
    from scheduling.shifts.siteweeks import previous_weeks

    site = conftest.make_site(name="Manila", timezone="Asia/Manila")
    horizon = (START_NY, START_NY + pd.Timedelta(days=14))
    first = sites_in_week([site], horizon, 0, 0)
    options = ScheduleOptions(consecutive_days_off=2)
    release, carried = previous_weeks(_previous_week(), first, START_NY, options)
    tuesday = pd.Timestamp("2026-11-24 00:00", tz="Asia/Manila").tz_convert("UTC")
    assert release == {"a00": tuesday, "a01": tuesday}  # a00: one shift a local day
    assert carried == {"a00": Carry((0,), 8.0)}


def test_a_previous_schedule_counts_toward_the_first_local_week_of_each_agent():
    """Manila's first week starts 13 hours before the horizon: a00's shift that
    Monday morning (from --previous) is one of its days and 8 of its hours, so
    with 5 days a week it gets at most 4 more there and none that day; a01's
    Sunday and Monday off stay off (its week before had no two free days inside)."""
    requirements, site, roster, options = manila_run(agents=6)
    previous = _previous_week()
    result = schedule_horizon(
        requirements, sites=[site], options=options, roster=roster, previous=previous
    )
    schedule = result.schedule
    assert len(schedule) > 40  # busy: the rules bind
    both = pd.concat([previous, schedule[previous.columns]], ignore_index=True)
    local = both[START].dt.tz_convert("Asia/Manila")
    week1 = local.dt.date.between(
        pd.Timestamp("2026-11-23").date(), pd.Timestamp("2026-11-29").date()
    )
    for agent, shifts in both[week1].groupby(AGENT):
        dates = set(local[shifts.index].dt.date)
        assert len(shifts) <= options.max_days_per_week, agent
        assert len(dates) == len(shifts), agent  # one shift a local day
        hours = (shifts[END] - shifts[START]).dt.total_seconds().sum() / 3600
        assert hours <= options.max_hours_per_week, agent
        week = pd.Timestamp("2026-11-23").date()
        free = [week + pd.Timedelta(days=d) not in dates for d in range(8)]
        assert any(a and b for a, b in itertools.pairwise(free)), agent
    a00 = local[(both[AGENT] == "a00") & week1]
    assert len(a00) == 5  # it is short of agents: a00 works every day it may
    a01 = local[(both[AGENT] == "a01") & (both[START] >= START_NY)]
    assert a01.min() >= pd.Timestamp("2026-11-24 00:00", tz="Asia/Manila")
    for _, shifts in both.groupby(AGENT):
        shifts = shifts.sort_values(START)
        gaps = shifts[START].iloc[1:].to_numpy() - shifts[END].iloc[:-1].to_numpy()
        assert (gaps >= pd.Timedelta(hours=11).to_timedelta64()).all()


@pytest.mark.parametrize(
    ("carry", "hours", "rules", "fragment"),
    [
        ((0,), 9.0, {}, "9 hours in Manila's week of 2026-11-23 before the horizon"),
        ((0,), 8.0, {"max_days_per_week": 1}, None),
        ((-1, 0), 8.0, {"max_days_per_week": 1}, "2 days in Manila's week"),
        ((0,), 8.0, {"consecutive_days_off": 6, "max_days_per_week": 1}, None),
        ((0, 6), 8.0, {"consecutive_days_off": 6, "max_days_per_week": 2}, "no 6 free days"),
    ],
)
def test_a_carry_that_alone_breaks_a_first_week_rule_names_the_rule(carry, hours, rules, fragment):
    from scheduling.shifts.roster import Agent, Carry
    from scheduling.shifts.siteweeks import carry_conflicts

    site = conftest.make_site(name="Manila", timezone="Asia/Manila")
    horizon = (START_NY, START_NY + pd.Timedelta(days=14))
    first = sites_in_week([site], horizon, 0, 0)
    agent = Agent(name="ana", site="Manila", skills=("phone",), max_hours=8.0)
    options = ScheduleOptions(**rules)
    found = carry_conflicts({"ana": Carry(carry, hours)}, [agent], first, START_NY, options)
    if fragment is None:
        assert found == {}
    else:
        assert list(found) == ["ana"] and fragment in found["ana"]


def test_weeks_from_another_weekday_give_part_weeks_at_both_ends():
    """Weeks from Sunday over two weeks from a Monday in New York: a first week of
    6 days, one of 7, a last of 1; each site cut at its own Sunday midnights."""
    from scheduling.shifts.siteweeks import week_starts
    from scheduling.shifts.weeks import week_spans

    horizon = (START_NY, START_NY + pd.Timedelta(days=14))
    assert week_starts(horizon, 6)[0] == START_NY - pd.Timedelta(days=1)
    spans = week_spans(horizon, 6)
    assert [(e - s) / pd.Timedelta(days=1) for s, e in spans] == [6, 7, 1]
    assert week_spans(horizon) == week_spans(horizon, 7)
    assert [(e - s) / pd.Timedelta(days=1) for s, e in week_spans(horizon)] == [7, 7]
    for zone in ("Asia/Manila", "America/Chicago", "America/New_York"):
        bounds = week_bounds(horizon, zone, 6, 6)
        assert len(bounds) == 4 and bounds[0] == START_NY and bounds[-1] == horizon[1]
        assert all(is_local_midnight(b, zone, 6) for b in bounds[1:-1])
    site = conftest.make_site(name="M", timezone="Asia/Manila")
    first = sites_in_week([site], horizon, 0, 6, 6)[0]
    assert first.week_from == pd.Timestamp("2026-11-22 00:00", tz="Asia/Manila")
    assert first.span == (START_NY, pd.Timestamp("2026-11-29 00:00", tz="Asia/Manila"))


def test_weekly_rules_hold_in_weeks_from_sunday_with_part_weeks():
    """The Manila run with weeks from Sunday: every local Sunday-Saturday week
    holds the rules, the first counting the previous schedule's Sunday (a00
    worked it: at most 4 more days, and its days off in a row are not that Sunday
    and Monday)."""
    requirements, site, roster, options = manila_run(agents=6)
    options = dataclasses.replace(options, week_start_day=6, first_week_days=6)
    previous = pd.DataFrame(_manila_shifts("a00", ["2026-11-22"]))
    result = schedule_horizon(
        requirements, sites=[site], options=options, roster=roster, previous=previous
    )
    schedule = result.schedule
    assert len(schedule) > 40
    both = pd.concat([previous, schedule[previous.columns]], ignore_index=True)
    local = both[START].dt.tz_convert("Asia/Manila")
    sunday = (
        local.dt.normalize() - pd.to_timedelta((local.dt.day_of_week + 1) % 7, unit="D")
    ).dt.date
    for (agent, week), shifts in both.groupby([both[AGENT], sunday]):
        dates = set(local[shifts.index].dt.date)
        assert len(shifts) <= options.max_days_per_week, (agent, week)
        assert len(dates) == len(shifts)
    for agent, shifts in both.groupby(AGENT):
        dates = set(local[shifts.index].dt.date)
        for week in (pd.Timestamp("2026-11-22").date(), pd.Timestamp("2026-11-29").date()):
            free = [week + pd.Timedelta(days=d) not in dates for d in range(8)]
            assert any(a and b for a, b in itertools.pairwise(free)), (agent, week)
    a00 = local[(both[AGENT] == "a00") & (sunday == pd.Timestamp("2026-11-22").date())]
    assert len(a00) <= 5


@pytest.mark.parametrize("both", [True, False])
def test_a_part_week_in_which_a_site_starts_no_shift_is_planned_without_it(both):
    """Weeks from Sunday, two weeks from a Monday: the last week is one Sunday, on
    which a Monday-Friday site starts nothing. It was refused ('no shift starts');
    now the week is planned with the sites that work it, or left short when none does."""
    weekdays = conftest.make_site(
        name="Office", timezone="UTC", days=(0, 1, 2, 3, 4), start_step_minutes=120, max_agents=8
    )
    always = conftest.make_site(
        name="Always",
        timezone="UTC",
        open_minutes=0,
        close_minutes=1440,
        days=tuple(range(7)),
        start_step_minutes=120,
        max_agents=8,
    )
    monday = pd.Timestamp("2026-11-23 00:00Z")
    times = pd.date_range(monday, periods=24 * 14, freq="60min")
    requirements = pd.DataFrame(
        {"interval_start": times, "queue": "phone", "agents_scheduled": 1.0}
    )
    options = ScheduleOptions(
        break_minutes=0,
        cyclic=False,
        time_limit_seconds=30,
        node_limit=20,
        week_start_day=6,
        first_week_days=6,
    )
    sites = [weekdays, always] if both else [weekdays]
    seen = []
    result = schedule_horizon(requirements, sites=sites, options=options, progress=seen.append)
    seen = seen[1:]  # after the whole horizon's relaxation (`Relaxed`), the weeks
    assert [(d.week, d.weeks) for d in seen] == [(1, 3), (2, 3), (3, 3)]  # the last week too
    assert [d.planned for d in seen] == [True, True, both]
    sunday = pd.Timestamp("2026-12-06 00:00Z")
    last = result.schedule[result.schedule[START] >= sunday]
    assert set(last["site"]) <= {"Always"}
    assert len(last) > 0 if both else last.empty
    assert result.solve.bound is not None and result.solve.bound <= result.solve.objective


def test_a_week_whose_root_finds_no_schedule_still_gives_its_bound(monkeypatch):
    """A week's root node may stop before its first schedule; HiGHS's bound holds
    anyway, so the weeks' bound is the same as when the root found one."""
    import scheduling.shifts.weekbound as weekbound
    from scheduling.errors import InfeasibleError

    found, _ = far_apart_bound([1.0] * (24 * 9))
    real = weekbound.solve

    def no_schedule(model, **settings):
        real(model, **settings)
        raise InfeasibleError("stopped without a solution")

    monkeypatch.setattr(weekbound, "solve", no_schedule)
    again, optimum = far_apart_bound([1.0] * (24 * 9))
    assert again == pytest.approx(found)
    assert again <= optimum + 1e-6


def test_the_weekly_bound_holds_at_any_price_of_the_shared_hours(monkeypatch):
    """The Lagrangian is a bound at any price in [0, shortfall penalty]: at the
    highest, a week's programme must still hold every shift that works only in
    the shared hours (the requirement it sees there is 0, so pruning by the
    requirement would drop them and lift the bound above the optimum)."""
    import scheduling.shifts.weekbound as weekbound

    priced = weekbound.boundary_prices

    def dearest(frame, weeks, *, step, penalty):
        prices = priced(frame, weeks, step=step, penalty=penalty)
        return prices * 0.0 + penalty * (step / pd.Timedelta(hours=1))

    monkeypatch.setattr(weekbound, "boundary_prices", dearest)
    times = pd.date_range(START_NY, periods=24 * 9, freq="60min")
    shared = (times >= pd.Timestamp("2026-11-29 16:00Z")) & (
        times < pd.Timestamp("2026-11-30 14:00Z")
    )
    bound, optimum = far_apart_bound([2.0 if s else 0.0 for s in shared])
    assert optimum > 0
    assert bound <= optimum + 1e-6


def test_the_weekly_bound_raises_its_prices_where_agents_are_scarce():
    """Six agents wanted by day and three by night at sites of at most five a day:
    every plan is short. At the least-cost prices the weeks buy the shared hours
    cheaply and spend the days so freed on their own hours; the raised prices
    give a higher bound, still below the optimum."""
    hours = pd.date_range(START_NY, periods=24 * 9, freq="60min").tz_convert("America/New_York")
    agents = [6.0 if 8 <= h < 20 else 3.0 for h in hours.hour]
    searched, optimum = far_apart_bound(agents, duals=False)
    cheapest, _ = far_apart_bound(agents, rises=(), duals=False)
    assert cheapest * 1.1 <= searched <= optimum + 1e-6
    # the whole horizon relaxation's duals price the shared hours as the optimum does
    both, _ = far_apart_bound(agents)
    assert max(searched, 0.999 * optimum) <= both <= optimum + 1e-6


SLACK_30 = dataclasses.replace(SLACK, interval_minutes=30)


def scarce_half_hours(start: pd.Timestamp = START_NY) -> pd.DataFrame:
    """Nine days of half-hourly requirements from `start`: 6 and 5 agents in the
    two halves of each New York day hour, 3 and 2 by night (scarce: every plan
    at `FAR_APART` is short)."""
    times = pd.date_range(start, periods=2 * 24 * 9, freq="30min")
    local = times.tz_convert("America/New_York")
    day = (local.hour >= 8) & (local.hour < 20)
    first_half = local.minute < 30
    agents = np.where(day, 5.0, 2.0) + first_half
    return pd.DataFrame({"interval_start": times, "queue": "phone", "agents_scheduled": agents})


def test_the_coarse_relaxation_spreads_each_hour_s_dual_over_its_intervals():
    """The hourly relaxation is the one the same requirements averaged onto hours
    give; each dual of an hour is split evenly over its two half hours."""
    from scheduling.shifts.demand import coarser_requirements
    from scheduling.shifts.planner import setup_run
    from scheduling.shifts.relaxation import coarse_relaxation, horizon_relaxation

    need = scarce_half_hours()
    run = setup_run(need, sites=FAR_APART, options=SLACK_30, roster=None)
    need["interval_start"] = pd.to_datetime(need["interval_start"], utc=True)
    coarse = coarse_relaxation(need, run, SLACK_30)
    hourly = coarser_requirements(need, minutes=60, step_minutes=30)
    assert hourly["agents_scheduled"].iloc[0] == pytest.approx(2.5)
    at_hours = horizon_relaxation(hourly, run, SLACK)
    assert coarse is not None and at_hours is not None and at_hours.duals
    assert not coarse.guides and not coarse.forced and not coarse.on_duty
    half = pd.Timedelta(minutes=30)
    expected = {
        (queues, t + k * half): u / 2 for (queues, t), u in at_hours.duals.items() for k in (0, 1)
    }
    assert coarse.duals.keys() == expected.keys()
    for key, u in expected.items():
        assert coarse.duals[key] == pytest.approx(u)


def test_no_coarse_relaxation_at_an_hourly_grid():
    from scheduling.shifts.planner import setup_run
    from scheduling.shifts.relaxation import coarse_relaxation

    need = shared_hours_need()
    run = setup_run(need, sites=CHEAP_EAST, options=SLACK, roster=None)
    need["interval_start"] = pd.to_datetime(need["interval_start"], utc=True)
    assert coarse_relaxation(need, run, SLACK) is None


@pytest.mark.parametrize("offset", [0, 30])
def test_the_weekly_bound_priced_by_the_hourly_relaxation_is_below_the_optimum(monkeypatch, offset):
    """Half-hourly requirements where the relaxation at their own grid is too
    large: the duals' pass is priced by the hourly one (also when the horizon
    starts on a half hour, so that its first and last hours reach outside it),
    stays below the optimum and beats the least-cost prices and their rises."""
    import scheduling.shifts.relaxation as relaxation

    monkeypatch.setattr(relaxation, "RELAXATION_SHIFT_INTERVALS", 0)
    need = scarce_half_hours(START_NY + pd.Timedelta(minutes=offset))
    passes: dict[str, float | None] = {}
    bound, optimum = bound_and_optimum(
        need, FAR_APART, SLACK_30, on_pass=lambda label, found: passes.setdefault(label, found)
    )
    assert "relaxation's duals" not in passes  # none at the run's own grid
    priced = passes["hourly relaxation's duals"]
    cheapest = max(found for label, found in passes.items() if label.startswith("least cost"))
    assert priced is not None and bound == pytest.approx(max(priced, cheapest))
    assert cheapest < priced <= optimum + 1e-6


def test_a_plan_whose_relaxation_is_too_large_is_bounded_by_the_hourly_one(monkeypatch):
    """The plan's bound (computed in a second process) prices a pass by the hourly
    relaxation when the one at the run's grid was not built: it is the weeks'
    bound with that pass, above the one without, and below the optimum."""
    import scheduling.shifts.relaxation as relaxation

    monkeypatch.setattr(relaxation, "RELAXATION_SHIFT_INTERVALS", 0)
    need = scarce_half_hours()
    plan = schedule_horizon(need, sites=FAR_APART, options=SLACK_30)
    bound, optimum = bound_and_optimum(need, FAR_APART, SLACK_30)
    without, _ = bound_and_optimum(need, FAR_APART, SLACK_30, duals=False)
    assert plan.solve.bound == pytest.approx(bound)
    assert without < bound <= min(optimum, plan.objective) + 1e-6
