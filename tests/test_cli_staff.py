"""`wfm staff` and `wfm erlang` through the CLI: real files, exact columns, one-line errors."""

from __future__ import annotations

import io as stdio
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_one_line_error
from typer.testing import CliRunner

from wfm.cli import cli

runner = CliRunner()

CONFIG = """\
interval_minutes = 60
timezone = "UTC"

[staffing]
fte_hours_per_week = 37.5

[queues.phone]
channel = "voice"
aht_seconds = 300
service_level = 0.8
answer_seconds = 20
shrinkage = 0.3
patience_seconds = 120
max_abandonment = 0.05
span_of_control = 8
shrinkage_profile = [
  { days = ["mon"], from = "09:00", to = "11:00", rate = 0.45 },
]

[queues.chat]
channel = "chat"
aht_seconds = 400
concurrency = 3
concurrency_efficiency = 0.8
answer_seconds = 60

[queues.email]
channel = "email"
aht_seconds = 420
response_hours = 4
service_level = 0.9
open = "08:00"
close = "18:00"
days = ["mon", "tue", "wed", "thu", "fri"]
"""

STAFF_COLUMNS = [
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
    "channel",
    "wait_probability",
    "backlog",
    "abandonment",
    "shrinkage",
    "leads",
]


def invoke(*args):
    return runner.invoke(cli, [str(a) for a in args])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    starts = pd.date_range("2024-03-04 00:00", periods=48, freq="h", tz="UTC")  # Mon, Tue
    hour = starts.hour.to_numpy()
    shape = np.exp(-0.5 * ((hour - 12) / 3.5) ** 2)
    frames = [
        pd.DataFrame(
            {
                "interval_start": [t.isoformat() for t in starts],
                "queue": queue,
                "volume": np.round(peak * shape, 1),
                "volume_low": np.round(0.8 * peak * shape, 1),
                "volume_high": np.round(1.25 * peak * shape, 1),
            }
        )
        for queue, peak in (("phone", 120.0), ("chat", 60.0), ("email", 40.0))
    ]
    pd.concat(frames).to_csv(tmp_path / "forecast.csv", index=False)
    return tmp_path


def _staff(workdir: Path, *extra) -> tuple[pd.DataFrame, str]:
    result = invoke("staff", workdir / "forecast.csv", "--config", workdir / "wfm.toml", *extra)
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(stdio.StringIO(result.stdout)), result.stderr


def test_staff_writes_the_contract_then_the_extras(workdir) -> None:
    frame, stderr = _staff(workdir)
    assert list(frame.columns) == STAFF_COLUMNS
    assert sorted(frame["queue"].unique()) == ["chat", "email", "phone"]
    phone = frame[frame["queue"] == "phone"]
    busy = phone[phone["volume"] > 0]
    assert (busy["service_level"] >= 0.8 - 1e-9).all()
    assert (busy["abandonment"] <= 0.05 + 1e-9).all()
    np.testing.assert_allclose(phone["leads"], phone["agents_scheduled"] / 8, atol=1e-3)
    monday_10 = phone[phone["interval_start"] == "2024-03-04T10:00:00+00:00"]
    assert monday_10["shrinkage"].iloc[0] == 0.45
    email = frame[frame["queue"] == "email"]
    closed = email["interval_start"].str[11:13].astype(int) < 8
    assert (email.loc[closed, "agents"] == 0).all()
    assert (email.loc[~closed, "agents"] > 0).any()
    # The summary is for people: on stderr, with FTE at the configured 37.5 hours.
    assert "Staffing requirements" in stderr
    assert "FTE at 37.5 paid hours a week" in stderr
    for word in ("phone", "chat", "email", "voice", "(all)", "peak leads"):
        assert word in stderr


