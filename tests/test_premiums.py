"""Night and weekend pay premiums: the cost rule against a minute-by-minute walk,
the shift programme's choice between premium and plain shifts, and the config."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scheduling.columns import COST, PAID_HOURS
from scheduling.errors import InputError
from scheduling.shifts.model import build_model, chosen_shifts, solve
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.premiums import premium_hours, shift_cost
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import generate_shifts, shift_costs
from wfm.cli import cli
from wfm.config import load_config

# Zones and the local dates of their daylight-saving changes in 2026 (Dublin's
# "winter time" is a negative save; Lord Howe moves 30 minutes; Santiago changes
# at midnight, so a local midnight falls in the gap; Kathmandu never changes).
DST_DATES = {
    "America/New_York": ("2026-03-08", "2026-11-01"),
    "Europe/Dublin": ("2026-03-29", "2026-10-25"),
    "Australia/Lord_Howe": ("2026-04-05", "2026-10-04"),
    "America/Santiago": ("2026-04-05", "2026-09-06"),
    "Asia/Kathmandu": ("2026-06-06",),
    "UTC": ("2026-06-06",),
}
WEEK_MINUTES = 7 * 1440


def reference_hours(
    start: datetime, minutes: int, zone: str, night: tuple[int, int]
) -> tuple[float, float]:
    """(night, weekend) hours, walking the shift one real minute at a time."""
    tz = ZoneInfo(zone)
    begin, end = night
    night_minutes = weekend_minutes = 0
    for k in range(minutes):
        local = (start + timedelta(minutes=k)).astimezone(tz)
        minute = local.hour * 60 + local.minute
        inside = begin <= minute < end if begin < end else minute >= begin or minute < end
        night_minutes += inside
        weekend_minutes += local.weekday() >= 5
    return night_minutes / 60, weekend_minutes / 60


def site(zone: str = "UTC", **fields: object) -> Site:
    return Site(name="S", timezone=zone, **fields)  # type: ignore[arg-type]


@st.composite
def shifts_near_dst(draw):
    zone = draw(st.sampled_from(sorted(DST_DATES)))
    day = draw(st.sampled_from(DST_DATES[zone]))
    # Starts from three days before the change to three days after, in UTC minutes.
    first = datetime.fromisoformat(day).replace(tzinfo=UTC) - timedelta(days=3)
    start = first + timedelta(minutes=draw(st.integers(0, 6 * 1440)))
    minutes = draw(st.integers(1, 26 * 60))
    boundary = st.one_of(
        st.sampled_from([0, 60, 90, 120, 150, 180, 360, 1320, 1410]), st.integers(0, 1439)
    )
    begin = draw(boundary)
    end = draw(st.one_of(boundary, st.just(1440)).filter(lambda e, b=begin: e != b))
    return zone, start, minutes, (begin, end)


@settings(max_examples=300, deadline=None)
@given(shifts_near_dst())
def test_premium_hours_equal_a_minute_by_minute_walk(case):
    zone, start, minutes, window = case
    where = site(zone, night_start_minutes=window[0], night_end_minutes=window[1])
    found = premium_hours(start, start + timedelta(minutes=minutes), where)
    night, weekend = reference_hours(start, minutes, zone, window)
    assert found.night == pytest.approx(night, abs=1e-9)
    assert found.weekend == pytest.approx(weekend, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(shifts_near_dst(), st.floats(0, 2), st.floats(0, 2), st.floats(0.5, 50))
def test_shift_cost_is_the_additive_rule(case, night_share, weekend_share, rate):
    zone, start, minutes, window = case
    where = site(
        zone,
        cost_per_hour=rate,
        night_premium=night_share,
        weekend_premium=weekend_share,
        night_start_minutes=window[0],
        night_end_minutes=window[1],
    )
    night, weekend = reference_hours(start, minutes, zone, window)
    expected = rate * (minutes / 60 + night_share * night + weekend_share * weekend)
    cost = shift_cost(start, start + timedelta(minutes=minutes), where)
    assert cost == pytest.approx(expected, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", "2026-03-07", 7.0),  # spring forward: the night is short
        ("America/New_York", "2026-10-31", 9.0),  # fall back: 01:00-02:00 twice
        ("Europe/Dublin", "2026-03-28", 7.0),
        ("Europe/Dublin", "2026-10-24", 9.0),
        ("Europe/Dublin", "2026-06-06", 8.0),
    ],
)
def test_a_saturday_night_shift_over_a_dst_change_has_its_true_length(zone, day, hours):
    tz = ZoneInfo(zone)
    start = datetime.fromisoformat(f"{day}T22:00").replace(tzinfo=tz)
    end = (start + timedelta(days=1)).replace(hour=6)  # wall-clock 06:00 next day
    where = site(zone, cost_per_hour=10.0, night_premium=0.25, weekend_premium=0.5)
    assert premium_hours(start, end, where).night == pytest.approx(hours)
    assert premium_hours(start, end, where).weekend == pytest.approx(hours)
    # Night and weekend both hold all shift long: 1 + 0.25 + 0.5.
    assert shift_cost(start, end, where) == pytest.approx(10.0 * 1.75 * hours)


def test_without_premiums_the_cost_is_paid_hours_times_the_rate_exactly():
    start = datetime(2026, 11, 28, 20, tzinfo=UTC)  # a Saturday night
    where = site(cost_per_hour=12.3)
    assert shift_cost(start, start + timedelta(hours=8), where) == 8.0 * 12.3
    assert shift_cost(start, start + timedelta(hours=8), where, paid_hours=7.5) == 7.5 * 12.3


def test_window_ending_at_midnight_or_covering_the_day():
    start = datetime(2026, 11, 23, 20, tzinfo=UTC)  # Monday 20:00-04:00
    end = start + timedelta(hours=8)
    late = site(night_start_minutes=22 * 60, night_end_minutes=0)
    assert premium_hours(start, end, late).night == pytest.approx(2.0)
    allday = site(night_start_minutes=0, night_end_minutes=1440)
    assert premium_hours(start, end, allday).night == pytest.approx(8.0)
    assert premium_hours(start, end, allday).weekend == 0.0


def test_naive_times_are_refused():
    with pytest.raises(InputError, match="timezone-aware"):
        premium_hours(datetime(2026, 1, 1), datetime(2026, 1, 2), site())


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"night_premium": -0.1}, "night_premium must be a share >= 0"),
        ({"weekend_premium": float("nan")}, "weekend_premium must be a share >= 0"),
        ({"weekend_premium": float("inf")}, "weekend_premium"),
        ({"night_start_minutes": 360, "night_end_minutes": 360}, "night_window"),
        ({"night_start_minutes": 1440}, "night_window"),
        ({"night_end_minutes": 1500}, "night_window"),
    ],
)
def test_bad_premium_fields_name_the_field(fields, fragment):
    with pytest.raises(InputError, match=fragment) as raised:
        site(**fields)
    assert "site 'S'" in str(raised.value)


def test_generated_shifts_carry_their_cost():
    plain = site("Europe/Dublin", open_minutes=0, close_minutes=1440, days=tuple(range(7)))
    dear = Site(
        name="T",
        timezone="America/New_York",
        open_minutes=0,
        close_minutes=1440,
        days=tuple(range(7)),
        shift_hours=(8.0, 9.0),
        cost_per_hour=20.0,
        night_premium=0.3,
        weekend_premium=0.6,
    )
    shifts = generate_shifts(
        [plain, dear],
        start=pd.Timestamp("2026-10-30", tz="UTC"),
        end=pd.Timestamp("2026-11-03", tz="UTC"),
    )
    mine = shifts[shifts["site"] == "S"]
    assert (mine[COST] == mine[PAID_HOURS] * plain.cost_per_hour).all()
    # Worked by hand, New York at 20/h, night 22:00-06:00 +30%, weekend +60%:
    pinned = {
        # Fri 30 Oct 09:00-17:00 EDT: no premium. 20 * 8 = 160.
        ("2026-10-30T13:00Z", 8.0): 160.0,
        # Fri 18:00 EDT - Sat 02:00 EDT: 4 h of night (22-02), 2 h of Saturday (00-02).
        # 20 * (8 + 0.3 * 4 + 0.6 * 2) = 20 * 10.4 = 208.
        ("2026-10-30T22:00Z", 8.0): 208.0,
        # Sat 31 Oct 22:00 EDT (02:00Z); the clocks go back at 02:00 EDT, so 8 real
        # hours end at 05:00 EST (10:00Z): all 8 in the night window and all on the
        # weekend (2 h Saturday, 6 h Sunday). 20 * (8 + 0.3 * 8 + 0.6 * 8) = 304.
        ("2026-11-01T02:00Z", 8.0): 304.0,
        # The 9-hour one ends at 06:00 EST (11:00Z), still all night and weekend:
        # 20 * 9 * (1 + 0.3 + 0.6) = 342.
        ("2026-11-01T02:00Z", 9.0): 342.0,
    }
    theirs = shifts[shifts["site"] == "T"].set_index(["start", PAID_HOURS])
    for (start, hours), cost in pinned.items():
        row = theirs.loc[(pd.Timestamp(start), hours)]
        assert row["end"] - pd.Timestamp(start) == pd.Timedelta(hours=hours)
        assert row[COST] == pytest.approx(cost, rel=1e-12), (start, hours)
    hand_made = pd.DataFrame(
        {
            "site": "T",
            "start": [pd.Timestamp(start) for start, _ in pinned],
            "end": [pd.Timestamp(start) + pd.Timedelta(hours=h) for start, h in pinned],
        }
    )
    assert shift_costs(hand_made, sites=[plain, dear]).tolist() == pytest.approx(
        list(pinned.values()), rel=1e-12
    )
    assert shift_costs(shifts, sites=[plain, dear]).tolist() == pytest.approx(shifts[COST].tolist())


def test_shift_costs_names_an_unknown_site():
    frame = pd.DataFrame(
        {
            "site": ["Cork"],
            "start": [pd.Timestamp("2026-11-23 08:00Z")],
            "end": [pd.Timestamp("2026-11-23 16:00Z")],
        }
    )
    with pytest.raises(InputError, match="Cork"):
        shift_costs(frame, sites=[site()])


# -- the shift programme -----------------------------------------------------------

MONDAY = pd.Timestamp("2026-11-23 00:00Z")
SATURDAY = MONDAY + pd.Timedelta(days=5)


def one_day(day: pd.Timestamp, busy_hours: range) -> pd.DataFrame:
    """One day's hourly grid from `day`, one agent needed in `busy_hours`."""
    return pd.DataFrame(
        {
            "interval_start": [day + pd.Timedelta(hours=h) for h in range(24)],
            "queue": "phone",
            "agents_scheduled": [1.0 if h in busy_hours else 0.0 for h in range(24)],
        }
    )


