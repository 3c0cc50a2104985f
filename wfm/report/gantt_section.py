"""The schedule as a Gantt chart per site: agents x days, breaks visible, local time."""

from __future__ import annotations

import pandas as pd

from wfm.report import charts
from wfm.report.coverage_frames import parse_other_breaks
from wfm.report.inputs import PlanFolder
from wfm.report.sections import Section, chart_key, figure, missing

SCHEDULE = "schedule.csv"
# Rows one chart draws; a larger site shows its first agents and says so.
MAX_AGENTS = 250


def gantt_section(plan: PlanFolder) -> Section:
    """One chart per site: a row per agent, a bar per shift, gaps at breaks."""
    schedule = plan.get(SCHEDULE)
    title = "Schedule by site"
    if schedule is None:
        return Section("schedule", title, missing([SCHEDULE], "the schedule chart"), drawn=False)
    colours = charts.site_colours(sorted(schedule["site"].unique()))
    horizon = _horizon(plan)
    body = ""
    for number, site in enumerate(sorted(schedule["site"].unique())):
        shifts = schedule[schedule["site"] == site]
        zone = str(shifts["timezone"].iloc[0]) if "timezone" in shifts else "UTC"
        agents = _agent_order(shifts)
        everyone = len(agents)
        if everyone > MAX_AGENTS:
            agents = agents[:MAX_AGENTS]
            shifts = shifts[shifts["agent"].isin(agents)]
        key = chart_key("gantt", number, site)
        with charts.figure(key, height=0.9 + 0.16 * len(agents)) as fig:
            ax = fig.add_subplot()
            _draw(ax, site, zone, shifts, agents, colours[site])
            if horizon is not None:
                ax.set_xlim(_local(horizon[0], zone), _local(horizon[1], zone))
            svg = charts.svg(fig, key)
        body += figure(
            svg,
            f"{site}: {everyone} agents"
            + (f" (the first {MAX_AGENTS} shown)" if everyone > MAX_AGENTS else "")
            + f", {len(shifts)} shifts; light gaps are breaks. Local time, {zone}.",
        )
    return Section("schedule", title, body)


def _horizon(plan: PlanFolder) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The plan's first interval start and last interval end (UTC), from its grid."""
    for name in ("coverage.csv", "requirements.csv", "forecast.csv"):
        frame = plan.get(name)
        if frame is not None and len(frame):
            starts = pd.DatetimeIndex(sorted(frame["interval_start"].unique()))
            step = starts[1] - starts[0] if len(starts) > 1 else pd.Timedelta(hours=1)
            return starts[0], starts[-1] + step
    return None


def _agent_order(shifts: pd.DataFrame) -> list[str]:
    """Agents by their earliest shift start, then name (a staircase reads best)."""
    first = shifts.groupby("agent")["start"].min().reset_index()
    first["minute"] = first["start"].dt.hour * 60 + first["start"].dt.minute
    return list(first.sort_values(["minute", "agent"])["agent"])


def _draw(ax, site: str, zone: str, shifts: pd.DataFrame, agents: list[str], colour: str) -> None:
    rows = {agent: i for i, agent in enumerate(agents)}
    for shift in shifts.itertuples(index=False):
        y = rows[shift.agent]
        start, end = _local(shift.start, zone), _local(shift.end, zone)
        ax.broken_barh([(start, end - start)], (y - 0.38, 0.76), color=colour, linewidth=0)
        for a, b in _breaks(shift):
            a, b = max(_local(a, zone), start), min(_local(b, zone), end)
            if b > a:
                ax.broken_barh([(a, b - a)], (y - 0.38, 0.76), color="#FFFFFF", alpha=0.75)
    ax.set_yticks(range(len(agents)), agents, fontsize=6)
    ax.set_ylim(len(agents) - 0.5, -0.5)
    ax.set_title(site)
    ax.grid(True, axis="y", color="#f3f3f3")
    charts.day_axis(ax, zone)


def _breaks(shift) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    out = []
    a, b = getattr(shift, "break_start", pd.NaT), getattr(shift, "break_end", pd.NaT)
    if pd.notna(a) and pd.notna(b):
        out.append((a, b))
    return out + parse_other_breaks(getattr(shift, "other_breaks", ""))


def _local(stamp: pd.Timestamp, zone: str):
    return pd.Timestamp(stamp).tz_convert(zone).tz_localize(None).to_pydatetime()
