"""`wfm capacity` through the CLI: real files, exact columns, scenarios, one-line errors."""

from __future__ import annotations

import io as stdio
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from scheduling.columns import CAPACITY_COLUMNS
from wfm.cli import cli
from wfm.config import load_config

runner = CliRunner()

CONFIG = """\
interval_minutes = 60
timezone = "UTC"

[staffing]
fte_hours_per_week = 40

[queues.phone]
channel = "voice"
aht_seconds = 300

[queues.email]
channel = "email"
aht_seconds = 420

[[sites]]
name = "North"
queues = ["phone", "email"]
cost_per_hour = 30.0

[[sites]]
name = "South"
queues = ["phone", "email"]
cost_per_hour = 12.0

[sites.capacity]
hire_lead_weeks = 2
class_max = 10

[capacity]
attrition_per_week = 0.01
hire_lead_weeks = 3
training_weeks = 2
ramp = [0.5]
class_min = 2
class_max = 6
hiring_cost = 1000
outsource_max_fte = 5
outsource_cost_per_fte_week = 2000
outsource_min_weeks = 2
outsource_lead_weeks = 1
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    (tmp_path / "headcount.csv").write_text(
        "site,agents,skills\nNorth,6,phone\nNorth,2,email\nSouth,4,\n"
    )
    return tmp_path


def requirements(weeks: int, *, phone: float = 2.0, email: float = 1.0) -> pd.DataFrame:
    """Hourly agents_scheduled from Monday 2027-01-04: phone + email round the clock."""
    starts = pd.date_range("2027-01-04", periods=weeks * 168, freq="h", tz="UTC")
    ramp = np.linspace(1.0, 1.5, len(starts))  # demand grows over the weeks
    return pd.concat(
        [
            pd.DataFrame(
                {"interval_start": starts, "queue": "phone", "agents_scheduled": phone * ramp}
            ),
            pd.DataFrame(
                {"interval_start": starts, "queue": "email", "agents_scheduled": email * ramp}
            ),
        ]
    )


def write_requirements(folder: Path, weeks: int = 12) -> Path:
    path = folder / "requirements.csv"
    frame = requirements(weeks)
    frame["interval_start"] = frame["interval_start"].map(lambda t: t.isoformat())
    frame.to_csv(path, index=False)
    return path


def run(folder: Path, *args: str):
    return runner.invoke(cli, ["capacity", "--config", str(folder / "wfm.toml"), *args])


def test_capacity_writes_one_row_per_site_and_week_and_says_what_to_hire(folder):
    req = write_requirements(folder)
    out = folder / "capacity.csv"
    result = run(
        folder,
        "--requirements",
        str(req),
        "--headcount",
        str(folder / "headcount.csv"),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    plan = pd.read_csv(out)
    assert list(plan.columns) == list(CAPACITY_COLUMNS)
    assert len(plan) == 12 * 3  # North, South, outsourced
    assert plan["site"].tolist()[:3] == ["North", "South", "outsourced"]
    first = plan[plan["week_start"] == "2027-01-04"].set_index("site")
    assert first.loc["North", "headcount"] == 8 and first.loc["South", "headcount"] == 4
    # Required FTE over the sites and the outsourcer = agent-hours / 40 every week.
    hours = requirements(12)
    days = (hours["interval_start"] - pd.Timestamp("2027-01-04", tz="UTC")).dt.days
    hours["week"] = days // 7
    expected = hours.groupby("week")["agents_scheduled"].sum() / 40
    got = plan.groupby("week_start")["required_fte"].sum()
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-3)
    assert "solver highs:" in result.stderr and "objective" in result.stderr
    assert "open a class of" in result.stderr
    assert "total cost" in result.stderr
    # Classes open only after the lead time: South (2 weeks) first, North (3 weeks) later.
    classes = plan[plan["hires"] > 0]
    assert set(classes["site"]) <= {"North", "South"}
    assert (classes[classes["site"] == "South"]["week_start"] >= "2027-01-18").all()
    assert (classes[classes["site"] == "North"]["week_start"] >= "2027-01-25").all()


def test_capacity_to_stdout_is_clean_csv_and_the_same_bytes_every_run(folder):
    req = write_requirements(folder, weeks=8)
    command = [
        sys.executable,
        "-c",
        "from wfm.cli import main; main()",
        "capacity",
        "--requirements",
        str(req),
        "--config",
        str(folder / "wfm.toml"),
        "--headcount",
        str(folder / "headcount.csv"),
        "-q",
    ]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert first.stdout.splitlines()[0] == ",".join(CAPACITY_COLUMNS)
    assert "HiGHS" not in first.stdout
    assert first.stdout == second.stdout


def test_compare_prints_scenarios_side_by_side(folder):
    req = write_requirements(folder, weeks=10)
    result = run(
        folder,
        "--requirements",
        str(req),
        "--headcount",
        str(folder / "headcount.csv"),
        "--compare",
        "growth=0.2",
        "--compare",
        "outsourcing=off,attrition=0.02",
        "-o",
        str(folder / "c.csv"),
    )
    assert result.exit_code == 0, result.stderr
    assert "Scenarios" in result.stderr
    assert "growth=0.2" in result.stderr and "outsourcing=off,attrition=0.02" in result.stderr
    assert "FTE-weeks short" in result.stderr


def test_growth_and_no_outsourcing_change_the_plan(folder):
    req = write_requirements(folder, weeks=10)
    args = ["--requirements", str(req), "--headcount", str(folder / "headcount.csv")]
    base = pd.read_csv(stdio.StringIO(run(folder, *args, "-q").stdout))
    grown = pd.read_csv(stdio.StringIO(run(folder, *args, "--growth", "0.5", "-q").stdout))
    alone = pd.read_csv(stdio.StringIO(run(folder, *args, "--no-outsourcing", "-q").stdout))
    # The CSV rounds to 4 decimals per row.
    assert grown["required_fte"].sum() == pytest.approx(1.5 * base["required_fte"].sum(), abs=0.01)
    assert "outsourced" not in set(alone["site"])


def test_a_site_without_a_headcount_row_starts_from_zero_and_says_so(folder):
    """Found by a new user's run: a headcount file without Dublin planned 0 people
    there silently (with no headcount at all wfm warns)."""
    req = write_requirements(folder, weeks=8)
    (folder / "north.csv").write_text("site,agents\nNorth,8\n")
    result = run(folder, "--requirements", str(req), "--headcount", str(folder / "north.csv"))
    assert result.exit_code == 0, result.stderr
    assert "north.csv: no row for South: starting from 0 agents there" in result.stderr
    full = run(folder, "--requirements", str(req), "--headcount", str(folder / "headcount.csv"))
    assert "no row for" not in full.stderr


def test_roster_is_counted_per_site(folder):
    req = write_requirements(folder, weeks=8)
    roster = folder / "roster.csv"
    roster.write_text("agent,site\nAna,North\nBo,North\nCy,South\n")
    result = run(folder, "--requirements", str(req), "--roster", str(roster), "-q")
    assert result.exit_code == 0, result.stderr
    plan = pd.read_csv(stdio.StringIO(result.stdout))
    first = plan[plan["week_start"] == "2027-01-04"].set_index("site")["headcount"]
    assert first["North"] == 2 and first["South"] == 1


def forecast_csv(folder: Path, weeks: int, queues=("phone", "email")) -> Path:
    starts = pd.date_range("2027-01-04", periods=weeks * 168, freq="h", tz="UTC")
    hour = starts.hour.to_numpy()
    volume = 20 + 15 * np.sin(np.pi * hour / 24) ** 2
    frames = [
        pd.DataFrame(
            {
                "interval_start": [t.isoformat() for t in starts],
                "queue": q,
                "volume": volume,
                "volume_low": volume * 0.8,
                "volume_high": volume * 1.25,
            }
        )
        for q in queues
    ]
    path = folder / "forecast.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def test_a_year_of_hourly_forecast_is_staffed_and_planned(folder):
    forecast = forecast_csv(folder, 52)
    result = run(
        folder,
        "--forecast",
        str(forecast),
        "--headcount",
        str(folder / "headcount.csv"),
        "--quantile",
        "0.8",
        "-o",
        str(folder / "c.csv"),
    )
    assert result.exit_code == 0, result.stderr
    plan = pd.read_csv(folder / "c.csv")
    assert plan["week_start"].nunique() == 52
    assert "planned to the median forecast instead" in result.stderr
    gap = float(result.stderr.split("gap ")[1].split("%")[0])
    assert gap <= 0.1
    args = ["--forecast", str(forecast), "--headcount", str(folder / "headcount.csv")]
    median = run(folder, *args, "--quantile", "0.5", "-o", str(folder / "m.csv"))
    assert median.exit_code == 0, median.stderr
    assert "planned to the median" not in median.stderr  # it is the plan: no "(0 less)"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("attrition_per_week = 0.01", "attrition_per_week = 1.5"),
        ("ramp = [0.5]", "ramp = [0.9, 0.5]"),
        ("class_min = 2", "class_min = 9"),
    ],
)
def test_bad_capacity_config_is_one_line_naming_file_and_field(folder, edit, message):
    text = CONFIG.replace(edit, message)
    (folder / "wfm.toml").write_text(text)
    result = run(folder, "--requirements", str(write_requirements(folder)))
    assert result.exit_code == 1
    field = message.split(" =")[0] if "class_min" not in message else "class_max"
    assert "wfm.toml" in result.stderr and field in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_unknown_capacity_field_and_plan_wide_field_per_site_are_refused(folder):
    (folder / "wfm.toml").write_text(CONFIG.replace("class_max = 10", "class_maxx = 10"))
    assert "unknown field 'class_maxx'" in load_error(folder)
    (folder / "wfm.toml").write_text(CONFIG.replace("class_max = 10", "outsource_max_fte = 3"))
    assert "plan-wide" in load_error(folder)


def load_error(folder: Path) -> str:
    result = run(folder, "--requirements", str(write_requirements(folder, weeks=8)))
    assert result.exit_code == 1
    return result.stderr


def test_headcount_naming_an_unknown_site_names_the_row(folder):
    (folder / "headcount.csv").write_text("site,agents\nNorth,3\nWest,4\n")
    result = run(
        folder,
        "--requirements",
        str(write_requirements(folder, weeks=8)),
        "--headcount",
        str(folder / "headcount.csv"),
    )
    assert result.exit_code == 1
    assert "headcount.csv: row 3: unknown site 'West'" in result.stderr


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # found by a new user's run: 1e9 agents planned at a cost of 16 trillion
        ("North,1e9\n", "headcount.csv: column 'agents'"),
        ("North,600000\nNorth,600000\n", "site 'North': headcount must be 0 to 1,000,000"),
    ],
)
def test_an_absurd_headcount_is_refused(folder, rows, message):
    (folder / "headcount.csv").write_text("site,agents\n" + rows)
    args = ["--requirements", str(write_requirements(folder, weeks=8))]
    result = run(folder, *args, "--headcount", str(folder / "headcount.csv"))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_forecast_shorter_than_lead_and_training_is_refused(folder):
    result = run(folder, "--requirements", str(write_requirements(folder, weeks=4)))
    assert result.exit_code == 1
    assert (
        "covers 4 whole weeks" in result.stderr
        and "hire_lead_weeks + training_weeks" in result.stderr
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of --forecast or --requirements"),
        (["--growth", "-2"], "--growth: must be greater than -1"),
        (["--attrition", "1.5"], "--attrition: attrition must be a weekly share"),
        (["--start", "next monday"], "--start: expected a date"),
        # weeks before the data would plan no demand and report nobody short
        (["--start", "2026-12-28"], "requirements.csv: start 2026-12-28 is before the first"),
        (["--start", "2027-06-07"], "requirements.csv: no whole week from 2027-06-07"),
        (["--compare", "speed=2"], "--compare: 'speed=2' is not KEY=VALUE"),
    ],
)
def test_bad_options_are_one_line(folder, args, message):
    req = [] if not args else ["--requirements", str(write_requirements(folder, weeks=8))]
    result = run(folder, *req, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_capacity_help():
    result = runner.invoke(cli, ["capacity", "--help"])
    assert result.exit_code == 0
    assert "--compare" in result.stdout and "--no-outsourcing" in result.stdout


def test_site_headcount_and_monthly_attrition_come_from_the_config(folder):
    text = CONFIG.replace(
        "class_max = 10", "class_max = 10\nheadcount = 7\nattrition_per_month = 0.04"
    )
    (folder / "wfm.toml").write_text(text)
    config = load_config(folder / "wfm.toml")
    south = config.capacity.rules_for("South")
    assert 1 - (1 - south.attrition_per_week) ** (52 / 12) == pytest.approx(0.04)
    assert config.capacity.rules_for("North").attrition_per_week == 0.01
    assert south.class_max == 10 and south.class_min == 2  # the rest from [capacity]
    result = run(folder, "--requirements", str(write_requirements(folder, weeks=8)))
    assert result.exit_code == 0, result.stderr
    plan = pd.read_csv(stdio.StringIO(result.stdout))
    first = plan[plan["week_start"] == "2027-01-04"].set_index("site")["headcount"]
    assert first["South"] == 7 and first["North"] == 0
    assert "no headcount for North" in result.stderr


def test_weekly_and_monthly_attrition_together_are_refused(folder):
    text = CONFIG.replace(
        "attrition_per_week = 0.01", "attrition_per_week = 0.01\nattrition_per_month = 0.04"
    )
    (folder / "wfm.toml").write_text(text)
    assert "both attrition_per_week and attrition_per_month" in load_error(folder)
