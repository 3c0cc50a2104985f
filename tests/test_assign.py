"""Agents to shifts: each rule enforced, unfilled reported, properties on random cases."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re

import conftest
import highspy
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scheduling.shifts.assign as assign_module
import scheduling.shifts.weekly as weekly_module
from scheduling.columns import SCHEDULE_COLUMNS
from scheduling.errors import InputError
from scheduling.shifts.assign import _Rules, _steadied, assign_agents, make_slot
from scheduling.shifts.daysoff import DaysOff
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import roster_agents
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.weekly import WeeklyAssignment, assign_weeks

MONDAY = pd.Timestamp("2026-11-23 00:00Z")
WEEK = (MONDAY, MONDAY + pd.Timedelta(days=7))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def make_site(**overrides: object) -> Site:
    return conftest.make_site(
        **{**{"open_minutes": 0, "close_minutes": 1440, "queues": ("chat", "phone")}, **overrides}
    )


def make_options(**overrides: object) -> ScheduleOptions:
    fields: dict[str, object] = {"break_minutes": 0, "cyclic": False, "min_rest_hours": 11}
    fields.update(overrides)
    return ScheduleOptions(**fields)  # type: ignore[arg-type]


SITE = make_site()
SHIFTS = generate_shifts([SITE], start=WEEK[0], end=WEEK[1])


def shift_id(day: int, hour: int, hours: int = 8, site: str = "Test") -> str:
    start = MONDAY + pd.Timedelta(days=day, hours=hour)
    return f"{site}|{start:%Y-%m-%dT%H:%M}+00:00|{hours}h"


def chosen(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["shift_id", "queue", "count"])


def roster(*agents: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame([{"site": "Test", **agent} for agent in agents])


def assign(picks, staff, options=None, sites=(SITE,), shifts=SHIFTS, breaks=None):
    return assign_agents(
        picks,
        shifts,
        roster=staff,
        sites=list(sites),
        options=options or make_options(),
        horizon=WEEK,
        breaks=breaks,
    )


def who(schedule: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [(row.agent, f"{row.start:%a %H:%M}", row.queue) for row in schedule.itertuples()]


def test_rest_between_shifts_is_enforced() -> None:
    picks = chosen((shift_id(0, 16), "phone", 1), (shift_id(1, 6), "phone", 1))  # 6 h apart
    schedule, unfilled = assign(picks, roster({"agent": "ana"}))
    assert len(schedule) == 1 and int(unfilled["count"].sum()) == 1
    schedule, unfilled = assign(picks, roster({"agent": "ana"}), make_options(min_rest_hours=6))
    assert who(schedule) == [
        ("ana", "Mon 16:00", "chat;phone"),
        ("ana", "Tue 06:00", "chat;phone"),
    ]
    assert unfilled.empty
    schedule, _ = assign(picks, roster({"agent": "ana"}, {"agent": "ben"}))
    assert schedule["agent"].nunique() == 2


@pytest.mark.parametrize("critical", [0, 1])
def test_a_roster_short_of_agents_fills_the_shift_the_plan_misses_most(critical) -> None:
    # One agent, two Monday shifts (one a local day): the one whose absence
    # leaves the plan short (short_if_left) is filled, whichever it is.
    picks = chosen((shift_id(0, 8), "phone", 1), (shift_id(0, 16), "phone", 1))
    picks["short_if_left"] = [8.0 if k == critical else 0.0 for k in range(2)]
    schedule, unfilled = assign(picks, roster({"agent": "ana"}))
    assert who(schedule) == [("ana", ["Mon 08:00", "Mon 16:00"][critical], "chat;phone")]
    assert int(unfilled["count"].sum()) == 1


def test_rest_across_the_weekly_wrap_when_cyclic() -> None:
    # Sunday 20:00-04:00 ends 4 h before Monday 08:00 of the repeating week.
    picks = chosen((shift_id(0, 8), "phone", 1), (shift_id(6, 20), "phone", 1))
    one = roster({"agent": "ana"})
    _, unfilled = assign(picks, one, make_options(cyclic=True))
    assert int(unfilled["count"].sum()) == 1
    schedule, unfilled = assign(picks, one, make_options(cyclic=False))
    assert len(schedule) == 2 and unfilled.empty


def test_one_shift_per_local_day() -> None:
    picks = chosen((shift_id(0, 0), "phone", 1), (shift_id(0, 16), "phone", 1))
    # 00:00-08:00 and 16:00-24:00 leave 8 h rest; with rest 0 only the day rule bites.
    schedule, unfilled = assign(picks, roster({"agent": "ana"}), make_options(min_rest_hours=0))
    assert len(schedule) == 1 and int(unfilled["count"].sum()) == 1


def test_days_per_week_is_enforced() -> None:
    picks = chosen(*[(shift_id(d, 8), "phone", 1) for d in range(3)])
    schedule, unfilled = assign(picks, roster({"agent": "ana"}), make_options(max_days_per_week=2))
    assert len(schedule) == 2 and int(unfilled["count"].sum()) == 1


def test_two_consecutive_days_off_every_week() -> None:
    # Mon, Tue, Thu, Fri, Sat: the days off (Wed, Sun) are not consecutive.
    picks = chosen(*[(shift_id(d, 8), "phone", 1) for d in (0, 1, 3, 4, 5)])
    ana = roster({"agent": "ana"})
    schedule, unfilled = assign(picks, ana, make_options(consecutive_days_off=0))
    assert len(schedule) == 5 and unfilled.empty
    schedule, unfilled = assign(picks, ana)  # the default asks for two in a row
    assert len(schedule) == 4 and int(unfilled["count"].sum()) == 1
    assert keeps_days_off(schedule["start"], SITE, make_options(), WEEK)


def test_days_off_may_wrap_round_a_cyclic_week() -> None:
    # Tue-Sat worked: Sun and Mon off, consecutive across the week's end.
    picks = chosen(*[(shift_id(d, 8), "phone", 1) for d in (1, 2, 3, 4, 5)])
    ana = roster({"agent": "ana"})
    schedule, unfilled = assign(picks, ana, make_options(cyclic=True))
    assert len(schedule) == 5 and unfilled.empty
    # Mon-Wed and Fri-Sat leave Thu and Sun: never two in a row, even wrapped.
    picks = chosen(*[(shift_id(d, 8), "phone", 1) for d in (0, 1, 2, 4, 5)])
    _, unfilled = assign(picks, ana, make_options(cyclic=True))
    assert int(unfilled["count"].sum()) == 1


def test_one_shift_per_local_day_of_the_repeating_week() -> None:
    # Manila's week starts at 13:00 local (05:00 UTC). Monday 14:00 and the next
    # Monday 01:00 are both in it, and in the repeating week both are Monday.
    site = make_site(timezone="Asia/Manila")
    start = MONDAY + pd.Timedelta(hours=5)
    horizon = (start, start + pd.Timedelta(days=7))
    shifts = generate_shifts([site], start=horizon[0], end=horizon[1])
    picks = chosen(
        ("Test|2026-11-23T14:00+08:00|8h", "phone", 1),
        ("Test|2026-11-30T01:00+08:00|8h", "phone", 1),
    )
    schedule, unfilled = assign_agents(
        picks,
        shifts,
        roster=roster({"agent": "ana"}),
        sites=[site],
        options=make_options(cyclic=True, min_rest_hours=0, consecutive_days_off=0),
        horizon=horizon,
    )
    assert len(schedule) == 1 and int(unfilled["count"].sum()) == 1


def test_anonymous_agents_keep_their_days_off() -> None:
    picks = chosen(*[(shift_id(d, 8), "phone", 1) for d in (0, 1, 3, 4, 5)])
    schedule, unfilled = assign(picks, None)
    assert unfilled.empty
    options = make_options()
    local = schedule["start"].dt.tz_convert(SITE.timezone)
    for _, starts in local.groupby(schedule["agent"]):
        assert keeps_days_off(starts, SITE, options, WEEK)
    assert schedule["agent"].nunique() == 2


def test_weekend_days_are_spread_over_the_roster() -> None:
    # Two agents, a Saturday and a Sunday shift: one each, although ana would
    # rather start at 08:00 on both days.
    picks = chosen((shift_id(5, 8), "phone", 1), (shift_id(6, 8), "phone", 1))
    staff = roster(
        {"agent": "ana", "preferred_start": "08:00"},
        {"agent": "ben", "preferred_start": "20:00"},
    )
    schedule, unfilled = assign(picks, staff)
    assert unfilled.empty and sorted(schedule["agent"]) == ["ana", "ben"]


def test_unavailable_days_beat_preferences() -> None:
    picks = chosen((shift_id(5, 8), "phone", 1))  # Saturday 08:00
    staff = roster(
        {"agent": "ana", "days_unavailable": "sat;sun", "preferred_start": "08:00"},
        {"agent": "ben", "days_unavailable": "", "preferred_start": "20:00"},
    )
    schedule, _ = assign(picks, staff)
    assert who(schedule) == [("ben", "Sat 08:00", "chat;phone")]
    _, unfilled = assign(picks, staff.iloc[[0]])
    assert int(unfilled["count"].sum()) == 1


def test_skills_are_enforced() -> None:
    picks = chosen((shift_id(0, 8), "phone", 1))
    staff = roster(
        {"agent": "ana", "skills": "chat", "preferred_start": "08:00"},
        {"agent": "ben", "skills": "phone;chat", "preferred_start": "20:00"},
    )
    schedule, _ = assign(picks, staff)
    assert who(schedule) == [("ben", "Mon 08:00", "chat;phone")]
    _, unfilled = assign(picks, staff.iloc[[0]])
    assert int(unfilled["count"].sum()) == 1


def test_a_slot_needs_every_queue_of_its_group_among_the_skills() -> None:
    picks = chosen((shift_id(0, 8), "chat;phone", 1), (shift_id(1, 8), "chat", 1))
    staff = roster({"agent": "ana", "skills": "chat"}, {"agent": "ben"})
    schedule, unfilled = assign(picks, staff)
    assert unfilled.empty
    # Only ben (both queues) can take the blended slot; ana (chat only) never does.
    assert ("ben", "Mon 08:00", "chat;phone") in who(schedule)
    assert all(name == "ben" for name, day, _ in who(schedule) if day == "Mon 08:00")
    _, unfilled = assign(picks.iloc[[0]], staff.iloc[[0]])
    assert unfilled.to_dict("records")[0]["queue"] == "chat;phone"


def test_an_agent_takes_its_planned_groups_slots_and_keeps_its_own_skills() -> None:
    """A roster planned on merged groups (`planning_skills`): ana (chat only) was
    counted for chat and phone, so she may take that group's slot; the schedule
    says what she serves."""
    picks = chosen((shift_id(0, 8), "chat;phone", 1))
    staff = roster({"agent": "ana", "skills": "chat"})
    schedule, unfilled = assign_agents(
        picks,
        SHIFTS,
        roster=staff,
        sites=[SITE],
        options=make_options(),
        horizon=WEEK,
        planned_skills={"ana": ("chat", "phone")},
    )
    assert unfilled.empty
    assert who(schedule) == [("ana", "Mon 08:00", "chat")]


def test_breaks_are_handed_out_in_name_and_start_order() -> None:
    picks = chosen((shift_id(0, 8), "chat;phone", 3))
    monday = MONDAY + pd.Timedelta(hours=11)
    breaks = pd.DataFrame(
        {
            "shift_id": [shift_id(0, 8)] * 3,
            "queue": ["phone;chat"] * 3,
            "break_start": [
                monday,
                monday + pd.Timedelta(minutes=30),
                monday + pd.Timedelta(hours=1),
            ],
            "break_end": [
                monday + pd.Timedelta(minutes=30),
                monday + pd.Timedelta(hours=1),
                monday + pd.Timedelta(minutes=90),
            ],
            "agents": [2.0, 0.0, 1.0],
        }
    )
    staff = roster({"agent": "cy"}, {"agent": "ana"}, {"agent": "ben"})
    schedule, _ = assign(picks, staff, breaks=breaks)
    got = {row.agent: f"{row.break_start:%H:%M}" for row in schedule.itertuples()}
    assert got == {"ana": "11:00", "ben": "11:00", "cy": "12:00"}
    # Only two agents for three planned: the breaks shrink by largest remainder.
    schedule, unfilled = assign(picks, staff.iloc[[1, 2]], breaks=breaks)
    assert int(unfilled["count"].sum()) == 1
    assert sorted(f"{t:%H:%M}" for t in schedule["break_start"]) == ["11:00", "12:00"]
    # Without break rows the shift has no break.
    schedule, _ = assign(picks, staff)
    assert schedule["break_start"].isna().all()


def test_contracted_and_weekly_hours_are_enforced() -> None:
    picks = chosen(*[(shift_id(d, 8), "phone", 1) for d in range(3)])
    schedule, unfilled = assign(picks, roster({"agent": "ana", "contracted_hours": 16}))
    assert len(schedule) == 2 and int(unfilled["count"].sum()) == 1
    schedule, _ = assign(picks, roster({"agent": "ana", "contracted_hours": None}))
    assert len(schedule) == 3
    schedule, _ = assign(picks, roster({"agent": "ana"}), make_options(max_hours_per_week=16))
    assert len(schedule) == 2


def test_agents_only_work_at_their_site() -> None:
    other = make_site(name="Other")
    picks = chosen((shift_id(0, 8), "phone", 1))
    staff = roster({"agent": "ana", "site": "Other"})
    schedule, unfilled = assign(picks, staff, sites=(SITE, other))
    assert schedule.empty
    assert unfilled.to_dict("records") == [
        {
            "site": "Test",
            "start": MONDAY + pd.Timedelta(hours=8),
            "end": MONDAY + pd.Timedelta(hours=16),
            "queue": "phone",
            "count": 1,
        }
    ]


def test_programme_fills_what_start_order_greed_would_not() -> None:
    # Taking the phone-and-chat agent for chat first would leave phone unfilled.
    picks = chosen((shift_id(0, 8), "chat", 1), (shift_id(0, 8), "phone", 1))
    staff = roster({"agent": "ana"}, {"agent": "ben", "skills": "chat"})
    schedule, unfilled = assign(picks, staff)
    assert unfilled.empty
    assert sorted(who(schedule)) == [
        ("ana", "Mon 08:00", "chat;phone"),
        ("ben", "Mon 08:00", "chat"),
    ]


def test_preferred_start_breaks_ties() -> None:
    picks = chosen((shift_id(0, 8), "phone", 1))
    staff = roster(
        {"agent": "ana", "preferred_start": "14:00"}, {"agent": "ben", "preferred_start": "08:30"}
    )
    schedule, _ = assign(picks, staff)
    assert list(schedule["agent"]) == ["ben"]


def test_anonymous_agents_are_created_as_needed() -> None:
    picks = chosen((shift_id(0, 8), "phone", 2), (shift_id(1, 8), "chat", 2))
    schedule, unfilled = assign(picks, None)
    assert unfilled.empty
    assert tuple(schedule.columns) == SCHEDULE_COLUMNS
    assert sorted(schedule["agent"].unique()) == ["Test-001", "Test-002"]
    assert (schedule["timezone"] == "UTC").all()
    assert schedule.groupby("agent").size().tolist() == [2, 2]


def test_anonymous_agents_rest_across_the_weekly_wrap() -> None:
    picks = chosen((shift_id(0, 8), "phone", 1), (shift_id(6, 20), "phone", 1))
    schedule, _ = assign(picks, None, make_options(cyclic=True))
    assert schedule["agent"].nunique() == 2
    schedule, _ = assign(picks, None, make_options(cyclic=False))
    assert schedule["agent"].nunique() == 1


def test_anonymous_agents_respect_max_agents() -> None:
    site = make_site(max_agents=1)
    picks = chosen((shift_id(0, 8), "phone", 2), (shift_id(1, 8), "phone", 1))
    schedule, unfilled = assign(picks, None, sites=(site,))
    assert list(schedule["agent"].unique()) == ["Test-001"]
    assert len(schedule) == 2 and int(unfilled["count"].sum()) == 1


def test_inputs_are_not_mutated() -> None:
    picks = chosen((shift_id(0, 8), "phone", 1))
    staff = roster({"agent": "ana", "skills": "phone"})
    before_picks, before_staff, before_shifts = picks.copy(), staff.copy(), SHIFTS.copy()
    assign(picks, staff)
    pd.testing.assert_frame_equal(picks, before_picks)
    pd.testing.assert_frame_equal(staff, before_staff)
    pd.testing.assert_frame_equal(SHIFTS, before_shifts)


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        ([{"agent": "ana"}, {"agent": "ana"}], "'ana' appears twice"),
        ([{"agent": "ana", "site": "Nowhere"}], "site 'Nowhere' is not configured"),
        ([{"agent": "ana", "skills": "billing"}], "'billing' are not queues of site 'Test'"),
        ([{"agent": "ana", "days_unavailable": "funday"}], "days_unavailable has 'funday'"),
        ([{"agent": "ana", "preferred_start": "8am"}], "preferred_start must be"),
        ([{"agent": "ana", "contracted_hours": -3}], "contracted_hours must be >= 0"),
        ([{"agent": ""}], "agent is empty"),
    ],
)
def test_roster_is_validated(agents, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        assign(chosen((shift_id(0, 8), "phone", 1)), roster(*agents))


# ---------------------------------------------------------------- properties


def rule_breaks(schedule, picks, shifts, staff, sites, options, horizon) -> list[str]:
    """Every broken rule of an assignment, checked from first principles."""
    problems = []
    period = (horizon[1] - horizon[0]).total_seconds() / 3600
    site_by_name = {s.name: s for s in sites}
    agents = None if staff is None else {a["agent"]: a for a in staff.to_dict("records")}
    for name, rows in schedule.groupby("agent"):
        rows = rows.sort_values("start")
        site = site_by_name[rows["site"].iloc[0]]
        if (rows["site"] != site.name).any():
            problems.append(f"{name} works at two sites")
        if agents is None:
            info = {"site": site.name}
            if not re.fullmatch(rf"{re.escape(site.name)}-\d{{3}}", name):
                problems.append(f"bad anonymous name {name}")
        else:
            info = agents[name]
            if info["site"] != site.name:
                problems.append(f"{name} works away from their site")
        skills = sorted(
            {q for q in str(info.get("skills") or "").split(";") if q} or set(site.queues)
        )
        off = [DAYS.index(d) for d in str(info.get("days_unavailable") or "").split(";") if d]
        cap = info.get("contracted_hours")
        cap = options.max_hours_per_week if cap is None or pd.isna(cap) else cap
        local = rows["start"].dt.tz_convert(site.timezone)
        first = horizon[0].tz_convert(site.timezone).date()
        dayno = pd.Series([(d - first).days for d in local.dt.date])
        if options.cyclic and period % 24 == 0:
            dayno = dayno % int(period // 24)  # the repeating horizon's local days
        if dayno.duplicated().any():
            problems.append(f"{name} works twice on one local day")
        if not (rows["queue"] == ";".join(skills)).all():
            problems.append(f"{name} is not shown with their skills")
        if local.dt.day_of_week.isin(off).any():
            problems.append(f"{name} works on an unavailable day")
        week = ((rows["start"] - horizon[0]) // pd.Timedelta(days=7)).to_numpy()
        hours = ((rows["end"] - rows["start"]).dt.total_seconds() / 3600).to_numpy()
        for w in set(week):
            if (week == w).sum() > options.max_days_per_week:
                problems.append(f"{name} works too many days")
            if hours[week == w].sum() > cap + 1e-9:
                problems.append(f"{name} works too many hours")
        starts = ((rows["start"] - horizon[0]).dt.total_seconds() / 3600).tolist()
        ends = ((rows["end"] - horizon[0]).dt.total_seconds() / 3600).tolist()
        for i in range(1, len(starts)):
            if starts[i] - ends[i - 1] < options.min_rest_hours - 1e-9:
                problems.append(f"{name} rests too little")
        if options.cyclic and starts[0] + period - ends[-1] < options.min_rest_hours - 1e-9:
            problems.append(f"{name} rests too little across the wrap")
        if not keeps_days_off(local, site, options, horizon):
            problems.append(f"{name} has no {options.consecutive_days_off} days off in a row")
        headcount = schedule.loc[schedule["site"] == site.name, "agent"].nunique()
        if agents is None and site.max_agents is not None and headcount > site.max_agents:
            problems.append(f"more than max_agents at {site.name}")
    return problems


def keeps_days_off(local_starts, site, options, horizon) -> bool:
    """Every week (7 days from the horizon's first local date) has a run of
    `consecutive_days_off` days off starting in it; runs wrap round a cyclic
    horizon of whole days."""
    need = options.consecutive_days_off
    if need == 0:
        return True
    first = horizon[0].tz_convert(site.timezone).date()
    last = (horizon[1] - pd.Timedelta(microseconds=1)).tz_convert(site.timezone).date()
    n_days = (last - first).days + 1  # local dates the horizon touches
    days = (horizon[1] - horizon[0]) / pd.Timedelta(days=1)
    wrap = int(days) if options.cyclic and days == int(days) else None
    worked = {(d - first).days for d in local_starts.dt.tz_convert(site.timezone).dt.date}
    if wrap:
        worked = {d % wrap for d in worked}
    for week in range(-(-wrap // 7) if wrap else n_days // 7):
        runs = [
            {(p + k) % wrap if wrap else p + k for k in range(need)}
            for p in range(7 * week, 7 * week + 7)
            if wrap or p + need <= n_days
        ]
        if all(run & worked for run in runs):
            return False
    return True


def conservation(schedule, unfilled, picks, shifts) -> bool:
    """Assigned + unfilled units equal the chosen units per shift, and the agents of
    each shift can be matched to its filled units with each unit's group within
    the agent's skills."""
    key = ["site", "start", "end"]
    table = picks.merge(shifts, on="shift_id")
    wanted = table.groupby(key)["count"].sum()
    got = schedule.groupby(key).size()
    missing = unfilled.groupby(key)["count"].sum()
    total = got.add(missing, fill_value=0).astype(int)
    if total.sort_index().to_dict() != wanted.astype(int).sort_index().to_dict():
        return False
    for _, units in table.groupby(key):
        left = unfilled.merge(units[key].drop_duplicates(), on=key)
        open_units = []
        for row in units.itertuples():
            group = set(row.queue.split(";"))
            gone = left.loc[left["queue"] == ";".join(sorted(group)), "count"].sum()
            open_units += [group] * (int(row.count) - int(gone))
        people = schedule.merge(units[key].drop_duplicates(), on=key)
        skills = [set(q.split(";")) for q in people["queue"]]
        if not _perfect_matching(skills, open_units):
            return False
    return True


def _perfect_matching(skills: list[set[str]], units: list[set[str]]) -> bool:
    """Every agent matched to a distinct unit whose group is within its skills."""
    if len(skills) != len(units):
        return False
    owner: dict[int, int] = {}

    def place(a: int, seen: set[int]) -> bool:
        for u, group in enumerate(units):
            if group <= skills[a] and u not in seen:
                seen.add(u)
                if u not in owner or place(owner[u], seen):
                    owner[u] = a
                    return True
        return False

    return all(place(a, set()) for a in range(len(skills)))


THREE_DAYS = (MONDAY, MONDAY + pd.Timedelta(days=3))
SMALL_SITE = make_site(
    name="NY", timezone="America/New_York", shift_hours=(4.0, 8.0), start_step_minutes=240
)
SMALL_SHIFTS = generate_shifts([SMALL_SITE], start=THREE_DAYS[0], end=THREE_DAYS[1])


@st.composite
def instances(draw, *, max_units: int = 10, max_agents: int = 4):
    options = make_options(
        max_days_per_week=draw(st.integers(1, 3)),
        min_rest_hours=draw(st.sampled_from([0, 6, 11])),
        cyclic=draw(st.booleans()),
        max_hours_per_week=draw(st.sampled_from([8.0, 16.0, 48.0])),
        consecutive_days_off=draw(st.sampled_from([0, 1, 2])),
    )
    ids = draw(
        st.lists(
            st.tuples(
                st.sampled_from(list(SMALL_SHIFTS["shift_id"])),
                st.sampled_from(["chat", "phone", "chat;phone"]),
            ),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    counts = draw(st.lists(st.integers(1, 2), min_size=len(ids), max_size=len(ids)))
    rows = [(s, q, c) for (s, q), c in zip(ids, counts, strict=True)]
    while sum(c for *_, c in rows) > max_units:
        rows.pop()
    picks = chosen(*rows)
    staff = None
    site = SMALL_SITE
    if draw(st.booleans()):
        n = draw(st.integers(1, max_agents))
        staff = roster(
            *[
                {
                    "agent": f"a{k}",
                    "site": "NY",
                    "skills": draw(st.sampled_from(["", "chat", "phone", "chat;phone"])),
                    "contracted_hours": draw(st.sampled_from([None, 4.0, 8.0, 12.0, 24.0])),
                    "days_unavailable": ";".join(
                        draw(st.lists(st.sampled_from(DAYS), max_size=2, unique=True))
                    ),
                    "preferred_start": draw(st.sampled_from(["", "04:00", "12:00", "20:00"])),
                }
                for k in range(n)
            ]
        )
    else:
        site = make_site(
            name="NY",
            timezone="America/New_York",
            shift_hours=(4.0, 8.0),
            start_step_minutes=240,
            max_agents=draw(st.sampled_from([None, 1, 2])),
        )
    return picks, staff, site, options


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_assignment_obeys_every_rule(case) -> None:
    picks, staff, site, options = case
    schedule, unfilled = assign_agents(
        picks, SMALL_SHIFTS, roster=staff, sites=[site], options=options, horizon=THREE_DAYS
    )
    assert rule_breaks(schedule, picks, SMALL_SHIFTS, staff, [site], options, THREE_DAYS) == []
    assert conservation(schedule, unfilled, picks, SMALL_SHIFTS)
    assert (unfilled["count"] > 0).all()


def agent_skills(staff, name, site) -> set[str]:
    listed = staff.set_index("agent").at[name, "skills"]
    return {q for q in str(listed or "").split(";") if q} or set(site.queues)


def best_fill_by_enumeration(picks, staff, site, options, most=None) -> float:
    """Most paid hours any rule-abiding assignment fills, over all of them (with
    `most`: those that put at most that many agents to work)."""
    table = picks.merge(SMALL_SHIFTS, on="shift_id")
    units = [row for row in table.itertuples() for _ in range(row.count)]
    names = list(staff["agent"])
    best = 0.0
    for choice in itertools.product(range(-1, len(names)), repeat=len(units)):
        if any(
            a >= 0 and not set(u.queue.split(";")) <= agent_skills(staff, names[a], site)
            for a, u in zip(choice, units, strict=True)
        ):
            continue
        rows = [
            {
                "agent": names[a],
                "site": site.name,
                "start": u.start,
                "end": u.end,
                "queue": ";".join(sorted(agent_skills(staff, names[a], site))),
            }
            for a, u in zip(choice, units, strict=True)
            if a >= 0
        ]
        if not rows or (most is not None and len({r["agent"] for r in rows}) > most):
            continue
        schedule = pd.DataFrame(rows)
        if rule_breaks(schedule, picks, SMALL_SHIFTS, staff, [site], options, THREE_DAYS):
            continue
        hours = sum(u.paid_hours for a, u in zip(choice, units, strict=True) if a >= 0)
        best = max(best, hours)
    return best


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_units=4, max_agents=2).filter(lambda case: case[1] is not None))
def test_roster_assignment_fills_the_most_hours(case) -> None:
    picks, staff, site, options = case
    schedule, _ = assign_agents(
        picks, SMALL_SHIFTS, roster=staff, sites=[site], options=options, horizon=THREE_DAYS
    )
    filled = ((schedule["end"] - schedule["start"]).dt.total_seconds() / 3600).sum()
    assert math.isclose(filled, best_fill_by_enumeration(picks, staff, site, options))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_units=4, max_agents=3).filter(lambda case: case[1] is not None))
