"""Coverage reshaped for pictures: scheduled agents by site, ratio by local hour and day.

Pure functions over the plan's frames (UTC timestamps, agents per interval).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scheduling.shifts.templates import worked_spans


def on_duty_by_site(
    schedule: pd.DataFrame, grid: pd.DatetimeIndex, *, cyclic: bool = True
) -> pd.DataFrame:
    """Agents on duty per site, queue and interval (breaks excluded, pro rata).

    An agent serving several queues (`queue` "chat;email") counts in each of them:
    the result tells how a queue's agents on duty split over the sites, not how
    many work the queue.

    Args:
        schedule: `site`, `start`, `end`, `queue` and optionally `break_start`,
            `break_end` (UTC, NaT when none) and `other_breaks` ("start/end" ISO
            8601 pairs joined by ";").
        grid: the plan's interval starts (UTC, evenly spaced, sorted).
        cyclic: work past the grid's end counts at its start (a repeating week).

    Returns:
        `interval_start`, `site`, `queue`, `agents` (agents on duty, fractional for
        part intervals), one row per combination with agents > 0, sorted.
    """
    if len(grid) == 0 or schedule.empty:
        return pd.DataFrame(columns=["interval_start", "site", "queue", "agents"])
    step = (grid[1] - grid[0]).total_seconds() if len(grid) > 1 else 3600.0
    origin, period = grid[0], step * len(grid)
    totals: dict[tuple[str, str, int], float] = {}
    for row in schedule.itertuples(index=False):
        queues = [q.strip() for q in str(row.queue).split(";") if q.strip()]
        seconds = [(a - origin).total_seconds() for a in (row.start, row.end)]
        spans = worked_spans(seconds[0], seconds[1], _breaks(row, origin))
        for a, b in spans:
            for index, share in _bins(a, b, step=step, period=period, cyclic=cyclic):
                for queue in queues:
                    key = (str(row.site), queue, index)
                    totals[key] = totals.get(key, 0.0) + share
    rows = [
        {"interval_start": grid[i], "site": site, "queue": queue, "agents": value}
        for (site, queue, i), value in totals.items()
        if value > 1e-9
    ]
    frame = pd.DataFrame(rows, columns=["interval_start", "site", "queue", "agents"])
    return frame.sort_values(["queue", "interval_start", "site"]).reset_index(drop=True)


def _breaks(row, origin: pd.Timestamp) -> list[tuple[float, float]]:
    pauses = []
    start, end = getattr(row, "break_start", pd.NaT), getattr(row, "break_end", pd.NaT)
    if pd.notna(start) and pd.notna(end):
        pauses.append((start, end))
    pauses += parse_other_breaks(getattr(row, "other_breaks", ""))
    return [((a - origin).total_seconds(), (b - origin).total_seconds()) for a, b in pauses]


def parse_other_breaks(cell: object) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """schedule.csv's `other_breaks` ("start/end" ISO 8601 pairs joined by ";") as pairs."""
    if not isinstance(cell, str):
        return []
    pairs = []
    for pair in cell.split(";"):
        if "/" in pair:
            a, b = pair.split("/", 1)
            pairs.append((pd.Timestamp(a.strip()), pd.Timestamp(b.strip())))
    return pairs


def _bins(
    a: float, b: float, *, step: float, period: float, cyclic: bool
) -> list[tuple[int, float]]:
    """(interval index, share of the interval worked) for the span [a, b) in seconds."""
    out = []
    first = math.floor(a / step)
    last = math.ceil(b / step)
    slots = round(period / step)
    for k in range(first, last):
        share = (min(b, (k + 1) * step) - max(a, k * step)) / step
        if share <= 0:
            continue
        if cyclic:
            out.append((k % slots, share))
        elif 0 <= k < slots:
            out.append((k, share))
    return out


def scheduled_by_site(coverage: pd.DataFrame, on_duty: pd.DataFrame) -> pd.DataFrame:
    """Each queue's scheduled agents split over sites by the sites' agents on duty.

    Args:
        coverage: `interval_start`, `queue`, `scheduled` (agents).
        on_duty: `on_duty_by_site` output.

    Returns:
        `interval_start`, `queue`, `site`, `scheduled` (agents): per interval and
        queue the parts add up to coverage's `scheduled`; a queue with scheduled
        agents but none on duty in the schedule (it should not happen) has site
        "(unknown)".
    """
    totals = on_duty.groupby(["interval_start", "queue"])["agents"].transform("sum")
    shares = on_duty.assign(share=on_duty["agents"] / totals)
    merged = coverage[["interval_start", "queue", "scheduled"]].merge(
        shares[["interval_start", "queue", "site", "share"]],
        on=["interval_start", "queue"],
        how="left",
    )
    merged["site"] = merged["site"].fillna("(unknown)")
    merged["share"] = merged["share"].fillna(1.0)
    merged["scheduled"] = merged["scheduled"] * merged["share"]
    merged = merged[merged["scheduled"] > 0]
    out = merged[["interval_start", "queue", "site", "scheduled"]]
    return out.sort_values(["queue", "interval_start", "site"]).reset_index(drop=True)


def coverage_ratio_by_local_hour(coverage: pd.DataFrame, *, zone: str) -> pd.DataFrame:
    """Scheduled / required agents by local date and hour of day, for one queue.

    Args:
        coverage: one queue's `interval_start` (UTC), `required`, `scheduled` (agents).
        zone: the queue's IANA time zone; hours and dates are read on its clock.

    Returns:
        A frame indexed by local date (sorted) with columns 0..23 (local hour):
        the sum of scheduled over the sum of required agents of the intervals
        starting in that hour; NaN where nothing is required (or no interval).
    """
    local = pd.DatetimeIndex(coverage["interval_start"]).tz_convert(zone)
    frame = pd.DataFrame(
        {
            "date": local.date,
            "hour": local.hour,
            "required": coverage["required"].to_numpy(dtype=float),
            "scheduled": coverage["scheduled"].to_numpy(dtype=float),
        }
    )
    sums = frame.groupby(["date", "hour"])[["required", "scheduled"]].sum()
    ratio = (sums["scheduled"] / sums["required"]).where(sums["required"] > 1e-9)
    table = ratio.unstack("hour").reindex(columns=range(24))
    return table.sort_index().astype(float).replace([np.inf, -np.inf], np.nan)
