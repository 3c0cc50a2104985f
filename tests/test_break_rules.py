"""Several break rules (a lunch and short breaks): programme, schedule, coverage, config, CLI."""

from __future__ import annotations

import itertools
from pathlib import Path

import icalendar
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scheduling.columns import SCHEDULE_COLUMNS, SCHEDULE_COLUMNS_OTHER_BREAKS
from scheduling.errors import InputError
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.model import break_plan, build_model, chosen_shifts, solve
from scheduling.shifts.options import BreakRule, ScheduleOptions
from scheduling.shifts.planner import schedule_requirements
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts
from wfm.cli import cli
from wfm.config import load_config
from wfm.errors import WfmError

ORIGIN = pd.Timestamp("2026-11-23 08:00Z")
INTERVAL = 30  # minutes
RATE, SHORT, OVER = 10.0, 25.0, 2.0  # per paid hour, per agent-hour short / over
# Lunch first (it is break_start/break_end), then a short break earlier in the shift.
LUNCH = BreakRule(minutes=30, after_hours=4, window=(1.5, 3.0))  # starts 1:30, 2:00, 2:30
COFFEE = BreakRule(minutes=15, after_hours=2, window=(0.5, 1.25))  # starts 0:30, 0:45, 1:00
RULES = (LUNCH, COFFEE)


def tiny_site(**overrides: object) -> Site:
    """08:00-14:00 UTC, 2- and 4-hour shifts every two hours: five candidate shifts."""
    fields: dict[str, object] = {
        "name": "S",
        "timezone": "UTC",
        "open_minutes": 8 * 60,
        "close_minutes": 14 * 60,
        "days": tuple(range(7)),
        "queues": ("phone",),
        "shift_hours": (2.0, 4.0),
        "start_step_minutes": 120,
        "cost_per_hour": RATE,
    }
    fields.update(overrides)
    return Site(**fields)  # type: ignore[arg-type]


def tiny_options(**overrides: object) -> ScheduleOptions:
    fields: dict[str, object] = {
        "interval_minutes": INTERVAL,
        "shortfall_penalty": SHORT,
        "surplus_penalty": OVER,
        "breaks": RULES,
        "cyclic": False,
        "consecutive_days_off": 0,
        "gap": 0.0,
        "time_limit_seconds": 30.0,
    }
    fields.update(overrides)
    return ScheduleOptions(**fields)  # type: ignore[arg-type]


def requirements(demand: list[float]) -> pd.DataFrame:
    grid = pd.date_range(ORIGIN, periods=len(demand), freq=f"{INTERVAL}min")
    return pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": demand})


# -- brute force -----------------------------------------------------------------------


def quarters(start: float, end: float, n: int) -> np.ndarray:
    """Quarter hours of [start, end) in each 30-minute interval from ORIGIN (minutes)."""
    return np.array(
        [
            round(max(0.0, min((i + 1) * INTERVAL, end) - max(i * INTERVAL, start)) / 15)
            for i in range(n)
        ]
    )


def candidates(rule: BreakRule, hours: float) -> list[float]:
    """Every start, minutes after the shift start, on the rule's grid inside its window."""
    if hours < rule.after_hours:
        return []
    grid = max(15, min(rule.minutes, 120))
    begin, end = rule.window[0] * 60, min(rule.window[1] * 60, hours * 60)  # type: ignore[index]
    return [k for k in range(0, int(hours * 60) + 1, grid) if begin <= k <= end - rule.minutes]


def agent_breaks(hours: float) -> list[list[tuple[float, float]]]:
    """Every way one agent can take one break of each rule that applies, one at a time."""
    per_rule = [[(k, k + rule.minutes) for k in candidates(rule, hours)] for rule in RULES]
    ways = itertools.product(*(spans for spans in per_rule if spans))
    return [
        list(way)
        for way in ways
        if all(b <= c or d <= a for (a, b), (c, d) in itertools.combinations(way, 2))
    ]


