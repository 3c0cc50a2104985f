"""Breaks: where a shift's break may start, and whole agents per break start.

Shifts of `break_after_hours` or longer get one break of `break_minutes`, off the
queues. Its start is not fixed in advance. The shift programme treats breaks
implicitly (Aykin, T. (1996), "Optimal shift scheduling with multiple break
windows", Management Science 42(4), 591-602): for each shift it decides how many
of the shift's agents break at each candidate start, as a continuous share that
sums to the shift's agents, and those breaks are taken off the shift's cover.

Candidate starts lie on a grid measured from the shift start, of `break_minutes`
or the site's `start_step_minutes`, whichever is finer, but never finer than 15
minutes. The break must lie inside its window: by default the middle third of
the shift (starting no earlier than a third of the way in, ending no later than
two thirds), or `break_window` = (from, to) hours after the shift start (e.g.
(3, 5): lunch between hours 3 and 5), cut to the shift. When no grid start fits
the window, the break goes at the grid start nearest the middle of the shift
(or is centred when no grid start fits at all), as its only candidate.

After the solve, the continuous shares of each shift become whole agents per
break start by largest-remainder rounding (`round_breaks`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from scheduling.columns import BREAK_END, BREAK_START, END, SITE, START
from scheduling.shifts import SHIFT_ID, utc_column
from scheduling.sites import ScheduleOptions, Site

MIN_GRID_MINUTES = 15
BREAK_OPTION_COLUMNS = (SHIFT_ID, BREAK_START, BREAK_END)
_EPS = 1e-9


def break_grid_minutes(site: Site, options: ScheduleOptions) -> int:
    """Spacing of candidate break starts at `site`, minutes."""
    return max(MIN_GRID_MINUTES, min(options.break_minutes, site.start_step_minutes))


def break_offsets(
    length_minutes: float,
    *,
    break_minutes: int,
    grid_minutes: int,
    window_hours: tuple[float, float] | None = None,
) -> tuple[float, ...]:
    """Candidate break starts, minutes after the shift start (see the module docstring).

    Args:
        length_minutes: shift length, minutes.
        break_minutes: break length, minutes (0 for none).
        grid_minutes: spacing of the candidate starts, minutes (> 0).
        window_hours: (from, to) hours after the shift start that the break must
            lie in, or None for the middle third.

    Returns:
        Increasing offsets; empty when `break_minutes` is 0.
    """
    if break_minutes <= 0:
        return ()
    if window_hours is None:
        earliest, latest = length_minutes / 3, 2 * length_minutes / 3 - break_minutes
    else:
        earliest = window_hours[0] * 60
        latest = min(window_hours[1] * 60, length_minutes) - break_minutes
    first = math.ceil(earliest / grid_minutes - _EPS)
    inside = []
    k = first
    while k * grid_minutes <= latest + _EPS:
        inside.append(float(k * grid_minutes))
        k += 1
    if inside:
        return tuple(inside)
    fits = [
        float(k * grid_minutes)
        for k in range(1, int(length_minutes // grid_minutes) + 1)
        if k * grid_minutes + break_minutes <= length_minutes + _EPS
    ]
    if not fits:
        return (max((length_minutes - break_minutes) / 2, 0.0),)
    middle = length_minutes / 2
    return (min(fits, key=lambda offset: (abs(offset + break_minutes / 2 - middle), offset)),)


def break_options(
    shifts: pd.DataFrame, *, sites: Sequence[Site], options: ScheduleOptions
) -> pd.DataFrame:
    """Every candidate break of every shift that gets a break.

    Args:
        shifts: candidate shifts (`generate_shifts` columns: shift_id, site,
            start, end, paid_hours).
        sites: the sites of the shifts.
        options: `break_minutes`, `break_after_hours`.

    Returns:
        One row per candidate break, sorted by shift_id, break_start: `shift_id`,
        `break_start`, `break_end` (UTC). Shifts without a break have no row.
    """
    by_name = {site.name: site for site in sites}
    rows = []
    if options.break_minutes > 0:
        length = pd.Timedelta(minutes=options.break_minutes)
        for shift_id, site_name, start, end in zip(
            shifts[SHIFT_ID], shifts[SITE], shifts[START], shifts[END], strict=True
        ):
            minutes = (end - start).total_seconds() / 60
            if minutes < options.break_after_hours * 60 - _EPS:
                continue
            grid = break_grid_minutes(by_name[site_name], options)
            for offset in break_offsets(
                minutes,
                break_minutes=options.break_minutes,
                grid_minutes=grid,
                window_hours=options.break_window,
            ):
                begin = start + pd.Timedelta(minutes=offset)
                rows.append((shift_id, begin, begin + length))
    frame = pd.DataFrame(rows, columns=list(BREAK_OPTION_COLUMNS))
    frame[SHIFT_ID] = frame[SHIFT_ID].astype(str)
    for column in (BREAK_START, BREAK_END):
        frame[column] = utc_column(frame[column])
    return frame.sort_values([SHIFT_ID, BREAK_START], ignore_index=True)


def round_breaks(weights: Sequence[float], count: int) -> list[int]:
    """Whole agents per break start: `count` split in proportion to `weights`.

    Largest-remainder (Hamilton) rounding: every start gets the floor of its
    share, and the agents left over go to the largest fractional parts; ties go
    to the earlier start. Weights that are all zero count as equal.

    Args:
        weights: non-negative weight of each break start, in start order.
        count: agents to split (>= 0).

    Returns:
        Whole agents per start, summing to `count`.
    """
    if count <= 0 or not weights:
        return [0] * len(weights)
    clean = [max(float(w), 0.0) for w in weights]
    total = sum(clean)
    if total <= _EPS:
        clean, total = [1.0] * len(clean), float(len(clean))
    # Round away solver noise so that ties are ties.
    shares = [round(w * count / total, 9) for w in clean]
    whole = [math.floor(s) for s in shares]
    left = count - sum(whole)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - whole[i]), i))
    for i in order[: max(left, 0)]:
        whole[i] += 1
    return whole
