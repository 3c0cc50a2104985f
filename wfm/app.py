"""The three stages as application steps: read files, call the libraries.

Each function returns frames and results; the CLI decides where they go.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecasting.backtest import BacktestResult, backtest
from forecasting.calendar import check_timezone
from forecasting.forecast import ForecastResult, forecast_volume
from forecasting.history import aggregate_contacts, complete_grid
from scheduling.shifts.planner import ScheduleResult, schedule_requirements
from scheduling.staffing.requirements import staff_requirements
from wfm import options, readers
from wfm.config import Config
from wfm.errors import WfmError


@dataclass(frozen=True)
class ForecastRequest:
    """What `wfm forecast` was asked for, after options override the config."""

    history: Path
    horizon: str = "6w"
    events: Path | None = None
    interval_minutes: int | None = None
    tz: str | None = None
    model: str | None = None
    country: str | None = None
    level: float | None = None
    time_col: str | None = None
    queue_col: str | None = None
    handle_time_col: str | None = None
    notes: list[str] = field(default_factory=list)
    growth: float = 0.0
    deflection: float = 0.0
    workers: int | None = None


def run_forecast(
    request: ForecastRequest, config: Config, *, on_queue: Callable[[str], None] | None = None
) -> ForecastResult:
    """History file (+ events) -> forecast."""
    history, interval, tz = load_history(request, config)
    events = readers.read_events(request.events, tz=tz) if request.events else None
    horizon = options.parse_horizon(request.horizon, interval_minutes=interval)
    settings = config.forecast
    result = forecast_volume(
        history,
        horizon=horizon,
        interval_minutes=interval,
        timezones=queue_clocks(history, config, tz, explicit=request.tz is not None),
        default_aht=config.queue_aht(),
        level=request.level if request.level is not None else settings.level,
        events=events,
        country=request.country or settings.country,
        subdivision=settings.subdivision,
        model=request.model or settings.model,
        growth=request.growth,
        deflection=request.deflection,
        on_queue=on_queue,
        workers=worker_count(request.workers),
        holiday_categories=settings.holiday_categories,
        closed_holidays=settings.closed_holidays,
    )
    _unconfigured_note(history, config, result.warnings)
    return result


def load_history(
    request: ForecastRequest | BacktestRequest, config: Config
) -> tuple[pd.DataFrame, int, str]:
    """The history file of a forecast or backtest request on the UTC grid.

    Returns:
        (history, interval_minutes, tz): counts files keep intervals they leave out
        as NaN, for the forecaster to tell closed hours from gaps.
    """
    interval = request.interval_minutes or config.interval_minutes
    if interval not in (15, 30, 60):
        raise WfmError(f"--interval: expected 15, 30 or 60 minutes, got {interval}")
    tz = request.tz or config.timezone
    check_timezone(tz, where="--tz" if request.tz else f"{config.source}: timezone")
    settings = config.forecast
    default_queue = next(iter(config.queues)) if len(config.queues) == 1 else readers.DEFAULT_QUEUE
    frame, kind = readers.read_history(
        request.history,
        tz=tz,
        time_col=request.time_col or settings.time_column,
        queue_col=request.queue_col or settings.queue_column,
        handle_col=request.handle_time_col or settings.handle_time_column,
        default_queue=default_queue,
    )
    if kind == "contacts":
        return aggregate_contacts(frame, interval_minutes=interval), interval, tz
    if frame["interval_start"].ne(frame["interval_start"].dt.floor(f"{interval}min")).any():
        raise WfmError(
            f"{request.history}: interval_start values are not on the {interval}-minute "
            "grid; pass the matching --interval"
        )
    return complete_grid(frame, interval_minutes=interval, missing="nan"), interval, tz


def worker_count(workers: int | None) -> int:
    """--workers, or every core when not given; WfmError below 1."""
    if workers is None:
        return max(1, os.cpu_count() or 1)
    if workers < 1:
        raise WfmError(f"--workers: expected 1 or more processes, got {workers}")
    return workers


def queue_clocks(
    history: pd.DataFrame, config: Config, tz: str, *, explicit: bool
) -> dict[str, str]:
    """The local clock of every queue in the history.

    A queue that names its own timezone in the config keeps it; every other
    queue runs on `tz` (--tz, else the config's top-level timezone), so the
    model never works on UTC days unless the user asked for UTC.
    """
    configured = config.queue_timezones()
    clocks = {}
    for queue in sorted(set(history["queue"].astype(str))):
        zone = configured.get(queue, tz)
        if explicit and queue in configured and zone == config.timezone:
            zone = tz  # the queue inherited the top-level zone: --tz overrides it
        clocks[queue] = zone
    return clocks


def _unconfigured_note(history: pd.DataFrame, config: Config, notes: list[str]) -> None:
    unconfigured = sorted(set(history["queue"]) - set(config.queues))
    if config.queues and unconfigured:
        notes.append(
            f"queues {', '.join(unconfigured)} are not in {config.source}: their seasonality "
            "is read on the --tz / top-level clock and `wfm staff` will refuse them; add "
            "[queues.NAME] tables"
        )


@dataclass(frozen=True)
class BacktestRequest(ForecastRequest):
    """What `wfm backtest` was asked for: a forecast request plus its cut-offs.

    `horizon` is how far each cut-off forecasts; `step` the spacing of cut-offs
    (default: the horizon).
    """

    horizon: str = "2w"
    origins: int = 4
    step: str | None = None


def run_backtest(
    request: BacktestRequest,
    config: Config,
    *,
    on_origin: Callable[[pd.Timestamp], None] | None = None,
) -> BacktestResult:
    """History file (+ events) -> accuracy of the model and baselines at past cut-offs."""
    history, interval, tz = load_history(request, config)
    events = readers.read_events(request.events, tz=tz) if request.events else None
    horizon = options.parse_horizon(request.horizon, interval_minutes=interval)
    step = None
    if request.step is not None:
        try:
            step = options.parse_horizon(request.step, interval_minutes=interval)
        except WfmError:
            raise WfmError(
                f"--step: expected a duration such as 1w or 14d, got {request.step!r}"
            ) from None
    if request.origins < 1:
        raise WfmError(f"--origins: expected at least 1, got {request.origins}")
    settings = config.forecast
    result = backtest(
        history,
        horizon=horizon,
        interval_minutes=interval,
        origins=request.origins,
        step=step,
        model=request.model or settings.model,
        timezones=queue_clocks(history, config, tz, explicit=request.tz is not None),
        default_aht=config.queue_aht(),
        level=request.level if request.level is not None else settings.level,
        events=events,
        country=request.country or settings.country,
        subdivision=settings.subdivision,
        on_origin=on_origin,
        workers=worker_count(request.workers),
    )
    _unconfigured_note(history, config, result.warnings)
    return result


def run_staff(forecast: pd.DataFrame, config: Config, *, use_high: bool = False) -> pd.DataFrame:
    """Forecast frame -> requirements frame."""
    if not config.queues:
        raise WfmError(
            f"{config.source}: no [queues.NAME] tables; `wfm staff` needs --config "
            "with the queues' service targets"
        )
    column = "volume_high" if use_high else "volume"
    if column not in forecast.columns:
        raise WfmError(
            "the forecast has no volume_high column; drop --use-high or re-run `wfm forecast`"
        )
    return staff_requirements(
        forecast, config.queues, interval_minutes=config.interval_minutes, volume_column=column
    )


def run_schedule(
    requirements: pd.DataFrame,
    config: Config,
    *,
    roster: Path | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    solver: str | None = None,
    node_limit: int | None = None,
) -> ScheduleResult:
    """Requirements frame (+ roster file) -> schedule, coverage and solve report."""
    if not config.sites:
        raise WfmError(f"{config.source}: no [[sites]]; `wfm schedule` needs at least one site")
    options = config.scheduling
    overrides = {
        key: value
        for key, value in (
            ("time_limit_seconds", time_limit),
            ("gap", gap),
            ("solver", solver),
            ("node_limit", node_limit),
        )
        if value is not None
    }
    if overrides:
        options = type(options)(**{**options.__dict__, **overrides})
    roster_frame = (
        readers.read_roster(roster, sites=[s.name for s in config.sites]) if roster else None
    )
    return schedule_requirements(
        requirements, sites=list(config.sites), options=options, roster=roster_frame
    )