def shift_columns(shifts: pd.DataFrame, n: int, top: int) -> list[dict[tuple[int, ...], float]]:
    """Per candidate shift: capacity in quarter hours -> paid cost, for every count
    0..top and every multiset of the agents' ways to take their breaks."""
    columns = []
    for start, hours in zip(shifts["start"], shifts["paid_hours"], strict=True):
        first = (start - ORIGIN) / pd.Timedelta(minutes=1)
        span = quarters(first, first + hours * 60, n)
        ways = [
            sum((quarters(first + a, first + b, n) for a, b in way), np.zeros(n, dtype=int))
            for way in agent_breaks(hours)
        ]
        options: dict[tuple[int, ...], float] = {}
        for count in range(top + 1):
            for agents in itertools.combinations_with_replacement(ways, count):
                total = span * count - sum(agents, np.zeros(n, dtype=int))
                key = tuple(int(v) for v in total)
                options[key] = min(options.get(key, np.inf), count * hours * RATE)
        columns.append(options)
    return columns


def brute_force(shifts: pd.DataFrame, demand: list[float], top: int) -> float:
    """Least paid cost + penalties over every whole-agent schedule (exhaustive, with
    equal partial capacities merged)."""
    states: dict[tuple[int, ...], float] = {(0,) * len(demand): 0.0}
    for options in shift_columns(shifts, len(demand), top):
        merged: dict[tuple[int, ...], float] = {}
        for state, cost in states.items():
            for capacity, paid in options.items():
                key = tuple(a + b for a, b in zip(state, capacity, strict=True))
                if cost + paid < merged.get(key, np.inf):
                    merged[key] = cost + paid
        states = merged
    need = np.array(demand)
    hours = INTERVAL / 60
    best = np.inf
    for state, cost in states.items():
        agents = np.array(state) / 2  # quarter hours per half-hour interval -> agents
        short = np.clip(need - agents, 0, None).sum()
        over = np.clip(agents - need, 0, None).sum()
        best = min(best, cost + hours * (SHORT * short + OVER * over))
    return float(best)


DEMANDS = [
    [1, 1, 2, 2, 2, 3, 3, 2, 2, 2, 1, 1],
    [2, 2, 2, 2, 1.5, 2, 2, 1, 2, 2.5, 1, 0.5],
]


@pytest.mark.parametrize(
    "demand", [[1, 2, 2, 3, 3, 2, 2, 1], [2, 2, 1.5, 2, 2.5, 2, 1, 0.5], [0, 1, 3, 3, 1, 0, 2, 2]]
)
def test_several_break_rules_equal_brute_force(demand: list[float]) -> None:
    # 08:00-12:00: a 4-hour shift with lunch and coffee, two 2-hour ones with coffee.
    site = tiny_site(close_minutes=12 * 60)
    shifts = generate_shifts([site], start=ORIGIN, end=ORIGIN + pd.Timedelta(hours=4))
    assert sorted(shifts["paid_hours"]) == [2.0, 2.0, 4.0]
    model = build_model(requirements(demand), shifts, sites=[site], options=tiny_options())
    result = solve(model, time_limit_seconds=30, gap=0.0)
    assert result.status == "optimal"
    # Four agents on one shift are never needed for demand of at most three.
    assert result.objective == pytest.approx(brute_force(shifts, demand, top=4), abs=1e-6)


def test_each_rule_has_its_own_break_rows_and_the_first_keeps_its_name() -> None:
    site = tiny_site()
    shifts = generate_shifts([site], start=ORIGIN, end=ORIGIN + pd.Timedelta(hours=6))
    model = build_model(requirements(DEMANDS[0]), shifts, sites=[site], options=tiny_options())
    rows = sorted(c.name for c in model.problem.constraints() if c.name.startswith("breaks_"))
    # 4-hour shifts: lunch (3 classes) and coffee (2 classes: 0:30 and 0:45 take the
    # same half of one interval); 2-hour shifts get only the coffee break.
    assert rows == [
        "breaks_S_20261123T0800_2h_phone_rule1",
        "breaks_S_20261123T0800_4h_phone",
        "breaks_S_20261123T0800_4h_phone_rule1",
        "breaks_S_20261123T1000_2h_phone_rule1",
        "breaks_S_20261123T1000_4h_phone",
        "breaks_S_20261123T1000_4h_phone_rule1",
        "breaks_S_20261123T1200_2h_phone_rule1",
    ]
    four = "S|2026-11-23T08:00+00:00|4h"
    assert [len(c) for c in model.break_rule_classes[four]] == [3, 2]


