"""Requirements: agents needed per queue and interval, validated onto a full grid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from scheduling.columns import AGENTS_SCHEDULED, INTERVAL_START, QUEUE, REQUIRED
from scheduling.errors import InputError
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.sites import Site


def requirement_table(
    requirements: pd.DataFrame,
    *,
    options: ScheduleOptions,
    sites: Sequence[Site] | None = None,
) -> pd.DataFrame:
    """Validate requirements and return them on their full grid.

    Args:
        requirements: frame with `interval_start` (tz-aware), `queue` and
            `agents_scheduled` (agents on shift needed, >= 0, fractional allowed).
        options: gives `interval_minutes`, the grid step.
        sites: when given, every queue must be served by one of them.

    Returns:
        `interval_start` (UTC), `queue`, `required` (agents): one row per queue per
        grid interval (queues missing an interval require 0 there), sorted by
        queue, interval_start.

    Raises:
        InputError: missing columns, no rows, naive timestamps, missing, negative or
            infinite agents_scheduled, duplicate rows, a grid that is not regular at
            `interval_minutes`, or queues no site serves.
    """
    missing = [c for c in (INTERVAL_START, QUEUE, AGENTS_SCHEDULED) if c not in requirements]
    if missing:
        raise InputError(
            f"requirements: missing column(s) {', '.join(missing)}; expected "
            f"{INTERVAL_START}, {QUEUE}, {AGENTS_SCHEDULED}"
        )
    if requirements.empty:
        raise InputError("requirements: no rows; nothing to schedule")
    queue_names = requirements[QUEUE]
    if queue_names.isna().any():
        raise InputError(
            f"requirements: {int(queue_names.isna().sum())} row(s) have no {QUEUE}; "
            "name the queue of every row"
        )
    raw = requirements[AGENTS_SCHEDULED].to_numpy()
    frame = pd.DataFrame(
        {
            INTERVAL_START: _utc_starts(requirements[INTERVAL_START]).array,
            QUEUE: queue_names.astype(str).array,
            REQUIRED: pd.to_numeric(requirements[AGENTS_SCHEDULED], errors="coerce").array,
        }
    )
    bad = frame[~np.isfinite(frame[REQUIRED]) | (frame[REQUIRED] < 0)]
    if not bad.empty:
        raise InputError(
            f"requirements: {AGENTS_SCHEDULED} must be a number >= 0; {len(bad)} bad row(s), "
            f"e.g. {_examples(bad, raw)}"
        )
    dupes = frame[frame.duplicated([QUEUE, INTERVAL_START], keep=False)]
    if not dupes.empty:
        raise InputError(
            f"requirements: {len(dupes)} duplicate ({QUEUE}, {INTERVAL_START}) rows, e.g. "
            f"{_examples(dupes)}; keep one row per queue and interval"
        )
    grid = _grid(frame[INTERVAL_START], options.interval_minutes)
    queues = sorted(frame[QUEUE].unique())
    if sites is not None:
        served = {q for site in sites for q in site.queues}
        orphans = [q for q in queues if q not in served]
        if orphans:
            raise InputError(
                f"requirements: queue(s) {', '.join(map(repr, orphans))} are served by no "
                "site; add them to a site's queues or drop their rows"
            )
    full = pd.MultiIndex.from_product([queues, grid], names=[QUEUE, INTERVAL_START])
    table = frame.set_index([QUEUE, INTERVAL_START])[REQUIRED].reindex(full, fill_value=0.0)
    out = table.reset_index()[[INTERVAL_START, QUEUE, REQUIRED]]
    out[REQUIRED] = out[REQUIRED].astype(float)
    return out.sort_values([QUEUE, INTERVAL_START], ignore_index=True)


def coarser_requirements(frame: pd.DataFrame, *, minutes: int, step_minutes: int) -> pd.DataFrame:
    """Requirements on `step_minutes`-long intervals averaged onto `minutes`-long
    ones (a multiple of the step), each starting at a multiple of `minutes` in
    UTC: the agents a coarse interval requires are the mean over its steps, a
    step without a row counting 0 (the first and last coarse intervals may reach
    outside the horizon).

    Args:
        frame: `interval_start` (tz-aware), `queue`, `agents_scheduled`.
        minutes: the coarse interval, minutes.
        step_minutes: `frame`'s interval, minutes.

    Returns:
        `interval_start` (UTC), `queue`, `agents_scheduled`, sorted by
        interval_start, queue.
    """
    if minutes % step_minutes:
        raise InputError(f"coarser_requirements: {minutes} is not a multiple of {step_minutes}")
    starts = pd.to_datetime(frame[INTERVAL_START], utc=True).dt.floor(f"{minutes}min")
    coarse = frame.assign(**{INTERVAL_START: starts})
    total = coarse.groupby([INTERVAL_START, QUEUE], as_index=False)[AGENTS_SCHEDULED].sum()
    total[AGENTS_SCHEDULED] *= step_minutes / minutes
    return total


def _grid(starts: pd.Series, interval_minutes: int) -> pd.DatetimeIndex:
    grid = pd.DatetimeIndex(starts.unique()).sort_values()
    step = pd.Timedelta(minutes=interval_minutes)
    steps = grid[1:] - grid[:-1]
    off = np.flatnonzero(steps != step)
    if len(off):
        examples = ", ".join(f"{grid[i]} -> {grid[i + 1]}" for i in off[:5])
        raise InputError(
            f"requirements: {INTERVAL_START} is not a regular {interval_minutes}-minute grid "
            f"({len(off)} gap(s) or misaligned step(s), e.g. {examples}); fill missing "
            "intervals with 0 or set interval_minutes (at the top of the config) to match"
        )
    return grid


def _utc_starts(starts: pd.Series) -> pd.Series:
    """Interval starts in UTC; naive or unparseable values are an InputError."""
    if isinstance(starts.dtype, pd.DatetimeTZDtype):
        return starts.dt.tz_convert("UTC")
    values = starts.dropna()
    if starts.dtype == object and all(
        isinstance(v, datetime) and v.tzinfo is not None for v in values
    ):
        return pd.Series(pd.to_datetime(starts, utc=True), index=starts.index)
    raise InputError(
        f"requirements: {INTERVAL_START} must be timezone-aware timestamps, got dtype "
        f"{starts.dtype}; parse them with their UTC offset"
    )


def _examples(rows: pd.DataFrame, raw: np.ndarray | None = None) -> str:
    """Up to five rows as (queue, interval[, raw value]) for error messages.

    `rows` keeps the positions of the validated frame, which index `raw`.
    """
    shown = []
    for position, row in rows.head(5).iterrows():
        text = f"({row[QUEUE]!r}, {row[INTERVAL_START]:%Y-%m-%d %H:%M}"
        shown.append(text + (f", {raw[position]!r})" if raw is not None else ")"))
    return ", ".join(shown)
