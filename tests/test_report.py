"""`wfm report`: the page's sections, self-containment, bytes, bad folders, and its sums."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import conftest
import numpy as np
import pandas as pd
import pytest
from conftest import make_history
from typer.testing import CliRunner

from wfm.cli import cli
from wfm.plan_files import recent_history
from wfm.plan_set import MANIFEST, write_manifest
from wfm.report import build_report
from wfm.report.coverage_frames import (
    coverage_ratio_by_local_hour,
    on_duty_by_site,
    scheduled_by_site,
)

runner = CliRunner()
# Two days of hourly intervals over the US spring-forward night (2026-03-08).
START = pd.Timestamp("2026-03-07T00:00", tz="UTC")
GRID = pd.date_range(START, periods=48, freq="h")
QUEUES = {"phone": "America/New_York", "email": "Europe/Dublin"}
SITES = {"Austin": "America/Chicago", "Dublin": "Europe/Dublin", "Manila": "Asia/Manila"}
SECTIONS = ("forecast", "staffing", "heatmap", "schedule", "cost")
PLAN_FILES = (
    "forecast.csv",
    "coverage.csv",
    "requirements.csv",
    "schedule.csv",
    "recent_history.csv",
    "plan.json",
)


def iso(stamp: pd.Timestamp, zone: str = "UTC") -> str:
    return pd.Timestamp(stamp).tz_convert(zone).isoformat()


def shifts() -> pd.DataFrame:
    """Six shifts at three sites (UTC), one with a second break."""
    rows = [
        ("Ann", "Austin", "2026-03-07T14:00", 8, "2026-03-07T18:00", "phone;email", ""),
        ("Bob", "Austin", "2026-03-08T14:00", 8, "2026-03-08T17:30", "phone", ""),
        ("Cat", "Dublin", "2026-03-07T08:00", 8, "2026-03-07T12:00", "email", ""),
        ("Cat", "Dublin", "2026-03-08T08:00", 8, "2026-03-08T12:00", "email", ""),
        ("Dan", "Manila", "2026-03-07T00:00", 9, "2026-03-07T04:00", "phone;email", "x"),
        ("Dan", "Manila", "2026-03-08T22:00", 9, "2026-03-09T02:00", "phone;email", ""),
    ]
    out = []
    for agent, site, start, hours, pause, queue, more in rows:
        begin = pd.Timestamp(start, tz="UTC")
        rest = pd.Timestamp(pause, tz="UTC")
        other = ""
        if more:
            a, b = begin + pd.Timedelta(hours=6), begin + pd.Timedelta(hours=6, minutes=15)
            other = f"{iso(a, SITES[site])}/{iso(b, SITES[site])}"
        out.append(
            {
                "agent": agent,
                "site": site,
                "start": begin,
                "end": begin + pd.Timedelta(hours=hours),
                "timezone": SITES[site],
                "break_start": rest,
                "break_end": rest + pd.Timedelta(minutes=30),
                "other_breaks": other,
                "queue": queue,
            }
        )
    return pd.DataFrame(out)


def write_plan(folder: Path, *, sim: bool = False, capacity: bool = False) -> Path:
    """A small plan folder in the file contracts of `wfm plan --out`."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    forecast, coverage = [], []
    for queue in QUEUES:
        volume = 5 + 20 * np.sin(np.linspace(0, 2 * np.pi, len(GRID))) ** 2
        for t, v in zip(GRID, volume, strict=True):
            forecast.append(
                {
                    "interval_start": t.isoformat(),
                    "queue": queue,
                    "volume": round(v, 2),
                    "volume_low": round(v * 0.8, 2),
                    "volume_high": round(v * 1.2, 2),
                    "aht_seconds": 300,
                    "events": "Launch" if t.day == 8 and t.hour < 6 else "",
                }
            )
            required = round(v / 6, 2)
            scheduled = round(float(rng.uniform(0, 5)), 2)
            coverage.append(
                {
                    "interval_start": t.isoformat(),
                    "queue": queue,
                    "required": required,
                    "scheduled": scheduled,
                    "shortfall": max(required - scheduled, 0),
                    "surplus": max(scheduled - required, 0),
                }
            )
    forecast = pd.DataFrame(forecast)
    forecast.to_csv(folder / "forecast.csv", index=False)
    pd.DataFrame(coverage).to_csv(folder / "coverage.csv", index=False)
    requirements = forecast[["interval_start", "queue", "volume", "aht_seconds"]].assign(
        agents=3.0,
        agents_scheduled=4.0,
        service_level=0.8,
        asa_seconds=20.0,
        occupancy=0.7,
        agent_hours=4.0,
    )
    requirements.to_csv(folder / "requirements.csv", index=False)
    schedule = shifts()
    for column in ("start", "end", "break_start", "break_end"):
        schedule[column] = [
            iso(t, z) for t, z in zip(schedule[column], schedule["timezone"], strict=True)
        ]
    schedule.to_csv(folder / "schedule.csv", index=False)
    history = pd.DataFrame(
        [
            {"interval_start": (t - pd.Timedelta(weeks=1)).isoformat(), "queue": q, "volume": 7.0}
            for q in QUEUES
            for t in GRID
        ]
    )
    history.to_csv(folder / "recent_history.csv", index=False)
    (folder / "plan.json").write_text(json.dumps(summary(), indent=2) + "\n")
    write_manifest(folder, PLAN_FILES)  # as `wfm plan` does; sim.csv and capacity.csv come later
    if sim:
        frame = forecast[["interval_start", "queue"]].assign(
            offered=10.0,
            answered=9.0,
            abandoned=1.0,
            service_level=0.8,
            service_level_p10=0.6,
            p_meet_target=np.linspace(0, 1, len(forecast)).round(3),
            asa_seconds=15.0,
            occupancy=0.7,
            backlog=0.0,
        )
        frame.to_csv(folder / "sim.csv", index=False)
    if capacity:
        weeks = pd.date_range("2026-03-09", periods=6, freq="7D").strftime("%Y-%m-%d")
        rows = [
            {
                "week_start": w,
                "site": s,
                "required_fte": 10.0,
                "headcount": 9,
                "in_training": 1,
                "hires": 2 if i == 0 else 0,
                "class_start": "true" if i == 0 else "false",
                "attrition": 0.2,
                "productive_fte": 8.0,
                "overtime_fte": 0.5,
                "outsourced_fte": 0.0,
                "short_fte": 1.5 if s == "Austin" else 0.0,
                "cost": 1000.0,
            }
            for i, w in enumerate(weeks)
            for s in ("Austin", "Manila")
        ]
        rows += [
            {
                **rows[0],
                "week_start": w,
                "site": "outsourced",
                "required_fte": 0.0,
                "headcount": 0,
                "productive_fte": 0.0,
                "overtime_fte": 0.0,
                "outsourced_fte": 1.0,
                "short_fte": 0.0,
                "hires": 0,
                "class_start": "false",
            }
            for w in weeks
        ]
        pd.DataFrame(rows).to_csv(folder / "capacity.csv", index=False)
    return folder


