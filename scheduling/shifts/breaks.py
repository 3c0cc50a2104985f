"""Breaks: where a shift's breaks may start, and whole agents per break start.

Each break rule (`ScheduleOptions.break_rules`: a lunch, short breaks) gives
shifts of its `after_hours` or longer one break of its `minutes`, off the
queues; the single rule of `break_minutes`, `break_after_hours` and
`break_window` is the shorthand. A break's start is not fixed in advance. The
shift programme treats breaks implicitly (Aykin, T. (1996), "Optimal shift
scheduling with multiple break windows", Management Science 42(4), 591-602):
for each shift and rule it decides how many of the shift's agents break at each
candidate start, whole agents that sum to the shift's agents, and those breaks
are taken off the shift's cover.

Candidate starts lie on a grid measured from the shift start, of the break's
minutes or the site's `start_step_minutes`, whichever is finer, but never finer
than 15 minutes. The break must lie inside its window: by default the middle
third of the shift (starting no earlier than a third of the way in, ending no
later than two thirds), or (from, to) hours after the shift start (e.g. (3, 5):
lunch between hours 3 and 5), cut to the shift. When no grid start fits the
window, the break goes at the grid start nearest the middle of the shift (or is
centred when no grid start fits at all), as its only candidate.

An agent takes one break at a time. `ScheduleOptions` rejects rules whose
(from, to) windows overlap, whatever the shift length; `rule_break_options`
checks the rest on the real shifts: it rejects rules whose candidates meet in
some shift (a middle third, or a break pushed to the middle by the fallback),
so any choice of one candidate per rule gives breaks that do not overlap.

Agents of equivalent starts (the same share of the same intervals) are
staggered over them, and when fewer agents take a shift than planned its agents
per break start are split again, both by largest-remainder rounding
(`round_breaks`), rule by rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from scheduling.columns import BREAK_END, BREAK_START, END, SHIFT_ID, SITE, START
from scheduling.errors import InputError
from scheduling.shifts.options import BreakRule, ScheduleOptions
from scheduling.shifts.sites import Site
from scheduling.shifts.templates import utc_column

MIN_GRID_MINUTES = 15
BREAK_OPTION_COLUMNS = (SHIFT_ID, BREAK_START, BREAK_END)
_EPS = 1e-9


def rule_grid_minutes(site: Site, rule: BreakRule) -> int:
    """Spacing of candidate starts of the break of `rule` at `site`, minutes."""
    return max(MIN_GRID_MINUTES, min(rule.minutes, site.start_step_minutes))


def rule_offsets(length_minutes: float, rule: BreakRule, *, grid_minutes: int) -> tuple[float, ...]:
    """Candidate starts of the break of `rule`, minutes after the shift start.

    Args:
        length_minutes: shift length, minutes.
        rule: the break rule (its `after_hours` is not checked here).
        grid_minutes: spacing of the candidate starts, minutes (> 0).

    Returns:
        Increasing offsets, as `break_offsets`.
    """
    return break_offsets(
        length_minutes,
        break_minutes=rule.minutes,
        grid_minutes=grid_minutes,
        window_hours=rule.window,
    )


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
    """Every candidate break of every shift that gets a break, of every rule.

    Args:
        shifts: candidate shifts (`generate_shifts` columns: shift_id, site,
            start, end, paid_hours).
        sites: the sites of the shifts.
        options: the break rules (`break_rules`).

    Returns:
        One row per candidate break, sorted by shift_id, break_start: `shift_id`,
        `break_start`, `break_end` (UTC). Shifts without a break have no row.

    Raises:
        InputError: two rules' candidates overlap in some shift.
    """
    return combine_break_options(rule_break_options(shifts, sites=sites, options=options))


def combine_break_options(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The candidate breaks of all rules (`rule_break_options`) in one frame."""
    if len(frames) == 1:
        return frames[0]
    return _break_frame([row for frame in frames for row in frame.itertuples(index=False)])


