"""The three stages as application steps: read files, call the libraries.

Each function returns frames and results; the CLI decides where they go.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.backtest import BacktestResult, backtest
from forecasting.calendar import check_timezone
from forecasting.errors import ForecastingError
from forecasting.forecast import ForecastResult, forecast_volume
from forecasting.history import aggregate_contacts, complete_grid
from scheduling.errors import FieldError, InputError
from scheduling.shifts.agents import agent_summary
from scheduling.shifts.demand import requirement_table
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import ScheduleResult
from scheduling.shifts.roster import Agent, roster_agents
from scheduling.shifts.siteweeks import carry_conflicts, previous_weeks, sites_in_week
from scheduling.shifts.weeks import MAX_WEEKS, Relaxed, WeekDone, schedule_horizon
from scheduling.solver import interruptible, solver_log
from scheduling.staffing.queues import QueueSpec
from scheduling.staffing.requirements import staff_interval, staff_requirements
from wfm import readers, sanity, writers
from wfm.config import Config, ForecastSettings
from wfm.errors import WfmError
from wfm.options import HistoryOptions, parse_horizon
from wfm.timestamps import check_date_format


@dataclass(frozen=True)
class ForecastRequest:
    """What `wfm forecast` (or plan) was asked for; `options` override the config.

    `growth` and `deflection` are a what-if: extra volume and the share of contacts
    automation answers (0-1).
    """

    history: Path
    horizon: str = "6w"
    options: HistoryOptions = field(default_factory=HistoryOptions)
    growth: float = 0.0
    deflection: float = 0.0


@dataclass(frozen=True)
class BacktestRequest:
    """What `wfm backtest` was asked for: `horizon` is how far each cut-off forecasts,
    `step` the spacing of cut-offs (default: the horizon)."""

    history: Path
    horizon: str = "2w"
    options: HistoryOptions = field(default_factory=HistoryOptions)
    origins: int = 4
    step: str | None = None


def run_forecast(
    request: ForecastRequest, config: Config, *, on_queue: Callable[[str], None] | None = None
) -> ForecastResult:
    """History file (+ events) -> forecast."""
    notes: list[str] = []
    history, model = _history_and_model(request, config, notes=notes)
    with _named_settings(config, request.options):
        result = forecast_volume(
            history,
            horizon=parse_horizon(request.horizon, interval_minutes=model["interval_minutes"]),
            growth=request.growth,
            deflection=request.deflection,
            on_queue=on_queue,
            holiday_categories=config.forecast.holiday_categories,
            closed_holidays=config.forecast.closed_holidays,
            open_holidays=config.forecast.open_holidays,
            **model,
        )
    result.warnings[:0] = notes
    far = sanity.forecast_far_from_history(
        history, result.forecast, interval_minutes=model["interval_minutes"]
    )
    if far:
        result.warnings.append(far)
    _unconfigured_note(history, config, result.warnings)
    return result


def run_backtest(
    request: BacktestRequest,
    config: Config,
    *,
    on_origin: Callable[[pd.Timestamp], None] | None = None,
) -> BacktestResult:
    """History file (+ events) -> accuracy of the model and baselines at past cut-offs."""
    if request.origins < 1:
        raise WfmError(f"--origins: expected at least 1, got {request.origins}")
    notes: list[str] = []
    history, model = _history_and_model(request, config, notes=notes)
    interval = model["interval_minutes"]
    step = None
    if request.step is not None:
        step = parse_horizon(request.step, interval_minutes=interval, option="--step")
    with _named_settings(config, request.options):
        result = backtest(
            history,
            horizon=parse_horizon(request.horizon, interval_minutes=interval),
            origins=request.origins,
            step=step,
            on_origin=on_origin,
            holiday_categories=config.forecast.holiday_categories,
            closed_holidays=config.forecast.closed_holidays,
            open_holidays=config.forecast.open_holidays,
            **model,
        )
    result.warnings[:0] = notes
    _unconfigured_note(history, config, result.warnings)
    return result


@contextlib.contextmanager
def _named_settings(config: Config, options: HistoryOptions):
    """Errors about `forecast.FIELD` name where it was set: --country, or the config file."""
    try:
        yield
    except ForecastingError as e:
        message = str(e)
        if not message.startswith("forecast."):
            raise
        if message.startswith("forecast.country") and options.country:
            raise WfmError(message.replace("forecast.country", "--country", 1)) from None
        raise WfmError(f"{config.source}: {message}") from None


def _history_and_model(
    request: ForecastRequest | BacktestRequest, config: Config, *, notes: list[str]
) -> tuple[pd.DataFrame, dict]:
    """The request's history on the UTC grid, and the model settings forecast and
    backtest share (interval, clocks, AHT, workers, level, events, holidays, model)."""
    history, interval, tz = load_history(request, config, notes=notes)
    options, settings = request.options, config.forecast
    date_format = _date_format(options, settings)
    if settings.subdivision and not (options.country or settings.country):
        raise WfmError(
            f"{config.source}: forecast.subdivision {settings.subdivision!r} needs a country: "
            'set forecast.country (e.g. "US") or pass --country'
        )
    model = {
        "interval_minutes": interval,
        "timezones": queue_clocks(history, config, tz, explicit=options.tz is not None),
        "default_aht": config.queue_aht(),
        "workers": worker_count(options.workers),
        "level": options.level if options.level is not None else settings.level,
        "events": (
            _checked_events(
                readers.read_events(options.events, tz=tz, date_format=date_format),
                history,
                options.events,
            )
            if options.events
            else None
        ),
        "country": options.country or settings.country,
        "subdivision": settings.subdivision,
        "model": options.model or settings.model,
    }
    return history, model


def _checked_events(events: pd.DataFrame, history: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Every queue an event names is a queue of the history (named by file and row)."""
    known = set(history["queue"].astype(str))
    for row, cell in events["queues"].items():  # "" for every queue (read_events)
        listed = [q.strip() for q in cell.split(";") if q.strip()]
        unknown = sorted(set(listed) - known)
        if unknown:
            raise WfmError(
                f"{path}: row {row + 2}: event {events.at[row, 'name']!r}: queue "
                f"{', '.join(map(repr, unknown))} is not in the history (its queues: "
                f"{', '.join(sorted(known))}); correct the name or leave queues empty"
            )
    return events