def solve_day(
    requirements: pd.DataFrame,
    sites: list[Site],
    *,
    drop_cost: bool = False,
    surplus_penalty: float = 0.0,
):
    options = ScheduleOptions(
        break_minutes=0,
        cyclic=False,
        gap=0.0,
        shortfall_penalty=1000.0,
        surplus_penalty=surplus_penalty,
    )
    grid = requirements["interval_start"]
    shifts = generate_shifts(sites, start=grid.min(), end=grid.max() + pd.Timedelta(hours=1))
    if drop_cost:
        shifts = shifts.drop(columns=COST)
    model = build_model(requirements, shifts, sites=sites, options=options)
    result = solve(model, solver="highs", time_limit_seconds=20, gap=0.0)
    return chosen_shifts(model), result


def round_the_clock(**fields: object) -> Site:
    base: dict[str, object] = {
        "open_minutes": 0,
        "close_minutes": 1440,
        "days": tuple(range(7)),
        "queues": ("phone",),
        "shift_hours": (8.0,),
        "cost_per_hour": 10.0,
    }
    return site(**{**base, **fields})


def test_the_programme_moves_a_shift_out_of_the_night_when_coverage_allows():
    # One agent 18:00-22:00 on a one-day horizon (not cyclic): 8-hour shifts
    # starting 14:00..18:00 all cover it. Work past midnight falls outside the
    # horizon, so with a surplus penalty of 2 an agent-hour the 18:00 start is
    # cheapest without a premium (80 + 2 * 2 = 84 against 80 + 2 * 4 = 88 at
    # 14:00), but it has 4 night hours: at +50% the 14:00 start wins (88 < 104).
    requirements = one_day(MONDAY, range(18, 22))
    plain, _ = solve_day(requirements, [round_the_clock()], surplus_penalty=2.0)
    assert plain["start"].tolist() == [MONDAY + pd.Timedelta(hours=18)]
    chosen, result = solve_day(
        requirements, [round_the_clock(night_premium=0.5)], surplus_penalty=2.0
    )
    assert result.status == "optimal"
    assert chosen["start"].tolist() == [MONDAY + pd.Timedelta(hours=14)]
    assert chosen[COST].tolist() == [80.0]