def test_no_more_agents_work_than_max_agents_and_they_fill_the_most_hours(case) -> None:
    picks, staff, site, options = case
    capped = dataclasses.replace(site, max_agents=1)
    schedule, _ = assign_agents(
        picks, SMALL_SHIFTS, roster=staff, sites=[capped], options=options, horizon=THREE_DAYS
    )
    assert schedule["agent"].nunique() <= 1
    filled = ((schedule["end"] - schedule["start"]).dt.total_seconds() / 3600).sum()
    assert math.isclose(filled, best_fill_by_enumeration(picks, staff, site, options, most=1))


def weeks_of(picks, staff, site, options, most=None) -> WeeklyAssignment:
    """`assign_weeks` on a hypothesis instance, built as `assign_agents` builds it."""
    start = THREE_DAYS[0].tz_convert("UTC")
    slots = [s for _, s in assign_module._slots(picks, SMALL_SHIFTS, {site.name: site}, start)]
    rules = _Rules.at_site(options, site, (start, THREE_DAYS[1]))
    agents = roster_agents(staff, sites=[site], options=options)
    return assign_weeks(slots, agents, rules, seconds=60.0, node_limit=1000, most=most)


@pytest.mark.parametrize("most", [None, 1])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=instances(max_units=4, max_agents=2).filter(lambda case: case[1] is not None))
def test_the_weeks_bound_holds_and_their_answer_is_proven(case, most) -> None:
    picks, staff, site, options = case
    best = best_fill_by_enumeration(picks, staff, site, options, most=most)
    weeks = weeks_of(picks, staff, site, options, most=most)
    assert most is None or len({name for name, _ in weeks.taken}) <= most
    # The value is paid hours less the weekend terms: at most two weekend days an agent.
    weekend = len(staff) * 3 * assign_module.WEEKEND_STEP
    hours = sum(slot.paid_hours for _, slot in weeks.taken)
    assert hours - weekend - 1e-6 <= weeks.value <= hours + 1e-6
    assert weeks.bound >= best - weekend - 1e-6
    assert weeks.value <= weeks.bound + 1e-6
    if weeks.proven:
        assert hours >= best - weekly_module.PROVEN_HOURS - weekend


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    instances(max_units=6, max_agents=3).filter(lambda case: case[1] is not None),
    st.randoms(use_true_random=False),
)
def test_a_greedy_week_is_one_the_agents_own_programme_allows(case, rnd) -> None:
    """The greedy pricing (`assign._fits`) against the exact pricing's rows: the
    week it picks satisfies that programme and costs no less than its optimum;
    the lower bound from an earlier exact pricing holds at new costs."""
    picks, staff, site, options = case
    start = THREE_DAYS[0].tz_convert("UTC")
    slots = [s for _, s in assign_module._slots(picks, SMALL_SHIFTS, {site.name: site}, start)]
    rules = _Rules.at_site(options, site, (start, THREE_DAYS[1]))
    agents = roster_agents(staff, sites=[site], options=options)
    for c in weekly_module.classes_of(slots, agents, rules):
        mine = [slots[r] for r in c.slots]
        pricer = weekly_module._Pricer(c.agents[0], mine, rules)
        costs = np.array([rnd.uniform(-10.0, 5.0) for _ in mine])
        week = pricer.greedy(costs)
        assert all(costs[r] < 0 for r in week)
        weekend = len({mine[r].dayno for r in week if mine[r].weekday >= 5})
        cost = costs[list(week)].sum() + assign_module.WEEKEND_STEP * weekend * (weekend + 1) / 2
        least, _ = pricer.cheapest(costs)
        assert least <= cost + 1e-6
        held = np.isin(np.arange(len(mine)), week).astype(float)
        pricer.highs.changeColsBounds(len(mine), pricer.columns, held, held)
        pricer.highs.run()
        assert pricer.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        later = costs + np.array([rnd.uniform(-3.0, 1.0) for _ in mine])
        floor = pricer.at_least(later)  # from the pricing at `costs`
        assert floor <= pricer.cheapest(later)[0] + 1e-6


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1, 6))
def test_the_pricing_floor_holds_over_a_whole_week(rnd, max_days) -> None:
    """`_Pricer.at_least` against the exact pricing on a week of 42 slots."""
    options = make_options(max_days_per_week=max_days, consecutive_days_off=1)
    start = WEEK[0].tz_convert("UTC")
    picks = chosen(*((sid, "chat", 1) for sid in SHIFTS["shift_id"]))
    slots = [s for _, s in assign_module._slots(picks, SHIFTS, {SITE.name: SITE}, start)]
    rules = _Rules.at_site(options, SITE, WEEK)
    agent = roster_agents(roster({"agent": "a"}), sites=[SITE], options=options)[0]
    pricer = weekly_module._Pricer(agent, slots, rules)
    costs = np.array([rnd.uniform(-10.0, 5.0) for _ in slots])
    pricer.cheapest(costs)
    later = costs - np.array([rnd.uniform(0.0, 3.0) for _ in slots])
    assert pricer.at_least(later) <= pricer.cheapest(later)[0] + 1e-6


