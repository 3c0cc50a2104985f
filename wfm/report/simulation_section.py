"""`wfm simulate`'s chance of meeting the service target per interval (sim.csv)."""

from __future__ import annotations

import pandas as pd

from wfm.report import charts
from wfm.report.inputs import PlanFolder
from wfm.report.sections import Section, chart_key, figure, table

SIM = "sim.csv"


def simulation_section(plan: PlanFolder) -> Section | None:
    """Per queue: p_meet_target per interval; None when sim.csv is absent."""
    sim = plan.get(SIM)
    if sim is None:
        return None
    queues = sorted(sim["queue"].unique())
    rows = []
    for queue in queues:
        part = sim[sim["queue"] == queue]
        p = part["p_meet_target"]  # blank where every run's contacts still waited at the end
        rows.append(
            [
                str(queue),
                "-" if p.isna().all() else f"{p.mean():.0%}",
                f"{(p < 0.5).sum()}",
                f"{len(part)}",
                _mean(part, "service_level"),
            ]
        )
    body = table(
        ["queue", "mean p(meet target)", "intervals below 50%", "intervals", "mean service level"],
        rows,
    )
    for number, queue in enumerate(queues):
        zone = plan.queue_zone(queue)
        part = sim[sim["queue"] == queue].sort_values("interval_start")
        key = chart_key("sim", number, queue)
        with charts.figure(key, height=2.4) as fig:
            _draw(fig.add_subplot(), queue, zone, part)
            svg = charts.svg(fig, key)
        body += figure(
            svg,
            f"{queue}: share of simulated runs meeting the service target per interval "
            f"(red below 50%). Local time, {zone}.",
        )
    return Section("simulation", "Simulation: chance of meeting the target", body)


def _draw(ax, queue: str, zone: str, part: pd.DataFrame) -> None:
    x = charts.local_naive(part["interval_start"], zone)
    p = part["p_meet_target"].to_numpy()
    width = (x.diff().dropna().min() if len(x) > 1 else pd.Timedelta(hours=1)) * 0.9
    colours = [charts.SHORT if v < 0.5 else charts.FORECAST for v in p]
    ax.bar(x, p, width=width, align="edge", color=colours, linewidth=0)
    ax.axhline(0.5, color="#555555", linewidth=0.7, linestyle="--")
    ax.set_ylim(0, 1)
    ax.set_ylabel("p(meet target)")
    ax.set_title(queue)
    charts.day_axis(ax, zone)


def _mean(part: pd.DataFrame, column: str) -> str:
    if column not in part.columns or part[column].isna().all():
        return "-"
    return f"{part[column].mean():.1%}"
