"""ICS per agent: one calendar per agent, safe file names, all-or-nothing folders."""

from __future__ import annotations

import io as stdio
import os
import re
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from conftest import make_history
from typer.testing import CliRunner

from wfm import calendars, folders
from wfm.cli import cli
from wfm.errors import WfmError

SAFE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.ics$")
MARKER = folders.FOLDER_MARKER


def written(folder: Path) -> dict[str, bytes]:
    """{name: bytes} of the calendars in a folder wfm wrote, marker aside."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != MARKER}


def listed(folder: Path) -> list[str]:
    """The file names the folder's marker lists, in its order."""
    lines = (folder / MARKER).read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def make_schedule() -> pd.DataFrame:
    """Five agents in three zones, one shift over New York's spring-forward night."""
    rows = [
        ("Ana Reyes", "Manila", "2026-11-23T00:00Z", "2026-11-23T08:00Z", "Asia/Manila"),
        ("Ana Reyes", "Manila", "2026-11-24T00:00Z", "2026-11-24T08:00Z", "Asia/Manila"),
        ("José Núñez", "Austin", "2026-03-08T04:00Z", "2026-03-08T12:00Z", "America/New_York"),
        ("ann lee", "Dublin", "2026-11-23T08:00Z", "2026-11-23T16:00Z", "Europe/Dublin"),
        ("Ann Lee", "Dublin", "2026-11-23T09:00Z", "2026-11-23T17:00Z", "Europe/Dublin"),
        ("Ann Lee", "Austin", "2026-11-25T14:00Z", "2026-11-25T22:00Z", "America/New_York"),
        ("李雷", "Manila", "2026-11-23T01:00Z", "2026-11-23T09:00Z", "Asia/Manila"),
    ]
    frame = pd.DataFrame(rows, columns=["agent", "site", "start", "end", "timezone"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    frame["break_start"] = frame["start"] + pd.Timedelta(hours=4)
    frame["break_end"] = frame["break_start"] + pd.Timedelta(minutes=30)
    frame["queue"] = "phone"
    return frame


def agent_of(calendar: icalendar.Calendar) -> str:
    agents = {str(event["summary"]).split(":")[0] for event in calendar.walk("VEVENT")}
    assert len(agents) == 1, agents
    return agents.pop()


def check_calendars(files: dict[str, bytes | str], schedule: pd.DataFrame) -> None:
    """Each file: one agent's rows as events at the right instants, and their zones."""
    seen = set()
    for name, text in files.items():
        assert SAFE.match(name), name
        calendar = icalendar.Calendar.from_ical(text)
        agent = agent_of(calendar)
        seen.add(agent)
        rows = schedule[schedule["agent"] == agent]
        events = list(calendar.walk("VEVENT"))
        found = sorted(
            (pd.Timestamp(e.decoded("dtstart")), pd.Timestamp(e.decoded("dtend"))) for e in events
        )
        expected = sorted(zip(rows["start"], rows["end"], strict=True))
        assert found == expected, agent
        zone_at = dict(zip(rows["start"], rows["timezone"], strict=True))
        for event in events:
            start = event.decoded("dtstart")
            assert str(start.tzinfo) == zone_at[pd.Timestamp(start)], agent
        zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
        assert zones == sorted(set(rows["timezone"])), agent
    assert seen == set(schedule["agent"])


def test_one_calendar_per_agent_with_only_its_shifts_and_zones():
    schedule = make_schedule()
    files = calendars.agent_calendars(schedule)
    assert len(files) == schedule["agent"].nunique()
    check_calendars(files, schedule)
    assert files == calendars.agent_calendars(schedule.sample(frac=1, random_state=3))


def test_agent_calendars_share_uids_and_stamp_with_the_whole_calendar():
    schedule = make_schedule()
    whole = icalendar.Calendar.from_ical(calendars.schedule_ics(schedule))
    uids = {str(e["uid"]) for e in whole.walk("VEVENT")}
    stamps = {e.decoded("dtstamp") for e in whole.walk("VEVENT")}
    parts = [icalendar.Calendar.from_ical(t) for t in calendars.agent_calendars(schedule).values()]
    assert {str(e["uid"]) for c in parts for e in c.walk("VEVENT")} == uids
    assert {e.decoded("dtstamp") for c in parts for e in c.walk("VEVENT")} == stamps


def test_the_spring_forward_shift_keeps_its_local_times():
    files = calendars.agent_calendars(make_schedule())
    (event,) = icalendar.Calendar.from_ical(files["jose-nunez.ics"]).walk("VEVENT")
    # 04:00Z is 23:00 EST on the 7th; 12:00Z is 08:00 EDT on the 8th: 8 real hours.
    assert event.decoded("dtstart").strftime("%Y-%m-%d %H:%M") == "2026-03-07 23:00"
    assert event.decoded("dtend").strftime("%Y-%m-%d %H:%M") == "2026-03-08 08:00"


def test_file_names_are_safe_distinct_and_do_not_depend_on_order():
    names = [
        "Ana Reyes",
        "ann lee",
        "Ann Lee",
        "Ann-Lee",
        "李雷",
        "",
        "CON",
        "../etc/passwd",
        "x" * 300,
    ]
    files = calendars.agent_file_names(names)
    assert files == calendars.agent_file_names(list(reversed(names)))
    assert files["Ana Reyes"] == "ana-reyes.ics"
    assert files["../etc/passwd"] == "etc-passwd.ics"
    assert files["CON"].startswith("con-")
    assert files["李雷"].startswith("agent-")
    assert len(files["x" * 300]) <= 100
    lowered = {name.lower() for name in files.values()}
    assert len(lowered) == len(names)  # distinct even on case-blind file systems
    for name in files.values():
        assert SAFE.match(name), name
    collided = [files[n] for n in ("ann lee", "Ann Lee", "Ann-Lee")]
    assert all(re.fullmatch(r"ann-lee-[0-9a-f]{8}\.ics", name) for name in collided)


def test_an_empty_schedule_gives_no_calendars():
    assert calendars.agent_calendars(make_schedule().iloc[:0]) == {}


# -- writing a folder ------------------------------------------------------------------


def test_write_folder_replaces_an_earlier_set(tmp_path):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A", "b.ics": "B"}, folder, suffix=".ics")
    assert folders.write_folder({"c.ics": "C", "b.ics": "B2"}, folder, suffix=".ics") is None
    assert sorted(p.name for p in folder.iterdir()) == [MARKER, "b.ics", "c.ics"]
    assert (folder / "b.ics").read_text() == "B2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendars"]  # no temp left


def test_a_failed_write_leaves_the_earlier_folder_whole(tmp_path, monkeypatch):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A", "b.ics": "B"}, folder, suffix=".ics")
    real_open = open
    calls = []

    def failing_open(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(WfmError, match="No space left on device"):
        folders.write_folder({"a.ics": "new A", "c.ics": "C"}, folder, suffix=".ics")
    monkeypatch.undo()
    assert sorted(p.name for p in folder.iterdir()) == [MARKER, "a.ics", "b.ics"]
    assert (folder / "a.ics").read_text() == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendars"]


def test_write_folder_refuses_a_folder_with_other_files(tmp_path):
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(WfmError, match=r"notes\.txt"):
        folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    assert (folder / "notes.txt").read_text() == "mine"


def test_the_marker_lists_the_files_written_sorted(tmp_path):
    folder = tmp_path / "calendars"
    folders.write_folder({"b.ics": "B", "a.ics": "A", "c.ics": "C"}, folder, suffix=".ics")
    assert listed(folder) == ["a.ics", "b.ics", "c.ics"]
    folders.write_folder({}, folder, suffix=".ics")
    assert listed(folder) == []
    assert [p.name for p in folder.iterdir()] == [MARKER]


def test_foreign_ics_files_are_never_deleted(tmp_path):
    # A folder of the user's own .ics files, without wfm's marker.
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "holidays-2026.ics").write_text("BEGIN:VCALENDAR")
    with pytest.raises(WfmError, match=r"holidays-2026\.ics.*new or empty folder"):
        folders.write_folder({"a.ics": "A"}, theirs, suffix=".ics")
    assert [p.name for p in theirs.iterdir()] == ["holidays-2026.ics"]
    # The same file dropped into a folder wfm wrote, which its marker does not list.
    ours = tmp_path / "ours"
    folders.write_folder({"a.ics": "A"}, ours, suffix=".ics")
    (ours / "holidays-2026.ics").write_text("BEGIN:VCALENDAR")
    with pytest.raises(WfmError, match=r"holidays-2026\.ics.*wfm did not write"):
        folders.write_folder({"a.ics": "A2"}, ours, suffix=".ics")
    assert (ours / "holidays-2026.ics").read_text() == "BEGIN:VCALENDAR"
    assert (ours / "a.ics").read_text() == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours", "theirs"]  # no temp left


def test_a_marker_cannot_claim_other_files(tmp_path):
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / MARKER).write_text("notes.txt\n../x.ics\n")
    with pytest.raises(WfmError, match=r"notes\.txt"):
        folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    assert (folder / "notes.txt").read_text() == "mine"