def test_the_plan_realises_the_objective_with_every_break() -> None:
    site = tiny_site()
    options = tiny_options()
    demand = DEMANDS[0]
    planned = schedule_requirements(requirements(demand), sites=[site], options=options)
    schedule = planned.schedule
    assert tuple(schedule.columns) == SCHEDULE_COLUMNS_OTHER_BREAKS
    for row in schedule.itertuples():
        hours = (row.end - row.start) / pd.Timedelta(hours=1)
        pauses = list(row.other_breaks)
        if hours >= 4:  # the lunch in its window, the coffee break among the others
            offset = (row.break_start - row.start) / pd.Timedelta(hours=1)
            assert offset >= 1.5 and offset + 0.5 <= 3.0
            pauses.append((row.break_start, row.break_end))
        else:
            assert pd.isna(row.break_start) and pd.isna(row.break_end)
        assert len(pauses) == (2 if hours >= 4 else 1)
        pauses.sort()
        for (_, end), (start, _) in itertools.pairwise(pauses):
            assert end <= start  # one break at a time
        assert all(row.start <= a < b <= row.end for a, b in pauses)
    # Coverage of the final schedule (every break off) costs what the programme said.
    paid = RATE * ((schedule["end"] - schedule["start"]) / pd.Timedelta(hours=1)).sum()
    cover = planned.coverage
    penalties = INTERVAL / 60 * (SHORT * cover["shortfall"].sum() + OVER * cover["surplus"].sum())
    assert paid + penalties == pytest.approx(planned.solve.objective, abs=1e-6)


def test_break_plan_names_the_rule_and_sums_to_the_count_per_rule() -> None:
    site = tiny_site()
    shifts = generate_shifts([site], start=ORIGIN, end=ORIGIN + pd.Timedelta(hours=6))
    model = build_model(requirements(DEMANDS[0]), shifts, sites=[site], options=tiny_options())
    solve(model, time_limit_seconds=30, gap=0.0)
    plan = break_plan(model)
    assert list(plan.columns) == ["shift_id", "queue", "break_start", "break_end", "agents", "rule"]
    counts = {(r.shift_id, r.queue): r.count for r in chosen_shifts(model).itertuples()}
    sums = plan.groupby(["shift_id", "queue", "rule"])["agents"].sum().to_dict()
    # Every chosen shift has each of its rules' breaks once per agent: 4-hour
    # shifts both, 2-hour shifts the coffee break (rule 1) only.
    expected = {
        (shift_id, queue, rule): float(count)
        for (shift_id, queue), count in counts.items()
        for rule in ((0, 1) if shift_id.endswith("|4h") else (1,))
    }
    assert sums == expected
    lengths = (plan["break_end"] - plan["break_start"]) / pd.Timedelta(minutes=1)
    assert (lengths == plan["rule"].map({0: 30, 1: 15})).all()


def test_one_rule_in_breaks_builds_the_shorthand_programme(tmp_path: Path) -> None:
    site = tiny_site(shift_hours=(4.0,), start_step_minutes=60)
    shifts = generate_shifts([site], start=ORIGIN, end=ORIGIN + pd.Timedelta(hours=6))
    demand = requirements(DEMANDS[1])
    files, schedules, plans = [], [], []
    for options in (
        tiny_options(breaks=None, break_minutes=30, break_after_hours=4),
        tiny_options(breaks=(BreakRule(minutes=30, after_hours=4),)),
    ):
        model = build_model(demand, shifts, sites=[site], options=options)
        files.append(tmp_path / f"model{len(files)}.lp")
        model.problem.writeLP(str(files[-1]))
        solve(model, time_limit_seconds=30, gap=0.0)
        plans.append(break_plan(model))
        schedules.append(schedule_requirements(demand, sites=[site], options=options).schedule)
    assert files[0].read_bytes() == files[1].read_bytes()
    assert list(plans[1].columns) == ["shift_id", "queue", "break_start", "break_end", "agents"]
    pd.testing.assert_frame_equal(plans[0], plans[1])
    assert tuple(schedules[1].columns) == SCHEDULE_COLUMNS
    pd.testing.assert_frame_equal(schedules[0], schedules[1])


