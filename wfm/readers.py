"""Readers: input files (history, events, forecast, requirements, roster) into library frames.

Every error names the file, the row (as numbered in the file, header = row 1)
or column, and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import WfmError
from wfm.timestamps import DATE_ONLY, is_date_only, is_time_only, parse_timestamps

TIME_COLUMNS = (
    "created_at",
    "created at",
    "creation_time",
    "creation time",
    "created",
    "createdat",
    "created_time",
    "created time",
    "date_created",
    "opened_at",
    "opened at",
    "timestamp",
    "start_time",
    "arrival_time",
    "datetime",
)
QUEUE_COLUMNS = ("queue", "channel", "group", "team", "skill", "queue_name", "via")
HANDLE_COLUMNS = (
    "handle_time_seconds",
    "handle time seconds",
    "handle_time",
    "handle time",
    "aht_seconds",
    "talk_time_seconds",
    "handling_time",
)
COUNT_COLUMNS = ("interval_start", "volume")
COUNT_LIKE = (
    "volume",
    "count",
    "counts",
    "calls",
    "tickets",
    "contacts",
    "offered",
)
CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
MAX_VOLUME = 1e7  # contacts in one interval
MAX_SECONDS = 86_400.0  # handle time: one day
MAX_AGENTS = 1e6  # agents in one interval
DEFAULT_QUEUE = "all"
# A quote wfm's writers put before a cell a spreadsheet would run as a formula.
FORMULA_QUOTED = re.compile(r"^'(?='*[=+\-@\t\r])")


def read_table(path: Path, *, what: str) -> pd.DataFrame:
    """A CSV (optionally .gz) as strings; WfmError when missing, empty or unreadable."""
    path = Path(path)
    if not path.exists():
        raise WfmError(f"{path}: {what} file not found; check the path")
    if path.is_dir():
        raise WfmError(f"{path}: is a folder; give the {what} CSV file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise WfmError(f"{path}: the {what} file is empty; it needs a header row") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, EOFError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WfmError(f"{path}: cannot read the {what} CSV: {first}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_unique_header(frame.columns, path=path, what=what)
    if frame.empty:
        raise WfmError(f"{path}: the {what} file has a header but no rows")
    # Undo writers.neutralise_formula: "'=x" (as wfm writes a cell "=x") reads as "=x".
    for column in frame.columns:
        if frame[column].str.startswith("'").any():
            frame[column] = frame[column].str.replace(FORMULA_QUOTED, "", regex=True)
    return frame


def _check_unique_header(columns: pd.Index, *, path: Path, what: str) -> None:
    """WfmError when two header cells name the same column once spaces are trimmed."""
    twice = columns[columns.duplicated()]
    if len(twice):
        name = f"'{twice[0]}'" if twice[0] else "an empty name"
        raise WfmError(
            f"{path}: the {what} file's header gives two columns {name} (spaces trimmed); "
            "give each column its own name"
        )


def find_column(
    frame: pd.DataFrame,
    explicit: str | None,
    candidates: Sequence[str],
    *,
    path: Path,
    option: str,
    required: bool = True,
) -> str | None:
    """The column named `explicit`, else the first of `candidates` present (any case)."""
    if explicit:
        if explicit not in frame.columns:
            raise WfmError(
                f"{path}: no column {explicit!r} (given by {option}); columns are: "
                f"{', '.join(frame.columns)}"
            )
        return explicit
    lowered = {c.lower().strip(): c for c in frame.columns}
    for name in candidates:
        if name in lowered:
            return lowered[name]
    if required:
        raise WfmError(
            f"{path}: cannot find the {_column_kind(option)} column "
            f"(looked for {', '.join(candidates[:4])}, ...); name it with {option}. "
            f"Columns are: {', '.join(frame.columns)}"
        )
    return None


def parse_numbers(
    values: pd.Series,
    *,
    path: Path,
    column: str,
    minimum: float | None = 0.0,
    maximum: float | None = None,
    allow_blank: bool = False,
) -> pd.Series:
    """Strings to floats in [minimum, maximum]; blank is NaN if allowed; WfmError names rows."""
    text = values.astype(str).str.strip()
    blank = text == ""
    numbers = pd.to_numeric(text.where(~blank, "nan"), errors="coerce")
    bad = (numbers.isna() & ~(blank & allow_blank)) | np.isinf(numbers)
    if minimum is not None:
        bad |= numbers < minimum
    if bad.any():
        need = "a number" if minimum is None else f"a number >= {minimum:g}"
        raise WfmError(
            f"{path}: column {column!r}: {text[bad].iloc[0]!r} is not {need} "
            f"(rows {_rows(values.index[bad])})"
        )
    high = numbers > maximum if maximum is not None else pd.Series(False, index=numbers.index)
    if high.any():
        raise WfmError(
            f"{path}: column {column!r}: {text[high].iloc[0]!r} is above {maximum:,.0f}, the "
            f"most wfm reads there (rows {_rows(values.index[high])}); check the units"
        )
    return numbers.astype(float)


def read_names(values: pd.Series, *, path: Path, column: str, blank: bool = False) -> pd.Series:
    """Names (queue, agent, site, ...) as plain stripped text.

    Refuses control characters (line breaks, tabs, NUL), which would split
    output rows, and blanks unless `blank`.
    """
    text = values.astype(str).str.strip()
    control = text.str.contains(CONTROL)
    if control.any():
        raise WfmError(
            f"{path}: column {column!r}, row {int(values.index[control][0]) + 2}: "
            f"{text[control].iloc[0]!r} holds a control character (line break, tab or NUL); "
            f"remove it (rows {_rows(values.index[control])})"
        )
    if not blank and (text == "").any():
        raise WfmError(
            f"{path}: column {column!r} is empty in rows {_rows(values.index[text == ''])}"
        )
    return text


def _rows(index: pd.Index, limit: int = 5) -> str:
    numbers = [str(int(i) + 2) for i in index[:limit]]
    more = f" and {len(index) - limit} more" if len(index) > limit else ""
    return ", ".join(numbers) + more


def check_duplicates(
    frame: pd.DataFrame, keys: list[str], *, path: Path, text: pd.DataFrame | None = None
) -> None:
    """Refuse rows that repeat `keys`; shows the values as the file has them (`text`)."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        shown_from = frame if text is None else text
        first = shown_from[dup].iloc[0]
        shown = ", ".join(f"{k}={first[k]}" for k in keys)
        raise WfmError(
            f"{path}: {int(dup.sum())} rows repeat the same ({', '.join(keys)}), e.g. {shown} "
            f"(rows {_rows(frame.index[dup])}); remove the duplicates"
        )


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, path: Path, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise WfmError(
            f"{path}: the {what} file has no column {missing[0]!r}; expected columns "
            f"{', '.join(columns)} (found {', '.join(frame.columns)})"
        )


