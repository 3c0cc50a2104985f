"""Events: launches, promotions and outages that move volume.

An event has a `name`, a `kind` (defaults to the name), a time span and
optionally the queues it touches and a known `uplift` (0.5 = 50 % more volume;
-1 = closed, no contacts).
Past events of a kind are learned from the history as one multiplicative effect
per day since the event began (so a launch spike and its decay are both
learned); a future event with a given uplift is applied as given, and one
without reuses the learned effect of its kind.

Events of kind "outage" are different: what happened during an outage says
nothing about normal demand, so their intervals are left out of fitting (treated
as unknown) and no effect is learned or reused for them. A future outage with a
given uplift is still applied as given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.columns import (
    EVENT_END,
    EVENT_KIND,
    EVENT_NAME,
    EVENT_QUEUES,
    EVENT_START,
    EVENT_UPLIFT,
)
from forecasting.errors import InputError

MAX_OFFSET_DAYS = 13  # effects are learned per day for two weeks after an event starts
OUTAGE = "outage"  # the kind whose intervals no model learns from


def normalize_events(events: pd.DataFrame | None) -> pd.DataFrame:
    """Validate an events frame and fill the optional columns.

    Args:
        events: columns `name`, `start`, `end` (tz-aware; `end` exclusive),
            optional `kind`, `queues` (";"-separated names, empty = all queues),
            `uplift` (fraction, NaN = learn it).

    Returns:
        A copy with all six columns, `kind` defaulted to `name`, sorted by start, name.
    """
    columns = [EVENT_NAME, EVENT_KIND, EVENT_START, EVENT_END, EVENT_QUEUES, EVENT_UPLIFT]
    if events is None or events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    for column in (EVENT_NAME, EVENT_START, EVENT_END):
        if column not in events.columns:
            raise InputError(f"events have no {column!r} column")
    out = events.copy()
    for column in (EVENT_START, EVENT_END):
        if not isinstance(out[column].dtype, pd.DatetimeTZDtype):
            raise InputError(f"events column {column!r} must hold timezone-aware timestamps")
        out[column] = out[column].dt.tz_convert("UTC")
    bad = out[out[EVENT_END] <= out[EVENT_START]]
    if len(bad):
        raise InputError(f"event {bad[EVENT_NAME].iloc[0]!r}: end must be after start")
    kind = out[EVENT_KIND] if EVENT_KIND in out.columns else pd.Series(np.nan, index=out.index)
    out[EVENT_KIND] = kind.where(kind.notna() & (kind.astype(str) != ""), out[EVENT_NAME])
    out[EVENT_KIND] = out[EVENT_KIND].astype(str)
    queues = out[EVENT_QUEUES] if EVENT_QUEUES in out.columns else ""
    out[EVENT_QUEUES] = pd.Series(queues, index=out.index).fillna("").astype(str)
    uplift = out[EVENT_UPLIFT] if EVENT_UPLIFT in out.columns else np.nan
    out[EVENT_UPLIFT] = pd.to_numeric(pd.Series(uplift, index=out.index), errors="coerce")
    if (out[EVENT_UPLIFT] < -1).any():
        raise InputError("events: uplift must be -1 (closed) or greater (0.5 = 50 % more volume)")
    return out[columns].sort_values([EVENT_START, EVENT_NAME]).reset_index(drop=True)


def events_for_queue(events: pd.DataFrame, queue: str) -> pd.DataFrame:
    """The events that touch `queue` (those with no queues listed touch all)."""
    if events.empty:
        return events
    listed = events[EVENT_QUEUES].str.split(";")
    hit = [not q or q == [""] or queue in [s.strip() for s in q] for q in listed]
    return events[np.array(hit, dtype=bool)]


def event_day_columns(
    events: pd.DataFrame, *, dates: pd.DatetimeIndex, timezone: str
) -> pd.DataFrame:
    """Indicator columns `event:{kind}:+{offset}` for each local date.

    A date gets a 1 in the column of the event's kind and the number of local
    days since the event began (capped at MAX_OFFSET_DAYS).

    Args:
        events: normalized events of one queue.
        dates: local dates (naive midnights).
        timezone: the queue's IANA zone.
    """
    out = pd.DataFrame(index=dates)
    if events.empty:
        return out
    for row in events.itertuples(index=False):
        if is_outage(getattr(row, EVENT_KIND)):
            continue
        first = _local_date(getattr(row, EVENT_START), timezone)
        last = _local_date(getattr(row, EVENT_END) - pd.Timedelta(seconds=1), timezone)
        offsets = (dates - first).days
        inside = (dates >= first) & (dates <= last)
        for offset in np.unique(np.minimum(offsets[inside], MAX_OFFSET_DAYS)):
            name = f"event:{getattr(row, EVENT_KIND)}:+{offset}"
            mark = inside & (np.minimum(offsets, MAX_OFFSET_DAYS) == offset)
            column = out[name].to_numpy() if name in out else np.zeros(len(dates))
            out[name] = np.maximum(column, mark.astype(float))
    return out


def is_outage(kind: str) -> bool:
    """Whether an event kind is an outage (case-insensitive)."""
    return str(kind).strip().lower() == OUTAGE


def outage_mask(
    events: pd.DataFrame, grid: pd.DatetimeIndex, *, interval_minutes: int
) -> np.ndarray:
    """True for the intervals of `grid` that overlap an outage event."""
    mask = np.zeros(len(grid), dtype=bool)
    ends = grid + pd.Timedelta(minutes=interval_minutes)
    for row in events.itertuples(index=False):
        if is_outage(getattr(row, EVENT_KIND)):
            mask |= (ends > getattr(row, EVENT_START)) & (grid < getattr(row, EVENT_END))
    return mask


def active_names(events: pd.DataFrame, grid: pd.DatetimeIndex) -> list[list[str]]:
    """Names of the events whose span holds each interval start of `grid`."""
    names: list[list[str]] = [[] for _ in range(len(grid))]
    for row in events.itertuples(index=False):
        inside = (grid >= getattr(row, EVENT_START)) & (grid < getattr(row, EVENT_END))
        for i in np.flatnonzero(inside):
            names[i].append(getattr(row, EVENT_NAME))
    return names


def given_uplift(events: pd.DataFrame, grid: pd.DatetimeIndex) -> np.ndarray:
    """Multiplier per interval from events with a known uplift (1 where none)."""
    factor = np.ones(len(grid))
    if events.empty:
        return factor
    for row in events[events[EVENT_UPLIFT].notna()].itertuples(index=False):
        inside = (grid >= getattr(row, EVENT_START)) & (grid < getattr(row, EVENT_END))
        factor[inside] *= 1.0 + getattr(row, EVENT_UPLIFT)
    return factor


def declared(events: pd.DataFrame, grid: pd.DatetimeIndex) -> np.ndarray:
    """True for the intervals of `grid` inside an event with a known uplift."""
    out = np.zeros(len(grid), dtype=bool)
    if events.empty:
        return out
    for row in events[events[EVENT_UPLIFT].notna()].itertuples(index=False):
        out |= (grid >= getattr(row, EVENT_START)) & (grid < getattr(row, EVENT_END))
    return out


def _local_date(ts: pd.Timestamp, timezone: str) -> pd.Timestamp:
    return ts.tz_convert(timezone).tz_localize(None).normalize()