def test_a_plain_day_shift_wins_the_tie_against_night_ones():
    # One agent 06:00-10:00: shifts starting 02:00..06:00 all cover it for 80 paid;
    # only the 06:00 one has no hour in the 22:00-06:00 window.
    chosen, result = solve_day(one_day(MONDAY, range(6, 10)), [round_the_clock(night_premium=0.5)])
    assert chosen["start"].tolist() == [MONDAY + pd.Timedelta(hours=6)]
    assert result.objective == pytest.approx(80.0)


def test_the_programme_pays_the_premium_when_coverage_needs_the_night():
    # One agent 02:00-06:00 (the day starts the horizon): a start at 00:00, 01:00
    # or 02:00 covers it, and the 02:00 one has the fewest night hours (four).
    chosen, result = solve_day(one_day(MONDAY, range(2, 6)), [round_the_clock(night_premium=0.5)])
    assert chosen["start"].tolist() == [MONDAY + pd.Timedelta(hours=2)]
    assert result.objective == pytest.approx(10.0 * (8 + 0.5 * 4))


def test_the_programme_prefers_the_site_without_a_weekend_premium():
    cheap_weekdays = round_the_clock(cost_per_hour=10.0, weekend_premium=0.5)
    steady = dataclasses.replace(round_the_clock(cost_per_hour=12.0), name="Steady")
    weekday, _ = solve_day(one_day(MONDAY, range(9, 17)), [cheap_weekdays, steady])
    weekend, result = solve_day(one_day(SATURDAY, range(9, 17)), [cheap_weekdays, steady])
    assert weekday["site"].tolist() == ["S"]  # 80 < 96
    assert weekend["site"].tolist() == ["Steady"]  # 96 < 120
    assert result.objective == pytest.approx(96.0)


