"""Staffing: a volume forecast to the agents each queue needs in each interval.

Live channels (voice, chat) are staffed interval by interval with Erlang C
(`scheduling.erlang`): each interval is taken as a steady M/M/N queue at that
interval's arrival rate. Deferred channels (email, ticket) are staffed for
throughput: enough capacity to keep occupancy under its cap on average over the
response window, checked by a FIFO simulation that answers every contact within
its response time. Shrinkage then turns productive agents into scheduled agents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from scheduling.columns import (
    AGENT_HOURS,
    AGENTS,
    AGENTS_SCHEDULED,
    AHT_SECONDS,
    ASA_SECONDS,
    BACKLOG,
    CHANNEL,
    INTERVAL_START,
    OCCUPANCY,
    QUEUE,
    REQUIREMENTS_COLUMNS,
    SERVICE_LEVEL,
    VOLUME,
    WAIT_PROBABILITY,
)
from scheduling.erlang import erlang_c_metrics, required_agents
from scheduling.errors import InputError
from scheduling.queues import DEFERRED_CHANNELS, QueueSpec

STAFFING_COLUMNS = (*REQUIREMENTS_COLUMNS, CHANNEL, WAIT_PROBABILITY, BACKLOG)
"""Columns of `staff_requirements`' result, in order."""

_MAX_EXAMPLES = 5


