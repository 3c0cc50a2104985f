"""`wfm simulate` through the CLI: real files, exact columns, byte-identical, one-line errors."""

from __future__ import annotations

import io as stdio
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from scheduling.columns import SIMULATION_COLUMNS
from wfm.cli import cli
from wfm.readers import read_schedule

runner = CliRunner()
NY = "America/New_York"

CONFIG = """\
interval_minutes = 30
timezone = "America/New_York"

[queues.phone]
channel = "voice"
aht_seconds = 300
answer_seconds = 20
patience_seconds = 180

[queues.chat]
channel = "chat"
aht_seconds = 600
concurrency = 2
answer_seconds = 60

[queues.email]
channel = "email"
aht_seconds = 420
response_hours = 4
service_level = 0.9
shrinkage = 0.2

[[sites]]
name = "Austin"
timezone = "America/Chicago"
queues = ["phone", "chat", "email"]

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
queues = ["phone", "chat"]

[simulation]
handle_time_cv = 0.8
"""

SCHEDULE = """\
agent,site,start,end,timezone,break_start,break_end,queue
Ana,Austin,2024-03-04T07:00:00-06:00,2024-03-04T15:00:00-06:00,America/Chicago,2024-03-04T11:00:00-06:00,2024-03-04T11:30:00-06:00,phone;chat;email
Bo,Austin,2024-03-04T08:00:00-06:00,2024-03-04T16:00:00-06:00,America/Chicago,,,phone;email
Cy,Austin,2024-03-04 09:00,2024-03-04 13:00,America/Chicago,,,chat
Dee,Dublin,2024-03-04T12:00:00+00:00,2024-03-04T20:00:00+00:00,Europe/Dublin,2024-03-04T15:00:00+00:00,2024-03-04T15:30:00+00:00,phone;chat
Ana,Austin,2024-03-05T07:00:00-06:00,2024-03-05T12:00:00-06:00,America/Chicago,,,phone;chat;email
"""


def invoke(*args):
    return runner.invoke(cli, [str(a) for a in args])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    (tmp_path / "schedule.csv").write_text(SCHEDULE)
    starts = pd.date_range("2024-03-04 05:00", periods=96, freq="30min", tz="UTC")  # 2 NY days
    hour = starts.tz_convert("America/New_York").hour.to_numpy()
    shape = np.exp(-0.5 * ((hour - 12) / 3.0) ** 2)
    frames = []
    for queue, peak in (("phone", 12.0), ("chat", 8.0), ("email", 6.0)):
        volume = np.round(peak * shape, 2)
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": [t.isoformat() for t in starts],
                    "queue": queue,
                    "volume": volume,
                    "volume_low": np.floor(0.6 * volume),
                    "volume_high": np.ceil(1.5 * volume),
                    "aht_seconds": "",
                    "events": "",
                }
            )
        )
    pd.concat(frames).to_csv(tmp_path / "forecast.csv", index=False)
    return tmp_path


def simulate(workdir: Path, *extra):
    return invoke(
        "simulate",
        workdir / "schedule.csv",
        "--forecast",
        workdir / "forecast.csv",
        "--config",
        workdir / "wfm.toml",
        "--replications",
        20,
        *extra,
    )


def test_help():
    result = invoke("simulate", "--help")
    assert result.exit_code == 0
    assert "--replications" in result.stdout
    assert "--textbook" in result.stdout
    wide = runner.invoke(cli, ["simulate", "--help"], env={"COLUMNS": "200"})
    assert "wfm.toml with [queues]." in wide.stdout  # rich read "[queues]" as markup


def test_writes_the_contract_columns_and_a_day_summary(workdir):
    result = simulate(workdir)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(stdio.StringIO(result.stdout))
    assert list(frame.columns) == list(SIMULATION_COLUMNS)
    assert len(frame) == 96 * 3
    assert frame["interval_start"].iloc[0] == "2024-03-04T05:00:00+00:00"
    assert frame["p_meet_target"].between(0, 1).all()
    assert (frame["answered"] + frame["abandoned"] <= frame["offered"] + 1e-9).all()
    # breaks and a single chat-only agent in the morning: someone waits somewhere
    assert frame["asa_seconds"].max() > 0
    # no email agent after Austin's last shift on Tuesday: a backlog builds
    email = frame[frame["queue"] == "email"]
    assert email["backlog"].iloc[-1] > 1
    assert "P(day)" in result.stderr
    assert "phone" in result.stderr


def test_same_seed_same_bytes_whatever_the_workers(workdir):
    one = simulate(workdir, "--workers", 1, "-q")
    two = simulate(workdir, "--workers", 2, "-q")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    other = simulate(workdir, "--seed", 2, "-q")
    assert other.stdout != one.stdout


