"""Break windows, candidate starts and whole agents per start."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.breaks import break_grid_minutes, break_offsets, break_options, round_breaks
from scheduling.shifts import generate_shifts
from scheduling.sites import ScheduleOptions, Site


def make_site(**overrides: object) -> Site:
    fields: dict[str, object] = {
        "name": "Test",
        "timezone": "UTC",
        "open_minutes": 8 * 60,
        "close_minutes": 20 * 60,
        "days": tuple(range(7)),
        "queues": ("phone",),
        "shift_hours": (5.0, 8.0, 9.0),
        "start_step_minutes": 60,
    }
    fields.update(overrides)
    return Site(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hours", "offsets"),
    [
        # Middle third of 8 h is 02:40-05:20: a 30-minute break starts 03:00..04:30.
        (8, (180, 210, 240, 270)),
        (9, (180, 210, 240, 270, 300, 330)),
        (6, (120, 150, 180, 210)),
        (4, (90, 120)),
    ],
)
def test_breaks_lie_in_the_middle_third_on_the_grid(hours: int, offsets: tuple) -> None:
    got = break_offsets(hours * 60, break_minutes=30, grid_minutes=30)
    assert got == tuple(float(o) for o in offsets)
    for offset in got:
        assert hours * 60 / 3 <= offset and offset + 30 <= 2 * hours * 60 / 3


def test_break_window_without_grid_points_falls_back_to_the_middle() -> None:
    # One hour: the middle third (20-40 min) cannot hold 30 minutes.
    assert break_offsets(60, break_minutes=30, grid_minutes=30) == (30.0,)
    # 45 minutes on a 30-minute grid: centred between 0 and 15 is 7.5.
    assert break_offsets(45, break_minutes=30, grid_minutes=30) == (7.5,)
    assert break_offsets(480, break_minutes=0, grid_minutes=30) == ()


@pytest.mark.parametrize(
    ("break_minutes", "step", "grid"), [(30, 60, 30), (30, 15, 15), (10, 60, 15), (60, 60, 60)]
)
def test_break_grid_is_the_finer_of_break_and_step_but_at_least_15(
    break_minutes: int, step: int, grid: int
) -> None:
    site = make_site(start_step_minutes=step)
    assert break_grid_minutes(site, ScheduleOptions(break_minutes=break_minutes)) == grid


def test_break_options_of_long_shifts_only() -> None:
    site = make_site()
    shifts = generate_shifts(
        [site], start=pd.Timestamp("2026-11-23 08:00Z"), end=pd.Timestamp("2026-11-23 09:00Z")
    )
    options = ScheduleOptions(break_minutes=30, break_after_hours=6)
    frame = break_options(shifts, sites=[site], options=options)
    assert list(frame.columns) == ["shift_id", "break_start", "break_end"]
    by_shift = frame.groupby("shift_id")["break_start"].apply(list).to_dict()
    assert set(by_shift) == {"Test|2026-11-23T08:00+00:00|8h", "Test|2026-11-23T08:00+00:00|9h"}
    eight = by_shift["Test|2026-11-23T08:00+00:00|8h"]
    assert [f"{t:%H:%M}" for t in eight] == ["11:00", "11:30", "12:00", "12:30"]
    assert ((frame["break_end"] - frame["break_start"]) == pd.Timedelta(minutes=30)).all()
    none = break_options(shifts, sites=[site], options=ScheduleOptions(break_minutes=0))
    assert none.empty and list(none.columns) == ["shift_id", "break_start", "break_end"]


@pytest.mark.parametrize(
    ("weights", "count", "expected"),
    [
        ([0.5, 0.5], 1, [1, 0]),  # a tie goes to the earlier start
        ([1.2, 0.8], 2, [1, 1]),
        ([2.6, 0.4], 3, [3, 0]),
        ([3.0, 1.0], 2, [2, 0]),  # 1.5 / 0.5: tie on the remainder, earlier wins
        ([0.0, 0.0, 0.0], 2, [1, 1, 0]),  # all zero counts as equal
        ([1.0, 2.0], 0, [0, 0]),
    ],
)
def test_round_breaks_is_largest_remainder(weights, count, expected) -> None:
    assert round_breaks(weights, count) == expected


@given(
    st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=6),
    st.integers(0, 12),
)
def test_round_breaks_keeps_the_count_and_each_share_within_one(weights, count) -> None:
    got = round_breaks(weights, count)
    assert sum(got) == count and min(got) >= 0
    total = sum(weights)
    if total > 1e-9:
        for w, n in zip(weights, got, strict=True):
            share = w * count / total
            assert math.floor(share - 1e-6) <= n <= math.ceil(share + 1e-6)