def test_hand_made_shift_frames_are_priced_the_same():
    where = [round_the_clock(night_premium=0.5, weekend_premium=0.25)]
    requirements = one_day(SATURDAY, range(2, 6))
    _, with_column = solve_day(requirements, where)
    _, without = solve_day(requirements, where, drop_cost=True)
    assert with_column.objective == pytest.approx(without.objective)
    assert with_column.objective == pytest.approx(10.0 * (8 + 0.5 * 4 + 0.25 * 8))


# -- config and command line ---------------------------------------------------------

SITE_TOML = """\
interval_minutes = 60

[queues.phone]
channel = "voice"
aht_seconds = 300

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
queues = ["phone"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
shift_hours = [8]
cost_per_hour = 20.0
"""
PREMIUMS = """night_premium = 0.25
night_window = ["21:30", "05:00"]
weekend_premium = 0.5
"""


def test_config_reads_the_premium_fields(tmp_path):
    (tmp_path / "wfm.toml").write_text(SITE_TOML + PREMIUMS)
    (dublin,) = load_config(tmp_path / "wfm.toml").sites
    assert (dublin.night_premium, dublin.weekend_premium) == (0.25, 0.5)
    assert (dublin.night_start_minutes, dublin.night_end_minutes) == (21 * 60 + 30, 5 * 60)


