"""Timestamp columns as helpdesks export them, into UTC.

Accepted: ISO 8601 (with or without an offset), an offset of hours only (`+05`),
a ` UTC`/` GMT`/`Z` suffix, dates written day/month/year or month/day/year (the
order is read from the file when a day above 12 fixes it, else from
`date_format`), and month names. Years outside 1970-2200 are refused.

Naive times are read in a zone. Files on an interval grid (counts, forecasts,
requirements) refuse a time in a spring-forward gap, and resolve a fall-back
hour by order: a (queue, time) seen twice is summer time first, winter time
second. Contact-level files (one row per ticket) move a time in a gap forward
by the gap (an hour) and let the order of the file decide a fold.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from wfm.errors import WfmError

YEARS = (1970, 2200)
DATE_FORMATS = {
    "dmy": "dmy",
    "dd/mm/yyyy": "dmy",
    "mdy": "mdy",
    "mm/dd/yyyy": "mdy",
    "ymd": "ymd",
    "yyyy-mm-dd": "ymd",
}
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?=$|[ T])")
ZONE_SUFFIX = re.compile(r"(\d)\s*(?:Z|UTC|GMT)$", re.IGNORECASE)
HOUR_OFFSET = re.compile(r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([+-]\d{2})$")
SPACED_OFFSET = re.compile(r"(\d)\s+([+-]\d{2}:?\d{2})$")
OFFSET = re.compile(r"[+-]\d{2}:?\d{2}$")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:[+-]\d{2}:\d{2})?")
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z")
TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?$")
DATE_ONLY = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))$")
YEAR = r"(?<!\d)(\d{4})(?!\d)"  # the first four-digit number of a timestamp


def check_date_format(text: str | None, *, where: str = "--date-format") -> str | None:
    """'dmy', 'mdy' or 'ymd' for a date format such as DD/MM/YYYY; None passes through."""
    if text is None:
        return None
    key = re.sub(r"[.\-/ ]", "/", text.strip().lower())
    found = DATE_FORMATS.get(key) or DATE_FORMATS.get(key.replace("/", ""))
    if found is None:
        raise WfmError(
            f"{where}: expected DD/MM/YYYY, MM/DD/YYYY or YYYY-MM-DD (or dmy, mdy, ymd), "
            f"got {text!r}"
        )
    return found


def row(index: object) -> int:
    """The row as numbered in the file: header = row 1."""
    return int(index) + 2


def is_time_only(values: pd.Series) -> bool:
    """True when the non-blank values are times of day (09:13) with no date."""
    text = values.astype(str).str.strip()
    text = text[text != ""]
    if not len(text) or not TIME_ONLY.fullmatch(text.iloc[0]):
        return False
    return bool(text.str.fullmatch(TIME_ONLY).all())


def is_date_only(values: pd.Series) -> bool:
    """True when every value is a whole date with no time of day."""
    text = values.astype(str).str.strip()
    if not len(text) or not DATE_ONLY.fullmatch(text.iloc[0]):
        return False
    return bool(text.str.fullmatch(DATE_ONLY).all())


def _day_month_order(
    first: pd.Series, second: pd.Series, *, order: str | None, path: object, column: str
) -> str:
    """'dmy' or 'mdy' for numeric dates, from the data or the given order."""
    day_first = first > 12
    month_first = second > 12
    if order in ("dmy", "mdy"):
        wrong = month_first if order == "dmy" else day_first
        if wrong.any():
            at = wrong.idxmax()
            raise WfmError(
                f"{path}: column {column!r}, row {row(at)}: a date does not fit the date "
                f"format {'DD/MM/YYYY' if order == 'dmy' else 'MM/DD/YYYY'}; "
                "check --date-format (or [forecast] date_format)"
            )
        return order
    if day_first.any() and month_first.any():
        a, b = day_first.idxmax(), month_first.idxmax()
        raise WfmError(
            f"{path}: column {column!r} mixes day/month (row {row(a)}) and month/day "
            f"(row {row(b)}) dates; export the dates in one format, ideally ISO 8601"
        )
    if day_first.any():
        return "dmy"
    if month_first.any() or (first == second).all():
        return "mdy"
    at = (first != second).idxmax()
    raise WfmError(
        f"{path}: column {column!r}, row {row(at)}: dates such as the one there could be "
        "day/month or month/day (no day above 12 tells); pass --date-format DD/MM/YYYY "
        "or MM/DD/YYYY (or set [forecast] date_format)"
    )


def normalise(
    text: pd.Series, *, order: str | None, path: object, column: str
) -> tuple[pd.Series, pd.Series]:
    """Rewrite exported forms as ISO 8601; returns (text, has_offset)."""
    if text.str.fullmatch(ISO).all():  # the common case, quickly
        return text, text.str.contains(OFFSET)
    if text.str.fullmatch(ISO_UTC).all():  # ISO 8601 in UTC ("...Z"), as quickly
        return text.str.slice(0, -1) + "+00:00", pd.Series(True, index=text.index)
    text = text.str.replace(ZONE_SUFFIX, r"\1+00:00", regex=True)
    text = text.str.replace(HOUR_OFFSET, r"\1\2:00", regex=True)
    text = text.str.replace(SPACED_OFFSET, r"\1\2", regex=True)
    parts = text.str.extract(NUMERIC_DATE)
    numeric = parts[0].notna()
    if numeric.any() and order != "ymd":
        a = parts.loc[numeric, 0].astype(int)
        b = parts.loc[numeric, 1].astype(int)
        found = _day_month_order(a, b, order=order, path=path, column=column)
        day, month = (a, b) if found == "dmy" else (b, a)
        year = parts.loc[numeric, 2].astype(int)
        year = year.where(year >= 100, year + 2000)
        rest = text[numeric].str.replace(NUMERIC_DATE, "", regex=True)
        iso = (
            year.map("{:04d}".format)
            + "-"
            + month.map("{:02d}".format)
            + "-"
            + day.map("{:02d}".format)
        )
        text = text.copy()
        text[numeric] = iso + rest
    return text, text.str.contains(OFFSET)


def _parse(text: pd.Series, *, utc: bool) -> pd.Series:
    """ISO 8601 first, then any other form pandas reads; NaT where none does.

    Always nanosecond timestamps; a year outside YEARS (which pandas may hold
    at a coarser unit, e.g. year 0) is NaT.
    """
    out = _in_range(pd.to_datetime(text, errors="coerce", format="ISO8601", utc=utc), utc=utc)
    left = out.isna()
    if left.any():
        out = out.copy()
        out[left] = _parse_mixed(text[left], utc=utc)
    return out


def _in_range(parsed: pd.Series, *, utc: bool) -> pd.Series:
    years = parsed.dt.year
    parsed = parsed.where((years >= YEARS[0]) & (years <= YEARS[1]))
    return parsed.astype("datetime64[ns, UTC]" if utc else "datetime64[ns]")


def _parse_mixed(text: pd.Series, *, utc: bool) -> pd.Series:
    """Month names and other forms pandas guesses; NaT where unreadable."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            more = pd.to_datetime(text, errors="coerce", format="mixed", utc=utc)
            if isinstance(more.dtype, pd.DatetimeTZDtype) != utc:
                raise TypeError("a zone where none was expected")
            return _in_range(more, utc=utc)
        except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
            dtype = "datetime64[ns, UTC]" if utc else "datetime64[ns]"
            return pd.Series(pd.NaT, index=text.index, dtype=dtype)


