"""The CLI end to end: real files, real solver runs, exact stdout, one-line errors."""

from __future__ import annotations

import io as stdio
import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import conftest
import icalendar
import numpy as np
import pandas as pd
import pytest
from conftest import assert_one_line_error, make_history
from typer.testing import CliRunner

from wfm import writers
from wfm.cli import cli

runner = CliRunner()

CONFIG = """\
interval_minutes = 60
timezone = "America/New_York"

[forecast]
level = 0.8
country = "US"

[queues.phone]
channel = "voice"
timezone = "America/New_York"
aht_seconds = 300
service_level = 0.8
answer_seconds = 20
shrinkage = 0.3

[queues.email]
channel = "email"
timezone = "America/New_York"
aht_seconds = 400
response_hours = 4
service_level = 0.9

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
open = "08:00"
close = "20:00"
days = ["mon", "tue", "wed", "thu", "fri"]
queues = ["phone", "email"]
shift_hours = [8]
start_step_minutes = 60
max_agents = 30
cost_per_hour = 30.0

[[sites]]
name = "Manila"
timezone = "Asia/Manila"
open = "00:00"
close = "24:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
queues = ["phone", "email"]
shift_hours = [8]
start_step_minutes = 60
max_agents = 30
cost_per_hour = 12.0

[scheduling]
time_limit_seconds = 300               # a safety net: the node budget ends every solve,
gap = 0.01
node_limit = 50                         # so the same schedule every run, in seconds
"""


def invoke(*args: str):
    return runner.invoke(cli, [str(a) for a in args])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    history = make_history(days=28, queues=("email", "phone"), daily_volume=150, seed=2)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(tmp_path / "counts.csv", index=False)
    tickets = tickets_from(make_history(days=21, daily_volume=60, seed=4))
    tickets.to_csv(tmp_path / "tickets.csv", index=False)
    return tmp_path


def tickets_from(history: pd.DataFrame) -> pd.DataFrame:
    """One row per contact, spread evenly inside each interval, local naive times."""
    rows = []
    for start, volume in zip(history["interval_start"], history["volume"], strict=True):
        for k in range(int(volume)):
            at = start + pd.Timedelta(seconds=int(3600 * (k + 0.5) / volume))
            rows.append((at.tz_convert("America/New_York").isoformat(), 240 + 10 * (k % 5)))
    return pd.DataFrame(rows, columns=["Created at", "Handle time"])


# -- help ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["forecast", "staff", "schedule", "plan", "erlang"])
def test_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"wfm {command}" in result.stdout


# -- erlang ----------------------------------------------------------------------------


def test_erlang_headline_case_is_14_agents():
    result = invoke(
        "erlang",
        "--volume",
        100,
        "--interval-minutes",
        30,
        "--aht-seconds",
        180,
        "--service-level",
        0.8,
        "--answer-seconds",
        20,
    )
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header == "agents,service_level,asa_seconds,occupancy,wait_probability"
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["agents"] == "14"
    assert float(values["service_level"]) == pytest.approx(0.88835, abs=5e-5)
    assert float(values["wait_probability"]) == pytest.approx(0.174132, abs=5e-5)


def test_erlang_with_agents_reports_that_headcount():
    result = invoke(
        "erlang",
        "--volume",
        360,
        "--interval-minutes",
        30,
        "--aht-seconds",
        240,
        "--answer-seconds",
        15,
        "--agents",
        55,
    )
    values = dict(zip(*[line.split(",") for line in result.stdout.splitlines()], strict=True))
    assert values["agents"] == "55"
    assert float(values["service_level"]) == pytest.approx(0.8459, abs=5e-5)
    assert float(values["asa_seconds"]) == pytest.approx(8.184, abs=5e-3)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--aht-seconds", "0"], "--aht-seconds"),
        (["--service-level", "1.5"], "--service-level"),
        (["--answer-seconds", "-3"], "--answer-seconds"),
        (["--volume", "-1"], "--volume"),
    ],
)
def test_erlang_bad_options(args, fragment):
    base = {"--volume": "100", "--interval-minutes": "30", "--aht-seconds": "180"}
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    result = invoke("erlang", *[x for kv in base.items() for x in kv])
    assert_one_line_error(result, fragment)


# -- forecast --------------------------------------------------------------------------


def test_forecast_counts_to_stdout_is_the_contract_and_reproducible(workdir):
    args = (
        "forecast",
        workdir / "counts.csv",
        "--horizon",
        "48h",
        "--config",
        workdir / "wfm.toml",
    )
    first, second = invoke(*args), invoke(*args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    frame = pd.read_csv(stdio.StringIO(first.stdout))
    assert list(frame.columns) == [
        "interval_start",
        "queue",
        "volume",
        "volume_low",
        "volume_high",
        "aht_seconds",
        "events",
    ]
    assert frame.groupby("queue").size().to_dict() == {"email": 48, "phone": 48}
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", s) for s in frame["interval_start"]
    )
    assert "Forecast" in first.stderr  # the summary is for people, on stderr