def test_os_litter_does_not_block_a_rerun(tmp_path):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "Thumbs.db").write_bytes(b"\0")
    folders.write_folder({"b.ics": "B"}, folder, suffix=".ics")
    assert sorted(p.name for p in folder.iterdir()) == [MARKER, "b.ics"]
    fresh = tmp_path / "fresh"  # an empty folder the user made, opened in Finder
    fresh.mkdir()
    (fresh / ".DS_Store").write_bytes(b"\0")
    folders.write_folder({"a.ics": "A"}, fresh, suffix=".ics")
    assert listed(fresh) == ["a.ics"]


def test_the_current_folder_and_those_above_it_are_refused(tmp_path, monkeypatch):
    here = tmp_path / "work"
    here.mkdir()
    (here / "a.ics").write_text("A")
    (here / MARKER).write_text("a.ics\n")  # even a folder that looks like wfm's
    monkeypatch.chdir(here)
    for folder in (Path("."), here, Path(".."), tmp_path):
        with pytest.raises(WfmError, match="current folder or one above it"):
            folders.write_folder({"a.ics": "A2"}, folder, suffix=".ics")
    assert (here / "a.ics").read_text() == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    folders.write_folder({"a.ics": "A"}, Path("calendars"), suffix=".ics")  # below it is fine
    assert listed(here / "calendars") == ["a.ics"]


