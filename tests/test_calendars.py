"""ICS per agent: one calendar per agent, safe file names, all-or-nothing folders."""

from __future__ import annotations

import io as stdio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from conftest import make_history
from icaljs import icaljs_events, needs_icaljs
from typer.testing import CliRunner

from wfm import calendars, folders, writers
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


# -- ICS read by two parsers -----------------------------------------------------------

ZONES = {
    "Dublin": "Europe/Dublin",
    "Rome": "Europe/Rome",
    "Tel Aviv": "Asia/Jerusalem",
    "New York": "America/New_York",
    "Manila": "Asia/Manila",
}
# Four days around each 2026 change: New York in March and November, Tel Aviv,
# Rome and Dublin in late March and late October (Manila has none).
WINDOWS = ("2026-03-06", "2026-03-26", "2026-10-23", "2026-10-30")


def dst_weeks_schedule() -> pd.DataFrame:
    """An 8-hour shift starting every hour of each window at every site.

    Starts and ends fall on every wall time, those in the skipped and the
    repeated hours included; one agent per shift, so an agent names its event.
    """
    rows = []
    for site, zone in ZONES.items():
        for day in WINDOWS:
            for k, start in enumerate(pd.date_range(f"{day}T00:00Z", periods=96, freq="h")):
                end = start + pd.Timedelta(hours=8)
                rows.append((f"{site} {day} {k:02d}", site, start, end, zone))
    frame = pd.DataFrame(rows, columns=["agent", "site", "start", "end", "timezone"])
    frame["break_start"] = frame["start"] + pd.Timedelta(hours=4)
    frame["break_end"] = frame["break_start"] + pd.Timedelta(minutes=30)
    frame["queue"] = "phone"
    return frame


def csv_instants(schedule: pd.DataFrame) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """{agent: (start, end)} in UTC, read back from the schedule CSV wfm writes."""
    frame = pd.read_csv(stdio.StringIO(writers.schedule_csv_text(schedule)))
    assert frame["start"].str.contains(r"[+-]\d\d:\d\d$").all()
    starts = pd.to_datetime(frame["start"], utc=True)
    ends = pd.to_datetime(frame["end"], utc=True)
    return dict(zip(frame["agent"], zip(starts, ends, strict=True), strict=True))


@needs_icaljs
def test_icaljs_reads_every_event_at_the_schedule_csv_instants(tmp_path):
    # ical.js reads the wall times through the file's own VTIMEZONEs.
    schedule = dst_weeks_schedule()
    events = icaljs_events(calendars.schedule_ics(schedule), tmp_path)
    found = {e["summary"].split(":")[0]: (e["start"], e["end"]) for e in events}
    expected = csv_instants(schedule)
    assert len(events) == len(found) == len(expected) == 5 * 4 * 96
    wrong = sorted(agent for agent in expected if found[agent] != expected[agent])
    assert wrong == [], f"{len(wrong)} events off, e.g. {wrong[:3]}"


def test_icalendar_reads_every_event_at_the_schedule_csv_instants():
    # Python icalendar reads the wall times by TZID name, with the IANA rules.
    schedule = dst_weeks_schedule()
    calendar = icalendar.Calendar.from_ical(calendars.schedule_ics(schedule))
    found = {
        str(e["summary"]).split(":")[0]: (
            pd.Timestamp(e.decoded("dtstart")).tz_convert("UTC"),
            pd.Timestamp(e.decoded("dtend")).tz_convert("UTC"),
        )
        for e in calendar.walk("VEVENT")
    }
    assert found == csv_instants(schedule)


def test_every_rdate_line_holds_one_date():
    text = calendars.schedule_ics(dst_weeks_schedule())
    unfolded = text.replace("\r\n ", "")
    rdates = [line for line in unfolded.splitlines() if line.startswith("RDATE")]
    assert len(rdates) > 5 * 30  # the zones' onsets since 1970 are all there
    assert all(re.fullmatch(r"RDATE:\d{8}T\d{6}", line) for line in rdates), rdates[:3]


