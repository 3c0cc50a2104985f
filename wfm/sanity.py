"""Sanity checks on a history and on the forecast made from it.

Two ways a real export goes wrong without an error: a few rows far from the
rest (a ticket dated 2100, one week left over from five years ago), which
stretch the history's grid over years of zeros; and a sample or partial export,
whose forecast comes out many times any stretch of the history. The first is
dropped with a warning, the second is a warning beside the forecast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import WfmError

STRAY_GAP = pd.Timedelta(weeks=8)  # a gap this long splits the history into parts
STRAY_SHARE = 0.2  # parts off the main one holding less than this share of rows are dropped
MAX_SPAN = pd.Timedelta(days=366 * 10)  # longest history read, after dropping stray rows
FAR_FACTOR = 3.0  # forecast totals beyond max*3 or below min/3 of the history are flagged


def drop_stray_rows(times: pd.Series, *, path: Path) -> tuple[pd.Series, list[str]]:
    """Which rows to keep, and a warning naming the stray ones dropped.

    The history is cut at every gap longer than `STRAY_GAP`; the part with the
    most rows is the bulk. Other parts are dropped when together they hold less
    than `STRAY_SHARE` of the rows. A history still longer than `MAX_SPAN` is
    refused.

    Args:
        times: UTC timestamps, one per row, indexed by file row - 2.

    Returns:
        (keep, notes): a boolean mask over `times`, and zero or one warning.
    """
    order = times.sort_values(kind="stable")
    part = (order.diff() > STRAY_GAP).cumsum()
    sizes = part.value_counts()
    bulk = sizes.idxmax()
    stray = part[part != bulk].reindex(times.index).notna()
    notes: list[str] = []
    if stray.any() and stray.sum() < STRAY_SHARE * len(times):
        notes.append(_stray_note(times, stray, bulk_times=order[part == bulk], path=path))
        times = times[~stray]
    else:
        stray = pd.Series(False, index=times.index)
    span = times.max() - times.min()
    if span > MAX_SPAN:
        raise WfmError(
            f"{path}: the history runs from {times.min():%Y-%m-%d} to {times.max():%Y-%m-%d} "
            f"({span.days / 365.25:.0f} years); wfm reads at most 10 years: cut the export"
        )
    return ~stray, notes


def _stray_note(times: pd.Series, stray: pd.Series, *, bulk_times: pd.Series, path: Path) -> str:
    shown = times[stray].sort_values().head(3)
    listed = ", ".join(f"row {int(i) + 2} ({t:%Y-%m-%d})" for i, t in shown.items())
    count = int(stray.sum())
    more = f" and {count - len(shown)} more" if count > len(shown) else ""
    return (
        f"{path}: dropped {count} {'row' if count == 1 else 'rows'} more than "
        f"{STRAY_GAP.days // 7} weeks away "
        f"from the rest of the history ({bulk_times.min():%Y-%m-%d} to "
        f"{bulk_times.max():%Y-%m-%d}): {listed}{more}; fix their dates if they are real"
    )


def forecast_far_from_history(
    history: pd.DataFrame, forecast: pd.DataFrame, *, interval_minutes: int
) -> str | None:
    """A warning when the forecast's total is far outside the history's for the same span.

    Compares the forecast's total volume (all queues) with the total of every
    stretch of the history as long as the horizon (or, for a short history, the
    history's length, the forecast scaled to it).

    Args:
        history: the grid history: interval_start, queue, volume (NaN = unknown).
        forecast: the forecast: interval_start, queue, volume.

    Returns:
        The warning, or None when the forecast is within `FAR_FACTOR` of the range.
    """
    per_interval = history.groupby("interval_start")["volume"].sum(min_count=1).fillna(0.0)
    steps = forecast["interval_start"].nunique()
    if steps == 0 or per_interval.empty:
        return None
    window = min(steps, len(per_interval))
    sums = np.convolve(per_interval.to_numpy(float), np.ones(window), mode="valid")
    low, high = float(sums.min()), float(sums.max())
    total = float(forecast["volume"].sum()) * window / steps
    if low / FAR_FACTOR <= total <= high * FAR_FACTOR:
        return None
    span = _duration(window * interval_minutes)
    scaled = "" if window == steps else " (scaled to the history's length)"
    return (
        f"the forecast holds {total:,.0f} contacts per {span}{scaled}, far outside the "
        f"{low:,.0f} to {high:,.0f} of any {span} of the history; check the history for a "
        "sample or partial export, or stray rows, before staffing to it"
    )


def _duration(minutes: int) -> str:
    for size, unit in ((7 * 24 * 60, "week"), (24 * 60, "day"), (60, "hour")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
    return f"{minutes} minutes"
