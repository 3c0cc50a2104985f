"""Staffing: a volume forecast to the agents each queue needs in each interval.

Live channels (voice, chat) are staffed interval by interval as a steady queue at
that interval's arrival rate: Erlang C (`scheduling.staffing.erlang`), or Erlang A
(`scheduling.staffing.erlang_a`) when the queue has a mean patience. Chat agents hold
several chats at once (see `staff_requirements`). Deferred channels (email,
ticket) get the least capacity that answers the target share of contacts within
the response time, with backlog carried over (`scheduling.staffing.deferred`). Shrinkage
(`scheduling.staffing.shrinkage`) then turns productive agents into scheduled agents, and a
span of control into team leads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.checks import Range, check_ranges
from scheduling.columns import (
    ABANDONMENT,
    AGENT_HOURS,
    AGENTS,
    AGENTS_SCHEDULED,
    AHT_SECONDS,
    ASA_SECONDS,
    BACKLOG,
    CHANNEL,
    INTERVAL_START,
    LEADS,
    OCCUPANCY,
    QUEUE,
    REQUIREMENTS_COLUMNS,
    SERVICE_LEVEL,
    SHRINKAGE,
    VOLUME,
    WAIT_PROBABILITY,
)
from scheduling.errors import FieldError, InputError
from scheduling.staffing.deferred import deferred_requirements, open_intervals, response_window
from scheduling.staffing.erlang import erlang_c_metrics, required_agents
from scheduling.staffing.erlang_a import erlang_a_metrics, required_agents_a
from scheduling.staffing.queues import DAY_SECONDS, DEFERRED_CHANNELS, QueueSpec
from scheduling.staffing.shrinkage import shrinkage_rates

STAFFING_COLUMNS = (
    *REQUIREMENTS_COLUMNS,
    CHANNEL,
    WAIT_PROBABILITY,
    BACKLOG,
    ABANDONMENT,
    SHRINKAGE,
    LEADS,
)
"""Columns of `staff_requirements`' result, in order."""

MAX_TRAFFIC_ERLANGS = 100_000.0
"""Most workload of one queue in one interval (contacts x aht / interval), Erlangs:
past it an interval would need more agents than any contact centre has."""
MAX_AGENTS = 1_000_000
"""Most agents whose service `staff_interval` reports."""

_MAX_EXAMPLES = 5
_ROUNDING = 1e-9  # scheduled agents within this of a whole number are that number


