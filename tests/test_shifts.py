"""Candidate shifts: local windows, steps, lengths, DST, holidays, interval shares."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_site

from scheduling.columns import SHIFT_COLUMNS
from scheduling.errors import InputError
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts, shift_coverage


def shifts_for(site: Site, start: str, end: str):
    return generate_shifts([site], start=pd.Timestamp(start), end=pd.Timestamp(end))


def local_starts(frame: pd.DataFrame, tz: str) -> list[str]:
    return [f"{t.tz_convert(tz):%Y-%m-%d %H:%M}" for t in frame["start"]]


def test_window_steps_and_lengths_in_local_time() -> None:
    site = make_site(
        name="Manila",
        timezone="Asia/Manila",
        open_minutes=8 * 60,
        close_minutes=12 * 60,
        shift_hours=(2.0, 3.0),
        start_step_minutes=30,
    )
    frame = shifts_for(site, "2026-11-23 00:00+08:00", "2026-11-24 00:00+08:00")
    assert tuple(frame.columns) == SHIFT_COLUMNS
    two = frame[frame["paid_hours"] == 2.0]
    three = frame[frame["paid_hours"] == 3.0]
    assert local_starts(two, "Asia/Manila") == [
        f"2026-11-23 {h}" for h in ("08:00", "08:30", "09:00", "09:30", "10:00")
    ]
    assert local_starts(three, "Asia/Manila") == [
        f"2026-11-23 {h}" for h in ("08:00", "08:30", "09:00")
    ]
    first = frame.iloc[0]
    assert first["shift_id"] == "Manila|2026-11-23T08:00+08:00|2h"
    assert first["start"] == pd.Timestamp("2026-11-23 00:00", tz="UTC")
    assert first["end"] == pd.Timestamp("2026-11-23 02:00", tz="UTC")
    assert str(frame["start"].dt.tz) == "UTC"
    assert list(frame["shift_id"]) == list(frame.sort_values(["start", "paid_hours"])["shift_id"])


def test_starts_fall_on_the_local_clock_step() -> None:
    site = make_site(open_minutes=8 * 60 + 15, close_minutes=12 * 60, shift_hours=(2.0,))
    frame = shifts_for(site, "2026-11-23 00:00Z", "2026-11-24 00:00Z")
    assert local_starts(frame, "UTC") == ["2026-11-23 09:00", "2026-11-23 10:00"]


def test_only_allowed_weekdays_and_horizon() -> None:
    site = make_site(days=(0, 2))  # Monday, Wednesday
    frame = shifts_for(site, "2026-11-23 00:00Z", "2026-11-30 00:00Z")
    assert sorted({t.weekday() for t in frame["start"]}) == [0, 2]
    assert frame["start"].min() >= pd.Timestamp("2026-11-23", tz="UTC")
    # Starts at or after the horizon end are left out.
    cut = shifts_for(site, "2026-11-23 00:00Z", "2026-11-23 09:00Z")
    assert list(cut["start"]) == [pd.Timestamp("2026-11-23 08:00Z")]


def test_overnight_window_belongs_to_its_opening_day() -> None:
    site = make_site(
        open_minutes=22 * 60,
        close_minutes=6 * 60,
        days=(6,),  # Sunday nights only
        shift_hours=(4.0, 8.0),
    )
    frame = shifts_for(site, "2026-11-23 00:00Z", "2026-11-30 00:00Z")
    # Sunday 2026-11-22's window starts before the horizon; its after-midnight
    # starts are kept because they start inside it.
    four = frame[frame["paid_hours"] == 4.0]
    assert local_starts(four, "UTC") == [
        "2026-11-23 00:00",
        "2026-11-23 01:00",
        "2026-11-23 02:00",
        "2026-11-29 22:00",
        "2026-11-29 23:00",
    ]
    eight = frame[frame["paid_hours"] == 8.0]
    assert local_starts(eight, "UTC") == ["2026-11-29 22:00"]
    assert eight.iloc[0]["end"] == pd.Timestamp("2026-11-30 06:00Z")


def test_round_the_clock_shifts_may_run_past_midnight() -> None:
    site = make_site(open_minutes=0, close_minutes=1440, start_step_minutes=360)
    frame = shifts_for(site, "2026-11-23 00:00Z", "2026-11-24 00:00Z")
    assert local_starts(frame, "UTC") == [f"2026-11-23 {h:02d}:00" for h in (0, 6, 12, 18)]
    assert frame.iloc[-1]["end"] == pd.Timestamp("2026-11-24 02:00Z")


def test_dublin_spring_forward_gap_and_true_lengths() -> None:
    site = make_site(name="Dublin", timezone="Europe/Dublin", open_minutes=0, close_minutes=1440)
    frame = shifts_for(site, "2026-03-28 20:00Z", "2026-03-29 06:00Z")
    local = local_starts(frame, "Europe/Dublin")
    # 01:00 local does not exist on 2026-03-29 (01:00 GMT -> 02:00 IST).
    assert "2026-03-29 01:00" not in local
    assert local == [
        "2026-03-28 20:00",
        "2026-03-28 21:00",
        "2026-03-28 22:00",
        "2026-03-28 23:00",
        "2026-03-29 00:00",
        "2026-03-29 02:00",
        "2026-03-29 03:00",
        "2026-03-29 04:00",
        "2026-03-29 05:00",
        "2026-03-29 06:00",
    ]
    across = frame[frame["shift_id"] == "Dublin|2026-03-28T22:00+00:00|8h"].iloc[0]
    assert across["start"] == pd.Timestamp("2026-03-28 22:00Z")
    assert across["end"] - across["start"] == pd.Timedelta(hours=8)
    assert f"{across['end'].tz_convert('Europe/Dublin'):%H:%M%z}" == "07:00+0100"
    after = frame[frame["shift_id"] == "Dublin|2026-03-29T02:00+01:00|8h"].iloc[0]
    assert after["start"] == pd.Timestamp("2026-03-29 01:00Z")


def test_dublin_spring_forward_shortens_the_window_in_absolute_time() -> None:
    # The 00:00-08:00 window lasts 7 real hours on 2026-03-29: no 8-hour shift fits.
    site = make_site(name="Dublin", timezone="Europe/Dublin", open_minutes=0, close_minutes=480)
    frame = shifts_for(site, "2026-03-27 00:00Z", "2026-03-30 12:00Z")
    dates = [f"{t.tz_convert('Europe/Dublin'):%Y-%m-%d}" for t in frame["start"]]
    assert dates == ["2026-03-27", "2026-03-28", "2026-03-30"]


def test_dublin_fall_back_first_occurrence_and_true_lengths() -> None:
    site = make_site(name="Dublin", timezone="Europe/Dublin", open_minutes=0, close_minutes=1440)
    frame = shifts_for(site, "2026-10-24 20:00Z", "2026-10-25 03:00Z")
    starts_utc = [f"{t:%m-%d %H:%M}" for t in frame["start"]]
    # Local 01:00 happens twice (IST then GMT); only the first (00:00Z) is a start.
    assert starts_utc == [
        "10-24 20:00",
        "10-24 21:00",
        "10-24 22:00",
        "10-24 23:00",
        "10-25 00:00",
        "10-25 02:00",
    ]
    ids = list(frame["shift_id"])
    assert "Dublin|2026-10-25T01:00+01:00|8h" in ids
    assert not any(i.startswith("Dublin|2026-10-25T01:00+00:00") for i in ids)
    across = frame[frame["shift_id"] == "Dublin|2026-10-24T22:00+01:00|8h"].iloc[0]
    assert across["end"] - across["start"] == pd.Timedelta(hours=8)
    assert f"{across['end'].tz_convert('Europe/Dublin'):%H:%M%z}" == "05:00+0000"


def test_site_holidays_are_skipped() -> None:
    site = make_site(name="Dublin", timezone="Europe/Dublin", holidays="IE")
    frame = shifts_for(site, "2026-03-16 00:00Z", "2026-03-19 00:00Z")
    dates = sorted({f"{t.tz_convert('Europe/Dublin'):%Y-%m-%d}" for t in frame["start"]})
    assert dates == ["2026-03-16", "2026-03-18"]  # St Patrick's Day is closed
    plain = shifts_for(
        make_site(name="Dublin", timezone="Europe/Dublin"), "2026-03-16 00:00Z", "2026-03-19 00:00Z"
    )
    assert len(plain) == 3 * len(frame) // 2


@pytest.mark.parametrize("code", ["ZZ", "US-XX"])
def test_unknown_holiday_code_names_the_site_field(code: str) -> None:
    site = make_site(name="Austin", holidays=code)
    with pytest.raises(InputError, match=r"site 'Austin': holidays: .*" + code):
        shifts_for(site, "2026-11-23 00:00Z", "2026-11-24 00:00Z")


def test_site_without_shifts_in_horizon_is_an_error() -> None:
    site = make_site(name="Weekend", days=(5, 6))
    with pytest.raises(InputError, match="site 'Weekend': no shift starts"):
        shifts_for(site, "2026-11-23 00:00Z", "2026-11-24 00:00Z")


def coverage_of(start: str, end: str, **kwargs: object) -> pd.DataFrame:
    shifts = pd.DataFrame(
        {
            "start": [pd.Timestamp(start)],
            "end": [pd.Timestamp(end)],
            "break_start": [pd.Timestamp(kwargs.pop("break_start", None) or pd.NaT)],
            "break_end": [pd.Timestamp(kwargs.pop("break_end", None) or pd.NaT)],
        }
    )
    options = {"n_intervals": 8, "interval_minutes": 60, "cyclic": False}
    options.update(kwargs)
    return shift_coverage(shifts, grid_start=pd.Timestamp("2026-11-23 08:00Z"), **options)


def shares(frame: pd.DataFrame) -> dict[int, float]:
    return dict(zip(frame["interval"], frame["fraction"], strict=True))


def test_coverage_half_interval_start_and_end() -> None:
    got = shares(coverage_of("2026-11-23 08:30Z", "2026-11-23 12:30Z"))
    assert got == {0: 0.5, 1: 1.0, 2: 1.0, 3: 1.0, 4: 0.5}


def test_coverage_excludes_the_break() -> None:
    got = shares(
        coverage_of(
            "2026-11-23 08:00Z",
            "2026-11-23 12:00Z",
            break_start="2026-11-23 10:00Z",
            break_end="2026-11-23 10:30Z",
        )
    )
    assert got == {0: 1.0, 1: 1.0, 2: 0.5, 3: 1.0}


def test_coverage_on_a_quarter_hour_grid() -> None:
    got = shares(coverage_of("2026-11-23 08:10Z", "2026-11-23 08:40Z", interval_minutes=15))
    assert got == pytest.approx({0: 1 / 3, 1: 1.0, 2: 2 / 3})


def test_coverage_wraps_when_cyclic_and_is_cut_otherwise() -> None:
    cut = shares(coverage_of("2026-11-23 14:00Z", "2026-11-23 18:30Z"))
    assert cut == {6: 1.0, 7: 1.0}
    wrapped = shares(coverage_of("2026-11-23 14:00Z", "2026-11-23 18:30Z", cyclic=True))
    assert wrapped == {0: 1.0, 1: 1.0, 2: 0.5, 6: 1.0, 7: 1.0}


def test_generate_shifts_does_not_mutate_and_is_stable() -> None:
    site = make_site(shift_hours=(4.0, 8.0), start_step_minutes=30)
    first = shifts_for(site, "2026-11-23 00:00Z", "2026-11-30 00:00Z")
    second = shifts_for(site, "2026-11-23 00:00Z", "2026-11-30 00:00Z")
    pd.testing.assert_frame_equal(first, second)
    assert first["shift_id"].is_unique
