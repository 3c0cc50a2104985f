"""Agents of a simulation: when each is available for contacts, and for which queues.

An agent is available during its shifts (`start`..`end`) outside their breaks.
Breaks and shift ends stop an agent taking new contacts; a contact in hand is
finished first (a late break, a few minutes of overtime).

Absence. A queue's `shrinkage` is the share of paid time not spent on contacts;
scheduled breaks are part of it. The rest (absence, meetings, coaching) is drawn
at random: with b the break share of a shift and s the mean shrinkage of the
agent's queues, each interval of the shift is lost with probability
a = 1 - (1 - s) / (1 - b) (0 when the breaks already reach s), independently, so
the expected productive time is (1 - s) of paid time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.columns import AGENT, BREAK_END, BREAK_START, END, OTHER_BREAKS, QUEUE, START
from scheduling.errors import InputError
from scheduling.staffing.queues import QueueSpec


@dataclass(frozen=True)
class Staff:
    """Agents' skills and availability windows (seconds after the horizon start).

    Attributes:
        names: agent names, index = agent number.
        skills: per agent, indices of the simulated queues it serves.
        agent, start, end: one row per availability window (shift minus breaks).
        absence: per window, probability each of its intervals is lost (0-1).
    """

    names: tuple[str, ...]
    skills: tuple[tuple[int, ...], ...]
    agent: np.ndarray
    start: np.ndarray
    end: np.ndarray
    absence: np.ndarray


def staff_from_schedule(
    schedule: pd.DataFrame,
    *,
    queues: Sequence[str],
    specs: Mapping[str, QueueSpec],
    origin: pd.Timestamp,
    horizon_seconds: float,
    cyclic: bool = False,
) -> Staff:
    """Availability windows of the schedule's agents on the simulation clock.

    Args:
        schedule: the schedule contract: `agent`, `start`, `end` (UTC),
            `break_start`, `break_end` (UTC or NaT), optional `other_breaks`
            (((start, end), ...) per row) and `queue` (skills joined with ";").
        queues: the simulated queues, in index order.
        specs: queue name -> QueueSpec (for shrinkage); every skill must be a key.
        origin: the horizon start (UTC).
        horizon_seconds: the horizon length; windows are clipped to it.
        cyclic: time past the horizon's end wraps round to its start (a week
            that repeats), rather than being cut off.

    Raises:
        InputError: a skill is not a configured queue.
    """
    names = tuple(sorted(schedule[AGENT].unique()))
    number = {name: i for i, name in enumerate(names)}
    skill_sets: list[set[int]] = [set() for _ in names]
    rows: list[tuple[int, float, float, float]] = []
    index = {q: i for i, q in enumerate(queues)}
    for row in schedule.itertuples(index=False):
        record = row._asdict()
        agent = number[record[AGENT]]
        skills = _skills(record[QUEUE], specs, record[AGENT])
        skill_sets[agent].update(index[q] for q in skills if q in index)
        shrinkage = float(np.mean([specs[q].shrinkage for q in skills])) if skills else 0.0
        rows.extend(_windows(record, agent, shrinkage, origin=origin))
    frame = pd.DataFrame(rows, columns=["agent", "start", "end", "absence"])
    if cyclic:
        frame = _wrap(frame, horizon_seconds)
    frame["start"] = frame["start"].clip(0, horizon_seconds)
    frame["end"] = frame["end"].clip(0, horizon_seconds)
    frame = frame[frame["end"] > frame["start"]].sort_values(["agent", "start", "end"])
    return Staff(
        names=names,
        skills=tuple(tuple(sorted(s)) for s in skill_sets),
        agent=frame["agent"].to_numpy(np.int64),
        start=frame["start"].to_numpy(float),
        end=frame["end"].to_numpy(float),
        absence=frame["absence"].to_numpy(float),
    )


def _wrap(frame: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """Windows' time past `horizon` moved round to the start (a repeating horizon)."""
    late = frame[frame["end"] > horizon].copy()
    late["start"] = (late["start"] - horizon).clip(lower=0)
    late["end"] = late["end"] - horizon
    return pd.concat([frame, late], ignore_index=True)