def staff_requirements(
    forecast: pd.DataFrame,
    queues: Mapping[str, QueueSpec],
    *,
    interval_minutes: int,
    volume_column: str = VOLUME,
) -> pd.DataFrame:
    """Agents needed per queue per interval to meet each queue's service target.

    Voice: `agents` is the least whole number that meets the queue's
    `service_level` within `answer_seconds`, its `target_asa_seconds` (if set) and
    `max_occupancy` (Erlang C, `scheduling.staffing.erlang.required_agents`). With
    `patience_seconds` set, callers hang up after an exponential patience of that
    mean, and `agents` is the least that meets `service_level` (callers who hang up
    count as not answered in time), `max_abandonment` (if set) and
    `max_occupancy` in Erlang A (`scheduling.staffing.erlang_a.required_agents_a`). The
    other measures are those of that headcount.

    Chat, concurrency c, efficiency e: each agent is c chat slots, and a chat
    holds a slot for aht x (1 + (1 - e)(c - 1)) seconds, `aht_seconds` being the
    handle time of a chat handled alone: every extra chat an agent holds stretches
    each of its chats by (1 - e) of that time, so an agent's throughput
    c / (1 + (1 - e)(c - 1)) chats per solo handle time grows with c but less than
    in proportion (e = 1: no slow-down; e = 0: no gain from concurrency). This is
    the concave, concurrency-dependent service rate of the chat models of J. Luo
    and J. Zhang, "Staffing and control of instant messaging contact centers",
    Operations Research 61(2), 2013, and T. Tezcan and J. Zhang, "Routing and
    staffing in customer service chat systems with impatient customers",
    Operations Research 62(4), 2014, taken linear in c and at full concurrency. The
    slots form an M/M/S queue (Erlang C, or A with patience): S = the slots needed
    for the chat traffic (volume x stretched aht / interval), `agents` =
    ceil(S / c), and the measures are those of agents x c slots (occupancy is slot
    occupancy). Agents holding fewer than c chats finish each sooner, so at low
    load the model errs towards more agents.

    Email and ticket: `scheduling.staffing.deferred` (least capacity per interval that
    answers the target `service_level` share within `response_hours`, fractional to
    0.01 agents; backlog carried over; handling only in the queue's business
    hours when `open`, `close` or `days` are set).

    Every channel: `shrinkage` is the queue's rate, or its profile's rate at the
    interval's local weekday and time; `agents_scheduled` = agents / (1 -
    shrinkage); `leads` = agents_scheduled / span_of_control (0 without a span);
    `agent_hours` = agents_scheduled x interval_minutes / 60. With `whole_agents`
    agents_scheduled and leads are rounded up to whole people (a live queue's
    agents are whole already; a deferred queue's stay fractional, its work divides
    over the interval, so 0.08 agents at 20% shrinkage schedule 1 person, not
    ceil(1 / 0.8) = 2). An interval of a live
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
        as given or configured), agents (productive agents; whole for voice and
        chat), agents_scheduled (agents after shrinkage), service_level (0-1),
        asa_seconds (seconds; Erlang A: mean wait of answered contacts),
        occupancy (0-1), agent_hours (hours), channel, wait_probability (0-1),
        backlog (contacts waiting at the end of the interval; 0 for live
        channels), abandonment (share of contacts hanging up, 0-1; 0 without
        patience), shrinkage (0-1, as applied), leads (team leads, agents).
        Numbers are float64.

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
    queue_names = frame[QUEUE].to_numpy(dtype=object)
    volume = frame[VOLUME].to_numpy(dtype=np.float64)
    aht = frame[AHT_SECONDS].to_numpy(dtype=np.float64)
    spec_of = [queues[q] for q in queue_names]
    n = len(frame)
    measures = {name: np.zeros(n) for name in _MEASURES}
    measures[SERVICE_LEVEL] = np.ones(n)
    live = np.array([s.is_live for s in spec_of], dtype=bool)
    if live.any():
        values = _live(
            volume[live],
            aht[live],
            [s for s, k in zip(spec_of, live, strict=True) if k],
            interval_seconds=interval_seconds,
        )
        for name, value in zip(_LIVE_MEASURES, values, strict=True):
            measures[name][live] = value
    for name in pd.unique(queue_names):
        rows = queue_names == name
        spec = queues[name]
        starts = frame[INTERVAL_START][rows]
        measures[SHRINKAGE][rows] = shrinkage_rates(
            starts, base=spec.shrinkage, rules=spec.shrinkage_profile, timezone=spec.timezone
        )
        if not spec.is_live:
            result = _deferred(spec, starts, volume[rows], aht[rows], interval_seconds)
            for column, key in _DEFERRED_MEASURES.items():
                measures[column][rows] = result[key]
    return _requirements_frame(frame, measures, spec_of, interval_minutes=interval_minutes)


_LIVE_MEASURES = (AGENTS, SERVICE_LEVEL, ASA_SECONDS, OCCUPANCY, WAIT_PROBABILITY, ABANDONMENT)
_DEFERRED_MEASURES = {
    AGENTS: "capacity",
    SERVICE_LEVEL: "service_level",
    ASA_SECONDS: "asa_seconds",
    OCCUPANCY: "occupancy",
    WAIT_PROBABILITY: "wait_probability",
    BACKLOG: "backlog",
}
_MEASURES = (*_LIVE_MEASURES, BACKLOG, SHRINKAGE)


def _requirements_frame(
    frame: pd.DataFrame,
    measures: dict[str, np.ndarray],
    spec_of: list[QueueSpec],
    *,
    interval_minutes: int,
) -> pd.DataFrame:
    """The result's columns: measures, then shrinkage, scheduled agents and leads."""
    whole = np.array([s.whole_agents for s in spec_of], dtype=bool)
    span = np.array([s.span_of_control or np.inf for s in spec_of], dtype=np.float64)
    scheduled = measures[AGENTS] / (1.0 - measures[SHRINKAGE])
    scheduled = np.where(whole, np.ceil(scheduled - _ROUNDING), scheduled)
    leads = scheduled / span
    leads = np.where(whole, np.ceil(leads - _ROUNDING), leads)
    channel = pd.Series([s.channel for s in spec_of], index=frame.index, dtype=object)
    columns = {
        INTERVAL_START: frame[INTERVAL_START],
        QUEUE: frame[QUEUE].astype("str"),
        VOLUME: frame[VOLUME].to_numpy(dtype=np.float64),
        AHT_SECONDS: frame[AHT_SECONDS].to_numpy(dtype=np.float64),
        **measures,
        AGENTS_SCHEDULED: scheduled,
        AGENT_HOURS: scheduled * interval_minutes / 60.0,
        CHANNEL: channel.astype("str"),
        LEADS: leads,
    }
    return pd.DataFrame(columns, columns=list(STAFFING_COLUMNS))


