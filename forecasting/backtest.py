"""Rolling-origin evaluation: how wrong would the forecast have been?

At each cut-off (origin) the history before it is forecast `horizon` intervals
ahead, by the chosen model and by naive baselines, exactly as
`forecast_volume` would have done that day (the same events file and holiday
calendar; events in the window with a known uplift are applied as a planner
would have known them), and compared with what happened. The latest origin
ends its window at the end of the history; earlier ones step back by `step`
intervals. This is the rolling-origin ("time series cross-validation")
evaluation of Tashman 2000, "Out-of-sample tests of forecasting accuracy: an
analysis and review", IJF 16(4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import metrics
from forecasting.columns import (
    AHT_SECONDS,
    INTERVAL_START,
    QUEUE,
    VOLUME,
    VOLUME_HIGH,
    VOLUME_LOW,
)
from forecasting.errors import InputError
from forecasting.forecast import forecast_volume
from forecasting.history import check_interval, validate_counts
from forecasting.models import AUTO, MODELS

BASELINES = ("seasonal_naive", "weekly_average")
SCORE_COLUMNS = (
    "queue",
    "model",
    "origins",
    "wape",
    "wape_vs_naive",
    "mase",
    "bias",
    "coverage",
    "mae",
    "aht_seconds",
    "mae_agents",
)
ORIGIN_COLUMNS = ("queue", "model", "origin", "wape", "mase", "bias", "coverage", "volume")


@dataclass(frozen=True)
class BacktestResult:
    """Accuracy per queue and model over all origins, and per origin.

    Attributes:
        scores: one row per (queue, model): `origins` (count), `wape` (fraction of
            actual volume), `wape_vs_naive` (WAPE over seasonal naive's), `mase`
            (mean over origins, weekly seasonal scale), `bias` (fraction,
            positive = over-forecast), `coverage` (share of actuals inside
            volume_low..volume_high, open intervals only), `mae` (contacts per
            interval), `aht_seconds` (the queue's, seconds), `mae_agents` (mean
            absolute error as agents of workload: mae x AHT / interval seconds).
            Model first, then baselines, per queue.
        origins: one row per (queue, model, origin): `origin` (UTC), `wape`,
            `mase`, `bias`, `coverage`, `volume` (actual contacts in the window).
        warnings: notes from the forecasts, each once.
    """

    scores: pd.DataFrame
    origins: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def origin_starts(
    history: pd.DataFrame, *, horizon: int, origins: int, step: int, interval_minutes: int
) -> list[pd.Timestamp]:
    """UTC cut-offs, oldest first: the latest leaves exactly `horizon` intervals after it."""
    end = history[INTERVAL_START].max() + pd.Timedelta(minutes=interval_minutes)
    width = pd.Timedelta(minutes=interval_minutes)
    return [end - (horizon + k * step) * width for k in reversed(range(origins))]


def backtest(
    history: pd.DataFrame,
    *,
    horizon: int,
    interval_minutes: int,
    origins: int = 4,
    step: int | None = None,
    model: str = "seasonal",
    baselines: Sequence[str] = BASELINES,
    timezones: Mapping[str, str] | None = None,
    default_aht: Mapping[str, float] | None = None,
    level: float = 0.8,
    events: pd.DataFrame | None = None,
    country: str | None = None,
    subdivision: str | None = None,
    on_origin: Callable[[pd.Timestamp], None] | None = None,
    workers: int = 1,
    holiday_categories: Sequence[str] | None = None,
    closed_holidays: Sequence[str] = (),
    open_holidays: Sequence[str] = (),
) -> BacktestResult:
    """Forecast from several past cut-offs and score against what happened.

    Args:
        history: complete grid of counts (forecasting.history.complete_grid):
            `interval_start` (UTC), `queue`, `volume` (NaN = unknown), optional
            `aht_seconds`.
        horizon: intervals forecast from each origin, >= 1.
        interval_minutes: 15, 30 or 60.
        origins: number of cut-offs, >= 1.
        step: intervals between cut-offs (default: `horizon`, windows that do
            not overlap).
        model: the model to evaluate (forecasting.models.MODELS or "auto").
        baselines: models to compare with; the first is the `wape_vs_naive` reference.
            A baseline with too little history at an origin falls back to
            seasonal naive there, silently.
        timezones, default_aht, level, events, country, subdivision: as for
            forecast_volume.
        on_origin: called with each origin after it is scored (progress).
        workers: processes fitting queues in parallel (forecast_volume).
        holiday_categories, closed_holidays, open_holidays: as for forecast_volume.

    Returns:
        BacktestResult.

    Raises:
        InputError: bad options, or too little history before the first origin.
    """
    step = horizon if step is None else step
    starts = _origins(history, horizon, interval_minutes, origins, step, (model, *baselines))
    aht = _queue_aht(history, default_aht or {})
    names = list(dict.fromkeys([model, *baselines]))
    settings = {
        "horizon": horizon,
        "interval_minutes": interval_minutes,
        "timezones": timezones,
        "default_aht": default_aht,
        "level": level,
        "events": events,
        "country": country,
        "subdivision": subdivision,
        "workers": workers,
        "holiday_categories": holiday_categories,
        "closed_holidays": tuple(closed_holidays),
        "open_holidays": tuple(open_holidays),
    }
    rows, notes = [], []
    for origin in starts:
        origin_rows, origin_notes = _score_origin(history, origin, names, model, settings)
        rows += origin_rows
        notes += origin_notes
        if on_origin is not None:
            on_origin(origin)
    detail = pd.concat(rows, ignore_index=True)
    reference = baselines[0] if len(baselines) else None
    scores = _scores(
        detail, names=names, reference=reference, aht=aht, interval_minutes=interval_minutes
    )
    per_origin = (
        detail.groupby([QUEUE, "model", "origin"], sort=False)
        .apply(_origin_row, include_groups=False)
        .reset_index()
    )
    per_origin["model"] = pd.Categorical(per_origin["model"], categories=names, ordered=True)
    per_origin = per_origin.sort_values([QUEUE, "model", "origin"]).reset_index(drop=True)
    per_origin["model"] = per_origin["model"].astype(str)
    return BacktestResult(
        scores=scores,
        origins=per_origin[list(ORIGIN_COLUMNS)],
        warnings=list(dict.fromkeys(notes)),
    )


def _origins(
    history: pd.DataFrame,
    horizon: int,
    interval_minutes: int,
    origins: int,
    step: int,
    models: Sequence[str],
) -> list[pd.Timestamp]:
    """The cut-offs, after checking the options and the history before the first."""
    check_interval(interval_minutes)
    validate_counts(history, interval_minutes=interval_minutes, allow_missing=True)
    if horizon < 1:
        raise InputError(f"horizon must be at least one interval, got {horizon}")
    if origins < 1:
        raise InputError(f"origins must be at least 1, got {origins}")
    for name in models:
        if name != AUTO and name not in MODELS:
            choices = ", ".join(sorted([*MODELS, AUTO]))
            raise InputError(f"unknown model {name!r}; choose one of {choices}")
    if step < 1:
        raise InputError(f"step must be at least one interval, got {step}")
    per_day = 24 * 60 // interval_minutes
    starts = origin_starts(
        history, horizon=horizon, origins=origins, step=step, interval_minutes=interval_minutes
    )
    first = history[INTERVAL_START].min()
    before = (starts[0] - first) / pd.Timedelta(minutes=interval_minutes)
    if before < 7 * per_day:
        span = (history[INTERVAL_START].max() - first).days + 1
        raise InputError(
            f"origins: {origins} cut-offs {step / per_day:g} days apart with a "
            f"{horizon / per_day:g}-day horizon leave {before / per_day:.1f} days of history "
            f"before the first (the history spans {span} days; at least 7 are needed, 14 for "
            "the seasonal model); use fewer origins, a shorter step or horizon"
        )
    return list(starts)


def _score_origin(
    history: pd.DataFrame,
    origin: pd.Timestamp,
    names: Sequence[str],
    model: str,
    settings: dict,
) -> tuple[list[pd.DataFrame], list[str]]:
    """Each model's forecast from `origin`, scored per queue; the model's own notes."""
    interval = pd.Timedelta(minutes=settings["interval_minutes"])
    per_day = 24 * 60 // settings["interval_minutes"]
    train = history[history[INTERVAL_START] < origin]
    test = history[
        (history[INTERVAL_START] >= origin)
        & (history[INTERVAL_START] < origin + settings["horizon"] * interval)
    ]
    rows, notes = [], []
    for name in names:
        result = forecast_volume(train, model=name, **settings)
        if name == model:  # baselines' notes (e.g. short-history fallbacks) are noise
            notes += [n for n in result.warnings if "after the forecast horizon" not in n]
        joined = result.forecast.merge(
            test[[INTERVAL_START, QUEUE, VOLUME]],
            on=[INTERVAL_START, QUEUE],
            suffixes=("", "_actual"),
        )
        for queue, part in joined.groupby(QUEUE, sort=True):
            rows.append(
                _window(
                    part, train, queue=str(queue), model=name, origin=origin, period=7 * per_day
                )
            )
    return rows, notes


def _window(
    part: pd.DataFrame,
    train: pd.DataFrame,
    *,
    queue: str,
    model: str,
    origin: pd.Timestamp,
    period: int,
) -> pd.DataFrame:
    insample = train.loc[train[QUEUE] == queue, VOLUME].to_numpy(float)
    return pd.DataFrame(
        {
            QUEUE: queue,
            "model": model,
            "origin": origin,
            "actual": part[f"{VOLUME}_actual"].to_numpy(float),
            "forecast": part[VOLUME].to_numpy(float),
            "low": part[VOLUME_LOW].to_numpy(float),
            "high": part[VOLUME_HIGH].to_numpy(float),
            "scale": metrics.seasonal_scale(insample, period=period),
        }
    )


def _origin_row(part: pd.DataFrame) -> pd.Series:
    return pd.Series(
        {
            "wape": metrics.wape(part["actual"], part["forecast"]),
            "mase": metrics.mase(part["actual"], part["forecast"], scale=part["scale"].iloc[0]),
            "bias": metrics.bias(part["actual"], part["forecast"]),
            "coverage": metrics.coverage(
                part["actual"], part["low"], part["high"], forecast=part["forecast"]
            ),
            "volume": float(np.nansum(part["actual"])),
        }
    )


def _scores(
    detail: pd.DataFrame,
    *,
    names: list[str],
    reference: str | None,
    aht: dict[str, float],
    interval_minutes: int,
) -> pd.DataFrame:
    rows = []
    for queue, by_queue in detail.groupby(QUEUE, sort=True):
        naive_wape = np.nan
        for name in names:
            part = by_queue[by_queue["model"] == name]
            if part.empty:
                continue
            per_origin = part.groupby("origin").apply(_origin_row, include_groups=False)
            value = metrics.wape(part["actual"], part["forecast"])
            mae = metrics.mae(part["actual"], part["forecast"])
            queue_aht = aht.get(str(queue), np.nan)
            rows.append(
                {
                    "queue": queue,
                    "model": name,
                    "origins": int(part["origin"].nunique()),
                    "wape": value,
                    "mase": float(per_origin["mase"].mean()),
                    "bias": metrics.bias(part["actual"], part["forecast"]),
                    "coverage": metrics.coverage(
                        part["actual"], part["low"], part["high"], forecast=part["forecast"]
                    ),
                    "mae": mae,
                    "aht_seconds": queue_aht,
                    "mae_agents": float(
                        metrics.workload_agents(
                            mae, aht_seconds=queue_aht, interval_minutes=interval_minutes
                        )
                    ),
                }
            )
            if name == reference:
                naive_wape = value
        for row in rows:
            if row["queue"] == queue:
                row["wape_vs_naive"] = row["wape"] / naive_wape if naive_wape else np.nan
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def _queue_aht(history: pd.DataFrame, default_aht: Mapping[str, float]) -> dict[str, float]:
    """Volume-weighted mean handle time per queue, else the configured one (seconds)."""
    out = {}
    for queue, part in history.groupby(QUEUE, sort=True):
        value = np.nan
        if AHT_SECONDS in part.columns:
            known = part[AHT_SECONDS].notna() & part[VOLUME].notna() & (part[VOLUME] > 0)
            weight = part.loc[known, VOLUME].to_numpy(float)
            if weight.sum() > 0:
                value = float(np.sum(weight * part.loc[known, AHT_SECONDS]) / weight.sum())
        if np.isnan(value) and str(queue) in default_aht:
            value = float(default_aht[str(queue)])
        out[str(queue)] = value
    return out