def summary() -> dict:
    return {
        "interval_minutes": 60,
        "fte_hours_per_week": 40,
        "cyclic": True,
        "queues": {
            q: {"timezone": z, "channel": "voice", "model": "seasonal", "holdout_wape": 0.123}
            for q, z in QUEUES.items()
        },
        "sites": [
            {
                "name": s,
                "timezone": z,
                "cost_per_hour": 20.0,
                "max_agents": 5,
                "agents": 1,
                "shifts": 2,
                "paid_hours": 16.0,
                "fte": 0.4,
                "cost": 320.0,
            }
            for s, z in SITES.items()
        ],
        "solve": {
            "solver": "highs",
            "status": "optimal",
            "stopped_by": "gap",
            "objective": 960.0,
            "bound": 950.0,
            "gap": 0.0104,
        },
        "binding": ["site 'Manila': max_agents 5 reached on 2026-03-07"],
        "coverage": {
            "required_agent_hours": 100.0,
            "scheduled_agent_hours": 98.0,
            "short_agent_hours": 2.0,
        },
    }


def sections_of(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z-]+)">', page)


# -- structure -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    """The report of a small plan folder with sim.csv and capacity.csv (built once)."""
    folder = tmp_path_factory.mktemp("report") / "plan"
    return build_report(write_plan(folder, sim=True, capacity=True)).html


