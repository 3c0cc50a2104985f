"""Local-clock calendar features of a UTC interval grid.

Customers follow their local clock, so hour of day, day of week and public
holidays are computed in the queue's timezone, never in UTC. A UTC grid maps to
local time without gaps or doubles; on DST days a local date simply has 23 or 25
hourly intervals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import numpy as np
import pandas as pd

from forecasting.errors import InputError


def check_timezone(name: str, *, where: str) -> ZoneInfo:
    """The IANA zone `name`, or InputError naming `where` it came from."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InputError(
            f"{where}: unknown timezone {name!r}; use an IANA name such as 'America/New_York'"
        ) from None


def utc_grid(start: pd.Timestamp, periods: int, interval_minutes: int) -> pd.DatetimeIndex:
    """`periods` consecutive UTC interval starts from `start` (tz-aware)."""
    return pd.date_range(
        start.tz_convert("UTC"), periods=periods, freq=f"{interval_minutes}min", name=None
    )


def local_frame(
    interval_start: pd.Series | pd.DatetimeIndex, *, timezone: str, interval_minutes: int
) -> pd.DataFrame:
    """Local calendar of each UTC interval start.

    Returns:
        DataFrame aligned with the input, columns `local_date` (datetime64 date at
        midnight, naive), `weekday` (0 = Monday), `slot` (local minute of day //
        interval_minutes).
    """
    local = pd.DatetimeIndex(interval_start).tz_convert(timezone)
    minute = local.hour * 60 + local.minute
    return pd.DataFrame(
        {
            "local_date": local.tz_localize(None).normalize(),
            "weekday": local.day_of_week.to_numpy(),
            "slot": (minute // interval_minutes).to_numpy(),
        }
    )


NS_PER_DAY = 86_400 * 10**9
NS_PER_MINUTE = 60 * 10**9
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu"})


@dataclass(frozen=True)
class LocalClock:
    """The local calendar of UTC interval starts as numpy arrays (local_frame without pandas).

    Attributes:
        day: local date as whole days since 1970-01-01 (int64).
        weekday: 0 = Monday.
        slot: local minute of day // interval_minutes.
    """

    day: np.ndarray
    weekday: np.ndarray
    slot: np.ndarray


def local_clock(
    interval_start: pd.Series | pd.DatetimeIndex, *, timezone: str, interval_minutes: int
) -> LocalClock:
    """Local day, weekday and slot of each UTC interval start, as numpy arrays."""
    index = pd.DatetimeIndex(interval_start)
    if timezone not in UTC_ZONES:
        index = index.tz_convert(timezone).tz_localize(None)
    ns = index.as_unit("ns").asi8
    day = ns // NS_PER_DAY
    minute = (ns - day * NS_PER_DAY) // NS_PER_MINUTE
    return LocalClock(day=day, weekday=(day + 3) % 7, slot=minute // interval_minutes)


def day_number(date: dt.date) -> int:
    """Whole days from 1970-01-01 to `date`."""
    return date.toordinal() - EPOCH_ORDINAL


def day_index(days: np.ndarray) -> pd.DatetimeIndex:
    """Naive local midnights of day numbers (the `local_date` of local_frame)."""
    return pd.DatetimeIndex(np.asarray(days, dtype="int64").astype("datetime64[D]")).as_unit("ns")


def intervals_per_day_number(
    days: np.ndarray, *, timezone: str, interval_minutes: int
) -> np.ndarray:
    """How many intervals each local day (day numbers) holds; cached per zone and day."""
    if timezone in UTC_ZONES:
        return np.full(len(days), 24 * 60 // interval_minutes, dtype=np.int64)
    return np.array(
        [_intervals_on(timezone, interval_minutes, int(d)) for d in days], dtype=np.int64
    )


@lru_cache(maxsize=65536)
def _intervals_on(timezone: str, interval_minutes: int, day: int) -> int:
    date = dt.date.fromordinal(day + EPOCH_ORDINAL)
    return int(
        intervals_per_local_day(
            pd.DatetimeIndex([pd.Timestamp(date)]),
            timezone=timezone,
            interval_minutes=interval_minutes,
        )[0]
    )


def intervals_per_local_day(
    dates: pd.DatetimeIndex, *, timezone: str, interval_minutes: int
) -> np.ndarray:
    """How many intervals each local date holds (fewer on spring-forward days)."""
    tz = ZoneInfo(timezone)
    out = np.empty(len(dates), dtype=np.int64)
    for i, day in enumerate(dates):
        start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        nxt = day + pd.Timedelta(days=1)
        end = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
        out[i] = round((end - start).total_seconds() / 60) // interval_minutes
    return out


def holiday_calendar(
    country: str | None,
    *,
    subdivision: str | None = None,
    years: Iterable[int],
    categories: Sequence[str] | None = None,
) -> dict[dt.date, str]:
    """Holidays of `country` (ISO code) in `years`, date -> name.

    Args:
        categories: the holidays library's categories to include (e.g.
            "public", "optional", "bank"); None = the library's default (public).

    Raises:
        InputError: unknown country, subdivision or category, naming the field.
    """
    if not country:
        return {}
    if country not in holidays_lib.list_supported_countries():
        raise InputError(
            f"forecast.country: unknown country code {country!r}; use an ISO 3166 code "
            "such as 'US', 'GB', 'IE' or 'PH'"
        )
    known = holidays_lib.country_holidays(country).supported_categories
    unknown = sorted(set(categories or ()) - set(known))
    if unknown:
        raise InputError(
            f"forecast.holiday_categories: {', '.join(map(repr, unknown))} is not a holiday "
            f"category of {country}; choose from {', '.join(sorted(known))}"
        )
    options = {"categories": tuple(categories)} if categories else {}
    try:
        cal = holidays_lib.country_holidays(
            country, subdiv=subdivision, years=sorted(set(years)), **options
        )
    except NotImplementedError:
        raise InputError(
            f"forecast.subdivision: {subdivision!r} is not a subdivision of {country}; "
            "leave it out or use a code such as 'CA' for US-CA"
        ) from None
    return dict(sorted(cal.items()))


def default_categories(country: str | None) -> tuple[str, ...] | None:
    """The categories used when none are asked for: public, plus "optional" where it exists.

    Optional holidays (Chol HaMoed in Israel, Good Friday in Ireland) are days
    many queues run differently on; the seasonal model learns their effect as a
    category of its own, from evidence only, so a country's optional days
    change nothing until the history shows what they do.
    """
    if not country or country not in holidays_lib.list_supported_countries():
        return None
    known = holidays_lib.country_holidays(country).supported_categories
    return ("public", "optional") if "optional" in known else None


def holiday_kinds(
    country: str | None,
    *,
    subdivision: str | None = None,
    years: Iterable[int],
    categories: Sequence[str] | None,
) -> dict[dt.date, str]:
    """The category of each holiday that is not a public one, date -> category.

    A date that is public in the calendar is public, whatever else it is.
    Empty for public holidays alone (categories None or ("public",)).
    """
    others = [c for c in categories or () if c != "public"]
    if not country or not others:
        return {}
    public = holiday_calendar(country, subdivision=subdivision, years=years, categories=("public",))
    kinds: dict[dt.date, str] = {}
    for category in others:
        calendar = holiday_calendar(
            country, subdivision=subdivision, years=years, categories=(category,)
        )
        for day in calendar:
            if day not in public:
                kinds.setdefault(day, category)
    return dict(sorted(kinds.items()))


def closed_dates(
    holidays: Mapping[dt.date, str],
    names: Sequence[str],
    *,
    country: str | None,
    field: str = "forecast.closed_holidays",
) -> frozenset[dt.date]:
    """The dates of the holidays named in `names` (closed on them, or open: see `field`).

    Names are matched case-insensitively, without qualifiers such as "(observed)".

    Raises:
        InputError: a name that is not a holiday of the calendar, naming `field`.
    """
    if not names:
        return frozenset()

    def plain(name: str) -> str:
        return re.sub(r"\s*\([^)]*\)", "", name).strip().lower()

    by_name: dict[str, set[dt.date]] = {}
    for day, name in holidays.items():
        for part in str(name).split(";"):
            by_name.setdefault(plain(part), set()).add(day)
    missing = [n for n in names if plain(n) not in by_name]
    if missing:
        known = sorted({str(v) for v in holidays.values()})[:8]
        raise InputError(
            f"{field}: {missing[0]!r} is not a holiday of "
            f"{country or 'the calendar'} (e.g. {', '.join(known) or 'none: set forecast.country'})"
        )
    return frozenset(day for n in names for day in by_name[plain(n)])
