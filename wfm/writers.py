"""Writers: outputs as text, written atomically or to stdout.

Outputs are byte-identical for identical inputs: fixed column order, fixed number
formatting, ISO 8601 timestamps with offsets.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from scheduling.columns import (
    BREAK_END,
    BREAK_START,
    END,
    OTHER_BREAKS,
    SCHEDULE_COLUMNS,
    SCHEDULE_COLUMNS_OTHER_BREAKS,
    START,
    TIMEZONE,
)
from wfm.errors import WfmError


def format_frame(
    frame: pd.DataFrame, *, timezone_column: str | None = None, local_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Cells as text: ISO 8601 with offsets, numbers to at most 4 decimals.

    `local_columns` are rendered in each row's `timezone_column` zone.
    """
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column in local_columns and timezone_column:
            out[column] = [
                "" if pd.isna(v) else pd.Timestamp(v).tz_convert(z).isoformat()
                for v, z in zip(values, frame[timezone_column], strict=True)
            ]
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = [v.isoformat() if pd.notna(v) else "" for v in values]
        elif pd.api.types.is_bool_dtype(values):
            out[column] = values.map({True: "true", False: "false"})
        elif pd.api.types.is_integer_dtype(values):
            out[column] = values.astype(str)
        elif pd.api.types.is_float_dtype(values):
            out[column] = [_number(v) for v in values]
        else:
            out[column] = values.fillna("").astype(str)
    return out


def _number(value: float) -> str:
    if np.isnan(value):
        return ""
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_text(frame: pd.DataFrame, **formatting) -> str:
    return format_frame(frame, **formatting).to_csv(index=False, lineterminator="\n")


def write_text(text: str, path: Path | None) -> None:
    """Write to `path` atomically (temp file + rename), or to stdout when None."""
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(path)
    if path.is_dir():
        raise WfmError(f"{path}: is a folder; give a file name for the output")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WfmError(f"{path}: folder {folder} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path | None, **formatting) -> None:
    write_text(csv_text(frame, **formatting), path)


def schedule_csv_text(schedule: pd.DataFrame) -> str:
    """The schedule CSV: contract columns, times in each row's site zone with offset.

    `other_breaks` (written only when the frame has it, i.e. with several break
    rules) is each later break as "start/end", joined with ";", empty when none.
    """
    several = OTHER_BREAKS in schedule.columns
    columns = SCHEDULE_COLUMNS_OTHER_BREAKS if several else SCHEDULE_COLUMNS
    frame = schedule[list(columns)]
    text = format_frame(
        frame.drop(columns=[OTHER_BREAKS]) if several else frame,
        timezone_column=TIMEZONE,
        local_columns=(START, END, BREAK_START, BREAK_END),
    )
    if several:
        cells = [
            _local_spans(pauses, zone)
            for pauses, zone in zip(frame[OTHER_BREAKS], frame[TIMEZONE], strict=True)
        ]
        text.insert(columns.index(OTHER_BREAKS), OTHER_BREAKS, cells)
    return text.to_csv(index=False, lineterminator="\n")


def _local_spans(pauses: object, zone: str) -> str:
    """((start, end), ...) as ";"-joined ISO 8601 "start/end" in `zone`."""
    if not isinstance(pauses, tuple | list):
        return ""
    stamps = [
        (pd.Timestamp(a).tz_convert(zone), pd.Timestamp(b).tz_convert(zone)) for a, b in pauses
    ]
    return ";".join(f"{a.isoformat()}/{b.isoformat()}" for a, b in stamps)
