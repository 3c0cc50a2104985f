"""Multi-week horizons: week by week, rest across weeks, a valid bound, extra shifts."""

from __future__ import annotations

import conftest
import pandas as pd
import pytest

from scheduling.columns import AGENT, END, START
from scheduling.shifts.coverage import coverage_frame
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.roster import roster_agents
from scheduling.shifts.templates import generate_shifts
from scheduling.shifts.topup import extra_shifts
from scheduling.shifts.weeks import schedule_horizon, week_spans

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
    assert [(d.week, d.weeks) for d in seen] == [(1, 2), (2, 2)]
    assert result.solve.stopped_by == "weeks"
    assert len(result.solve.notes) == 2
    assert result.solve.bound is not None
    assert result.solve.bound <= result.objective + 1e-6
    assert result.coverage["interval_start"].nunique() == 240
    assert result.schedule[START].max() >= MONDAY + pd.Timedelta(days=7)
    assert_rest_and_days(result.schedule)
    short = result.coverage["shortfall"].sum()
    assert short < 1.0  # 14 agents are plenty for 2 on duty round the clock


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


def test_extra_shifts_cover_a_shortfall_only_where_an_agent_fits():
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
    extra = extra_shifts(
        held,
        coverage,
        generate_shifts([one], start=horizon[0], end=horizon[1]),
        agents=agents,
        sites=[one],
        options=opts,
        horizon=horizon,
    )
    # Monday 17-19 would be a second Monday shift; Tuesday 08:00 is 16 h after 16:00.
    assert list(extra["start"]) == [MONDAY + pd.Timedelta(hours=32)]
    assert list(extra["agent"]) == ["ana"]