def test_staff_is_reproducible_and_writes_files(workdir) -> None:
    out = workdir / "requirements.csv"
    result = invoke(
        "staff", workdir / "forecast.csv", "--config", workdir / "wfm.toml", "-o", out, "-q"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    again = invoke("staff", workdir / "forecast.csv", "--config", workdir / "wfm.toml", "-q")
    assert out.read_text() == again.stdout


def test_use_high_and_whole_agents_and_fte_hours(workdir) -> None:
    base, _ = _staff(workdir)
    high, _ = _staff(workdir, "--use-high")
    assert (high["volume"] >= base["volume"]).all()
    assert (high["agents"] >= base["agents"]).all()
    assert (high["agents"] > base["agents"]).any()
    whole, stderr = _staff(workdir, "--whole-agents", "--fte-hours", "40")
    for column in ("agents_scheduled", "leads"):
        assert (whole[column] == np.round(whole[column])).all(), column
    live = whole["channel"] != "email"  # email's work divides: its agents stay fractional
    assert (whole.loc[live, "agents"] == np.round(whole.loc[live, "agents"])).all()
    assert "FTE at 40 paid hours" in stderr


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        ("aht_seconds = 0", ["queue 'phone'", "aht_seconds"]),
        ("service_level = 1.2", ["queue 'phone'", "service_level"]),
        ("answer_seconds = -3", ["queue 'phone'", "answer_seconds"]),
        ("shrinkage = 1.0", ["queue 'phone'", "shrinkage"]),
        ("max_occupancy = 0", ["queue 'phone'", "max_occupancy"]),
        ("concurrency = 0", ["queue 'phone'", "concurrency"]),
        ("patience_seconds = -1", ["queue 'phone'", "patience_seconds"]),
        ("shrinkge = 0.3", ["[queues.phone]", "unknown field 'shrinkge'"]),
    ],
)
def test_bad_queue_fields_are_one_line_naming_file_queue_and_field(
    workdir, line, fragments
) -> None:
    key = line.split(" = ")[0]
    text = CONFIG.replace("[queues.phone]\n", f"[queues.phone]\n{line}\n")
    if key in {"aht_seconds", "service_level", "answer_seconds", "shrinkage", "patience_seconds"}:
        kept = [x for x in text.splitlines() if not x.startswith(f"{key} = ") or x == line]
        text = "\n".join(kept) + "\n"
    (workdir / "bad.toml").write_text(text)
    result = invoke("staff", workdir / "forecast.csv", "--config", workdir / "bad.toml")
    assert_one_line_error(result, "bad.toml", *fragments)


def test_bad_shrinkage_profile_and_staffing_table(workdir) -> None:
    text = CONFIG.replace("rate = 0.45 }", "rate = 1.0 }")
    (workdir / "a.toml").write_text(text)
    result = invoke("staff", workdir / "forecast.csv", "--config", workdir / "a.toml")
    assert_one_line_error(result, "a.toml", "queues.phone.shrinkage_profile[0].rate")
    text = CONFIG.replace("fte_hours_per_week = 37.5", "fte_hours_per_week = 0")
    (workdir / "b.toml").write_text(text)
    result = invoke("staff", workdir / "forecast.csv", "--config", workdir / "b.toml")
    assert_one_line_error(result, "b.toml", "staffing.fte_hours_per_week")
    text = CONFIG.replace('days = ["mon", "tue", "wed", "thu", "fri"]', 'days = ["someday"]')
    (workdir / "c.toml").write_text(text)
    result = invoke("staff", workdir / "forecast.csv", "--config", workdir / "c.toml")
    assert_one_line_error(result, "c.toml", "queues.email.days")


# --- erlang ------------------------------------------------------------------------------

BASE = ["erlang", "--volume", 100, "--interval-minutes", 30, "--aht-seconds", 180]


def _row(result) -> dict[str, str]:
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.splitlines()
    return dict(zip(header.split(","), row.split(","), strict=True))


def test_erlang_asa_target_binds() -> None:
    assert _row(invoke(*BASE))["agents"] == "14"
    row = _row(invoke(*BASE, "--target-asa-seconds", 3))
    assert row["agents"] == "16"
    assert float(row["asa_seconds"]) <= 3


def test_erlang_a_options() -> None:
    row = _row(invoke(*BASE, "--patience-seconds", 120, "--max-abandonment", 0.01))
    assert list(row) == [
        "agents",
        "service_level",
        "asa_seconds",
        "occupancy",
        "wait_probability",
        "abandonment",
    ]
    assert float(row["abandonment"]) <= 0.01
    assert float(row["service_level"]) >= 0.8
    fixed = _row(invoke(*BASE, "--patience-seconds", 120, "--agents", 10))
    assert fixed["agents"] == "10"
    assert 0 < float(fixed["abandonment"]) < 1  # 10 agents for 10 Erlangs: callers leave


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--patience-seconds", "0"], "--patience-seconds"),
        (["--max-abandonment", "0.05"], "--max-abandonment: needs --patience-seconds"),
        (["--patience-seconds", "60", "--max-abandonment", "2"], "--max-abandonment"),
        (["--target-asa-seconds", "0"], "--target-asa-seconds"),
        (["--max-occupancy", "0"], "--max-occupancy"),
        (["--agents", "-1"], "--agents"),
    ],
)
def test_erlang_bad_options(args, fragment) -> None:
    assert_one_line_error(invoke(*BASE, *args), fragment)


