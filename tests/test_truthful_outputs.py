"""Outputs that never mislead: an outage over the history, and huge numbers in inputs.

Each input is refused with one line, or gives an output with no `inf`, `nan` or
overflowed number in it; never a silent all-zero forecast or a traceback.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_one_line_error, make_history
from typer.testing import CliRunner

from scheduling.errors import InputError
from scheduling.simulation.arrivals import MAX_CONTACTS, Demand, draw_contacts
from wfm.cli import cli

runner = CliRunner()

CONFIG = """\
interval_minutes = 60
timezone = "America/New_York"

[queues.phone]
channel = "voice"
aht_seconds = 300

[queues.email]
channel = "email"
aht_seconds = 400
response_hours = 4

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
open = "08:00"
close = "20:00"
queues = ["phone", "email"]
shift_hours = [8]
max_agents = 30

[scheduling]
time_limit_seconds = 20
node_limit = 50
"""


def invoke(*args):
    return runner.invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A config, 28 days of counts (2025-01-06 on), its forecast and requirements."""
    folder = tmp_path_factory.mktemp("truthful")
    (folder / "wfm.toml").write_text(CONFIG)
    history = make_history(days=28, queues=("email", "phone"), daily_volume=300, seed=4)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(folder / "counts.csv", index=False)
    config = ("--config", folder / "wfm.toml")
    done = invoke("forecast", folder / "counts.csv", *config, "--horizon", "1w", "-q")
    assert done.exit_code == 0, done.output
    (folder / "forecast.csv").write_text(done.stdout)
    done = invoke("staff", folder / "forecast.csv", *config, "-q")
    assert done.exit_code == 0, done.output
    (folder / "requirements.csv").write_text(done.stdout)
    return folder


def outage(folder: Path, start: str, end: str) -> Path:
    path = folder / f"outage-{start}-{end}.csv".replace(":", "")
    path.write_text(f"name,start,end,kind,queues\nBig outage,{start},{end},outage,phone\n")
    return path


@pytest.mark.parametrize(
    ("start", "end", "left"),
    [
        ("2025-01-01", "2025-02-10", "0.0 days"),  # the whole history, and past its end
        ("2025-01-05", "2025-02-01", "1.0 days"),  # all but the last day (end date inclusive)
        ("2025-01-08", "2025-02-10", "2.0 days"),  # all but the first two days
    ],
)
def test_an_outage_over_nearly_all_the_history_is_refused(work, start, end, left):
    """Was an all-zero forecast (or two days repeated as a week) while a warning said
    the outage does not change the forecast."""
    result = invoke(
        "forecast", work / "counts.csv", "--config", work / "wfm.toml",
        "--events", outage(work, start, end), "--horizon", "1w",
    )  # fmt: skip
    assert_one_line_error(
        result, "outage 'Big outage' covers", "queue 'phone'", f"leaving {left}", "needs 7 days"
    )