def unsteadiness(schedule: pd.DataFrame, staff: pd.DataFrame | None, weight: float) -> float:
    """Per agent and 7-day week: weight x mean clock distance between its local starts
    plus each start's clock distance from the agent's preferred start; hours.
    Written from the schedule frame alone, independently of the assignment code."""
    preferred = {}
    if staff is not None and "preferred_start" in staff:
        for name, text in zip(staff["agent"], staff["preferred_start"], strict=True):
            if isinstance(text, str) and text:
                hours, minutes = text.split(":")
                preferred[name] = int(hours) * 60 + int(minutes)

    def clock(a: int, b: int) -> float:
        d = abs(a - b) % 1440
        return min(d, 1440 - d) / 60

    total = 0.0
    for name, mine in schedule.groupby("agent"):
        local = [
            (int((row.start - THREE_DAYS[0]).total_seconds() // (7 * 86400)), row.local)
            for row in mine.assign(
                local=[
                    s.tz_convert(tz).hour * 60 + s.tz_convert(tz).minute
                    for s, tz in zip(mine["start"], mine["timezone"], strict=True)
                ]
            ).itertuples()
        ]
        for week in {w for w, _ in local}:
            starts = [m for w, m in local if w == week]
            if len(starts) > 1:
                pairs = sum(clock(a, b) for k, a in enumerate(starts) for b in starts[k + 1 :])
                total += weight * pairs / (len(starts) - 1)
        if name in preferred:
            total += sum(clock(m, preferred[name]) for _, m in local)
    return total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_agents=3).filter(lambda case: case[1] is not None))