def _date_format(options: HistoryOptions, settings: ForecastSettings) -> str | None:
    if options.date_format is not None:
        return check_date_format(options.date_format)
    return check_date_format(settings.date_format, where="forecast.date_format")


def load_history(
    request: ForecastRequest | BacktestRequest,
    config: Config,
    *,
    notes: list[str] | None = None,
) -> tuple[pd.DataFrame, int, str]:
    """The history file of a forecast or backtest request on the UTC grid.

    Rows far from the rest of the history are dropped (wfm.sanity), with a
    warning appended to `notes`.

    Returns:
        (history, interval_minutes, tz): counts files keep intervals they leave out
        as NaN, for the forecaster to tell closed hours from gaps.
    """
    options = request.options
    interval = options.interval or config.interval_minutes
    if interval not in (15, 30, 60):
        raise WfmError(f"--interval: expected 15, 30 or 60 minutes, got {interval}")
    tz = options.tz or config.timezone
    check_timezone(tz, where="--tz" if options.tz else f"{config.source}: timezone")
    settings = config.forecast
    default_queue = next(iter(config.queues)) if len(config.queues) == 1 else readers.DEFAULT_QUEUE
    frame, kind = readers.read_history(
        request.history,
        tz=tz,
        time_col=options.time_col or settings.time_column,
        queue_col=options.queue_col or settings.queue_column,
        handle_col=options.handle_time_col or settings.handle_time_column,
        default_queue=default_queue,
        date_format=_date_format(options, settings),
    )
    time_column = "created_at" if kind == "contacts" else "interval_start"
    keep, dropped = sanity.drop_stray_rows(frame[time_column], path=request.history)
    frame = frame[keep]
    if notes is not None:
        notes.extend(dropped)
    if kind == "contacts":
        return aggregate_contacts(frame, interval_minutes=interval), interval, tz
    starts = frame["interval_start"]
    if starts.ne(starts.dt.floor(f"{interval}min")).any():
        raise WfmError(f"{request.history}: {_off_grid_advice(starts, interval)}")
    frame = _coarser_counts(frame, interval, request.history, notes)
    return complete_grid(frame, interval_minutes=interval, missing="nan"), interval, tz