def test_output_file_and_textbook(workdir):
    result = simulate(workdir, "--textbook", "-o", workdir / "sim.csv", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    frame = pd.read_csv(workdir / "sim.csv")
    assert list(frame.columns) == list(SIMULATION_COLUMNS)


@pytest.mark.parametrize("reps", [0, 100_001])
def test_refuses_replications_out_of_range(workdir, reps):
    result = invoke(
        "simulate",
        workdir / "schedule.csv",
        "--forecast",
        workdir / "forecast.csv",
        "--config",
        workdir / "wfm.toml",
        "--replications",
        reps,
    )
    assert_one_line_error(result, "--replications", "100,000")


def test_refuses_a_site_not_in_the_config(workdir):
    (workdir / "schedule.csv").write_text(SCHEDULE.replace("Dee,Dublin", "Dee,Paris"))
    assert_one_line_error(simulate(workdir), "schedule.csv", "'Paris'", "row")


def test_refuses_an_agent_on_two_shifts_at_once(workdir):
    """Found by a new user's run: a schedule listed twice was simulated with every
    agent counted twice (phone 93% -> 99%)."""
    row = "Cy,Austin,2024-03-04 12:00,2024-03-04 16:00,America/Chicago,,,chat\n"
    (workdir / "schedule.csv").write_text(SCHEDULE + row)
    assert_one_line_error(
        simulate(workdir), "schedule.csv", "agent 'Cy' works two shifts at once", "rows 4 and 7"
    )
    back_to_back = row.replace("12:00", "13:00")  # Cy's first shift ends at 13:00
    (workdir / "schedule.csv").write_text(SCHEDULE + back_to_back)
    assert simulate(workdir, "-q").exit_code == 0


DEE = "Dee,Dublin,2024-03-04T12:00:00+00:00,2024-03-04T20:00:00+00:00,Europe/Dublin,"


@pytest.mark.parametrize(
    ("replace", "fragments"),
    [
        # found by a new user's run: each was simulated as if it were right
        (
            (DEE + "2024-03-04T15:00", DEE + "2024-03-04T11:00"),
            ("row 5: the break 2024-03-04T11:00:00+00:00/", "not inside its shift"),
        ),
        (("Europe/Dublin,2024", "Mars/Olympus,2024"), ("unknown time zone 'Mars/Olympus'", "5")),
        (("13:00,America/Chicago,,,chat", "13:00,America/Chicago,,, "), ("'queue' is empty",)),
    ],
)
def test_refuses_a_break_outside_its_shift_a_bad_zone_and_no_skills(workdir, replace, fragments):
    assert replace[0] in SCHEDULE
    (workdir / "schedule.csv").write_text(SCHEDULE.replace(*replace))
    assert_one_line_error(simulate(workdir), "schedule.csv", *fragments)


def test_refuses_a_skill_not_in_the_config(workdir):
    (workdir / "schedule.csv").write_text(SCHEDULE.replace("phone;email", "phone;fax"))
    assert_one_line_error(simulate(workdir), "'fax'", "[queues.fax]")


def test_refuses_a_forecast_queue_not_in_the_config(workdir):
    frame = pd.read_csv(workdir / "forecast.csv")
    frame.loc[frame["queue"] == "email", "queue"] = "sms"
    frame.to_csv(workdir / "forecast.csv", index=False)
    assert_one_line_error(simulate(workdir), "'sms'", "not configured")


def test_refuses_a_forecast_that_does_not_cover_the_schedule(workdir):
    frame = pd.read_csv(workdir / "forecast.csv")
    frame = frame[frame["interval_start"] < "2024-03-05"]
    frame.to_csv(workdir / "forecast.csv", index=False)
    assert_one_line_error(simulate(workdir), "does not cover", "'Ana'")


def test_refuses_a_bad_simulation_setting(workdir):
    (workdir / "wfm.toml").write_text(CONFIG.replace("handle_time_cv = 0.8", "routing = 'random'"))
    assert_one_line_error(simulate(workdir), "wfm.toml", "routing")


def test_read_schedule_hand_edited(workdir):
    """Blank breaks, naive times in the row's zone, other_breaks, `skills` for `queue`."""
    text = (
        "agent,site,start,end,timezone,break_start,break_end,other_breaks,skills\n"
        "Ana,Austin,2024-03-04 07:00,2024-03-04 15:00,America/Chicago,,,"
        "2024-03-04 10:00/2024-03-04 10:15;2024-03-04 13:00/2024-03-04 13:15,phone\n"
    )
    (workdir / "hand.csv").write_text(text)
    frame = read_schedule(workdir / "hand.csv", tz="UTC", sites=["Austin"])
    assert frame["start"].iloc[0] == pd.Timestamp("2024-03-04 13:00", tz="UTC")
    assert pd.isna(frame["break_start"].iloc[0])
    assert frame["other_breaks"].iloc[0][1] == (
        pd.Timestamp("2024-03-04 19:00", tz="UTC"),
        pd.Timestamp("2024-03-04 19:15", tz="UTC"),
    )
    assert frame["queue"].iloc[0] == "phone"


def test_history_fits_the_handle_time_spread(workdir):
    rng = np.random.default_rng(0)
    n = 400
    history = pd.DataFrame(
        {
            "created_at": pd.date_range("2024-02-01", periods=n, freq="37min").strftime(
                "%Y-%m-%dT%H:%M:%S-05:00"
            ),
            "queue": np.tile(["phone", "chat"], n // 2),
            "handle_time_seconds": np.round(300 * rng.lognormal(0, 0.5, n)),
        }
    )
    history.to_csv(workdir / "tickets.csv", index=False)
    result = simulate(workdir, "--history", workdir / "tickets.csv")
    assert result.exit_code == 0, result.output
    assert "fitted to history: chat 0.5" in result.stderr or "chat 0.4" in result.stderr
    counts = history.rename(
        columns={"created_at": "interval_start", "handle_time_seconds": "volume"}
    )
    counts.to_csv(workdir / "counts.csv", index=False)
    assert_one_line_error(
        simulate(workdir, "--history", workdir / "counts.csv"), "counts.csv", "handle time"
    )
    # simulate has no --time-col: the message names the config setting instead
    history.rename(columns={"created_at": "opened"}).to_csv(workdir / "odd.csv", index=False)
    result = simulate(workdir, "--history", workdir / "odd.csv")
    assert_one_line_error(result, "odd.csv: cannot find the time column", "[forecast] time_column")
    assert "--time-col" not in result.stderr


def _longer_forecast(workdir: Path, days: int) -> Path:
    """The fixture's two New York days repeated on New York's clock for `days` days."""
    frame = pd.read_csv(workdir / "forecast.csv")
    wall = pd.DatetimeIndex(pd.to_datetime(frame["interval_start"], utc=True)).tz_convert(NY)
    wall = wall.tz_localize(None)
    frames = []
    for k in range(0, days, 2):
        times = (wall + pd.Timedelta(days=k)).tz_localize(NY, nonexistent="NaT")
        frames.append(frame.assign(interval_start=times)[times.notna()])
    longer = pd.concat(frames)
    end = (wall.min() + pd.Timedelta(days=days)).tz_localize(NY)
    longer = longer[longer["interval_start"] < end]
    path = workdir / f"forecast_{days}d.csv"
    longer.assign(interval_start=[t.isoformat() for t in longer["interval_start"]]).to_csv(
        path, index=False
    )
    return path


@pytest.mark.parametrize(("cyclic", "days", "kept"), [("false", 5, 2), ("true", 10, 7)])
def test_a_longer_forecast_is_simulated_on_the_schedules_days(workdir, cyclic, days, kept):
    """Days without shifts are not scored as nobody on duty; a cyclic week wraps on itself."""
    config = workdir / "wfm.toml"
    config.write_text(CONFIG + f"\n[scheduling]\ncyclic = {cyclic}\n")
    exact = _longer_forecast(workdir, kept)
    longer = _longer_forecast(workdir, days)

    def run(forecast: Path):
        return invoke(
            "simulate",
            workdir / "schedule.csv",
            "--forecast",
            forecast,
            "--config",
            config,
            "--replications",
            10,
        )

    ran, expected = run(longer), run(exact)
    assert ran.exit_code == expected.exit_code == 0, ran.output
    assert ran.stdout == expected.stdout
    # 2024-03-10 has 23 hours in New York: 7 days are 334 half hours
    assert len(pd.read_csv(stdio.StringIO(ran.stdout))) == (kept * 48 - 2 * (kept == 7)) * 3
    assert "simulated those days only" in ran.stderr
    assert "2024-03-04 to 2024-03-" in ran.stderr
    assert "simulated those days only" not in expected.stderr


def test_the_window_starts_on_the_schedules_first_day_not_the_forecasts():
    """A review found: a cyclic week from Monday 4 March against a forecast from Friday
    1 March kept 1-14 March (whole weeks from the forecast's Friday), seven of them
    with nobody on duty."""
    from scheduling.simulation.model import schedule_window

    starts = pd.date_range("2024-03-01", periods=21 * 24, freq="h", tz=NY)
    forecast = pd.DataFrame({"interval_start": starts, "queue": "phone", "volume": 1.0})
    shifts = pd.date_range("2024-03-04 09:00", periods=7, freq="D", tz=NY)
    schedule = pd.DataFrame(
        {"agent": "Ana", "start": shifts, "end": shifts + pd.Timedelta(hours=8)}
    )
    for cyclic in (True, False):
        kept = schedule_window(schedule, forecast, tz=NY, cyclic=cyclic)["interval_start"]
        days = sorted({t.date().isoformat() for t in kept})
        assert days[0] == "2024-03-04" and days[-1] == "2024-03-10" and len(days) == 7
