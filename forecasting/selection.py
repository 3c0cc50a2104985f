"""Fit a queue's model on a holdout first: choose among candidates, calibrate intervals.

Every forecast runs the same two steps, as the commercial WFM suites do when
they pick a method per queue ("best fit"):

1. Holdout. Each candidate is fitted on the history without its latest `h`
   intervals (`h` = the horizon, between one and 28 days) and forecasts them.
   The candidate with the lowest mean absolute error wins (with one candidate,
   that one). Choosing by out-of-sample error on the series' own recent past is
   the classic "forecast pre-testing" of Tashman 2000 ("Out-of-sample tests of
   forecasting accuracy: an analysis and review", IJF 16(4)); Fildes & Petropoulos
   2015 ("Simple versus complex selection rules for forecasting many time
   series", J. Business Research 68(8)) find it as good as any rule.
2. Calibration. The winner's holdout forecast fixes the dispersion and the
   quantile level of its intervals (forecasting.intervals.calibrate); then the
   winner is refitted on the whole history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.base import QueueContext, VolumeModel
from forecasting.columns import INTERVAL_START, VOLUME
from forecasting.errors import InputError
from forecasting.guard import candidate_specs, fit_members, member_names, window_means
from forecasting.intervals import calibrate
from forecasting.models import MODELS

MAX_HOLDOUT_DAYS = 28
FALLBACK = "seasonal_naive"
GUARD_WINDOWS = 2
SWITCH_MARGIN = 0.1  # a candidate must beat the base by this share in every window


@dataclass(frozen=True)
class FittedQueue:
    """A queue's fitted model and how it was chosen.

    Attributes:
        model: fitted on the whole history; its intervals calibrated when
            `holdout` > 0.
        name: the model's registry name.
        scores: holdout WAPE (absolute error / actual volume) per candidate tried.
        holdout: intervals held out (0: history too short, intervals in-sample).
        notes: what a planner should know (fallbacks, skipped candidates).
    """

    model: VolumeModel
    name: str
    scores: dict[str, float] = field(default_factory=dict)
    holdout: int = 0
    notes: list[str] = field(default_factory=list)


def fit_queue(
    history: pd.DataFrame,
    context: QueueContext,
    *,
    candidates: Sequence[str],
    horizon: int,
    level: float,
) -> FittedQueue:
    """Choose, calibrate and fit one queue's model.

    Args:
        history: one queue's complete UTC grid, `interval_start` and `volume`
            (contacts per interval; NaN = unknown), sorted.
        context: the queue's clock, holidays and events.
        candidates: model names (forecasting.models.MODELS), preferred first.
        horizon: intervals to be forecast after the history.
        level: interval coverage to calibrate, 0-1.

    Returns:
        FittedQueue.

    Raises:
        InputError: the history is too short for any model (under 7 days).
    """
    per_day = context.per_day
    length = len(history)
    notes: list[str] = []
    feasible = _feasible(length, context, candidates, notes)
    holdout = min(max(horizon, per_day), MAX_HOLDOUT_DAYS * per_day)
    # one day of slack: the local days at the ends of a UTC grid are partial
    holdout = min(holdout, length - (MODELS[feasible[0]].min_days + 1) * per_day)
    scores: dict[str, float] = {}
    means: dict[str, np.ndarray] = {}
    if holdout >= per_day:
        train, test = history.iloc[:-holdout], history.iloc[-holdout:]
        grid = pd.DatetimeIndex(test[INTERVAL_START])
        actual = test[VOLUME].to_numpy(float)
        known = ~np.isnan(actual)
        for name in feasible:
            if len(train) < MODELS[name].min_days * per_day:
                continue
            try:
                mean = MODELS[name]().fit(train, context).predict_mean(grid)
            except InputError as e:
                notes.append(f"queue {context.queue!r}: {name} skipped on the holdout: {e}")
                continue
            means[name] = mean
            scores[name] = _wape(actual[known], mean[known])
    if not scores:
        name, model = _fit_first(history, context, feasible, notes)
        why = (
            "no model could be scored on the held-out days"
            if holdout >= per_day
            else "history too short to hold out a day"
        )
        notes.append(
            f"queue {context.queue!r}: {why}; intervals are in-sample and likely too narrow"
        )
        return FittedQueue(model=model, name=name, notes=notes)
    ranked = sorted(scores, key=lambda name: (scores[name], feasible.index(name)))
    best = ranked[0]
    actual_cal, mean_cal = actual, means[best]
    if len(scores) > 1:
        # the winner's holdout error is the smallest of several, so too small: add an
        # earlier window it was not chosen on
        earlier = _earlier_window(history, context, best, holdout)
        if earlier is not None:
            actual_cal = np.concatenate([earlier[0], actual])
            mean_cal = np.concatenate([earlier[1], means[best]])
    best, model = _fit_first(history, context, ranked, notes)
    if best != ranked[0]:
        if best not in means:
            return FittedQueue(model=model, name=best, scores=scores, notes=notes)
        actual_cal, mean_cal = actual, means[best]
    model.calibration = calibrate(actual_cal, mean_cal, level=level)
    return FittedQueue(model=model, name=best, scores=scores, holdout=holdout, notes=notes)


def _feasible(
    length: int, context: QueueContext, candidates: Sequence[str], notes: list[str]
) -> list[str]:
    """The candidates this much history supports, else the fallback with a note."""
    per_day = context.per_day
    feasible = [c for c in candidates if length >= MODELS[c].min_days * per_day]
    if feasible:
        return feasible
    days = length / per_day
    needed = min(MODELS[c].min_days for c in candidates)
    if length < MODELS[FALLBACK].min_days * per_day:
        raise InputError(
            f"history: queue {context.queue!r} holds {days:.1f} days; forecasting needs at "
            f"least {MODELS[FALLBACK].min_days} days ({needed} for the "
            f"{' or '.join(candidates)} model); give a longer history"
        )
    notes.append(
        f"queue {context.queue!r}: {days:.1f} days of history are too few for the "
        f"{'/'.join(candidates)} model (needs {needed}); repeated the latest week instead"
    )
    return [FALLBACK]


def _fit_first(
    history: pd.DataFrame, context: QueueContext, names: Sequence[str], notes: list[str]
) -> tuple[str, VolumeModel]:
    """The first of `names` that fits the whole history, else seasonal naive.

    Raises:
        InputError: not even seasonal naive fits (under a week of history).
    """
    for name in names:
        try:
            return name, MODELS[name]().fit(history, context)
        except InputError as e:
            notes.append(f"queue {context.queue!r}: {name} could not be fitted ({e})")
    notes.append(f"queue {context.queue!r}: repeated the latest week instead")
    return FALLBACK, MODELS[FALLBACK]().fit(history, context)


def _earlier_window(
    history: pd.DataFrame, context: QueueContext, name: str, holdout: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Actuals and forecast of the `holdout` intervals before the holdout, or None."""
    train = history.iloc[: -2 * holdout]
    if len(train) < MODELS[name].min_days * context.per_day:
        return None
    window = history.iloc[-2 * holdout : -holdout]
    try:
        mean = (
            MODELS[name]()
            .fit(train, context)
            .predict_mean(pd.DatetimeIndex(window[INTERVAL_START]))
        )
    except InputError:
        return None
    return window[VOLUME].to_numpy(float), mean