CLI_COLUMN_OPTIONS = {"time": "--time-col", "queue": "--queue-col", "handle": "--handle-time-col"}
CONFIG_COLUMN_OPTIONS = {
    "time": "[forecast] time_column",
    "queue": "[forecast] queue_column",
    "handle": "[forecast] handle_time_column",
}


def _column_kind(option: str) -> str:
    """'--handle-time-col' or '[forecast] handle_time_column' -> 'handle time'."""
    name = option.split()[-1].lstrip("-")
    return name.removesuffix("-col").removesuffix("_column").replace("-", " ").replace("_", " ")


def read_history(
    path: Path,
    *,
    tz: str,
    time_col: str | None = None,
    queue_col: str | None = None,
    handle_col: str | None = None,
    default_queue: str = DEFAULT_QUEUE,
    date_format: str | None = None,
    options: Mapping[str, str] = CLI_COLUMN_OPTIONS,
) -> tuple[pd.DataFrame, str]:
    """A helpdesk export (one row per contact) or a counts file.

    Args:
        date_format: 'dmy', 'mdy' or 'ymd' for numeric dates whose order the
            file leaves open (see wfm.timestamps).
        options: what names the time, queue and handle columns, for messages
            (the CLI's flags, or `CONFIG_COLUMN_OPTIONS` where only wfm.toml does).

    Returns:
        (frame, kind): kind "contacts" with columns created_at (UTC), queue,
        handle_time_seconds; or kind "counts" with interval_start (UTC), queue,
        volume, aht_seconds.
    """
    raw = read_table(path, what="history")
    lowered = {c.lower() for c in raw.columns}
    queue = find_column(
        raw, queue_col, QUEUE_COLUMNS, path=path, option=options["queue"], required=False
    )
    queues = (
        read_names(raw[queue], path=path, column=queue)
        if queue
        else pd.Series(default_queue, index=raw.index)
    )
    if time_col is None and set(COUNT_COLUMNS) <= lowered:
        counts = _read_counts(raw, queues, path=path, tz=tz, date_format=date_format)
        return counts, "counts"
    when = _time_column(raw, time_col, path=path, option=options["time"])
    _refuse_aggregated(raw, when, path=path)
    handle = find_column(
        raw, handle_col, HANDLE_COLUMNS, path=path, option=options["handle"], required=False
    )
    times = parse_timestamps(raw[when], tz=tz, path=path, column=when, date_format=date_format)
    frame = pd.DataFrame(
        {
            "created_at": times,
            "queue": queues,
            "handle_time_seconds": (
                parse_numbers(
                    raw[handle], path=path, column=handle, maximum=MAX_SECONDS, allow_blank=True
                )
                if handle
                else np.nan
            ),
        }
    )
    return frame, "contacts"