def test_every_section_is_on_the_page_with_a_chart(page):
    assert sections_of(page) == [*SECTIONS, "simulation", "capacity"]
    for key in ("forecast", "staffing", "heatmap", "schedule"):
        body = page.split(f'<section id="{key}">')[1].split("</section>")[0]
        assert body.count("<svg") >= 1, key
    assert "Launch" in page  # the event's lane
    assert "12.3%" in page  # held-out WAPE
    assert "gap 1.04%" in page and "max_agents 5 reached" in page
    assert "local time (America/New_York)" in page and "local time (Asia/Manila)" in page
    assert "local hour (Europe/Dublin)" in page


def test_the_page_is_self_contained(page):
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", page, re.I)
    # Ids are unique across the page's charts (each SVG's are prefixed by its key).
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r'(?:url\(#|href="#)([^)"]+)', page):
        assert reference in ids, reference


def test_simulation_and_capacity_sections_show_their_files(page):
    sim = page.split('<section id="simulation">')[1].split("</section>")[0]
    assert sim.count("<svg") == 2  # one chart per queue
    # p_meet_target runs 0..1 over 96 rows: phone's 48 come first, all below 50%.
    assert "<td>phone</td><td class=num>25%</td><td class=num>48</td>" in sim
    assert "<td>email</td><td class=num>75%</td><td class=num>0</td>" in sim
    capacity = page.split('<section id="capacity">')[1].split("</section>")[0]
    assert "<td>Austin</td><td class=num>2</td><td class=num>1</td>" in capacity
    assert "outsourced" in capacity


def test_the_same_files_give_the_same_bytes_in_other_processes_and_folders(tmp_path):
    write_plan(tmp_path / "plan", sim=True, capacity=True)
    shutil.copytree(tmp_path / "plan", tmp_path / "elsewhere")
    pages = []
    for seed, folder in (("1", tmp_path / "plan"), ("2", tmp_path / "elsewhere")):
        out = tmp_path / f"report{seed}.html"
        command = [
            sys.executable,
            "-c",
            "from wfm.cli import main; main()",
            "report",
            str(folder),
            "-o",
            str(out),
        ]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert result.returncode == 0, result.stderr
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    assert b"<svg" in pages[0]


# -- bad input -----------------------------------------------------------------------


def test_a_missing_file_is_one_line_exit_1_and_the_rest_is_written(tmp_path):
    folder = write_plan(tmp_path / "plan")
    (folder / "coverage.csv").unlink()
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "missing coverage.csv" in lines[0]
    assert "written with the rest (forecast, schedule, cost)" in lines[0]  # what still renders
    written = out.read_text()
    assert sections_of(written) == list(SECTIONS)  # no sim.csv, no capacity.csv: no sections
    assert "Not shown: this chart needs coverage.csv" in written
    assert written.split('<section id="forecast">')[1].count("<svg") >= 3


@pytest.mark.parametrize(
    "setup, fragment",
    [
        (lambda p: p.write_text("x"), "not a folder"),
        (lambda p: p.mkdir(), "holds none of the plan files"),
        (
            lambda p: write_plan(p) and (p / "coverage.csv").write_text("interval_start,queue\n"),
            "has a header but no rows",
        ),
        (lambda p: write_plan(p) and (p / "plan.json").write_text("{"), "plan.json: cannot read"),
        (
            lambda p: write_plan(p) and (p / "forecast.csv").write_text("queue,volume\nphone,1\n"),
            "interval_start",
        ),
    ],
)
def test_bad_folders_are_one_line_and_nothing_written(tmp_path, setup, fragment):
    folder = tmp_path / "plan"
    setup(folder)
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_file_changed_since_the_plan_is_refused_and_nothing_written(tmp_path):
    """A hand-edited or newer schedule.csv beside the plan's cost: a page mixing two plans."""
    folder = write_plan(tmp_path / "plan", sim=True)
    schedule = folder / "schedule.csv"
    schedule.write_text(schedule.read_text().replace("Dublin", "Dublin ", 1))
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", str(folder), "-o", str(out)])
    conftest.assert_one_line_error(
        result, "schedule.csv: not the file this plan wrote", "mix two plans", "wfm plan"
    )
    assert not out.exists()


def test_files_added_after_the_plan_are_not_a_mix(tmp_path):
    """sim.csv and capacity.csv come from other commands; report.html is the page itself."""
    folder = write_plan(tmp_path / "plan", sim=True, capacity=True)
    for _ in range(2):
        result = runner.invoke(cli, ["report", str(folder), "-o", str(folder / "report.html")])
        assert result.exit_code == 0, result.output
        assert result.stderr == ""