def _unreadable(text: pd.Series, bad: pd.Series, *, path: object, column: str) -> WfmError:
    first = bad.idxmax()
    value = text[first]
    rows = _row_list(bad)
    if not re.search(YEAR, value):
        hint = "a timestamp needs a date with a four-digit year and a time, e.g. 2025-03-04 09:13"
    else:
        hint = "use ISO 8601 such as 2025-03-04T09:13:00-05:00"
    return WfmError(
        f"{path}: column {column!r}: cannot read {value!r} as a timestamp (rows {rows}); {hint}"
    )


def _check_years(text: pd.Series, raw: pd.Series, *, path: object, column: str) -> None:
    """Refuse years outside YEARS before parsing (pandas cannot hold some of them)."""
    years = pd.to_numeric(text.str[:4], errors="coerce")  # ISO 8601, quickly
    other = years.isna() | ~text.str[4:5].isin(["-", ""])
    if other.any():
        found = text[other].str.extract(YEAR, expand=False)
        years[other] = pd.to_numeric(found, errors="coerce")
    no_year = years.isna() | years.isin([float("inf"), float("-inf")])  # "inf" is no year
    if no_year.any():  # pandas would fill in today's date
        raise _unreadable(raw, no_year, path=path, column=column)
    outside = (years < YEARS[0]) | (years > YEARS[1])
    if outside.any():
        first = outside.idxmax()
        raise _year_error(raw[first], int(years[first]), outside, path=path, column=column)