def test_a_fallback_break_that_meets_another_rule_stops_the_build() -> None:
    # 2-hour shifts cannot hold the 3-4 h window, so that break would sit near the
    # middle of the shift, inside the 0.5-1.5 h window of the other rule.
    rules = (
        BreakRule(minutes=15, after_hours=2, window=(0.5, 1.5)),
        BreakRule(minutes=15, after_hours=2, window=(3.0, 4.0)),
    )
    site = tiny_site()
    shifts = generate_shifts([site], start=ORIGIN, end=ORIGIN + pd.Timedelta(hours=6))
    with pytest.raises(InputError) as error:
        build_model(
            requirements(DEMANDS[0]), shifts, sites=[site], options=tiny_options(breaks=rules)
        )
    message = str(error.value)
    for fragment in (
        "breaks[0] (15 minutes in window [0.5, 1.5])",
        "breaks[1] (15 minutes in window [3, 4], which these shifts cannot hold, so near",
        "can overlap in the 2-hour shifts of site 'S'",
        "raise its after_hours above 2",
    ):
        assert fragment in message, message


def test_a_middle_third_lunch_between_two_windows_is_scheduled() -> None:
    # Lunch in the middle third of 7 hours and more (in 8 hours: 2:40-5:20), a
    # morning break in hours 1-2.5, an afternoon one in 6-7.5: the 8-hour
    # shifts of the site hold all three apart.
    rules = (
        BreakRule(minutes=30, after_hours=7),
        BreakRule(minutes=15, after_hours=4, window=(1.0, 2.5)),
        BreakRule(minutes=15, after_hours=6, window=(6.0, 7.5)),
    )
    site = tiny_site(close_minutes=20 * 60, shift_hours=(8.0,), start_step_minutes=60)
    demand = [1, 1, 2, 2, 2, 3, 3, 3, 2, 2, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1]
    planned = schedule_requirements(
        requirements(demand), sites=[site], options=tiny_options(breaks=rules)
    )
    schedule = planned.schedule
    assert tuple(schedule.columns) == SCHEDULE_COLUMNS_OTHER_BREAKS
    assert len(schedule) > 0
    hour = pd.Timedelta(hours=1)
    for row in schedule.itertuples():
        assert row.end - row.start == 8 * hour
        morning, afternoon = sorted(row.other_breaks)
        lunch, early, late = [
            [(t - row.start) / hour for t in pause]
            for pause in ((row.break_start, row.break_end), morning, afternoon)
        ]
        assert 8 / 3 <= lunch[0] < lunch[1] <= 16 / 3
        assert 1 <= early[0] < early[1] <= 2.5
        assert 6 <= late[0] < late[1] <= 7.5
        pauses = sorted([(row.break_start, row.break_end), morning, afternoon])
        for (_, end), (start, _) in itertools.pairwise(pauses):
            assert end <= start  # one break at a time


# -- coverage --------------------------------------------------------------------------


def one_agent(**breaks: object) -> pd.DataFrame:
    utc = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731
    row = {
        "agent": "A",
        "site": "S",
        "start": utc("2026-11-23 08:00"),
        "end": utc("2026-11-23 16:00"),
        "timezone": "UTC",
        "break_start": utc("2026-11-23 12:00"),
        "break_end": utc("2026-11-23 12:30"),
        "queue": "phone",
    }
    frame = pd.DataFrame([row])
    for name, value in breaks.items():
        frame[name] = [tuple((utc(a), utc(b)) for a, b in value)]  # type: ignore[union-attr]
    return frame