def _time_column(
    raw: pd.DataFrame, explicit: str | None, *, path: Path, option: str = "--time-col"
) -> str:
    """The timestamp column: never one holding times of day without a date."""
    if explicit:
        when = find_column(raw, explicit, TIME_COLUMNS, path=path, option=option)
        if is_time_only(raw[when]):
            raise WfmError(
                f"{path}: column {when!r} holds times of day only (e.g. "
                f"{raw[when].iloc[0].strip()!r}); a timestamp needs a date and a time, "
                f"e.g. 2025-03-04 09:13; give a column that has both with {option}"
            )
        return when
    lowered = {c.lower().strip(): c for c in raw.columns}
    present = [lowered[name] for name in TIME_COLUMNS if name in lowered]
    usable = [c for c in present if not is_time_only(raw[c])]
    if usable:
        return usable[0]
    if present:
        raise WfmError(
            f"{path}: column {present[0]!r} holds times of day only; a timestamp needs a "
            f"date and a time, e.g. 2025-03-04 09:13; name such a column with {option}"
        )
    return find_column(raw, None, TIME_COLUMNS, path=path, option=option)


def _refuse_aggregated(raw: pd.DataFrame, when: str, *, path: Path) -> None:
    """Refuse counts (a count-like numeric column, or whole dates) read as contacts."""
    for column in raw.columns:
        if column == when or column.lower().strip() not in COUNT_LIKE:
            continue
        numbers = pd.to_numeric(raw[column].str.strip(), errors="coerce")
        if numbers.notna().all() and (numbers != 1).any():
            raise WfmError(
                f"{path}: column {column!r} holds counts, so a row is not one contact: "
                "this looks like counts: use interval_start, queue, volume as the columns "
                "(one row per queue and interval)"
            )
    if is_date_only(raw[when]):
        raise WfmError(
            f"{path}: column {when!r} holds whole dates with no time of day; each row must "
            "be one contact with its date and time (e.g. 2025-03-04 09:13); if the rows "
            "are counts, use the columns interval_start, queue, volume"
        )


def _read_counts(
    raw: pd.DataFrame, queues: pd.Series, *, path: Path, tz: str, date_format: str | None
) -> pd.DataFrame:
    lowered = {c.lower(): c for c in raw.columns}
    aht = lowered.get("aht_seconds")
    start = lowered["interval_start"]
    frame = pd.DataFrame(
        {
            "interval_start": parse_timestamps(
                raw[start], tz=tz, path=path, column=start, date_format=date_format, groups=queues
            ),
            "queue": queues,
            "volume": parse_numbers(
                raw[lowered["volume"]], path=path, column="volume", maximum=MAX_VOLUME
            ),
            "aht_seconds": (
                parse_numbers(
                    raw[aht], path=path, column=aht, maximum=MAX_SECONDS, allow_blank=True
                )
                if aht
                else np.nan
            ),
        }
    )
    text = pd.DataFrame({"queue": queues, "interval_start": raw[start].str.strip()})
    check_duplicates(frame, ["queue", "interval_start"], path=path, text=text)
    return frame


