"""Calendar renderings of the schedule rows: ICS (RFC 5545) and Google CSV.

Each shift becomes one event in the site's own time zone (with a VTIMEZONE),
so Google Calendar, Outlook and Apple Calendar show it at the right local time
for whoever opens it. A start or end whose local time occurs twice (the repeated
hour when the clocks go back) is written in UTC instead ("20261101T060000Z"),
which no client can read two ways. Each VTIMEZONE lists one onset per RDATE line,
as ical.js (Thunderbird and many web calendars) misreads a multi-valued RDATE.
UIDs and DTSTAMP derive from the data, so the same schedule gives byte-identical
files.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from icalendar import Calendar, Event, vDDDLists, vDDDTypes

from wfm.errors import WfmError

PRODID = "-//wfm//schedule//EN"
_MAX_SLUG = 80
# Device names Windows will not open as files, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{d}" for p in ("com", "lpt") for d in range(1, 10)}


def _uid(row) -> str:
    """The event's UID: its UTC start and a hash of agent, site and start.

    The full names go into the hash, so agents whose names differ only in
    spaces, dashes or case ("Ann Lee", "Ann-Lee") never share a UID.
    """
    start = pd.Timestamp(row.start).tz_convert("UTC")
    key = "\x1f".join((str(row.agent), str(row.site), start.isoformat()))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"{start:%Y%m%dT%H%M%SZ}-{digest}@wfm"


def _event_time(instant: object, zone: str) -> datetime:
    """`instant` as the site's wall time, or in UTC when that wall time occurs twice.

    RFC 5545 reads a repeated local time as its first occurrence, but clients
    differ (a shift ending at 01:00 in the second 01:00 hour showed one hour
    short in one and one hour late in another); UTC has no repeated hour.
    """
    local = pd.Timestamp(instant).tz_convert(zone)
    if _in_fold(local.tz_localize(None).to_pydatetime(), zone):
        return pd.Timestamp(instant).tz_convert("UTC").to_pydatetime()
    return local.to_pydatetime()


def _in_fold(wall: datetime, zone: str) -> bool:
    """Whether the naive local `wall` time occurs twice in `zone`."""
    tz = ZoneInfo(zone)
    return (
        wall.replace(tzinfo=tz, fold=0).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()
    )


def _summary(row) -> str:
    return f"{row.agent}: {row.queue} shift ({row.site})"


def _description(row, zone: str | None = None) -> str:
    """Agent, site, queue and breaks; break times in `zone` (default: the site's)."""
    zone = zone or row.timezone
    lines = [f"Agent: {row.agent}", f"Site: {row.site}", f"Queue: {row.queue}"]
    # Every break (break_start..break_end and other_breaks), in time order.
    pauses = [(row.break_start, row.break_end)] if pd.notna(row.break_start) else []
    pauses.extend(getattr(row, "other_breaks", None) or ())
    for begin, finish in sorted(pauses, key=lambda pause: pd.Timestamp(pause[0])):
        start = pd.Timestamp(begin).tz_convert(zone)
        end = pd.Timestamp(finish).tz_convert(zone)
        lines.append(f"Break: {start:%H:%M}-{end:%H:%M} ({zone})")
    return "\n".join(lines)


def schedule_ics(
    schedule: pd.DataFrame,
    *,
    name: str = "wfm schedule",
    stamp: pd.Timestamp | None = None,
) -> str:
    """One VCALENDAR with a VEVENT per shift, times in each site's zone.

    A start or end whose wall time occurs twice (in the hour repeated when the
    clocks go back) is written in UTC, so that no client can misread it.

    Args:
        schedule: the schedule contract (start, end, break_* as UTC timestamps).
        name: the calendar's display name (X-WR-CALNAME).
        stamp: DTSTAMP of every event, tz-aware; None for the first shift start
            (2000-01-01 UTC when there is none), so that the bytes follow the data.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = (_stamp(schedule) if stamp is None else pd.Timestamp(stamp)).to_pydatetime()
    for row in schedule.itertuples(index=False):
        event = Event()
        event.add("uid", _uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", _event_time(row.start, row.timezone))
        event.add("dtend", _event_time(row.end, row.timezone))
        event.add("summary", _summary(row))
        event.add("description", _description(row))
        event.add("location", row.site)
        event.add("categories", [str(row.queue)])
        cal.add_component(event)
    cal.add_missing_timezones()
    # icalendar adds the zones in set order, which changes with Python's hash
    # seed; sort them so that the same schedule gives the same bytes.
    zones = sorted(cal.walk("VTIMEZONE"), key=lambda zone: str(zone["TZID"]))
    events = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    cal.subcomponents[:] = [*zones, *events]
    for zone in zones:
        _onsets_in_old_wall_time(zone)
        _one_date_per_rdate(zone)
    return cal.to_ical().decode("utf-8")


def agent_calendars(schedule: pd.DataFrame) -> dict[str, str]:
    """One ICS text per agent: that agent's shifts and the VTIMEZONEs they use.

    Events are in order of start. Every file shares the whole schedule's
    DTSTAMP and each event keeps its UID from `schedule_ics`, so importing both
    never duplicates a shift.

    Args:
        schedule: the schedule contract (start, end, break_* as UTC timestamps).

    Returns:
        {file name: ICS text}, in agent order; names come from `agent_file_names`.
    """
    stamp = _stamp(schedule)
    files = agent_file_names(sorted(schedule["agent"].unique()))
    return {
        files[agent]: schedule_ics(
            rows.sort_values(["start", "end"], kind="stable"),
            name=f"wfm schedule: {agent}",
            stamp=stamp,
        )
        for agent, rows in schedule.groupby("agent", sort=True)
    }


def agent_file_names(agents: list[str]) -> dict[str, str]:
    """A safe, distinct `.ics` file name for each agent name.

    Names are folded to lower-case ASCII letters, digits and "-" (so they are
    the same on every file system, case-blind ones included; "José Núñez" is
    jose-nunez.ics). Names that fold alike, or to nothing ("agent-..."), or to
    a reserved Windows device name get the first 8 hex digits of the SHA-256
    of the full name appended, so a name's file does not depend on the order.
    """
    slugs = {agent: _slug(agent) for agent in agents}
    counts = Counter(slugs.values())
    out = {}
    for agent, slug in slugs.items():
        if not slug or counts[slug] > 1 or slug in _RESERVED:
            digest = hashlib.sha256(agent.encode("utf-8")).hexdigest()[:8]
            slug = f"{slug or 'agent'}-{digest}"
        out[agent] = f"{slug}.ics"
    if len(set(out.values())) != len(out):  # a slug that already ended in a digest
        raise WfmError("agent names give clashing calendar file names; rename the agents")
    return out


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:_MAX_SLUG].rstrip("-")


def _stamp(schedule: pd.DataFrame) -> pd.Timestamp:
    if len(schedule):
        return pd.Timestamp(schedule["start"].min())
    return pd.Timestamp("2000-01-01", tz="UTC")


def _onsets_in_old_wall_time(zone) -> None:
    """Write each forward change's onset in the wall time it leaves (RFC 5545 3.6.5).

    icalendar writes the onset of a change to a later offset (spring forward) as
    the first wall time after it (03:00 for New York), which with TZOFFSETFROM
    -0500 means an hour late; the RFC wants the local time before the change
    (02:00). Backward changes are already right.
    """
    for observance in zone.subcomponents:
        step = observance["TZOFFSETTO"].td - observance["TZOFFSETFROM"].td
        if step <= timedelta(0):
            continue
        observance["DTSTART"] = vDDDTypes(observance["DTSTART"].dt - step)
        if "RDATE" in observance:
            dates = observance["RDATE"]
            lists = dates if isinstance(dates, list) else [dates]
            observance["RDATE"] = [vDDDLists([d.dt - step for d in rdates.dts]) for rdates in lists]


def _one_date_per_rdate(zone) -> None:
    """Split every multi-valued RDATE into one RDATE line per onset.

    RFC 5545 allows "RDATE:19710425T020000,19720430T020000,...", but ical.js
    (behind Thunderbird and many web calendars) misreads it, putting Dublin,
    Rome and Tel Aviv shifts an hour off; one date per line reads the same
    everywhere.
    """
    for observance in zone.subcomponents:
        if "RDATE" not in observance:
            continue
        dates = observance["RDATE"]
        lists = dates if isinstance(dates, list) else [dates]
        observance["RDATE"] = [vDDDLists([d.dt]) for rdates in lists for d in rdates.dts]


def check_google_options(fmt: str, timezone: str | None, site_zones: list[str]) -> None:
    """WfmError, before solving, unless the Google CSV's zone is settled.

    `timezone` (--calendar-timezone) must be an IANA zone and goes with
    `fmt` "google" only; without it the sites must share one zone.
    """
    if timezone is not None:
        if fmt != "google":
            raise WfmError("--calendar-timezone: applies to --format google only; drop it")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise WfmError(
                f"--calendar-timezone: unknown timezone {timezone!r}; use an IANA name "
                f"such as 'America/New_York'"
            ) from None
    elif fmt == "google":
        google_zone(pd.DataFrame({"timezone": site_zones}), None)


def google_zone(schedule: pd.DataFrame, timezone: str | None) -> str | None:
    """The one zone the Google CSV's times are in, or WfmError.

    Google Calendar reads every row of an import in the importing calendar's
    zone, so one file holds one zone: `timezone` when given, else the sites'
    zone when they share one. Rows of several zones without `timezone` are
    refused (wall times of several zones in one file would be read wrongly).
    """
    if timezone is not None:
        return timezone
    zones = sorted(set(schedule["timezone"]))
    if len(zones) > 1:
        raise WfmError(
            f"--format google: the schedule's sites are in {len(zones)} time zones "
            f"({', '.join(zones)}), but Google Calendar reads every row in the importing "
            f"calendar's zone; add --calendar-timezone ZONE (the calendar's zone)"
        )
    return zones[0] if zones else None


def schedule_google_csv(schedule: pd.DataFrame, *, timezone: str | None = None) -> pd.DataFrame:
    """Google Calendar's import columns, all rows in one time zone.

    Google reads these times in the importing calendar's time zone, so import
    the file into a calendar set to the zone its Description names.

    Args:
        schedule: the schedule contract (start, end, break_* as UTC timestamps).
        timezone: IANA zone to write every row's times in (the importing
            calendar's zone); None for the sites' own zone, which they must share.

    Raises:
        WfmError: no `timezone` and the rows are in several zones.
    """
    zone = google_zone(schedule, timezone)
    rows = []
    for row in schedule.itertuples(index=False):
        start = pd.Timestamp(row.start).tz_convert(zone)
        end = pd.Timestamp(row.end).tz_convert(zone)
        rows.append(
            {
                "Subject": _summary(row),
                "Start Date": f"{start:%m/%d/%Y}",
                "Start Time": f"{start:%I:%M %p}",
                "End Date": f"{end:%m/%d/%Y}",
                "End Time": f"{end:%I:%M %p}",
                "All Day Event": "False",
                "Description": f"Times in {zone}; " + _description(row, zone).replace("\n", "; "),
                "Location": row.site,
                "Private": "True",
            }
        )
    columns = [
        "Subject",
        "Start Date",
        "Start Time",
        "End Date",
        "End Time",
        "All Day Event",
        "Description",
        "Location",
        "Private",
    ]
    return pd.DataFrame(rows, columns=columns)
