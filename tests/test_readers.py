"""Readers against exports as helpdesks write them: date orders, zones, DST, names, sizes.

Each test reproduces one reported failure: a silent misreading, a traceback or a
misleading message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, assert_one_line_error
from typer.testing import CliRunner

from wfm import readers
from wfm.cli import cli
from wfm.errors import WfmError

runner = CliRunner()
NY = "America/New_York"


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def counts_text(times: list[str], queue: str = "phone", volume: str = "3") -> str:
    rows = "".join(f"{t},{queue},{volume}\n" for t in times)
    return "interval_start,queue,volume\n" + rows


def forecast_cli(path: Path, *extra: str):
    return runner.invoke(cli, ["forecast", str(path), "--horizon", "1w", *extra])


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ('created_at,queue,"queue "\n', "'queue'"),
        ('created_at,"\n","\t"\n', "an empty name"),  # found by test_readers_fuzz
    ],
)
def test_a_header_naming_one_column_twice_is_refused(tmp_path, header, named):
    path = write(tmp_path, header + "2025-01-06 09:00,a,b\n2025-01-06 10:00,a,b\n")
    result = forecast_cli(path)
    assert_one_line_error(result, str(path), "two columns", named, "its own name")


# 1. Day/month order -------------------------------------------------------------


def test_ambiguous_day_month_dates_are_refused(tmp_path):
    path = write(tmp_path, "created_at,queue\n06/01/2025 09:00,a\n07/01/2025 10:30,a\n")
    result = forecast_cli(path)
    assert_one_line_error(result, "'created_at'", "row 2", "--date-format DD/MM/YYYY")


def test_date_format_says_day_first(tmp_path):
    path = write(tmp_path, "created_at,queue\n06/01/2025 09:00,a\n07/01/2025 10:30,a\n")
    frame, _ = readers.read_history(path, tz="UTC", date_format="dmy")
    assert list(frame["created_at"].dt.strftime("%Y-%m-%d %H:%M")) == [
        "2025-01-06 09:00",
        "2025-01-07 10:30",
    ]
    frame, _ = readers.read_history(path, tz="UTC", date_format="mdy")
    assert frame["created_at"].iloc[0].month == 6


def test_a_day_above_twelve_fixes_the_order(tmp_path):
    # Before: mixed parsing read 06/01 as June 1st and 13/01 as January 13th.
    path = write(tmp_path, "created_at,queue\n06/01/2025 09:00,a\n13/01/2025 10:30,a\n")
    frame, _ = readers.read_history(path, tz="UTC")
    assert list(frame["created_at"].dt.strftime("%Y-%m-%d")) == ["2025-01-06", "2025-01-13"]


def test_date_format_against_the_data_is_refused(tmp_path):
    path = write(tmp_path, "created_at,queue\n01/13/2025 09:00,a\n")
    with pytest.raises(WfmError, match=r"row 2: a date does not fit the date format DD/MM/YYYY"):
        readers.read_history(path, tz="UTC", date_format="dmy")


def test_date_format_option_and_config(tmp_path):
    from wfm.config import load_config

    bad = forecast_cli(write(tmp_path, "created_at,queue\n"), "--date-format", "DMY/HH")
    assert_one_line_error(bad, "--date-format: expected DD/MM/YYYY")
    config = write(tmp_path, '[forecast]\ndate_format = "DD/MM/YYYY"\n', "wfm.toml")
    assert load_config(config).forecast.date_format == "DD/MM/YYYY"
    config.write_text('[forecast]\ndate_format = "day first"\n')
    with pytest.raises(WfmError, match=r"wfm.toml: forecast.date_format: expected DD/MM/YYYY"):
        load_config(config)


def test_iso_dates_need_no_option(tmp_path):
    path = write(tmp_path, "created_at,queue\n2025-01-06 09:00,a\n2025-02-03T10:30:00,a\n")
    frame, _ = readers.read_history(path, tz="UTC")
    assert list(frame["created_at"].dt.strftime("%m-%d")) == ["01-06", "02-03"]


# 2. Counts read as contacts; time-only columns ------------------------------------


def test_counts_read_with_a_date_column_are_refused(tmp_path):
    rows = "".join(f"2025-01-{d:02d},{h},phone,12\n" for d in range(6, 20) for h in range(24))
    path = write(tmp_path, "date,hour,queue,volume\n" + rows)
    result = forecast_cli(path, "--time-col", "date")
    assert_one_line_error(result, "'volume'", "use interval_start, queue, volume")


def test_whole_dates_are_not_contact_timestamps(tmp_path):
    path = write(tmp_path, "created_at,queue\n2025-01-06,a\n2025-01-06,a\n2025-01-07,a\n")
    with pytest.raises(WfmError, match=r"'created_at' holds whole dates with no time of day"):
        readers.read_history(path, tz="UTC")


def test_a_time_only_column_is_never_the_timestamp(tmp_path):
    path = write(tmp_path, "start_time,queue\n09:13,a\n10:40,a\n")
    result = forecast_cli(path)
    assert_one_line_error(result, "'start_time' holds times of day only", "a date and a time")
    both = write(tmp_path, "start_time,created_at,queue\n09:13,2025-01-06 09:13,a\n", "b.csv")
    frame, _ = readers.read_history(both, tz="UTC")
    assert frame["created_at"].iloc[0] == pd.Timestamp("2025-01-06 09:13", tz="UTC")
    explicit = forecast_cli(path, "--time-col", "start_time")
    assert_one_line_error(explicit, "'start_time' holds times of day only")


# 3. DST in naive local files --------------------------------------------------------


def hours(start: str, end: str) -> list[str]:
    return [f"{t:%Y-%m-%d %H:%M}" for t in pd.date_range(start, end, freq="h")]


def test_spring_forward_hour_is_named_in_local_time(tmp_path):
    times = hours("2025-03-08 00:00", "2025-03-10 00:00")  # naive: includes 02:00 on 03-09
    path = write(tmp_path, counts_text(times))
    result = forecast_cli(path, "--tz", NY)
    row = times.index("2025-03-09 02:00") + 2
    assert_one_line_error(
        result,
        f"row {row}: 2025-03-09 02:00 does not exist in {NY} (clocks spring forward)",
        "such as 2025-03-09T03:00:00-04:00",
    )


def test_the_spring_forward_fix_is_written_in_the_file_zone(tmp_path):
    """Found by a new user's run: Jerusalem's gap was told to write a New York time."""
    times = hours("2025-03-27 00:00", "2025-03-29 00:00")  # Israel springs forward 28 March
    result = forecast_cli(write(tmp_path, counts_text(times)), "--tz", "Asia/Jerusalem")
    assert_one_line_error(result, "2025-03-28 02:00 does not exist", "2025-03-28T03:00:00+03:00")


def test_fall_back_hour_twice_is_summer_then_winter(tmp_path):
    times = hours("2025-11-01 00:00", "2025-11-03 00:00")
    one = times.index("2025-11-02 01:00")
    times.insert(one + 1, "2025-11-02 01:00")  # the export's clock shows 01:00 twice
    text = "interval_start,queue,volume\n" + "".join(
        f"{t},{q},{i}\n" for q in ("chat", "phone") for i, t in enumerate(times)
    )
    frame, _ = readers.read_history(write(tmp_path, text), tz=NY)
    assert frame.groupby("queue")["interval_start"].nunique().tolist() == [len(times)] * 2
    phone = frame[frame["queue"] == "phone"].set_index("interval_start")["volume"]
    assert phone[pd.Timestamp("2025-11-02 05:00", tz="UTC")] == one  # 01:00 EDT
    assert phone[pd.Timestamp("2025-11-02 06:00", tz="UTC")] == one + 1  # 01:00 EST
    assert frame["volume"].sum() == 2 * sum(range(len(times)))


def test_fall_back_hour_three_times_names_the_local_time(tmp_path):
    times = ["2025-11-02 00:00", "2025-11-02 01:00", "2025-11-02 01:00", "2025-11-02 01:00"]
    with pytest.raises(WfmError, match=r"interval_start=2025-11-02 01:00 \(rows 3, 5\)"):
        readers.read_history(write(tmp_path, counts_text(times)), tz=NY)


def test_requirements_fold_and_gap(tmp_path):
    times = hours("2025-11-02 00:00", "2025-11-02 03:00")
    times.insert(2, "2025-11-02 01:00")
    text = "interval_start,queue,agents_scheduled\n" + "".join(f"{t},phone,2\n" for t in times)
    frame = readers.read_requirements(write(tmp_path, text, "req.csv"), tz=NY)
    assert frame["interval_start"].diff().dropna().eq(pd.Timedelta(hours=1)).all()
    gap = text.replace("2025-11-02 02:00", "2025-03-09 02:00")
    with pytest.raises(WfmError, match="2025-03-09 02:00 does not exist"):
        readers.read_requirements(write(tmp_path, gap, "gap.csv"), tz=NY)


# 4. Timestamps as exported ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-01-06T00:17:50 UTC", "2025-01-06 00:17:50"),
        ("2025-01-06 00:17:50Z", "2025-01-06 00:17:50"),
        ("2025-01-06T05:17:50+05", "2025-01-06 00:17:50"),
        ("2025-01-06T05:47:50+05:30", "2025-01-06 00:17:50"),
        ("2025-01-06T05:47:50 +0530", "2025-01-06 00:17:50"),
    ],
)
def test_exported_offsets(tmp_path, text, utc):
    path = write(tmp_path, f"created_at,queue\n{text},a\n2025-01-06T05:00:00+05,a\n")
    frame, _ = readers.read_history(path, tz=NY)
    assert frame["created_at"].iloc[0] == pd.Timestamp(utc, tz="UTC")


def test_a_file_all_in_utc_with_z_suffixes_reads_as_utc(tmp_path):
    text = "created_at,queue\n2025-01-06T00:17:50Z,a\n2025-01-06 05:00Z,a\n"
    frame, _ = readers.read_history(write(tmp_path, text), tz=NY)
    assert list(frame["created_at"]) == [
        pd.Timestamp("2025-01-06 00:17:50", tz="UTC"),
        pd.Timestamp("2025-01-06 05:00", tz="UTC"),
    ]
    with pytest.raises(WfmError, match="year 1900"):
        readers.read_history(write(tmp_path, text.replace("2025", "1900"), "old.csv"), tz=NY)


def test_utc_suffix_in_forecast_and_requirements(tmp_path):
    text = "interval_start,queue,volume\n2025-01-06T00:00:00 UTC,phone,4\n"
    frame = readers.read_forecast(write(tmp_path, text, "f.csv"), tz=NY)
    assert frame["interval_start"].iloc[0] == pd.Timestamp("2025-01-06", tz="UTC")
    req = text.replace("volume", "agents_scheduled")
    frame = readers.read_requirements(write(tmp_path, req, "r.csv"), tz=NY)
    assert frame["interval_start"].iloc[0] == pd.Timestamp("2025-01-06", tz="UTC")


@pytest.mark.parametrize("year", [1677, 1900, 9999])
def test_years_outside_the_range_are_refused(tmp_path, year):
    times = hours("2025-01-06", "2025-01-20")
    times[3] = times[3].replace("2025", str(year))
    result = forecast_cli(write(tmp_path, counts_text(times)))
    assert_one_line_error(result, f"year {year}", "rows 5)", "1970-2200")


# 5. Names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ['"ph\rone"', '"ph\none"', "ph\tone", '"\t"', "ph\x00one"])
def test_control_characters_in_queue_names(tmp_path, name):
    text = f"created_at,queue\n2025-01-06 09:00,chat\n2025-01-06 10:00,{name}\n"
    result = forecast_cli(write(tmp_path, text))
    assert_one_line_error(result, "'queue'", "3")


def test_control_characters_in_events_and_roster(tmp_path):
    events = write(tmp_path, 'name,start,end,queues\n"Sale\nday",2025-01-06,2025-01-07,\n', "e.csv")
    with pytest.raises(WfmError, match=r"column 'name', row 2: .* control character"):
        readers.read_events(events, tz=NY)
    events.write_text("name,start,end,queues\nSale,2025-01-06,2025-01-07,phone\tchat\n")
    with pytest.raises(WfmError, match=r"column 'queues', row 2"):
        readers.read_events(events, tz=NY)
    roster = write(tmp_path, 'agent,site,skills\nAna,Austin,phone\n"B\ro",Austin,chat\n', "r.csv")
    with pytest.raises(WfmError, match=r"column 'agent', row 3"):
        readers.read_roster(roster, sites=["Austin"])


def test_formula_like_queue_name_is_plain_text(tmp_path):
    name = '"=HYPERLINK(""http://x"",""y"")"'
    text = "created_at,queue\n" + "".join(
        f"2025-01-{d:02d} {h:02d}:10,{name}\n" for d in range(6, 20) for h in range(8, 18)
    )
    frame, _ = readers.read_history(write(tmp_path, text), tz="UTC")
    assert set(frame["queue"]) == {'=HYPERLINK("http://x","y")'}


# 6. Stray rows and a forecast far from its history ----------------------------------


def contacts_csv(tmp_path: Path, extra: list[str]) -> Path:
    times = [f"{t:%Y-%m-%d %H:%M}" for t in pd.date_range("2025-01-06", "2025-02-16", freq="2h")]
    return write(tmp_path, "created_at,queue\n" + "".join(f"{t},a\n" for t in times + extra))


@pytest.mark.parametrize(
    ("extra", "shown"),
    [(["2100-01-04 10:00"], "row 495 (2100-01-04)"), (["2020-03-02 10:00"] * 30, "2020-03-02")],
)
def test_stray_rows_are_dropped_with_a_warning(tmp_path, extra, shown):
    from wfm.app import ForecastRequest, load_history
    from wfm.config import Config

    notes: list[str] = []
    history, _, _ = load_history(
        ForecastRequest(history=contacts_csv(tmp_path, extra)), Config(), notes=notes
    )
    assert history["interval_start"].min() == pd.Timestamp("2025-01-06", tz="UTC")
    assert history["interval_start"].max() == pd.Timestamp("2025-02-16", tz="UTC")
    assert (
        len(notes) == 1
        and f"dropped {len(extra)} row{'s' * (len(extra) > 1)} more than 8 weeks away" in notes[0]
    )
    assert shown in notes[0]


def test_two_halves_far_apart_are_kept(tmp_path):
    from wfm.sanity import drop_stray_rows

    times = pd.Series(
        pd.date_range("2024-01-01", periods=100, freq="D", tz="UTC").append(
            pd.date_range("2025-01-01", periods=100, freq="D", tz="UTC")
        )
    )
    keep, notes = drop_stray_rows(times, path=Path("h.csv"))
    assert keep.all() and notes == []


def test_a_history_of_centuries_is_refused(tmp_path):
    path = contacts_csv(tmp_path, [])
    text = path.read_text().replace("2025-01-06 00:00", "1971-01-06 00:00")
    text += "".join(f"1971-01-{d:02d} 10:00,a\n" for d in range(7, 30)) * 10
    result = forecast_cli(write(tmp_path, text))
    assert_one_line_error(result, "wfm reads at most 10 years")


def test_forecast_far_above_the_history_is_flagged():
    from wfm.sanity import forecast_far_from_history

    grid = pd.date_range("2025-01-06", periods=24 * 28, freq="h", tz="UTC")
    history = pd.DataFrame({"interval_start": grid, "queue": "a", "volume": 2.0})
    ahead = pd.date_range(grid[-1] + pd.Timedelta(hours=1), periods=24 * 14, freq="h")
    forecast = pd.DataFrame({"interval_start": ahead, "queue": "a", "volume": 2.0})
    assert forecast_far_from_history(history, forecast, interval_minutes=60) is None
    forecast["volume"] = 40.0
    note = forecast_far_from_history(history, forecast, interval_minutes=60)
    assert "13,440 contacts per 2 weeks" in note and "672 to 672 of any 2 weeks" in note
    forecast["volume"] = 0.0
    assert "0 contacts per 2 weeks" in forecast_far_from_history(
        history, forecast, interval_minutes=60
    )


# 7. Absurd magnitudes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("volume", "1e15", "above 10,000,000"),
        ("volume", "1e308", "above 10,000,000"),
        ("volume", "1e309", "is not a number >= 0"),
        ("aht_seconds", "1e8", "above 86,400"),
    ],
)
def test_absurd_magnitudes_are_refused(tmp_path, column, value, fragment):
    times = hours("2025-01-06", "2025-01-27")
    rows = [f"{t},phone,3,300" for t in times]
    row = rows[7].split(",")
    row[2 if column == "volume" else 3] = value
    rows[7] = ",".join(row)
    text = "interval_start,queue,volume,aht_seconds\n" + "\n".join(rows) + "\n"
    result = forecast_cli(write(tmp_path, text))
    assert_one_line_error(result, f"column {column!r}", fragment, "rows 9)")


def test_handle_time_of_contacts_is_capped(tmp_path):
    text = "created_at,queue,handle_time_seconds\n2025-01-06 09:00,a,100000000\n"
    with pytest.raises(WfmError, match="above 86,400"):
        readers.read_history(write(tmp_path, text), tz="UTC")


def test_example_tickets_still_read():
    frame, kind = readers.read_history(EXAMPLES / "tickets.csv.gz", tz=NY, queue_col="channel")
    assert kind == "contacts" and len(frame) == 290_849
    assert not frame["created_at"].isna().any()
    assert np.array_equal(frame["created_at"], frame["created_at"].sort_values())


def test_inf_as_a_timestamp_is_one_line(tmp_path) -> None:
    """Found by the fuzzer after the merge: 'inf' was read as a year (OverflowError)."""
    from typer.testing import CliRunner

    from wfm.cli import cli

    forecast = tmp_path / "f.csv"
    forecast.write_text("interval_start,queue,volume\ninf,phone,3\n")
    config = tmp_path / "q.toml"
    config.write_text('[queues.phone]\nchannel = "voice"\n')
    result = CliRunner().invoke(cli, ["staff", str(forecast), "--config", str(config)])
    assert result.exit_code == 1 and "inf" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
