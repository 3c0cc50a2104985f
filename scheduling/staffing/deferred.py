"""Deferred work (email, tickets): the least capacity that meets a response-time share.

A deferred queue has a target such as "90% answered within 4 hours". Its work is a
fluid: contacts arriving in an interval bring `volume x aht / interval` agent-
intervals of work (agents busy for the whole interval), handled first in, first out;
work not handled in its interval is carried over as backlog.

Time runs on the queue's handling clock. Without business hours that is the
calendar. With them (`open`, `close`, `days` in the queue's local time) only open
intervals handle work and count towards the response time, as the business-hours
SLA calendars of helpdesks (Zendesk, Freshdesk) count it: a contact arriving while
closed joins the first open interval. The response window is r =
`response_hours` in whole intervals of that clock (at least 1): work arriving in
open interval s is on time when handled by the end of open interval s + r - 1.

Capacity. With q the target share, W_s the work joining open interval s and Arr
its running total, FIFO meets the target for every cohort exactly when the work
done by the end of interval s + r - 1 is at least Arr(s-1) + q W_s. The least such
cumulative curve rises at each deadline by M_s = q W_s + (1 - q) W_(s-1): the
on-time share of cohort s plus the late rest of cohort s-1, which therefore waits
at most one interval beyond its deadline. wfm spreads each M_s evenly over the r
intervals before its deadline (a team works its inbox steadily rather than in a
burst at each deadline), so throughput is the trailing r-interval mean of M, and
capacity = throughput / max_occupancy (agents are busy at most `max_occupancy` of
their time), rounded up to 0.01 agents (or to whole agents). This keeps the
agent-hours to each deadline the least that meets the target; q = 1 gives the
classic "workload over the response window" rule. A fluid FIFO simulation then
reports what that capacity achieves: backlog per interval (contacts waiting at its
end), and for the contacts arriving in an interval the share on time
(`service_level`), the share not handled in their own interval
(`wait_probability`) and the mean calendar wait until handling starts
(`asa_seconds`; a contact handled k intervals after its own waited k intervals, and
one arriving while closed also waits out the closure). Contacts still waiting at
the end of the forecast are handled after it, in open intervals that continue
without new arrivals (and, for the waits, without further closures).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

_NOISE = 1e-9


def response_window(response_hours: float, *, interval_seconds: int) -> int:
    """The response time in whole intervals of the handling clock, at least 1."""
    return max(1, math.floor(response_hours * 3600 / interval_seconds + 0.5))


def open_intervals(
    interval_start: pd.Series | pd.DatetimeIndex,
    *,
    timezone: str,
    days: Sequence[int],
    open_minutes: int,
    close_minutes: int,
) -> np.ndarray:
    """True for intervals whose local start falls in the handling hours.

    Args:
        interval_start: timezone-aware interval starts.
        timezone: IANA zone of the queue.
        days: local weekdays with handling hours, Monday = 0.
        open_minutes: local opening, minutes after midnight.
        close_minutes: local closing, minutes after midnight (exclusive).

    Returns:
        Boolean array, one per interval.
    """
    local = pd.DatetimeIndex(interval_start).tz_convert(timezone)
    minute = (local.hour * 60 + local.minute).to_numpy()
    return (
        np.isin(local.day_of_week.to_numpy(), list(days))
        & (minute >= open_minutes)
        & (minute < close_minutes)
    )


def deferred_requirements(
    work: np.ndarray,
    volume: np.ndarray,
    *,
    window: int,
    service_level: float,
    max_occupancy: float,
    interval_seconds: int,
    is_open: np.ndarray | None = None,
    step: float = 0.01,
) -> dict[str, np.ndarray]:
    """Capacity and simulated measures of one deferred queue's consecutive intervals.

    Args:
        work: workload arriving per interval, agent-intervals (volume x aht /
            interval seconds), >= 0.
        volume: contacts arriving per interval, >= 0 (for backlog in contacts).
        window: response window r, open intervals, >= 1.
        service_level: target share on time, 0 < q < 1.
        max_occupancy: cap on busy time / capacity, 0 < x <= 1.
        interval_seconds: interval length, seconds.
        is_open: True where work is handled (None: always).
        step: capacity granularity, agents (0.01, or 1 for whole agents).

    Returns:
        Arrays per interval: capacity (productive agents), service_level (0-1),
        asa_seconds (seconds), occupancy (0-1), wait_probability (0-1), backlog
        (contacts waiting at the interval's end).
    """
    n = len(work)
    is_open = np.ones(n, dtype=bool) if is_open is None else np.asarray(is_open, dtype=bool)
    positions = np.flatnonzero(is_open)
    m = len(positions)
    # Cohort of each interval: the first open interval at or after it (m: beyond).
    cohort = np.searchsorted(positions, np.arange(n), side="left")
    length = m + window + 2  # room for the last cohort's late rest to finish
    cohort_work = np.bincount(cohort, weights=work, minlength=length)[:length]
    cohort_volume = np.bincount(cohort, weights=volume, minlength=length)[:length]

    q = service_level
    previous = np.concatenate([[0.0], cohort_work[:-1]])
    due = q * cohort_work + (1 - q) * previous  # M_s
    throughput = _trailing_mean(due, window)
    capacity = _ceil_step(throughput / max_occupancy, step)
    arrived = np.cumsum(cohort_work)
    required = np.zeros(length)  # least work done by the end of each interval
    required[window - 1 :] = (
        np.concatenate([[0.0], arrived])[: length - window + 1]
        + q * cohort_work[: length - window + 1]
    )
    capacity, done = _simulate(arrived, capacity, required, max_occupancy=max_occupancy, step=step)

    lags = window + 1
    share = _lag_shares(cohort_work, arrived, done, lags)
    on_time = np.where(cohort_work > 0, share[:window].sum(axis=0), 1.0)

    has_work = work > 0
    asa, waits = _waits(share, cohort, positions, has_work, interval_seconds=interval_seconds)

    # Backlog in contacts at the end of each calendar interval.
    per_work = np.divide(cohort_volume, cohort_work, out=np.zeros(length), where=cohort_work > 0)
    last_open = np.searchsorted(positions, np.arange(n), side="right") - 1  # -1: none yet
    done_by = np.where(last_open >= 0, done[np.maximum(last_open, 0)], 0.0)
    backlog = _backlog(
        cohort, last_open, done_by, arrived, cohort_work, per_work, volume, positions, lags
    )

    cap = np.zeros(n)
    handled = np.zeros(n)
    cap[positions] = capacity[:m]
    handled[positions] = np.diff(np.concatenate([[0.0], done]))[:m]
    occupancy = np.divide(handled, cap, out=np.zeros(n), where=cap > 0)
    return {
        "capacity": cap,
        "service_level": np.clip(np.where(has_work, on_time[cohort], 1.0), 0.0, 1.0),
        "asa_seconds": asa,
        "occupancy": np.clip(occupancy, 0.0, 1.0),
        "wait_probability": np.clip(waits, 0.0, 1.0),
        "backlog": backlog,
    }


def _waits(
    share: np.ndarray,
    cohort: np.ndarray,
    positions: np.ndarray,
    has_work: np.ndarray,
    *,
    interval_seconds: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean wait (seconds) and share waiting past its own interval, per calendar interval.

    Args:
        share: (lags, compressed intervals) share of each cohort's work done at
            each lag.
        cohort: each calendar interval's cohort (compressed interval).
        positions: calendar position of each open interval.
        has_work: calendar intervals with work arriving.
        interval_seconds: interval length, seconds.
    """
    lags, length = share.shape
    n, m = len(cohort), len(positions)
    # Calendar position of compressed interval k (beyond the horizon: consecutive).
    base = positions[-1] if m else n - 1
    calendar = np.concatenate([positions, base + np.arange(1, length - m + 1)])
    handled_at = calendar[np.minimum(cohort[:, None] + np.arange(lags)[None, :], length - 1)]
    cohort_share = share[:, cohort].T  # (n, lags)
    waited = (handled_at - np.arange(n)[:, None]) * interval_seconds
    asa = np.where(has_work, (cohort_share * waited).sum(axis=1), 0.0)
    waits = np.where(has_work, (cohort_share * (waited > 0)).sum(axis=1), 0.0)
    return asa, waits


def _trailing_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of values[t - window + 1 .. t] (zeros before the start)."""
    total = np.cumsum(np.concatenate([np.zeros(window), values]))
    return (total[window:] - total[:-window]) / window


def _simulate(
    arrived: np.ndarray,
    capacity: np.ndarray,
    required: np.ndarray,
    *,
    max_occupancy: float,
    step: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Fluid FIFO: D_t = min(Arr_t, D_(t-1) + c_t occ); raise c_t where D_t < required_t.

    The raise only ever corrects float noise (the spread throughput meets every
    deadline by construction), but it guarantees the target whatever the rounding.
    """
    capacity = capacity.copy()
    done = np.zeros(len(arrived))
    so_far = 0.0
    for t in range(len(arrived)):
        short = required[t] - (so_far + capacity[t] * max_occupancy)
        if short > _NOISE * max(1.0, required[t]):
            capacity[t] = _ceil_step((required[t] - so_far) / max_occupancy, step)
        so_far = min(arrived[t], max(so_far + capacity[t] * max_occupancy, required[t]))
        done[t] = so_far
    return capacity, done


def _lag_shares(work: np.ndarray, arrived: np.ndarray, done: np.ndarray, lags: int) -> np.ndarray:
    """share[k, s]: the part of cohort s handled k intervals after it joined (FIFO)."""
    length = len(work)
    before = arrived - work
    done_before = np.concatenate([[0.0], done[:-1]])
    cohorts = np.arange(length)
    safe = np.where(work > 0, work, 1.0)
    share = np.zeros((lags, length))
    for k in range(lags):
        u = np.minimum(cohorts + k, length - 1)
        part = np.minimum(arrived, done[u]) - np.maximum(before, done_before[u])
        part[cohorts + k >= length] = 0.0
        share[k] = np.clip(part, 0.0, None) / safe
    share[share < 1e-12] = 0.0  # float noise of the running sums, not work
    return share


def _backlog(
    cohort: np.ndarray,
    last_open: np.ndarray,
    done_by: np.ndarray,
    arrived: np.ndarray,
    cohort_work: np.ndarray,
    per_work: np.ndarray,
    volume: np.ndarray,
    positions: np.ndarray,
    lags: int,
) -> np.ndarray:
    """Contacts arrived but not handled by the end of each calendar interval.

    Only the last `lags` cohorts can still hold work (earlier ones are past their
    deadline and the one after it), so this is O(intervals x lags).
    """
    n = len(cohort)
    before = arrived - cohort_work
    waiting = np.zeros(n)
    for k in range(lags + 1):
        s = last_open - k
        ok = s >= 0
        left = np.zeros(n)
        left[ok] = np.clip(arrived[s[ok]] - np.maximum(before[s[ok]], done_by[ok]), 0.0, None)
        waiting[ok] += left[ok] * per_work[s[ok]]
    # Contacts that arrived while closed since the last open interval wait to open.
    total = np.cumsum(volume)
    opened = positions[np.maximum(last_open, 0)] if len(positions) else np.zeros(n, dtype=int)
    pending = total - np.where(last_open >= 0, total[opened], 0.0)
    backlog = waiting + pending
    backlog[backlog < _NOISE] = 0.0
    return backlog


def _ceil_step(x: np.ndarray, step: float) -> np.ndarray:
    """Round up to `step`, ignoring float noise below 1e-6 of a step."""
    return np.ceil(np.round(np.asarray(x, dtype=np.float64) / step, 6)) * step