def _deferred(
    spec: QueueSpec,
    starts: pd.Series,
    volume: np.ndarray,
    aht: np.ndarray,
    interval_seconds: int,
) -> pd.DataFrame:
    """`deferred_requirements` of one email or ticket queue's intervals, in order."""
    is_open = (
        open_intervals(
            starts,
            timezone=spec.timezone,
            days=spec.days,
            open_minutes=spec.open_minutes,
            close_minutes=spec.close_minutes,
        )
        if spec.has_hours
        else None
    )
    return deferred_requirements(
        volume * aht / interval_seconds,
        volume,
        window=response_window(spec.response_hours, interval_seconds=interval_seconds),
        service_level=spec.service_level,
        max_occupancy=spec.max_occupancy,
        interval_seconds=interval_seconds,
        is_open=is_open,
        step=0.01,
    )


def staff_interval(
    spec: QueueSpec,
    *,
    volume: float,
    interval_minutes: float,
    aht_seconds: float | None = None,
    agents: int | None = None,
) -> dict[str, float]:
    """One interval of a live queue, as `staff_requirements` staffs it (`wfm erlang`).

    Args:
        spec: a voice or chat queue (Erlang A when it has `patience_seconds`).
        volume: contacts arriving in the interval, >= 0.
        interval_minutes: interval length, minutes, > 0 and at most a day.
        aht_seconds: handle time, seconds; None for `spec.aht_seconds`.
        agents: report the service of this many agents instead of finding the
            least that meet the targets; whole, 0 to `MAX_AGENTS`.

    Returns:
        {agents, service_level, asa_seconds, occupancy, wait_probability} and,
        with patience, abandonment (shares 0-1, seconds).

    Raises:
        FieldError: a value outside its range, a deferred queue, or more
            workload than `MAX_TRAFFIC_ERLANGS`.
    """
    check_ranges(_IntervalInputs(volume, interval_minutes, agents), _INTERVAL_RANGES, where="")
    if not spec.is_live:
        raise FieldError(f"queue {spec.name!r}", "channel", "must be voice or chat", spec.channel)
    aht = spec.aht_seconds if aht_seconds is None else aht_seconds
    seconds = interval_minutes * 60.0
    if volume * aht / seconds > MAX_TRAFFIC_ERLANGS:
        raise FieldError(
            "", "volume", f"is more work than {MAX_TRAFFIC_ERLANGS:,.0f} agents can do", volume
        )
    measures = _live(
        np.array([volume], dtype=np.float64),
        np.array([aht], dtype=np.float64),
        [spec],
        interval_seconds=seconds,
        fixed_agents=None if agents is None else np.array([agents]),
    )
    names = (AGENTS, SERVICE_LEVEL, ASA_SECONDS, OCCUPANCY, WAIT_PROBABILITY, ABANDONMENT)
    row = {name: float(value[0]) for name, value in zip(names, measures, strict=True)}
    row[AGENTS] = int(row[AGENTS])
    if spec.patience_seconds is None:
        del row[ABANDONMENT]
    return row