def _year_error(value: str, year: int, bad: pd.Series, *, path: object, column: str) -> WfmError:
    return WfmError(
        f"{path}: column {column!r}: {value!r} is in the year {year} (rows {_row_list(bad)}); "
        f"wfm reads years {YEARS[0]}-{YEARS[1]}: fix or remove those rows"
    )


def _row_list(mask: pd.Series, limit: int = 5) -> str:
    rows = [str(row(i)) for i in mask.index[mask.to_numpy()][:limit]]
    count = int(mask.sum())
    return ", ".join(rows) + (f" and {count - limit} more" if count > limit else "")


def parse_timestamps(
    values: pd.Series,
    *,
    tz: str,
    path: object,
    column: str,
    date_format: str | None = None,
    groups: pd.Series | None = None,
) -> pd.Series:
    """Strings to UTC timestamps: offsets taken as given, naive ones read in `tz`.

    Args:
        values: the column as read (strings), indexed by file row - 2.
        tz: IANA zone of naive times.
        date_format: 'dmy', 'mdy' or 'ymd' (see `check_date_format`), or None to
            read the order from the data (refused when it cannot tell).
        groups: for files on an interval grid, the queue of each row: a naive
            time in a DST gap is refused, and one in a fold is summer time the
            first time its (queue, time) appears and winter time the second.
            None for contact-level rows (a gap moves forward, the file's order
            decides a fold).

    Raises:
        WfmError: naming the file, the column, the rows and the fix.
    """
    raw = values.astype(str).str.strip()
    text, has_offset = normalise(raw, order=date_format, path=path, column=column)
    _check_years(text, raw, path=path, column=column)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if has_offset.any():
        out[has_offset] = _parse(text[has_offset], utc=True)
    naive = ~has_offset
    if naive.any():
        local = _parse(text[naive], utc=False)
        ok = local.notna()
        if ok.any():
            out[local[ok].index] = _localize(
                local[ok], raw, tz=tz, path=path, column=column, groups=groups
            )
    bad = out.isna()
    if bad.any():
        raise _unreadable(raw, bad, path=path, column=column)
    years = out.dt.year
    outside = (years < YEARS[0]) | (years > YEARS[1])
    if outside.any():
        first = outside.idxmax()
        raise _year_error(raw[first], int(years[first]), outside, path=path, column=column)
    return out


def _localize(
    local: pd.Series,
    raw: pd.Series,
    *,
    tz: str,
    path: object,
    column: str,
    groups: pd.Series | None,
) -> pd.Series:
    """Naive local times to UTC (see `parse_timestamps` for gaps and folds)."""
    if groups is None:
        try:
            aware = local.dt.tz_localize(tz, ambiguous="infer", nonexistent="shift_forward")
        except ValueError:  # pandas cannot infer which side of a fold a time is on
            aware = local.dt.tz_localize(
                tz, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward"
            )
        return aware.dt.tz_convert("UTC")
    summer = local.dt.tz_localize(tz, ambiguous=np.ones(len(local), dtype=bool), nonexistent="NaT")
    gap = summer.isna()
    if gap.any():
        at = gap.idxmax()
        after = pd.Timestamp(local[at]).tz_localize(tz, nonexistent="shift_forward")
        raise WfmError(
            f"{path}: column {column!r}, row {row(at)}: {local[at]:%Y-%m-%d %H:%M} does not "
            f"exist in {tz} (clocks spring forward); remove the row ({int(gap.sum())} in all), "
            f"or export with UTC offsets such as {after.isoformat()}"
        )
    winter = local.dt.tz_localize(tz, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="NaT")
    keys = pd.DataFrame({"group": groups.reindex(local.index), "time": local})
    second = keys.groupby(["group", "time"], sort=False).cumcount().to_numpy() == 1
    return summer.where(~((summer != winter) & second), winter).dt.tz_convert("UTC")