def test_steady_starts_swap_only_who_works_and_never_unsteady(case) -> None:
    picks, staff, site, options = case
    runs = {}
    for weight in (0.0, 1.0):
        steady = ScheduleOptions(**{**options.__dict__, "steady_starts": weight})
        runs[weight] = assign_agents(
            picks, SMALL_SHIFTS, roster=staff, sites=[site], options=steady, horizon=THREE_DAYS
        )[0]
    off, on = runs[0.0], runs[1.0]
    pairs = [sorted(zip(f["start"], f["end"], strict=True)) for f in (off, on)]
    assert pairs[0] == pairs[1]
    assert sorted(off["agent"].value_counts()) == sorted(on["agent"].value_counts())
    assert rule_breaks(on, picks, SMALL_SHIFTS, staff, [site], options, THREE_DAYS) == []
    assert unsteadiness(on, staff, 1.0) <= unsteadiness(off, staff, 1.0) + 1e-9


def test_steady_starts_give_each_agent_one_start_where_a_swap_allows() -> None:
    # Two agents, three days, an 06:00 and a 14:00 shift each day, handed out
    # crosswise; with rest 0 any mix is legal and steadying gives each one start.
    options = make_options(min_rest_hours=0, max_days_per_week=5, consecutive_days_off=0)
    rules = _Rules(
        options,
        7 * 86400.0,
        days_off=DaysOff.of(0, tz="UTC", start=WEEK[0], end=WEEK[1], cyclic=False),
    )
    staff = roster_agents(roster({"agent": "ana"}, {"agent": "ben"}), sites=[SITE], options=options)
    taken = []
    for day in range(3):
        for hour, name in ((6, "ana"), (14, "ben")) if day % 2 else ((6, "ben"), (14, "ana")):
            start = MONDAY + pd.Timedelta(days=day, hours=hour)
            span = (start, start + pd.Timedelta(hours=8))
            slot = make_slot(shift_id(day, hour), SITE, ("phone",), span, 8.0, WEEK[0])
            taken.append((name, slot))
    steady = _steadied(taken, staff, rules, 1.0)
    hours = {
        name: {slot.minute // 60 for n, slot in steady if n == name} for name in ("ana", "ben")
    }
    assert sorted(map(sorted, hours.values())) == [[6], [14]]
    assert sorted(s.shift_id for _, s in steady) == sorted(s.shift_id for _, s in taken)
    assert _steadied(taken, staff, rules, 0.0) == taken


def first_solve_stops_short(real, budgets: list, second: str | None):
    """A solve_problem whose first call stops at its node budget with nothing placed;
    later calls are real, with their status replaced by `second` if given."""

    def solve(problem, **kwargs):
        budgets.append(kwargs["node_limit"])
        result = real(problem, **kwargs)
        if len(budgets) == 1:
            for var in problem.variables():
                var.varValue = 0.0
            return dataclasses.replace(result, status="node_limit")
        return result if second is None else dataclasses.replace(result, status=second)

    return solve


def unproven_weeks(slots, staff, rules, **kwargs) -> WeeklyAssignment:
    """An assignment by weeks that places nothing and proves nothing."""
    return WeeklyAssignment(taken=[], value=0.0, bound=1e9, proven=False)


def test_the_programme_runs_when_the_weeks_are_not_proven(monkeypatch) -> None:
    picks = chosen((shift_id(0, 8), "phone", 1), (shift_id(1, 8), "phone", 1))
    staff = roster({"agent": "ana"}, {"agent": "ben"})
    schedule, unfilled = assign(picks, staff)
    assert len(schedule) == 2 and unfilled.empty
    calls: list = []
    real = assign_module.solve_problem
    monkeypatch.setattr(
        assign_module, "solve_problem", lambda p, **k: calls.append(1) or real(p, **k)
    )
    assign(picks, staff)
    assert calls == []  # the weeks proved their answer: no programme
    real_weeks = weekly_module.assign_weeks

    def unproven_but_full(*args, **kwargs) -> WeeklyAssignment:
        return dataclasses.replace(real_weeks(*args, **kwargs), proven=False)

    monkeypatch.setattr(weekly_module, "assign_weeks", unproven_but_full)
    schedule, unfilled = assign(picks, staff)
    assert calls == [] and len(schedule) == 2  # every unit placed: nothing to gain
    monkeypatch.setattr(weekly_module, "assign_weeks", unproven_weeks)
    schedule, unfilled = assign(picks, staff)
    assert calls and len(schedule) == 2 and unfilled.empty


def test_the_programme_after_unproven_weeks_gets_one_node_budget(monkeypatch) -> None:
    # An unproven week is mostly one no assignment can better: a second, larger
    # budget would be spent without a proof (minutes in an eight-week plan).
    real = assign_module.solve_problem
    picks = chosen((shift_id(0, 8), "phone", 1), (shift_id(1, 8), "phone", 1))
    staff = roster({"agent": "ana"}, {"agent": "ben"})
    monkeypatch.setattr(weekly_module, "assign_weeks", unproven_weeks)
    budgets: list = []
    monkeypatch.setattr(
        assign_module, "solve_problem", first_solve_stops_short(real, budgets, None)
    )
    schedule, unfilled = assign(picks, staff)
    assert budgets == [assign_module.ASSIGN_NODE_LIMIT]
    assert schedule.empty and int(unfilled["count"].sum()) == 2


def small_assignment(picks: pd.DataFrame, staff: pd.DataFrame):
    """The site's slots, agents and rules of `assign(picks, staff)`."""
    options = make_options()
    slots = [slot for _, slot in assign_module._slots(picks, SHIFTS, {SITE.name: SITE}, WEEK[0])]
    agents = assign_module.roster_agents(staff, sites=[SITE], options=options)
    return slots, agents, assign_module._Rules.at_site(options, SITE, WEEK), options


def test_a_budget_that_stops_with_units_left_gets_a_second_one(monkeypatch) -> None:
    real = assign_module.solve_problem
    picks = chosen((shift_id(0, 8), "phone", 1), (shift_id(1, 8), "phone", 1))
    slots, agents, rules, options = small_assignment(
        picks, roster({"agent": "ana"}, {"agent": "ben"})
    )

    def solved() -> list:
        return assign_module._solve_assignment(slots, agents, rules, options, compact=True)

    # The second solve, with ASSIGN_MORE_NODES, places both units and is kept.
    budgets: list = []
    monkeypatch.setattr(
        assign_module, "solve_problem", first_solve_stops_short(real, budgets, None)
    )
    assert len(solved()) == 2
    assert budgets == [assign_module.ASSIGN_NODE_LIMIT, assign_module.ASSIGN_MORE_NODES]
    # A second solve the time limit ended is not used: the first answer stays.
    budgets = []
    monkeypatch.setattr(
        assign_module, "solve_problem", first_solve_stops_short(real, budgets, "time_limit")
    )
    assert solved() == [] and len(budgets) == 2
    # A solve that finds nothing in the time left (the week's budget spent) keeps
    # what the ones before found: nothing here, rather than failing the schedule.
    from scheduling.errors import NoAnswerError

    def nothing_in_time(problem, **kwargs):
        raise NoAnswerError("the highs solver stopped without a solution (Not Solved)")

    monkeypatch.setattr(assign_module, "solve_problem", nothing_in_time)
    assert solved() == []
    # When the first budget places everything, there is no second solve.
    budgets = []
    monkeypatch.setattr(
        assign_module, "solve_problem", lambda p, **k: budgets.append(1) or real(p, **k)
    )
    assert len(solved()) == 2 and budgets == [1]


def test_agents_released_before_the_same_slots_are_one_class() -> None:
    # Shifts start every 4 hours from Monday 00:00 (New York). Agents released at
    # 01:00 and 03:00 both miss only the 00:00 starts: one class, one pricing. An
    # agent released at 05:00 also misses the 04:00 starts; one never released
    # misses none.
    options = make_options(max_days_per_week=3)
    start = THREE_DAYS[0].tz_convert("UTC")
    picks = chosen(*((sid, "chat", 1) for sid in SMALL_SHIFTS["shift_id"]))
    slots = [s for _, s in assign_module._slots(picks, SMALL_SHIFTS, {"NY": SMALL_SITE}, start)]
    first = min(s.start for s in slots)
    release = {
        "a": first + pd.Timedelta(hours=1),
        "b": first + pd.Timedelta(hours=3),
        "c": first + pd.Timedelta(hours=5),
    }
    staff = pd.DataFrame({"agent": ["a", "b", "c", "d"], "site": "NY"})
    agents = roster_agents(staff, sites=[SMALL_SITE], options=options)
    rules = _Rules.at_site(options, SMALL_SITE, (start, THREE_DAYS[1]), release=release)
    classes = weekly_module.classes_of(slots, agents, rules)
    members = sorted(sorted(a.name for a in c.agents) for c in classes)
    assert members == [["a", "b"], ["c"], ["d"]]
    for c in classes:  # each class may take exactly what each of its agents may
        for agent in c.agents:
            assert c.slots == [
                r for r, s in enumerate(slots) if assign_module._eligible(agent, s, rules)
            ]


@pytest.mark.parametrize(
    ("lengths", "room", "runs"),
    [((8, 8), 6.5, False), ((8, 8), 7.5, True), ((8, 9), 4.0, False), ((9, 8), 7.5, True)],
)
def test_the_agent_by_slot_programme_runs_only_when_a_unit_more_may_fit(
    monkeypatch, lengths, room, runs
) -> None:
    """The weeks' answer is not proven and leaves the second slot's unit unplaced:
    the programme over agents and slots runs only when the weeks' bound leaves
    room for that unit's hours (less `UNIT_ROOM_MARGIN`), not for trading an
    8-hour unit for a 9-hour one (on the peak benchmark's week 1 it took 86 s of
    the week's 300 to place none)."""
    site = make_site()
    slots = [
        make_slot(
            f"s{k}",
            site,
            ("phone",),
            (
                MONDAY + pd.Timedelta(hours=8 + 24 * k),
                MONDAY + pd.Timedelta(hours=8 + length + 24 * k),
            ),
            float(length),
            MONDAY,
        )
        for k, length in enumerate(lengths)
    ]
    options = make_options()
    staff = roster_agents(
        pd.DataFrame({"agent": ["A0"], "site": [site.name], "queue": ["phone"]}),
        sites=[site],
        options=options,
    )
    rules = _Rules.at_site(options, site, WEEK)
    taken = [("A0", slots[0])]
    weeks = WeeklyAssignment(taken, value=8.0, bound=8.0 + room, proven=False)
    monkeypatch.setattr(weekly_module, "assign_weeks", lambda *a, **k: weeks)
    called = []

    def programme(*args, **kwargs):
        called.append(True)
        return taken

    monkeypatch.setattr(assign_module, "_solve_assignment", programme)
    assert assign_module._by_weeks(slots, staff, rules, options) == taken
    assert bool(called) == runs
