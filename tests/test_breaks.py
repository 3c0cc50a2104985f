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


def test_a_configured_window_holds_every_break_and_is_cut_to_the_shift() -> None:
    # Lunch between hours 3 and 5 of the shift.
    window = (3.0, 5.0)
    assert break_offsets(480, break_minutes=30, grid_minutes=30, window_hours=window) == (
        180.0,
        210.0,
        240.0,
        270.0,
    )
    # A 4-hour shift ends inside the window: the break must end by hour 4.
    assert break_offsets(240, break_minutes=30, grid_minutes=30, window_hours=window) == (
        180.0,
        210.0,
    )


@given(
    length=st.integers(60, 720),
    begin=st.integers(0, 10),
    width=st.integers(1, 6),
    grid=st.sampled_from([15, 30, 60]),
    minutes=st.sampled_from([15, 30, 45, 60]),
)
def test_window_offsets_are_every_grid_start_that_fits(length, begin, width, grid, minutes):
    window = (float(begin), float(begin + width))
    got = break_offsets(length, break_minutes=minutes, grid_minutes=grid, window_hours=window)
    fits = [
        float(k)
        for k in range(0, length + 1, grid)
        if begin * 60 <= k and k + minutes <= min((begin + width) * 60, length)
    ]
    if fits:
        assert got == tuple(fits)
    else:  # the fallback: one start, the break inside the shift
        assert len(got) == 1 and got[0] >= 0 and got[0] + minutes <= max(length, minutes)


def test_break_options_follow_the_configured_window() -> None:
    site = make_site(shift_hours=(8.0,))
    monday = pd.Timestamp("2026-11-23 00:00Z")
    shifts = generate_shifts([site], start=monday, end=monday + pd.Timedelta(days=1))
    options = ScheduleOptions(break_window=(3.0, 5.0), break_minutes=30)
    choices = break_options(shifts, sites=[site], options=options).merge(shifts, on="shift_id")
    after = (choices["break_start"] - choices["start"]) / pd.Timedelta(hours=1)
    until = (choices["break_end"] - choices["start"]) / pd.Timedelta(hours=1)
    assert len(choices) == 4 * len(shifts)
    assert (after >= 3).all() and (until <= 5).all()


def test_break_window_is_validated() -> None:
    with pytest.raises(ValueError, match="break_window"):
        ScheduleOptions(break_window=(5.0, 3.0))
    with pytest.raises(ValueError, match="break_window"):
        ScheduleOptions(break_window=(3.0, 3.25), break_minutes=30)


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