@dataclass(frozen=True)
class _IntervalInputs:
    volume: float
    interval_minutes: float
    agents: int | None


_INTERVAL_RANGES = (
    Range("volume", lambda v: v >= 0, ">= 0 contacts"),
    Range("interval_minutes", lambda v: 0 < v <= 1440, "> 0 minutes and at most a day (1440)"),
    Range(
        "agents", lambda v: 0 <= v <= MAX_AGENTS, f"0 to {MAX_AGENTS:,}", optional=True, whole=True
    ),
)


def chat_handle_seconds(
    aht_seconds: np.ndarray | float, *, concurrency: int, efficiency: float
) -> np.ndarray | float:
    """Per-chat handle time at full concurrency, seconds.

    Args:
        aht_seconds: handle time of a chat handled alone, seconds.
        concurrency: chats an agent holds at once, >= 1.
        efficiency: 0-1; each extra chat held stretches a chat by (1 - efficiency)
            of `aht_seconds`.

    Returns:
        aht_seconds x (1 + (1 - efficiency) x (concurrency - 1)), seconds.
    """
    return aht_seconds * (1.0 + (1.0 - efficiency) * (concurrency - 1))


# --- live channels: Erlang C and A ------------------------------------------------------


def _live(
    volume: np.ndarray,
    aht: np.ndarray,
    specs: list[QueueSpec],
    *,
    interval_seconds: float,
    fixed_agents: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """Agents, service level, ASA, occupancy, wait probability, abandonment of live rows.

    The agents are the least that meet each row's targets, or `fixed_agents`
    (whole agents per row) when given, whose service is then reported.
    """
    concurrency = np.array([s.concurrency if s.channel == "chat" else 1 for s in specs])
    efficiency = np.array([s.concurrency_efficiency for s in specs], dtype=np.float64)
    answer = np.array([s.answer_seconds for s in specs], dtype=np.float64)
    target = np.array([s.service_level for s in specs], dtype=np.float64)
    cap = np.array([s.max_occupancy for s in specs], dtype=np.float64)
    asa_cap = np.array([s.target_asa_seconds or np.inf for s in specs], dtype=np.float64)
    patience = np.array([s.patience_seconds or np.nan for s in specs], dtype=np.float64)
    max_ab = np.array([s.max_abandonment or 1.0 for s in specs], dtype=np.float64)
    slot_aht = chat_handle_seconds(aht, concurrency=concurrency, efficiency=efficiency)
    traffic = volume * slot_aht / interval_seconds  # Erlangs (chat: busy slots)

    out = [np.zeros(len(volume)) for _ in range(6)]
    impatient = ~np.isnan(patience)
    for rows, erlang_a in ((~impatient, False), (impatient, True)):
        if not rows.any():
            continue
        a, h, t, c = traffic[rows], slot_aht[rows], answer[rows], concurrency[rows]
        if fixed_agents is not None:
            agents = fixed_agents[rows]
        else:
            slots = _required_slots(
                a, h, t, target[rows], cap[rows], asa_cap[rows], patience[rows], max_ab[rows]
            )
            agents = -(-np.asarray(slots) // c)  # ceil for whole numbers
        if erlang_a:
            m = erlang_a_metrics(
                a, agents * c, aht_seconds=h, answer_seconds=t, patience_seconds=patience[rows]
            )
            abandon = m.abandonment
        else:
            m = erlang_c_metrics(a, agents * c, aht_seconds=h, answer_seconds=t)
            abandon = 0.0
        values = (agents, m.service_level, m.asa_seconds, m.occupancy, m.wait_probability, abandon)
        for column, value in zip(out, values, strict=True):
            column[rows] = value
    return tuple(out)


def _required_slots(
    traffic: np.ndarray,
    aht: np.ndarray,
    answer: np.ndarray,
    target: np.ndarray,
    cap: np.ndarray,
    asa_cap: np.ndarray,
    patience: np.ndarray,
    max_abandonment: np.ndarray,
) -> np.ndarray:
    """Least servers (agents, or chat slots) per row: Erlang A where patience is set."""
    if np.isnan(patience).all():
        return required_agents(
            traffic,
            aht_seconds=aht,
            answer_seconds=answer,
            service_level_target=target,
            max_occupancy=cap,
            target_asa_seconds=asa_cap,
        )
    return required_agents_a(
        traffic,
        aht_seconds=aht,
        answer_seconds=answer,
        patience_seconds=patience,
        service_level_target=target,
        max_abandonment=max_abandonment,
        max_occupancy=cap,
    )


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
    """interval_start (UTC), queue, volume, aht_seconds; sorted by queue, interval_start."""
    _check_columns(forecast, volume_column)
    data = forecast.reset_index(drop=True)  # positions, not labels, from here on
    queue = _checked_queues(data[QUEUE], queues)
    start = _checked_starts(data[INTERVAL_START], queue)
    volume = _numeric(data[volume_column], volume_column)
    bad = volume.isna() | ~np.isfinite(volume.fillna(0.0)) | (volume < 0)
    if bad.any():
        raise InputError(
            f"forecast column {volume_column} must be a number of contacts >= 0; "
            f"{int(bad.sum())} row(s) are negative or missing, e.g. "
            f"{_examples(queue, start, bad)}; fix or drop those rows"
        )
    aht = _checked_aht(data, queue, start, queues)
    _check_workload(volume * aht / (interval_minutes * 60), queue, start)
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


def _check_columns(forecast: pd.DataFrame, volume_column: str) -> None:
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


def _checked_queues(queue: pd.Series, queues: Mapping[str, QueueSpec]) -> pd.Series:
    """The queue column as text; every name configured."""
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
    return queue


def _checked_starts(start: pd.Series, queue: pd.Series) -> pd.Series:
    """interval_start in UTC; timezone-aware and complete."""
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
    return start


def _checked_aht(
    data: pd.DataFrame, queue: pd.Series, start: pd.Series, queues: Mapping[str, QueueSpec]
) -> pd.Series:
    """Handle time per row, seconds: as given, else the queue's configured one."""
    configured_aht = queue.map({q: s.aht_seconds for q, s in queues.items()}).astype(float)
    if AHT_SECONDS not in data.columns:
        return configured_aht
    given = _numeric(data[AHT_SECONDS], AHT_SECONDS)
    bad = given.notna() & ~((given > 0) & (given <= DAY_SECONDS))
    if bad.any():
        raise InputError(
            f"forecast column {AHT_SECONDS} must be > 0 seconds and at most a day (or empty "
            f"to use the queue's configured aht_seconds); {int(bad.sum())} row(s) are not, "
            f"e.g. {_examples(queue, start, bad)}"
        )
    return given.fillna(configured_aht)


def _check_workload(erlangs: pd.Series, queue: pd.Series, start: pd.Series) -> None:
    """Refuse intervals needing more agents than any contact centre has, before Erlang."""
    bad = erlangs > MAX_TRAFFIC_ERLANGS
    if bad.any():
        raise InputError(
            f"forecast: {int(bad.sum())} interval(s) hold more work than "
            f"{MAX_TRAFFIC_ERLANGS:,.0f} agents can do (volume x aht_seconds / interval), "
            f"e.g. {_examples(queue, start, bad)}; check the volume and aht_seconds units"
        )


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