def _counts_step(starts: pd.Series, interval: int) -> tuple[int, int] | None:
    """(minutes, phase): the coarsest of 60 and 30 minutes, coarser than `interval`,
    that every start is a whole number of steps from, and how many minutes past
    UTC's own grid of that step they lie (30 for hourly counts of a zone such as
    Asia/Kolkata, UTC+05:30); None when there is none."""
    for coarser in (60, 30):
        past = (starts - starts.dt.floor(f"{coarser}min")).dt.total_seconds() // 60
        if coarser > interval and past.nunique() == 1:
            return coarser, int(past.iloc[0])
    return None


def _off_grid_advice(starts: pd.Series, interval: int) -> str:
    """Why counts are not on the `interval` grid and what to pass."""
    for finer in (30, 15):
        if finer < interval and starts.eq(starts.dt.floor(f"{finer}min")).all():
            step = _counts_step(starts, finer)
            if step is not None and step[1] and step[0] == interval:
                return (
                    f"interval_start values are {interval}-minute counts {step[1]} minutes "
                    f"off UTC's {interval}-minute grid (a zone whose offset is not whole "
                    f"hours), and wfm's {interval}-minute intervals are UTC's; pass "
                    f"--interval {finer}: each count is then spread evenly over its "
                    f"{interval // finer} intervals"
                )
    off = starts[starts.ne(starts.dt.floor(f"{interval}min"))]
    return (
        f"interval_start values are not on the {interval}-minute grid (row {off.index[0] + 2}: "
        f"{off.iloc[0]:%Y-%m-%d %H:%M} UTC; {len(off):,} such row{'s' * (len(off) > 1)}); "
        "pass the matching "
        "--interval"
    )


def _coarser_counts(
    frame: pd.DataFrame, interval: int, path: Path, notes: list[str] | None
) -> pd.DataFrame:
    """Counts of a coarser step than `interval`: refused where that step is UTC's own
    grid (pass it: read finer, each hour's volume would sit in its first quarter
    and the other three look closed); spread evenly over its `interval`s where it
    is not (a half-hour zone's hours cannot be planned hourly on UTC's grid)."""
    step = _counts_step(frame["interval_start"], interval)
    if step is None:
        return frame
    coarser, past = step
    if not past:
        raise WfmError(
            f"{path}: every interval_start is on the {coarser}-minute grid, so these "
            f"are {coarser}-minute counts, coarser than interval_minutes {interval}; "
            f"pass --interval {coarser} (or set interval_minutes = {coarser}), or "
            f"export counts per {interval} minutes"
        )
    parts = coarser // interval
    if notes is not None:
        notes.append(
            f"{path}: {coarser}-minute counts {past} minutes off UTC's {coarser}-minute "
            f"grid (a zone whose offset is not whole hours): each is spread evenly over "
            f"its {parts} {interval}-minute intervals"
        )
    spread = [
        frame.assign(
            interval_start=frame["interval_start"] + pd.Timedelta(minutes=k * interval),
            volume=frame["volume"] / parts,
        )
        for k in range(parts)
    ]
    return pd.concat(spread).sort_values(["queue", "interval_start"], kind="stable")


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


def run_staff(
    forecast: pd.DataFrame, config: Config, *, use_high: bool = False, source: Path | None = None
) -> pd.DataFrame:
    """Forecast frame -> requirements frame; errors in it name `source` (the file)."""
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
    _check_forecast_interval(forecast, config.interval_minutes, source)
    try:
        return staff_requirements(
            forecast, config.queues, interval_minutes=config.interval_minutes, volume_column=column
        )
    except InputError as e:
        if source is None:
            raise
        raise WfmError(f"{source}: {str(e).removeprefix('forecast: ')}") from None