def test_forecast_ticket_export_with_mapped_columns_to_file(workdir):
    out = workdir / "forecast.csv"
    result = invoke(
        "forecast",
        workdir / "tickets.csv",
        "--horizon",
        "1w",
        "--tz",
        "America/New_York",
        "-o",
        out,
        "--quiet",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    frame = pd.read_csv(out)
    assert len(frame) == 168
    assert frame["queue"].unique().tolist() == ["all"]
    assert frame["aht_seconds"].between(240, 280).all()


def test_forecast_with_time_col_option(workdir):
    tickets = pd.read_csv(workdir / "tickets.csv").rename(columns={"Created at": "opened"})
    tickets.to_csv(workdir / "renamed.csv", index=False)
    missing = invoke("forecast", workdir / "renamed.csv", "--horizon", "1w")
    assert_one_line_error(missing, "renamed.csv", "--time-col")
    mapped = invoke(
        "forecast", workdir / "renamed.csv", "--horizon", "1w", "--time-col", "opened", "-q"
    )
    assert mapped.exit_code == 0, mapped.stderr


def test_failed_run_leaves_an_earlier_output_untouched(workdir):
    out = workdir / "forecast.csv"
    out.write_text("precious\n")
    (workdir / "bad.csv").write_text("interval_start,queue,volume\nnot-a-time,phone,3\n")
    result = invoke("forecast", workdir / "bad.csv", "-o", out)
    assert result.exit_code == 1
    assert out.read_text() == "precious\n"
    assert [p.name for p in workdir.iterdir() if p.name.startswith(".")] == []


# -- staff and schedule ----------------------------------------------------------------


@pytest.fixture
def requirements_file(workdir) -> Path:
    forecast = workdir / "forecast.csv"
    assert (
        invoke(
            "forecast",
            workdir / "counts.csv",
            "--horizon",
            "1w",
            "--config",
            workdir / "wfm.toml",
            "-o",
            forecast,
            "-q",
        ).exit_code
        == 0
    )
    out = workdir / "requirements.csv"
    result = invoke("staff", forecast, "--config", workdir / "wfm.toml", "-o", out)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def schedule_runs(tmp_path_factory) -> SimpleNamespace:
    """One week of the test company scheduled once per output format (CSV with
    coverage, ICS, Google CSV in New York time), shared by the tests that read
    them: each `wfm schedule` run takes several seconds."""
    home = tmp_path_factory.mktemp("schedule_runs")
    (home / "wfm.toml").write_text(CONFIG)
    history = make_history(days=28, queues=("email", "phone"), daily_volume=150, seed=2)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(home / "counts.csv", index=False)
    config = home / "wfm.toml"
    forecast, needed = home / "forecast.csv", home / "requirements.csv"
    assert (
        invoke(
            "forecast",
            home / "counts.csv",
            "--horizon",
            "1w",
            "--config",
            config,
            "-o",
            forecast,
            "-q",
        ).exit_code
        == 0
    )
    assert invoke("staff", forecast, "--config", config, "-o", needed).exit_code == 0
    schedule, coverage = home / "schedule.csv", home / "coverage.csv"
    args = ("schedule", needed, "--config", config)
    csv = invoke(*args, "-o", schedule, "--coverage", coverage)
    ics = invoke(*args, "--format", "ics", "-q")
    google = invoke(*args, "--format", "google", "--calendar-timezone", "America/New_York", "-q")
    return SimpleNamespace(csv=csv, ics=ics, google=google, schedule=schedule, coverage=coverage)


def test_staff_writes_the_requirements_contract(requirements_file):
    frame = pd.read_csv(requirements_file)
    assert list(frame.columns)[:10] == [
        "interval_start",
        "queue",
        "volume",
        "aht_seconds",
        "agents",
        "agents_scheduled",
        "service_level",
        "asa_seconds",
        "occupancy",
        "agent_hours",
    ]
    phone = frame[frame["queue"] == "phone"]
    assert (phone["agents"] == phone["agents"].round()).all()
    assert np.allclose(phone["agents_scheduled"], phone["agents"] / 0.7, atol=1e-3)
    busy = phone[phone["volume"] > 0]
    assert (busy["service_level"] >= 0.8 - 1e-4).all()


def test_schedule_csv_coverage_and_ics(schedule_runs):
    schedule, coverage = schedule_runs.schedule, schedule_runs.coverage
    result = schedule_runs.csv
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(schedule)
    assert list(frame.columns) == [
        "agent",
        "site",
        "start",
        "end",
        "timezone",
        "break_start",
        "break_end",
        "queue",
    ]
    manila = frame[frame["site"] == "Manila"]
    assert manila["start"].str.endswith("+08:00").all()
    cover = pd.read_csv(coverage)
    assert list(cover.columns) == [
        "interval_start",
        "queue",
        "required",
        "scheduled",
        "shortfall",
        "surplus",
    ]
    assert np.allclose(
        cover["shortfall"], (cover["required"] - cover["scheduled"]).clip(0), atol=1e-3
    )
    ics = schedule_runs.ics
    assert ics.exit_code == 0, ics.stderr
    calendar = icalendar.Calendar.from_ical(ics.stdout)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(frame)
    zones = {str(event.decoded("dtstart").tzinfo) for event in events}
    assert zones <= {"Europe/Dublin", "Asia/Manila"}
    assert {tz["tzid"] for tz in calendar.walk("VTIMEZONE")} == zones


def test_node_limit_stops_the_solver_the_same_way_every_run(workdir, requirements_file):
    args = ("schedule", requirements_file, "--config", workdir / "wfm.toml", "--gap", "0")
    first = invoke(*args, "--node-limit", "1")
    second = invoke(*args, "--node-limit", "1")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert "solver highs: node_limit," in first.stderr  # stopped by the budget, not the gap


def test_schedule_ics_events_fall_at_site_local_times(schedule_runs):
    ics = schedule_runs.ics
    frame = pd.read_csv(schedule_runs.schedule)
    expected = {(r.agent, pd.Timestamp(r.start)) for r in frame.itertuples()}
    found = set()
    for event in icalendar.Calendar.from_ical(ics.stdout).walk("VEVENT"):
        start = event.decoded("dtstart")
        agent = str(event["summary"]).split(":")[0]
        found.add((agent, pd.Timestamp(start)))
        local = start.hour * 60 + start.minute
        if str(start.tzinfo) == "Europe/Dublin":
            assert 8 * 60 <= local <= 12 * 60  # an 8-hour shift inside 08:00-20:00
    assert found == expected


# -- bad input: one line, exit 1 -------------------------------------------------------


def test_missing_history_file(workdir):
    assert_one_line_error(invoke("forecast", workdir / "nope.csv"), "nope.csv", "not found")


def test_empty_history_file(workdir):
    (workdir / "empty.csv").write_text("")
    assert_one_line_error(invoke("forecast", workdir / "empty.csv"), "empty.csv", "empty")


def test_header_only_history_file(workdir):
    (workdir / "head.csv").write_text("created_at,queue\n")
    assert_one_line_error(invoke("forecast", workdir / "head.csv"), "head.csv", "no rows")


def test_unparseable_timestamp_names_the_row(workdir):
    (workdir / "t.csv").write_text(
        "created_at,queue\n2025-01-06T09:00:00Z,phone\nyesterday,phone\n"
    )
    assert_one_line_error(invoke("forecast", workdir / "t.csv"), "t.csv", "'yesterday'", "rows 3")


def test_negative_volume_names_the_row(workdir):
    (workdir / "n.csv").write_text(
        "interval_start,queue,volume\n2025-01-06T09:00:00Z,phone,4\n2025-01-06T10:00:00Z,phone,-2\n"
    )
    assert_one_line_error(invoke("forecast", workdir / "n.csv"), "n.csv", "volume", "rows 3")


def test_duplicate_rows_are_named(workdir):
    (workdir / "d.csv").write_text(
        "interval_start,queue,volume\n2025-01-06T09:00:00Z,phone,4\n2025-01-06T09:00:00Z,phone,5\n"
    )
    assert_one_line_error(invoke("forecast", workdir / "d.csv"), "d.csv", "duplicates", "rows 2, 3")


def test_wrong_columns_are_named(workdir):
    (workdir / "w.csv").write_text("when,who\n2025-01-06,x\n")
    assert_one_line_error(invoke("forecast", workdir / "w.csv"), "w.csv", "--time-col", "when, who")


def test_unknown_tz_option(workdir):
    assert_one_line_error(
        invoke("forecast", workdir / "tickets.csv", "--tz", "Mars/Base"), "Mars/Base"
    )


def test_bad_horizon(workdir):
    assert_one_line_error(
        invoke("forecast", workdir / "counts.csv", "--horizon", "soon"), "--horizon"
    )
    assert_one_line_error(
        invoke("forecast", workdir / "counts.csv", "--horizon", "0w"), "--horizon"
    )


def test_short_history_is_an_error(workdir):
    history = make_history(days=5)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(workdir / "short.csv", index=False)
    assert_one_line_error(invoke("forecast", workdir / "short.csv"), "14")


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (
            lambda c: c.replace("aht_seconds = 300", 'aht_seconds = "long"'),
            ["wfm.toml", "queues.phone.aht_seconds", "a number"],
        ),
        (
            lambda c: c.replace("shrinkage = 0.3", "shrinkage = 1.2"),
            ["wfm.toml", "phone", "shrinkage"],
        ),
        (
            lambda c: c.replace("shrinkage = 0.3", "shrinkge = 0.3"),
            ["wfm.toml", "unknown field 'shrinkge'"],
        ),
        (
            lambda c: c.replace('timezone = "Asia/Manila"', 'timezone = "Asia/Atlantis"'),
            ["wfm.toml", "Manila", "Asia/Atlantis"],
        ),
        (lambda c: c.replace('open = "08:00"', 'open = "8am"'), ["wfm.toml", "open", "HH:MM"]),
        (
            lambda c: c.replace("interval_minutes = 60", "interval_minutes = 45"),
            ["wfm.toml", "interval_minutes"],
        ),
        (lambda c: c + "\n[oops\n", ["wfm.toml", "not valid TOML"]),
        (lambda c: c.replace('channel = "voice"', 'channel = "fax"'), ["wfm.toml", "phone", "fax"]),
        (
            lambda c: c.replace("node_limit = 50", "node_limit = 0"),
            ["wfm.toml", "node_limit", ">= 1"],
        ),
        (
            lambda c: c.replace("gap = 0.01", "gap = 0.01\nconsecutive_days_off = 9"),
            ["wfm.toml", "consecutive_days_off", "between 0 and 6"],
        ),
        (
            lambda c: c.replace("gap = 0.01", "gap = 0.01\nbreak_window = [5, 3]"),
            ["wfm.toml", "break_window", "0 <= from < to"],
        ),
        (
            lambda c: c.replace("gap = 0.01", "gap = 0.01\nbreak_window = [3]"),
            ["wfm.toml", "scheduling.break_window", "[from, to]"],
        ),
    ],
)
def test_bad_config_fields_are_named(workdir, edit, fragments):
    (workdir / "wfm.toml").write_text(edit(CONFIG))
    result = invoke("forecast", workdir / "counts.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, *fragments)


def test_missing_config_file(workdir):
    result = invoke("staff", workdir / "counts.csv", "--config", workdir / "missing.toml")
    assert_one_line_error(result, "missing.toml", "not found")


def test_unknown_queue_in_forecast_for_staff(workdir):
    (workdir / "f.csv").write_text(
        "interval_start,queue,volume,aht_seconds\n2025-01-06T09:00:00Z,fax,4,300\n"
    )
    result = invoke("staff", workdir / "f.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "fax")


def test_roster_agent_at_unknown_site(workdir, requirements_file):
    (workdir / "roster.csv").write_text("agent,site\nAna Reyes,Manila\nBob Byrne,Cork\n")
    result = invoke(
        "schedule",
        requirements_file,
        "--config",
        workdir / "wfm.toml",
        "--roster",
        workdir / "roster.csv",
    )
    assert_one_line_error(result, "roster.csv", "Bob Byrne", "Cork", "rows 3")


@pytest.mark.parametrize(
    ("row", "fragments"),
    [
        ("Bob Byrne,Dublin,phone;sms,,", ["skills 'sms' are not queues of site 'Dublin'"]),
        ("Bob Byrne,Dublin,,,thru", ["days_unavailable has 'thru'"]),
        ("Kevin O'Brien,Dublin,sms,,", ["agent \"Kevin O'Brien\": skills 'sms'"]),
        ("Bob Byrne,Dublin,,40,,25:00", ["preferred_start", "'25:00'"]),
    ],
)
def test_a_bad_roster_row_is_named_by_file_and_row(workdir, requirements_file, row, fragments):
    """Found by a new user's run: these said "roster: agent ..." without the file or row."""
    (workdir / "roster.csv").write_text(
        "agent,site,skills,contracted_hours,days_unavailable,preferred_start\n"
        f"Ana Reyes,Manila,,,,\n{row}\n"
    )
    args = ["--config", workdir / "wfm.toml", "--roster", workdir / "roster.csv"]
    result = invoke("schedule", requirements_file, *args)
    assert_one_line_error(result, f"{workdir / 'roster.csv'}: row 3: ", *fragments)


def test_requirements_missing_column(workdir):
    (workdir / "r.csv").write_text("interval_start,queue\n2025-01-06T09:00:00Z,phone\n")
    result = invoke("schedule", workdir / "r.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "r.csv", "agents_scheduled")


def test_events_with_unknown_queue(workdir):
    (workdir / "events.csv").write_text("name,start,end,queues\nPromo,2025-01-10,2025-01-11,fax\n")
    result = invoke(
        "forecast",
        workdir / "counts.csv",
        "--events",
        workdir / "events.csv",
        "--config",
        workdir / "wfm.toml",
    )
    assert_one_line_error(result, "Promo", "fax")


def test_events_end_before_start(workdir):
    (workdir / "events.csv").write_text("name,start,end\nPromo,2025-01-10,2025-01-08\n")
    result = invoke("forecast", workdir / "counts.csv", "--events", workdir / "events.csv")
    assert_one_line_error(result, "events.csv", "Promo", "ends before it starts")


def test_ics_bytes_do_not_depend_on_the_hash_seed(tmp_path):
    # Sites in three zones; icalendar collects zones in a set, so without sorting
    # the VTIMEZONE order changed with PYTHONHASHSEED between processes.
    frame = pd.DataFrame(
        {
            "agent": ["ana", "ben", "cy"],
            "site": ["Austin", "Dublin", "Manila"],
            "start": pd.to_datetime(
                ["2026-11-23T13:00Z", "2026-11-23T08:00Z", "2026-11-23T00:00Z"]
            ),
            "end": pd.to_datetime(["2026-11-23T21:00Z", "2026-11-23T16:00Z", "2026-11-23T08:00Z"]),
            "timezone": ["America/Chicago", "Europe/Dublin", "Asia/Manila"],
            "break_start": pd.NaT,
            "break_end": pd.NaT,
            "queue": ["phone", "chat", "email"],
        }
    )
    frame.to_pickle(tmp_path / "schedule.pkl")
    script = (
        "import sys, pandas as pd; from wfm.calendars import schedule_ics; "
        "sys.stdout.write(schedule_ics(pd.read_pickle(sys.argv[1])))"
    )
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "schedule.pkl")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    zones = re.findall(r"^TZID:(.*)$", outputs.pop(), flags=re.MULTILINE)
    assert [z.strip() for z in zones] == ["America/Chicago", "Asia/Manila", "Europe/Dublin"]


@pytest.mark.parametrize(
    "fmt",
    [
        "csv",
        pytest.param("ics", marks=pytest.mark.slow),
        pytest.param("google", marks=pytest.mark.slow),
    ],
)
def test_schedule_redirected_to_a_file_holds_only_data(workdir, requirements_file, fmt):
    """In a fresh process (where highspy prints its banner on the first solve)."""
    target = workdir / f"schedule.{fmt}"
    log = workdir / "solver.log"
    command = [sys.executable, "-c", "from wfm.cli import main; main()", "schedule"]
    command += [str(requirements_file), "--config", str(workdir / "wfm.toml"), "-q"]
    command += ["--format", fmt, "--solver-log", str(log)]
    if fmt == "google":  # the sites are in two zones
        command += ["--calendar-timezone", "UTC"]
    with open(target, "w") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    assert "HiGHS" not in text and "Copyright" not in text
    if fmt == "ics":
        assert text.startswith("BEGIN:VCALENDAR")
        assert icalendar.Calendar.from_ical(text).walk("VEVENT")
    else:
        first = text.splitlines()[0]
        assert first.startswith("agent,site,start" if fmt == "csv" else "Subject,")
        assert len(pd.read_csv(target)) > 0
    assert "MIP has" in log.read_text()  # the solver's own log went to --solver-log


def test_solver_prints_nothing_on_stdout_in_a_fresh_process():
    """highspy's banner comes with the first Highs() of a process, before any option."""
    code = (
        "import pulp\n"
        "from scheduling.solver import solve_problem\n"
        "p = pulp.LpProblem('p', pulp.LpMinimize)\n"
        "x = pulp.LpVariable('x', 0, 9, cat='Integer')\n"
        "p += x\n"
        "p += x >= 2.5\n"
        "r = solve_problem(p, solver='highs', time_limit_seconds=5, gap=0)\n"
        "import sys; sys.stderr.write(str(r.objective))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == "3.0"


def test_agents_out_lists_every_roster_agent_and_warns_of_idle_ones(workdir, requirements_file):
    names = [f"Agent {k:02d}" for k in range(40)]  # more than the week needs
    roster = workdir / "roster.csv"
    roster.write_text(
        "agent,site,contracted_hours,days_unavailable\n"
        + "".join(f"{n},{'Dublin' if k % 2 else 'Manila'},40,\n" for k, n in enumerate(names))
        + "Part Timer,Dublin,4,\nWeekend Only,Dublin,40,mon;tue;wed;thu;fri\n"
    )
    names = sorted([*names, "Part Timer", "Weekend Only"])
    agents = workdir / "agents.csv"
    result = invoke(
        "schedule",
        requirements_file,
        "--config",
        workdir / "wfm.toml",
        "--roster",
        roster,
        "--agents-out",
        agents,
        "-o",
        workdir / "schedule.csv",
    )
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(agents)
    assert sorted(frame["agent"]) == names
    schedule = pd.read_csv(workdir / "schedule.csv")
    counts = schedule["agent"].value_counts()
    given = frame.set_index("agent")["shifts"].reindex(names)
    assert given.tolist() == counts.reindex(names, fill_value=0).tolist()
    idle = int((frame["shifts"] == 0).sum())
    assert idle > 0
    assert f"{idle} rostered agent(s) get no shift" in result.stderr
    # Dublin works 8-hour shifts on weekdays only: these two can never be placed.
    stderr = " ".join(result.stderr.split())
    assert (
        "site 'Dublin': 1 roster agent(s) can take no shift, weekly hours (contracted_hours) "
        "below its shortest shift of 8 h: Part Timer" in stderr
    )
    assert (
        "site 'Dublin': 1 roster agent(s) can take no shift, days_unavailable covers every "
        "day it starts shifts: Weekend Only" in stderr
    )
    assert np.allclose(
        frame["unused_hours_per_week"],
        (frame["contracted_hours_per_week"] - frame["paid_hours_per_week"]).clip(lower=0),
    )


def test_a_site_of_too_many_skill_sets_is_planned_merged_and_says_so(workdir, requirements_file):
    config = workdir / "wfm.toml"
    config.write_text(CONFIG + "max_skill_groups = 1\n")
    skills = ["phone", "email", "email;phone"]
    roster = workdir / "roster.csv"
    roster.write_text(
        "agent,site,skills\n"
        + "".join(f"D{k:02d},Dublin,{skills[k % 3]}\n" for k in range(12))
        + "".join(f"M{k:02d},Manila,email;phone\n" for k in range(2))  # Dublin needed
    )
    result = invoke("schedule", requirements_file, "--config", config, "--roster", roster)
    assert result.exit_code == 0, result.stderr
    stderr = " ".join(result.stderr.split())
    assert "site 'Dublin': the roster's 3 skill sets were planned as 1 groups" in stderr
    assert "site 'Manila': the roster's" not in stderr  # one set: nothing merged
    schedule = pd.read_csv(stdio.StringIO(result.stdout))
    own = {f"D{k:02d}": skills[k % 3] for k in range(12)}
    dublin = schedule[schedule["site"] == "Dublin"]
    assert len(dublin) > 0
    assert (dublin["queue"] == dublin["agent"].map(own)).all()


def test_agents_out_needs_a_roster(workdir, requirements_file):
    result = invoke(
        "schedule", requirements_file, "--config", workdir / "wfm.toml", "--agents-out", "a.csv"
    )
    assert_one_line_error(result, "--agents-out", "--roster")


# -- Google Calendar CSV: one time zone per file ---------------------------------------


def test_google_csv_of_sites_in_several_zones_is_refused_before_solving(workdir):
    (workdir / "requirements.csv").write_text("interval_start,queue,agents_scheduled\n")
    args = ["schedule", workdir / "requirements.csv", "--config", workdir / "wfm.toml"]
    refused = invoke(*args, "--format", "google")
    assert_one_line_error(refused, "--calendar-timezone", "2 time zones")
    assert "(Asia/Manila, Europe/Dublin)" in refused.stderr
    assert_one_line_error(
        invoke(*args, "--format", "google", "--calendar-timezone", "Mars/Olympus"),
        "--calendar-timezone",
        "unknown timezone 'Mars/Olympus'",
    )
    assert_one_line_error(
        invoke(*args, "--calendar-timezone", "UTC"), "--calendar-timezone", "google only"
    )


def test_google_csv_in_the_calendar_zone_matches_the_schedule_instants(schedule_runs):
    csv, google = schedule_runs.csv, schedule_runs.google
    assert csv.exit_code == 0 and google.exit_code == 0, google.stderr
    schedule = pd.read_csv(schedule_runs.schedule)
    rows = pd.read_csv(stdio.StringIO(google.stdout), dtype=str)
    assert "America/New_York" not in set(schedule["timezone"])  # the times are converted

    def instants(dates, times):
        local = pd.to_datetime(dates + " " + times, format="%m/%d/%Y %I:%M %p")
        return list(local.dt.tz_localize("America/New_York").dt.tz_convert("UTC"))

    found = sorted(
        zip(
            instants(rows["Start Date"], rows["Start Time"]),
            instants(rows["End Date"], rows["End Time"]),
            strict=True,
        )
    )
    expected = sorted(
        zip(
            pd.to_datetime(schedule["start"], utc=True),
            pd.to_datetime(schedule["end"], utc=True),
            strict=True,
        )
    )
    assert found == expected
    assert rows["Description"].str.startswith("Times in America/New_York; ").all()


# -- CSV cells a spreadsheet would run as formulas ---------------------------------------


def test_format_frame_quotes_formula_text_but_not_numbers_or_timestamps():
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "+1 555", "-x", "@vip", "\tx", "ok", "-3"],
            "value": [-1.5, -2.0, 0.0, 1.0, -np.inf, np.nan, 3.25],
            "count": [-1, -2, 0, 1, 2, 3, 4],
            "at": pd.to_datetime(["2026-11-01T05:00Z"] * 7).tz_convert("America/New_York"),
        }
    )
    out = writers.format_frame(frame)
    assert out["name"].tolist() == [
        '\'=HYPERLINK("http://x","y")',
        "'+1 555",
        "'-x",
        "'@vip",
        "'\tx",
        "ok",
        "-3",
    ]
    assert out["value"].tolist() == ["-1.5", "-2", "0", "1", "-inf", "", "3.25"]
    assert out["count"].tolist() == ["-1", "-2", "0", "1", "2", "3", "4"]
    assert (out["at"] == "2026-11-01T01:00:00-04:00").all()