def test_only_times_in_the_repeated_hour_are_written_in_utc():
    text = calendars.schedule_ics(dst_weeks_schedule()).replace("\r\n ", "")
    utc_lines = re.findall(r"^(DTSTART|DTEND):(\d{8}T\d{6})Z\r$", text, flags=re.MULTILINE)
    # The repeated hours (UTC): New York 2026-11-01 05:00-06:00; Dublin 00:00-01:00,
    # Rome 00:00-01:00 and Tel Aviv 22:00-23:00 (24 October) around 25 October.
    repeated = {
        "America/New_York": pd.Timestamp("2026-11-01T05:00Z"),
        "Europe/Dublin": pd.Timestamp("2026-10-25T00:00Z"),
        "Europe/Rome": pd.Timestamp("2026-10-25T00:00Z"),
        "Asia/Jerusalem": pd.Timestamp("2026-10-24T22:00Z"),
    }
    schedule = dst_weeks_schedule()
    expected = []
    for row in schedule.itertuples():
        for key, instant in (("DTSTART", row.start), ("DTEND", row.end)):
            first = repeated.get(row.timezone)
            # Both occurrences of the repeated hour: its two UTC hours.
            if first is not None and first <= instant < first + pd.Timedelta(hours=2):
                expected.append((key, f"{instant:%Y%m%dT%H%M%S}"))
    assert sorted(utc_lines) == sorted(expected)
    assert len(expected) == 4 * 2 * 2  # four zones, two hours, starts and ends


def test_an_end_in_the_repeated_hour_is_the_utc_instant():
    # 22:00Z to 06:00Z: 18:00 EDT to the second 01:00 (EST), 7 wall-clock hours.
    schedule = (
        make_schedule()
        .iloc[:1]
        .assign(
            start=pd.Timestamp("2026-10-31T22:00Z"),
            end=pd.Timestamp("2026-11-01T06:00Z"),
            timezone="America/New_York",
        )
    )
    text = calendars.schedule_ics(schedule)
    assert "DTSTART;TZID=America/New_York:20261031T180000\r\n" in text
    assert "DTEND:20261101T060000Z\r\n" in text


def test_agents_whose_names_fold_alike_get_distinct_uids():
    base = make_schedule().iloc[:1]
    names = ["Ann Lee", "Ann-Lee", "ann lee", "Ann  Lee"]
    twins = pd.concat([base.assign(agent=name) for name in names], ignore_index=True)
    calendar = icalendar.Calendar.from_ical(calendars.schedule_ics(twins))
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(names)
    assert all(re.fullmatch(r"20261123T000000Z-[0-9a-f]{20}@wfm", uid) for uid in uids)
    # The same shift keeps its UID; another site or start gets another.
    again = icalendar.Calendar.from_ical(calendars.schedule_ics(twins))
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == uids
    moved = calendars.schedule_ics(base.assign(agent="Ann Lee", site="Dublin"))
    later = calendars.schedule_ics(
        base.assign(agent="Ann Lee", start=base["start"] + pd.Timedelta("1h"))
    )
    for other in (moved, later):
        (event,) = icalendar.Calendar.from_ical(other).walk("VEVENT")
        assert str(event["uid"]) not in uids


# -- Google Calendar CSV -----------------------------------------------------------------


def test_google_csv_refuses_several_zones_without_a_calendar_zone():
    with pytest.raises(WfmError, match=r"3 time zones .*--calendar-timezone") as raised:
        calendars.schedule_google_csv(make_schedule())
    assert "\n" not in str(raised.value)


def test_google_csv_writes_every_row_in_the_calendar_zone():
    schedule = make_schedule()
    frame = calendars.schedule_google_csv(schedule, timezone="Europe/Dublin")
    assert len(frame) == len(schedule)
    for row, shift in zip(frame.itertuples(), schedule.itertuples(), strict=True):
        start = pd.Timestamp(f"{row._2} {row._3}").tz_localize("Europe/Dublin")
        end = pd.Timestamp(f"{row._4} {row._5}").tz_localize("Europe/Dublin")
        assert (start, end) == (shift.start, shift.end), row
        assert row.Description.startswith("Times in Europe/Dublin; ")
        assert "(Europe/Dublin)" in row.Description  # breaks in the same zone
    # Manila 00:00Z is 08:00 in Manila, 00:00 in Dublin.
    assert frame.iloc[0]["Start Time"] == "12:00 AM"


def test_google_csv_of_one_zone_says_which():
    manila = make_schedule().query("timezone == 'Asia/Manila'")
    frame = calendars.schedule_google_csv(manila)
    assert frame.iloc[0]["Start Time"] == "08:00 AM"
    assert frame["Description"].str.startswith("Times in Asia/Manila; ").all()


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