def _check_forecast_interval(
    forecast: pd.DataFrame, interval_minutes: int, source: Path | None
) -> None:
    """Refuse a forecast whose rows are not the interval apart: further apart, each
    row's volume would be staffed as if it came in one interval (an hourly
    forecast read at 30 minutes needs twice the agents it should); closer, the
    forecast was made at a finer interval than the one asked for."""
    if "interval_start" not in forecast.columns or "queue" not in forecast.columns:
        return  # the library names the missing column
    times = pd.to_datetime(forecast["interval_start"], utc=True, errors="coerce")
    steps = [_smallest_step(t) for _, t in times.groupby(forecast["queue"])]
    known = [step for step in steps if step is not None]
    if not known:
        return
    minutes = min(known)
    valid = minutes in (15, 30, 60)
    if minutes == interval_minutes or (minutes < interval_minutes and not valid):
        return  # the library names the rows off the grid
    where = f"{source}: " if source is not None else "forecast: "
    advice = (
        f"pass --interval {minutes:g} (or set interval_minutes = {minutes:g})"
        if valid
        else "forecast at 15, 30 or 60 minutes (wfm forecast --interval)"
    )
    coarser = (
        f": each row's volume would be staffed as if it came in {interval_minutes} minutes"
        if minutes > interval_minutes
        else ""
    )
    raise WfmError(
        f"{where}the forecast's rows are {minutes:g} minutes apart, but the interval is "
        f"{interval_minutes} minutes{coarser}; {advice}"
    )


def _smallest_step(times: pd.Series) -> float | None:
    """Minutes between the closest two distinct instants of `times`; None for fewer
    than two."""
    steps = pd.Series(times.unique()).sort_values().diff().dropna()
    return steps.min() / pd.Timedelta(minutes=1) if len(steps) else None


def agents_report(
    schedule: pd.DataFrame, requirements: pd.DataFrame, config: Config, roster: Path
) -> pd.DataFrame:
    """Every roster agent's shifts and paid hours a week against the contract."""
    frame = readers.read_roster(roster, sites=[s.name for s in config.sites])
    agents = checked_roster(roster, frame, config, config.scheduling)
    starts = pd.to_datetime(requirements["interval_start"], utc=True)
    horizon = (starts.min(), starts.max() + pd.Timedelta(minutes=config.interval_minutes))
    zones = {site.name: site.timezone for site in config.sites}
    weeks = week_layout(requirements, config)
    return agent_summary(
        schedule,
        agents,
        horizon=horizon,
        timezones=zones,
        weekday=weeks["week_start_day"],
        first_days=weeks["first_week_days"],
    )


def week_layout(requirements: pd.DataFrame, config: Config) -> dict[str, int | None]:
    """`week_start_day` and `first_week_days` of the run: every site's weeks start on
    `[scheduling] week_starts`, else on the horizon's first weekday, in the config's
    time zone; the first week holds the horizon's days up to the next such weekday."""
    first = pd.to_datetime(requirements["interval_start"], utc=True).min()
    if pd.isna(first):
        return {"week_start_day": config.scheduling.week_start_day, "first_week_days": 7}
    opening = int(first.tz_convert(config.timezone).weekday())
    weekday = config.scheduling.week_start_day
    if weekday is None:
        return {"week_start_day": opening, "first_week_days": 7}
    return {"week_start_day": weekday, "first_week_days": (weekday - opening) % 7 or 7}


@dataclass(frozen=True)
class PlanResult:
    """The three stages of `wfm plan`, each output as the file text it writes."""

    forecast: ForecastResult
    forecast_csv: str
    requirements: pd.DataFrame
    requirements_csv: str
    scheduled: ScheduleResult