def _wape(actual: np.ndarray, mean: np.ndarray) -> float:
    total = float(np.sum(actual))
    error = float(np.sum(np.abs(actual - mean)))
    if total > 0:
        return error / total
    return 0.0 if error == 0 else float("inf")


def fit_guarded(
    history: pd.DataFrame,
    context: QueueContext,
    *,
    model: str,
    horizon: int,
    level: float,
    windows: int = GUARD_WINDOWS,
) -> FittedQueue:
    """Fit `model`, or what beat it on held-out windows (forecasting.guard).

    Args:
        history: one queue's complete UTC grid, `interval_start` and `volume`.
        context: the queue's clock, holidays and events.
        model: the model asked for (a name in forecasting.models.MODELS).
        horizon: intervals to be forecast after the history.
        level: interval coverage to calibrate, 0-1.
        windows: held-out windows of `h` intervals each, latest first.

    Returns:
        FittedQueue; `name` is the candidate chosen (e.g. "seasonal+weekly_average").
    """
    per_day = context.per_day
    specs = candidate_specs(model)
    names, anchor = member_names(specs)
    holdout = min(max(horizon, per_day), MAX_HOLDOUT_DAYS * per_day)
    actuals, means = _held_out(history, context, specs, names, anchor, holdout, windows)
    if not actuals:
        return fit_queue(history, context, candidates=(model,), horizon=horizon, level=level)
    actual = np.concatenate(actuals)
    known = ~np.isnan(actual)
    complete = {name: parts for name, parts in means.items() if len(parts) == len(actuals)}
    scores = {
        name: _wape(actual[known], np.concatenate(parts)[known]) for name, parts in complete.items()
    }
    per_window = {
        name: [_wape(a[~np.isnan(a)], m[~np.isnan(a)]) for a, m in zip(actuals, parts, strict=True)]
        for name, parts in complete.items()
    }
    base, best = choose_guarded(per_window, scores, model=model)
    spec = next(s for s in specs if s.name == best)
    needed, needed_anchor = member_names([spec])
    fitted = fit_members(history, context, needed, anchor=needed_anchor).build(spec)
    notes: list[str] = []
    if fitted is None:
        return fit_queue(history, context, candidates=(model,), horizon=horizon, level=level)
    if best != base:
        days = holdout / per_day
        notes.append(
            f"queue {context.queue!r}: forecast with {best} instead of {base}: it did at "
            f"least {SWITCH_MARGIN:.0%} better in each of the latest {len(actuals)} held-out "
            f"windows of {days:g} days (WAPE {scores[best]:.3f} vs {scores[base]:.3f})"
        )
    fitted.calibration = calibrate(actual, np.concatenate(means[best]), level=level)
    return FittedQueue(model=fitted, name=best, scores=scores, holdout=holdout, notes=notes)