def test_a_folder_named_like_os_litter_is_not_litter(tmp_path):
    for name in (".DS_Store", "Thumbs.db", "desktop.ini"):
        folder = tmp_path / name.lower().replace(".", "-")
        folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
        (folder / name).mkdir()
        (folder / name / "precious.txt").write_text("mine")
        with pytest.raises(WfmError, match=re.escape(repr(name))):
            folders.write_folder({"b.ics": "B"}, folder, suffix=".ics")
        assert (folder / name / "precious.txt").read_text() == "mine"
        assert (folder / "a.ics").read_text() == "A"
        # Also in a folder without a marker.
        fresh = tmp_path / f"fresh-{folder.name}"
        (fresh / name).mkdir(parents=True)
        (fresh / name / "precious.txt").write_text("mine")
        with pytest.raises(WfmError, match=r"no \.wfm-calendars file"):
            folders.write_folder({"a.ics": "A"}, fresh, suffix=".ics")
        assert (fresh / name / "precious.txt").read_text() == "mine"


CRASH = """\
import os, sys
from pathlib import Path
from wfm import folders

real = os.replace

def replace(source, target):
    if str(source).endswith(".tmp"):  # the second rename: killed just before it
        os._exit(137)
    return real(source, target)

folders.os.replace = replace
folders.write_folder({"new.ics": "NEW"}, Path(sys.argv[1]), suffix=".ics")
"""


def crash_between_the_renames(folder: Path) -> None:
    """Run write_folder in a process killed between its two renames."""
    done = subprocess.run([sys.executable, "-c", CRASH, str(folder)], check=False)
    assert done.returncode == 137


def test_a_kill_between_the_renames_is_recovered_on_the_next_run(tmp_path):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A", "b.ics": "B"}, folder, suffix=".ics")
    crash_between_the_renames(folder)
    # The crash's state: no calendars folder, the earlier one hidden as .old.
    left = sorted(p.name for p in tmp_path.iterdir())
    assert "calendars" not in left
    assert [n.rsplit(".", 1)[1] for n in left] == ["old", "tmp"], left
    folders.recover_folder(folder, suffix=".ics")
    assert written(folder) == {"a.ics": b"A", "b.ics": b"B"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendars"]


def test_the_next_write_after_a_kill_restores_then_replaces_and_tidies(tmp_path):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    crash_between_the_renames(folder)
    crash_between_the_renames(tmp_path / "other")  # a first write, killed: a .tmp only
    folders.write_folder({"c.ics": "C"}, folder, suffix=".ics")
    assert written(folder) == {"c.ics": b"C"}
    # The other folder's half is tidied by a run into that folder, not this one.
    (half,) = [p.name for p in tmp_path.iterdir() if p.name != "calendars"]
    assert half.startswith(".other.") and half.endswith(".tmp")
    folders.write_folder({"d.ics": "D"}, tmp_path / "other", suffix=".ics")
    assert written(tmp_path / "other") == {"d.ics": b"D"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendars", "other"]


def test_leftovers_that_are_not_provably_ours_are_kept(tmp_path):
    folder = tmp_path / "calendars"
    folders.write_folder({"a.ics": "A"}, folder, suffix=".ics")
    unmarked = tmp_path / ".calendars.0123456789ab.old"  # our name, no marker
    unmarked.mkdir()
    (unmarked / "notes.txt").write_text("mine")
    added = tmp_path / ".calendars.0123456789ac.tmp"  # a marker, and a file it does not list
    added.mkdir()
    (added / MARKER).write_text("a.ics\n")
    (added / "notes.txt").write_text("mine")
    other = tmp_path / ".calendars.old"  # not our name pattern
    other.mkdir()
    (other / MARKER).write_text("")
    folder_file = tmp_path / ".calendars.0123456789ad.old"  # a file, not a folder
    folder_file.write_text("mine")
    folders.write_folder({"b.ics": "B"}, folder, suffix=".ics")
    for path in (unmarked, added):
        assert (path / "notes.txt").read_text() == "mine"
    assert (other / MARKER).exists() and folder_file.read_text() == "mine"
    # Missing target: an unprovable .old is not put in its place.
    shutil.rmtree(folder)
    folders.recover_folder(folder, suffix=".ics")
    assert not folder.exists()


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
    five += ["plan.json", "recent_history.csv", "agents.csv"]  # report files; roster agents
    hidden = [".wfm-plan", ".wfm-plan.lock"]  # the set's manifest and lock (wfm.plan_set)
    assert sorted(p.name for p in (workdir / "a").iterdir()) == sorted([*five, *hidden])
    assert sorted(p.name for p in (workdir / "b").iterdir()) == sorted(
        [*five, *hidden, "calendars"]
    )
    for name in five:
        assert (workdir / "a" / name).read_bytes() == (workdir / "b" / name).read_bytes(), name
    schedule = read_schedule((workdir / "b" / "schedule.csv").read_text())
    files = written(workdir / "b" / "calendars")
    assert len(files) == schedule["agent"].nunique() > 1
    check_calendars(files, schedule)