def read_events(path: Path, *, tz: str, date_format: str | None = None) -> pd.DataFrame:
    """events.csv: name, start, end [, kind, queues, uplift].

    Whole dates are local days in `tz`: start at its midnight, end inclusive
    (the event runs to the next midnight). Uplift is a share in (-1, 100].
    """
    raw = read_table(path, what="events")
    require_columns(raw, ["name", "start", "end"], path=path, what="events")
    names = read_names(raw["name"], path=path, column="name")
    start = _event_times(
        raw["start"], tz=tz, path=path, column="start", end=False, order=date_format
    )
    end = _event_times(raw["end"], tz=tz, path=path, column="end", end=True, order=date_format)
    bad = end <= start
    if bad.any():
        raise WfmError(
            f"{path}: event {names[bad].iloc[0]!r} ends before it starts "
            f"(rows {_rows(raw.index[bad])}); check start and end"
        )
    frame = pd.DataFrame({"name": names, "start": start, "end": end})
    _optional_text(frame, raw, ("kind", "queues"), path=path)
    frame["uplift"] = (
        parse_numbers(
            raw["uplift"], path=path, column="uplift", minimum=None, maximum=100, allow_blank=True
        )
        if "uplift" in raw.columns
        else np.nan
    )
    low = frame["uplift"] < -1
    if low.any():
        raise WfmError(
            f"{path}: column 'uplift': must be -1 (closed) or more (rows "
            f"{_rows(raw.index[low])}); 0.3 means 30% more volume, -0.2 means 20% less"
        )
    return frame


