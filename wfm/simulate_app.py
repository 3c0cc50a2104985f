"""`wfm simulate`: read a schedule and a forecast, simulate, summarise on stderr."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.table import Table

from scheduling.errors import InputError
from scheduling.simulation.handle_times import fit_handle_time_cv
from scheduling.simulation.model import schedule_window
from scheduling.simulation.options import MAX_REPLICATIONS, SimulationOptions
from scheduling.simulation.simulate import SimulationResult, simulate_schedule
from wfm import readers
from wfm.config import Config
from wfm.errors import WfmError
from wfm.render import console


@dataclass(frozen=True)
class SimulateRequest:
    """What `wfm simulate` was asked for."""

    schedule: Path
    forecast: Path
    replications: int = 200
    seed: int = 1
    textbook: bool = False
    workers: int | None = None
    history: Path | None = None


def check_request(request: SimulateRequest, config: Config) -> None:
    """Refuse bad options before any file is read."""
    if not 1 <= request.replications <= MAX_REPLICATIONS:
        raise WfmError(
            f"--replications: expected 1 to {MAX_REPLICATIONS:,}, got {request.replications:,}"
        )
    if request.seed < 0:
        raise WfmError(f"--seed: expected a whole number >= 0, got {request.seed}")
    if request.workers is not None and request.workers < 1:
        raise WfmError(f"--workers: expected at least 1, got {request.workers}")
    if not config.queues:
        raise WfmError(
            f"{config.source}: no [queues.NAME] tables; `wfm simulate` needs --config "
            "with the queues' service targets"
        )
    unknown = [q for q in config.simulation.priority if q not in config.queues]
    if unknown:
        raise WfmError(
            f"{config.source}: simulation.priority: {unknown[0]!r} is not a configured queue"
        )


def simulation_options(
    request: SimulateRequest, config: Config, *, fitted: dict[str, float] | None = None
) -> SimulationOptions:
    """The library's options from the request and [simulation] / [forecast] settings.

    `fitted`: handle-time coefficients of variation per queue (from --history).
    """
    settings = config.simulation
    workers = request.workers or _cores()
    try:
        return SimulationOptions(
            replications=request.replications,
            seed=request.seed,
            textbook=request.textbook,
            level=config.forecast.level,
            day_error_share=settings.day_error_share,
            handle_time_distribution=settings.handle_time_distribution,
            handle_time_cv=settings.handle_time_cv,
            handle_time_cvs=tuple(sorted((fitted or {}).items())),
            routing=settings.routing,
            priority=settings.priority,
            workers=min(workers, request.replications),
        )
    except InputError as e:
        raise WfmError(f"{config.source}: {e}") from None


def fitted_handle_times(path: Path, config: Config) -> dict[str, float]:
    """Lognormal handle-time spread per configured queue, from a ticket-level history."""
    settings = config.forecast
    frame, kind = readers.read_history(
        path,
        tz=config.timezone,
        time_col=settings.time_column,
        queue_col=settings.queue_column,
        handle_col=settings.handle_time_column,
        default_queue=next(iter(config.queues)) if len(config.queues) == 1 else "all",
        options=readers.CONFIG_COLUMN_OPTIONS,
    )
    if kind != "contacts" or frame["handle_time_seconds"].isna().all():
        raise WfmError(
            f"{path}: --history needs one row per contact with a handle time column "
            "(e.g. handle_time_seconds); name it with [forecast] handle_time_column"
        )
    fitted = fit_handle_time_cv(frame)
    return {q: cv for q, cv in fitted.items() if q in config.queues}


def run_simulate(
    request: SimulateRequest,
    config: Config,
    *,
    on_replications: Callable[[int], None] | None = None,
) -> tuple[SimulationResult, list[str]]:
    """Schedule and forecast files -> simulated service per interval and queue, and notes."""
    check_request(request, config)
    notes = []
    fitted = None
    if request.history is not None and not request.textbook:
        fitted = fitted_handle_times(request.history, config)
        shown = ", ".join(f"{q} {cv:.2f}" for q, cv in fitted.items()) or "none"
        notes.append(f"handle times: lognormal, spread (sd / mean) fitted to history: {shown}")
    options = simulation_options(request, config, fitted=fitted)
    schedule = readers.read_schedule(
        request.schedule, tz=config.timezone, sites=[s.name for s in config.sites] or None
    )
    forecast = readers.read_forecast(request.forecast, tz=config.timezone)
    window = schedule_window(
        schedule, forecast, tz=config.timezone, cyclic=config.scheduling.cyclic
    )
    if len(window) < len(forecast):
        notes.append(_window_note(request.forecast, forecast, window, config.timezone))
        forecast = window
    try:
        result = simulate_schedule(
            schedule,
            forecast,
            config.queues,
            interval_minutes=config.interval_minutes,
            options=options,
            cyclic=config.scheduling.cyclic,
            on_replications=on_replications,
        )
    except InputError as e:
        raise WfmError(f"{request.schedule} / {request.forecast}: {e}") from None
    return result, notes


def _window_note(path: Path, forecast: pd.DataFrame, window: pd.DataFrame, tz: str) -> str:
    def days(frame: pd.DataFrame) -> str:
        times = pd.DatetimeIndex(frame["interval_start"]).tz_convert(tz)
        return f"{times.min():%Y-%m-%d} to {times.max():%Y-%m-%d}"

    return (
        f"{path}: the forecast runs {days(forecast)} and the schedule's shifts fall in "
        f"{days(window)}: simulated those days only (forecast the schedule's horizon "
        "to silence this)"
    )


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def simulation_summary(result: SimulationResult, config: Config) -> None:
    """Per queue and local day: volume, service level, chance of meeting the target."""
    targets = ", ".join(
        f"{name} {config.queues[name].service_level:.0%} in {_target_time(config.queues[name])}"
        for name in sorted(set(result.days["queue"]))
    )
    table = Table(
        title=f"Simulated, {result.replications:,} replications",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    headers = ["queue", "day", "offered", "SL", "P(day)", "worst intervals"]
    for i, column in enumerate(headers):
        table.add_column(column, justify="left" if i in (0, 1, 5) else "right")
    for row in result.days.itertuples(index=False):
        table.add_row(
            row.queue,
            f"{pd.Timestamp(row.day):%a %d}",
            f"{row.offered:,.0f}",
            "-" if pd.isna(row.service_level) else f"{row.service_level:.1%}",
            "-" if pd.isna(row.p_meet_target) else f"{row.p_meet_target:.0%}",
            row.worst_intervals or "-",
        )
    console.print(table)
    console.print(f"targets: {targets}", markup=False, soft_wrap=True)
    console.print(
        "SL: mean over replications; P(day): share of replications whose day reaches the "
        "target; worst intervals: local start and the share of replications meeting it there",
        markup=False,
        soft_wrap=True,
    )


def _target_time(spec) -> str:
    if spec.is_live:
        return f"{spec.answer_seconds:g} s"
    return f"{spec.response_hours:g} h"