def choose_guarded(
    per_window: dict[str, list[float]], scores: dict[str, float], *, model: str
) -> tuple[str, str]:
    """(base, choice): the blend of `model` and the four-week average is the base.

    The model alone replaces the blend, and any other candidate replaces the
    base, only if it is at least SWITCH_MARGIN better in every held-out window:
    one lucky window must not move a queue off the blend, which is the best
    single rule across the real data sets (benchmarks/README.md).
    """
    blend = f"{model}+weekly_average"
    base = blend if blend in per_window else model

    def beats(name: str, other: str) -> bool:
        return all(
            mine < (1 - SWITCH_MARGIN) * theirs
            for mine, theirs in zip(per_window[name], per_window[other], strict=True)
        )

    if base == blend and beats(model, blend):
        base = model
    best = min(scores, key=lambda name: (scores[name], name != base))
    return base, (best if best != base and beats(best, base) else base)


def _held_out(history, context, specs, names, anchor, holdout, windows):
    """Actuals and each candidate's forecasts of the latest `windows` windows, latest
    first; a window without volume is left out."""
    actuals: list[np.ndarray] = []
    means: dict[str, list[np.ndarray]] = {spec.name: [] for spec in specs}
    first = specs[0].members[0][0]
    for k in range(windows):
        end = len(history) - k * holdout
        train = history.iloc[: end - holdout]
        if len(train) < (MODELS[first].min_days + 1) * context.per_day:
            break
        fitted = fit_members(train, context, names, anchor=anchor)
        if first not in fitted.models:
            break
        test = history.iloc[end - holdout : end]
        if not np.nansum(test[VOLUME].to_numpy(float)) > 0:
            continue  # nothing to judge on (an export gap): every model's WAPE is 0 or inf
        predicted = window_means(fitted, specs, pd.DatetimeIndex(test[INTERVAL_START]))
        actuals.append(test[VOLUME].to_numpy(float))
        for name, mean in predicted.items():
            means[name].append(mean)
    return actuals, means