def _event_times(
    values: pd.Series, *, tz: str, path: Path, column: str, end: bool, order: str | None
) -> pd.Series:
    text = values.astype(str).str.strip()
    times = parse_timestamps(text, tz=tz, path=path, column=column, date_format=order)
    date_only = text.str.fullmatch(DATE_ONLY)
    if end and date_only.any():
        local = times[date_only].dt.tz_convert(tz).dt.tz_localize(None) + pd.Timedelta(days=1)
        times[date_only] = local.dt.tz_localize(
            tz, ambiguous=True, nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
    return times


def _grid_file(
    raw: pd.DataFrame, path: Path, tz: str, *, what: str, number: str, maximum: float | None
) -> pd.DataFrame:
    """interval_start, queue and one number column of a forecast or requirements file."""
    require_columns(raw, ["interval_start", "queue", number], path=path, what=what)
    queues = read_names(raw["queue"], path=path, column="queue")
    frame = pd.DataFrame(
        {
            "interval_start": parse_timestamps(
                raw["interval_start"], tz=tz, path=path, column="interval_start", groups=queues
            ),
            "queue": queues,
            number: parse_numbers(raw[number], path=path, column=number, maximum=maximum),
        }
    )
    text = pd.DataFrame({"queue": queues, "interval_start": raw["interval_start"].str.strip()})
    check_duplicates(frame, ["queue", "interval_start"], path=path, text=text)
    return frame


def read_forecast(path: Path, *, tz: str) -> pd.DataFrame:
    """A forecast CSV (the forecast contract) for `wfm staff`.

    Volumes are not capped here: staffing refuses an interval no centre could
    staff, in its own words.
    """
    raw = read_table(path, what="forecast")
    frame = _grid_file(raw, path, tz, what="forecast", number="volume", maximum=None)
    for column in ("volume_low", "volume_high", "aht_seconds"):
        if column in raw.columns:
            frame[column] = parse_numbers(raw[column], path=path, column=column, allow_blank=True)
    return frame


def read_requirements(path: Path, *, tz: str) -> pd.DataFrame:
    """A requirements CSV for `wfm schedule`: interval_start, queue, agents_scheduled."""
    raw = read_table(path, what="requirements")
    return _grid_file(
        raw, path, tz, what="requirements", number="agents_scheduled", maximum=MAX_AGENTS
    )


def read_roster(path: Path, *, sites: Sequence[str]) -> pd.DataFrame:
    """roster.csv: agent, site [, skills, contracted_hours, days_unavailable, preferred_start]."""
    raw = read_table(path, what="roster")
    require_columns(raw, ["agent", "site"], path=path, what="roster")
    frame = pd.DataFrame(
        {
            "agent": read_names(raw["agent"], path=path, column="agent"),
            "site": read_names(raw["site"], path=path, column="site", blank=True),
        }
    )
    check_duplicates(frame, ["agent"], path=path)
    unknown = ~frame["site"].isin(list(sites))
    if unknown.any():
        raise WfmError(
            f"{path}: agent {frame['agent'][unknown].iloc[0]!r} is at unknown site "
            f"{frame['site'][unknown].iloc[0]!r} (rows {_rows(raw.index[unknown])}); "
            f"sites in the config: {', '.join(sites)}"
        )
    _optional_text(frame, raw, ("skills", "days_unavailable", "preferred_start"), path=path)
    frame["contracted_hours"] = (
        parse_numbers(
            raw["contracted_hours"],
            path=path,
            column="contracted_hours",
            maximum=168,
            allow_blank=True,
        )
        if "contracted_hours" in raw.columns
        else np.nan
    )
    return frame


def read_schedule(path: Path, *, tz: str, sites: Sequence[str] | None = None) -> pd.DataFrame:
    """A schedule CSV (one row per agent shift) for `wfm simulate`.

    Columns: agent, start, end, and the agent's skills as `queue` (or `skills`),
    queue names joined with ";"; optional site, timezone, break_start, break_end
    (both blank for no break) and other_breaks (";"-joined "start/end" pairs).
    Times with an offset are taken as given; naive ones are read in the row's
    `timezone`, else in `tz`.

    Returns:
        agent, site, start, end, break_start, break_end (UTC, NaT for none),
        other_breaks (tuple of (start, end) UTC pairs), queue (skills, ";"-joined).
    """
    raw = read_table(path, what="schedule")
    skills = "skills" if "skills" in raw.columns and "queue" not in raw.columns else "queue"
    require_columns(raw, ["agent", "start", "end", skills], path=path, what="schedule")
    frame = pd.DataFrame({"agent": raw["agent"].str.strip()})
    empty = frame["agent"] == ""
    if empty.any():
        raise WfmError(f"{path}: column 'agent' is empty in rows {_rows(raw.index[empty])}")
    frame["site"] = raw["site"].str.strip() if "site" in raw.columns else ""
    if sites is not None and "site" in raw.columns:
        unknown = ~frame["site"].isin(list(sites))
        if unknown.any():
            raise WfmError(
                f"{path}: site {frame['site'][unknown].iloc[0]!r} is not in the config "
                f"(rows {_rows(raw.index[unknown])}); sites in the config: {', '.join(sites)}"
            )
    zones = raw["timezone"].str.strip() if "timezone" in raw.columns else pd.Series("", raw.index)
    _refuse_unknown_zones(zones, path)
    for column in ("start", "end", "break_start", "break_end"):
        values = raw[column] if column in raw.columns else pd.Series("", index=raw.index)
        frame[column] = _zoned_times(values, zones, tz=tz, path=path, column=column)
    for column in ("start", "end"):
        if frame[column].isna().any():
            rows = _rows(raw.index[frame[column].isna()])
            raise WfmError(f"{path}: column {column!r} is empty in rows {rows}")
    bad = frame["end"] <= frame["start"]
    if bad.any():
        raise WfmError(f"{path}: a shift ends before it starts (rows {_rows(raw.index[bad])})")
    _refuse_overlaps(frame, path)
    half = frame["break_start"].isna() != frame["break_end"].isna()
    if half.any():
        raise WfmError(
            f"{path}: break_start and break_end must both be given or both blank "
            f"(rows {_rows(raw.index[half])})"
        )
    other = raw["other_breaks"] if "other_breaks" in raw.columns else pd.Series("", raw.index)
    frame["other_breaks"] = [
        _spans(cell, zone, tz=tz, path=path, row=i)
        for i, cell, zone in zip(raw.index, other, zones, strict=True)
    ]
    _refuse_breaks_outside(frame, path)
    frame["queue"] = raw[skills].fillna("").str.strip()
    blank = frame["queue"].str.strip(" ;") == ""
    if blank.any():
        raise WfmError(
            f"{path}: column {skills!r} is empty in rows {_rows(raw.index[blank])}; "
            "give the agent's queues joined with ';' (e.g. phone;chat)"
        )
    return frame


def _refuse_unknown_zones(zones: pd.Series, path: Path) -> None:
    """Every `timezone` cell names an IANA zone, even where the times carry offsets."""
    for zone in sorted(set(zones) - {""}):
        try:
            pd.Timestamp("2000-01-01", tz=zone)
        except (KeyError, ValueError):
            rows = _rows(zones.index[zones == zone])
            raise WfmError(
                f"{path}: column 'timezone': unknown time zone {zone!r} (rows {rows}); "
                "use an IANA name such as Europe/Dublin"
            ) from None


def _refuse_breaks_outside(frame: pd.DataFrame, path: Path) -> None:
    """Each break lies inside its shift and ends after it starts."""
    spans = [
        (row, b0, b1)
        for row, main, others in zip(
            frame.index,
            zip(frame["break_start"], frame["break_end"], strict=True),
            frame["other_breaks"],
            strict=True,
        )
        for b0, b1 in ((main,) if pd.notna(main[0]) else ()) + tuple(others)
    ]
    for row, b0, b1 in spans:
        start, end = frame.at[row, "start"], frame.at[row, "end"]
        if not start <= b0 < b1 <= end:
            raise WfmError(
                f"{path}: row {row + 2}: the break {b0.isoformat()}/{b1.isoformat()} is not "
                f"inside its shift {start.isoformat()}/{end.isoformat()}; correct or blank it"
            )


def _refuse_overlaps(frame: pd.DataFrame, path: Path) -> None:
    """One agent cannot work two shifts at once (a row listed twice would count
    its agent twice in the simulation)."""
    order = frame.sort_values(["agent", "start", "end"], kind="stable")
    before = order.groupby("agent", sort=False)["end"].shift()
    clash = (order["start"] < before).to_numpy()
    if clash.any():
        later = int(np.argmax(clash))
        pair = order.index[[later - 1, later]]
        raise WfmError(
            f"{path}: agent {order['agent'].iloc[later]!r} works two shifts at once "
            f"(rows {' and '.join(_rows(pair.sort_values()).split(', '))}; "
            f"{int(clash.sum())} overlapping pair(s) in all); "
            "drop or correct one of them"
        )


def _zoned_times(
    values: pd.Series, zones: pd.Series, *, tz: str, path: Path, column: str
) -> pd.Series:
    """Timestamps read in each row's zone (blank zone: `tz`); blank cells are NaT."""
    text = values.fillna("").astype(str).str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    given = text != ""
    for zone in sorted(set(zones[given])):
        rows = given & (zones == zone)
        try:
            out[rows] = parse_timestamps(text[rows], tz=zone or tz, path=path, column=column)
        except (KeyError, ValueError) as e:  # an unknown zone name
            if isinstance(e, WfmError):
                raise
            raise WfmError(f"{path}: column 'timezone': unknown time zone {zone!r}") from None
    return out


def _spans(cell: object, zone: str, *, tz: str, path: Path, row: int) -> tuple:
    """ ";"-joined "start/end" pairs as ((start, end), ...) in UTC."""
    text = str(cell).strip()
    if not text:
        return ()
    out = []
    for part in text.split(";"):
        pieces = part.strip().split("/")
        if len(pieces) != 2:
            raise WfmError(
                f"{path}: column 'other_breaks': {part!r} is not start/end (row {row + 2})"
            )
        start, end = (
            parse_timestamps(
                pd.Series([piece], index=[row]), tz=zone or tz, path=path, column="other_breaks"
            ).iloc[0]
            for piece in pieces
        )
        if end <= start:
            raise WfmError(f"{path}: column 'other_breaks': {part!r} ends before it starts")
        out.append((start, end))
    return tuple(out)


def _optional_text(
    frame: pd.DataFrame, raw: pd.DataFrame, columns: Sequence[str], *, path: Path
) -> None:
    """Copy optional text columns, checked as names; "" where the file has none."""
    for column in columns:
        frame[column] = (
            read_names(raw[column], path=path, column=column, blank=True)
            if column in raw.columns
            else ""
        )
