"""Measures of one replication per interval and queue, and their summary over many.

Per contact: answered when an agent started it (its wait is start - arrival),
abandoned when its patience ran out first. Service level of an interval is the
share of the contacts arriving in it answered within the queue's target
(`answer_seconds` for live queues, `response_hours` for deferred ones); a
contact that hung up counts as not answered in time (the convention of Erlang
A and of most contact-centre reports). A contact still waiting when the horizon
ends counts as late once it has waited longer than the target, and is left out
of the service level while its outcome is still open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduling.simulation.arrivals import Contacts


@dataclass(frozen=True)
class Grid:
    """The simulation clock and what the measures need per queue.

    Attributes:
        n_intervals: intervals in the horizon.
        interval_seconds: interval length, seconds.
        target_seconds: (queues,) wait within which a contact is on time, seconds.
        concurrency: (queues,) contacts an agent holds at once (chat slots).
        skill: (agents, queues) 1.0 where the agent serves the queue.
        day: (intervals, queues) local day index of each interval.
        n_days: number of local days (over all queues).
    """

    n_intervals: int
    interval_seconds: float
    target_seconds: np.ndarray
    concurrency: np.ndarray
    skill: np.ndarray
    day: np.ndarray
    n_days: int

    @property
    def horizon_seconds(self) -> float:
        return self.n_intervals * self.interval_seconds


# Sums over contacts per (interval, queue) of one replication, summed over replications.
SUMS = (
    "offered",
    "answered",
    "abandoned",
    "met",
    "resolved",
    "wait",
    "backlog",
    "busy",
    "available",
)


def replication_measures(
    contacts: Contacts,
    start: np.ndarray,
    agent: np.ndarray,
    windows: tuple[np.ndarray, np.ndarray, np.ndarray],
    grid: Grid,
) -> dict[str, np.ndarray]:
    """Per (interval, queue) sums of one replication (keys `SUMS`), shape (intervals, queues)."""
    n_i, n_q = grid.n_intervals, grid.target_seconds.size
    cell = contacts.interval * n_q + contacts.queue

    def count(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=n_i * n_q).reshape(n_i, n_q)

    end = grid.horizon_seconds
    answered = np.isfinite(start)
    wait = np.where(answered, start - contacts.time, 0.0)
    target = grid.target_seconds[contacts.queue]
    abandoned = ~answered & (contacts.deadline <= end)
    open_outcome = ~answered & ~abandoned & (end - contacts.time < target)
    met = answered & (wait <= target)
    out = {
        "offered": count(),
        "answered": count(answered.astype(float)),
        "abandoned": count(abandoned.astype(float)),
        "met": count(met.astype(float)),
        "resolved": count((~open_outcome).astype(float)),
        "wait": count(wait),
        "backlog": _waiting_at_ends(contacts, start, grid),
    }
    slots = 1.0 / grid.concurrency[contacts.queue[answered]]
    busy = _spread(
        start[answered],
        start[answered] + contacts.handle[answered],
        slots,
        agent[answered],
        grid,
    )
    available = _spread(windows[1], windows[2], np.ones(windows[0].size), windows[0], grid)
    out["busy"] = busy @ grid.skill
    out["available"] = available @ grid.skill
    return out


def _waiting_at_ends(contacts: Contacts, start: np.ndarray, grid: Grid) -> np.ndarray:
    """Contacts of each queue waiting (arrived, not started, not hung up) at interval ends."""
    n_q = grid.target_seconds.size
    ends = (np.arange(grid.n_intervals) + 1) * grid.interval_seconds
    leave = np.minimum(start, contacts.deadline)
    out = np.zeros((grid.n_intervals, n_q))
    for q in range(n_q):
        mine = contacts.queue == q
        arrived = np.searchsorted(np.sort(contacts.time[mine]), ends, side="right")
        left = np.searchsorted(np.sort(leave[mine]), ends, side="right")
        out[:, q] = arrived - left
    return out


def _spread(
    start: np.ndarray, end: np.ndarray, weight: np.ndarray, agent: np.ndarray, grid: Grid
) -> np.ndarray:
    """Seconds x weight of spans [start, end) per (interval, agent), clipped to the horizon."""
    n_i, n_a = grid.n_intervals, grid.skill.shape[0]
    size = grid.interval_seconds
    out = np.zeros(n_i * n_a)
    start = np.clip(start, 0, grid.horizon_seconds)
    end = np.clip(end, 0, grid.horizon_seconds)
    slot = np.floor(start / size).astype(np.int64)
    live = end > start
    while live.any():
        s, e, k = start[live], end[live], slot[live]
        part = np.minimum(e, (k + 1) * size) - np.maximum(s, k * size)
        np.add.at(out, np.minimum(k, n_i - 1) * n_a + agent[live], part * weight[live])
        slot = slot + 1
        live = live & (end > slot * size)
    return out.reshape(n_i, n_a)


def service_levels(sums: dict[str, np.ndarray]) -> np.ndarray:
    """Service level met / resolved per cell; NaN where no contact's outcome is known."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sums["resolved"] > 0, sums["met"] / sums["resolved"], np.nan)


def day_sums(values: np.ndarray, grid: Grid) -> np.ndarray:
    """(intervals, queues) values summed per (local day, queue)."""
    n_q = values.shape[1]
    out = np.zeros((grid.n_days, n_q))
    for q in range(n_q):
        out[:, q] = np.bincount(grid.day[:, q], weights=values[:, q], minlength=grid.n_days)
    return out
