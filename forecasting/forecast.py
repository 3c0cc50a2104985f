"""Forecast volume and handle time per queue on a future UTC grid.

The steps per queue: leave gaps and outages out of the history, choose and fit
the model on a holdout (forecasting.selection), predict, apply events with a
given uplift, then the what-if scenario (growth, deflection).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.base import ClosedHours, QueueContext, VolumeModel, series
from forecasting.calendar import (
    check_timezone,
    closed_dates,
    day_index,
    day_number,
    default_categories,
    holiday_calendar,
    holiday_kinds,
    local_clock,
    local_frame,
)
from forecasting.columns import (
    AHT_SECONDS,
    BASELINE_VOLUME,
    EVENT_END,
    EVENT_KIND,
    EVENT_NAME,
    EVENT_START,
    EVENT_UPLIFT,
    EVENTS,
    FORECAST_COLUMNS,
    INTERVAL_START,
    QUEUE,
    SCENARIO,
    VOLUME,
    VOLUME_HIGH,
    VOLUME_LOW,
)
from forecasting.errors import InputError
from forecasting.events import (
    active_names,
    declared,
    events_for_queue,
    given_uplift,
    is_outage,
    normalize_events,
    outage_mask,
)
from forecasting.history import check_interval, validate_counts
from forecasting.intervals import nb_interval
from forecasting.models import AUTO, AUTO_CANDIDATES, MODELS
from forecasting.selection import FALLBACK, fit_guarded, fit_queue

AHT_RECENT_DAYS = 56
CALENDAR_MODELS = ("seasonal", "mstl")  # the models that know holidays and events
UTC_NAMES = ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu")
UNKNOWN_DAY_ALPHA = 0.25  # log-scale variance of a day effect with no evidence (sd 0.5)
EMPTY_DAY_MIN = 20.0  # contacts on a usual day above which a day with none is a gap
AHT_PRIOR_CONTACTS = 30.0  # shrink a slot's mean AHT toward the queue mean by this weight
MODEL_COLUMNS = ("queue", "model", "holdout_wape", "candidates", "dispersion")
EFFECT_COLUMNS = ("queue", "kind", "offset_days", "uplift")
MAX_GROWTH = 100.0  # a what-if of 101 times the volume; past that it is a typo


@dataclass(frozen=True)
class ForecastResult:
    """A forecast and what the run learned and noticed.

    Attributes:
        forecast: the forecast contract: `interval_start` (UTC), `queue`, `volume`,
            `volume_low`, `volume_high` (contacts per interval), `aht_seconds`
            (seconds), `events` (";"-joined names of events and holidays); with a
            what-if scenario also `baseline_volume` (contacts per interval before
            it) and `scenario` (its description).
        effects: learned multiplicative effects: `queue`, `kind` (an event kind,
            or holiday / before_holiday / after_holiday), `offset_days` (days
            since the event began), `uplift` (0.5 = 50 % more volume).
        warnings: human-readable notes for the person running the forecast.
        models: per queue the chosen `model`, its `holdout_wape` (absolute error /
            actual volume on the holdout), `candidates` (every candidate's
            holdout WAPE) and the interval `dispersion` (NB alpha).
    """

    forecast: pd.DataFrame
    effects: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    models: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MODEL_COLUMNS))


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
    model: str = "seasonal",
    growth: float = 0.0,
    deflection: float = 0.0,
    on_queue: Callable[[str], None] | None = None,
    guard: bool = True,
    workers: int = 1,
    holiday_categories: Sequence[str] | None = None,
    closed_holidays: Sequence[str] = (),
    open_holidays: Sequence[str] = (),
) -> ForecastResult:
    """Forecast each queue for `horizon` intervals after its history ends.

    Args:
        history: complete grid of counts (forecasting.history.complete_grid):
            `interval_start` (UTC), `queue`, `volume` (contacts per interval; NaN =
            not in the input: zero in closed hours, otherwise left out of fitting
            with a warning), optional `aht_seconds`.
        horizon: number of future intervals, >= 1.
        interval_minutes: 15, 30 or 60.
        timezones: queue -> IANA zone of its customers (default UTC).
        default_aht: queue -> handle time in seconds where history has none.
        level: share of outcomes volume_low..volume_high should cover, 0-1.
        events: normalized or raw events frame (forecasting.events), or None.
        country, subdivision: public-holiday calendar (holidays library codes).
        model: a name in forecasting.models.MODELS, or "auto" to choose per queue.
        growth: what-if: volume grows by this share (0.15 = 15 % more), > -1.
        deflection: what-if: share of contacts automation answers, 0 <= d < 1.
        on_queue: called with each queue's name after it is forecast (progress).
        guard: for the "seasonal" and "mstl" models, let each queue fall back to
            a baseline, a re-anchored level or a blend that did better on its
            held-out windows (forecasting.guard); False fits the model as asked.
        workers: processes that fit queues in parallel, >= 1; the result is the
            same for any number.
        holiday_categories: the holidays library's categories to use (e.g.
            "public", "optional"); None = public holidays, plus the country's
            optional ones where it has them. The seasonal model learns each
            category other than public as an effect of its own.
        closed_holidays: names of holidays every queue is closed on: zero
            volume on those dates in the horizon.
        open_holidays: names of holidays every queue is open on although the
            history shows no contact on them (the export lost those days): such
            days are left out of fitting, never learned as a closure.

    Returns:
        ForecastResult; the forecast is sorted by queue then interval_start.

    Raises:
        InputError: a bad option or input, naming it.
    """
    _check_options(history, horizon, interval_minutes, level, model, workers)
    check_scenario(growth=growth, deflection=deflection)
    candidates = AUTO_CANDIDATES if model == AUTO else (model,)
    timezones = dict(timezones or {})
    default_aht = dict(default_aht or {})
    events = normalize_events(events)
    starts = history[INTERVAL_START].dt.tz_convert("UTC")
    grid = _future_grid(starts, horizon=horizon, interval_minutes=interval_minutes)
    years = range(starts.min().year - 1, grid[-1].year + 2)
    if holiday_categories is None:
        holiday_categories = default_categories(country)
    holidays = holiday_calendar(
        country, subdivision=subdivision, years=years, categories=holiday_categories
    )
    kinds = holiday_kinds(
        country, subdivision=subdivision, years=years, categories=holiday_categories
    )
    closed = closed_dates(holidays, list(closed_holidays), country=country)
    opened = open_dates(holidays, list(open_holidays), closed, country=country)
    notes = _event_notes(events, history_start=starts.min(), grid=grid, queues=history[QUEUE])

    job = _QueueJob(model, candidates, guard, horizon, level, None, closed, opened)
    jobs = _queue_jobs(
        history, timezones, default_aht, events, (holidays, kinds), grid, job, interval_minutes
    )
    notes += _utc_holiday_notes(jobs, country) if holidays else []
    frames, effects, chosen = [], [], []
    for frame, learned, row, queue_notes in _run_jobs(jobs, workers=workers):
        frames.append(frame)
        if learned is not None and len(learned):
            effects.append(learned)
        chosen.append(row)
        notes += queue_notes
        if on_queue is not None:
            on_queue(row["queue"])
    forecast = pd.concat(frames, ignore_index=True)[list(FORECAST_COLUMNS)]
    effects = pd.concat(effects, ignore_index=True) if effects else pd.DataFrame()
    return ForecastResult(
        forecast=apply_scenario(forecast, growth=growth, deflection=deflection),
        effects=effects.reindex(columns=list(EFFECT_COLUMNS)),
        warnings=notes,
        models=pd.DataFrame(chosen, columns=list(MODEL_COLUMNS)),
    )


@dataclass(frozen=True)
class _QueueJob:
    model: str
    candidates: tuple[str, ...]
    guard: bool
    horizon: int
    level: float
    default_aht: float | None
    closed: frozenset = frozenset()
    opened: frozenset = frozenset()


def _future_grid(starts: pd.Series, *, horizon: int, interval_minutes: int) -> pd.DatetimeIndex:
    """The `horizon` interval starts (UTC) after the history's last."""
    step = pd.Timedelta(minutes=interval_minutes)
    return pd.date_range(starts.max() + step, periods=horizon, freq=step)