def test_formula_names_are_quoted_in_outputs_and_read_back_unchanged(workdir):
    vip = CONFIG.replace("[queues.phone]", '[queues."@vip"]').replace('"phone"', '"@vip"')
    (workdir / "wfm.toml").write_text(vip)
    counts = pd.read_csv(workdir / "counts.csv")
    counts["queue"] = counts["queue"].replace("phone", "@vip")
    counts.to_csv(workdir / "counts.csv", index=False)
    forecast, staffed = workdir / "forecast.csv", workdir / "requirements.csv"
    config = ["--config", workdir / "wfm.toml", "-q"]
    done = invoke("forecast", workdir / "counts.csv", "--horizon", "48h", *config, "-o", forecast)
    assert done.exit_code == 0, done.stderr
    assert "\n'@vip," in forecast.read_text().replace("+00:00,", "\n")
    assert "\n@vip" not in forecast.read_text().replace("+00:00,", "\n")
    # wfm's next stage reads its own quoted cell as the queue "@vip".
    done = invoke("staff", forecast, *config, "-o", staffed)
    assert done.exit_code == 0, done.stderr
    frame = pd.read_csv(staffed)
    assert set(frame["queue"]) == {"'@vip", "email"}


# -- -o: regular files replaced atomically, anything else written through ----------------