def test_sim_and_capacity_of_an_earlier_plan_are_left_out_and_said(tmp_path):
    """A new `wfm plan --out` into the folder leaves the old sim.csv and capacity.csv."""
    folder = write_plan(tmp_path / "plan", sim=True, capacity=True)
    for name, column in (("sim.csv", "interval_start"), ("capacity.csv", "week_start")):
        frame = pd.read_csv(folder / name)
        earlier = pd.to_datetime(frame[column], utc=True) - pd.Timedelta(weeks=10)
        frame[column] = [t.isoformat() for t in earlier]
        frame.to_csv(folder / name, index=False)
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("warning: ") for line in lines), lines
    assert "sim.csv covers" in lines[0] and "run `wfm simulate`" in lines[0]
    assert "capacity.csv ends with the week of" in lines[1]
    page = out.read_text()
    assert sections_of(page) == list(SECTIONS)
    assert page.count('class="problem"') == 2


def test_a_folder_without_a_manifest_is_drawn_with_a_warning(tmp_path):
    folder = write_plan(tmp_path / "plan")
    (folder / MANIFEST).unlink()
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: "), result.stderr
    assert f"no {MANIFEST}" in lines[0] and "different runs" in lines[0]
    assert out.exists()


def test_plan_report_is_the_page_report_draws_from_the_folder(tmp_path):
    """A real (small) `wfm plan --report`: plan.json, the history tail and the page."""
    (tmp_path / "wfm.toml").write_text(PLAN_CONFIG)
    history = make_history(days=28, queues=("phone",), daily_volume=150, seed=5)
    history["interval_start"] = history["interval_start"].map(lambda t: t.isoformat())
    history.to_csv(tmp_path / "counts.csv", index=False)
    out = tmp_path / "plan"
    args = ["plan", "--config", tmp_path / "wfm.toml", "--history", tmp_path / "counts.csv"]
    result = runner.invoke(cli, [str(a) for a in [*args, "--out", out, "--report", "-q"]])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "plan.json").read_text())
    assert [s["name"] for s in summary["sites"]] == ["Dublin"]
    assert summary["queues"]["phone"]["timezone"] == "America/New_York"
    assert summary["solve"]["solver"] in ("highs", "cbc") and "seconds" not in summary["solve"]
    schedule = pd.read_csv(out / "schedule.csv")
    paid = (
        pd.to_datetime(schedule["end"], utc=True) - pd.to_datetime(schedule["start"], utc=True)
    ).dt.total_seconds().sum() / 3600
    assert summary["sites"][0]["paid_hours"] == pytest.approx(paid)
    assert summary["sites"][0]["cost"] == pytest.approx(paid * 30.0)
    tail = pd.read_csv(out / "recent_history.csv")
    first = pd.read_csv(out / "forecast.csv")["interval_start"].min()
    assert tail["interval_start"].max() < first and len(tail) == 3 * 7 * 24
    again = runner.invoke(cli, ["report", str(out), "-o", str(tmp_path / "again.html")])
    assert again.exit_code == 0, again.output
    assert (out / "report.html").read_bytes() == (tmp_path / "again.html").read_bytes()
    assert sections_of((out / "report.html").read_text()) == list(SECTIONS)


PLAN_CONFIG = """\
interval_minutes = 60
timezone = "America/New_York"

[queues.phone]
channel = "voice"
timezone = "America/New_York"
aht_seconds = 300

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
open = "06:00"
close = "24:00"
queues = ["phone"]
shift_hours = [8]
cost_per_hour = 30.0

[scheduling]
time_limit_seconds = 30
node_limit = 200
"""


def test_report_help_has_an_example():
    result = runner.invoke(cli, ["report", "--help"])
    assert result.exit_code == 0 and "wfm report plan/ -o report.html" in result.stdout


# -- the sums behind the pictures ----------------------------------------------------