def run_plan(
    request: ForecastRequest,
    config: Config,
    *,
    roster: Path | None = None,
    log_path: Path | None = None,
    on_stage: Callable[[], None] | None = None,
    previous: Path | None = None,
    force: bool = False,
    progress: Callable[[WeekDone | Relaxed], None] | None = None,
) -> PlanResult:
    """Forecast, staff and schedule, each stage reading the previous one's file text.

    Each stage reads what the previous one writes (numbers to 4 decimals), as the
    stage-by-stage commands do, so `wfm plan` and forecast | staff | schedule give
    the same schedule.
    """
    step = on_stage or (lambda: None)
    result = run_forecast(request, config)
    forecast_csv = writers.csv_text(result.forecast)
    step()
    forecast = _reread(forecast_csv, readers.read_forecast, config)
    requirements = run_staff(forecast, config)
    requirements_csv = writers.csv_text(requirements)
    step()
    needed = _reread(requirements_csv, readers.read_requirements, config)
    scheduled = run_schedule(
        needed,
        config,
        roster=roster,
        log_path=log_path,
        previous=previous,
        force=force,
        progress=progress,
    )
    step()
    return PlanResult(result, forecast_csv, requirements, requirements_csv, scheduled)


def _reread(text: str, reader: Callable[..., pd.DataFrame], config: Config) -> pd.DataFrame:
    """`text` through a file reader, as a later command would read the file."""
    with tempfile.TemporaryDirectory(prefix="wfm-plan-") as folder:
        path = Path(folder) / "stage.csv"
        path.write_text(text, encoding="utf-8")
        return reader(path, tz=config.timezone)


def run_schedule(
    requirements: pd.DataFrame,
    config: Config,
    *,
    roster: Path | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    solver: str | None = None,
    node_limit: int | None = None,
    log_path: Path | None = None,
    previous: Path | None = None,
    force: bool = False,
    progress: Callable[[WeekDone | Relaxed], None] | None = None,
) -> ScheduleResult:
    """Requirements frame (+ roster file) -> schedule, coverage and solve report.

    `log_path` receives the solvers' own logs (appended); nothing reaches stdout.
    `previous` is the schedule before the horizon (its rest, days off in a row
    and the days and hours of each site's first week carry over:
    `schedule_horizon`); `force` lets a horizon run past `MAX_WEEKS`.
    """
    check_horizon(requirements, config.interval_minutes, force=force, tz=config.timezone)
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
    overrides.update(week_layout(requirements, config))
    if overrides:
        options = type(options)(**{**options.__dict__, **overrides})
    roster_frame = None
    if roster is not None:
        roster_frame = readers.read_roster(roster, sites=[s.name for s in config.sites])
        checked_roster(roster, roster_frame, config, options)
    before = None
    if previous is not None:
        before = previous_shifts(previous, roster_frame, config, requirements)
        check_first_weeks(previous, before, roster_frame, config, options, requirements)
    with solver_log(log_path), interruptible():
        return schedule_horizon(
            requirements,
            sites=list(config.sites),
            options=options,
            roster=roster_frame,
            previous=before,
            progress=progress,
        )


def checked_roster(
    path: Path, frame: pd.DataFrame, config: Config, options: ScheduleOptions
) -> list[Agent]:
    """The roster's agents (`roster_agents`); a bad row is one line naming the file
    and its row (the header is row 1)."""
    try:
        return roster_agents(frame, sites=list(config.sites), options=options)
    except InputError as e:  # "roster row N: ..." counts the rows after the header
        message = str(e).removeprefix("roster: ")
        found = re.match(r"roster row (\d+): ", message)
        if found:
            message = f"row {int(found.group(1)) + 1}: " + message[found.end() :]
        raise WfmError(f"{path}: {message}") from None


def check_plan_horizon(horizon: str, *, force: bool) -> None:
    """`wfm plan --horizon` up front: whole days, at most `MAX_WEEKS` weeks without --force."""
    hours = parse_horizon(horizon, interval_minutes=60)
    if hours % 24:
        raise WfmError(
            f"--horizon: {horizon.strip()} is not a whole number of days; schedules cover "
            "whole days (e.g. 7d or 2w)"
        )
    if hours > MAX_WEEKS * 168 and not force:
        raise WfmError(
            f"--horizon: {horizon.strip()} is more than {MAX_WEEKS} weeks; wfm schedules a week "
            f"at a time, so it would take about {math.ceil(hours / 168)} times as long as a "
            "one-week plan; pass --force to go ahead"
        )


