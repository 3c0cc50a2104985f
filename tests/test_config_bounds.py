"""wfm.toml: values outside a field's documented range are one clear line, never a traceback.

TOML allows nan, inf and integers past 64 bits; each of these once ran through to a
wrong schedule or a traceback (OutOfBoundsTimedelta, OverflowError, 409 agents for
904 agent-hours).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfm.cli import cli
from wfm.config import load_config
from wfm.errors import WfmError

runner = CliRunner()

BASE = """\
interval_minutes = 60
timezone = "America/New_York"

[queues.phone]
channel = "voice"
{queue}

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
open = "08:00"
close = "20:00"
queues = ["phone"]
{site}

[scheduling]
{scheduling}
"""


def config_text(queue: str = "", site: str = "", scheduling: str = "") -> str:
    return BASE.format(queue=queue, site=site, scheduling=scheduling)


@pytest.mark.parametrize(
    ("section", "line", "fragments"),
    [
        ("site", "cost_per_hour = nan", ["Dublin", "cost_per_hour"]),
        ("site", "cost_per_hour = inf", ["Dublin", "cost_per_hour"]),
        ("site", "max_agents = 99999999999999", ["Dublin", "max_agents"]),
        ("site", "night_premium = nan", ["Dublin", "night_premium"]),
        ("site", "shift_hours = [nan]", ["Dublin", "shift_hours"]),
        ("scheduling", "min_rest_hours = nan", ["min_rest_hours"]),
        ("scheduling", "min_rest_hours = 1e308", ["min_rest_hours"]),
        ("scheduling", "max_hours_per_week = nan", ["max_hours_per_week"]),
        ("scheduling", "break_minutes = 480", ["break_minutes", "240"]),
        ("scheduling", "time_limit_seconds = inf", ["time_limit_seconds"]),
        ("scheduling", "shortfall_penalty = -1", ["shortfall_penalty"]),
        ("scheduling", "gap = nan", ["gap"]),
        ("scheduling", 'week_starts = "sunday"', ["week_starts", "a weekday from mon"]),
        ("scheduling", "week_starts = 6", ["week_starts", "a weekday from mon"]),
        ("scheduling", 'weekly_rules = "sliding"', ["weekly_rules", "calendar, rolling"]),
        ("scheduling", "weekly_rules = 7", ["weekly_rules"]),
        ("scheduling", "repair_rounds = -1", ["repair_rounds", "between 0 and 100000"]),
        ("scheduling", "repair_rounds = 2.5", ["repair_rounds"]),
        ("scheduling", "sweep_passes = -1", ["sweep_passes", "between 0 and 100"]),
        ("scheduling", "sweep_passes = 101", ["sweep_passes", "between 0 and 100"]),
        ("scheduling", "programme_passes = -1", ["programme_passes", "between 0 and 100"]),
        ("scheduling", "programme_passes = 2.5", ["programme_passes"]),
        ("scheduling", "max_skill_groups = -1", ["max_skill_groups", "between 0 and 1000"]),
        ("scheduling", "max_skill_groups = 2.5", ["max_skill_groups"]),
        ("queue", "aht_seconds = 1e8", ["phone", "aht_seconds"]),
        ("queue", "patience_seconds = inf", ["phone", "patience_seconds"]),
        ("queue", "service_level = nan", ["phone", "service_level"]),
        ("queue", "span_of_control = nan", ["phone", "span_of_control"]),
    ],
)
def test_out_of_range_fields_are_named(tmp_path: Path, section, line, fragments) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(**{section: line}))
    with pytest.raises(WfmError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("value", ["nan", "inf", "1.5", "0"])
def test_forecast_level_out_of_range_names_the_file(tmp_path: Path, value) -> None:
    """Found by test_config_fuzz: the message lacked the file name."""
    path = tmp_path / "wfm.toml"
    path.write_text(config_text() + f"\n[forecast]\nlevel = {value}\n")
    with pytest.raises(WfmError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: forecast.level: expected a share")


def test_max_agents_past_64_bits_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(site="max_agents = 99999999999999999999"))
    result = runner.invoke(cli, ["staff", str(tmp_path / "none.csv"), "--config", str(path)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "max_agents" in result.stderr


def test_repeated_weekdays_are_read_once(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(site='days = ["mon", "mon", "tue"]'))
    assert load_config(path).sites[0].days == (0, 1)


def test_defaults_live_in_the_receivers(tmp_path: Path) -> None:
    """A file that sets nothing gets the library's own defaults, field for field."""
    from scheduling.shifts.options import ScheduleOptions
    from scheduling.shifts.sites import Site
    from scheduling.staffing.queues import QueueSpec

    path = tmp_path / "wfm.toml"
    path.write_text('[queues.q]\n[[sites]]\nname = "S"\nqueues = ["q"]\n[scheduling]\n')
    config = load_config(path)
    assert config.queues["q"] == QueueSpec(name="q", timezone="UTC")
    assert config.sites[0] == Site(name="S", queues=("q",))
    assert config.scheduling == ScheduleOptions()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", (0, 7)),
        ('week_starts = "mon"', (0, 7)),
        ('week_starts = "SUN"', (6, 6)),
        ('week_starts = "wed"', (2, 2)),
        ('week_starts = "tue"', (1, 1)),
    ],
)
def test_weeks_start_on_the_set_weekday_with_a_part_first_week(tmp_path: Path, setting, expected):
    """A horizon from Monday 00:00 in New York: weeks from Sunday leave a first week
    of 6 days (Monday to Saturday), from Tuesday one of a day."""
    import pandas as pd

    from wfm.app import week_layout

    path = tmp_path / "wfm.toml"
    path.write_text(config_text(scheduling=setting))
    times = pd.date_range("2026-11-23 05:00Z", periods=48, freq="60min")
    requirements = pd.DataFrame({"interval_start": times, "queue": "phone"})
    layout = week_layout(requirements, load_config(path))
    assert (layout["week_start_day"], layout["first_week_days"]) == expected


