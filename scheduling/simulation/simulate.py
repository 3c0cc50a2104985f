"""Simulate a schedule against a forecast: how likely each interval meets its target.

`simulate_schedule` runs `replications` independent copies of the horizon
(`scheduling.simulation.engine`): contacts drawn from the forecast and its
uncertainty (`arrivals`), agents from the schedule with breaks and random
absence (`agents`), blended routing, chat concurrency, deferred backlog and
abandonment; then summarises per interval and queue (`measures`). Replication r
uses the random stream `SeedSequence(seed).spawn(replications)[r]`, so the
result depends on the seed only, never on the number of worker processes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduling.columns import (
    ABANDONED,
    ANSWERED,
    ASA_SECONDS,
    BACKLOG,
    INTERVAL_START,
    OCCUPANCY,
    OFFERED,
    P_MEET_TARGET,
    QUEUE,
    SERVICE_LEVEL,
    SERVICE_LEVEL_P10,
    SIMULATION_COLUMNS,
    SIMULATION_DAY_COLUMNS,
)
from scheduling.errors import InputError
from scheduling.simulation.agents import draw_windows
from scheduling.simulation.arrivals import draw_contacts
from scheduling.simulation.engine import run_replication
from scheduling.simulation.measures import SUMS, day_sums, replication_measures
from scheduling.simulation.model import SimulationModel, build_model
from scheduling.simulation.options import SimulationOptions
from scheduling.staffing.queues import QueueSpec

__all__ = ["SimulationResult", "simulate_schedule"]

# Each replication's service level per interval and queue is kept for the
# percentiles: 4 bytes each, so this caps that memory at 400 MB.
MAX_KEPT_LEVELS = 100_000_000
OPEN = -1.0  # a replication's cell whose contacts all still waited at the horizon's end


@dataclass(frozen=True)
class SimulationResult:
    """What `simulate_schedule` returns.

    Attributes:
        intervals: one row per (interval_start, queue), `SIMULATION_COLUMNS`.
        days: one row per (queue, local day), `SIMULATION_DAY_COLUMNS`.
        replications: replications run.
    """

    intervals: pd.DataFrame
    days: pd.DataFrame
    replications: int


def simulate_schedule(
    schedule: pd.DataFrame,
    forecast: pd.DataFrame,
    queues: Mapping[str, QueueSpec],
    *,
    interval_minutes: int,
    options: SimulationOptions | None = None,
    cyclic: bool = False,
    on_replications: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate `schedule` over the forecast's horizon, `options.replications` times.

    Args:
        schedule: one row per agent shift: `agent`, `start`, `end` (timezone-aware),
            `break_start`, `break_end` (timezone-aware or NaT), optional
            `other_breaks` (((start, end), ...) per row), `queue` (the agent's
            skills joined with ";").
        forecast: one row per (interval_start, queue): `interval_start`
            (timezone-aware, on the `interval_minutes` grid), `queue`, `volume`
            (contacts per interval), optional `volume_low`, `volume_high` (the
            bounds covering `options.level` of outcomes) and `aht_seconds`
            (seconds; missing or NaN: the queue's configured AHT). Intervals it
            leaves out have volume 0.
        queues: queue name -> QueueSpec; every forecast queue and skill must be a key.
        interval_minutes: interval length, minutes (15, 30 or 60).
        options: replications, seed, textbook mode, routing (default options if None).
        cyclic: the schedule's week repeats, so shift time past the forecast's
            end wraps round to its start (as `wfm schedule` plans with
            `cyclic = true`); otherwise every shift must end by the forecast's end.
        on_replications: called with the number of replications just finished.

    Returns:
        SimulationResult. `intervals` columns: interval_start (UTC), queue, offered,
        answered, abandoned (contacts arriving in the interval, mean over
        replications), service_level (mean over the replications with contacts,
        0-1), service_level_p10 (their 10th percentile), p_meet_target (share of
        replications whose service level reaches the queue's target; one with no
        contacts meets it; one whose contacts all still wait within the target at
        the horizon's end is left out, NaN when all are), asa_seconds (mean
        wait of answered contacts, seconds),
        occupancy (share of the available time of the agents serving the queue
        spent on contacts of any queue, a chat counting 1/concurrency), backlog
        (contacts waiting at the interval's end, mean). `days`: queue, day (local
        date), offered (mean), service_level (mean over replications), p_meet_target
        (share of replications whose day's service level reaches the target),
        worst_intervals (up to three local interval starts "HH:MM p%" with the
        lowest p_meet_target below 1, lowest first; empty when every interval always
        meets the target).

    Raises:
        InputError: a bad frame, an unknown queue, a schedule outside the
            forecast, or more replications x cells than `MAX_KEPT_LEVELS`.
    """
    options = options or SimulationOptions()
    model = build_model(
        schedule,
        forecast,
        queues,
        interval_minutes=interval_minutes,
        options=options,
        cyclic=cyclic,
    )
    cells = model.grid.n_intervals * len(model.queue_names)
    if options.replications * cells > MAX_KEPT_LEVELS:
        raise InputError(
            f"simulation: {options.replications:,} replications x {cells:,} intervals and "
            f"queues keep {options.replications * cells:,} service levels (at most "
            f"{MAX_KEPT_LEVELS:,}); use at most {MAX_KEPT_LEVELS // cells:,} replications "
            "or a shorter forecast"
        )
    seeds = np.random.SeedSequence(options.seed).spawn(options.replications)
    totals, levels, day_levels = _run(model, seeds, options.workers, on_replications)
    return SimulationResult(
        intervals=_interval_frame(model, totals, levels, options.replications),
        days=_day_frame(model, totals, levels, day_levels, options.replications),
        replications=options.replications,
    )