def check_requirements_file(
    path: Path, requirements: pd.DataFrame, config: Config, *, force: bool
) -> None:
    """A requirements file fit to schedule, or one line naming the file (and the row
    of an interval off the grid)."""
    times = pd.to_datetime(requirements["interval_start"], utc=True)
    off = np.flatnonzero(times.ne(times.dt.floor(f"{config.interval_minutes}min")).to_numpy())
    if 0 < len(off) < len(times) - len(off):
        raise WfmError(
            f"{path}: row {int(off[0]) + 2}: interval_start "
            f"{requirements['interval_start'].iloc[off[0]]} is not on the "
            f"{config.interval_minutes}-minute grid of the other rows ({len(off)} row(s) "
            "off it); correct or drop it"
        )
    try:
        check_horizon(requirements, config.interval_minutes, force=force, tz=config.timezone)
        requirement_table(requirements, options=config.scheduling, sites=config.sites)
    except (WfmError, InputError) as e:
        raise WfmError(f"{path}: {str(e).removeprefix('requirements: ')}") from None


def check_horizon(
    requirements: pd.DataFrame, interval_minutes: int, *, force: bool, tz: str = "UTC"
) -> None:
    """Refuse requirements on another interval than the config's, a horizon of part
    days (days of 24 hours: whole local days of `tz` across a clock change are
    refused with that said), or one past `MAX_WEEKS` weeks without `force`."""
    times = pd.to_datetime(requirements["interval_start"], utc=True)
    found = _smallest_step(times)
    if found is not None and found != interval_minutes:
        if found not in (15, 30, 60):
            raise WfmError(
                f"requirements: the rows are at least {found:g} minutes apart, but intervals "
                f"are 15, 30 or 60 minutes (the config's: {interval_minutes}); give a row for "
                "every interval (agents 0 where none are needed)"
            )
        raise WfmError(
            f"requirements: intervals {found:g} minutes apart, but the config's "
            f"interval_minutes is {interval_minutes}; pass --interval {found:g} (or set "
            f"interval_minutes = {found:g} at the top of the config), or make the "
            "requirements again with this config (wfm staff)"
        )
    span = times.max() - times.min() + pd.Timedelta(minutes=interval_minutes)
    days = span / pd.Timedelta(days=1)
    if abs(days - round(days)) > 1e-9:
        hours = span / pd.Timedelta(hours=1)
        wall = pd.DatetimeIndex([times.min(), times.min() + span]).tz_convert(tz)
        local = (wall[1].tz_localize(None) - wall[0].tz_localize(None)) / pd.Timedelta(days=1)
        if abs(local - round(local)) < 1e-9:
            ends = [times.min() + pd.Timedelta(days=n) for n in (math.floor(days), math.ceil(days))]
            raise WfmError(
                f"requirements: the horizon is {hours:g} hours: {round(local)} local days in "
                f"{tz} across a clock change, but wfm's days are 24 hours; give whole days of "
                f"24 hours, e.g. rows up to {ends[0].isoformat()} or {ends[1].isoformat()} "
                "(not including it)"
            )
        raise WfmError(
            f"requirements: the horizon is {hours:g} hours, not a whole number of days; "
            "schedule whole days of 24 hours (wfm plan: e.g. --horizon 7d or 2w)"
        )
    weeks = days / 7
    if weeks > MAX_WEEKS and not force:
        raise WfmError(
            f"requirements: the horizon is {days:g} days ({weeks:.1f} weeks), more than "
            f"{MAX_WEEKS}; wfm schedules a week at a time, so it would take about "
            f"{math.ceil(weeks)} times as long as a one-week plan; pass --force to go ahead"
        )