def test_repair_rounds_is_read_into_the_options(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(scheduling="repair_rounds = 0"))
    assert load_config(path).scheduling.repair_rounds == 0


def test_sweep_passes_is_read_into_the_options(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(scheduling="sweep_passes = 0"))
    assert load_config(path).scheduling.sweep_passes == 0


def test_programme_passes_is_read_into_the_options(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(scheduling="programme_passes = 0"))
    assert load_config(path).scheduling.programme_passes == 0


def test_max_skill_groups_is_read_into_the_options(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(scheduling="max_skill_groups = 0"))
    assert load_config(path).scheduling.max_skill_groups == 0


def test_weekly_rules_rolling_is_read_into_the_options(tmp_path: Path) -> None:
    path = tmp_path / "wfm.toml"
    path.write_text(config_text(scheduling='weekly_rules = "rolling"'))
    assert load_config(path).scheduling.weekly_rules == "rolling"


def test_a_site_open_and_closing_at_the_same_time_is_refused(tmp_path: Path) -> None:
    """Found by a new user's run: 09:00 to 09:00 read as open round the clock."""
    path = tmp_path / "wfm.toml"
    path.write_text(config_text().replace('close = "20:00"', 'close = "08:00"'))
    with pytest.raises(WfmError) as err:
        load_config(path)
    assert str(err.value) == (
        f"{path}: sites[0] (Dublin): open and close are both '08:00'; a site open round "
        'the clock has open = "00:00", close = "24:00"'
    )


def test_a_site_queue_without_a_queue_table_is_refused(tmp_path: Path) -> None:
    """A misspelt queue left the real one unserved at the site, silently."""
    path = tmp_path / "wfm.toml"
    path.write_text(config_text().replace('queues = ["phone"]', 'queues = ["phone", "sms"]'))
    with pytest.raises(WfmError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}: sites[0] (Dublin).queues: no [queues.NAME] table")
    assert "'sms'" in message and "(the config's queues: phone)" in message
    bare = config_text().replace('[queues.phone]\nchannel = "voice"\n', "")
    path.write_text(bare.replace('queues = ["phone"]', 'queues = ["sms"]'))
    assert load_config(path).sites[0].queues == ("sms",)  # no queue tables: nothing to check
