"""Coverage: agents on shift per queue and interval against the requirement.

Computed from the final schedule of named agents, not from the integer
programme, so it shows what the schedule really delivers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scheduling.columns import (
    COVERAGE_COLUMNS,
    END,
    INTERVAL_START,
    QUEUE,
    REQUIRED,
    SCHEDULED,
    SHORTFALL,
    START,
    SURPLUS,
)
from scheduling.errors import InputError
from scheduling.model import requirement_table
from scheduling.shifts import FRACTION, INTERVAL, SHIFT, shift_coverage
from scheduling.sites import ScheduleOptions


def coverage_frame(
    requirements: pd.DataFrame,
    schedule: pd.DataFrame,
    *,
    options: ScheduleOptions,
) -> pd.DataFrame:
    """Scheduled agents per queue and interval, and the gap to the requirement.

    Args:
        requirements: `interval_start` (tz-aware), `queue`, `agents_scheduled`
            (agents on shift needed).
        schedule: one row per agent shift with `start`, `end`, `queue` and
            optionally `break_start`, `break_end` (tz-aware).
        options: `interval_minutes` and `cyclic` (work past the horizon end
            counts at its start).

    Returns:
        `COVERAGE_COLUMNS`, one row per queue (of the requirements or the
        schedule) and grid interval, sorted by queue, interval_start:
        `interval_start` (UTC), `queue`, `required` (agents), `scheduled` (agents
        working, break excluded, fractional for partial intervals), `shortfall`
        = max(required - scheduled, 0) and `surplus` = max(scheduled - required,
        0) (agents).

    Raises:
        InputError: invalid requirements, or a schedule missing columns.
    """
    required = requirement_table(requirements, options=options)
    missing = [c for c in (START, END, QUEUE) if c not in schedule]
    if missing:
        raise InputError(f"schedule: missing column(s) {', '.join(missing)}")
    grid = pd.DatetimeIndex(required[INTERVAL_START].unique()).sort_values()
    queues = sorted(set(required[QUEUE]) | set(schedule[QUEUE].astype(str)))
    full = pd.MultiIndex.from_product([queues, grid], names=[QUEUE, INTERVAL_START])
    need = required.set_index([QUEUE, INTERVAL_START])[REQUIRED].reindex(full, fill_value=0.0)

    worked = pd.Series(0.0, index=full)
    if not schedule.empty:
        rows = schedule.reset_index(drop=True)
        cells = shift_coverage(
            rows,
            grid_start=grid[0],
            n_intervals=len(grid),
            interval_minutes=options.interval_minutes,
            cyclic=options.cyclic,
        )
        cells[QUEUE] = rows[QUEUE].astype(str).to_numpy()[cells[SHIFT].to_numpy()]
        cells[INTERVAL_START] = grid[cells[INTERVAL].to_numpy()]
        sums = cells.groupby([QUEUE, INTERVAL_START])[FRACTION].sum()
        worked = worked.add(sums, fill_value=0.0).reindex(full)

    out = pd.DataFrame(
        {
            REQUIRED: need.to_numpy(dtype=float),
            # Sums of interval shares carry float noise; round it off.
            SCHEDULED: np.round(worked.to_numpy(dtype=float), 9),
        },
        index=full,
    ).reset_index()
    out[SHORTFALL] = np.maximum(np.round(out[REQUIRED] - out[SCHEDULED], 9), 0.0)
    out[SURPLUS] = np.maximum(np.round(out[SCHEDULED] - out[REQUIRED], 9), 0.0)
    return out[list(COVERAGE_COLUMNS)].sort_values([QUEUE, INTERVAL_START], ignore_index=True)