@pytest.mark.parametrize(("interval", "cyclic"), [(15, False), (60, False), (60, True)])
def test_coverage_counts_every_break_as_absent(interval: int, cyclic: bool) -> None:
    grid = pd.date_range("2026-11-23 08:00Z", "2026-11-23 15:59Z", freq=f"{interval}min")
    need = pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": 1.0})
    options = ScheduleOptions(interval_minutes=interval, cyclic=cyclic)
    pauses = [("2026-11-23 10:00", "2026-11-23 10:15"), ("2026-11-23 14:45", "2026-11-23 15:00")]
    frame = coverage_frame(need, one_agent(other_breaks=pauses), options=options)
    worked = dict(
        zip(frame["interval_start"].dt.strftime("%H:%M"), frame["scheduled"], strict=True)
    )
    if interval == 15:
        off = {"10:00", "12:00", "12:15", "14:45"}
        assert worked == {k: 0.0 if k in off else 1.0 for k in worked}
    else:
        expected = {"10:00": 0.75, "12:00": 0.5, "14:00": 0.75}
        assert worked == {k: expected.get(k, 1.0) for k in worked}
    assert (frame["shortfall"] == 1.0 - frame["scheduled"]).all()
    # With no other breaks, the same as the single-break schedule.
    single = coverage_frame(need, one_agent(), options=options)
    empty = coverage_frame(need, one_agent(other_breaks=[]), options=options)
    pd.testing.assert_frame_equal(empty, single)


@st.composite
def agent_shifts(draw: st.DrawFn) -> list[tuple[int, int, tuple[int, int] | None, list]]:
    """1-4 shifts, minutes from ORIGIN, each with an optional main break and 0-3
    other breaks that may overlap each other or the main one, repeat it, or lie
    partly or wholly outside the shift."""
    shifts = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, 300))
        end = start + draw(st.integers(1, 300))
        pause = st.tuples(st.integers(start - 60, end + 30), st.integers(1, 90)).map(
            lambda drawn: (drawn[0], drawn[0] + drawn[1])
        )
        main = draw(st.none() | pause)
        others = draw(st.lists(pause, max_size=3))
        if main is not None and draw(st.booleans()):
            others.append(main)
        shifts.append((start, end, main, others))
    return shifts