def test_config_defaults_have_no_premium(tmp_path):
    (tmp_path / "wfm.toml").write_text(SITE_TOML)
    (dublin,) = load_config(tmp_path / "wfm.toml").sites
    assert not dublin.has_premiums
    assert (dublin.night_start_minutes, dublin.night_end_minutes) == (22 * 60, 6 * 60)


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ("night_premium = -0.25", ["wfm.toml", "Dublin", "night_premium", ">= 0"]),
        ('weekend_premium = "high"', ["wfm.toml", "weekend_premium", "a number"]),
        ('night_window = ["22:00"]', ["wfm.toml", "night_window", '["HH:MM", "HH:MM"]']),
        ('night_window = "22:00-06:00"', ["wfm.toml", "night_window", '["HH:MM", "HH:MM"]']),
        ('night_window = ["25:00", "06:00"]', ["wfm.toml", "night_window[0]", "25:00"]),
        ('night_window = ["06:00", "06:00"]', ["wfm.toml", "Dublin", "night_window"]),
        ("night_premum = 0.25", ["wfm.toml", "unknown field 'night_premum'"]),
    ],
)
def test_a_bad_premium_field_is_one_line_and_exit_1(tmp_path, line, fragments):
    (tmp_path / "wfm.toml").write_text(SITE_TOML + line + "\n")
    (tmp_path / "r.csv").write_text("interval_start,queue,agents_scheduled\n")
    result = CliRunner().invoke(
        cli, ["schedule", str(tmp_path / "r.csv"), "--config", str(tmp_path / "wfm.toml")]
    )
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""


def write_weekend_requirements(path: Path) -> None:
    """One agent 09:00-17:00 UTC each day, Friday to Sunday."""
    days = [MONDAY + pd.Timedelta(days=d) for d in (4, 5, 6)]
    frames = [one_day(day, range(9, 17)) for day in days]
    frame = pd.concat(frames, ignore_index=True)
    frame["interval_start"] = frame["interval_start"].map(lambda t: t.isoformat())
    frame.to_csv(path, index=False)


def test_schedule_summary_cost_includes_the_premiums(tmp_path):
    (tmp_path / "wfm.toml").write_text(SITE_TOML + PREMIUMS + "\n[scheduling]\ncyclic = false\n")
    write_weekend_requirements(tmp_path / "r.csv")
    result = CliRunner().invoke(
        cli,
        ["schedule", str(tmp_path / "r.csv"), "--config", str(tmp_path / "wfm.toml")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    schedule = pd.read_csv(io.StringIO(result.stdout))
    start = pd.to_datetime(schedule["start"], utc=True).dt.tz_convert("Europe/Dublin")
    end = pd.to_datetime(schedule["end"], utc=True).dt.tz_convert("Europe/Dublin")
    # What the hand count below rests on. The 30-minute break means one 8-hour
    # shift cannot cover 09:00-17:00 alone, so each day takes two; none touches
    # the 21:30-05:00 night window (Dublin is on +00:00 in late November).
    assert (end - start == pd.Timedelta(hours=8)).all()
    assert start.dt.day_name().value_counts().to_dict() == {
        "Friday": 2,
        "Saturday": 2,
        "Sunday": 2,
    }
    assert (start.dt.hour >= 5).all()
    assert (end.dt.hour * 60 + end.dt.minute <= 21 * 60 + 30).all()
    assert (start.dt.date == end.dt.date).all()
    # Friday 2 * 8 h * 20 = 320; Saturday and Sunday each 2 * 8 h * 20 * 1.5 = 480:
    # 320 + 480 + 480 = 1,280.00 (without the weekend premium, 6 * 8 * 20 = 960.00).
    row = next(line for line in result.stderr.splitlines() if line.startswith("Dublin"))
    assert row.split()[-1] == "1,280.00"
