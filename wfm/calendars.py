"""Calendar renderings of the schedule rows: ICS (RFC 5545) and Google CSV.

Each shift becomes one event in the site's own time zone (with a VTIMEZONE),
so Google Calendar, Outlook and Apple Calendar show it at the right local time
for whoever opens it. UIDs and DTSTAMP derive from the data, so the same
schedule gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from datetime import timedelta

import pandas as pd
from icalendar import Calendar, Event, vDDDLists, vDDDTypes

from wfm.errors import WfmError

PRODID = "-//wfm//schedule//EN"
_MAX_SLUG = 80
# Device names Windows will not open as files, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{d}" for p in ("com", "lpt") for d in range(1, 10)}


def _summary(row) -> str:
    return f"{row.agent}: {row.queue} shift ({row.site})"


def _description(row) -> str:
    lines = [f"Agent: {row.agent}", f"Site: {row.site}", f"Queue: {row.queue}"]
    # Every break (break_start..break_end and other_breaks), in time order.
    pauses = [(row.break_start, row.break_end)] if pd.notna(row.break_start) else []
    pauses.extend(getattr(row, "other_breaks", None) or ())
    for begin, finish in sorted(pauses, key=lambda pause: pd.Timestamp(pause[0])):
        start = pd.Timestamp(begin).tz_convert(row.timezone)
        end = pd.Timestamp(finish).tz_convert(row.timezone)
        lines.append(f"Break: {start:%H:%M}-{end:%H:%M} ({row.timezone})")
    return "\n".join(lines)


def schedule_ics(
    schedule: pd.DataFrame,
    *,
    name: str = "wfm schedule",
    stamp: pd.Timestamp | None = None,
) -> str:
    """One VCALENDAR with a VEVENT per shift, times in each site's zone.

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
        start = pd.Timestamp(row.start).tz_convert(row.timezone)
        end = pd.Timestamp(row.end).tz_convert(row.timezone)
        event = Event()
        uid_time = pd.Timestamp(row.start).tz_convert("UTC")
        event.add("uid", f"{row.agent}-{uid_time:%Y%m%dT%H%M%SZ}@wfm".replace(" ", "-"))
        event.add("dtstamp", stamp)
        event.add("dtstart", start.to_pydatetime())
        event.add("dtend", end.to_pydatetime())
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


def schedule_google_csv(schedule: pd.DataFrame) -> pd.DataFrame:
    """Google Calendar's import columns, in each shift's local time.

    Google reads these times in the importing calendar's time zone, so import a
    site's rows into a calendar set to that site's zone.
    """
    rows = []
    for row in schedule.itertuples(index=False):
        start = pd.Timestamp(row.start).tz_convert(row.timezone)
        end = pd.Timestamp(row.end).tz_convert(row.timezone)
        rows.append(
            {
                "Subject": _summary(row),
                "Start Date": f"{start:%m/%d/%Y}",
                "Start Time": f"{start:%I:%M %p}",
                "End Date": f"{end:%m/%d/%Y}",
                "End Time": f"{end:%I:%M %p}",
                "All Day Event": "False",
                "Description": _description(row).replace("\n", "; "),
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