def _utc_holiday_notes(jobs: list[tuple], country: str | None) -> list[str]:
    """A warning for each queue whose public holidays fall on UTC days."""
    return [
        f"queue {context.queue!r}: public holidays of {country} are placed on UTC days because "
        "the queue's clock is UTC; pass --tz (or set timezone) to the zone of its "
        "customers unless they really live on UTC"
        for _, context, _, _ in jobs
        if context.timezone in UTC_NAMES
    ]


def _check_options(
    history: pd.DataFrame,
    horizon: int,
    interval_minutes: int,
    level: float,
    model: str,
    workers: int,
) -> None:
    """InputError naming the first bad option of `forecast_volume`."""
    check_interval(interval_minutes)
    validate_counts(history, interval_minutes=interval_minutes, allow_missing=True)
    if horizon < 1:
        raise InputError(f"horizon must be at least one interval, got {horizon}")
    if not 0 < level < 1:
        raise InputError(f"forecast.level must be between 0 and 1 (exclusive), got {level}")
    if model != AUTO and model not in MODELS:
        choices = ", ".join(sorted([*MODELS, AUTO]))
        raise InputError(f"unknown model {model!r}; choose one of {choices}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers must be a whole number of processes, 1 or more, got {workers}")


def _queue_jobs(
    history: pd.DataFrame,
    timezones: Mapping[str, str],
    default_aht: Mapping[str, float],
    events: pd.DataFrame,
    holidays: tuple[dict, dict],
    grid: pd.DatetimeIndex,
    job: _QueueJob,
    interval_minutes: int,
) -> list[tuple]:
    """(history, context, grid, options) of each queue, in queue order."""
    jobs = []
    for queue, part in history.groupby(QUEUE, sort=True):
        queue = str(queue)
        zone = timezones.get(queue, "UTC")
        check_timezone(zone, where=f"queue {queue!r}: timezone")
        context = QueueContext(
            queue=queue,
            timezone=zone,
            interval_minutes=interval_minutes,
            holidays=holidays[0],
            holiday_kinds=holidays[1],
            events=events_for_queue(events, queue),
        )
        options = dataclasses.replace(job, default_aht=default_aht.get(queue))
        jobs.append((part.sort_values(INTERVAL_START), context, grid, options))
    return jobs


