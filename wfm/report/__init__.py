"""`wfm report`: one self-contained HTML page over a plan folder.

One module per section; `build_report` reads the folder once and puts the page
together. Charts are static SVG drawn by matplotlib (see `charts`), so the page
needs no network and no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.errors import WfmError
from wfm.plan_set import MANIFEST, check_manifest
from wfm.report.capacity_section import capacity_section
from wfm.report.cost_section import cost_section
from wfm.report.forecast_section import forecast_section
from wfm.report.gantt_section import gantt_section
from wfm.report.inputs import PlanFolder, read_plan_folder
from wfm.report.page import render_page
from wfm.report.sections import Section
from wfm.report.simulation_section import simulation_section
from wfm.report.staffing_section import heatmap_section, staffing_section

# What each needed file feeds, for the line that says what is left out.
FEEDS = {
    "forecast.csv": "the forecast chart",
    "recent_history.csv": "the history beside the forecast",
    "requirements.csv": "the planned service level",
    "schedule.csv": "the schedule chart and the split by site",
    "coverage.csv": "required vs scheduled and the heatmap",
    "plan.json": "cost, the solve, accuracy and queue time zones (charts fall back to UTC)",
}


@dataclass(frozen=True)
class Report:
    """The page and what it had to leave out.

    Attributes:
        html: the whole HTML document.
        missing: needed files absent from the folder (their sections say so).
        sections: keys of the sections on the page, in order.
        drawn: keys of the sections that show their content (not only a
            missing-file box).
        stale: why sim.csv or capacity.csv, present but of another plan, were
            left out (one line each).
    """

    html: str
    missing: list[str]
    sections: list[str]
    drawn: list[str]
    stale: list[str]


def build_report(folder: Path) -> Report:
    """Read a plan folder and render the report page.

    Raises:
        WfmError: the folder is not a plan folder, or a file in it cannot be read.
    """
    plan = read_plan_folder(folder)
    stale = _leave_out_stale(plan)
    sections: list[Section] = [
        forecast_section(plan),
        staffing_section(plan),
        heatmap_section(plan),
        gantt_section(plan),
        cost_section(plan),
    ]
    sections += [s for s in (simulation_section(plan), capacity_section(plan)) if s is not None]
    problems = [
        f"{name} is not in the plan folder: left out: {FEEDS[name]}." for name in plan.missing
    ] + [f"{line}." for line in stale]
    # Nothing of the folder's path goes on the page: the same files give the same bytes.
    page = render_page(_title(plan), _meta(plan), sections, problems)
    return Report(
        html=page,
        missing=list(plan.missing),
        sections=[s.key for s in sections],
        drawn=[s.key for s in sections if s.drawn],
        stale=stale,
    )


def _leave_out_stale(plan: PlanFolder) -> list[str]:
    """Drop sim.csv / capacity.csv when they cannot be of this plan; say why.

    Other commands write them, so a new `wfm plan --out` into the same folder
    leaves the old ones beside it. sim.csv must lie within the plan's
    intervals; capacity.csv must reach past the plan's first interval.
    """
    frame = _grid_frame(plan)
    if frame is None:
        return []
    starts = pd.DatetimeIndex(frame["interval_start"])
    first, last = starts.min(), starts.max()
    span = f"this plan's {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC)"
    out = []
    sim = plan.get("sim.csv")
    if sim is not None and len(sim):
        times = pd.DatetimeIndex(sim["interval_start"])
        if times.min() < first or times.max() > last:
            out.append(
                f"sim.csv covers {times.min():%Y-%m-%d} to {times.max():%Y-%m-%d}, not within "
                f"{span}: left out; run `wfm simulate` on this plan's schedule.csv"
            )
            del plan.frames["sim.csv"]
    capacity = plan.get("capacity.csv")
    if capacity is not None and len(capacity):
        weeks = pd.DatetimeIndex(capacity["week_start"])
        if weeks.max() + pd.Timedelta(days=7) <= first:
            out.append(
                f"capacity.csv ends with the week of {weeks.max():%Y-%m-%d}, before {span}: "
                "left out; run `wfm capacity` again"
            )
            del plan.frames["capacity.csv"]
    return out


def check_plan_set(folder: Path) -> str | None:
    """Refuse a plan folder whose files no longer match its manifest (`.wfm-plan`).

    Only the files the page reads and that are present are checked (a missing one
    is said by `missing_line`; sim.csv and capacity.csv come from other commands).

    Returns:
        A warning when the folder has no manifest to check against, else None.

    Raises:
        WfmError: a file the page reads changed since `wfm plan` wrote the folder:
            the page would mix two plans (e.g. a new schedule with the old cost).
    """
    present = [name for name in FEEDS if (folder / name).is_file()]
    problem = check_manifest(folder, names=present)
    if problem is None:
        return None
    if not (folder / MANIFEST).exists():
        return f"{problem}; the page shows them together as they are"
    raise WfmError(
        f"{problem}; the page would mix two plans: run `wfm plan` again, or restore the file"
    )


def missing_line(folder: Path, report: Report) -> str:
    """The one line for stderr when needed files are absent."""
    left = "; ".join(f"{name} ({FEEDS[name]})" for name in report.missing)
    shown = ", ".join(report.drawn) or "no section"
    return (
        f"{folder}: missing {left}; the report was written with the rest "
        f"({shown}); re-run `wfm plan --out {folder}` for a full report"
    )


def _title(plan: PlanFolder) -> str:
    frame = _grid_frame(plan)
    if frame is None:
        return "Staffing plan"
    starts = pd.DatetimeIndex(frame["interval_start"])
    return (
        f"Staffing plan, week of {starts.min():%d %b %Y}"
        if (starts.max() - starts.min() <= pd.Timedelta(days=7))
        else f"Staffing plan, {starts.min():%d %b %Y} to {starts.max():%d %b %Y}"
    )


def _grid_frame(plan: PlanFolder) -> pd.DataFrame | None:
    return next(
        (plan.get(n) for n in ("coverage.csv", "forecast.csv", "requirements.csv") if plan.has(n)),
        None,
    )


def _meta(plan: PlanFolder) -> str:
    frame = _grid_frame(plan)
    if frame is None:
        return "wfm report"
    starts = pd.DatetimeIndex(frame["interval_start"])
    queues = ", ".join(sorted(frame["queue"].unique()))
    sites = ""
    if plan.summary and plan.summary.get("sites"):
        sites = "; sites " + ", ".join(s["name"] for s in plan.summary["sites"])
    return (
        f"{starts.min():%Y-%m-%d %H:%M} to {starts.max():%Y-%m-%d %H:%M} UTC; "
        f"queues {queues}{sites}. Made by wfm report from the files of wfm plan."
    )
