"""Break windows, candidate starts and whole agents per start."""

from __future__ import annotations

import itertools
import math

import conftest
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from scheduling.errors import InputError
from scheduling.shifts.breaks import (
    break_offsets,
    break_options,
    round_breaks,
    rule_break_options,
    rule_grid_minutes,
)
from scheduling.shifts.options import BreakRule, ScheduleOptions
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts


def make_site(**overrides: object) -> Site:
    return conftest.make_site(
        **{**{"close_minutes": 20 * 60, "shift_hours": (5.0, 8.0, 9.0)}, **overrides}
    )


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
    assert rule_grid_minutes(site, BreakRule(minutes=break_minutes)) == grid


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


# -- several break rules -----------------------------------------------------------

LUNCH = BreakRule(minutes=30, after_hours=6, window=(3.0, 5.0))
MORNING = BreakRule(minutes=15, after_hours=4, window=(1.0, 2.5))
AFTERNOON = BreakRule(minutes=15, after_hours=7, window=(5.5, 7.0))


def test_the_shorthand_is_one_rule() -> None:
    assert ScheduleOptions().break_rules == (BreakRule(minutes=30, after_hours=6.0),)
    options = ScheduleOptions(break_minutes=45, break_after_hours=8, break_window=(3, 6))
    assert options.break_rules == (BreakRule(minutes=45, after_hours=8, window=(3, 6)),)
    assert ScheduleOptions(break_minutes=0).break_rules == ()
    assert ScheduleOptions(breaks=()).break_rules == ()
    rules = (LUNCH, MORNING, AFTERNOON)
    assert ScheduleOptions(breaks=rules).break_rules == rules


def test_one_rule_gives_the_shorthand_candidates() -> None:
    site = make_site(start_step_minutes=30)
    monday = pd.Timestamp("2026-11-23 00:00Z")
    shifts = generate_shifts([site], start=monday, end=monday + pd.Timedelta(days=1))
    for window in (None, (3.0, 5.0)):
        shorthand = ScheduleOptions(break_minutes=30, break_after_hours=6, break_window=window)
        rule = ScheduleOptions(breaks=(BreakRule(minutes=30, after_hours=6, window=window),))
        expected = break_options(shifts, sites=[site], options=shorthand)
        pd.testing.assert_frame_equal(break_options(shifts, sites=[site], options=rule), expected)
        (only,) = rule_break_options(shifts, sites=[site], options=rule)
        pd.testing.assert_frame_equal(only, expected)


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"break_minutes": 15}, ["break_minutes", "breaks", "not both"]),
        ({"break_window": (3.0, 5.0)}, ["break_window", "not both"]),
        ({"breaks": (BreakRule(minutes=0),)}, ["scheduling.breaks[0].minutes", "> 0"]),
        ({"breaks": (LUNCH, BreakRule(minutes=15, after_hours=-1))}, ["breaks[1].after_hours"]),
        (
            {"breaks": (BreakRule(minutes=30, window=(5.0, 3.0)),)},
            ["breaks[0].window", "0 <= from < to"],
        ),
        (
            {"breaks": (BreakRule(minutes=45, window=(3.0, 3.5)),)},
            ["breaks[0].window", "room for its 45 minutes"],
        ),
        # Lunch in hours 3-5 and a break in hours 4.5-6 meet in any shift with both.
        (
            {"breaks": (LUNCH, BreakRule(minutes=15, window=(4.5, 6.0)))},
            ["breaks[0] (window [3, 5])", "breaks[1] (window [4.5, 6])", "overlap"],
        ),
        # Types a library caller may get wrong: InputError, not TypeError.
        (
            {"breaks": (LUNCH, BreakRule(minutes=15, after_hours="6"))},  # type: ignore[arg-type]
            ["scheduling.breaks[1].after_hours", "'6'"],
        ),
        (
            {"breaks": (LUNCH, BreakRule(minutes=15, after_hours=True))},
            ["scheduling.breaks[1].after_hours", "True"],
        ),
        (
            {"breaks": (BreakRule(minutes=15, window=3),)},  # type: ignore[arg-type]
            ["scheduling.breaks[0].window", "[from, to]", "got 3"],
        ),
        (
            {"breaks": (BreakRule(minutes=15, window=("3", "5")),)},  # type: ignore[arg-type]
            ["scheduling.breaks[0].window", "[from, to]", "('3', '5')"],
        ),
        (
            {"breaks": (LUNCH, BreakRule(minutes=15, window=(1.0, 2.0, 3.0)))},  # type: ignore[arg-type]
            ["scheduling.breaks[1].window", "[from, to]"],
        ),
    ],
)
def test_break_rules_are_validated_naming_the_field(overrides, fragments) -> None:
    with pytest.raises(InputError) as error:
        ScheduleOptions(**{"breaks": (LUNCH,), **overrides})
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)