def _run_jobs(jobs: list, *, workers: int) -> Iterator[tuple]:
    """Each queue's result in the order of `jobs`, in `workers` processes (1: here)."""
    if workers <= 1 or len(jobs) <= 1:
        yield from (_forecast_queue(*job) for job in jobs)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        chunk = max(1, len(jobs) // (4 * workers))
        yield from pool.map(_forecast_queue, *zip(*jobs, strict=True), chunksize=chunk)


def _forecast_queue(
    part: pd.DataFrame, context: QueueContext, grid: pd.DatetimeIndex, job: _QueueJob
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict, list[str]]:
    """One queue: (forecast frame, learned effects, model row, notes)."""
    queue = context.queue
    part, notes = prepare_history(part, context, opened=job.opened)
    if job.guard and job.model in CALENDAR_MODELS:
        fitted = fit_guarded(part, context, model=job.model, horizon=job.horizon, level=job.level)
    else:
        fitted = fit_queue(
            part, context, candidates=job.candidates, horizon=job.horizon, level=job.level
        )
    notes += fitted.notes
    predicted = fitted.model.predict(grid, level=job.level)
    open_factor = _open_factor(context, grid, job.closed)
    unlearned = unlearned_holidays(context, grid, fitted.model) & (open_factor > 0)
    unlearned &= ~declared(context.events, grid)  # the user said what to expect
    predicted = widen_intervals(predicted, unlearned, fitted.model, level=job.level)
    factor = given_uplift(context.events, grid) * open_factor
    frame = pd.DataFrame(
        {
            INTERVAL_START: grid,
            QUEUE: queue,
            VOLUME: predicted[VOLUME].to_numpy() * factor,
            VOLUME_LOW: predicted[VOLUME_LOW].to_numpy() * factor,
            VOLUME_HIGH: predicted[VOLUME_HIGH].to_numpy() * factor,
            AHT_SECONDS: forecast_aht(part, grid, context, job.default_aht),
            EVENTS: _labels(context, grid, context.holidays),
        }
    )
    learned = getattr(fitted.model, "effects", None)
    calibration = fitted.model.calibration
    row = {
        "queue": queue,
        "model": fitted.name,
        "holdout_wape": fitted.scores.get(fitted.name, np.nan),
        "candidates": "; ".join(f"{k} {v:.3f}" for k, v in fitted.scores.items()),
        "dispersion": float(calibration.alpha if calibration is not None else fitted.model.alpha),
    }
    notes += _unlearned_notes(context.events, grid, learned, queue)
    notes += _holiday_notes(context, grid, unlearned, fitted.name, fitted.model)
    if learned is not None and len(learned):
        learned = learned.assign(queue=queue)
    return frame, learned, row, notes


def _open_factor(context: QueueContext, grid: pd.DatetimeIndex, closed: frozenset) -> np.ndarray:
    """0.0 on the local dates of `closed` holidays, else 1.0."""
    if not closed:
        return np.ones(len(grid))
    local = local_frame(grid, timezone=context.timezone, interval_minutes=context.interval_minutes)
    dates = pd.DatetimeIndex([pd.Timestamp(d) for d in closed])
    return np.where(local["local_date"].isin(dates).to_numpy(), 0.0, 1.0)


def check_scenario(*, growth: float, deflection: float) -> None:
    """Raise InputError unless -1 < growth <= MAX_GROWTH and 0 <= deflection < 1."""
    if not np.isfinite(growth) or not -1 < growth <= MAX_GROWTH:
        raise InputError(
            f"growth must be greater than -1 and at most {MAX_GROWTH:g} "
            f"(0.15 = 15 % more volume), got {growth:g}"
        )
    if not np.isfinite(deflection) or not 0 <= deflection < 1:
        raise InputError(
            f"deflection must be a share from 0 up to (not including) 1, e.g. 0.1, "
            f"got {deflection:g}"
        )


def apply_scenario(forecast: pd.DataFrame, *, growth: float, deflection: float) -> pd.DataFrame:
    """Scale a forecast by (1 + growth) * (1 - deflection), visibly.

    Args:
        forecast: the forecast contract.
        growth: share of extra volume (0.15 = 15 % more), > -1.
        deflection: share of contacts answered by automation, 0 <= d < 1.

    Returns:
        A copy; with a scenario, `volume`, `volume_low`, `volume_high` scaled and
        two columns appended after the contract's: `baseline_volume` (contacts per
        interval before the scenario) and `scenario` (e.g. "growth +15%;
        deflection 10%"). Without one (both 0), the forecast unchanged.
    """
    check_scenario(growth=growth, deflection=deflection)
    if growth == 0 and deflection == 0:
        return forecast.copy()
    factor = (1 + growth) * (1 - deflection)
    out = forecast.copy()
    out[BASELINE_VOLUME] = out[VOLUME]
    for column in (VOLUME, VOLUME_LOW, VOLUME_HIGH):
        out[column] = out[column] * factor
    parts = []
    if growth:
        parts.append(f"growth {growth:+.0%}")
    if deflection:
        parts.append(f"deflection {deflection:.0%}")
    out[SCENARIO] = "; ".join(parts)
    return out


def prepare_history(
    part: pd.DataFrame, context: QueueContext, *, opened: frozenset = frozenset()
) -> tuple[pd.DataFrame, list[str]]:
    """One queue's history as the models see it, and notes about what changed.

    Unknown intervals (NaN) in closed hours become zero; other unknown intervals
    stay unknown (models leave them out) and are reported. Intervals inside an
    outage become unknown too. A whole local day without a single contact on a
    weekday that normally has at least EMPTY_DAY_MIN (and is no holiday) is a
    gap in the export, not a quiet day: it becomes unknown, with a note. So is
    a holiday date in `opened` (forecast.open_holidays) without a contact.

    Returns:
        (history copy, notes).
    """
    notes = []
    known = np.flatnonzero(part[VOLUME].notna().to_numpy())
    # a queue whose data start later than the others' has no gap before its first count
    out = part.iloc[known[0] if len(known) else 0 :].copy()
    volume = series(out)
    notes += missing_holiday_notes(out, context, opened=opened)
    out, gap_notes = _open_holiday_gaps(out, context, opened)
    notes += gap_notes
    missing = volume.isna().to_numpy()
    if missing.any():
        closed = ClosedHours(volume, context).open_mask(pd.DatetimeIndex(volume.index)) == 0
        fill = missing & closed
        out[VOLUME] = np.where(fill, 0.0, out[VOLUME].to_numpy(float))
        gaps = np.flatnonzero(missing & ~closed)
        if len(gaps):
            starts = pd.DatetimeIndex(volume.index[gaps])
            notes.append(
                f"queue {context.queue!r}: {len(gaps)} intervals in open hours are missing from "
                f"the history (e.g. {', '.join(t.isoformat() for t in starts[:3])}); they are "
                "left out of fitting, not taken as zero. If the export leaves out empty "
                "intervals, add them with volume 0"
            )
    empty = _empty_days(out, context)
    if len(empty):
        local = local_frame(
            out[INTERVAL_START],
            timezone=context.timezone,
            interval_minutes=context.interval_minutes,
        )["local_date"]
        out[VOLUME] = np.where(local.isin(empty).to_numpy(), np.nan, out[VOLUME].to_numpy(float))
        notes.append(
            f"queue {context.queue!r}: {len(empty)} days have no contacts at all although "
            f"that weekday usually has {EMPTY_DAY_MIN:g} or more (e.g. "
            f"{', '.join(d.date().isoformat() for d in empty[:3])}); taken as gaps in the "
            "export and left out of fitting"
        )
    outage = outage_mask(
        context.events,
        pd.DatetimeIndex(out[INTERVAL_START]),
        interval_minutes=context.interval_minutes,
    )
    if outage.any():
        out[VOLUME] = np.where(outage, np.nan, out[VOLUME].to_numpy(float))
        _check_left_after_outages(out, outage, context)
        notes.append(
            f"queue {context.queue!r}: {int(outage.sum())} intervals inside outages are left "
            "out of fitting"
        )
    return out, notes


def _check_left_after_outages(
    part: pd.DataFrame, outage: np.ndarray, context: QueueContext
) -> None:
    """Raise InputError when outages leave less than a week of history to learn from.

    A model fitted on what is left would forecast zeros (nothing left) or a few
    hours repeated as a week, while the outage is said not to change anything.
    """
    known = int(np.isfinite(part[VOLUME].to_numpy(float)).sum())
    needed = MODELS[FALLBACK].min_days * context.per_day
    if known >= needed:
        return
    grid = pd.DatetimeIndex(part[INTERVAL_START])
    ends = grid[-1] + pd.Timedelta(minutes=context.interval_minutes)
    names = [
        repr(getattr(row, EVENT_NAME))
        for row in context.events.itertuples(index=False)
        if is_outage(getattr(row, EVENT_KIND))
        and getattr(row, EVENT_START) < ends
        and getattr(row, EVENT_END) > grid[0]
    ]
    which = (
        f"outage {names[0]} covers" if len(names) == 1 else f"outages {', '.join(names[:3])} cover"
    )
    raise InputError(
        f"events: {which} {int(outage.sum())} of the "
        f"{len(grid)} history intervals of queue {context.queue!r}, leaving "
        f"{known / context.per_day:.1f} days outside outages; forecasting needs "
        f"{MODELS[FALLBACK].min_days} days: give the outage's real start and end, or "
        "a longer history"
    )


def missing_holiday_notes(
    part: pd.DataFrame, context: QueueContext, *, opened: frozenset = frozenset()
) -> list[str]:
    """Say what the whole holidays without a contact in the history look like.

    A holiday on a weekday that usually has EMPTY_DAY_MIN contacts or more, with
    no contact at all, is either a closure or a gap in the export. Rows absent
    for the whole day look like an export gap: the day stays unknown (left out
    of fitting, never a zero), and the holiday ahead is forecast as an ordinary
    day unless forecast.closed_holidays names it. Rows present with zero
    volume (or a ticket export with no ticket that day) look like a closure,
    which the seasonal model learns as the holiday's effect, unless `opened`
    (forecast.open_holidays) holds the date: then it is a gap, said by
    _open_holiday_gaps.

    Returns:
        At most two notes (absent rows, zero rows), each naming up to five dates.
    """
    if not context.holidays or part.empty:
        return []
    clock = local_clock(
        part[INTERVAL_START], timezone=context.timezone, interval_minutes=context.interval_minutes
    )
    volume = part[VOLUME].to_numpy(float)
    offset = clock.day - clock.day[0]
    known = np.bincount(offset, weights=~np.isnan(volume))
    total = np.bincount(offset, weights=np.nan_to_num(volume))
    days = np.flatnonzero(np.bincount(offset))[1:-1]  # whole local days only
    if len(days) == 0:
        return []
    weekday = (days + clock.day[0] + 3) % 7
    usual = np.zeros(len(days))
    for d in np.unique(weekday):
        seen = (weekday == d) & (known[days] > 0)
        usual[weekday == d] = np.median(total[days][seen]) if seen.any() else 0.0
    by_day = {day_number(d): name for d, name in context.holidays.items()}
    holiday = np.array([int(d) + int(clock.day[0]) in by_day for d in days], dtype=bool)
    opened_days = {day_number(d) for d in opened}
    declared = np.array([int(d) + int(clock.day[0]) in opened_days for d in days], dtype=bool)
    quiet = holiday & (usual >= EMPTY_DAY_MIN) & (total[days] == 0) & ~declared
    absent, zero = quiet & (known[days] == 0), quiet & (known[days] > 0)
    queue = context.queue

    def named(mask: np.ndarray) -> str:
        found = [int(d) + int(clock.day[0]) for d in days[mask]]
        listed = ", ".join(f"{day_index([d])[0].date().isoformat()} {by_day[d]}" for d in found[:5])
        return listed + (f" and {len(found) - 5} more" if len(found) > 5 else "")

    notes = []
    if absent.any():
        notes.append(
            f"queue {queue!r}: the history has no rows on {int(absent.sum())} public holidays "
            f"({named(absent)}); that looks like a gap in the export, so they are left out "
            "of fitting and holidays ahead are forecast as ordinary days; if the queue closes "
            "on them, list them in forecast.closed_holidays"
        )
    if zero.any():
        notes.append(
            f"queue {queue!r}: {int(zero.sum())} public holidays have no contacts although "
            f"that weekday usually has {EMPTY_DAY_MIN:g} or more ({named(zero)}); that looks "
            "like a closure and is learned as one; if the queue was open and the export lost "
            "those days, list them in forecast.open_holidays"
        )
    return notes


def open_dates(
    holidays: Mapping, names: Sequence[str], closed: frozenset, *, country: str | None
) -> frozenset:
    """The dates of the holidays forecast.open_holidays names; InputError if also closed."""
    opened = closed_dates(holidays, names, country=country, field="forecast.open_holidays")
    for name in names:
        both = closed_dates(holidays, [name], country=country) & closed
        if both:
            raise InputError(
                f"forecast.open_holidays: {name!r} is also in forecast.closed_holidays; "
                "a holiday is either open or closed, list it in one of them"
            )
    return opened


def _open_holiday_gaps(
    part: pd.DataFrame, context: QueueContext, opened: frozenset
) -> tuple[pd.DataFrame, list[str]]:
    """Whole local days of `opened` holidays without a contact become unknown (gaps)."""
    if not opened or part.empty:
        return part, []
    local = local_frame(
        part[INTERVAL_START], timezone=context.timezone, interval_minutes=context.interval_minutes
    )["local_date"]
    volume = part[VOLUME].to_numpy(float)
    totals = pd.Series(np.nan_to_num(volume)).groupby(local.to_numpy()).sum()
    dates = pd.DatetimeIndex([pd.Timestamp(d) for d in sorted(opened)])
    empty = totals.index[(totals == 0) & totals.index.isin(dates)]
    if len(empty) == 0:
        return part, []
    out = part.copy()
    out[VOLUME] = np.where(local.isin(empty).to_numpy(), np.nan, volume)
    listed = ", ".join(pd.Timestamp(d).date().isoformat() for d in empty[:5])
    note = (
        f"queue {context.queue!r}: {len(empty)} holidays listed in forecast.open_holidays "
        f"have no contacts in the history ({listed}); taken as gaps in the export and left "
        "out of fitting, not learned as closures"
    )
    return out, [note]


def _empty_days(part: pd.DataFrame, context: QueueContext) -> pd.DatetimeIndex:
    """Local dates with zero contacts on weekdays whose median day has EMPTY_DAY_MIN+."""
    clock = local_clock(
        part[INTERVAL_START], timezone=context.timezone, interval_minutes=context.interval_minutes
    )
    volume = part[VOLUME].to_numpy(float)
    if len(volume) == 0:
        return pd.DatetimeIndex([])
    offset = clock.day - clock.day[0]
    known = ~np.isnan(volume)
    size = np.bincount(offset)
    total = np.bincount(offset, weights=np.where(known, volume, 0.0))
    any_known = np.bincount(offset, weights=known) > 0
    present = np.flatnonzero(size)
    days = present[1:-1]  # the ends of a UTC grid are partial local days
    days = days[any_known[days]]  # sum(min_count=1): a day with no known interval is NaN
    if len(days) == 0:
        return pd.DatetimeIndex([])
    daily = total[days]
    weekday = (days + clock.day[0] + 3) % 7
    usual = np.full(len(days), np.nan)
    for d in np.unique(weekday):
        usual[weekday == d] = np.median(daily[weekday == d])
    holidays = np.array([day_number(d) for d in context.holidays], dtype=np.int64)
    absolute = days + clock.day[0]
    empty = (daily == 0) & (usual >= EMPTY_DAY_MIN) & ~np.isin(absolute, holidays)
    return day_index(absolute[empty])


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
    recent = history[
        (history[INTERVAL_START] > recent_start)
        & history[AHT_SECONDS].notna()
        & history[VOLUME].notna()
    ]
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
    if holidays:
        clock = local_clock(
            grid, timezone=context.timezone, interval_minutes=context.interval_minutes
        )
        by_day = {day_number(d): name for d, name in holidays.items()}
        for i, day in enumerate(clock.day.tolist()):
            name = by_day.get(day)
            if name:
                names[i].append(name)
    return [";".join(n) for n in names]


def _event_notes(
    events: pd.DataFrame,
    *,
    history_start: pd.Timestamp,
    grid: pd.DatetimeIndex,
    queues: pd.Series,
) -> list[str]:
    known = set(queues.astype(str))
    notes = []
    for row in events.itertuples(index=False):
        name = getattr(row, EVENT_NAME)
        listed = [q.strip() for q in str(row.queues).split(";") if q.strip()]
        unknown = sorted(set(listed) - known)
        if unknown:
            raise InputError(
                f"event {name!r}: queues {', '.join(unknown)} are not in "
                f"the history (queues there: {', '.join(sorted(known))})"
            )
        if row.end <= history_start:
            raise InputError(
                f"events: {name!r} ends {row.end.isoformat()}, before the history starts "
                f"({history_start.isoformat()}); fix its dates or remove it"
            )
        if row.start > grid[-1]:
            notes.append(f"event {name!r} starts after the forecast horizon; ignored")
    return notes


def unlearned_holidays(context: QueueContext, grid: pd.DatetimeIndex, model: object) -> np.ndarray:
    """True for intervals of `grid` on public holidays the model has no evidence for.

    Asks the model (or the calendar model inside it: a blend's first member, an
    MSTL's calendar); a model that knows no holidays has evidence for none.
    """
    found = _holiday_finder(model)
    if found is not None:
        return found(grid)
    if not context.holidays:
        return np.zeros(len(grid), dtype=bool)
    local = local_frame(grid, timezone=context.timezone, interval_minutes=context.interval_minutes)
    dates = pd.DatetimeIndex([pd.Timestamp(d) for d in context.holidays])
    return local["local_date"].isin(dates).to_numpy()


def _holiday_finder(model: object) -> Callable[[pd.DatetimeIndex], np.ndarray] | None:
    if model is None:
        return None
    if hasattr(model, "unlearned_holidays"):
        return model.unlearned_holidays
    inner = getattr(model, "calendar", None)
    if inner is None and getattr(model, "members", None):
        inner = model.members[0]
    return _holiday_finder(inner)


def widen_intervals(
    predicted: pd.DataFrame, mask: np.ndarray, model: VolumeModel, *, level: float
) -> pd.DataFrame:
    """Widen the intervals where `mask` holds by an unknown day effect.

    A day effect with a log-scale spread of sqrt(UNKNOWN_DAY_ALPHA) adds that much
    to the NB2 dispersion (var = mu + (alpha + s^2) mu^2): the interval of a
    holiday with no evidence says that the day may run well below or above an
    ordinary one.
    """
    if not mask.any():
        return predicted
    calibration = model.calibration
    alpha = calibration.alpha if calibration is not None else model.alpha
    quantile = calibration.quantiles_for(level) if calibration is not None else level
    mean = predicted[VOLUME].to_numpy()[mask]
    low, high = nb_interval(mean, alpha=alpha + UNKNOWN_DAY_ALPHA, level=quantile)
    out = predicted.copy()
    out.loc[out.index[mask], VOLUME_LOW] = np.minimum(low, out[VOLUME_LOW].to_numpy()[mask])
    out.loc[out.index[mask], VOLUME_HIGH] = np.maximum(high, out[VOLUME_HIGH].to_numpy()[mask])
    return out


def _holiday_notes(
    context: QueueContext,
    grid: pd.DatetimeIndex,
    unlearned: np.ndarray,
    model: str,
    model_object: object = None,
) -> list[str]:
    """Name the holidays in the horizon that are forecast without evidence, and the fix."""
    if not unlearned.any():
        return []
    local = local_frame(grid, timezone=context.timezone, interval_minutes=context.interval_minutes)
    ahead = sorted({d.date() for d in local["local_date"][unlearned]})
    named = ", ".join(f"{d.isoformat()} {context.holidays[d]}" for d in ahead[:5])
    more = f" and {len(ahead) - 5} more" if len(ahead) > 5 else ""
    declare = (
        "if the queue closes or expects a change, declare it in events.csv (name,start,end,"
        "uplift: -1 = closed, -0.4 = 40 % fewer contacts)"
    )
    if model.split("+")[0] not in CALENDAR_MODELS:
        return [
            f"queue {context.queue!r}: the {model} model ignores public holidays; "
            f"{named}{more} are forecast as ordinary days; {declare}"
        ]
    average = _average_holiday(model_object)
    treated = (
        "forecast as ordinary days"
        if average is None
        else f"given the average effect of the holidays in the history ({average:+.0%})"
    )
    return [
        f"queue {context.queue!r}: no past holiday of the same name in the history, so "
        f"{named}{more} are {treated}, with a wider interval; {declare}"
    ]


def _average_holiday(model: object) -> float | None:
    finder = _holiday_finder(model)
    owner = getattr(finder, "__self__", None)
    return getattr(owner, "average_holiday_uplift", None)


def _unlearned_notes(
    events: pd.DataFrame, grid: pd.DatetimeIndex, learned: pd.DataFrame | None, queue: str
) -> list[str]:
    kinds = set() if learned is None or learned.empty else set(learned["kind"])
    notes = []
    for row in events.itertuples(index=False):
        if is_outage(getattr(row, EVENT_KIND)):
            if row.end > grid[0] and row.start <= grid[-1] and np.isnan(getattr(row, EVENT_UPLIFT)):
                notes.append(
                    f"queue {queue!r}: outage {getattr(row, EVENT_NAME)!r} has no uplift; "
                    "outages are not learned, so it does not change the forecast"
                )
            continue
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