def test_on_duty_counts_breaks_pro_rata_and_wraps_the_week():
    schedule = shifts()
    on_duty = on_duty_by_site(schedule, GRID, cyclic=True)
    ann = on_duty[(on_duty["site"] == "Austin") & (on_duty["queue"] == "email")]
    by_hour = ann.set_index("interval_start")["agents"]
    assert by_hour[pd.Timestamp("2026-03-07T17:00", tz="UTC")] == 1.0
    assert by_hour[pd.Timestamp("2026-03-07T18:00", tz="UTC")] == 0.5  # 30-minute break
    assert ann["agents"].sum() == pytest.approx(7.5)  # 8 hours less the break
    # Dan's second shift runs 22:00-07:00 past the 48-hour grid: its tail wraps to the
    # start, where it overlaps his first shift (00:00-09:00, breaks 04:00-04:30, 06:00-06:15).
    dan = on_duty[(on_duty["site"] == "Manila") & (on_duty["queue"] == "phone")]
    wrapped = dan[dan["interval_start"] < pd.Timestamp("2026-03-07T07:00", tz="UTC")]
    assert wrapped["agents"].sum() == pytest.approx((7 - 0.5 - 0.25) + (7 - 0.5))
    assert list(dan.set_index("interval_start")["agents"][GRID[1:3]]) == [2.0, 1.5]
    unwrapped = on_duty_by_site(schedule, GRID, cyclic=False)
    assert unwrapped["agents"].sum() < on_duty["agents"].sum()


def test_every_on_duty_hour_matches_brute_force_minutes():
    schedule = shifts()
    on_duty = on_duty_by_site(schedule, GRID, cyclic=False)
    got = on_duty.groupby("site")["agents"].sum()
    for site, part in schedule.groupby("site"):
        minutes = 0
        for row in part.itertuples():
            pauses = [(row.break_start, row.break_end)]
            if row.other_breaks:
                a, b = row.other_breaks.split("/")
                pauses.append((pd.Timestamp(a), pd.Timestamp(b)))
            for m in pd.date_range(row.start, row.end, freq="min", inclusive="left"):
                inside = m < GRID[-1] + pd.Timedelta(hours=1)
                if inside and not any(a <= m < b for a, b in pauses):
                    minutes += len(row.queue.split(";"))
        assert got[site] == pytest.approx(minutes / 60), site


def test_scheduled_by_site_adds_up_to_coverage():
    coverage = pd.DataFrame(
        {
            "interval_start": np.repeat(GRID[:24], 2),
            "queue": ["phone", "email"] * 24,
            "scheduled": np.arange(48, dtype=float) / 4,
        }
    )
    split = scheduled_by_site(coverage, on_duty_by_site(shifts(), GRID))
    totals = split.groupby(["interval_start", "queue"])["scheduled"].sum()
    expected = coverage[coverage["scheduled"] > 0].set_index(["interval_start", "queue"])
    pd.testing.assert_series_equal(
        totals.sort_index(), expected["scheduled"].sort_index(), check_names=False
    )
    # 14:00 UTC on the 7th: only Ann (Austin) is on duty for phone.
    at = split[(split["interval_start"] == GRID[14]) & (split["queue"] == "phone")]
    assert list(at["site"]) == ["Austin"]


def test_coverage_ratio_reads_local_hours_across_a_dst_change():
    coverage = pd.DataFrame({"interval_start": GRID, "required": 2.0, "scheduled": 1.0})
    coverage.loc[14, "scheduled"] = 3.0  # 2026-03-07 14:00 UTC = 09:00 in New York (EST)
    coverage.loc[14 + 24, "scheduled"] = 4.0  # 2026-03-08 14:00 UTC = 10:00 (EDT)
    ratio = coverage_ratio_by_local_hour(coverage, zone="America/New_York")
    assert ratio.loc[pd.Timestamp("2026-03-07").date(), 9] == 1.5
    assert ratio.loc[pd.Timestamp("2026-03-08").date(), 10] == 2.0
    assert np.isnan(ratio.loc[pd.Timestamp("2026-03-08").date(), 2])  # the skipped hour
    assert ratio.stack().count() == 48
    coverage["required"] = 0.0
    assert coverage_ratio_by_local_hour(coverage, zone="UTC").isna().all().all()


def test_recent_history_keeps_the_weeks_before_the_forecast():
    history = pd.DataFrame(
        {
            "interval_start": pd.date_range("2026-01-01", periods=24 * 60, freq="h", tz="UTC"),
            "queue": "phone",
            "volume": 1.0,
        }
    )
    before = pd.Timestamp("2026-02-20", tz="UTC")
    tail = recent_history(history, before=before, weeks=2)
    assert tail["interval_start"].min() == before - pd.Timedelta(weeks=2)
    assert tail["interval_start"].max() == before - pd.Timedelta(hours=1)
    assert len(tail) == 14 * 24
