"""Calendar renderings of the schedule rows: ICS (RFC 5545) and Google CSV.

Each shift becomes one event in the site's own time zone (with a VTIMEZONE),
so Google Calendar, Outlook and Apple Calendar show it at the right local time
for whoever opens it. UIDs and DTSTAMP derive from the data, so the same
schedule gives byte-identical files.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from icalendar import Calendar, Event, vDDDLists, vDDDTypes

PRODID = "-//wfm//schedule//EN"


def _summary(row) -> str:
    return f"{row.agent}: {row.queue} shift ({row.site})"


def _description(row) -> str:
    lines = [f"Agent: {row.agent}", f"Site: {row.site}", f"Queue: {row.queue}"]
    if pd.notna(row.break_start):
        start = pd.Timestamp(row.break_start).tz_convert(row.timezone)
        end = pd.Timestamp(row.break_end).tz_convert(row.timezone)
        lines.append(f"Break: {start:%H:%M}-{end:%H:%M} ({row.timezone})")
    return "\n".join(lines)


def schedule_ics(schedule: pd.DataFrame) -> str:
    """One VCALENDAR with a VEVENT per shift, times in each site's zone.

    Args:
        schedule: the schedule contract (start, end, break_* as UTC timestamps).
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "wfm schedule")
    stamp = (
        pd.Timestamp(schedule["start"].min()).to_pydatetime()
        if len(schedule)
        else pd.Timestamp("2000-01-01", tz="UTC").to_pydatetime()
    )
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
