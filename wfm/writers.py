"""Writers: outputs as text, written atomically or to stdout.

Outputs are byte-identical for identical inputs: fixed column order, fixed number
formatting, ISO 8601 timestamps with offsets.

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @,
tab or carriage return, e.g. an agent named '=HYPERLINK("http://x","y")') are
written with a leading single quote, as OWASP's CSV-injection advice says;
`readers` drops that quote again, so wfm's own files read back unchanged.
Numbers and timestamps are never quoted.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
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

# A cell starting with one of these is a formula to Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is a plain number ("-3", "+1.5e3") is shown as a number, never run.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?inf")


def neutralise_formula(text: str) -> str:
    """`text` with a leading "'" if a spreadsheet would read it as a formula.

    Text already quoted so ("'=x") gets one more quote, so that reading back
    (which drops one quote) gives every text exactly.
    """
    unquoted = text.lstrip("'")
    if unquoted != text and unquoted.startswith(FORMULA_STARTS):
        return "'" + text
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def format_frame(
    frame: pd.DataFrame, *, timezone_column: str | None = None, local_columns: Sequence[str] = ()
) -> pd.DataFrame:
    """Cells as text: ISO 8601 with offsets, numbers to at most 4 decimals.

    Text cells a spreadsheet would run as a formula get a leading "'"
    (`neutralise_formula`).

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
            out[column] = [neutralise_formula(v) for v in values.fillna("").astype(str)]
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
    """Write `text` to `path`, or to stdout when None.

    A regular file (new, or existing, or named through a symlink) is replaced
    atomically (temp file + rename), keeping an existing file's mode, or with
    the default mode (0666 less the umask) when new; a symlink stays a symlink
    and its target file is replaced. Anything else (a device such as
    /dev/null or /dev/stdout, a FIFO, a /proc/self/fd entry) is written
    through, as a shell redirection would.
    """
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(path)
    if path.is_dir():
        raise WfmError(f"{path}: is a folder; give a file name for the output")
    try:
        found = os.stat(path)
    except FileNotFoundError:
        found = None
    except OSError as e:
        raise WfmError(f"{path}: cannot write the output: {e.strerror or e}") from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        _write_through(text, path)
        return
    target = _file_to_replace(path, found)
    if target is None:
        _write_through(text, path)
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WfmError(f"{path}: folder {folder} does not exist; create it first")
    _replace_file(text, target, found)


def _file_to_replace(path: Path, found: os.stat_result | None) -> Path | None:
    """The path of the regular file to replace: `path`, or the file a symlink names.

    None when a link leads to a file with no name of its own to replace (a
    /proc/self/fd entry of a deleted file): that one is written through.
    """
    if not path.is_symlink():
        return path
    real = Path(os.path.realpath(path))
    if found is None:
        return real  # a dangling link: make the file it names
    try:
        same = os.stat(real)
    except OSError:
        return None
    return real if (same.st_dev, same.st_ino) == (found.st_dev, found.st_ino) else None


def _write_through(text: str, path: Path) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as e:
        raise WfmError(f"{path}: cannot write the output: {e.strerror or e}") from None


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _replace_file(text: str, target: Path, found: os.stat_result | None) -> None:
    """Replace `target` atomically, keeping `found`'s mode (and owner where allowed)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise WfmError(f"{target}: cannot write the output: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            mode = _default_mode() if found is None else found.st_mode & 0o7777
            os.fchmod(handle.fileno(), mode)
            if found is not None and (found.st_uid, found.st_gid) != (os.geteuid(), os.getegid()):
                # Keep the owner where allowed (root); otherwise the file is ours.
                with contextlib.suppress(OSError):
                    os.fchown(handle.fileno(), found.st_uid, found.st_gid)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise WfmError(f"{target}: cannot write the output: {e.strerror or e}") from None
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