def _run(
    model: SimulationModel,
    seeds: list[np.random.SeedSequence],
    workers: int,
    on_replications: Callable[[int], None] | None,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Summed measures, service level per replication and cell, and per replication and day."""
    # Chunks do not depend on `workers`, so the sums add up in the same order.
    size = max(1, min(25, -(-len(seeds) // 8)))
    chunks = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    if workers == 1 or len(chunks) == 1:
        parts = []
        for chunk in chunks:
            parts.append(run_chunk(model, chunk))
            if on_replications:
                on_replications(len(chunk))
    else:
        parts = _run_parallel(model, chunks, workers, on_replications)
    totals = {key: sum(part[0][key] for part in parts) for key in SUMS}
    levels = np.concatenate([part[1] for part in parts])
    day_levels = np.concatenate([part[2] for part in parts])
    return totals, levels, day_levels


def _run_parallel(
    model: SimulationModel,
    chunks: list[list[np.random.SeedSequence]],
    workers: int,
    on_replications: Callable[[int], None] | None,
) -> list[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]]:
    """`run_chunk` over `chunks` in worker processes; results in chunk order."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_chunk, model, chunk) for chunk in chunks]
        parts = []
        for future, chunk in zip(futures, chunks, strict=True):
            parts.append(future.result())  # in submission order: deterministic
            if on_replications:
                on_replications(len(chunk))
    return parts


def run_chunk(
    model: SimulationModel, seeds: list[np.random.SeedSequence]
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Replications of `seeds`: summed measures, per-replication cell and day service levels."""
    grid = model.grid
    totals = {key: np.zeros((grid.n_intervals, grid.target_seconds.size)) for key in SUMS}
    levels, day_levels = [], []
    for seed in seeds:
        sums = run_one(model, np.random.Generator(np.random.PCG64(seed)))
        for key in SUMS:
            totals[key] += sums[key]
        levels.append(_level(sums["met"], sums["resolved"], sums["offered"]).astype(np.float32))
        day_levels.append(
            _level(*(day_sums(sums[key], grid) for key in ("met", "resolved", "offered")))
        )
    return totals, np.stack(levels), np.stack(day_levels)


def _level(met: np.ndarray, resolved: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """Service level per cell: NaN with no contacts, `OPEN` when none's outcome is known yet."""
    return np.where((offered > 0) & (resolved == 0), OPEN, _ratio(met, resolved))


def run_one(model: SimulationModel, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One replication's per (interval, queue) sums (`measures.SUMS`)."""
    opts = model.options
    contacts = draw_contacts(
        model.demand,
        rng,
        textbook=opts.textbook,
        exponential=opts.textbook or opts.handle_time_distribution == "exponential",
        handle_time_cv=model.handle_time_cv,
    )
    windows = draw_windows(
        model.staff, rng, interval_seconds=model.grid.interval_seconds, textbook=opts.textbook
    )
    start, agent = run_replication(
        contacts.time.tolist(),
        contacts.queue.tolist(),
        contacts.handle.tolist(),
        contacts.deadline.tolist(),
        (windows[0].tolist(), windows[1].tolist(), windows[2].tolist()),
        model.routing,
    )
    return replication_measures(
        contacts, np.array(start), np.array(agent, dtype=np.int64), windows, model.grid
    )


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / bottom, np.nan)


def _meets(levels: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Share of replications meeting the target per cell; no contacts counts as met.

    Replications whose contacts in the cell were all still waiting at the
    horizon's end (`OPEN`) are left out; NaN when every one was.
    """
    known = levels != OPEN
    met = np.where(np.isnan(levels), True, (levels >= targets - 1e-12) & known)
    counted = known.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counted > 0, met.sum(axis=0) / counted, np.nan)


def _known(levels: np.ndarray) -> np.ndarray:
    """`levels` with `OPEN` read as no known service level (NaN)."""
    return np.where(levels == OPEN, np.nan, levels)


def _interval_frame(
    model: SimulationModel, totals: dict[str, np.ndarray], levels: np.ndarray, reps: int
) -> pd.DataFrame:
    n_i, n_q = levels.shape[1:]
    p_meet = _meets(levels, model.targets)
    levels = _known(levels)
    with np.errstate(all="ignore"):
        any_contacts = ~np.isnan(levels).all(axis=0)
        mean_level = np.where(
            any_contacts, np.nanmean(np.where(any_contacts, levels, 0), axis=0), np.nan
        )
        p10 = np.full((n_i, n_q), np.nan)
        if any_contacts.any():
            p10[any_contacts] = np.nanpercentile(levels[:, any_contacts], 10, axis=0)
    frame = pd.DataFrame(
        {
            INTERVAL_START: np.repeat(model.starts, n_q),
            QUEUE: np.tile(np.array(model.queue_names, dtype=object), n_i),
            OFFERED: (totals["offered"] / reps).ravel(),
            ANSWERED: (totals["answered"] / reps).ravel(),
            ABANDONED: (totals["abandoned"] / reps).ravel(),
            SERVICE_LEVEL: mean_level.ravel(),
            SERVICE_LEVEL_P10: p10.ravel(),
            P_MEET_TARGET: p_meet.ravel(),
            ASA_SECONDS: _ratio(totals["wait"], totals["answered"]).ravel(),
            OCCUPANCY: _ratio(totals["busy"], totals["available"]).ravel(),
            BACKLOG: (totals["backlog"] / reps).ravel(),
        }
    )
    frame = frame.sort_values([QUEUE, INTERVAL_START], kind="stable").reset_index(drop=True)
    return frame[list(SIMULATION_COLUMNS)]


def _day_frame(
    model: SimulationModel,
    totals: dict[str, np.ndarray],
    levels: np.ndarray,
    day_levels: np.ndarray,
    reps: int,
) -> pd.DataFrame:
    grid = model.grid
    offered = day_sums(totals["offered"], grid) / reps
    p_cell = _meets(levels, model.targets)
    p_day = _meets(day_levels, model.targets)
    day_levels = _known(day_levels)
    rows = []
    for q, name in enumerate(model.queue_names):
        zone = model.timezones[q]
        for d, date in enumerate(model.days):
            mine = np.flatnonzero((grid.day[:, q] == d) & (totals["offered"][:, q] > 0))
            if mine.size == 0:
                continue
            short = mine[p_cell[mine, q] < 1]
            worst = short[np.lexsort((short, p_cell[short, q]))][:3]
            label = ", ".join(
                f"{model.starts[i].tz_convert(zone):%H:%M} {p_cell[i, q]:.0%}" for i in worst
            )
            with np.errstate(all="ignore"):
                level = (
                    np.nanmean(day_levels[:, d, q])
                    if np.isfinite(day_levels[:, d, q]).any()
                    else np.nan
                )
            rows.append((name, date, offered[d, q], level, p_day[d, q], label))
    return pd.DataFrame(rows, columns=list(SIMULATION_DAY_COLUMNS))
