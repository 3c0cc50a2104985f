"""`wfm forecast` what-ifs and gaps, and `wfm backtest`, end to end through the CLI."""

from __future__ import annotations

import io as stdio
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_history
from typer.testing import CliRunner

from forecasting.backtest import SCORE_COLUMNS
from forecasting.columns import FORECAST_COLUMNS
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

[queues.email]
channel = "email"
timezone = "America/New_York"
aht_seconds = 400
"""


def invoke(*args):
    return runner.invoke(cli, [str(a) for a in args])


def write_counts(history: pd.DataFrame, path: Path) -> Path:
    frame = history.copy()
    frame["interval_start"] = frame["interval_start"].map(lambda t: t.isoformat())
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    history = make_history(days=42, queues=("email", "phone"), daily_volume=300, seed=2)
    write_counts(history, tmp_path / "counts.csv")
    return tmp_path


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""


def test_backtest_help():
    result = invoke("backtest", "--help")
    assert result.exit_code == 0
    for option in ("--horizon", "--origins", "--step", "--model", "--events"):
        assert option in result.stdout


def test_backtest_writes_scores_per_queue_and_model_reproducibly(workdir):
    args = ("backtest", workdir / "counts.csv", "--config", workdir / "wfm.toml")
    args += ("--horizon", "1w", "--origins", "3")
    first, second = invoke(*args), invoke(*args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    scores = pd.read_csv(stdio.StringIO(first.stdout))
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert scores["queue"].tolist() == ["email"] * 3 + ["phone"] * 3
    assert scores["model"].tolist() == ["seasonal", "seasonal_naive", "weekly_average"] * 2
    assert (scores["origins"] == 3).all()
    seasonal = scores[scores["model"] == "seasonal"]
    assert (seasonal["wape_vs_naive"] < 1).all()
    assert "Backtest" in first.stderr and "seasonal_naive" in first.stderr


def test_backtest_to_a_file_with_a_step(workdir):
    out = workdir / "scores.csv"
    result = invoke(
        "backtest",
        workdir / "counts.csv",
        "--horizon",
        "2d",
        "--step",
        "1d",
        "--origins",
        "4",
        "--model",
        "seasonal_naive",
        "-o",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    scores = pd.read_csv(out)
    # the evaluated model is also the first baseline: each (queue, model) once
    assert scores["model"].tolist() == ["seasonal_naive", "weekly_average"] * 2


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (("--origins", "30"), ("origins", "fewer origins")),
        (("--origins", "0"), ("--origins",)),
        (("--step", "soon"), ("--step", "soon")),
        (("--horizon", "0w"), ("--horizon",)),
        (("--model", "prophet"), ("unknown model", "prophet")),
    ],
)
def test_bad_backtest_options_are_one_line_errors(workdir, options, fragments):
    one_line_error(invoke("backtest", workdir / "counts.csv", *options), *fragments)


def test_what_if_is_applied_and_recorded(workdir):
    base = ("forecast", workdir / "counts.csv", "--horizon", "48h", "-c", workdir / "wfm.toml")
    plain = invoke(*base, "-q")
    scenario = invoke(*base, "--growth", "0.1", "--deflection", "0.2")
    assert plain.exit_code == 0 and scenario.exit_code == 0, scenario.stderr
    before = pd.read_csv(stdio.StringIO(plain.stdout))
    after = pd.read_csv(stdio.StringIO(scenario.stdout))
    assert list(after.columns) == [*FORECAST_COLUMNS, "baseline_volume", "scenario"]
    assert np.allclose(after["baseline_volume"], before["volume"], atol=1e-3)
    assert np.allclose(after["volume"], before["volume"] * 1.1 * 0.8, atol=1e-3)
    assert (after["scenario"] == "growth +10%; deflection 20%").all()
    assert "what-if applied: growth +10%; deflection 20%" in scenario.stderr


@pytest.mark.parametrize(
    ("options", "fragment"),
    [(("--growth", "-1.5"), "growth"), (("--deflection", "1"), "deflection")],
)
def test_bad_what_if_is_a_one_line_error(workdir, options, fragment):
    one_line_error(invoke("forecast", workdir / "counts.csv", *options), fragment)


def test_gaps_in_a_counts_file_are_a_warning_not_zeros(workdir):
    history = make_history(days=42, queues=("phone",), daily_volume=300, seed=2)
    local = history["interval_start"].dt.tz_convert("America/New_York")
    gap = (local.dt.tz_localize(None).dt.normalize() == pd.Timestamp("2025-02-11")) & (
        local.dt.hour.between(9, 12)
    )
    write_counts(history[~gap], workdir / "gappy.csv")
    result = invoke(
        "forecast", workdir / "gappy.csv", "--horizon", "1w", "-c", workdir / "wfm.toml"
    )
    assert result.exit_code == 0, result.stderr
    assert "4 intervals in open hours are missing" in result.stderr
    assert len(pd.read_csv(stdio.StringIO(result.stdout))) == 168


def test_auto_model_shows_the_choice_per_queue(workdir):
    result = invoke(
        "forecast",
        workdir / "counts.csv",
        "--horizon",
        "1w",
        "--model",
        "auto",
        "-c",
        workdir / "wfm.toml",
    )
    assert result.exit_code == 0, result.stderr
    assert "model (WAPE on the latest weeks, held out): email " in result.stderr
    assert len(pd.read_csv(stdio.StringIO(result.stdout))) == 2 * 168


def test_forecast_backtest_and_plan_share_the_history_options() -> None:
    """The nine options are declared once (wfm.options) and offered by all three."""
    from wfm.options import HistoryOptions

    for command in ("forecast", "backtest", "plan"):
        result = CliRunner().invoke(cli, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        for name in HistoryOptions.__dataclass_fields__:
            assert "--" + name.replace("_", "-") in result.stdout, (command, name)


@pytest.mark.parametrize("horizon", ["10000w", "99999999999999999999w", "20000d"])
def test_absurd_horizons_are_refused(tmp_path, horizon) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text("interval_start,queue,volume\n2025-01-06T00:00:00Z,q,1\n")
    result = CliRunner().invoke(cli, ["forecast", str(counts), "--horizon", horizon])
    assert result.exit_code == 1
    assert "--horizon" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_tz_is_the_model_clock_of_queues_the_config_does_not_name(tmp_path):
    history = make_history(days=42, daily_volume=2000, seed=4)  # phone, New York
    local = history["interval_start"].dt.tz_convert("America/New_York")
    history = history[(local.dt.day_of_week < 5) & local.dt.hour.between(7, 20)]
    counts = write_counts(history, tmp_path / "counts.csv")  # offsets in UTC
    args = ("forecast", counts, "--horizon", "1w", "--country", "US")
    on_utc = invoke(*args)
    on_ny = invoke(*args, "--tz", "America/New_York")
    assert on_utc.exit_code == 0 and on_ny.exit_code == 0, on_ny.stderr
    assert "UTC days" in on_utc.stderr and "UTC days" not in on_ny.stderr
    for result, on_ny_days in ((on_utc, False), (on_ny, True)):
        frame = pd.read_csv(stdio.StringIO(result.stdout), keep_default_na=False)
        starts = pd.to_datetime(frame["interval_start"], utc=True).dt.tz_convert("America/New_York")
        holiday = starts[frame["events"].str.contains("Washington")]  # Monday 2025-02-17
        assert len(holiday) == 24
        assert (holiday.dt.date == pd.Timestamp("2025-02-17").date()).all() == on_ny_days


@pytest.mark.parametrize("command", ["forecast", "backtest"])
def test_workers_zero_is_one_clear_line(workdir, command):
    result = invoke(command, workdir / "counts.csv", "--workers", "0", "--horizon", "1d")
    one_line_error(result, "--workers", "got 0")


def test_workers_give_byte_identical_output(workdir):
    args = ("forecast", workdir / "counts.csv", "--config", workdir / "wfm.toml", "--horizon", "1w")
    one, two = invoke(*args, "--workers", "1"), invoke(*args, "--workers", "2")
    assert one.exit_code == 0, one.stderr
    assert one.stdout == two.stdout


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('holiday_categories = ["nope"]', "forecast.holiday_categories"),
        ('closed_holidays = ["Boxing Dai"]', "forecast.closed_holidays"),
        ('open_holidays = ["Boxing Dai"]', "forecast.open_holidays"),
        ('open_holidays = "Labor Day"', "forecast.open_holidays"),
        ('subdivision = "ZZ"', "forecast.subdivision"),
    ],
)
def test_bad_holiday_options_are_one_line(workdir, line, fragment):
    config = CONFIG.replace('country = "US"', f'country = "US"\n{line}')
    (workdir / "bad.toml").write_text(config)
    result = invoke("forecast", workdir / "counts.csv", "--config", workdir / "bad.toml")
    one_line_error(result, fragment)


def test_open_holidays_in_the_config_turn_a_zero_holiday_into_a_gap(tmp_path):
    history = make_history(days=42, queues=("phone",), daily_volume=300, seed=3)
    local = history["interval_start"].dt.tz_convert("America/New_York").dt.date
    history.loc[local == pd.Timestamp("2025-01-20").date(), "volume"] = 0.0  # MLK Day
    write_counts(history, tmp_path / "counts.csv")
    opened = CONFIG.replace('country = "US"', 'country = "US"\nopen_holidays = ["MLK"]')
    (tmp_path / "bad.toml").write_text(opened)
    result = invoke("forecast", tmp_path / "counts.csv", "--config", tmp_path / "bad.toml")
    one_line_error(result, "forecast.open_holidays", "'MLK'")
    for name, text in (
        ("closed.toml", CONFIG),
        ("open.toml", opened.replace("MLK", "Martin Luther King Jr. Day")),
    ):
        (tmp_path / name).write_text(text)
    args = ("forecast", tmp_path / "counts.csv", "--horizon", "1d")
    closed = invoke(*args, "--config", tmp_path / "closed.toml")
    opened_run = invoke(*args, "--config", tmp_path / "open.toml")
    assert closed.exit_code == 0 and opened_run.exit_code == 0, opened_run.stderr
    assert "looks like a closure" in closed.stderr
    assert "looks like a closure" not in opened_run.stderr
    assert "forecast.open_holidays" in opened_run.stderr and "2025-01-20" in opened_run.stderr


@pytest.mark.parametrize("field", ["closed_holidays", "open_holidays"])
def test_backtest_reads_the_holiday_lists_of_the_config(workdir, field):
    config = CONFIG.replace('country = "US"', f'country = "US"\n{field} = ["Boxing Dai"]')
    (workdir / "bad.toml").write_text(config)
    args = ("backtest", workdir / "counts.csv", "--config", workdir / "bad.toml")
    result = invoke(*args, "--horizon", "1w", "--origins", "1")
    one_line_error(result, f"forecast.{field}", "'Boxing Dai'")


@pytest.mark.parametrize("interval", ["15", "30"])
def test_hourly_counts_at_a_finer_interval_are_refused(workdir, interval):
    """Found by a new user's run: the bank's hourly counts at 15 minutes put each
    hour's volume in its first quarter, the other three read as closed (52 agents
    at the peak instead of 15)."""
    counts = workdir / "counts.csv"
    args = ("--horizon", "1w", "-c", workdir / "wfm.toml", "--interval", interval)
    result = invoke("forecast", counts, *args)
    one_line_error(result, "counts.csv", "60-minute counts", f"interval_minutes {interval}")
    assert invoke("forecast", counts, *args[:-1], "60").exit_code == 0


def test_hourly_counts_of_a_half_hour_zone_are_spread_over_half_hours(workdir):
    """Found by a new user's run: hourly counts exported on India's clock (UTC+05:30)
    lie at :30 UTC. At --interval 60 (UTC's hours) they were refused with 'pass the
    matching --interval', and at 30 each hour's volume sat in one half hour and the
    other read as closed."""
    from wfm.app import ForecastRequest, load_history
    from wfm.config import load_config
    from wfm.options import HistoryOptions

    frame = pd.read_csv(workdir / "counts.csv")
    stamps = pd.to_datetime(frame["interval_start"], utc=True) + pd.Timedelta(minutes=30)
    frame["interval_start"] = stamps.dt.tz_convert("Asia/Kolkata").map(lambda t: t.isoformat())
    frame.to_csv(workdir / "india.csv", index=False)
    args = ("forecast", workdir / "india.csv", "-c", workdir / "wfm.toml", "--horizon", "1w")
    one_line_error(
        invoke(*args, "--interval", "60"), "30 minutes off UTC's 60-minute grid", "--interval 30"
    )
    result = invoke(*args, "--interval", "30")
    assert result.exit_code == 0, result.output
    assert "spread evenly over its 2 30-minute intervals" in result.stderr
    notes: list[str] = []
    request = ForecastRequest(history=workdir / "india.csv", options=HistoryOptions(interval=30))
    history, interval, _ = load_history(request, load_config(workdir / "wfm.toml"), notes=notes)
    assert interval == 30 and len(notes) == 1
    for queue, part in history.groupby("queue"):
        volume = part.set_index("interval_start")["volume"]
        halves = volume.to_numpy()[: len(volume) // 2 * 2].reshape(-1, 2)
        assert (halves[:, 0] == halves[:, 1]).all(), queue
        original = frame[frame["queue"] == queue]["volume"].sum()
        assert volume.sum() == pytest.approx(original)
        assert volume.index.min() == stamps.min()


def test_an_event_with_uplift_minus_one_closes_the_queue(workdir):
    """Found by a new user's run: the holiday warning says 'uplift: -1 = closed', and
    events.csv refused -1 ('must be > -1')."""
    last = pd.to_datetime(pd.read_csv(workdir / "counts.csv")["interval_start"], utc=True).max()
    day = (last.tz_convert("America/New_York") + pd.Timedelta(days=2)).date()
    events = workdir / "events.csv"
    events.write_text(f"name,start,end,queues,uplift\nOffice move,{day},{day},phone,-1\n")
    args = ("--horizon", "1w", "-c", workdir / "wfm.toml", "--events", events)
    result = invoke("forecast", workdir / "counts.csv", *args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(stdio.StringIO(result.stdout))
    local = pd.to_datetime(frame["interval_start"], utc=True).dt.tz_convert("America/New_York")
    moved = frame[local.dt.date == day]
    assert (moved.loc[moved["queue"] == "phone", ["volume", "volume_high"]] == 0).all().all()
    assert moved.loc[moved["queue"] == "email", "volume"].sum() > 0
    events.write_text(f"name,start,end,queues,uplift\nOffice move,{day},{day},phone,-1.5\n")
    one_line_error(invoke("forecast", workdir / "counts.csv", *args), "-1 (closed) or more")


def test_an_event_naming_a_queue_not_in_the_history_names_file_and_row(workdir):
    events = workdir / "events.csv"
    events.write_text(
        "name,start,end,queues,uplift\nLaunch,2025-03-03,2025-03-03,phone,0.2\n"
        "Promo,2025-03-04,2025-03-05,phonee,0.3\n"
    )
    args = ("--horizon", "1w", "-c", workdir / "wfm.toml", "--events", events)
    one_line_error(
        invoke("forecast", workdir / "counts.csv", *args),
        "events.csv: row 3: event 'Promo'",
        "'phonee' is not in the history",
    )


def test_counts_off_the_grid_name_the_first_row(workdir):
    frame = pd.read_csv(workdir / "counts.csv")
    frame.loc[5, "interval_start"] = frame.loc[5, "interval_start"].replace(":00:00", ":15:00", 1)
    frame.to_csv(workdir / "off.csv", index=False)
    result = invoke("forecast", workdir / "off.csv", "--horizon", "1w", "-c", workdir / "wfm.toml")
    one_line_error(result, "off.csv", "not on the 60-minute grid (row 7:", "1 such row)")


def test_a_subdivision_without_a_country_is_refused(workdir):
    """Found by a new user's run: subdivision = "TX" alone was accepted and ignored."""
    config = workdir / "tx.toml"
    config.write_text(CONFIG.replace('country = "US"', 'subdivision = "TX"'))
    result = invoke("forecast", workdir / "counts.csv", "-c", config, "--horizon", "1w")
    one_line_error(result, "tx.toml: forecast.subdivision 'TX' needs a country")
    with_country = ("--country", "US", "-q")
    assert (
        invoke(
            "forecast", workdir / "counts.csv", "-c", config, "--horizon", "1w", *with_country
        ).exit_code
        == 0
    )


def test_holiday_settings_errors_name_the_config_or_the_option(workdir):
    """Found by a new user's run: 'forecast.closed_holidays: ...' without the file, and
    a bad --country reported as forecast.country."""
    config = workdir / "xmas.toml"
    config.write_text(
        CONFIG.replace('country = "US"', 'country = "US"\nclosed_holidays = ["Xmas"]')
    )
    result = invoke("forecast", workdir / "counts.csv", "-c", config, "--horizon", "1w")
    one_line_error(result, "xmas.toml: forecast.closed_holidays: 'Xmas'")
    args = ("-c", workdir / "wfm.toml", "--horizon", "1w", "--country", "XX")
    one_line_error(invoke("forecast", workdir / "counts.csv", *args), "--country: unknown country")