def _skills(cell: object, specs: Mapping[str, QueueSpec], agent: str) -> list[str]:
    skills = [s.strip() for s in str(cell).split(";") if s.strip()] if pd.notna(cell) else []
    unknown = [s for s in skills if s not in specs]
    if unknown:
        raise InputError(
            f"agent {agent!r}: queue {unknown[0]!r} is not a configured queue "
            f"(configured: {', '.join(sorted(specs))}); add [queues.{unknown[0]}] or fix the skill"
        )
    return skills


def _windows(
    record: dict, agent: int, shrinkage: float, *, origin: pd.Timestamp
) -> list[tuple[int, float, float, float]]:
    """The shift minus its breaks as (agent, start, end, absence) rows."""

    def sec(t: object) -> float:
        return (pd.Timestamp(t) - origin).total_seconds()

    start, end = sec(record[START]), sec(record[END])
    pauses = []
    if pd.notna(record.get(BREAK_START)) and pd.notna(record.get(BREAK_END)):
        pauses.append((sec(record[BREAK_START]), sec(record[BREAK_END])))
    other = record.get(OTHER_BREAKS)
    if isinstance(other, tuple | list):
        pauses.extend((sec(a), sec(b)) for a, b in other)
    pauses = sorted((max(a, start), min(b, end)) for a, b in pauses if b > a)
    paid = end - start
    on_break = sum(b - a for a, b in pauses)
    absence = 0.0
    if paid > 0 and on_break < paid:
        absence = max(0.0, 1 - (1 - shrinkage) / (1 - on_break / paid))
    out, cursor = [], start
    for a, b in pauses:
        if a > cursor:
            out.append((agent, cursor, a, absence))
        cursor = max(cursor, b)
    if end > cursor:
        out.append((agent, cursor, end, absence))
    return out


def draw_windows(
    staff: Staff, rng: np.random.Generator, *, interval_seconds: float, textbook: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One replication's (agent, start, end) windows: absences removed, overlaps merged."""
    agent, start, end = staff.agent, staff.start, staff.end
    if not textbook and staff.absence.any():
        agent, start, end = _drop_absent(staff, rng, interval_seconds)
    return merge_windows(agent, start, end)


def _drop_absent(
    staff: Staff, rng: np.random.Generator, interval_seconds: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Windows cut at interval boundaries, each piece lost with its window's absence rate."""
    first = np.floor(staff.start / interval_seconds).astype(np.int64)
    last = np.ceil(staff.end / interval_seconds).astype(np.int64) - 1
    pieces = np.maximum(last - first + 1, 1)
    row = np.repeat(np.arange(staff.start.size), pieces)
    offset = np.arange(row.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    slot = first[row] + offset
    start = np.maximum(staff.start[row], slot * interval_seconds)
    end = np.minimum(staff.end[row], (slot + 1) * interval_seconds)
    kept = rng.random(row.size) >= staff.absence[row]
    kept &= end > start
    return staff.agent[row][kept], start[kept], end[kept]


def merge_windows(
    agent: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each agent's overlapping or touching windows joined, sorted by agent then start."""
    order = np.lexsort((start, agent))
    agent, start, end = agent[order], start[order], end[order]
    if agent.size == 0:
        return agent, start, end
    reach = end.copy()
    out_a, out_s, out_e = [int(agent[0])], [float(start[0])], [float(reach[0])]
    for a, s, e in zip(agent[1:].tolist(), start[1:].tolist(), end[1:].tolist(), strict=True):
        if a == out_a[-1] and s <= out_e[-1]:
            out_e[-1] = max(out_e[-1], e)
        else:
            out_a.append(a)
            out_s.append(s)
            out_e.append(e)
    return np.array(out_a, dtype=np.int64), np.array(out_s), np.array(out_e)