def staff_requirements(
    forecast: pd.DataFrame,
    queues: Mapping[str, QueueSpec],
    *,
    interval_minutes: int,
    volume_column: str = VOLUME,
) -> pd.DataFrame:
    """Agents needed per queue per interval to meet each queue's service target.

    Voice: `agents` is the least whole number that meets the queue's
    `service_level` within `answer_seconds` with occupancy at most
    `max_occupancy` (Erlang C, `scheduling.erlang.required_agents`), and the other
    measures are Erlang C's at that headcount.

    Chat, concurrency c: a simple model. Each agent is c independent chat slots and
    each chat holds one slot for `aht_seconds`, the per-chat handle time at that
    concurrency (so it already includes the slow-down of juggling c chats). The
    slots are an M/M/S queue: S = the Erlang C servers needed for the chat traffic
    (volume x aht / interval), `agents` = ceil(S / c), and the measures are those
    of agents x c slots (occupancy is slot occupancy). The model assumes a chat
    takes `aht_seconds` however many chats its agent holds; at low load agents
    hold fewer and finish each sooner, so it errs towards more agents.

    Email and ticket (deferred work): the workload of an interval is
    volume x aht / interval seconds (agents kept busy for the whole interval). With
    a response window of r = response_hours rounded to whole intervals (at least
    1), contacts arriving in interval s are due by the end of interval s + r - 1.
    Capacity (productive agents) in interval t is the least value, rounded up to
    0.01 agents, that is (a) at least the mean workload of intervals t - r + 1..t
    (none before the first) divided by `max_occupancy` and (b) enough to finish all
    work due by the end of t in a FIFO simulation (a fluid queue in which work
    arriving in an interval can be handled in that interval); (b) raises capacity
    only where (a) falls short, which with (a) averaged over the same r intervals
    cannot happen (capacity since the queue was last empty covers every cohort due
    since), so (b) is a guard that keeps the deadline if (a) changes. The
    simulation reports, per interval,
    `backlog` (contacts still waiting at its end), `occupancy` (workload handled /
    capacity) and, for the contacts arriving in it, `service_level` (share started
    within response_hours), `wait_probability` (share not started in the interval
    they arrive) and `asa_seconds` (mean wait to the start of handling). Waits are
    counted in whole intervals: a contact handled k intervals after the one it
    arrived in waited k x interval seconds, so one handled in its own interval
    waited 0 (arrival and start are taken at the same point of their intervals).
    Contacts still waiting at the end of the forecast are assumed handled after it
    with no further arrivals. Because every contact is answered within the window,
    `service_level` is 1 whenever r whole intervals fit in response_hours; the
    queue's `service_level` target is not used.

    Every channel: `agents_scheduled` = agents / (1 - shrinkage), fractional;
    `agent_hours` = agents_scheduled x interval_minutes / 60. An interval of a live
    channel with volume 0 needs 0 agents and reports service_level 1, asa 0,
    occupancy 0, wait_probability 0. A deferred interval with volume 0 reports the
    same for its (absent) contacts, but may still need agents for earlier work.
    The same inputs always give the same output.

    Args:
        forecast: one row per (interval_start, queue), with columns
            `interval_start` (timezone-aware timestamps, any zone; returned in
            UTC), `queue` (a key of `queues`), `volume_column` (contacts per
            interval, >= 0) and optionally `aht_seconds` (seconds per contact;
            missing or NaN means the queue's configured `aht_seconds`). Each
            queue's intervals are whole multiples of `interval_minutes` apart;
            deferred queues need consecutive intervals (fill gaps with volume 0).
        queues: queue name -> its `QueueSpec` (channel, targets, aht, shrinkage).
        interval_minutes: interval length, minutes (a whole number dividing 24
            hours: 15, 30 or 60).
        volume_column: the column to staff, e.g. "volume_high" to staff to the
            upper end of the forecast interval.

    Returns:
        One row per (interval_start, queue), sorted by queue then interval_start,
        with columns `STAFFING_COLUMNS`: interval_start (UTC), queue, volume
        (the staffed `volume_column`, contacts per interval), aht_seconds (seconds,
        as used), agents (productive agents; whole for voice and chat),
        agents_scheduled (agents after shrinkage), service_level (0-1),
        asa_seconds (seconds), occupancy (0-1), agent_hours (hours), channel,
        wait_probability (0-1), backlog (contacts waiting at the end of the
        interval; 0 for live channels). Numbers are float64.

    Raises:
        InputError: a column is missing or malformed, a queue is not configured, a
            volume is negative or missing, an aht is not positive, a
            (queue, interval_start) pair repeats, intervals do not fit
            `interval_minutes`, or `interval_minutes` is not a valid length.
    """
    interval_seconds = _interval_seconds(interval_minutes)
    frame = _validated(
        forecast, queues, volume_column=volume_column, interval_minutes=interval_minutes
    )
    n = len(frame)
    queue_names = frame[QUEUE].to_numpy(dtype=object)
    volume = frame[VOLUME].to_numpy(dtype=np.float64)
    aht = frame[AHT_SECONDS].to_numpy(dtype=np.float64)
    spec_of = [queues[q] for q in queue_names]
    channel = np.array([s.channel for s in spec_of], dtype=object)
    shrinkage = np.array([s.shrinkage for s in spec_of], dtype=np.float64)

    agents = np.zeros(n)
    service = np.ones(n)
    asa = np.zeros(n)
    occupancy = np.zeros(n)
    waits = np.zeros(n)
    backlog = np.zeros(n)

    live = ~np.isin(channel, DEFERRED_CHANNELS)
    if live.any():
        (
            agents[live],
            service[live],
            asa[live],
            occupancy[live],
            waits[live],
        ) = _live(
            volume[live],
            aht[live],
            [s for s, k in zip(spec_of, live, strict=True) if k],
            interval_seconds=interval_seconds,
        )
    for name in pd.unique(queue_names[~live]):
        rows = queue_names == name
        result = _deferred(volume[rows], aht[rows], queues[name], interval_seconds=interval_seconds)
        agents[rows] = result["capacity"]
        service[rows] = result["service_level"]
        asa[rows] = result["asa_seconds"]
        occupancy[rows] = result["occupancy"]
        waits[rows] = result["wait_probability"]
        backlog[rows] = result["backlog"]

    scheduled = agents / (1.0 - shrinkage)
    return pd.DataFrame(
        {
            INTERVAL_START: frame[INTERVAL_START],
            QUEUE: frame[QUEUE].astype("str"),
            VOLUME: volume,
            AHT_SECONDS: aht,
            AGENTS: agents,
            AGENTS_SCHEDULED: scheduled,
            SERVICE_LEVEL: service,
            ASA_SECONDS: asa,
            OCCUPANCY: occupancy,
            AGENT_HOURS: scheduled * interval_minutes / 60.0,
            CHANNEL: pd.Series(channel, index=frame.index, dtype=object).astype("str"),
            WAIT_PROBABILITY: waits,
            BACKLOG: backlog,
        },
        columns=list(STAFFING_COLUMNS),
    )


