"""History: contacts or counts, aggregated to a complete UTC interval grid.

Ticket-level rows (one per contact) and pre-counted rows both end up in the same
frame: one row per (queue, interval_start) with explicit zeros for intervals with
no contacts, so that a model can tell a quiet hour from a missing one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.columns import (
    AHT_SECONDS,
    CREATED_AT,
    HANDLE_TIME_SECONDS,
    INTERVAL_START,
    QUEUE,
    VOLUME,
)
from forecasting.errors import InputError

INTERVALS = (15, 30, 60)


def check_interval(interval_minutes: int) -> None:
    """Raise InputError unless `interval_minutes` is 15, 30 or 60."""
    if interval_minutes not in INTERVALS:
        raise InputError(f"interval_minutes must be 15, 30 or 60, got {interval_minutes}")


def _require_utc(values: pd.Series, column: str) -> None:
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise InputError(f"column {column!r} must hold timezone-aware timestamps")


def aggregate_contacts(contacts: pd.DataFrame, *, interval_minutes: int) -> pd.DataFrame:
    """Count ticket-level contacts per queue and UTC interval.

    Args:
        contacts: columns `created_at` (tz-aware), `queue`, optional
            `handle_time_seconds` (seconds, NaN where unknown).
        interval_minutes: 15, 30 or 60.

    Returns:
        The history frame of `complete_grid`: `interval_start` (UTC), `queue`,
        `volume` (contacts per interval), `aht_seconds` (mean handle time of the
        interval's contacts, seconds; NaN where none or unknown).
    """
    check_interval(interval_minutes)
    for column in (CREATED_AT, QUEUE):
        if column not in contacts.columns:
            raise InputError(f"contacts have no {column!r} column")
    _require_utc(contacts[CREATED_AT], CREATED_AT)
    if contacts.empty:
        raise InputError("history has no rows")
    frame = pd.DataFrame(
        {
            INTERVAL_START: contacts[CREATED_AT]
            .dt.tz_convert("UTC")
            .dt.floor(f"{interval_minutes}min"),
            QUEUE: contacts[QUEUE].astype(str).to_numpy(),
            "_handle": (
                pd.to_numeric(contacts[HANDLE_TIME_SECONDS], errors="coerce").to_numpy()
                if HANDLE_TIME_SECONDS in contacts.columns
                else np.nan
            ),
        }
    )
    grouped = frame.groupby([QUEUE, INTERVAL_START], sort=True)
    counts = grouped.size().rename(VOLUME).astype(float).to_frame()
    counts[AHT_SECONDS] = grouped["_handle"].mean()
    return complete_grid(counts.reset_index(), interval_minutes=interval_minutes)


def complete_grid(
    counts: pd.DataFrame, *, interval_minutes: int, missing: str = "zero"
) -> pd.DataFrame:
    """Fill every (queue, interval) of the history's span.

    The span runs from the earliest to the latest interval of any queue, so all
    queues share one grid.

    Args:
        counts: columns `interval_start` (tz-aware, on the interval grid), `queue`,
            `volume` (contacts, >= 0), optional `aht_seconds` (seconds).
        interval_minutes: 15, 30 or 60.
        missing: "zero" fills absent intervals with 0 contacts; "nan" leaves them
            NaN (unknown), for forecast_volume to tell closed hours (zero) from
            gaps in the export (left out of fitting, with a warning).

    Returns:
        Columns `interval_start` (UTC), `queue`, `volume`, `aht_seconds`; sorted by
        queue then interval_start.
    """
    check_interval(interval_minutes)
    if missing not in ("zero", "nan"):
        raise InputError(f"missing must be 'zero' or 'nan', got {missing!r}")
    validate_counts(counts, interval_minutes=interval_minutes)
    starts = counts[INTERVAL_START].dt.tz_convert("UTC")
    grid = pd.date_range(starts.min(), starts.max(), freq=f"{interval_minutes}min")
    queues = sorted(counts[QUEUE].astype(str).unique())
    index = pd.MultiIndex.from_product([queues, grid], names=[QUEUE, INTERVAL_START])
    aht = (
        pd.to_numeric(counts[AHT_SECONDS], errors="coerce").to_numpy(float)
        if AHT_SECONDS in counts.columns
        else np.nan
    )
    keyed = pd.DataFrame(
        {VOLUME: counts[VOLUME].astype(float).to_numpy(), AHT_SECONDS: aht},
        index=pd.MultiIndex.from_arrays(
            [counts[QUEUE].astype(str), starts], names=[QUEUE, INTERVAL_START]
        ),
    ).reindex(index)
    if missing == "zero":
        keyed[VOLUME] = keyed[VOLUME].fillna(0.0)
    keyed[AHT_SECONDS] = keyed[AHT_SECONDS].astype(float)
    return keyed.reset_index()[[INTERVAL_START, QUEUE, VOLUME, AHT_SECONDS]]


def validate_counts(
    counts: pd.DataFrame, *, interval_minutes: int, allow_missing: bool = False
) -> None:
    """Raise InputError for a malformed history of counts.

    Checks the columns, timezone-awareness, the interval grid, non-negative finite
    volumes (NaN allowed with `allow_missing`: an unknown interval) and duplicate
    (queue, interval_start) rows; messages show up to five offending rows.
    """
    for column in (INTERVAL_START, QUEUE, VOLUME):
        if column not in counts.columns:
            raise InputError(f"history has no {column!r} column")
    if counts.empty:
        raise InputError("history has no rows")
    _require_utc(counts[INTERVAL_START], INTERVAL_START)
    volume = pd.to_numeric(counts[VOLUME], errors="coerce")
    unknown = volume.isna() if allow_missing else np.zeros(len(volume), dtype=bool)
    bad = counts[~unknown & (~np.isfinite(volume) | (volume < 0))]
    if len(bad):
        raise InputError(f"volume must be a number >= 0; bad rows: {_examples(bad)}")
    offset = counts[INTERVAL_START].dt.tz_convert("UTC")
    off_grid = counts[offset != offset.dt.floor(f"{interval_minutes}min")]
    if len(off_grid):
        raise InputError(
            f"interval_start must fall on the {interval_minutes}-minute grid; "
            f"off-grid rows: {_examples(off_grid)}"
        )
    dup = counts[counts.duplicated([QUEUE, INTERVAL_START], keep=False)]
    if len(dup):
        raise InputError(
            f"history has {len(dup)} duplicate (queue, interval_start) rows, e.g. {_examples(dup)}"
        )


def _examples(rows: pd.DataFrame, limit: int = 5) -> str:
    shown = [
        f"({row[QUEUE]!s}, {pd.Timestamp(row[INTERVAL_START]).isoformat()})"
        for _, row in rows.head(limit).iterrows()
    ]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(shown) + more