def test_windows_that_touch_or_stay_apart_are_fine() -> None:
    touching = (BreakRule(minutes=15, window=(1.0, 2.5)), BreakRule(minutes=30, window=(2.5, 4)))
    assert ScheduleOptions(breaks=touching).break_rules == touching
    assert ScheduleOptions(breaks=(LUNCH, MORNING, AFTERNOON)).break_rules[0] == LUNCH


def shift_frame(hours: float, *, step: int = 60) -> tuple[Site, pd.DataFrame]:
    """A site with `hours`-long shifts only, and its shifts starting at 08:00."""
    site = make_site(shift_hours=(hours,), start_step_minutes=step)
    monday = pd.Timestamp("2026-11-23 08:00Z")
    return site, generate_shifts([site], start=monday, end=monday + pd.Timedelta(minutes=step))


@pytest.mark.parametrize(
    ("rules", "hours", "fragments"),
    [
        # Two rules without a window both use the middle third.
        (
            (BreakRule(minutes=30), BreakRule(minutes=15, after_hours=4)),
            6.0,
            ["breaks[0] (30 minutes in the middle third, hours 2-4 here)", "breaks[1] (15"],
        ),
        # The middle third of a 9-hour shift (3-6) meets hours 5.5-7.
        (
            (BreakRule(minutes=30), AFTERNOON),
            9.0,
            [
                "breaks[0] (30 minutes in the middle third",
                "breaks[1] (15 minutes in window [5.5, 7])",
            ],
        ),
        # The middle third of a 3-hour shift (1-2) meets hours 0.5-1.5.
        (
            (
                BreakRule(minutes=30, after_hours=3),
                BreakRule(minutes=15, after_hours=2, window=(0.5, 1.5)),
            ),
            3.0,
            [
                "breaks[0] (30 minutes in the middle third, hours 1-2 here)",
                "breaks[1] (15 minutes in window [0.5, 1.5])",
                "minutes 60-90 and 60-75 after the start",
            ],
        ),
    ],
)
def test_middle_thirds_that_meet_another_rule_in_the_real_shifts_are_rejected(
    rules: tuple[BreakRule, ...], hours: float, fragments: list[str]
) -> None:
    options = ScheduleOptions(breaks=rules)  # whether they meet depends on the shifts
    site, shifts = shift_frame(hours)
    with pytest.raises(InputError) as error:
        rule_break_options(shifts, sites=[site], options=options)
    message = str(error.value)
    assert "\n" not in message
    for fragment in [
        *fragments,
        f"can overlap in the {hours:g}-hour shifts of site 'Test'",
        "give one of them a window clear of the other",
        f"raise its after_hours above {hours:g}",
    ]:
        assert fragment in message, message


def test_middle_thirds_are_checked_on_the_real_shift_lengths_only() -> None:
    # Lunch in the middle third of 7 hours and more, a morning break in hours
    # 1-2.5 and an afternoon one in 6-7.5: in 8-hour shifts the middle third is
    # 2:40-5:20, clear of both, so the site's shifts hold all three (shorter
    # shifts might not, but the site has none).
    rules = (
        BreakRule(minutes=30, after_hours=7),
        BreakRule(minutes=15, after_hours=4, window=(1.0, 2.5)),
        BreakRule(minutes=15, after_hours=6, window=(6.0, 7.5)),
    )
    options = ScheduleOptions(breaks=rules)
    assert options.break_rules == rules
    site, shifts = shift_frame(8.0, step=15)
    lunch, morning, afternoon = rule_break_options(shifts, sites=[site], options=options)
    offsets = [
        sorted({(t - shifts["start"][0]) / pd.Timedelta(minutes=1) for t in frame["break_start"]})
        for frame in (lunch, morning, afternoon)
    ]
    assert offsets[0] == [165.0 + 15 * k for k in range(9)]  # 2:45 .. 4:45, ending by 5:20
    assert offsets[1] == [60.0 + 15 * k for k in range(6)]  # 1:00 .. 2:15
    assert offsets[2] == [360.0 + 15 * k for k in range(6)]  # 6:00 .. 7:15
    # A middle third of 7-hour shifts (2:20-4:40) starts at 2:30 on the grid, as
    # the morning break ends: they touch but do not overlap.
    site, shifts = shift_frame(7.0, step=15)
    lunch, morning, _ = rule_break_options(shifts, sites=[site], options=options)
    first = shifts["start"][0]
    assert lunch["break_start"].min() - first == pd.Timedelta(minutes=150)
    assert morning["break_end"].max() - first == pd.Timedelta(minutes=150)
    # Likewise a 4-hour shift's middle third (1:20-2:40) on a 30-minute grid
    # starts at 1:30, as a break in hours 0.5-1.5 ends.
    early = (
        BreakRule(minutes=30, after_hours=4),
        BreakRule(minutes=15, after_hours=2, window=(0.5, 1.5)),
    )
    site, shifts = shift_frame(4.0)
    frames = rule_break_options(shifts, sites=[site], options=ScheduleOptions(breaks=early))
    assert [len(frame) for frame in frames] == [2, 4]