# --- live channels: Erlang C ---------------------------------------------------------


def _live(
    volume: np.ndarray,
    aht: np.ndarray,
    specs: list[QueueSpec],
    *,
    interval_seconds: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Agents, service level, ASA, occupancy, wait probability of live rows."""
    concurrency = np.array([s.concurrency if s.channel == "chat" else 1 for s in specs])
    answer = np.array([s.answer_seconds for s in specs], dtype=np.float64)
    target = np.array([s.service_level for s in specs], dtype=np.float64)
    cap = np.array([s.max_occupancy for s in specs], dtype=np.float64)
    traffic = volume * aht / interval_seconds  # Erlangs (chat: busy slots)
    slots = required_agents(
        traffic,
        aht_seconds=aht,
        answer_seconds=answer,
        service_level_target=target,
        max_occupancy=cap,
    )
    agents = -(-np.asarray(slots) // concurrency)  # ceil for whole numbers
    m = erlang_c_metrics(traffic, agents * concurrency, aht_seconds=aht, answer_seconds=answer)
    return (
        agents.astype(np.float64),
        np.asarray(m.service_level, dtype=np.float64),
        np.asarray(m.asa_seconds, dtype=np.float64),
        np.asarray(m.occupancy, dtype=np.float64),
        np.asarray(m.wait_probability, dtype=np.float64),
    )


# --- deferred channels: throughput and FIFO backlog ----------------------------------


def _deferred(
    volume: np.ndarray, aht: np.ndarray, spec: QueueSpec, *, interval_seconds: int
) -> dict[str, np.ndarray]:
    """Capacity and simulated measures of one deferred queue's consecutive intervals."""
    horizon = len(volume)
    window = max(1, math.floor(spec.response_hours * 3600 / interval_seconds + 0.5))
    # Run r - 1 empty intervals past the end, so every cohort meets its deadline.
    work = np.concatenate([volume * aht / interval_seconds, np.zeros(window - 1)])
    padded = np.concatenate([np.zeros(window - 1), work])
    sums = np.convolve(padded, np.ones(window), mode="valid")
    floor = sums / window / spec.max_occupancy
    capacity, done = _simulate_deferred(work, floor=floor, window=window)

    arrived = np.cumsum(work)
    before = arrived - work  # cumulative work of earlier cohorts
    done_before = np.concatenate([[0.0], done[:-1]])
    handled = done - done_before

    cohort = np.arange(horizon)
    w = work[:horizon]
    # part[k] = work of cohort s handled in interval s + k (FIFO: overlap of ranges)
    lag_share = np.zeros((window, horizon))
    for k in range(window):
        u = cohort + k
        part = np.minimum(arrived[:horizon], done[u]) - np.maximum(before[:horizon], done_before[u])
        lag_share[k] = np.clip(part, 0.0, None)
    has_work = w > 0
    safe_w = np.where(has_work, w, 1.0)
    share = lag_share / safe_w
    share[share < 1e-12] = 0.0  # float noise of the cumulative sums, not work
    lags = np.arange(window)[:, None]
    late = lags * interval_seconds > spec.response_hours * 3600 + 1e-9
    # Sums of the (few) nonzero late or waiting shares, so "none" is exactly 0.
    service = np.where(has_work, np.clip(1.0 - (share * late).sum(axis=0), 0.0, 1.0), 1.0)
    asa = np.where(has_work, (share * lags).sum(axis=0) * interval_seconds, 0.0)
    waited = np.where(has_work, np.clip(share[1:].sum(axis=0), 0.0, 1.0), 0.0)

    # backlog at the end of t: unhandled work of cohorts t - r + 1..t, in contacts
    per_work = np.divide(volume, w, out=np.zeros(horizon), where=has_work)
    waiting = np.zeros(horizon)
    for k in range(window):
        s = cohort - k
        ok = s >= 0
        left = np.zeros(horizon)
        left[ok] = arrived[s[ok]] - np.maximum(before[s[ok]], done[cohort[ok]])
        left = np.clip(left, 0.0, None)
        waiting[ok] += left[ok] * per_work[s[ok]]
    waiting[waiting < 1e-9] = 0.0

    cap = capacity[:horizon]
    occupancy = np.divide(handled[:horizon], cap, out=np.zeros(horizon), where=cap > 0)
    return {
        "capacity": cap,
        "service_level": service,
        "asa_seconds": asa,
        "occupancy": np.clip(occupancy, 0.0, 1.0),
        "wait_probability": waited,
        "backlog": waiting,
    }


def _simulate_deferred(
    work: np.ndarray, *, floor: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Least capacity per interval that keeps every cohort within its deadline.

    Args:
        work: workload arriving per interval, agent-intervals (agents busy all
            interval).
        floor: least capacity per interval, agents.
        window: response window r, intervals; work arriving in interval s is due
            by the end of interval s + r - 1.

    Returns:
        (capacity per interval rounded up to 0.01 agents, cumulative work done by
        the end of each interval, agent-intervals).
    """
    arrived = np.cumsum(work)
    capacity = np.zeros(len(work))
    done = np.zeros(len(work))
    so_far = 0.0
    for t in range(len(work)):
        due = arrived[t - window + 1] if t - window + 1 >= 0 else 0.0
        capacity[t] = _ceil_hundredths(max(floor[t], due - so_far, 0.0))
        # fluid FIFO: D_t = min(A_t, D_{t-1} + c_t); `due` guards against rounding
        so_far = min(arrived[t], max(so_far + capacity[t], due))
        done[t] = so_far
    return capacity, done


def _ceil_hundredths(x: float) -> float:
    """Round up to 0.01, ignoring float noise below 1e-6 of a hundredth."""
    return math.ceil(round(x * 100.0, 6)) / 100.0


# --- validation ----------------------------------------------------------------------


def _interval_seconds(interval_minutes: int) -> int:
    if (
        isinstance(interval_minutes, bool)
        or not isinstance(interval_minutes, int | np.integer)
        or interval_minutes <= 0
        or 1440 % int(interval_minutes)
    ):
        raise InputError(
            f"interval_minutes must be a whole number of minutes that divides 24 hours "
            f"(15, 30 or 60); got {interval_minutes!r}"
        )
    return int(interval_minutes) * 60


def _validated(
    forecast: pd.DataFrame,
    queues: Mapping[str, QueueSpec],
    *,
    volume_column: str,
    interval_minutes: int,
) -> pd.DataFrame:
    """interval_start (UTC), queue, volume, aht_seconds (filled), sorted by queue, time."""
    if not isinstance(forecast, pd.DataFrame):
        raise InputError(f"forecast must be a pandas DataFrame; got {type(forecast).__name__}")
    if not isinstance(volume_column, str):
        raise InputError(f"volume_column must be a column name; got {volume_column!r}")
    needed = (INTERVAL_START, QUEUE, volume_column)
    missing = [c for c in needed if c not in forecast.columns]
    if missing:
        raise InputError(
            f"forecast is missing column(s) {', '.join(missing)}; it needs "
            f"{', '.join(needed)} (and optionally {AHT_SECONDS})"
        )

    data = forecast.reset_index(drop=True)  # positions, not labels, from here on
    queue = data[QUEUE]
    if queue.isna().any():
        raise InputError(
            f"forecast column {QUEUE} is empty in {int(queue.isna().sum())} row(s); "
            "give every row a configured queue name"
        )
    queue = queue.astype(str)
    configured = ", ".join(sorted(queues)) or "(none)"
    unknown = sorted(set(queue) - set(queues))
    if unknown:
        names = ", ".join(repr(q) for q in unknown[:_MAX_EXAMPLES])
        raise InputError(
            f"forecast has queue(s) {names} in column {QUEUE} that are not configured; "
            f"configured queues: {configured}; add them to the config or drop their rows"
        )

    start = data[INTERVAL_START]
    if not isinstance(start.dtype, pd.DatetimeTZDtype):
        naive = pd.api.types.is_datetime64_dtype(start.dtype)
        what = "naive timestamps" if naive else f"dtype {start.dtype}"
        raise InputError(
            f"forecast column {INTERVAL_START} must hold timezone-aware timestamps, got "
            f"{what}; parse it with pd.to_datetime(..., utc=True) or localize it"
        )
    start = start.dt.tz_convert("UTC")
    if start.isna().any():
        raise InputError(
            f"forecast column {INTERVAL_START} is empty (NaT) in {int(start.isna().sum())} "
            f"row(s), e.g. queue {queue[start.isna()].iloc[0]!r}; fill or drop those rows"
        )

    volume = _numeric(data[volume_column], volume_column)
    bad = volume.isna() | ~np.isfinite(volume.fillna(0.0)) | (volume < 0)
    if bad.any():
        raise InputError(
            f"forecast column {volume_column} must be a number of contacts >= 0; "
            f"{int(bad.sum())} row(s) are negative or missing, e.g. "
            f"{_examples(queue, start, bad)}; fix or drop those rows"
        )

    configured_aht = queue.map({q: s.aht_seconds for q, s in queues.items()}).astype(float)
    if AHT_SECONDS in data.columns:
        given = _numeric(data[AHT_SECONDS], AHT_SECONDS)
        bad = given.notna() & ~((given > 0) & np.isfinite(given.fillna(1.0)))
        if bad.any():
            raise InputError(
                f"forecast column {AHT_SECONDS} must be > 0 seconds (or empty to use the "
                f"queue's configured aht_seconds); {int(bad.sum())} row(s) are not, e.g. "
                f"{_examples(queue, start, bad)}"
            )
        aht = given.fillna(configured_aht)
    else:
        aht = configured_aht

    frame = pd.DataFrame(
        {
            INTERVAL_START: start,
            QUEUE: queue.astype(object),
            VOLUME: volume.astype(np.float64),
            AHT_SECONDS: aht.astype(np.float64),
        }
    )
    dup = frame.duplicated([QUEUE, INTERVAL_START], keep=False)
    if dup.any():
        raise InputError(
            f"forecast has {int(dup.sum())} duplicate ({QUEUE}, {INTERVAL_START}) rows, "
            f"e.g. {_examples(frame[QUEUE], frame[INTERVAL_START], dup)}; "
            "keep one row per queue and interval"
        )
    frame = frame.sort_values([QUEUE, INTERVAL_START], kind="mergesort", ignore_index=True)
    _check_grid(frame, queues, interval_minutes=interval_minutes)
    return frame


def _check_grid(
    frame: pd.DataFrame, queues: Mapping[str, QueueSpec], *, interval_minutes: int
) -> None:
    """Each queue's steps are whole intervals; deferred queues have no gaps."""
    same = frame[QUEUE].eq(frame[QUEUE].shift())
    step = frame[INTERVAL_START].diff().dt.total_seconds().to_numpy()[same.to_numpy()]
    names = frame[QUEUE].to_numpy(dtype=object)[same.to_numpy()]
    times = frame[INTERVAL_START][same]
    seconds = interval_minutes * 60
    off_grid = step % seconds != 0
    if off_grid.any():
        i = int(np.flatnonzero(off_grid)[0])
        raise InputError(
            f"queue {names[i]!r}: {INTERVAL_START} steps by {step[i] / 60:g} minutes at "
            f"{_stamp(times.iloc[i])}, not a whole multiple of interval_minutes="
            f"{interval_minutes}; set interval_minutes to the forecast's interval or "
            "resample the forecast"
        )
    deferred = np.array([queues[q].channel in DEFERRED_CHANNELS for q in names], dtype=bool)
    gap = deferred & (step != seconds)
    if gap.any():
        i = int(np.flatnonzero(gap)[0])
        raise InputError(
            f"queue {names[i]!r} ({queues[names[i]].channel}): {INTERVAL_START} skips "
            f"{step[i] / seconds - 1:g} interval(s) before {_stamp(times.iloc[i])}; "
            "deferred queues need consecutive intervals, so add the missing ones with "
            f"{VOLUME} 0"
        )


def _numeric(column: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise InputError(
            f"forecast column {name} must be numeric, got dtype {column.dtype}; "
            "convert it with pd.to_numeric"
        )
    return column.astype(np.float64)


def _examples(queue: pd.Series, start: pd.Series, mask: pd.Series) -> str:
    """Up to five offending rows as (queue, interval_start)."""
    rows = np.flatnonzero(np.asarray(mask))[:_MAX_EXAMPLES]
    return ", ".join(f"({queue.iloc[i]!r}, {_stamp(start.iloc[i])})" for i in rows)


def _stamp(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