def keep_retired_folders(monkeypatch) -> None:
    """Make removing a swapped-out folder fail quietly, as `ignore_errors` would."""
    real_rmtree = folders.shutil.rmtree

    def rmtree(path, *args, **kwargs):
        if str(path).endswith(".old"):
            return None
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(folders.shutil, "rmtree", rmtree)


def test_write_folder_reports_an_earlier_folder_it_could_not_remove(tmp_path, monkeypatch):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    keep_retired_folders(monkeypatch)
    left = folders.write_folder({"b.ics": "B"}, folder, suffix=".ics")
    monkeypatch.undo()
    assert left is not None and left.parent == tmp_path and left.name.startswith(".calendars.")
    assert sorted(p.name for p in left.iterdir()) == [MARKER, "a.ics"]
    assert written(folder) == {"b.ics": b"B"}


def test_write_folder_refuses_paths_in_names(tmp_path):
    with pytest.raises(WfmError, match="plain file name"):
        folders.write_folder({"../a.ics": "A"}, tmp_path / "calendars", suffix=".ics")
    assert not (tmp_path / "calendars").exists()


# -- command line -------------------------------------------------------------------

CONFIG = """\
interval_minutes = 60
timezone = "America/New_York"

[queues.phone]
channel = "voice"
timezone = "America/New_York"
aht_seconds = 300

[[sites]]
name = "Dublin"
timezone = "Europe/Dublin"
open = "08:00"
close = "20:00"
queues = ["phone"]
shift_hours = [8]
cost_per_hour = 30.0

[[sites]]
name = "Austin"
timezone = "America/Chicago"
open = "08:00"
close = "22:00"
queues = ["phone"]
shift_hours = [8]
cost_per_hour = 28.0

[scheduling]
time_limit_seconds = 30
node_limit = 200
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    grid = pd.date_range("2026-11-23T00:00Z", periods=5 * 24, freq="h")
    hour = grid.tz_convert("America/New_York").hour
    agents = [3.0 if 8 <= h < 18 else 0.0 for h in hour]
    frame = pd.DataFrame({"interval_start": grid, "queue": "phone", "agents_scheduled": agents})
    frame["interval_start"] = frame["interval_start"].map(lambda t: t.isoformat())
    frame.to_csv(tmp_path / "requirements.csv", index=False)
    (tmp_path / "roster.csv").write_text(
        "agent,site\n"
        + "".join(f"Agent {k:02d},Dublin\n" for k in range(6))
        + "José Núñez,Austin\nJose Nunez,Austin\n"
        + "".join(f"Agent {k:02d},Austin\n" for k in range(6, 12))
    )
    return tmp_path


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def schedule_args(workdir: Path) -> list[object]:
    return [
        "schedule",
        workdir / "requirements.csv",
        "--config",
        workdir / "wfm.toml",
        "--roster",
        workdir / "roster.csv",
    ]


def read_schedule(text: str) -> pd.DataFrame:
    frame = pd.read_csv(stdio.StringIO(text))
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def test_schedule_writes_one_calendar_per_agent(workdir):
    folder = workdir / "calendars"
    result = invoke(*schedule_args(workdir), "--calendars", folder, "-q")
    assert result.exit_code == 0, result.output
    schedule = read_schedule(result.stdout)
    files = written(folder)
    assert len(files) == schedule["agent"].nunique() > 1
    check_calendars(files, schedule)
    assert listed(folder) == sorted(files)
    again = invoke(*schedule_args(workdir), "--calendars", folder, "-q")
    assert again.exit_code == 0, again.output
    assert again.stdout == result.stdout
    assert written(folder) == files


def test_bad_calendars_folder_is_one_line_before_solving(workdir):
    (workdir / "calendars").write_text("a file")
    result = invoke(*schedule_args(workdir), "--calendars", workdir / "calendars")
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "calendars" in lines[0] and "not a folder" in lines[0]
    assert "solver" not in result.stderr
    missing = invoke(*schedule_args(workdir), "--calendars", workdir / "no" / "calendars")
    assert missing.exit_code == 1
    assert "does not exist" in missing.stderr


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "solver" not in result.stderr
    return lines[0]


def test_a_folder_of_someone_elses_ics_files_is_one_line_and_kept(workdir):
    folder = workdir / "mine"
    folder.mkdir()
    (folder / "holidays-2026.ics").write_text("BEGIN:VCALENDAR")
    line = one_error_line(invoke(*schedule_args(workdir), "--calendars", folder))
    assert str(folder) in line and "holidays-2026.ics" in line
    assert [p.name for p in folder.iterdir()] == ["holidays-2026.ics"]


def test_calendars_in_the_current_folder_is_one_line(workdir, monkeypatch):
    (workdir / "a.ics").write_text("BEGIN:VCALENDAR")
    monkeypatch.chdir(workdir)
    line = one_error_line(invoke(*schedule_args(workdir), "--calendars", "."))
    assert "current folder" in line
    assert (workdir / "a.ics").exists() and (workdir / "wfm.toml").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_calendars_folder_is_one_line(workdir, history):
    folder = workdir / "plan" / "calendars"
    folder.parent.mkdir()
    folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    args = ["plan", "--config", workdir / "wfm.toml", "--history", history]
    args += ["--out", workdir / "plan", "--calendars"]
    try:
        folder.chmod(0)  # nothing in it can be listed
        with pytest.raises(WfmError, match="cannot read the folder") as raised:
            folders.check_folder(folder, suffix=".ics")
        assert "\n" not in str(raised.value)
        none = one_error_line(invoke(*args))
        # Listable but not searchable: its marker cannot be read.
        folder.chmod(0o444)
        some = one_error_line(invoke(*schedule_args(workdir), "--calendars", folder))
    finally:
        folder.chmod(0o755)
    for line in (none, some):
        assert str(folder) in line and "cannot read the folder" in line, line
    assert (folder / "a.ics").read_text() == "A"


def test_a_folder_that_cannot_be_listed_is_one_line(tmp_path, monkeypatch):
    # The same path as above, reached as root too.
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(WfmError) as raised:
        folders.write_folder({"b.ics": "B"}, folder, suffix=".ics")
    monkeypatch.undo()
    assert str(raised.value) == (
        f"{folder}: cannot read the folder (Permission denied); check its permissions "
        f"or give another folder"
    )
    assert written(folder) == {"a.ics": b"A"}


def test_schedule_warns_when_the_earlier_calendars_stay(workdir, monkeypatch):
    folder = workdir / "calendars"
    assert invoke(*schedule_args(workdir), "--calendars", folder, "-q").exit_code == 0
    keep_retired_folders(monkeypatch)
    result = invoke(*schedule_args(workdir), "--calendars", folder, "-q")
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("warning: ") and "earlier calendars stay at" in line


@pytest.fixture
def history(workdir: Path) -> Path:
    frame = make_history(days=28, queues=("phone",), daily_volume=150, seed=5)
    frame["interval_start"] = frame["interval_start"].map(lambda t: t.isoformat())
    frame.to_csv(workdir / "counts.csv", index=False)
    return workdir / "counts.csv"


def test_plan_calendars_add_a_folder_and_keep_the_five_files(workdir, history):
    args = ["plan", "--config", workdir / "wfm.toml", "--history", history]
    args += ["--roster", workdir / "roster.csv", "--horizon", "1w", "-q"]
    plain = invoke(*args, "--out", workdir / "a")
    assert plain.exit_code == 0, plain.output
    assert invoke(*args, "--out", workdir / "b", "--calendars").exit_code == 0
    five = ["coverage.csv", "forecast.csv", "requirements.csv", "schedule.csv", "schedule.ics"]
    five += ["plan.json", "recent_history.csv"]  # for `wfm report`
    assert sorted(p.name for p in (workdir / "a").iterdir()) == sorted(five)
    assert sorted(p.name for p in (workdir / "b").iterdir()) == sorted([*five, "calendars"])
    for name in five:
        assert (workdir / "a" / name).read_bytes() == (workdir / "b" / name).read_bytes(), name
    schedule = read_schedule((workdir / "b" / "schedule.csv").read_text())
    files = written(workdir / "b" / "calendars")
    assert len(files) == schedule["agent"].nunique() > 1
    check_calendars(files, schedule)
