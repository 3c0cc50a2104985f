"""Forecast volume and handle time per queue on a future UTC grid."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.calendar import check_timezone, holiday_calendar, local_frame
from forecasting.columns import (
    AHT_SECONDS,
    EVENT_KIND,
    EVENT_NAME,
    EVENT_UPLIFT,
    EVENTS,
    FORECAST_COLUMNS,
    INTERVAL_START,
    QUEUE,
    VOLUME,
    VOLUME_HIGH,
    VOLUME_LOW,
)
from forecasting.errors import InputError
from forecasting.events import active_names, events_for_queue, given_uplift, normalize_events
from forecasting.history import check_interval, validate_counts
from forecasting.models import MODELS, QueueContext, SeasonalRegression

AHT_RECENT_DAYS = 56
AHT_PRIOR_CONTACTS = 30.0  # shrink a slot's mean AHT toward the queue mean by this weight


@dataclass(frozen=True)
class ForecastResult:
    """A forecast and what the run learned and noticed.

    Attributes:
        forecast: the forecast contract: `interval_start` (UTC), `queue`, `volume`,
            `volume_low`, `volume_high` (contacts per interval), `aht_seconds`
            (seconds), `events` (";"-joined names of events and holidays).
        effects: learned event effects: `queue`, `kind`, `offset_days`, `uplift`.
        warnings: human-readable notes for the person running the forecast.
    """

    forecast: pd.DataFrame
    effects: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def forecast_volume(
    history: pd.DataFrame,
    *,
    horizon: int,
    interval_minutes: int,
    timezones: Mapping[str, str] | None = None,
    default_aht: Mapping[str, float] | None = None,
    level: float = 0.8,
    events: pd.DataFrame | None = None,
    country: str | None = None,
    subdivision: str | None = None,
    model: str = SeasonalRegression.name,
    on_queue: Callable[[str], None] | None = None,
) -> ForecastResult:
    """Forecast each queue for `horizon` intervals after its history ends.

    Args:
        history: complete grid of counts (forecasting.history.complete_grid):
            `interval_start` (UTC), `queue`, `volume`, optional `aht_seconds`.
        horizon: number of future intervals, >= 1.
        interval_minutes: 15, 30 or 60.
        timezones: queue -> IANA zone of its customers (default UTC).
        default_aht: queue -> handle time in seconds where history has none.
        level: share of outcomes volume_low..volume_high should cover, 0-1.
        events: normalized or raw events frame (forecasting.events), or None.
        country, subdivision: public-holiday calendar (holidays library codes).
        model: a name in forecasting.models.MODELS.
        on_queue: called with each queue's name after it is forecast (progress).

    Returns:
        ForecastResult; the forecast is sorted by queue then interval_start.
    """
    check_interval(interval_minutes)
    validate_counts(history, interval_minutes=interval_minutes)
    if horizon < 1:
        raise InputError(f"horizon must be at least one interval, got {horizon}")
    if not 0 < level < 1:
        raise InputError(f"forecast.level must be between 0 and 1 (exclusive), got {level}")
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; choose one of {', '.join(sorted(MODELS))}")
    timezones = dict(timezones or {})
    default_aht = dict(default_aht or {})
    events = normalize_events(events)
    starts = history[INTERVAL_START].dt.tz_convert("UTC")
    grid = pd.date_range(
        starts.max() + pd.Timedelta(minutes=interval_minutes),
        periods=horizon,
        freq=f"{interval_minutes}min",
    )
    years = range(starts.min().year - 1, grid[-1].year + 2)
    holidays = holiday_calendar(country, subdivision=subdivision, years=years)
    notes = _event_notes(events, history_start=starts.min(), queues=history[QUEUE])

    frames, effects = [], []
    for queue, part in history.groupby(QUEUE, sort=True):
        queue = str(queue)
        zone = timezones.get(queue, "UTC")
        check_timezone(zone, where=f"queue {queue!r}: timezone")
        context = QueueContext(
            queue=queue,
            timezone=zone,
            interval_minutes=interval_minutes,
            holidays=holidays,
            events=events_for_queue(events, queue),
        )
        part = part.sort_values(INTERVAL_START)
        fitted = MODELS[model]().fit(part, context)
        predicted = fitted.predict(grid, level=level)
        factor = given_uplift(context.events, grid)
        frame = pd.DataFrame(
            {
                INTERVAL_START: grid,
                QUEUE: queue,
                VOLUME: predicted[VOLUME].to_numpy() * factor,
                VOLUME_LOW: predicted[VOLUME_LOW].to_numpy() * factor,
                VOLUME_HIGH: predicted[VOLUME_HIGH].to_numpy() * factor,
                AHT_SECONDS: forecast_aht(part, grid, context, default_aht.get(queue)),
                EVENTS: _labels(context, grid, holidays),
            }
        )
        frames.append(frame)
        learned = getattr(fitted, "effects", None)
        if learned is not None and len(learned):
            effects.append(learned.assign(queue=queue))
        notes += _unlearned_notes(context.events, grid, learned, queue)
        if on_queue is not None:
            on_queue(queue)
    forecast = pd.concat(frames, ignore_index=True)[list(FORECAST_COLUMNS)]
    effect_frame = (
        pd.concat(effects, ignore_index=True)[["queue", "kind", "offset_days", "uplift"]]
        if effects
        else pd.DataFrame(columns=["queue", "kind", "offset_days", "uplift"])
    )
    return ForecastResult(forecast=forecast, effects=effect_frame, warnings=notes)


def forecast_aht(
    history: pd.DataFrame,
    grid: pd.DatetimeIndex,
    context: QueueContext,
    default_seconds: float | None,
) -> np.ndarray:
    """Handle time per future interval, seconds.

    From history (when it has `aht_seconds`): the volume-weighted mean of the
    latest eight weeks per local (weekday, slot), shrunk toward the queue's mean
    by AHT_PRIOR_CONTACTS contacts so that quiet slots do not swing. Otherwise the
    configured `default_seconds` (NaN when none is configured).
    """
    fallback = np.nan if default_seconds is None else float(default_seconds)
    if AHT_SECONDS not in history.columns or history[AHT_SECONDS].notna().sum() == 0:
        return np.full(len(grid), fallback)
    recent_start = history[INTERVAL_START].max() - pd.Timedelta(days=AHT_RECENT_DAYS)
    recent = history[(history[INTERVAL_START] > recent_start) & history[AHT_SECONDS].notna()]
    cal = local_frame(
        recent[INTERVAL_START],
        timezone=context.timezone,
        interval_minutes=context.interval_minutes,
    )
    weight = recent[VOLUME].to_numpy(float)
    work = weight * recent[AHT_SECONDS].to_numpy(float)
    if weight.sum() == 0:
        return np.full(len(grid), fallback)
    overall = work.sum() / weight.sum()
    keyed = pd.DataFrame({"weekday": cal["weekday"], "slot": cal["slot"], "w": weight, "x": work})
    sums = keyed.groupby(["weekday", "slot"])[["w", "x"]].sum()
    slot_aht = (sums["x"] + AHT_PRIOR_CONTACTS * overall) / (sums["w"] + AHT_PRIOR_CONTACTS)
    future = local_frame(grid, timezone=context.timezone, interval_minutes=context.interval_minutes)
    index = pd.MultiIndex.from_arrays([future["weekday"], future["slot"]])
    return slot_aht.reindex(index).fillna(overall).to_numpy()


def _labels(context: QueueContext, grid: pd.DatetimeIndex, holidays: dict) -> list[str]:
    names = active_names(context.events, grid)
    local = local_frame(grid, timezone=context.timezone, interval_minutes=context.interval_minutes)
    for i, day in enumerate(local["local_date"]):
        name = holidays.get(day.date())
        if name:
            names[i].append(name)
    return [";".join(n) for n in names]


def _event_notes(
    events: pd.DataFrame, *, history_start: pd.Timestamp, queues: pd.Series
) -> list[str]:
    known = set(queues.astype(str))
    notes = []
    for row in events.itertuples(index=False):
        listed = [q.strip() for q in str(row.queues).split(";") if q.strip()]
        unknown = sorted(set(listed) - known)
        if unknown:
            raise InputError(
                f"event {getattr(row, EVENT_NAME)!r}: queues {', '.join(unknown)} are not in "
                f"the history (queues there: {', '.join(sorted(known))})"
            )
        if row.end <= history_start:
            notes.append(
                f"event {getattr(row, EVENT_NAME)!r} ends before the history starts; ignored"
            )
    return notes


def _unlearned_notes(
    events: pd.DataFrame, grid: pd.DatetimeIndex, learned: pd.DataFrame | None, queue: str
) -> list[str]:
    kinds = set() if learned is None or learned.empty else set(learned["kind"])
    notes = []
    for row in events.itertuples(index=False):
        in_horizon = row.end > grid[0] and row.start <= grid[-1]
        if (
            in_horizon
            and np.isnan(getattr(row, EVENT_UPLIFT))
            and getattr(row, EVENT_KIND) not in kinds
        ):
            notes.append(
                f"queue {queue!r}: event {getattr(row, EVENT_NAME)!r} has no uplift and no past "
                f"event of kind {getattr(row, EVENT_KIND)!r} to learn from; forecast without it "
                "(give an uplift in events.csv)"
            )
    return notes