@settings(max_examples=150, deadline=None)
@given(
    shifts=agent_shifts(),
    interval=st.sampled_from([15, 30, 60]),
    cyclic=st.booleans(),
)
def test_coverage_equals_a_minute_by_minute_count_of_agents_off_break(
    shifts: list[tuple[int, int, tuple[int, int] | None, list]], interval: int, cyclic: bool
) -> None:
    period = 360  # minutes of the grid: six hours from ORIGIN
    at = lambda minute: ORIGIN + pd.Timedelta(minutes=minute)  # noqa: E731
    schedule = pd.DataFrame(
        {
            "agent": [f"A{k}" for k in range(len(shifts))],
            "start": [at(start) for start, _, _, _ in shifts],
            "end": [at(end) for _, end, _, _ in shifts],
            "break_start": [pd.NaT if m is None else at(m[0]) for _, _, m, _ in shifts],
            "break_end": [pd.NaT if m is None else at(m[1]) for _, _, m, _ in shifts],
            "queue": "phone",
            "other_breaks": [tuple((at(a), at(b)) for a, b in o) for _, _, _, o in shifts],
        }
    )
    grid = pd.date_range(ORIGIN, periods=period // interval, freq=f"{interval}min")
    need = pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": 1.0})
    options = ScheduleOptions(interval_minutes=interval, cyclic=cyclic)
    frame = coverage_frame(need, schedule, options=options)
    # Brute force: each minute, the agents on shift and on none of their breaks.
    on = np.zeros(period)
    for start, end, main, others in shifts:
        pauses = others + ([main] if main is not None else [])
        for minute in range(start, end):
            if any(a <= minute < b for a, b in pauses):
                continue
            if cyclic:
                on[minute % period] += 1
            elif minute < period:
                on[minute] += 1
    expected = on.reshape(-1, interval).sum(axis=1) / interval
    assert list(frame["interval_start"]) == list(grid)
    np.testing.assert_allclose(frame["scheduled"].to_numpy(), expected, rtol=0, atol=1e-9)
    assert (frame["scheduled"] >= 0).all()


@pytest.mark.parametrize(
    ("others", "expected"),
    [
        # The main break again: off once, not twice.
        ([("2026-11-23 09:00", "2026-11-23 09:30")], [1.0, 0.5]),
        # Before and after the shift: nothing off.
        (
            [("2026-11-23 07:00", "2026-11-23 07:15"), ("2026-11-23 10:00", "2026-11-23 10:30")],
            [1.0, 0.5],
        ),
        # Half inside the main break, half in the shift's first hour.
        ([("2026-11-23 08:45", "2026-11-23 09:15")], [0.75, 0.5]),
    ],
)
def test_coverage_takes_each_minute_of_break_off_once(
    others: list[tuple[str, str]], expected: list[float]
) -> None:
    utc = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731
    schedule = one_agent(other_breaks=others)
    schedule["end"] = utc("2026-11-23 10:00")
    schedule["break_start"], schedule["break_end"] = (
        utc("2026-11-23 09:00"),
        utc("2026-11-23 09:30"),
    )
    grid = pd.date_range("2026-11-23 08:00Z", periods=2, freq="60min")
    need = pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": 1.0})
    for cyclic in (False, True):
        frame = coverage_frame(need, schedule, options=ScheduleOptions(cyclic=cyclic))
        assert frame["scheduled"].tolist() == expected


def test_coverage_rejects_malformed_other_breaks() -> None:
    grid = pd.date_range("2026-11-23 08:00Z", periods=8, freq="60min")
    need = pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": 1.0})
    schedule = one_agent()
    schedule["other_breaks"] = [(("2026-11-23 10:00",),)]
    with pytest.raises(InputError, match="other_breaks"):
        coverage_frame(need, schedule, options=ScheduleOptions())


# -- config and CLI --------------------------------------------------------------------

CONFIG = """\
interval_minutes = 30
timezone = "UTC"

[queues.phone]
channel = "voice"

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
open = "08:00"
close = "20:00"
days = ["mon", "tue", "wed", "thu", "fri"]
queues = ["phone"]
shift_hours = [8]
start_step_minutes = 60
cost_per_hour = 30.0

[scheduling]
time_limit_seconds = 30
gap = 0.01
cyclic = false
consecutive_days_off = 0
{breaks}
"""

THREE_BREAKS = """
[[scheduling.breaks]]          # lunch: break_start / break_end
minutes = 30
after_hours = 6
window = [3, 5]

[[scheduling.breaks]]
minutes = 15
after_hours = 4
window = [1, 2.5]

[[scheduling.breaks]]
minutes = 15
after_hours = 7
window = [5.5, 7]
"""


def write_config(folder: Path, breaks: str, *, timezone: str = "Europe/Dublin") -> Path:
    path = folder / "wfm.toml"
    text = CONFIG.replace("{breaks}", breaks).replace('"Europe/Dublin"', f'"{timezone}"')
    path.write_text(text)
    return path


def test_config_reads_an_array_of_break_rules(tmp_path: Path) -> None:
    options = load_config(write_config(tmp_path, THREE_BREAKS)).scheduling
    assert options.break_rules == (
        BreakRule(minutes=30, after_hours=6.0, window=(3.0, 5.0)),
        BreakRule(minutes=15, after_hours=4.0, window=(1.0, 2.5)),
        BreakRule(minutes=15, after_hours=7.0, window=(5.5, 7.0)),
    )
    shorthand = load_config(write_config(tmp_path, "break_minutes = 45")).scheduling
    assert shorthand.breaks is None
    assert shorthand.break_rules == (BreakRule(minutes=45, after_hours=6.0),)
    none = load_config(write_config(tmp_path, "breaks = []")).scheduling
    assert none.break_rules == ()


@pytest.mark.parametrize(
    ("breaks", "fragments"),
    [
        (
            "break_minutes = 30\n" + THREE_BREAKS,
            ["wfm.toml", "break_minutes", "[[scheduling.breaks]]", "use one"],
        ),
        (
            THREE_BREAKS.replace("window = [1, 2.5]", "window = [2.5, 3.5]"),
            ["wfm.toml", "breaks[0] (window [3, 5])", "breaks[1] (window [2.5, 3.5])", "overlap"],
        ),
        (
            THREE_BREAKS.replace("window = [5.5, 7]", "window = [5.5]"),
            ["wfm.toml", "scheduling.breaks[2].window", "[from, to]"],
        ),
        (
            THREE_BREAKS.replace("minutes = 30\n", "minutes = 0\n"),
            ["wfm.toml", "scheduling.breaks[0].minutes", "> 0"],
        ),
        (
            THREE_BREAKS.replace("minutes = 30\n", "length = 30\n"),
            ["wfm.toml", "unknown field 'length'", "after_hours, minutes, window"],
        ),
        (
            THREE_BREAKS.replace("minutes = 30\n", ""),
            ["wfm.toml", "scheduling.breaks[0].minutes", "break length"],
        ),
        ('breaks = "lunch"', ["wfm.toml", "scheduling.breaks", "array of tables"]),
    ],
)
def test_bad_break_rules_name_the_field(tmp_path: Path, breaks: str, fragments: list[str]) -> None:
    with pytest.raises(WfmError) as error:
        load_config(write_config(tmp_path, breaks))
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)