def test_a_fallback_break_that_meets_another_rule_is_rejected() -> None:
    # A 5-hour shift cannot hold hours 5.5-7, so that break falls back to the
    # middle of the shift (02:15-02:30), inside the lunch window 2-3.5.
    site = make_site(shift_hours=(5.0,))
    monday = pd.Timestamp("2026-11-23 08:00Z")
    shifts = generate_shifts([site], start=monday, end=monday + pd.Timedelta(hours=1))
    rules = (
        BreakRule(minutes=30, after_hours=4, window=(2.0, 3.5)),
        BreakRule(minutes=15, after_hours=4, window=(5.5, 7.0)),
    )
    with pytest.raises(InputError) as error:
        rule_break_options(shifts, sites=[site], options=ScheduleOptions(breaks=rules))
    message = str(error.value)
    for fragment in (
        "breaks[0] (30 minutes in window [2, 3.5])",
        "breaks[1] (15 minutes in window [5.5, 7], which these shifts cannot hold, so near "
        "the middle)",
        "5-hour shifts of site 'Test'",
        "minutes 120-150 and 135-150 after the start",
        "after_hours above 5",
    ):
        assert fragment in message, message


@st.composite
def rule_sets(draw: st.DrawFn) -> tuple[BreakRule, ...]:
    """1-3 rules with disjoint windows on a half-hour grid, random lengths and thresholds."""
    n = draw(st.integers(1, 3))
    cuts = sorted(draw(st.sets(st.integers(0, 24), min_size=2 * n, max_size=2 * n)))
    rules = []
    for begin, end in zip(cuts[::2], cuts[1::2], strict=True):
        fits = [m for m in (10, 15, 20, 30, 45, 60) if m <= (end - begin) * 30]
        rules.append(
            BreakRule(
                minutes=draw(st.sampled_from(fits)),
                after_hours=draw(st.sampled_from([0.0, 2.0, 4.0, 6.0, 7.5])),
                window=(begin / 2, end / 2),
            )
        )
    order = draw(st.permutations(rules))
    return tuple(order)


@settings(max_examples=150, deadline=None)
@given(
    rules=rule_sets(),
    step=st.sampled_from([15, 30, 60]),
    hours=st.lists(st.sampled_from([2.0, 4.0, 5.5, 6.0, 8.0, 9.0, 10.0]), min_size=1, max_size=3),
)
def test_rule_offsets_are_every_grid_start_in_each_window(rules, step, hours) -> None:
    site = make_site(
        shift_hours=tuple(sorted(set(hours))),
        start_step_minutes=step,
        open_minutes=0,
        close_minutes=1440,
    )
    start = pd.Timestamp("2026-11-23 06:00Z")
    shifts = generate_shifts([site], start=start, end=start + pd.Timedelta(minutes=step))
    options = ScheduleOptions(breaks=rules)
    try:
        frames = rule_break_options(shifts, sites=[site], options=options)
    except InputError as error:
        # Only a fallback break (a window the shift cannot hold) may clash.
        assert "near the middle" in str(error)
        event("a fallback break clashes")
        return
    event(f"{len(rules)} rule(s)")
    assert len(frames) == len(rules)
    for shift in shifts.itertuples():
        length = (shift.end - shift.start).total_seconds() / 60
        taken = []
        for rule, frame in zip(rules, frames, strict=True):
            mine = frame[frame["shift_id"] == shift.shift_id]
            got = [(t - shift.start).total_seconds() / 60 for t in mine["break_start"]]
            assert (
                (mine["break_end"] - mine["break_start"]) == pd.Timedelta(minutes=rule.minutes)
            ).all()
            if length < rule.after_hours * 60:
                assert got == []
                continue
            grid = max(15, min(rule.minutes, step))
            begin, end = rule.window[0] * 60, min(rule.window[1] * 60, length)
            fits = [
                k for k in range(0, int(length) + 1, grid) if begin <= k and k + rule.minutes <= end
            ]
            if fits:
                assert got == fits
            else:  # the fallback: one start, inside the shift
                assert (
                    len(got) == 1
                    and got[0] >= 0
                    and got[0] + rule.minutes <= max(length, rule.minutes)
                )
            taken.append([(k, k + rule.minutes) for k in got])
        # No candidate of one rule meets a candidate of another.
        for first, second in itertools.combinations(taken, 2):
            assert all(b <= c or d <= a for a, b in first for c, d in second)