def previous_shifts(
    path: Path, roster: pd.DataFrame | None, config: Config, requirements: pd.DataFrame
) -> pd.DataFrame:
    """The roster's shifts before the horizon from `path`, checked: agent, site (the
    agent's roster site where the file has none), start, end (UTC), timezone."""
    if roster is None:
        raise WfmError("--previous: needs --roster (the named agents whose weeks go on)")
    frame = readers.read_schedule(path, tz=config.timezone, sites=[s.name for s in config.sites])
    names = set(roster["agent"])
    strangers = frame.index[~frame["agent"].isin(names)]
    if len(strangers):
        first = strangers[0]
        raise WfmError(
            f"{path}: agent {frame.at[first, 'agent']!r} (row {int(first) + 2}) is not in the "
            "roster; give the schedule of the same roster"
        )
    start = pd.to_datetime(requirements["interval_start"], utc=True).min()
    late = frame.index[frame["end"] > start]
    if len(late):
        first = late[0]
        raise WfmError(
            f"{path}: row {int(first) + 2}: {frame.at[first, 'agent']!r}'s shift ends at "
            f"{frame.at[first, 'end']:%Y-%m-%d %H:%M} UTC, after the horizon starts "
            f"({start:%Y-%m-%d %H:%M} UTC); give only shifts before the horizon"
        )
    zones = {site.name: site.timezone for site in config.sites}
    sites = dict(zip(roster["agent"], roster["site"].astype(str).str.strip(), strict=True))
    given = frame["site"].astype(str).str.strip()
    moved = frame.index[(given != "") & (given != frame["agent"].map(sites))]
    if len(moved):
        first = moved[0]
        name = frame.at[first, "agent"]
        raise WfmError(
            f"{path}: row {int(first) + 2}: {name!r} worked at site {given[first]!r}, but the "
            f"roster has them at {sites[name]!r}; their weeks are counted at the roster's "
            "site: give that site, or drop the site column"
        )
    frame["site"] = given.where(given != "", frame["agent"].map(sites))
    frame["timezone"] = [zones.get(s, config.timezone) for s in frame["site"]]
    return frame


def check_first_weeks(
    path: Path,
    frame: pd.DataFrame,
    roster: pd.DataFrame,
    config: Config,
    options: ScheduleOptions,
    requirements: pd.DataFrame,
) -> None:
    """Refuse a previous schedule (`previous_shifts`) whose shifts before the horizon
    alone break a weekly rule of an agent's first week: no plan could keep it."""
    times = pd.to_datetime(requirements["interval_start"], utc=True)
    horizon = (times.min(), times.max() + pd.Timedelta(minutes=config.interval_minutes))
    first = sites_in_week(config.sites, horizon, 0, options.week_start_day, options.first_week_days)
    _, carried = previous_weeks(frame, first, horizon[0], options)
    agents = roster_agents(roster, sites=config.sites, options=options)
    conflicts = carry_conflicts(carried, agents, first, horizon[0], options)
    if conflicts:
        name = min(conflicts)
        row = int(frame.index[frame["agent"] == name].max()) + 2
        raise WfmError(
            f"{path}: row {row}: agent {name!r}: {conflicts[name]}; correct the previous "
            "schedule or the roster"
        )


def erlang_queue(**fields: float | None) -> QueueSpec:
    """The voice queue `wfm erlang` describes, from its options (None: unset).

    A field out of range is reported under its option's name (--aht-seconds).
    """
    given = {name: value for name, value in fields.items() if value is not None}
    try:
        return QueueSpec(name="erlang", channel="voice", **given)
    except FieldError as e:
        raise _option_error(e) from None


def run_erlang(
    spec: QueueSpec, *, volume: float, interval_minutes: float, agents: int | None
) -> dict[str, float]:
    """One interval through the same staffing models as `wfm staff`."""
    try:
        return staff_interval(spec, volume=volume, interval_minutes=interval_minutes, agents=agents)
    except FieldError as e:
        raise _option_error(e) from None


def _option_error(error: FieldError) -> WfmError:
    """A library field error in the words of the command line: --max-abandonment."""

    def option(name: str) -> str:
        return "--" + name.replace("_", "-")

    problem = error.problem
    for name in QueueSpec.__dataclass_fields__:
        if "_" in name and name in problem:
            problem = problem.replace(name, option(name))
    value = error.value
    shown = f"{value:g}" if isinstance(value, float) else repr(value)
    return WfmError(f"{option(error.field)}: {problem}, got {shown}")
