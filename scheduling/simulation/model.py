"""Inputs of a simulation, checked and laid out on its clock (`build_model`).

The clock starts at the forecast's first interval; the horizon runs to the end
of its last. Queues are the forecast's, in name order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.columns import (
    AGENT,
    AHT_SECONDS,
    END,
    INTERVAL_START,
    QUEUE,
    START,
    VOLUME,
    VOLUME_HIGH,
    VOLUME_LOW,
)
from scheduling.errors import InputError
from scheduling.simulation.agents import Staff, staff_from_schedule
from scheduling.simulation.arrivals import (
    MAX_CONTACTS,
    Demand,
    log_variances,
    split_day_error,
)
from scheduling.simulation.engine import Routing
from scheduling.simulation.measures import Grid
from scheduling.simulation.options import SimulationOptions
from scheduling.staffing.queues import QueueSpec
from scheduling.staffing.requirements import chat_handle_seconds

MAX_CELLS = 2_000_000  # intervals x queues: a year at 15 minutes for 57 queues
MAX_INTERVAL_VOLUME = 1e7  # contacts in one interval, as the history readers allow


@dataclass(frozen=True)
class SimulationModel:
    """Everything a replication needs (picklable, for worker processes)."""

    demand: Demand
    staff: Staff
    routing: Routing
    grid: Grid
    options: SimulationOptions
    queue_names: tuple[str, ...]
    timezones: tuple[str, ...]
    starts: pd.DatetimeIndex
    days: tuple[object, ...]
    targets: np.ndarray  # (queues,) target service level
    handle_time_cv: np.ndarray  # (queues,) lognormal handle times: sd / mean


def build_model(
    schedule: pd.DataFrame,
    forecast: pd.DataFrame,
    queues: Mapping[str, QueueSpec],
    *,
    interval_minutes: int,
    options: SimulationOptions,
    cyclic: bool,
) -> SimulationModel:
    """Check the inputs and lay them out on the simulation clock (see `simulate_schedule`)."""
    _check_frames(schedule, forecast, queues, interval_minutes)
    names = tuple(sorted(forecast[QUEUE].unique()))
    specs = [queues[n] for n in names]
    size = interval_minutes * 60
    times = pd.DatetimeIndex(forecast[INTERVAL_START]).tz_convert("UTC")
    origin = times.min()
    n_intervals = int((times.max() - origin).total_seconds() // size) + 1
    if n_intervals * len(names) > MAX_CELLS:
        raise InputError(
            f"forecast: {n_intervals:,} intervals x {len(names)} queues is too large to "
            f"simulate (at most {MAX_CELLS:,} cells); simulate a shorter horizon"
        )
    starts = pd.date_range(origin, periods=n_intervals, freq=f"{interval_minutes}min")
    horizon = n_intervals * size
    _check_cover(schedule, origin, horizon, cyclic=cyclic)
    staff = staff_from_schedule(
        schedule, queues=names, specs=queues, origin=origin, horizon_seconds=horizon, cyclic=cyclic
    )
    day, days = _local_days(starts, specs)
    demand = _demand(forecast, specs, names, starts, day, origin, size, options)
    routing = _routing(staff, specs, names, options)
    skill = np.zeros((len(staff.names), len(names)))
    for a, qs in enumerate(staff.skills):
        skill[a, list(qs)] = 1.0
    grid = Grid(
        n_intervals=n_intervals,
        interval_seconds=float(size),
        target_seconds=np.array(
            [s.answer_seconds if s.is_live else s.response_hours * 3600 for s in specs]
        ),
        concurrency=np.array([s.concurrency for s in specs], dtype=float),
        skill=skill,
        day=day,
        n_days=len(days),
    )
    return SimulationModel(
        demand=demand,
        staff=staff,
        routing=routing,
        grid=grid,
        options=options,
        queue_names=names,
        timezones=tuple(s.timezone for s in specs),
        starts=starts,
        days=days,
        targets=np.array([s.service_level for s in specs]),
        handle_time_cv=np.array(
            [dict(options.handle_time_cvs).get(n, options.handle_time_cv) for n in names]
        ),
    )


def schedule_window(
    schedule: pd.DataFrame, forecast: pd.DataFrame, *, tz: str, cyclic: bool
) -> pd.DataFrame:
    """The forecast's rows on the days of `tz` its schedule's shifts fall in.

    Days are local days of `tz` (from the local midnight of the forecast's first
    interval): from the first shift's start to the last one's end, or, when
    `cyclic`, whole weeks from the first shift's day, so the week the schedule
    repeats wraps round to its own start rather than to the end of a longer
    forecast. A forecast longer than the schedule would otherwise be simulated
    with nobody on duty in its other days. Returns `forecast` itself when the
    window is all of it or does not fit in it (a schedule (partly) outside the
    forecast, which `build_model` refuses; or a repeating week that starts after
    the forecast's first day and would run past its end), or the schedule is empty.
    """
    times = pd.DatetimeIndex(forecast[INTERVAL_START]) if INTERVAL_START in forecast else None
    if schedule.empty or times is None or times.tz is None or START not in schedule:
        return forecast
    wall = times.tz_convert(tz).tz_localize(None)
    origin = wall.min().normalize()
    day = pd.Timedelta(days=1)

    def days(column: str) -> np.ndarray:
        local = pd.DatetimeIndex(schedule[column]).tz_convert(tz).tz_localize(None)
        return ((local - origin) / day).to_numpy(dtype=float)

    rows = np.floor(((wall - origin) / day).to_numpy(dtype=float))
    first = np.floor(days(START).min())
    if cyclic:
        last = first + 7 * (np.floor((days(START).max() - first) / 7) + 1)
    else:
        last = np.ceil(days(END).max())
    if first < 0 or last > rows.max() + 1:
        return forecast
    keep = (rows >= first) & (rows < last)
    return forecast if keep.all() else forecast[keep]


def _check_frames(
    schedule: pd.DataFrame, forecast: pd.DataFrame, queues: Mapping[str, QueueSpec], minutes: int
) -> None:
    for column in (INTERVAL_START, QUEUE, VOLUME):
        if column not in forecast.columns:
            raise InputError(f"forecast: no column {column!r}")
    for column in (AGENT, START, END, QUEUE):
        if column not in schedule.columns:
            raise InputError(f"schedule: no column {column!r}")
    if minutes not in (15, 30, 60):
        raise InputError(f"interval_minutes must be 15, 30 or 60, got {minutes!r}")
    if forecast.empty:
        raise InputError("forecast: no rows")
    unknown = sorted(set(forecast[QUEUE]) - set(queues))
    if unknown:
        raise InputError(
            f"forecast: queue {unknown[0]!r} is not configured (configured: "
            f"{', '.join(sorted(queues))}); add [queues.{unknown[0]}]"
        )
    times = pd.DatetimeIndex(forecast[INTERVAL_START])
    if times.tz is None:
        raise InputError("forecast: interval_start must be timezone-aware")
    if (times != times.floor(f"{minutes}min")).any():
        raise InputError(f"forecast: interval_start values are not on the {minutes}-minute grid")
    if forecast.duplicated([INTERVAL_START, QUEUE]).any():
        raise InputError("forecast: repeated (interval_start, queue) rows")


def _check_cover(
    schedule: pd.DataFrame, origin: pd.Timestamp, horizon: float, *, cyclic: bool
) -> None:
    """Every shift starts inside the forecast and (unless cyclic) ends by its end."""
    start = (pd.DatetimeIndex(schedule[START]) - origin).total_seconds().to_numpy()
    end = (pd.DatetimeIndex(schedule[END]) - origin).total_seconds().to_numpy()
    bad = (start < 0) | (start >= horizon) | (end <= start) | ((end > horizon) & ~cyclic)
    bad |= end - start > horizon
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        stop = origin + pd.Timedelta(seconds=horizon)
        first, last = pd.Timestamp(schedule[START].iloc[row]), pd.Timestamp(schedule[END].iloc[row])
        raise InputError(
            f"schedule: the forecast does not cover the shift of {schedule[AGENT].iloc[row]!r} "
            f"from {first.isoformat()} to {last.isoformat()} ({int(bad.sum())} shift(s) "
            f"outside {origin.isoformat()}..{stop.isoformat()}); forecast the schedule's horizon"
        )


def _local_days(starts: pd.DatetimeIndex, specs: list[QueueSpec]) -> tuple[np.ndarray, tuple]:
    """(intervals, queues) index of each interval's local date, and the dates."""
    dates = [starts.tz_convert(s.timezone).date for s in specs]
    days = tuple(sorted(set().union(*[set(d) for d in dates])))
    index = {d: i for i, d in enumerate(days)}
    day = np.array([[index[d] for d in col] for col in dates], dtype=np.int64).T
    return day.reshape(len(starts), len(specs)), days


def _demand(forecast, specs, names, starts, day, origin, size, options) -> Demand:
    n_i, n_q = len(starts), len(names)
    col = {n: i for i, n in enumerate(names)}
    row = ((pd.DatetimeIndex(forecast[INTERVAL_START]) - origin).total_seconds() // size).astype(
        int
    )
    q = forecast[QUEUE].map(col).to_numpy()

    def grid_of(column: str, fill: float) -> np.ndarray:
        out = np.full((n_i, n_q), fill)
        if column in forecast.columns:
            out[row, q] = pd.to_numeric(forecast[column], errors="coerce").to_numpy(float)
        return out

    mean = np.nan_to_num(grid_of(VOLUME, 0.0), nan=0.0)
    if (mean < 0).any() or not np.isfinite(mean).all():
        raise InputError("forecast: volume must be finite and >= 0")
    for column in (VOLUME, VOLUME_LOW, VOLUME_HIGH):
        _check_at_most(grid_of(column, np.nan), MAX_INTERVAL_VOLUME, column, "contacts", names)
    if mean.sum() > MAX_CONTACTS:
        raise InputError(
            f"forecast: {mean.sum():,.0f} contacts; a simulation draws every one, at most "
            f"{MAX_CONTACTS:,} per replication: simulate a shorter horizon"
        )
    default_aht = np.array([s.aht_seconds for s in specs])
    aht = grid_of(AHT_SECONDS, np.nan)
    _check_at_most(aht, 86_400.0, AHT_SECONDS, "seconds (a day)", names)
    aht = np.where(np.isfinite(aht) & (aht > 0), aht, default_aht)
    conc = np.array([s.concurrency for s in specs])
    eff = np.array([s.concurrency_efficiency for s in specs])
    aht = chat_handle_seconds(aht, concurrency=conc, efficiency=eff)
    log_var = log_variances(
        mean, grid_of(VOLUME_LOW, np.nan), grid_of(VOLUME_HIGH, np.nan), level=options.level
    )
    per_interval, per_day = split_day_error(log_var, mean, day, day_share=options.day_error_share)
    return Demand(
        mean=mean,
        log_var_interval=per_interval,
        log_var_day=per_day,
        day=day,
        aht_seconds=aht,
        patience_seconds=np.array([s.patience_seconds or np.inf for s in specs], dtype=float),
        interval_seconds=float(size),
    )


def _check_at_most(
    grid: np.ndarray, most: float, column: str, unit: str, names: tuple[str, ...]
) -> None:
    """InputError naming a queue when a cell of `grid` (intervals x queues) is above `most`."""
    with np.errstate(invalid="ignore"):
        above = np.argwhere(grid > most)
    if len(above):
        queue = names[above[0][1]]
        raise InputError(
            f"forecast: {column} {grid[tuple(above[0])]:.4g} in queue {queue!r} is above "
            f"{most:,.0f} {unit}, the most wfm simulates; check the units"
        )


def _routing(
    staff: Staff, specs: list[QueueSpec], names: tuple[str, ...], options: SimulationOptions
) -> Routing:
    unknown = [p for p in options.priority if p not in names]
    if unknown and options.routing == "priority":
        raise InputError(f"simulation: priority names queue {unknown[0]!r}, not in the forecast")
    order = {n: i for i, n in enumerate(options.priority)}
    rank = {i: (order.get(n, len(order)), n) for i, n in enumerate(names)}
    live = [tuple(sorted((q for q in qs if specs[q].is_live), key=rank.get)) for qs in staff.skills]
    deferred = [tuple(q for q in qs if not specs[q].is_live) for qs in staff.skills]
    return Routing(
        live=live,
        deferred=deferred,
        concurrency=[s.concurrency for s in specs],
        by_priority=options.routing == "priority",
    )