def requirements_csv(folder: Path, *, start: str = "2026-11-23 08:00Z") -> Path:
    """Two agents every half hour for 12 hours from `start`, then none: one whole day."""
    grid = pd.date_range(start, periods=48, freq="30min")
    path = folder / "requirements.csv"
    agents = [2.0] * 24 + [0.0] * 24
    pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": agents}).to_csv(
        path, index=False
    )
    return path


def test_cli_bad_break_rules_give_one_line_and_exit_1(tmp_path: Path) -> None:
    overlap = THREE_BREAKS.replace("window = [1, 2.5]", "window = [2.5, 3.5]")
    config = write_config(tmp_path, overlap)
    result = CliRunner().invoke(
        cli, ["schedule", str(requirements_csv(tmp_path)), "--config", str(config)]
    )
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for fragment in ("wfm.toml", "breaks[0]", "breaks[1]", "overlap"):
        assert fragment in lines[0], lines[0]


def test_cli_writes_other_breaks_in_local_time_and_the_ics_lists_them(tmp_path: Path) -> None:
    # Manila (UTC+8): 08:00-20:00 local is 00:00-12:00 UTC, so times left in UTC
    # would show +00:00 and hours before 08:00.
    config = write_config(tmp_path, THREE_BREAKS, timezone="Asia/Manila")
    out = tmp_path / "schedule.csv"
    ics = tmp_path / "schedule.ics"
    cover = tmp_path / "coverage.csv"
    need = requirements_csv(tmp_path, start="2026-11-23 00:00Z")
    for args in (["-o", str(out), "--coverage", str(cover)], ["--format", "ics", "-o", str(ics)]):
        result = CliRunner().invoke(
            cli, ["schedule", str(need), "--config", str(config), "-q", *args]
        )
        assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(out, keep_default_na=False)
    assert list(frame.columns) == list(SCHEDULE_COLUMNS_OTHER_BREAKS)
    assert len(frame) > 0
    for row in frame.itertuples():
        start = pd.Timestamp(row.start)
        assert row.start.endswith("+08:00") and 8 <= start.hour <= 12, row.start
        stamps = [t for p in row.other_breaks.split(";") for t in p.split("/")]
        assert len(stamps) == 4 and all(t.endswith("+08:00") for t in stamps), row.other_breaks
        assert row.break_start.endswith("+08:00") and row.break_end.endswith("+08:00")
        others = [tuple(map(pd.Timestamp, p.split("/"))) for p in row.other_breaks.split(";")]
        hours = sorted((a - start) / pd.Timedelta(hours=1) for a, _ in others)
        assert 1 <= hours[0] <= 2.25 and 5.5 <= hours[1] <= 6.75
        assert [(b - a) / pd.Timedelta(minutes=1) for a, b in others] == [15, 15]
        lunch = (pd.Timestamp(row.break_start) - start) / pd.Timedelta(hours=1)
        assert 3 <= lunch <= 4.5
    events = icalendar.Calendar.from_ical(ics.read_text()).walk("VEVENT")
    assert len(events) == len(frame)
    assert all(str(e["description"]).count("Break: ") == 3 for e in events)