def test_an_outage_that_leaves_a_week_is_left_out_of_fitting(work):
    events = outage(work, "2025-01-13", "2025-02-10")
    result = invoke(
        "forecast", work / "counts.csv", "--config", work / "wfm.toml",
        "--events", events, "--horizon", "1w",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    forecast = pd.read_csv(io.StringIO(result.stdout))
    week = forecast.groupby("queue")["volume"].sum()
    assert week["phone"] == pytest.approx(7 * 300, rel=0.25)  # the one week outside it
    assert "intervals inside outages are left out of fitting" in result.stderr


def replaced(path: Path, column: str, value: str, out: Path, row: int = 5) -> Path:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(out, index=False)
    return out


HUGE = ["inf", "1e308", "1e300", "1e15"]


def assert_refused_or_finite(result) -> None:
    if result.exit_code == 0:
        text = result.stdout.lower()
        assert "inf" not in text and "nan" not in text and "e+" not in text, result.stdout
    else:
        assert_one_line_error(result)


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("column", ["volume", "aht_seconds"])
def test_huge_history_numbers_never_reach_the_forecast(work, tmp_path, column, value):
    counts = replaced(work / "counts.csv", column, value, tmp_path / "counts.csv")
    result = invoke("forecast", counts, "--config", work / "wfm.toml", "--horizon", "1w")
    assert_one_line_error(result, column)


@pytest.mark.parametrize("value", [*HUGE, "1e6"])
def test_huge_event_uplifts_never_reach_the_forecast(work, value):
    events = work / f"uplift-{value}.csv"
    events.write_text(f"name,start,end,kind,queues,uplift\nPromo,2025-02-04,2025-02-05,,,{value}\n")
    result = invoke(
        "forecast", work / "counts.csv", "--config", work / "wfm.toml",
        "--events", events, "--horizon", "1w",
    )  # fmt: skip
    assert_one_line_error(result, "uplift")


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("column", ["volume", "volume_low", "volume_high", "aht_seconds"])
def test_huge_forecast_numbers_never_reach_the_requirements(work, tmp_path, column, value):
    forecast = replaced(work / "forecast.csv", column, value, tmp_path / "forecast.csv")
    for extra in ((), ("--use-high",)):
        result = invoke("staff", forecast, "--config", work / "wfm.toml", *extra)
        assert_refused_or_finite(result)


@pytest.mark.parametrize("value", HUGE)
def test_huge_requirements_never_reach_the_schedule(work, tmp_path, value):
    needed = replaced(
        work / "requirements.csv", "agents_scheduled", value, tmp_path / "requirements.csv"
    )
    result = invoke("schedule", needed, "--config", work / "wfm.toml")
    assert_one_line_error(result, "agents_scheduled")


@pytest.mark.parametrize("value", HUGE)
def test_huge_contracted_hours_are_refused(work, tmp_path, value):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"agent,site,contracted_hours\nAnn,Dublin,{value}\nBo,Dublin,40\n")
    result = invoke(
        "schedule", work / "requirements.csv", "--config", work / "wfm.toml", "--roster", roster
    )
    assert_one_line_error(result, "contracted_hours")


SIM_SCHEDULE = """\
agent,site,start,end,timezone,break_start,break_end,queue
Ann,Dublin,2025-02-03T09:00:00+00:00,2025-02-03T17:00:00+00:00,Europe/Dublin,,,phone;email
"""


@pytest.mark.parametrize("value", ["1e308", "1e15"])
@pytest.mark.parametrize("column", ["volume", "volume_low", "volume_high", "aht_seconds"])
def test_simulate_refuses_huge_forecast_numbers(work, tmp_path, column, value):
    """volume 1e15 was a memory error (7 PiB) traceback; 1e308 bounds an overflow
    warning and a forecast treated as certain; aht 1e308 was simulated."""
    (tmp_path / "schedule.csv").write_text(SIM_SCHEDULE)
    forecast = replaced(work / "forecast.csv", column, value, tmp_path / "forecast.csv", row=40)
    result = invoke(
        "simulate", tmp_path / "schedule.csv", "--forecast", forecast,
        "--config", work / "wfm.toml", "--replications", "3", "--workers", "1",
    )  # fmt: skip
    assert_one_line_error(result, column, "the most wfm simulates")


def test_a_replication_that_would_draw_too_many_contacts_is_refused():
    cells = 4
    mean = np.full((cells, 1), MAX_CONTACTS / 2)
    demand = Demand(
        mean=mean,
        log_var_interval=np.zeros((cells, 1)),
        log_var_day=np.zeros((1, 1)),
        day=np.zeros((cells, 1), dtype=int),
        aht_seconds=np.full((cells, 1), 300.0),
        patience_seconds=np.array([np.inf]),
        interval_seconds=1800.0,
    )
    with pytest.raises(InputError, match="more than the 20,000,000"):
        draw_contacts(
            demand, np.random.default_rng(0), textbook=True, exponential=True, handle_time_cv=1.0
        )
