"""Shift templates: the candidate shifts of each site, and the intervals they cover.

A candidate shift starts on a site's local start step inside its opening window,
on a day the site works, and lasts one of its `shift_hours`. Shifts are made on
the local clock and stored in UTC; a shift across a daylight-saving change keeps
its true length in absolute time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TypeVar

import holidays
import pandas as pd

from scheduling.columns import (
    BREAK_END,
    BREAK_START,
    COST,
    COVERAGE_LONG_COLUMNS,
    END,
    FRACTION,
    INTERVAL,
    PAID_HOURS,
    SHIFT,
    SHIFT_COLUMNS,
    SHIFT_ID,
    SITE,
    START,
)
from scheduling.errors import InputError
from scheduling.shifts.premiums import shift_cost
from scheduling.shifts.sites import Site
from scheduling.shifts.siteweeks import site_horizon


def generate_shifts(
    sites: Sequence[Site],
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """Candidate shifts of every site that start inside the horizon [start, end)
    (and inside the site's `span`, when it has one).

    For each local date of a site, on its working `days` and not on its public
    holidays, a shift may start at every local multiple of `start_step_minutes`
    inside the opening window, for every length in `shift_hours`, provided it
    ends by the window's close. A round-the-clock window (24 hours) has no close:
    its shifts may run into the next day. Local starts that do not exist (the
    spring-forward gap) are skipped; ambiguous ones (the fall-back fold) take the
    first occurrence. Breaks are not placed here: `scheduling.shifts.breaks` lists where
    they may go and the shift programme places them.

    Args:
        sites: the sites; names must be unique.
        start: horizon start, timezone-aware.
        end: horizon end (exclusive), timezone-aware.

    Returns:
        One row per shift, sorted by site, start, paid_hours: `shift_id` (readable
        and stable, e.g. "Manila|2026-11-23T08:00+08:00|8h"), `site`, `start` and
        `end` (UTC), `paid_hours` (hours), `cost` (of one agent working it, in
        the site's cost units, night and weekend premiums included:
        `scheduling.shifts.premiums`).

    Raises:
        InputError: naive or empty horizon, duplicate site names, an unknown
            holiday code, or a site with no shift starting in the horizon (in a
            week of a multi-week run, `Site.span`, such a site has no rows).
    """
    horizon_start, horizon_end = _horizon(start, end)
    names = [site.name for site in sites]
    if len(set(names)) != len(names):
        raise InputError(f"sites: names must be unique, got {names}")
    rows: list[dict[str, object]] = []
    for site in sites:
        first, last = site_horizon(site, (horizon_start, horizon_end))
        site_rows = _site_shifts(site, max(first, horizon_start), min(last, horizon_end))
        if not site_rows and site.span is None:  # a part week of a site may have none
            raise InputError(
                f"site {site.name!r}: no shift starts between {horizon_start:%Y-%m-%d %H:%M} "
                f"and {horizon_end:%Y-%m-%d %H:%M} UTC; check its days, open/close, "
                "shift_hours and holidays, or drop it from the run"
            )
        rows.extend(site_rows)
    frame = pd.DataFrame(rows, columns=list(SHIFT_COLUMNS))
    for column in (START, END):
        frame[column] = utc_column(frame[column])
    frame[PAID_HOURS] = frame[PAID_HOURS].astype(float)
    frame[COST] = frame[COST].astype(float)
    return frame.sort_values([SITE, START, PAID_HOURS], ignore_index=True)


def starts_shifts(site: Site, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """True when a shift of `site` starts in [start, end) (within its span, if any):
    a part week of a multi-week run may hold none at a site open on other days."""
    first, last = site_horizon(site, (start, end))
    return bool(_site_shifts(site, max(first, start), min(last, end)))


def anyone_works(sites: Sequence[Site]) -> bool:
    """True when a shift of some site of a week starts in its span (`Site.span`)."""
    return any(site.span and starts_shifts(site, *site.span) for site in sites)


def shift_costs(shifts: pd.DataFrame, *, sites: Sequence[Site] | Mapping[str, Site]) -> pd.Series:
    """Cost of one agent working each row of a shift or schedule frame.

    Args:
        shifts: `site`, `start`, `end` (tz-aware) and optionally `paid_hours`
            (hours; without it each row's real length is paid).
        sites: the sites, as a sequence or by name.

    Returns:
        Series `cost` (site cost units, premiums included:
        `scheduling.shifts.premiums.shift_cost`) on the index of `shifts`.

    Raises:
        InputError: a row's site is not among `sites`, or naive timestamps.
    """
    by_name = sites if isinstance(sites, Mapping) else {s.name: s for s in sites}
    unknown = sorted(set(shifts[SITE]) - set(by_name))
    if unknown:
        raise InputError(f"shifts: site(s) {unknown} are not among the configured sites")
    paid: Iterable[float | None] = (
        shifts[PAID_HOURS] if PAID_HOURS in shifts.columns else itertools.repeat(None)
    )
    values = [
        shift_cost(
            pd.Timestamp(begin).to_pydatetime(),
            pd.Timestamp(finish).to_pydatetime(),
            by_name[name],
            paid_hours=None if hours is None else float(hours),
        )
        for name, begin, finish, hours in zip(
            shifts[SITE], shifts[START], shifts[END], paid, strict=False
        )
    ]
    return pd.Series(values, index=shifts.index, name=COST, dtype=float)


def shift_coverage(
    shifts: pd.DataFrame,
    *,
    grid_start: pd.Timestamp,
    n_intervals: int,
    interval_minutes: int,
    cyclic: bool,
) -> pd.DataFrame:
    """The share of each grid interval that each shift works.

    Time on break does not count. A shift that starts or ends inside an interval
    covers the matching fraction of it (a shift starting 08:30 covers 0.5 of the
    08:00 hourly interval). Work past the horizon end wraps round to its start when
    `cyclic`, and is cut otherwise; work before the grid start likewise.

    Args:
        shifts: frame with `start`, `end`, `break_start`, `break_end` (tz-aware;
            break columns may be NaT or absent).
        grid_start: start of the first interval, tz-aware.
        n_intervals: number of intervals in the grid.
        interval_minutes: interval length, minutes.
        cyclic: wrap work past the horizon round to its start.

    Returns:
        Long frame sorted by shift, interval, with one row per positive share:
        `shift` (index label of the row in `shifts`), `interval` (0-based position
        in the grid), `fraction` (0-1 of the interval worked).
    """
    if n_intervals <= 0 or interval_minutes <= 0:
        raise InputError("shift_coverage: n_intervals and interval_minutes must be positive")
    grid_start = _aware(grid_start, "grid_start")
    length = interval_minutes * 60
    period = n_intervals * length
    cells: dict[tuple[object, int], float] = {}
    for label, segments in _work_segments(shifts, grid_start):
        for seg_start, seg_end in segments:
            for piece_start, piece_end in _fold(seg_start, seg_end, period, cyclic=cyclic):
                first = int(piece_start // length)
                last = min(math.ceil(piece_end / length), n_intervals)
                for i in range(first, last):
                    overlap = min(piece_end, (i + 1) * length) - max(piece_start, i * length)
                    if overlap > 0:
                        cells[(label, i)] = cells.get((label, i), 0.0) + overlap / length
    frame = pd.DataFrame(
        [(label, i, share) for (label, i), share in cells.items()],
        columns=list(COVERAGE_LONG_COLUMNS),
    )
    frame[INTERVAL] = frame[INTERVAL].astype("int64")
    frame[FRACTION] = frame[FRACTION].astype(float)
    return frame.sort_values([SHIFT, INTERVAL], ignore_index=True)


def utc_column(values: pd.Series) -> pd.Series:
    """Timestamps (or NaT) as one dtype, datetime64[ns, UTC], empty or not."""
    return pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")


def _horizon(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = _aware(start, "start").tz_convert("UTC")
    end = _aware(end, "end").tz_convert("UTC")
    if end <= start:
        raise InputError(f"horizon: end {end} must be after start {start}")
    return start, end


def _aware(value: object, what: str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise InputError(f"{what}: timestamps must be timezone-aware, got {stamp}")
    return stamp


def _site_shifts(site: Site, start: pd.Timestamp, end: pd.Timestamp) -> list[dict[str, object]]:
    tz = site.tz
    first_day = start.tz_convert(tz).date() - timedelta(days=1)
    last_day = end.tz_convert(tz).date()
    closed = _holidays(site, range(first_day.year, last_day.year + 1))
    step = site.start_step_minutes
    window_end = site.open_minutes + site.window_minutes
    first_minute = -(-site.open_minutes // step) * step
    rows = []
    day = first_day
    while day <= last_day:
        if day.weekday() in site.days and day not in closed:
            midnight = datetime(day.year, day.month, day.day)
            close_utc = _to_utc(midnight + timedelta(minutes=window_end), tz, strict=False)
            for minute in range(first_minute, window_end, step):
                local = midnight + timedelta(minutes=minute)
                begin = _to_utc(local, tz, strict=True)
                if begin is None or not start <= begin < end:
                    continue
                for hours in sorted(site.shift_hours):
                    finish = begin + timedelta(hours=hours)
                    if site.window_minutes < 1440 and finish > close_utc:
                        continue
                    rows.append(_shift_row(site, begin, finish, hours))
        day += timedelta(days=1)
    return rows


def _holidays(site: Site, years: range) -> set[date] | holidays.HolidayBase:
    if not site.holidays:
        return set()
    country, _, subdiv = site.holidays.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdiv or None, years=list(years))
    except NotImplementedError:
        raise InputError(
            f"site {site.name!r}: holidays: unknown country or subdivision "
            f"{site.holidays!r}; use an ISO 3166 code such as 'IE' or 'US-CA'"
        ) from None


def _to_utc(local: datetime, tz: tzinfo, *, strict: bool) -> datetime | None:
    """UTC instant of a naive local wall time (first occurrence when ambiguous).

    With `strict`, a wall time inside a spring-forward gap gives None.
    """
    aware = local.replace(tzinfo=tz)
    instant = aware.astimezone(UTC)
    if strict and instant.astimezone(tz).replace(tzinfo=None) != local:
        return None
    return instant


def _shift_row(site: Site, begin: datetime, finish: datetime, hours: float) -> dict[str, object]:
    local = begin.astimezone(site.tz)
    return {
        SHIFT_ID: f"{site.name}|{local.isoformat(timespec='minutes')}|{hours:g}h",
        SITE: site.name,
        START: begin,
        END: finish,
        PAID_HOURS: float(hours),
        COST: shift_cost(begin, finish, site, paid_hours=float(hours)),
    }


def _work_segments(
    shifts: pd.DataFrame, grid_start: pd.Timestamp
) -> list[tuple[object, list[tuple[float, float]]]]:
    """Per shift, its working time as (start, end) seconds after `grid_start`."""
    n = len(shifts)
    starts = _seconds(shifts[START], grid_start)
    ends = _seconds(shifts[END], grid_start)
    if BREAK_START in shifts.columns and BREAK_END in shifts.columns:
        pauses = _seconds(shifts[BREAK_START], grid_start)
        resumes = _seconds(shifts[BREAK_END], grid_start)
    else:
        pauses = resumes = [math.nan] * n
    out = []
    for label, begin, finish, pause, resume in zip(
        shifts.index, starts, ends, pauses, resumes, strict=True
    ):
        breaks = [] if math.isnan(pause) or math.isnan(resume) else [(pause, resume)]
        out.append((label, worked_spans(begin, finish, breaks)))
    return out


_Instant = TypeVar("_Instant", float, pd.Timestamp)


def worked_spans(
    start: _Instant, end: _Instant, breaks: Iterable[tuple[_Instant, _Instant]]
) -> list[tuple[_Instant, _Instant]]:
    """The working time of a shift: [start, end) less every break.

    Each break is first clipped to [start, end), so a break outside the shift
    takes nothing off, and time in two breaks (or one break listed twice) is
    taken off once.

    Args:
        start: shift start (seconds, or a tz-aware timestamp).
        end: shift end, the same kind.
        breaks: (start, end) of each break, the same kind; empty ones do nothing.

    Returns:
        The non-empty (start, end) spans of work, in time order, apart from each
        other; none when end <= start.
    """
    spans = []
    cursor = start
    for pause, resume in sorted((max(a, start), min(b, end)) for a, b in breaks):
        if resume <= pause:
            continue
        if pause > cursor:
            spans.append((cursor, pause))
        cursor = max(cursor, resume)
    if end > cursor:
        spans.append((cursor, end))
    return spans


def _seconds(column: pd.Series, origin: pd.Timestamp) -> list[float]:
    """Seconds from `origin` to each timestamp of `column` (NaN for NaT)."""
    stamps = pd.to_datetime(column, utc=True)
    return ((stamps - origin.tz_convert("UTC")).dt.total_seconds()).tolist()


def _fold(start: float, end: float, period: float, *, cyclic: bool) -> list[tuple[float, float]]:
    """Pieces of [start, end) inside [0, period), wrapped modulo period when cyclic."""
    if not cyclic:
        piece = (max(start, 0.0), min(end, period))
        return [piece] if piece[1] > piece[0] else []
    pieces = []
    k = math.floor(start / period)
    while k * period < end:
        lo, hi = max(start, k * period), min(end, (k + 1) * period)
        if hi > lo:
            pieces.append((lo - k * period, hi - k * period))
        k += 1
    return pieces