def rule_break_options(
    shifts: pd.DataFrame, *, sites: Sequence[Site], options: ScheduleOptions
) -> list[pd.DataFrame]:
    """The candidate breaks of each break rule, as `break_options` frames.

    Args:
        shifts: candidate shifts (`generate_shifts` columns).
        sites: the sites of the shifts.
        options: the break rules (`break_rules`).

    Returns:
        One frame per rule, in rule order (none without rules): `shift_id`,
        `break_start`, `break_end` (UTC), sorted by shift_id, break_start; a
        shift shorter than the rule's `after_hours` has no row.

    Raises:
        InputError: in some shift a candidate of one rule overlaps a candidate of
            another (an agent would be on two breaks at once).
    """
    rules = options.break_rules
    by_name = {site.name: site for site in sites}
    rows: list[list[tuple[str, pd.Timestamp, pd.Timestamp]]] = [[] for _ in rules]
    known: dict[tuple[str, float], list[tuple[float, ...]]] = {}
    for shift_id, site_name, start, end in zip(
        shifts[SHIFT_ID], shifts[SITE], shifts[START], shifts[END], strict=True
    ):
        minutes = (end - start).total_seconds() / 60
        key = (site_name, minutes)
        if key not in known:
            known[key] = _shift_offsets(minutes, by_name[site_name], rules)
        for r, (rule, offsets) in enumerate(zip(rules, known[key], strict=True)):
            length = pd.Timedelta(minutes=rule.minutes)
            for offset in offsets:
                begin = start + pd.Timedelta(minutes=offset)
                rows[r].append((shift_id, begin, begin + length))
    return [_break_frame(rule_rows) for rule_rows in rows]


def _shift_offsets(
    minutes: float, site: Site, rules: Sequence[BreakRule]
) -> list[tuple[float, ...]]:
    """Candidate offsets of each rule in a shift of `minutes` at `site`; checks clashes."""
    out = [
        ()
        if minutes < rule.after_hours * 60 - _EPS
        else rule_offsets(minutes, rule, grid_minutes=rule_grid_minutes(site, rule))
        for rule in rules
    ]
    for i in range(len(rules)):
        for j in range(i + 1, len(rules)):
            for a in out[i]:
                for b in out[j]:
                    if a < b + rules[j].minutes - _EPS and b < a + rules[i].minutes - _EPS:
                        hours = minutes / 60
                        raise InputError(
                            f"scheduling: breaks[{i}] ({_rule_text(rules[i], minutes, out[i])}) "
                            f"and breaks[{j}] ({_rule_text(rules[j], minutes, out[j])}) can "
                            f"overlap in the {hours:g}-hour shifts of site {site.name!r} "
                            f"(minutes {a:g}-{a + rules[i].minutes:g} and "
                            f"{b:g}-{b + rules[j].minutes:g} after the start), and an agent "
                            "takes one break at a time; give one of them a window clear of "
                            f"the other in these shifts, or raise its after_hours above "
                            f"{hours:g} so that these shifts do not get it"
                        )
    return out


def _rule_text(rule: BreakRule, minutes: float, offsets: tuple[float, ...]) -> str:
    """Where the break of `rule` goes in a shift of `minutes`, for messages."""
    if rule.window is None:
        return (
            f"{rule.minutes} minutes in the middle third, hours "
            f"{round(minutes / 180, 2):g}-{round(minutes / 90, 2):g} here"
        )
    begin, end = rule.window
    held = offsets[0] >= begin * 60 - _EPS and offsets[-1] + rule.minutes <= end * 60 + _EPS
    where = f"{rule.minutes} minutes in window [{begin:g}, {end:g}]"
    if held:
        return where
    return f"{where}, which these shifts cannot hold, so near the middle"


def _break_frame(rows: Sequence[tuple[str, pd.Timestamp, pd.Timestamp]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(BREAK_OPTION_COLUMNS))
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