@pytest.fixture
def no_system_files_replaced(monkeypatch):
    """A regression makes the test fail instead of replacing /dev or /proc entries."""
    real = os.replace

    def replace(source, target, *args, **kwargs):
        assert not str(os.path.abspath(target)).startswith(("/dev/", "/proc/")), target
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_write_text_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    writers.write_text("new\n", link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_write_text_keeps_the_mode_or_uses_the_umask_default(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n")
    kept.chmod(0o664)
    writers.write_text("new\n", kept)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o664 and kept.read_text() == "new\n"
    old = os.umask(0o027)
    try:
        writers.write_text("x\n", tmp_path / "new.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


@pytest.mark.usefixtures("no_system_files_replaced")
def test_write_text_writes_through_devices_fifos_and_fds(tmp_path):
    before = os.stat("/dev/null")
    writers.write_text("gone\n", Path("/dev/null"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert os.stat("/dev/null").st_ino == before.st_ino
    link = tmp_path / "to-null"  # a symlink to a device stays a symlink
    link.symlink_to("/dev/null")
    writers.write_text("gone\n", link)
    assert link.is_symlink()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    writers.write_text("through the fifo\n", fifo)
    reader.join(timeout=30)
    assert got == ["through the fifo\n"] and stat.S_ISFIFO(fifo.lstat().st_mode)
    read_end, write_end = os.pipe()
    try:
        writers.write_text("through the pipe\n", Path(f"/proc/self/fd/{write_end}"))
        os.close(write_end)
        assert os.read(read_end, 100) == b"through the pipe\n"
    finally:
        os.close(read_end)


GUARDED_MAIN = (
    "import os\n"
    "real = os.replace\n"
    "def replace(a, b, *args, **kwargs):\n"
    "    if os.path.abspath(b).startswith(('/dev/', '/proc/')):\n"
    "        raise SystemExit(f'refused to replace {b}')\n"
    "    return real(a, b, *args, **kwargs)\n"
    "os.replace = replace\n"
    "from wfm.cli import main; main()\n"
)


@pytest.mark.parametrize("target", ["/dev/stdout", "/proc/self/fd/1"])
def test_output_to_stdout_by_name_writes_into_the_pipe(workdir, target):
    args = ["forecast", str(workdir / "counts.csv"), "--horizon", "48h", "-q"]
    plain = subprocess.run(
        [sys.executable, "-c", GUARDED_MAIN, *args], capture_output=True, text=True
    )
    named = subprocess.run(
        [sys.executable, "-c", GUARDED_MAIN, *args, "-o", target], capture_output=True, text=True
    )
    assert named.returncode == 0, named.stderr
    assert "Traceback" not in named.stderr
    assert named.stdout == plain.stdout and plain.stdout.startswith("interval_start,")
    assert os.path.islink("/dev/stdout")


# -- multi-week horizons and --previous ------------------------------------------------------


@pytest.mark.parametrize(
    ("horizon", "fragments"),
    [
        ("36h", ["--horizon", "36h", "whole number of days"]),
        ("9w", ["--horizon", "9w", "more than 8 weeks", "9 times", "--force"]),
    ],
)
def test_plan_refuses_part_days_and_long_horizons_up_front(workdir, horizon, fragments):
    result = invoke(
        "plan",
        "--config",
        workdir / "wfm.toml",
        "--history",
        workdir / "counts.csv",
        "--horizon",
        horizon,
        "--out",
        workdir / "plan",
    )
    assert_one_line_error(result, *fragments)
    assert not (workdir / "plan").exists()


def test_plan_interval_option_sets_every_stage_interval(workdir):
    # The config says 60 minutes; --interval 30 must reach staffing and the schedule too.
    history = make_history(days=21, interval_minutes=30, queues=("email", "phone"), seed=3)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(workdir / "half_hours.csv", index=False)
    out = workdir / "plan"
    result = invoke(
        "plan",
        "--config",
        workdir / "wfm.toml",
        "--history",
        workdir / "half_hours.csv",
        "--interval",
        "30",
        "--horizon",
        "2d",
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    for name in ("forecast.csv", "requirements.csv", "coverage.csv"):
        starts = pd.DatetimeIndex(
            pd.to_datetime(pd.read_csv(out / name)["interval_start"], utc=True).unique()
        ).sort_values()
        assert len(starts) == 96, name  # two days of half hours
        assert (starts[1:] - starts[:-1] == pd.Timedelta("30min")).all(), name
    assert json.loads((out / "plan.json").read_text())["interval_minutes"] == 30


def test_schedule_refuses_requirements_of_part_days(workdir, requirements_file):
    frame = pd.read_csv(requirements_file)
    times = sorted(frame["interval_start"].unique())
    frame[frame["interval_start"].isin(times[:30])].to_csv(workdir / "part.csv", index=False)
    result = invoke("schedule", workdir / "part.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "part.csv: ", "30 hours", "whole number of days")


def test_schedule_names_requirements_on_another_interval(workdir, requirements_file):
    frame = pd.read_csv(requirements_file)  # hourly, as the config says
    half = frame.copy()
    half["interval_start"] = (
        pd.to_datetime(half["interval_start"], utc=True) + pd.Timedelta(minutes=30)
    ).map(lambda t: t.isoformat())
    both = pd.concat([frame, half]).sort_values(["interval_start", "queue"])
    both.to_csv(workdir / "half_hours.csv", index=False)  # a whole week of half hours
    result = invoke("schedule", workdir / "half_hours.csv", "--config", workdir / "wfm.toml")
    expected = ("30 minutes apart", "interval_minutes is 60", "pass --interval 30")
    assert_one_line_error(result, "half_hours.csv: ", *expected)


def test_forecast_staff_and_schedule_one_by_one_at_another_interval(workdir):
    """The config says 60 minutes; each stage takes --interval 30 as `wfm plan` does."""
    history = make_history(days=21, interval_minutes=30, queues=("email", "phone"), seed=3)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(workdir / "half_hours.csv", index=False)
    config = ("--config", workdir / "wfm.toml", "--interval", "30")
    forecast, need, schedule = (workdir / n for n in ("f.csv", "r.csv", "s.csv"))
    steps = [
        ("forecast", workdir / "half_hours.csv", "--horizon", "2d", "-o", forecast),
        ("staff", forecast, "-o", need),
        ("schedule", need, "-o", schedule),
    ]
    for step in steps:
        result = invoke(*step, *config, "-q")
        assert result.exit_code == 0, result.stderr
    starts = pd.to_datetime(pd.read_csv(need)["interval_start"], utc=True).unique()
    assert len(starts) == 96  # two days of half hours
    assert len(pd.read_csv(schedule)) > 0
    result = invoke("staff", forecast, "--config", workdir / "wfm.toml", "--interval", "20")
    assert_one_line_error(result, "--interval", "15, 30 or 60", "20")
    result = invoke("staff", forecast, "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "f.csv: ", "30 minutes apart", "60 minutes", "--interval 30")


def test_staff_refuses_a_forecast_coarser_than_the_interval(workdir):
    """A review found: an hourly forecast staffed with --interval 30 passed (each
    step a whole number of intervals) and staffed each hour's volume as if it came
    in half an hour, nearly twice the agents."""
    history = make_history(days=21, interval_minutes=60, queues=("email", "phone"), seed=3)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(workdir / "hours.csv", index=False)
    forecast = workdir / "f.csv"
    config = ("--config", workdir / "wfm.toml")
    result = invoke("forecast", workdir / "hours.csv", "--horizon", "2d", "-o", forecast, *config)
    assert result.exit_code == 0, result.stderr
    result = invoke("staff", forecast, *config, "--interval", "30", "-o", workdir / "r.csv")
    assert_one_line_error(result, "f.csv: ", "60 minutes apart", "as if", "--interval 60")
    assert not (workdir / "r.csv").exists()


def test_schedule_names_the_file_and_row_of_bad_requirements(workdir, requirements_file):
    """Found by a new user's run: these said "requirements: ..." without the file."""
    frame = pd.read_csv(requirements_file)
    stray = frame.copy()
    stray.loc[5, "interval_start"] = "2025-02-03T10:30:00+00:00"  # one row off the hour
    stray.to_csv(workdir / "stray.csv", index=False)
    result = invoke("schedule", workdir / "stray.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "stray.csv: row 7: interval_start", "10:30", "grid")
    times = sorted(frame["interval_start"].unique())
    frame[frame["interval_start"] != times[3]].to_csv(workdir / "gap.csv", index=False)
    result = invoke("schedule", workdir / "gap.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "gap.csv: interval_start is not a regular 60-minute grid")


def _previous(workdir, rows: str, *, site: bool = True) -> Path:
    (workdir / "roster.csv").write_text("agent,site\nAna Reyes,Manila\nBob Byrne,Dublin\n")
    path = workdir / "previous.csv"
    if not site:  # the roster tells the site
        rows = "\n".join(",".join(r.split(",")[:1] + r.split(",")[2:]) for r in rows.splitlines())
    path.write_text(("agent,site,start,end,queue\n" if site else "agent,start,end,queue\n") + rows)
    return path


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        (
            "Cara Dunne,Dublin,2025-01-01T09:00Z,2025-01-01T17:00Z,phone\n",
            ["previous.csv", "Cara Dunne", "row 2", "not in the roster"],
        ),
        (
            "Ana Reyes,Manila,2025-01-01T09:00Z,2025-01-01T17:00Z,phone\n"
            "Bob Byrne,Dublin,2099-01-01T09:00Z,2099-01-01T17:00Z,phone\n",
            ["previous.csv", "row 3", "Bob Byrne", "after the horizon starts"],
        ),
        (
            "Ana Reyes,Manila,2025-01-01T09:00Z,2025-01-01T17:00Z,phone\n"
            "Bob Byrne,Manila,2025-01-02T09:00Z,2025-01-02T17:00Z,phone\n",
            ["previous.csv", "row 3", "Bob Byrne", "site 'Manila'", "roster has them at 'Dublin'"],
        ),
    ],
)
def test_previous_schedule_of_strangers_or_overlapping_shifts_is_refused(
    workdir, requirements_file, rows, fragments
):
    previous = _previous(workdir, rows)
    args = ("schedule", requirements_file, "--config", workdir / "wfm.toml")
    result = invoke(*args, "--roster", workdir / "roster.csv", "--previous", previous)
    assert_one_line_error(result, *fragments)
    result = invoke(*args, "--previous", previous)
    assert_one_line_error(result, "--previous", "--roster")


@pytest.mark.parametrize("site", [True, False])
def test_previous_schedule_keeps_rest_into_the_horizon(workdir, requirements_file, site):
    start = pd.to_datetime(pd.read_csv(requirements_file)["interval_start"], utc=True).min()
    end = start - pd.Timedelta(hours=1)
    begin = end - pd.Timedelta(hours=8)
    previous = _previous(
        workdir,
        f"Ana Reyes,Manila,{begin.isoformat()},{end.isoformat()},phone;email\n",
        site=site,
    )
    out = workdir / "schedule.csv"
    args = ("schedule", requirements_file, "--config", workdir / "wfm.toml", "-o", out, "-q")
    result = invoke(*args, "--roster", workdir / "roster.csv", "--previous", previous)
    assert result.exit_code == 0, result.output
    schedule = pd.read_csv(out)
    ana = pd.to_datetime(schedule.loc[schedule["agent"] == "Ana Reyes", "start"], utc=True)
    assert len(ana) and (ana >= end + pd.Timedelta(hours=11)).all()


def test_previous_schedule_that_breaks_the_first_week_rules_on_its_own_is_refused(
    workdir, requirements_file
):
    """Manila's week starts at its midnight, 13 hours before the New York horizon:
    Ana's 8 hours that morning are more than her contract of 6 a week."""
    start = pd.to_datetime(pd.read_csv(requirements_file)["interval_start"], utc=True).min()
    morning = start.tz_convert("Asia/Manila").normalize() + pd.Timedelta(hours=2)
    end = morning + pd.Timedelta(hours=8)
    previous = _previous(
        workdir, f"Ana Reyes,Manila,{morning.isoformat()},{end.isoformat()},phone\n"
    )
    roster = workdir / "roster.csv"
    roster.write_text("agent,site,contracted_hours\nAna Reyes,Manila,6\nBob Byrne,Dublin,40\n")
    out = workdir / "schedule.csv"
    args = ("schedule", requirements_file, "--config", workdir / "wfm.toml", "-o", out)
    result = invoke(*args, "--roster", roster, "--previous", previous)
    assert_one_line_error(
        result,
        "previous.csv",
        "row 2",
        "Ana Reyes",
        "8 hours",
        "Manila's week of",
        "more than its 6",
    )
    assert not out.exists()
    roster.write_text("agent,site,contracted_hours\nAna Reyes,Manila,40\nBob Byrne,Dublin,40\n")
    result = invoke(*args, "--roster", roster, "--previous", previous, "-q")
    assert result.exit_code == 0, result.output
    schedule = pd.read_csv(out)
    ana = pd.to_datetime(schedule.loc[schedule["agent"] == "Ana Reyes", "start"], utc=True)
    local_dates = set(ana.dt.tz_convert("Asia/Manila").dt.date)
    assert morning.date() not in local_dates  # one shift a local day
    assert len(ana) <= 4  # five days a week, one of them before the horizon


def test_multi_week_schedule_redirected_holds_only_data(workdir):
    """Ten days: two weeks, the bound in a second process; stdout is still only CSV."""
    times = pd.date_range("2025-02-03", periods=240, freq="60min", tz="UTC")
    rows = [
        (t.isoformat(), queue, 2.0 if 8 <= t.hour < 18 else 0.5)
        for t in times
        for queue in ("email", "phone")
    ]
    needed = workdir / "requirements10.csv"
    pd.DataFrame(rows, columns=["interval_start", "queue", "agents_scheduled"]).to_csv(
        needed, index=False
    )
    target = workdir / "schedule.csv"
    command = [sys.executable, "-c", "from wfm.cli import main; main()", "schedule"]
    command += [str(needed), "--config", str(workdir / "wfm.toml"), "--node-limit", "20"]
    with open(target, "w") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 0, done.stderr
    assert "2 weeks solved one by one" in done.stderr
    assert "week 2 of 2 scheduled" in done.stderr
    schedule = pd.read_csv(target)
    assert list(schedule.columns[:3]) == ["agent", "site", "start"]
    assert pd.to_datetime(schedule["start"], utc=True).max() >= times[0] + pd.Timedelta(days=7)


def _dublin_days(start: pd.Timestamp, days: range) -> str:
    """Bob Byrne's rows of the previous schedule: 09:00-17:00 Dublin on each of
    `days` (local days from the horizon's Monday, negative before it)."""
    monday = start.tz_convert("Europe/Dublin").normalize()
    rows = []
    for day in days:
        begin = monday + pd.Timedelta(days=day, hours=9)
        end = begin + pd.Timedelta(hours=8)
        rows.append(f"Bob Byrne,Dublin,{begin.isoformat()},{end.isoformat()},phone\n")
    return "".join(rows)


@pytest.mark.parametrize("rules", ["calendar", "rolling"])
def test_rolling_weeks_count_the_previous_schedule_in_every_seven_days(
    workdir, requirements_file, rules
):
    """Bob worked Wednesday to Saturday before the horizon. In calendar weeks his
    new week is free (Monday to Friday: five days); in rolling weeks the 7 days
    from Tuesday need two days off in a row starting in them: Sunday and Monday."""
    config = workdir / "wfm.toml"
    config.write_text(CONFIG + f'weekly_rules = "{rules}"\n')
    start = pd.to_datetime(pd.read_csv(requirements_file)["interval_start"], utc=True).min()
    rows = _dublin_days(start, range(-5, -1))
    previous = _previous(workdir, rows)
    out = workdir / "schedule.csv"
    args = ("schedule", requirements_file, "--config", config, "-o", out, "-q")
    result = invoke(*args, "--roster", workdir / "roster.csv", "--previous", previous)
    assert result.exit_code == 0, result.output
    schedule = pd.read_csv(out)
    bob = pd.concat([pd.read_csv(previous), schedule[schedule["agent"] == "Bob Byrne"]])
    for column in ("start", "end"):
        bob[column] = pd.to_datetime(bob[column], utc=True)
    broken = conftest.rolling_violations(bob, "Europe/Dublin", max_days=5, max_hours=48, length=2)
    assert (broken == []) == (rules == "rolling")


def test_a_previous_schedule_that_breaks_a_rolling_week_on_its_own_is_refused(
    workdir, requirements_file
):
    config = workdir / "wfm.toml"
    config.write_text(CONFIG + 'weekly_rules = "rolling"\n')
    start = pd.to_datetime(pd.read_csv(requirements_file)["interval_start"], utc=True).min()
    previous = _previous(workdir, _dublin_days(start, range(-6, 0)))
    out = workdir / "schedule.csv"
    args = ("schedule", requirements_file, "--config", config, "-o", out)
    result = invoke(*args, "--roster", workdir / "roster.csv", "--previous", previous)
    assert_one_line_error(
        result,
        "previous.csv",
        "row 7",
        "Bob Byrne",
        "6 days in the 7 days from",
        "weekly_rules rolling",
        "max_days_per_week 5",
    )
    assert not out.exists()


def test_schedule_explains_a_local_week_across_a_clock_change(workdir):
    """Found by a new user's run: seven New York days from 2026-10-26 are 169 hours;
    the refusal told `wfm schedule`, which has no --horizon, to pass --horizon 7d."""
    starts = pd.date_range("2026-10-26", "2026-11-01 23:00", freq="h", tz="America/New_York")
    assert len(starts) == 169
    frame = pd.DataFrame({"interval_start": starts, "queue": "phone", "agents_scheduled": 1.0})
    frame["interval_start"] = frame["interval_start"].map(lambda t: t.isoformat())
    frame.to_csv(workdir / "fall.csv", index=False)
    result = invoke("schedule", workdir / "fall.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(
        result,
        "fall.csv: ",
        "169 hours: 7 local days in America/New_York across a clock change",
        "rows up to 2026-11-02T04:00:00+00:00",
    )
    every_other = frame.iloc[::2]
    every_other.to_csv(workdir / "sparse.csv", index=False)
    result = invoke("schedule", workdir / "sparse.csv", "--config", workdir / "wfm.toml")
    assert_one_line_error(result, "120 minutes apart", "give a row for every interval")
