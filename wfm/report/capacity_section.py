"""`wfm capacity`'s weeks ahead (capacity.csv): FTE by source against the need."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.report import charts
from wfm.report.inputs import PlanFolder
from wfm.report.sections import Section, figure, table

CAPACITY = "capacity.csv"
OUTSOURCED = "outsourced"


def capacity_section(plan: PlanFolder) -> Section | None:
    """Weekly FTE stacked by site (productive, overtime), outsourced, short; a table per site."""
    capacity = plan.get(CAPACITY)
    if capacity is None:
        return None
    body = ""
    key = "capacity"
    with charts.figure(key, height=3.0) as fig:
        _draw(fig.add_subplot(), capacity)
        svg = charts.svg(fig, key)
    body += figure(
        svg,
        "FTE per week: productive and overtime by site, outsourced, and short (red) "
        "against the required FTE (black).",
    )
    rows = []
    for site, part in capacity.groupby("site", sort=True):
        rows.append(
            [
                str(site),
                _total(part, "hires", decimals=0),
                _classes(part),
                _total(part, "attrition"),
                f"{part['short_fte'].max():,.1f}",
                _total(part, "cost", decimals=2),
            ]
        )
    body += table(["site", "hires", "class starts", "attrition", "max short FTE", "cost"], rows)
    return Section("capacity", "Capacity: weeks ahead", body)


def _draw(ax, capacity: pd.DataFrame) -> None:
    weeks = sorted(capacity["week_start"].unique())
    x = pd.DatetimeIndex(weeks).tz_convert("UTC").tz_localize(None)
    width = pd.Timedelta(days=5)
    base = np.zeros(len(weeks))
    sites = sorted(s for s in capacity["site"].unique() if s != OUTSOURCED)
    colours = charts.site_colours(sites)

    def add(values: np.ndarray, colour: str, label: str, **style) -> None:
        nonlocal base
        if np.nansum(values) <= 0:
            return
        ax.bar(x, values, width, bottom=base, color=colour, label=label, linewidth=0, **style)
        base = base + values

    for site in sites:
        part = capacity[capacity["site"] == site].set_index("week_start")
        add(_series(part, "productive_fte", weeks), colours[site], site)
        add(_series(part, "overtime_fte", weeks), colours[site], f"{site} overtime", alpha=0.45)
    everyone = capacity.set_index(["week_start", "site"])
    outsourced = everyone["outsourced_fte"].groupby(level=0).sum().reindex(weeks).fillna(0)
    add(outsourced.to_numpy(), "#999999", "outsourced")
    short = everyone["short_fte"].groupby(level=0).sum().reindex(weeks).fillna(0)
    add(short.to_numpy(), charts.SHORT, "short", alpha=0.7)
    required = capacity[capacity["site"] != OUTSOURCED].groupby("week_start")["required_fte"].sum()
    ax.step(x, required.reindex(weeks).to_numpy(), where="mid", color="black", label="required")
    ax.set_ylabel("FTE")
    ax.set_xlabel("week starting (UTC date)")
    ax.set_title("FTE by week")
    charts.legend_above(ax, fontsize=7)


def _series(part: pd.DataFrame, column: str, weeks: list) -> np.ndarray:
    if column not in part.columns:
        return np.zeros(len(weeks))
    return part[column].groupby(level=0).sum().reindex(weeks).fillna(0).to_numpy(dtype=float)


def _total(part: pd.DataFrame, column: str, *, decimals: int = 1) -> str:
    if column not in part.columns:
        return "-"
    return f"{part[column].sum():,.{decimals}f}"


def _classes(part: pd.DataFrame) -> str:
    if "class_start" not in part.columns:
        return "-"
    # A count, a flag or a date: any cell but blank, 0 or false is a class starting.
    text = part["class_start"].astype(str).str.strip().str.lower()
    return f"{int((~text.isin(['', '0', '0.0', 'false', 'nan', 'no'])).sum())}"
