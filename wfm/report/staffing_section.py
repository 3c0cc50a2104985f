"""Required vs scheduled agents (scheduled stacked by site) and the coverage heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from wfm.report import charts
from wfm.report.coverage_frames import (
    coverage_ratio_by_local_hour,
    on_duty_by_site,
    scheduled_by_site,
)
from wfm.report.inputs import PlanFolder
from wfm.report.sections import Section, chart_key, figure, missing, note, table

COVERAGE = "coverage.csv"
SCHEDULE = "schedule.csv"
REQUIREMENTS = "requirements.csv"
# Red where short, white at exactly staffed, green where over (capped at 150%).
RATIO_COLOURS = LinearSegmentedColormap.from_list(
    "coverage", [(0.0, "#B2182B"), (0.5, "#F7F7F7"), (0.75, "#A6DBA0"), (1.0, "#1B7837")]
)


def staffing_section(plan: PlanFolder) -> Section:
    """Per queue: required agents (line) over scheduled agents stacked by site."""
    coverage = plan.get(COVERAGE)
    if coverage is None:
        return Section(
            "staffing", "Required vs scheduled", missing([COVERAGE], "this chart"), drawn=False
        )
    by_site, body = _by_site(plan, coverage)
    body += _requirements_table(plan, coverage)
    colours = charts.site_colours(sorted(by_site["site"].unique()))
    for number, queue in enumerate(sorted(coverage["queue"].unique())):
        zone = plan.queue_zone(queue)
        part = coverage[coverage["queue"] == queue].sort_values("interval_start")
        stacked = by_site[by_site["queue"] == queue]
        key = chart_key("staffing", number, queue)
        with charts.figure(key, height=2.8) as fig:
            _draw_stack(fig.add_subplot(), queue, zone, part, stacked, colours)
            svg = charts.svg(fig, key)
        short = part["shortfall"].sum()
        body += figure(
            svg,
            f"{queue}: agents required (black) and scheduled, stacked by site; red: "
            f"short ({short:,.1f} agent-intervals in all). Local time, {zone}.",
        )
    return Section("staffing", "Required vs scheduled agents", body)


def _requirements_table(plan: PlanFolder, coverage: pd.DataFrame) -> str:
    """Per queue: peak and total agents required and scheduled, and the shortfall."""
    requirements = plan.get(REQUIREMENTS)
    hours = (plan.summary or {}).get("interval_minutes", 60) / 60
    rows = []
    for queue, part in coverage.groupby("queue", sort=True):
        cells = [
            str(queue),
            f"{part['required'].max():,.1f}",
            f"{part['required'].sum() * hours:,.1f}",
            f"{part['scheduled'].sum() * hours:,.1f}",
            f"{part['shortfall'].sum() * hours:,.1f}",
            f"{(part['shortfall'] > 1e-9).sum()}",
        ]
        if requirements is not None and "service_level" in requirements.columns:
            mine = requirements[requirements["queue"] == queue]
            weights = mine["volume"] if "volume" in mine.columns else None
            level = (
                (mine["service_level"] * weights).sum() / weights.sum()
                if weights is not None and weights.sum() > 0
                else mine["service_level"].mean()
            )
            cells.append("-" if pd.isna(level) else f"{level:.1%}")
        rows.append(cells)
    header = [
        "queue",
        "peak required",
        "agent-hours required",
        "agent-hours scheduled",
        "agent-hours short",
        "intervals short",
    ]
    if requirements is not None and "service_level" in requirements.columns:
        header.append("planned service level")
    return table(header, rows)


def _by_site(plan: PlanFolder, coverage: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    schedule = plan.get(SCHEDULE)
    grid = pd.DatetimeIndex(sorted(coverage["interval_start"].unique()))
    if schedule is None:
        frame = coverage.assign(site="(all sites)")[
            ["interval_start", "queue", "site", "scheduled"]
        ]
        return frame, note(
            f"{SCHEDULE} is not in the folder: scheduled agents are not split by site."
        )
    cyclic = bool((plan.summary or {}).get("cyclic", True))
    on_duty = on_duty_by_site(schedule, grid, cyclic=cyclic)
    return scheduled_by_site(coverage, on_duty), ""


def _draw_stack(ax, queue, zone, part, stacked, colours) -> None:
    x = charts.local_naive(part["interval_start"], zone)
    step = x.diff().dropna().min() if len(x) > 1 else pd.Timedelta(hours=1)
    edges = pd.concat([x, pd.Series([x.iloc[-1] + step])], ignore_index=True)
    starts = part["interval_start"].reset_index(drop=True)
    base = np.zeros(len(part))
    for site, colour in colours.items():
        mine = stacked[stacked["site"] == site].set_index("interval_start")["scheduled"]
        values = mine.reindex(starts).fillna(0.0).to_numpy()
        if not values.any():
            continue
        top = base + values
        ax.fill_between(
            edges, _closed(base), _closed(top), step="post", color=colour, linewidth=0, label=site
        )
        base = top
    required = part["required"].to_numpy()
    short = np.minimum(base, required) < required - 1e-9
    ax.fill_between(
        edges,
        _closed(base),
        _closed(required),
        where=_closed(short),
        step="post",
        color=charts.SHORT,
        alpha=0.55,
        linewidth=0,
        label="short",
    )
    ax.step(edges, _closed(required), where="post", color="black", linewidth=1.0, label="required")
    ax.set_title(queue)
    ax.set_ylabel("agents")
    ax.set_ylim(bottom=0)
    charts.day_axis(ax, zone)
    charts.legend_above(ax)


def _closed(values: np.ndarray) -> np.ndarray:
    """Values per interval with the last repeated, for a step drawn to the grid's end."""
    values = np.asarray(values)
    return np.concatenate([values, values[-1:]])


def heatmap_section(plan: PlanFolder) -> Section:
    """Per queue: scheduled / required by local hour (columns) and local day (rows)."""
    coverage = plan.get(COVERAGE)
    title = "Are we staffed enough each hour?"
    if coverage is None:
        return Section("heatmap", title, missing([COVERAGE], "the coverage heatmap"), drawn=False)
    body = note(
        "Scheduled / required agents in each local hour: red is short, white exactly "
        "staffed, green over; grey: nothing required. Numbers are percent."
    )
    for number, queue in enumerate(sorted(coverage["queue"].unique())):
        zone = plan.queue_zone(queue)
        ratio = coverage_ratio_by_local_hour(coverage[coverage["queue"] == queue], zone=zone)
        key = chart_key("heatmap", number, queue)
        with charts.figure(key, height=0.9 + 0.28 * len(ratio)) as fig:
            _draw_heatmap(fig.add_subplot(), queue, zone, ratio)
            svg = charts.svg(fig, key)
        body += figure(svg, f"{queue}: coverage ratio by local hour and day, {zone}.")
    return Section("heatmap", title, body)


def _draw_heatmap(ax, queue: str, zone: str, ratio: pd.DataFrame) -> None:
    values = ratio.to_numpy(dtype=float)
    cmap = RATIO_COLOURS.with_extremes(bad="#DDDDDD")
    ax.imshow(
        np.ma.masked_invalid(values),
        cmap=cmap,
        vmin=0.5,
        vmax=1.5,
        aspect="auto",
        interpolation="nearest",
    )
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(
                j,
                i,
                f"{value * 100:.0f}",
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if value < 0.65 or value > 1.4 else "black",
            )
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(len(ratio)), [f"{pd.Timestamp(d):%a %d %b}" for d in ratio.index])
    ax.set_xlabel(f"local hour ({zone})")
    ax.set_title(queue)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