def test_help_shows_examples() -> None:
    for command in ("staff", "erlang"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert f"wfm {command}" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--agents", "99999999999"], "--agents"),  # tried to allocate 745 GiB
        (["--patience-seconds", "1e308"], "--patience-seconds"),  # gave 304 agents, not 14
        (["--aht-seconds", "1e8"], "--aht-seconds"),
        (["--volume", "1e308"], "--volume"),
        (["--interval-minutes", "0"], "--interval-minutes"),
    ],
)
def test_erlang_refuses_absurd_sizes(args, fragment) -> None:
    assert_one_line_error(invoke(*BASE, *args), fragment)


def test_erlang_warns_when_agents_cannot_keep_up() -> None:
    result = invoke(*BASE, "--agents", 9)  # 10 Erlangs of work
    row = _row(result)
    assert row["asa_seconds"] == "inf"
    assert "9 agents cannot keep up with 10 Erlangs" in result.stderr


def test_erlang_and_staff_agree_on_one_interval(tmp_path) -> None:
    """`wfm erlang` is the staffing path's own computation for one interval."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(
        "interval_start,queue,volume,aht_seconds\n2025-01-06T09:00:00+00:00,phone,200,180\n"
    )
    config = tmp_path / "wfm.toml"
    config.write_text(
        "interval_minutes = 60\n[queues.phone]\nchannel = 'voice'\naht_seconds = 180\n"
        "service_level = 0.8\nanswer_seconds = 20\nmax_occupancy = 1.0\n"
    )
    staffed = invoke("staff", forecast, "--config", config, "-q")
    assert staffed.exit_code == 0, staffed.stderr
    frame = pd.read_csv(stdio.StringIO(staffed.stdout))
    row = _row(invoke("erlang", "--volume", 200, "--interval-minutes", 60, "--aht-seconds", 180))
    assert int(row["agents"]) == int(frame["agents"].iloc[0])
    assert float(row["service_level"]) == pytest.approx(frame["service_level"].iloc[0], abs=1e-4)


@pytest.mark.parametrize("volume", ["1e9", "1e308"])
def test_staff_refuses_an_interval_no_centre_could_staff(tmp_path, volume) -> None:
    """Was a long silent run (1e6 agents) or an overflow; now refused before Erlang."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(
        f"interval_start,queue,volume,aht_seconds\n2025-01-06T09:00:00+00:00,phone,{volume},180\n"
    )
    config = tmp_path / "wfm.toml"
    config.write_text("[queues.phone]\nchannel = 'voice'\n")
    result = invoke("staff", forecast, "--config", config)
    assert_one_line_error(result, "more work than", "phone")


def test_help_keeps_config_section_names() -> None:
    """rich markup ate [queues], [staffing] and [[sites]] ("wfm.toml with .")."""
    wide = {"COLUMNS": "200"}
    staff = runner.invoke(cli, ["staff", "--help"], env=wide).stdout
    assert "wfm.toml with [queues]." in staff and "(default [staffing])" in staff
    schedule = runner.invoke(cli, ["schedule", "--help"], env=wide).stdout
    assert "wfm.toml with [[sites]]." in schedule


def test_staff_summary_shows_a_fractional_peak(tmp_path) -> None:
    """A quiet email queue's peak of 0.64 agents was shown as 'peak agents 0'."""
    from wfm import render

    frame = pd.DataFrame(
        {
            "interval_start": pd.date_range("2025-01-06", periods=2, freq="h", tz="UTC"),
            "queue": "email",
            "channel": "email",
            "agents": [0.64, 0.2],
            "agents_scheduled": [0.9, 0.3],
            "agent_hours": [0.9, 0.3],
        }
    )
    with render.console.capture() as captured:
        render.staff_summary(frame, interval_minutes=60)
    assert "0.6" in captured.get()


def test_a_bad_forecast_is_named_by_its_file(workdir) -> None:
    """Found by a new user's run: errors from staffing began 'forecast:' with no file."""
    frame = pd.read_csv(workdir / "forecast.csv")
    frame.loc[frame["queue"] == "email", "queue"] = "emial"
    frame.to_csv(workdir / "typo.csv", index=False)
    result = invoke("staff", workdir / "typo.csv", "--config", workdir / "wfm.toml")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {workdir / 'typo.csv'}: "), lines
    assert "'emial'" in lines[0] and "forecast: " not in lines[0]
